import {
  ArpOp,
  Direction,
  Engine,
  Icmpv6Type,
  NdOption,
  Verdict,
  arpFrame,
  ndFrame,
  parseConfig,
  solicitedNode,
  ipv6MulticastMac,
} from '../src';
import { u32 } from '../src/datapath/bpf';
import { KernelDatapath } from '../src/datapath/kernel';
import { MAP_NAMES } from '../src/datapath/maps';
import {
  CLUSTER_MAC,
  FrameKind,
  LOCAL,
  buildFrame,
  clusterConfigJson,
  dedicatedMac,
  engineFor,
  memberV4,
  memberV6,
  prng,
} from './scenarios';
import { Spread, spread } from './stats';

/**
 * The BPF programs per path through BPF_PROG_TEST_RUN, next to the TypeScript engine on the same
 * frame. A test run with `repeat` N reuses one packet, so `bench_restore` copies the pristine frame
 * back before each repeat and tail-calls the program; the same run into `bench_empty` (restore and
 * tail call, no program) is the harness, subtracted. The kernel's own per-repeat time is the figure
 * (BPF_PROG_TEST_RUN's `duration`), so the syscall and the addon are not in it.
 */
export interface KernelPathResult {
  id: string;
  title: string;
  /** Target net ns/frame. */
  target: number;
  /** Program + harness, harness alone, and their difference (ns per frame, median/min/max of the runs). */
  grossNs: Spread;
  harnessNs: Spread;
  netNs: Spread;
  /** The TypeScript engine on the same frame (CPU ns per frame, restore subtracted). */
  engineNs: Spread;
}

const PATHS: {
  id: string;
  title: string;
  kind: FrameKind | 'arp-synth' | 'ns-synth';
  target: number;
  synthesize?: boolean;
}[] = [
  { id: 'pass-through', title: 'pass-through, non-member IPv4 TCP, inbound', kind: 'pass-tcp-in', target: 20 },
  { id: 'pass-through-out', title: 'pass-through, IPv4 TCP, outbound', kind: 'pass-tcp-out', target: 20 },
  { id: 'data-rewrite', title: 'inbound data rewrite (step 702)', kind: 'data-in', target: 20 },
  { id: 'arp-request', title: 'inbound ARP request rewrite (step 502)', kind: 'arp-request-in', target: 80 },
  { id: 'arp-reply', title: 'outbound ARP reply rewrite (step 508)', kind: 'arp-reply-out', target: 80 },
  {
    id: 'arp-synth',
    title: 'ARP request answered by the synthesizer (reply redirected)',
    kind: 'arp-synth',
    target: 80,
    synthesize: true,
  },
  { id: 'ns-rewrite', title: 'inbound NS: RFC 4861 validation, checksum, SLLAO rewrite', kind: 'ns-in', target: 250 },
  { id: 'na-rewrite', title: 'outbound NA: validation, checksum, TLLAO rewrite', kind: 'na-out', target: 250 },
  {
    id: 'ns-synth',
    title: 'NS answered by the synthesizer (NA built, checksummed, redirected)',
    kind: 'ns-synth',
    target: 250,
    synthesize: true,
  },
];

const PEER = 2;

function frameOf(kind: (typeof PATHS)[number]['kind']): { frame: Uint8Array; dir: Direction; verdict: Verdict } {
  if (kind === 'arp-synth')
    return {
      // padded to 60 bytes, as the reply is, so the restore never resizes the packet
      frame: arpFrame(
        { dst: 'ff-ff-ff-ff-ff-ff', src: CLUSTER_MAC },
        { op: ArpOp.REQUEST, sha: CLUSTER_MAC, spa: memberV4(LOCAL), tha: '00-00-00-00-00-00', tpa: memberV4(PEER) },
      ),
      dir: Direction.Outbound,
      verdict: Verdict.Reply,
    };
  if (kind === 'ns-synth') {
    const dst = solicitedNode(memberV6(PEER));
    return {
      frame: ndFrame(
        { dst: ipv6MulticastMac(dst), src: CLUSTER_MAC },
        { src: memberV6(LOCAL), dst },
        {
          type: Icmpv6Type.NEIGHBOR_SOLICITATION,
          target: memberV6(PEER),
          options: [{ type: NdOption.SOURCE_LL, mac: CLUSTER_MAC }],
        },
      ),
      dir: Direction.Outbound,
      verdict: Verdict.Reply,
    };
  }
  return buildFrame(kind, PEER, prng(7));
}

/**
 * CPU ns per frame of the engine on one frame, restored before each call (the copy's cost
 * subtracted); CPU time, not wall clock, so other load on the machine counts less.
 */
function engineNs(engine: Engine, frame: Uint8Array, dir: Direction, seconds: number): number {
  const buf = new Uint8Array(frame.length);
  const loop = (n: number, run: boolean) => {
    const t = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      buf.set(frame);
      if (run) engine.process(buf, dir, buf.length);
    }
    const d = process.cpuUsage(t);
    return (d.user + d.system) / 1e6;
  };
  let n = 1000;
  while (loop(n, true) < seconds / 4) n *= 2;
  const full = loop(n, true);
  const copy = loop(n, false);
  return ((full - copy) / n) * 1e9;
}

export function runKernelSuite(opts: {
  runs: number;
  repeat: number;
  seconds: number;
  log: (s: string) => void;
}): KernelPathResult[] | { unavailable: string } {
  let datapath: KernelDatapath;
  try {
    datapath = KernelDatapath.open();
  } catch (e) {
    return { unavailable: (e as Error).message };
  }
  const lib = datapath.lib;
  const out: KernelPathResult[] = [];
  try {
    const benchMap = datapath.object.mapFd(MAP_NAMES.bench);
    for (const p of PATHS) {
      const json = clusterConfigJson(3) as Record<string, unknown>;
      const config = parseConfig(p.synthesize ? { ...json, synthesize: true } : json);
      const { frame, dir, verdict } = frameOf(p.kind);
      // the path is the one named: check the verdict through the programs and the engine first
      const kernel = datapath.create(config, `m${LOCAL}`);
      const kv = kernel.process(Uint8Array.from(frame), dir);
      const engine = engineFor(config);
      const ev = engine.process(Uint8Array.from(frame), dir);
      if (kv !== verdict || ev !== verdict || kernel.reason !== engine.reason)
        throw new Error(`bench kernel ${p.id}: expected verdict ${verdict}, kernel ${kv}, engine ${ev}`);
      const value = new Uint8Array(4 + 256);
      new DataView(value.buffer).setUint32(0, frame.length, true);
      value.set(frame, 4);
      lib.mapUpdate(benchMap, u32(0), value);
      const ctx = new Uint8Array(192);
      const outBuf = new Uint8Array(4096);
      const result = new Uint32Array(4);
      const timed = (prog: number) => {
        new DataView(ctx.buffer).setUint32(64, prog, true); // cb[4]
        lib.testRun(datapath.benchRestoreFd, frame, frame.length, outBuf, ctx, null, opts.repeat, result);
        return result[3];
      };
      timed(dir === Direction.Inbound ? 0 : 1); // warm-up
      const gross: number[] = [];
      const harness: number[] = [];
      const net: number[] = [];
      for (let r = 0; r < opts.runs; r++) {
        // alternated, so both see the same machine
        const h = timed(2);
        const g = timed(dir === Direction.Inbound ? 0 : 1);
        gross.push(g);
        harness.push(h);
        net.push(g - h);
      }
      const eng: number[] = [];
      for (let r = 0; r < opts.runs; r++) eng.push(engineNs(engine, frame, dir, opts.seconds));
      const res = {
        id: p.id,
        title: p.title,
        target: p.target,
        grossNs: spread(gross),
        harnessNs: spread(harness),
        netNs: spread(net),
        engineNs: spread(eng),
      };
      opts.log(
        `kernel ${p.id}: net ${res.netNs.median.toFixed(1)} ns (gross ${res.grossNs.median} - harness ${res.harnessNs.median}), engine ${res.engineNs.median.toFixed(1)} ns`,
      );
      out.push(res);
    }
  } finally {
    datapath.close();
  }
  return out;
}

export { dedicatedMac };
