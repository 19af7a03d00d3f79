// A non-member's well-formed unsolicited NA (Override set, RFC 4861 7.2.5) from its own IPv6 source,
// advertising a member's address with the cluster MAC as TLLAO, forged with scapy and repeated every
// second. Linux applies it to every existing entry for that target, whatever the source; the address
// an NA binds is its target, so the receiving member's layer must give it that member's dedicated MAC
// (docs/rules.md: ndp.na-binds-target). Member IPv6 keeps working and the entries stay dedicated.
import { Bed } from '../../src/live/bed';
import { run } from '../../src/live/proc';
import { readCapture } from './helpers/capture';
import {
  CLUSTER_MAC,
  SCAPY_PYTHON,
  createBed,
  expectedMac,
  datapathDescribe,
  missingTool,
  orderedPairs,
} from './helpers/live';

const FORGED = 8;
const PINGS = 25; // 5 s at 0.2 s: while the forgeries run
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// argv: source IPv6, source MAC, TLLAO, count, targets...; one line per round sent.
const FORGE_NA = `
import sys, time
from scapy.all import Ether, IPv6, ICMPv6ND_NA, ICMPv6NDOptDstLLAddr, sendp
src, mac, lla, count, targets = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
frames = [Ether(src=mac, dst='33:33:00:00:00:01') / IPv6(src=src, dst='ff02::1', hlim=255) /
          ICMPv6ND_NA(tgt=t, R=0, S=0, O=1) / ICMPv6NDOptDstLLAddr(lladdr=lla) for t in targets]
for i in range(count):
    sendp(frames, iface='eth0', verbose=False)
    print('sent', i + 1, flush=True)
    time.sleep(1)
`;

datapathDescribe(
  'live, a non-member forges unsolicited NAs for the members (dedicated mode, default config)',
  (datapath) => {
    let bed: Bed;
    beforeAll(async () => {
      const why = missingTool('scapy');
      if (why) throw new Error(why);
      bed = await createBed({ mode: 'dedicated', datapath });
    });
    afterAll(async () => {
      await bed?.destroy();
    });

    async function memberEntries(): Promise<{ on: string; for: string; lladdr: string | null | undefined }[]> {
      const out: { on: string; for: string; lladdr: string | null | undefined }[] = [];
      for (const a of bed.members) {
        const table = await bed.neigh(a);
        for (const b of bed.members.filter((x) => x !== a))
          out.push({ on: a.name, for: b.ipv6, lladdr: table.find((e) => e.dst === b.ipv6)?.lladdr });
      }
      return out;
    }
    const dedicatedEntries = () =>
      bed.members.flatMap((a) =>
        bed.members
          .filter((x) => x !== a)
          .map((b) => ({ on: a.name, for: b.ipv6, lladdr: expectedMac('dedicated', b, 'ipv6') })),
      );

    test(`NA (O=1, TLLAO = cluster MAC) for every member's address, ${FORGED} times at 1 s: member IPv6 ping keeps working, entries stay dedicated`, async () => {
      for (const [a, b] of orderedPairs(bed.members))
        expect({ route: `${a.name} -> ${b.name}`, ...(await bed.ping(a, b.ipv6, 1)) }).toEqual({
          route: `${a.name} -> ${b.name}`,
          sent: 1,
          received: 1,
        });
      expect(await memberEntries()).toEqual(dedicatedEntries());
      const seen = await bed.capture(bed.members[0].port, 'out');

      const o = bed.nonMember;
      const forging = run(
        'ip',
        [
          'netns',
          'exec',
          o.ns,
          SCAPY_PYTHON,
          '-c',
          FORGE_NA,
          o.ipv6,
          o.mac,
          CLUSTER_MAC,
          String(FORGED),
          ...bed.members.map((m) => m.ipv6),
        ],
        30_000 + FORGED * 2_000,
      );
      const pings = Promise.all(
        orderedPairs(bed.members).map(async ([a, b]) => ({
          route: `${a.name} -> ${b.name}`,
          ...(await bed.ping(a, b.ipv6, PINGS)),
        })),
      );
      await sleep(4_000); // scapy starts in about 1 s: a few forgeries are in by now
      const during = await memberEntries();
      const forged = await forging;
      const after = await memberEntries();
      const results = await pings;
      const frames = await readCapture(await seen.stop());

      const rounds = forged.stdout.split('\n').filter((l) => l.startsWith('sent ')).length;
      expect({ code: forged.code, rounds, stderr: forged.code === 0 ? '' : forged.stderr.trim() }).toEqual({
        code: 0,
        rounds: FORGED,
        stderr: '',
      });
      // Not vacuous: the forged NAs reached host1's port, as sent (source the non-member, TLLAO the cluster MAC).
      const nas = frames.filter((f) => f.src === o.mac && f.icmpv6Type === 136 && f.ndpLinkAddrs.includes(CLUSTER_MAC));
      expect(nas.length).toBeGreaterThanOrEqual(bed.members.length * (FORGED - 1));
      expect(during).toEqual(dedicatedEntries());
      expect(after).toEqual(dedicatedEntries());
      for (const r of results) expect(r).toEqual({ route: r.route, sent: PINGS, received: PINGS });
    });
  },
);
