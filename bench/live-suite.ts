import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { kernelBackend } from '../src/attach/kernel';
import { Bed, MEMBERS, PREFIX_LEN, canRunLive, cleanupStale } from '../src/live/bed';
import { Child, must, run } from '../src/live/proc';
import { Spread, spread } from './stats';

/**
 * Live throughput between two members (host1 -> host2, IPv4) with iperf3, in one run, the paths
 * measured in turn (run 1 of each, then run 2 of each, ...), so that load from elsewhere on the
 * machine falls on all of them alike:
 *  - bridge: two hosts on veths with MACs of their own, a Linux bridge, no cluster layer;
 *  - pass: the same, with the kernel datapath's programs attached to each host's veth passing every
 *    frame (`attach --pass-all`): the cost of the programs being there;
 *  - kernel: the kernel-datapath bed (src/live/bed.ts), three members on the cluster MAC, dedicated
 *    mode, `intracluster attach` per member (the full datapath, with the bridge flooding frames to
 *    dedicated MACs to every member port);
 *  - shim: the TAP-shim bed, three members, `intracluster shim` per member.
 * Two figures per path: TCP Mbit/s received, and UDP packets/s received with 64-byte payloads
 * (iperf3 -u -l 64 -b 0: as fast as one sender goes). Namespaces are named like the bed's
 * (ic-<pid>-<hex>-...), so a bench killed half way is cleaned up by the next bed or bench.
 */
export type LivePath = 'bridge' | 'pass' | 'kernel' | 'shim';
export const LIVE_PATHS: readonly LivePath[] = ['bridge', 'pass', 'kernel', 'shim'];

export interface LiveResult {
  status: 'measured' | 'not measured';
  reason?: string;
  tool?: string;
  /** Seconds per iperf3 run. */
  seconds?: number;
  /** TCP Mbit/s received, median/min/max of the runs, per path measured. */
  tcp?: Partial<Record<LivePath, Spread>>;
  /** UDP packets/s received (64-byte payloads), per path measured. */
  udp?: Partial<Record<LivePath, Spread>>;
  /** Medians divided: pass/bridge, kernel/bridge, kernel/shim, shim/bridge (TCP and UDP). */
  ratios?: Record<string, number>;
  /** Paths not measured, with the reason. */
  skipped?: Partial<Record<LivePath, string>>;
  /** Kept for older readers: the shim and bridge TCP figures and their ratio. */
  shim?: Spread;
  bridge?: Spread;
  ratio?: number;
  /** CPU time of each shim per wall second during the shim's TCP runs (1.0 = one core busy). */
  shimCpu?: number[];
  /** Frames each shim handled (from its counters at exit). */
  shimFrames?: number[];
}

const ROOT = resolve(__dirname, '..', '..', '..');
const PORT = 5201;
const [H1, H2] = MEMBERS;
const CLI = [process.execPath, join(ROOT, 'bin', 'intracluster.js')];

interface PathBed {
  ns1: string;
  ns2: string;
  server: Child;
  close(): Promise<void>;
  pids?: number[];
}

export async function runLiveSuite(opts: {
  runs: number;
  seconds: number;
  profileDir?: string;
  log: (s: string) => void;
}): Promise<LiveResult> {
  const can = canRunLive();
  if (!can.ok) return { status: 'not measured', reason: can.why };
  const v = spawnSync('iperf3', ['--version'], { encoding: 'utf8' });
  if (v.error)
    return { status: 'not measured', reason: 'iperf3 not found (Debian package iperf3; scripts/setup installs it)' };
  const tool = (v.stdout.split('\n')[0] ?? 'iperf3').trim();
  await cleanupStale();
  const kernelProblem = kernelBackend().problem();
  const skipped: Partial<Record<LivePath, string>> = {};
  const beds = new Map<LivePath, PathBed>();
  const tcp: Record<string, number[]> = {};
  const udp: Record<string, number[]> = {};
  let shimCpu: number[] = [];
  let shimFrames: number[] = [];
  try {
    opts.log('live: building the beds (bridge alone, programs passing, kernel datapath, shims)');
    beds.set('bridge', await bridgeBed(opts.log, false));
    if (kernelProblem) skipped.pass = skipped.kernel = `kernel datapath unavailable: ${kernelProblem}`;
    else {
      beds.set('pass', await bridgeBed(opts.log, true));
      beds.set('kernel', await clusterBed('kernel', opts));
    }
    beds.set('shim', await clusterBed('shim', opts));
    const paths = LIVE_PATHS.filter((p) => beds.has(p));
    for (const p of paths) {
      await iperf(beds.get(p)!, 'tcp', 1); // warm-up: neighbour resolution, JIT of the shims, TCP window growth
      await iperf(beds.get(p)!, 'udp', 1);
    }
    const shim = beds.get('shim')!;
    const c0 = shim.pids!.map(cpuOf);
    let shimWall = 0;
    for (let i = 0; i < opts.runs; i++) {
      for (const p of paths) {
        const t0 = process.hrtime.bigint();
        (tcp[p] ??= []).push(await iperf(beds.get(p)!, 'tcp', opts.seconds));
        if (p === 'shim') shimWall += Number(process.hrtime.bigint() - t0) / 1e9;
      }
      opts.log(
        `live: TCP run ${i + 1}/${opts.runs}: ${paths.map((p) => `${p} ${tcp[p][i].toFixed(0)}`).join(', ')} Mbit/s`,
      );
    }
    shimCpu = shim.pids!.map((pid, i) => +((cpuOf(pid) - c0[i]) / shimWall).toFixed(2));
    for (let i = 0; i < opts.runs; i++) {
      for (const p of paths) (udp[p] ??= []).push(await iperf(beds.get(p)!, 'udp', opts.seconds));
      opts.log(
        `live: UDP run ${i + 1}/${opts.runs}: ${paths.map((p) => `${p} ${(udp[p][i] / 1e3).toFixed(0)}`).join(', ')} kpackets/s`,
      );
    }
    const shimBed = beds.get('shim') as PathBed & { bed?: Bed };
    await shimBed.bed?.stopShims();
    shimFrames = (shimBed.bed?.shimReports ?? []).map((r) =>
      r ? (r.shim['from stack'] ?? 0) + (r.shim['from wire'] ?? 0) : NaN,
    );
  } finally {
    for (const b of beds.values()) await b.close();
  }
  const t = Object.fromEntries(Object.entries(tcp).map(([k, xs]) => [k, spread(xs)])) as Partial<
    Record<LivePath, Spread>
  >;
  const u = Object.fromEntries(Object.entries(udp).map(([k, xs]) => [k, spread(xs)])) as Partial<
    Record<LivePath, Spread>
  >;
  const ratios: Record<string, number> = {};
  const ratio = (name: string, a?: Spread, b?: Spread) => {
    if (a && b) ratios[name] = +(a.median / b.median).toFixed(3);
  };
  ratio('tcp pass/bridge', t.pass, t.bridge);
  ratio('tcp kernel/bridge', t.kernel, t.bridge);
  ratio('tcp shim/bridge', t.shim, t.bridge);
  ratio('tcp kernel/shim', t.kernel, t.shim);
  ratio('udp pass/bridge', u.pass, u.bridge);
  ratio('udp kernel/bridge', u.kernel, u.bridge);
  ratio('udp shim/bridge', u.shim, u.bridge);
  ratio('udp kernel/shim', u.kernel, u.shim);
  return {
    status: 'measured',
    tool,
    seconds: opts.seconds,
    tcp: t,
    udp: u,
    ratios,
    skipped,
    shim: t.shim,
    bridge: t.bridge,
    ratio: t.shim && t.bridge ? t.shim.median / t.bridge.median : undefined,
    shimCpu,
    shimFrames,
  };
}

/** One iperf3 run from ns1 to the server in ns2: TCP Mbit/s received, or UDP packets/s received. */
async function iperf(b: PathBed, kind: 'tcp' | 'udp', seconds: number): Promise<number> {
  const args = ['netns', 'exec', b.ns1, 'iperf3', '-c', H2.ipv4, '-p', String(PORT), '-t', String(seconds), '-J'];
  if (kind === 'udp') args.push('-u', '-l', '64', '-b', '0');
  const r = await run('ip', args, (seconds + 20) * 1000);
  let j: {
    end?: {
      sum_received?: { bits_per_second?: number };
      sum?: { packets?: number; lost_packets?: number; seconds?: number };
    };
    error?: string;
  };
  try {
    j = JSON.parse(r.stdout);
  } catch {
    throw new Error(`iperf3 client: exit ${r.code}: ${r.stderr.trim() || r.stdout.slice(0, 200)}`);
  }
  if (j.error) throw new Error(`iperf3 client: ${j.error}`);
  if (kind === 'tcp') {
    const bps = j.end?.sum_received?.bits_per_second;
    if (!bps) throw new Error('iperf3 client: no TCP result');
    return bps / 1e6;
  }
  const s = j.end?.sum;
  if (!s || s.packets === undefined || !s.seconds) throw new Error('iperf3 client: no UDP result');
  return (s.packets - (s.lost_packets ?? 0)) / s.seconds;
}

async function startServer(ns: string): Promise<Child> {
  const server = new Child('iperf3 server', 'ip', [
    'netns',
    'exec',
    ns,
    'iperf3',
    '-s',
    '-p',
    String(PORT),
    '--forceflush',
  ]);
  await server.waitFor(/Server listening/, 10_000);
  return server;
}

/** CPU seconds (user + system) of a process, from /proc (USER_HZ = 100 on Linux). */
function cpuOf(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** A three-member cluster bed (dedicated mode) on the given datapath, with an iperf3 server on host2. */
async function clusterBed(
  datapath: 'kernel' | 'shim',
  opts: { profileDir?: string; log: (s: string) => void },
): Promise<PathBed & { bed: Bed }> {
  const intracluster =
    datapath === 'shim' && opts.profileDir
      ? [process.execPath, '--cpu-prof', '--cpu-prof-dir', opts.profileDir, join(ROOT, 'bin', 'intracluster.js')]
      : undefined;
  const bed = await Bed.create({
    mode: 'dedicated',
    datapath,
    log: opts.log,
    ...(intracluster ? { intracluster } : {}),
  });
  try {
    const server = await startServer(bed.members[1].ns);
    return {
      bed,
      ns1: bed.members[0].ns,
      ns2: bed.members[1].ns,
      server,
      pids: bed.shims.map((s) => s.pid!),
      close: async () => {
        await server.stop('SIGTERM', 3000);
        await bed.destroy();
      },
    };
  } catch (e) {
    await bed.destroy();
    throw e;
  }
}

/**
 * Two hosts (host1's and host2's addresses, MACs of their own) and a switch namespace with a Linux
 * bridge, joined by veth pairs: the bed's topology without a cluster layer. `passAll`: with the
 * kernel datapath's programs attached to each host's veth, passing every frame.
 */
async function bridgeBed(log: (s: string) => void, passAll: boolean): Promise<PathBed> {
  const id = `ic-${process.pid}-${randomBytes(2).toString('hex')}`;
  const sw = `${id}-sw`;
  const hosts = [
    { ns: `${id}-m1`, ip: H1.ipv4, mac: '02:42:c6:12:00:0b' },
    { ns: `${id}-m2`, ip: H2.ipv4, mac: '02:42:c6:12:00:0c' },
  ];
  const made: string[] = [];
  const dir = passAll ? mkdtempSync(join(tmpdir(), `intracluster-bed-${process.pid}-`)) : '';
  const bpffs = join(dir, 'bpf');
  let mounted = false;
  const attaches: Child[] = [];
  let server: Child | null = null;
  const teardown = () => {
    for (const ns of made) spawnSync('ip', ['netns', 'del', ns]);
    if (mounted) spawnSync('umount', ['-l', bpffs]);
  };
  process.once('exit', teardown);
  const close = async () => {
    await server?.stop('SIGTERM', 3000);
    for (const a of attaches) await a.stop('SIGTERM', 5000);
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
    if (mounted) await run('umount', ['-l', bpffs]);
    mounted = false;
    if (dir) rmSync(dir, { recursive: true, force: true });
    process.removeListener('exit', teardown);
  };
  try {
    for (const ns of [sw, ...hosts.map((h) => h.ns)]) {
      await must('ip', ['netns', 'add', ns]);
      made.push(ns);
    }
    const batch = (ns: string, lines: string[]) =>
      must('ip', ['-n', ns, '-batch', '-'], 10_000, lines.join('\n') + '\n');
    await must('ip', ['netns', 'exec', sw, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6']);
    await batch(sw, ['link set lo up', 'link add br0 type bridge mcast_snooping 0 stp_state 0', 'link set br0 up']);
    for (const [i, h] of hosts.entries()) {
      const port = `p-m${i + 1}`;
      await batch(sw, [
        `link add ${port} type veth peer name eth0 netns ${h.ns}`,
        `link set ${port} master br0`,
        `link set ${port} up`,
      ]);
      await batch(h.ns, [
        'link set lo up',
        `link set eth0 address ${h.mac}`,
        `addr add ${h.ip}/${PREFIX_LEN.ipv4} dev eth0`,
        'link set eth0 up',
      ]);
    }
    if (passAll) {
      mkdirSync(bpffs, { recursive: true, mode: 0o700 });
      await must('mount', ['-t', 'bpf', 'bpf', bpffs]);
      mounted = true;
      for (const [i, h] of hosts.entries()) {
        const a = new Child(`attach --pass-all h${i + 1}`, 'ip', [
          'netns',
          'exec',
          h.ns,
          ...CLI,
          'attach',
          '--dev',
          'eth0',
          '--pass-all',
          '--pin-dir',
          join(bpffs, `h${i + 1}`),
          '--run-dir',
          join(dir, 'run'),
          '--exit-on-stdin-eof',
        ]);
        attaches.push(a);
        await a.waitFor(/ready:/, 20_000);
      }
    }
    server = await startServer(hosts[1].ns);
    log(`live: bridge bed ${id} up${passAll ? ' (programs attached, passing every frame)' : ''}`);
    return { ns1: hosts[0].ns, ns2: hosts[1].ns, server, close };
  } catch (e) {
    await close();
    throw e;
  }
}
