// Test a: the negative control. The layer passes every frame unchanged (no cluster layer):
// a non-member reaches every member, but members cannot reach each other. With a learning bridge
// the reply to the cluster MAC comes back on the port the bridge just learned that MAC on, and is
// dropped there. This is the problem the cluster layer solves; tests b-f show the fix. With the
// kernel datapath the control is the BPF programs attached passing every frame (attach --pass-all).
import { Bed } from '../../src/live/bed';
import { run } from '../../src/live/proc';
import { FAMILIES, createBed, datapathDescribe, orderedPairs } from './helpers/live';

datapathDescribe('live negative control: the layer passes every frame unchanged', (datapath) => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await createBed({ mode: 'dedicated', relay: true, datapath });
  });
  afterAll(async () => {
    await bed?.destroy();
  });

  // First, while the segment is quiet: a member's failed resolutions (below) keep sending frames with
  // the cluster MAC as source, which move the bridge's entry for it away from the member pinged here.
  test('a. the non-member reaches every member (IPv4 and IPv6)', async () => {
    for (const m of bed.members) {
      for (const f of FAMILIES) {
        await bed.flushNeigh(bed.nonMember, m[f]);
        const r = await bed.ping(bed.nonMember, m[f], 3);
        expect({ to: `${m.name} ${f}`, ...r }).toEqual({ to: `${m.name} ${f}`, sent: 3, received: 3 });
      }
    }
  });

  test('a. member-to-member ping fails for every ordered pair (IPv4 and IPv6)', async () => {
    const results = await Promise.all(
      orderedPairs(bed.members).flatMap(([a, b]) =>
        FAMILIES.map(async (f) => ({ route: `${a.name} -> ${b.name} ${f}`, ...(await bed.ping(a, b[f], 2)) })),
      ),
    );
    expect(results).toHaveLength(12);
    for (const r of results) expect(r).toEqual({ route: r.route, sent: 2, received: 0 });
  });

  test('a. the layer passed every frame unchanged and never ran an engine', async () => {
    if (datapath === 'kernel') {
      // the programs were on both hooks of every member's interface all along...
      for (const m of bed.members) {
        for (const hook of ['ingress', 'egress']) {
          const r = await run('tc', ['-n', m.ns, 'filter', 'show', 'dev', 'eth0', hook]);
          expect({
            on: `${m.name} ${hook}`,
            attached: new RegExp(`direct-action .* name ${hook} `).test(r.stdout),
          }).toEqual({ on: `${m.name} ${hook}`, attached: true });
        }
      }
      await bed.stopShims();
      // ...with no membership installed: they decided nothing (no frame counted, none rewritten or dropped)
      for (const r of bed.attachReports) expect(r).toMatchObject({ kept: false, engine: { frames: 0 } });
      return;
    }
    await bed.stopShims();
    for (const r of bed.shimReports) {
      expect(r).toMatchObject({ relay: true, engine: null });
      expect(r!.shim['relayed unchanged']).toBeGreaterThan(0);
      expect(r!.shim['relayed unchanged']).toBe(r!.shim['from stack'] + r!.shim['from wire']);
    }
  });
});
