import fc from 'fast-check';
import { Harness, frameProperties } from './harness';

/**
 * Issue 6, frames: generated frames through engines of every mode, in both directions; every
 * property of oracle.ts on every answer. Run longer with `npm run fuzz -- --cases N`.
 */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 40000);

describe('frame properties (fast-check)', () => {
  const h = new Harness();
  const p = frameProperties(h);

  test(`${RUNS} frames built from scratch`, () => {
    fc.assert(p.scratch, { numRuns: RUNS });
  });

  test(`${RUNS} mutants of the golden vectors and the rule seeds`, () => {
    fc.assert(p.mutants, { numRuns: RUNS });
  });

  test('every engine\'s stats add up: frames = sum by verdict = sum by reason', () => {
    expect(h.checkStats()).toBeNull();
    expect(h.cases).toBeGreaterThanOrEqual(2 * RUNS);
  });
});
