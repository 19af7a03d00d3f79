/**
 * Where 64-byte UDP packets/s go on the kernel datapath (docs/performance.md, "Live: the kernel
 * datapath"): one bed (three members on the kernel datapath, dedicated mode, and the non-member),
 * iperf3 UDP with 64-byte payloads host1 -> host2 for 3 s, three ways in turn, three rounds:
 *   A  to host2's dedicated MAC as the cluster sends it: the bridge floods the group frame
 *   B  the same with `mcast_flood off` on host3's and the non-member's bridge ports
 *   C  host1 -> the non-member's own unicast MAC: one port, no program at the receiver
 * with the frames each bridge port sent (and br0 received) per packet, and the programs' counters.
 * Not part of `npm run bench` (it changes the bridge): run it by itself on a quiet machine,
 *   npm run build && npx tsc -p bench/tsconfig.json && node build/bench/bench/flood-copies.js
 * Namespaces and addresses of the test bed only; everything is torn down.
 */
import { join } from 'node:path';
import { Bed } from '../src/live/bed';
import { Child, must, run } from '../src/live/proc';

// build/bench/bench -> the repository root
const ROOT = join(__dirname, '..', '..', '..');
const SECONDS = 3;
const ROUNDS = 3;
const PORT = '5299';

async function counter(ns: string, dev: string, dir: 'rx' | 'tx'): Promise<number> {
  const j = JSON.parse((await run('ip', ['-n', ns, '-s', '-j', 'link', 'show', dev])).stdout) as {
    stats64: Record<'rx' | 'tx', { packets: number }>;
  }[];
  return j[0].stats64[dir].packets;
}

async function udp(ns: string, to: string): Promise<{ sent: number; received: number; pps: number }> {
  const r = await run(
    'ip',
    ['netns', 'exec', ns, 'iperf3', '-c', to, '-p', PORT, '-t', String(SECONDS), '-u', '-l', '64', '-b', '0', '-J'],
    (SECONDS + 30) * 1000,
  );
  const s = (JSON.parse(r.stdout) as { end: { sum: { packets: number; lost_packets: number; seconds: number } } }).end
    .sum;
  return { sent: s.packets, received: s.packets - s.lost_packets, pps: (s.packets - s.lost_packets) / s.seconds };
}

const loadavg = async () => (await run('cat', ['/proc/loadavg'])).stdout.split(' ').slice(0, 3).join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const load0 = await loadavg();
  const bed = await Bed.create({
    mode: 'dedicated',
    datapath: 'kernel',
    intracluster: [process.execPath, join(ROOT, 'bin', 'intracluster.js')],
  });
  const servers: Child[] = [];
  try {
    const [h1, h2] = bed.members;
    for (const h of [h2, bed.nonMember]) {
      const s = new Child('iperf3 server', 'ip', ['netns', 'exec', h.ns, 'iperf3', '-s', '-p', PORT, '--forceflush']);
      await s.waitFor(/Server listening/, 10_000);
      servers.push(s);
    }
    await bed.ping(h1, h2.ipv4, 2);
    await bed.ping(h1, bed.nonMember.ipv4, 2);
    const ports = [...bed.members.map((m) => m.port), bed.nonMember.port];
    const flood = async (on: boolean) => {
      for (const p of [bed.members[2].port, bed.nonMember.port])
        await must('ip', [
          'netns',
          'exec',
          bed.switchNs,
          'bridge',
          'link',
          'set',
          'dev',
          p,
          'mcast_flood',
          on ? 'on' : 'off',
        ]);
    };
    const one = async (label: string, to: string) => {
      const before = await Promise.all(ports.map((p) => counter(bed.switchNs, p, 'tx')));
      const br0 = await counter(bed.switchNs, 'br0', 'rx');
      const u = await udp(h1.ns, to);
      const after = await Promise.all(ports.map((p) => counter(bed.switchNs, p, 'tx')));
      const br1 = await counter(bed.switchNs, 'br0', 'rx');
      const per = ports.map((p, i) => `${p} ${((after[i] - before[i]) / u.sent).toFixed(2)}`).join(', ');
      console.log(
        `${label}: ${Math.round(u.pps)} packets/s received (${u.received} of ${u.sent}); frames per packet sent out of each bridge port: ${per}; into br0 ${((br1 - br0) / u.sent).toFixed(2)}`,
      );
      return u.pps;
    };
    await udp(h1.ns, h2.ipv4); // warm-up
    const res: Record<'A' | 'B' | 'C', number[]> = { A: [], B: [], C: [] };
    for (let round = 0; round < ROUNDS; round++) {
      await flood(true);
      res.A.push(await one('A host1 -> host2 dedicated MAC, flooded', h2.ipv4));
      await flood(false);
      res.B.push(await one('B the same, mcast_flood off on p-m3 and p-out', h2.ipv4));
      await flood(true);
      res.C.push(await one('C host1 -> non-member (unicast, one port)', bed.nonMember.ipv4));
    }
    const [a, b, c] = [median(res.A), median(res.B), median(res.C)];
    console.log(
      `medians: A ${Math.round(a)}, B ${Math.round(b)}, C ${Math.round(c)} packets/s; B/A ${(b / a).toFixed(2)}, A/C ${(a / c).toFixed(2)}, B/C ${(b / c).toFixed(2)}`,
    );
    await bed.stopShims();
    for (const [i, r] of bed.attachReports.entries())
      console.log(
        `host${i + 1} programs: ${(r?.engine.byReason ?? [])
          .filter((x) => x.count > 1000)
          .map((x) => `${x.verdict} ${x.reasonId || '(none)'} ${x.count}`)
          .join(', ')}`,
      );
  } finally {
    for (const s of servers) await s.stop('SIGTERM', 3_000);
    await bed.destroy();
    console.log(`load average at the start ${load0}, at the end ${await loadavg()}`);
  }
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
