// Tests d and e: the non-member only ever learns the cluster MAC, and the RFC 826 merge
// hazard (a member's ARP/NS for someone else must not reset the other members' entries for it).
// Both datapaths (the TAP shim, the BPF programs on each member's veth).
import { Bed, BedHost, BedMode, bedConfig } from '../../src/live/bed';
import { CapturedFrame, isGroupMac, payloadMacs, readCapture } from './helpers/capture';
import { CLUSTER_MAC, FAMILIES, createBed, datapathDescribe, expectedMac, orderedPairs } from './helpers/live';

const ECHO_BYTES = 16 * 1024;
/** Linux ignores a different MAC for an entry updated less than locktime (1 s) ago; wait past it. */
const PAST_LOCKTIME_MS = 1_500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function allPairsPing(bed: Bed, count = 2): Promise<{ route: string; sent: number; received: number }[]> {
  return Promise.all(
    orderedPairs(bed.members).flatMap(([a, b]) =>
      FAMILIES.map(async (f) => ({ route: `${a.name} -> ${b.name} ${f}`, ...(await bed.ping(a, b[f], count)) })),
    ),
  );
}

function expectAllReceived(results: { route: string; sent: number; received: number }[]): void {
  expect(results.length).toBeGreaterThan(0);
  for (const r of results) expect(r).toEqual({ route: r.route, sent: r.sent, received: r.sent });
}

/** The non-member's entries for the members' addresses: address -> MAC (null: no MAC). */
async function outsiderEntries(bed: Bed): Promise<Record<string, string | null>> {
  const table = await bed.neigh(bed.nonMember);
  const out: Record<string, string | null> = {};
  for (const m of bed.members) for (const f of FAMILIES) out[m[f]] = table.find((e) => e.dst === m[f])?.lladdr ?? null;
  return out;
}

function allCluster(bed: Bed): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of bed.members) for (const f of FAMILIES) out[m[f]] = CLUSTER_MAC;
  return out;
}

datapathDescribe('live, non-member beside the cluster (dedicated mode)', (datapath) => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await createBed({ mode: 'dedicated', datapath });
  });
  afterAll(async () => {
    await bed?.destroy();
  });

  test('d. the non-member reaches every member, learns only the cluster MAC; the capture shows no multicast source and no dedicated MAC in ARP/NDP sent to it', async () => {
    const toOutsider = await bed.capture(bed.nonMember.port, 'out');
    const fromMembers = await Promise.all(bed.members.map((m) => bed.capture(m.port, 'in')));
    // Members resolve each other while the capture runs: their discovery is on the wire too.
    expectAllReceived(await allPairsPing(bed));
    for (const m of bed.members) {
      for (const f of FAMILIES) {
        await bed.flushNeigh(bed.nonMember, m[f]); // resolve afresh: the capture must hold its ARP/NDP
        expect({ to: `${m.name} ${f}`, ...(await bed.ping(bed.nonMember, m[f], 3)) }).toEqual({
          to: `${m.name} ${f}`,
          sent: 3,
          received: 3,
        });
        expect({ to: `${m.name} ${f}`, ...(await bed.echo(bed.nonMember, m[f], ECHO_BYTES)) }).toEqual({
          to: `${m.name} ${f}`,
          ok: true,
          sent: ECHO_BYTES,
          received: ECHO_BYTES,
        });
      }
    }
    expect(await outsiderEntries(bed)).toEqual(allCluster(bed));

    const outsider = await readCapture(await toOutsider.stop());
    const members = (await Promise.all(fromMembers.map(async (c) => readCapture(await c.stop())))).flat();
    // IEEE 802.3: a source address is never a group address. Nothing on any port carries one.
    const groupSources = [...outsider, ...members].filter((f) => isGroupMac(f.src));
    expect(groupSources).toEqual([]);
    // Frames addressed to the non-member (its MAC, broadcast, IPv6 multicast): no group MAC inside ARP/NDP.
    const addressedToOutsider = (f: CapturedFrame) =>
      f.dst === bed.nonMember.mac || f.dst === 'ff:ff:ff:ff:ff:ff' || f.dst.startsWith('33:33:');
    const leaks = outsider.filter((f) => addressedToOutsider(f) && payloadMacs(f).some(isGroupMac));
    expect(leaks).toEqual([]);
    // Not vacuous: the capture holds each member's ARP reply and NA to the non-member, with the cluster MAC.
    const arpReplies = outsider.filter((f) => f.dst === bed.nonMember.mac && f.arpSha === CLUSTER_MAC);
    const nas = outsider.filter(
      (f) => f.dst === bed.nonMember.mac && f.icmpv6Type === 136 && f.ndpLinkAddrs.includes(CLUSTER_MAC),
    );
    expect(arpReplies.length).toBeGreaterThanOrEqual(bed.members.length);
    expect(nas.length).toBeGreaterThanOrEqual(bed.members.length);
    // And the member-to-member discovery ran through the capture: replies between members, which
    // leave with the cluster MAC (replyRewrite "receiver", the default) to a dedicated MAC.
    const memberArp = members.filter((f) => f.arpOp === 2 && f.dst.startsWith('03:bf:') && f.arpSha === CLUSTER_MAC);
    expect(memberArp.length).toBeGreaterThan(0);
  });

  test('e. RFC 826 hazard: after each member ARPs and NSes for the non-member, entries between members stay dedicated and traffic flows', async () => {
    expectAllReceived(await allPairsPing(bed));
    await sleep(PAST_LOCKTIME_MS);
    for (const m of bed.members) {
      for (const f of FAMILIES) {
        await bed.flushNeigh(m, bed.nonMember[f]); // a broadcast ARP request / multicast NS for the outsider
        expect({ from: `${m.name} ${f}`, ...(await bed.ping(m, bed.nonMember[f], 2)) }).toEqual({
          from: `${m.name} ${f}`,
          sent: 2,
          received: 2,
        });
      }
      const learned = (await bed.neigh(m))
        .filter((e) => e.dst === bed.nonMember.ipv4 || e.dst === bed.nonMember.ipv6)
        .map((e) => e.lladdr);
      expect(learned).toEqual([bed.nonMember.mac, bed.nonMember.mac]);
    }
    for (const a of bed.members) {
      const table = await bed.neigh(a);
      for (const b of bed.members.filter((x) => x !== a)) {
        for (const f of FAMILIES) {
          const lladdr = table.find((e) => e.dst === b[f])?.lladdr;
          expect({ on: a.name, for: b[f], lladdr }).toEqual({
            on: a.name,
            for: b[f],
            lladdr: expectedMac('dedicated', b, f),
          });
        }
      }
    }
    expectAllReceived(await allPairsPing(bed));
  });
});

/**
 * The non-member already has entries for the members (it talked to them); then the members resolve
 * each other afresh. Its entries must still hold the cluster MAC.
 */
async function outsiderAfterMembersResolve(
  bed: Bed,
): Promise<{ entries: Record<string, string | null>; floodedArp: CapturedFrame[] }> {
  for (const m of bed.members)
    for (const f of FAMILIES) expect(await bed.ping(bed.nonMember, m[f], 1)).toEqual({ sent: 1, received: 1 });
  await sleep(PAST_LOCKTIME_MS);
  const cap = await bed.capture(bed.nonMember.port, 'out');
  for (const m of bed.members) await bed.flushNeigh(m);
  expectAllReceived(await allPairsPing(bed, 1));
  const frames = await readCapture(await cap.stop());
  return {
    entries: await outsiderEntries(bed),
    floodedArp: frames.filter((f) => f.arpSha !== undefined && payloadMacs(f).some(isGroupMac)),
  };
}

const senderRewrites = () => ({ ...bedConfig('dedicated'), replyRewrite: 'sender' });
for (const [label, mode, configFor, known] of [
  ['synthesize mode', 'synthesize', undefined, false],
  ['dedicated mode (default replyRewrite "receiver")', 'dedicated', undefined, false],
  ['dedicated mode, replyRewrite "sender"', 'dedicated', senderRewrites, true],
] as [string, BedMode, (() => object) | undefined, boolean][]) {
  datapathDescribe(`live, non-member with existing entries while members resolve each other (${label})`, (datapath) => {
    let bed: Bed;
    beforeAll(async () => {
      bed = await createBed({ mode, configFor, datapath });
    });
    afterAll(async () => {
      await bed?.destroy();
    });
    const name =
      'd. the non-member keeps the cluster MAC for every member; no ARP carrying a dedicated MAC reaches its port';
    const body = async () => {
      const r = await outsiderAfterMembersResolve(bed);
      expect(r.floodedArp).toEqual([]);
      expect(r.entries).toEqual(allCluster(bed));
    };
    // Known limitation of replyRewrite "sender" (FIG. 6 row 630, no longer the default) without the
    // synthesizer: step 508 puts the replier's dedicated MAC in the ARP reply, which goes to the
    // requester's dedicated (multicast) MAC; the switch floods it to the non-member, whose kernel
    // applies the RFC 826 merge rule to its existing entry. "receiver" and synthesize avoid it.
    if (known) test.failing(`${name} [known limitation of replyRewrite "sender"]`, body);
    else test(name, body);
  });
}

export type { BedHost };
