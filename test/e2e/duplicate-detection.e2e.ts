// Duplicate address detection between members, with the members' own kernels and iputils arping.
// IPv4: an RFC 5227 probe (`arping -D`, sender IP 0.0.0.0, sender MAC the cluster MAC) for another
// member's address. Linux answers it unicast to the probe's sender MAC, the cluster MAC, which a
// learning switch sends back out of the port it came in on; the owner's layer must send that answer
// to broadcast (docs/rules.md: arp.probe-reply-to-cluster). IPv6: DAD (RFC 4862 5.4) is answered by an
// NA to ff02::1, which every member receives already: the test shows it stays so.
import { Bed, BedHost } from '../../src/live/bed';
import { must, run } from '../../src/live/proc';
import { createBed, datapathDescribe, missingTool, orderedPairs } from './helpers/live';

const UNUSED_IPV4 = '198.18.0.77';
const UNUSED_IPV6 = 'fd00:198:18::77';

/** `arping -D` from `from` for `ip`: the exit code (iputils: 0 = no reply, 1 = duplicate) and replies counted. */
async function probe(
  _bed: Bed,
  from: BedHost,
  ip: string,
): Promise<{ from: string; ip: string; code: number | null; received: number }> {
  const r = await run('ip', ['netns', 'exec', from.ns, 'arping', '-D', '-c', '3', '-w', '4', '-I', 'eth0', ip], 10_000);
  const m = /Received (\d+) response/.exec(r.stdout);
  return { from: from.name, ip, code: r.code, received: m ? +m[1] : -1 };
}

/** The flags of `ip` on `h`'s eth0 after DAD had time to run (tentative, dadfailed), or null if absent. */
async function addressFlags(h: BedHost, ip: string): Promise<string[] | null> {
  const rows = JSON.parse(await must('ip', ['-6', '-j', '-n', h.ns, 'addr', 'show', 'dev', 'eth0'])) as {
    addr_info: { local: string; tentative?: boolean; dadfailed?: boolean }[];
  }[];
  const a = rows.flatMap((r) => r.addr_info).find((x) => x.local === ip);
  if (!a) return null;
  return [...(a.tentative ? ['tentative'] : []), ...(a.dadfailed ? ['dadfailed'] : [])];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const [label, configFor] of [['default config', undefined]] as [string, (() => object) | undefined][]) {
  datapathDescribe(`live, duplicate address detection between members (dedicated mode, ${label})`, (datapath) => {
    let bed: Bed;
    beforeAll(async () => {
      const why = missingTool('arping');
      if (why) throw new Error(why);
      bed = await createBed({ mode: 'dedicated', configFor, datapath });
    });
    afterAll(async () => {
      await bed?.destroy();
    });

    test("arping -D from each member detects every other member's IPv4 address, and not an unused one", async () => {
      const results = [];
      for (const [a, b] of orderedPairs(bed.members)) results.push(await probe(bed, a, b.ipv4));
      for (const r of results) expect(r).toEqual({ ...r, code: 1, received: expect.any(Number) });
      for (const r of results) expect(r.received).toBeGreaterThanOrEqual(1);
      expect(await probe(bed, bed.members[0], UNUSED_IPV4)).toEqual({
        from: bed.members[0].name,
        ip: UNUSED_IPV4,
        code: 0,
        received: 0,
      });
    });

    test("IPv6 DAD on a member fails for another member's address and succeeds for an unused one", async () => {
      const h1 = bed.members[0];
      const h2 = bed.members[1];
      await must('ip', [
        'netns',
        'exec',
        h1.ns,
        'sh',
        '-c',
        'echo 1 > /proc/sys/net/ipv6/conf/eth0/accept_dad && echo 1 > /proc/sys/net/ipv6/conf/eth0/dad_transmits',
      ]);
      await must('ip', ['-n', h1.ns, 'addr', 'add', `${h2.ipv6}/128`, 'dev', 'eth0']);
      await must('ip', ['-n', h1.ns, 'addr', 'add', `${UNUSED_IPV6}/128`, 'dev', 'eth0']);
      try {
        // One NS per address, RetransTimer 1 s: decided within about 2 s; wait for both (bounded).
        let dup: string[] | null = null;
        let free: string[] | null = null;
        for (let i = 0; i < 50; i++) {
          dup = await addressFlags(h1, h2.ipv6);
          free = await addressFlags(h1, UNUSED_IPV6);
          if (dup?.includes('dadfailed') && free !== null && !free.includes('tentative')) break;
          await sleep(100);
        }
        expect({ duplicate: dup, unused: free }).toEqual({ duplicate: ['tentative', 'dadfailed'], unused: [] });
      } finally {
        await run('ip', ['-n', h1.ns, 'addr', 'del', `${h2.ipv6}/128`, 'dev', 'eth0']);
        await run('ip', ['-n', h1.ns, 'addr', 'del', `${UNUSED_IPV6}/128`, 'dev', 'eth0']);
      }
      // host2's address still works for the others
      expect(await bed.ping(bed.members[2], h2.ipv6, 2)).toEqual({ sent: 2, received: 2 });
    });
  });
}
