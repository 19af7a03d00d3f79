import fc from 'fast-check';
import { Harness, frameProperties } from './harness';

/**
 * Robustness, frames: generated frames through the engines of every mode (test/property/model.ts), in
 * both directions, every property of oracle.ts checked on every answer. 2 x RUNS cases here; run
 * longer with `npm run fuzz -- --cases N`. A failure prints the property, the engine, the frame
 * and fast-check's seed and path (replay with fc.assert(..., { seed, path })).
 */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 50000);

describe('frame properties (fast-check)', () => {
  const h = new Harness();
  const p = frameProperties(h);

  test(`${RUNS} frames built from scratch`, () => {
    fc.assert(p.scratch, { numRuns: RUNS });
  });

  test(`${RUNS} mutants of the golden vectors and the rule seeds`, () => {
    fc.assert(p.mutants, { numRuns: RUNS });
  });

  test("every engine's stats add up: frames = sum by verdict = sum by reason", () => {
    expect(h.checkStats()).toBeNull();
    expect(h.cases).toBeGreaterThanOrEqual(2 * RUNS);
  });

  // The generators must keep reaching the rules: a property that only ever saw passes proves little.
  test.each([
    'step 502: ARP request',
    'step 508: ARP reply',
    'ARP from a member with the cluster MAC',
    'step 502 analogue: NS',
    'step 508 analogue: NA',
    "NA advertising a member's address",
    'response synthesizer: ARP',
    'response synthesizer: NS',
    'destination is a dedicated MAC of this host',
    'destination is the shared MAC',
    'not for this host',
    'strict sources: no discovery',
    'multicast Ethernet source',
    'bad ICMPv6 checksum',
    'option of length 0',
    'truncated Ethernet header or VLAN tag stack',
    'non-members receive',
    'maskSourceMac: IP data to the cluster MAC',
    "maskSourceMac: Ethernet source := this host's masked MAC",
  ])('the generated frames reached "%s"', (text) => {
    const hits = [...h.reasons].filter(([r]) => r.includes(text)).reduce((a, [, n]) => a + n, 0);
    expect(hits).toBeGreaterThan(0);
  });
});
