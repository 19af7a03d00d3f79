// Tests b and c: with the cluster layer, in dedicated, table and shared modes and with the response
// synthesizer, every ordered pair of members pings (IPv4 and IPv6) and exchanges a TCP echo, and each
// member's neighbour table holds the others' dedicated (or shared) MACs. Both datapaths: the TAP
// shim, and the BPF programs attached to each member's own veth.
import { BED_MODES, Bed } from '../../src/live/bed';
import {
  FAMILIES,
  createBed,
  datapathDescribe,
  expectedMac,
  layerName,
  layerReport,
  orderedPairs,
} from './helpers/live';

const PINGS = 3;
const ECHO_BYTES = 32 * 1024;

for (const mode of BED_MODES) {
  datapathDescribe(`live, cluster layer in ${mode} mode`, (datapath) => {
    let bed: Bed;
    beforeAll(async () => {
      bed = await createBed({ mode, datapath });
    });
    afterAll(async () => {
      await bed?.destroy();
    });

    test('b. IPv4 and IPv6 ping between every ordered pair of members', async () => {
      const pairs = orderedPairs(bed.members);
      const results = await Promise.all(
        pairs.flatMap(([a, b]) =>
          FAMILIES.map(async (f) => ({ route: `${a.name} -> ${b.name} ${f}`, ...(await bed.ping(a, b[f], PINGS)) })),
        ),
      );
      expect(results).toHaveLength(12);
      for (const r of results) expect(r).toEqual({ route: r.route, sent: PINGS, received: PINGS });
    });

    test(`b. TCP echo of ${ECHO_BYTES} bytes each way, content checked, every ordered pair, both families`, async () => {
      const pairs = orderedPairs(bed.members);
      const results = await Promise.all(
        pairs.flatMap(([a, b]) =>
          FAMILIES.map(async (f) => ({
            route: `${a.name} -> ${b.name} ${f}`,
            ...(await bed.echo(a, b[f], ECHO_BYTES)),
          })),
        ),
      );
      expect(results).toHaveLength(12);
      for (const r of results) expect(r).toEqual({ route: r.route, ok: true, sent: ECHO_BYTES, received: ECHO_BYTES });
    });

    test(`c. each member's neighbour table holds the other members' ${mode === 'shared' ? 'shared' : 'dedicated'} MACs`, async () => {
      for (const a of bed.members) {
        const table = await bed.neigh(a);
        for (const b of bed.members.filter((x) => x !== a)) {
          for (const f of FAMILIES) {
            const entry = table.find((e) => e.dst === b[f]);
            expect({ on: a.name, for: `${b.name} ${b[f]}`, lladdr: entry?.lladdr }).toEqual({
              on: a.name,
              for: `${b.name} ${b[f]}`,
              lladdr: expectedMac(mode, b, f),
            });
          }
        }
      }
    });

    test(`the ${layerName(datapath)} processes ran clean and their counters show the mode at work`, async () => {
      await bed.stopShims();
      for (const [i] of bed.members.entries()) {
        const r = layerReport(bed, i);
        expect(r).not.toBeNull();
        expect(r!.errors).toBe(0);
        const reasons = r!.engine.byReason.map((x) => x.reason);
        // Inbound frames for this host's dedicated (or shared) MAC got the cluster MAC back (steps 510, 702).
        expect(reasons.some((x) => /set to the cluster MAC/.test(x))).toBe(true);
        if (mode === 'synthesize') expect(r!.engine.byVerdict.reply).toBeGreaterThan(0);
      }
    });
  });
}
