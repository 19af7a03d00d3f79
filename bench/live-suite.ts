import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Bed, MEMBERS, PREFIX_LEN, canRunLive, cleanupStale } from '../src/live/bed';
import { Child, must, run } from '../src/live/proc';
import { Spread, spread } from './stats';

/**
 * Live TCP throughput between two members (host1 -> host2, IPv4), measured with iperf3 in one run:
 *  - through their shims: the live test bed (src/live/bed.ts), dedicated mode, the CLI's `shim`
 *    per member between a TAP on the host's stack and a TAP on the bridge;
 *  - the bridge alone: the same kind of namespaces, same addresses, same Linux bridge, each host on
 *    a veth with a MAC of its own and no shim (what a host has without a cluster layer).
 * The ratio shim / bridge is the figure. Namespaces are named like the bed's (ic-<pid>-<hex>-...),
 * so a bench killed half way is cleaned up by the next bed or bench (`cleanupStale`).
 */
export interface LiveResult {
  status: 'measured' | 'not measured';
  reason?: string;
  tool?: string;
  /** Seconds per iperf3 run. */
  seconds?: number;
  /** Mbit/s received, median/min/max of the runs. */
  shim?: Spread;
  bridge?: Spread;
  ratio?: number;
  /** CPU time of each shim per wall second during the shim runs (1.0 = one core busy). */
  shimCpu?: number[];
  /** Frames each shim handled (from its counters at exit). */
  shimFrames?: number[];
}

const ROOT = resolve(__dirname, '..', '..', '..');
const PORT = 5201;
const [H1, H2] = MEMBERS;

export async function runLiveSuite(opts: { runs: number; seconds: number; profileDir?: string; log: (s: string) => void }): Promise<LiveResult> {
  const can = canRunLive();
  if (!can.ok) return { status: 'not measured', reason: can.why };
  const v = spawnSync('iperf3', ['--version'], { encoding: 'utf8' });
  if (v.error) return { status: 'not measured', reason: 'iperf3 not found (Debian package iperf3; scripts/setup installs it)' };
  const tool = (v.stdout.split('\n')[0] ?? 'iperf3').trim();
  await cleanupStale();

  opts.log('live: bridge alone');
  const bridge = await withBridgeBed(opts.log, (ns1, ns2) => measure(ns1, ns2, opts));

  opts.log('live: through the shims (dedicated mode)');
  const intracluster = opts.profileDir ? [process.execPath, '--cpu-prof', '--cpu-prof-dir', opts.profileDir, join(ROOT, 'bin', 'intracluster.js')] : undefined;
  const bed = await Bed.create({ mode: 'dedicated', log: opts.log, ...(intracluster ? { intracluster } : {}) });
  let shim: number[];
  let shimCpu: number[] = [];
  try {
    const pids = bed.shims.map((s) => s.pid!);
    const c0 = pids.map(cpuOf);
    const t0 = process.hrtime.bigint();
    shim = await measure(bed.members[0].ns, bed.members[1].ns, opts);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    shimCpu = pids.map((p, i) => +((cpuOf(p) - c0[i]) / wall).toFixed(2));
    await bed.stopShims();
  } finally {
    await bed.destroy();
  }
  const shimFrames = bed.shimReports.map((r) => (r ? (r.shim['from stack'] ?? 0) + (r.shim['from wire'] ?? 0) : NaN));
  const s = spread(shim);
  const b = spread(bridge);
  return { status: 'measured', tool, seconds: opts.seconds, shim: s, bridge: b, ratio: s.median / b.median, shimCpu, shimFrames };
}

/** iperf3 from ns1 to the server in ns2: one warm-up run, then `runs` runs; Mbit/s received. */
async function measure(ns1: string, ns2: string, opts: { runs: number; seconds: number; log: (s: string) => void }): Promise<number[]> {
  const server = new Child('iperf3 server', 'ip', ['netns', 'exec', ns2, 'iperf3', '-s', '-p', String(PORT), '--forceflush']);
  try {
    await server.waitFor(/Server listening/, 10_000);
    const once = async (seconds: number) => {
      const r = await run('ip', ['netns', 'exec', ns1, 'iperf3', '-c', H2.ipv4, '-p', String(PORT), '-t', String(seconds), '-J'], (seconds + 20) * 1000);
      let j: { end?: { sum_received?: { bits_per_second?: number } }; error?: string };
      try {
        j = JSON.parse(r.stdout);
      } catch {
        throw new Error(`iperf3 client: exit ${r.code}: ${r.stderr.trim() || r.stdout.slice(0, 200)}`);
      }
      const bps = j.end?.sum_received?.bits_per_second;
      if (j.error || !bps) throw new Error(`iperf3 client: ${j.error ?? 'no result'}`);
      return bps / 1e6;
    };
    await once(1); // warm-up: neighbour resolution, JIT of the shims, TCP window growth
    const out: number[] = [];
    for (let i = 0; i < opts.runs; i++) {
      out.push(await once(opts.seconds));
      opts.log(`live: run ${i + 1}/${opts.runs}: ${out[i].toFixed(0)} Mbit/s`);
    }
    return out;
  } finally {
    await server.stop('SIGTERM', 3000);
  }
}

/** CPU seconds (user + system) of a process, from /proc (USER_HZ = 100 on Linux). */
function cpuOf(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Two hosts (host1's and host2's addresses) and a switch namespace with a Linux bridge, joined by
 * veth pairs: the bed's topology without shims. Always torn down.
 */
async function withBridgeBed<T>(log: (s: string) => void, fn: (ns1: string, ns2: string) => Promise<T>): Promise<T> {
  const id = `ic-${process.pid}-${randomBytes(2).toString('hex')}`;
  const sw = `${id}-sw`;
  const hosts = [
    { ns: `${id}-m1`, ip: H1.ipv4, mac: '02:42:c6:12:00:0b' },
    { ns: `${id}-m2`, ip: H2.ipv4, mac: '02:42:c6:12:00:0c' },
  ];
  const made: string[] = [];
  const teardown = () => {
    for (const ns of made) spawnSync('ip', ['netns', 'del', ns]);
  };
  process.once('exit', teardown);
  try {
    for (const ns of [sw, ...hosts.map((h) => h.ns)]) {
      await must('ip', ['netns', 'add', ns]);
      made.push(ns);
    }
    const batch = (ns: string, lines: string[]) => must('ip', ['-n', ns, '-batch', '-'], 10_000, lines.join('\n') + '\n');
    await must('ip', ['netns', 'exec', sw, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6']);
    await batch(sw, ['link set lo up', 'link add br0 type bridge mcast_snooping 0 stp_state 0', 'link set br0 up']);
    for (const [i, h] of hosts.entries()) {
      const port = `p-m${i + 1}`;
      await batch(sw, [`link add ${port} type veth peer name eth0 netns ${h.ns}`, `link set ${port} master br0`, `link set ${port} up`]);
      await batch(h.ns, ['link set lo up', `link set eth0 address ${h.mac}`, `addr add ${h.ip}/${PREFIX_LEN.ipv4} dev eth0`, 'link set eth0 up']);
    }
    log(`live: bridge bed ${id} up`);
    return await fn(hosts[0].ns, hosts[1].ns);
  } finally {
    for (const ns of made) {
      const pids = (await run('ip', ['netns', 'pids', ns])).stdout.split(/\s+/).filter(Boolean);
      for (const p of pids) {
        try {
          process.kill(+p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      await run('ip', ['netns', 'del', ns]);
    }
    made.length = 0;
    process.removeListener('exit', teardown);
  }
}
