// With the default config, in every mode, no ARP or ND payload that reaches a non-member carries a
// dedicated (or shared) MAC, and a non-member that already has entries for the members keeps the
// cluster MAC for every one of them while the members resolve each other (RFC 826 merge rule,
// RFC 4861 7.2.5 Override; docs/rules.md: arp.reply-to-member, ndp.na-to-member, replyRewrite).
import { BED_MODES, Bed, MEMBERS } from '../../src/live/bed';
import { CapturedFrame, isDiscovery, isGroupMac, payloadMacs, readCapture } from './helpers/capture';
import { CLUSTER_MAC, FAMILIES, createBed, datapathDescribe, orderedPairs } from './helpers/live';

/** Linux ignores a different MAC for an entry updated less than locktime (1 s) ago; wait past it. */
const PAST_LOCKTIME_MS = 1_500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const memberAddresses = new Set(MEMBERS.flatMap((m) => [m.ipv4, m.ipv6, m.linkLocal]));

const show = (f: CapturedFrame) => ({
  no: f.no,
  src: f.src,
  dst: f.dst,
  arp: f.arpOp,
  icmpv6: f.icmpv6Type,
  spa: f.arpSpa,
  tpa: f.arpTpa,
  target: f.ndTarget,
  macs: payloadMacs(f),
});

for (const mode of BED_MODES) {
  datapathDescribe(`live, the non-member's port in ${mode} mode (default config)`, (datapath) => {
    let bed: Bed;
    beforeAll(async () => {
      bed = await createBed({ mode, datapath });
    });
    afterAll(async () => {
      await bed?.destroy();
    });

    test('no ARP or ND frame reaching the non-member carries a group MAC in its payload; its table holds only the cluster MAC', async () => {
      // The non-member talks to every member first: it has entries a flooded reply could update.
      for (const m of bed.members)
        for (const f of FAMILIES)
          expect({ to: m[f], ...(await bed.ping(bed.nonMember, m[f], 1)) }).toEqual({ to: m[f], sent: 1, received: 1 });
      await sleep(PAST_LOCKTIME_MS);
      const cap = await bed.capture(bed.nonMember.port, 'out');
      // Members resolve each other afresh (broadcast requests, multicast NS, replies to dedicated MACs),
      // then the non-member resolves every member afresh.
      for (const m of bed.members) await bed.flushNeigh(m);
      const pairs = await Promise.all(
        orderedPairs(bed.members).flatMap(([a, b]) =>
          FAMILIES.map(async (f) => ({ route: `${a.name} -> ${b.name} ${f}`, ...(await bed.ping(a, b[f], 2)) })),
        ),
      );
      for (const r of pairs) expect(r).toEqual({ route: r.route, sent: 2, received: 2 });
      await bed.flushNeigh(bed.nonMember);
      for (const m of bed.members)
        for (const f of FAMILIES)
          expect({ to: m[f], ...(await bed.ping(bed.nonMember, m[f], 1)) }).toEqual({ to: m[f], sent: 1, received: 1 });
      const frames = await readCapture(await cap.stop());

      const discovery = frames.filter(isDiscovery);
      expect(discovery.filter((f) => payloadMacs(f).some(isGroupMac)).map(show)).toEqual([]);
      // Not vacuous: the members' answers to the non-member are there, with the cluster MAC ...
      const toOutsider = discovery.filter((f) => f.dst === bed.nonMember.mac && payloadMacs(f).includes(CLUSTER_MAC));
      expect(toOutsider.filter((f) => f.arpOp === 2).length).toBeGreaterThanOrEqual(bed.members.length);
      expect(toOutsider.filter((f) => f.icmpv6Type === 136).length).toBeGreaterThanOrEqual(bed.members.length);
      // ... and so is the members' discovery of each other (without the synthesizer it is on the wire).
      if (mode !== 'synthesize')
        expect(
          discovery.filter(
            (f) => f.arpSpa !== undefined && memberAddresses.has(f.arpSpa) && memberAddresses.has(f.arpTpa ?? ''),
          ).length,
        ).toBeGreaterThan(0);

      const table = await bed.neigh(bed.nonMember);
      const forMembers = table.filter((e) => memberAddresses.has(e.dst) && e.lladdr !== null);
      expect(forMembers.filter((e) => e.lladdr !== CLUSTER_MAC)).toEqual([]);
      for (const m of bed.members)
        for (const f of FAMILIES)
          expect({ dst: m[f], lladdr: forMembers.find((e) => e.dst === m[f])?.lladdr }).toEqual({
            dst: m[f],
            lladdr: CLUSTER_MAC,
          });
    });
  });
}
