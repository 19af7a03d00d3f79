import ipaddr from 'ipaddr.js';
import { icmpv6Sum, replaceMacUpdatingChecksum } from '../adapters/ndp/icmpv6';
import { Direction, Verdict, macEquals } from '../src';
import { foldSum } from '../src/frame/checksum';
import { Workload, calibrate, measure, runPasses, runRefills } from './engine';
import { CLUSTER_MAC, LOCAL, dedicatedMac, memberV6 } from './scenarios';
import { runChild, spread } from './stats';
import { SELF, workloadOf } from './workloads';

/**
 * What the NDP paths cost on this machine with nothing but their own work: a hand-written inbound
 * NS rewrite and outbound NA rewrite for untagged frames at fixed offsets, timed in one process
 * beside the engine on the same workload (the engine's ns-rewrite and na-rewrite scenarios):
 *
 *   npx tsc -p bench/tsconfig.json && node build/bench/bench/floor.js [--processes 6] [--rounds 8] [--members 3]
 *
 * Each floor does what RFC 4861 7.1 and the rule ask of these frames and nothing else: EtherType,
 * version, payload length, next header (no extension headers), type, hop limit, code, length,
 * target not multicast, the option walk, the source (NS: not ::), the checksum, the two member
 * lookups, the cluster-MAC compare (NA: the Ethernet destination is the peer's dedicated MAC), then
 * the 6-byte write with the RFC 1624 checksum update (the byte form uses the codec's own sum and
 * write, adapters/ndp/icmpv6.ts). No dispatch, tag walk, counters, other rules or neutral message.
 * Two forms: byte reads (what a function given any Uint8Array can do, as
 * `Engine.process` is) and 32-bit DataView reads over the workload's one buffer (what a caller that
 * owns a receive ring could do). Before timing, both must leave the same bytes as the engine on
 * every frame, and give every frame the engine's verdict. Each process times one scenario (the
 * best of its slices, refill subtracted); one process runs up to 2x slower than the next, so the
 * table gives the median and best over the processes and the median of the per-process ratios.
 */

type Run = (w: Workload, reps: number) => number;
/** One floor's decision on frame `f` of length `len` at offset `base` of the workload's buffer. */
type Decide = (f: Uint8Array, len: number, base: number) => number;
interface Floor {
  /** The timed passes. */
  run: Run;
  /** The same decision for one frame (the check before timing). */
  decide: Decide;
}

function macBytes(m: string): Uint8Array {
  return Uint8Array.from(m.split('-').map((h) => Number.parseInt(h, 16)));
}

// fixed offsets of an untagged frame: IPv6 header at 14 (RFC 8200 3), ICMPv6 at 54 (RFC 4861 4.3, 4.4)
const IP = 14;
const ICMP = 54;
const OPTIONS = ICMP + 24;

/**
 * The four floors for a cluster of `members` (the bench's addresses and MACs). Made once per process:
 * each function below has one closure, so the JIT treats the tables as constants, as a
 * hand-specialized path would.
 */
function floors(members: number, w: Workload): { nsBytes: Floor; nsView: Floor; naBytes: Floor; naView: Floor } {
  const view = new DataView(w.work.buffer, w.work.byteOffset, w.work.byteLength);
  const local = LOCAL;
  // the verdicts as constants of this closure (an import's property read is not)
  const PASS: number = Verdict.Pass;
  const REWRITE: number = Verdict.Rewrite;
  const DROP: number = Verdict.Drop;
  const clusterMac = macBytes(CLUSTER_MAC);
  const dedicated = new Uint8Array(6 * members);
  for (let i = 0; i < members; i++) dedicated.set(macBytes(dedicatedMac(i)), 6 * i);
  // member lookup: open addressing over 16-byte keys as four 32-bit words
  let cap = 8;
  while (cap < 2 * members) cap *= 2;
  const mask = cap - 1;
  const shift = 32 - Math.log2(cap);
  const keys = new Int32Array(4 * cap);
  const values = new Int32Array(cap).fill(-1);
  const home = (w0: number, w3: number): number => Math.imul(w3 ^ w0, 0x9e3779b1) >>> shift;
  for (let m = 0; m < members; m++) {
    const b = Uint8Array.from(ipaddr.parse(memberV6(m)).toByteArray());
    const w = [0, 4, 8, 12].map((o) => (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
    let slot = home(w[0], w[3]);
    while (values[slot] >= 0) slot = (slot + 1) & mask;
    keys.set(w, 4 * slot);
    values[slot] = m;
  }
  const find = (w0: number, w1: number, w2: number, w3: number): number => {
    for (let slot = home(w0, w3), n = 0; n <= mask; n++, slot = (slot + 1) & mask) {
      const v = values[slot];
      if (v < 0) return -1;
      const k = 4 * slot;
      if (keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3) return v;
    }
    return -1;
  };
  const u32 = (f: Uint8Array, o: number): number => (f[o] << 24) | (f[o + 1] << 16) | (f[o + 2] << 8) | f[o + 3];
  const memberAt = (f: Uint8Array, o: number): number => find(u32(f, o), u32(f, o + 4), u32(f, o + 8), u32(f, o + 12));
  const memberAtView = (at: number): number =>
    find(view.getInt32(at), view.getInt32(at + 4), view.getInt32(at + 8), view.getInt32(at + 12));

  /** RFC 4861 7.1 checks up to the checksum, and the option walk: the offset of the own link-layer address, or -1. */
  const checks = (f: Uint8Array, len: number, type: number, option: number): number => {
    if (len < ICMP || f[12] !== 0x86 || f[13] !== 0xdd || f[IP] >> 4 !== 6) return -1;
    const end = ICMP + ((f[IP + 4] << 8) | f[IP + 5]);
    if (end > len || f[IP + 6] !== 58 || f[ICMP] !== type) return -1;
    if (f[IP + 7] !== 255 || end - ICMP < 24 || f[ICMP + 1] !== 0 || f[ICMP + 8] === 0xff) return -1;
    let lla = -1;
    for (let o = OPTIONS; o < end; ) {
      if (o + 2 > end) return -1;
      const units = f[o + 1];
      if (units === 0 || o + units * 8 > end) return -1;
      if (f[o] === option && units === 1 && lla < 0) lla = o + 2;
      o += units * 8;
    }
    return lla;
  };
  /** The RFC 1071 sum with 32-bit DataView reads (`base`: the frame's offset in the view's buffer). */
  const sumView = (f: Uint8Array, base: number, end: number): number => {
    let s = 0;
    for (let i = IP + 8; i < ICMP; i += 4) {
      const x = view.getInt32(base + i);
      s += (x >>> 16) + (x & 0xffff);
    }
    let i = ICMP;
    for (; i + 3 < end; i += 4) {
      const x = view.getInt32(base + i);
      s += (x >>> 16) + (x & 0xffff);
    }
    for (; i + 1 < end; i += 2) s += (f[i] << 8) | f[i + 1];
    if (i < end) s += f[i] << 8;
    return foldSum(s + (end - ICMP) + 58);
  };
  const end = (f: Uint8Array): number => ICMP + ((f[IP + 4] << 8) | f[IP + 5]);

  /** The cluster MAC as a 32-bit and a 16-bit word, to compare through the view. */
  const c0 = (clusterMac[0] << 24) | (clusterMac[1] << 16) | (clusterMac[2] << 8) | clusterMac[3];
  const c1 = (clusterMac[4] << 8) | clusterMac[5];
  /** RFC 1624 eqn. 3 through the view: dedicated[at..at+6) over the frame's bytes at `lla` (absolute). */
  const writeView = (lla: number, csum: number, at: number): void => {
    let sum = ~view.getUint16(csum) & 0xffff;
    for (let j = 0; j < 6; j += 2) {
      const m2 = (dedicated[at + j] << 8) | dedicated[at + j + 1];
      sum += (~view.getUint16(lla + j) & 0xffff) + m2;
      view.setUint16(lla + j, m2);
    }
    view.setUint16(csum, ~foldSum(sum) & 0xffff);
  };

  /** Inbound NS from a member for this host, SLLAO = cluster MAC: SLLAO := the member's dedicated MAC. */
  const nsBytes = (f: Uint8Array, len: number): number => {
    if (len < 14 || (f[6] & 1) !== 0) return DROP;
    const lla = checks(f, len, 135, 1);
    if (lla < 0) return PASS;
    if ((u32(f, IP + 8) | u32(f, IP + 12) | u32(f, IP + 16) | u32(f, IP + 20)) === 0) return PASS;
    if (icmpv6Sum(f, IP, ICMP, end(f)) !== 0xffff) return PASS;
    const src = memberAt(f, IP + 8);
    if (src < 0 || src === local || !macEquals(f, lla, clusterMac, 0) || memberAt(f, ICMP + 8) !== local) return PASS;
    replaceMacUpdatingChecksum(f, lla, dedicated, 6 * src, ICMP + 2);
    return REWRITE;
  };
  const nsView = (f: Uint8Array, len: number, base: number): number => {
    if (len < 14 || (f[6] & 1) !== 0) return DROP;
    const lla = checks(f, len, 135, 1);
    if (lla < 0) return PASS;
    const s = base + IP + 8;
    if ((view.getInt32(s) | view.getInt32(s + 4) | view.getInt32(s + 8) | view.getInt32(s + 12)) === 0) return PASS;
    if (sumView(f, base, end(f)) !== 0xffff) return PASS;
    const src = memberAtView(s);
    if (src < 0 || src === local || view.getInt32(base + lla) !== c0 || view.getUint16(base + lla + 4) !== c1)
      return PASS;
    if (memberAtView(base + ICMP + 8) !== local) return PASS;
    writeView(base + lla, base + ICMP + 2, 6 * src);
    return REWRITE;
  };

  /** Outbound NA for this host's address to a member at its dedicated MAC, TLLAO = cluster MAC: TLLAO := ours. */
  const naBytes = (f: Uint8Array, len: number): number => {
    if (len < 14 || (f[6] & 1) !== 0) return DROP;
    const lla = checks(f, len, 136, 2);
    // RFC 4861 7.1.2: a multicast destination with the Solicited flag
    if (lla < 0 || (f[IP + 24] === 0xff && (f[ICMP + 4] & 0x40) !== 0)) return PASS;
    if (icmpv6Sum(f, IP, ICMP, end(f)) !== 0xffff) return PASS;
    if (memberAt(f, ICMP + 8) !== local || !macEquals(f, lla, clusterMac, 0)) return PASS;
    const to = memberAt(f, IP + 24);
    if (to < 0 || to === local || !macEquals(f, 0, dedicated, 6 * to)) return PASS;
    replaceMacUpdatingChecksum(f, lla, dedicated, 6 * local, ICMP + 2);
    return REWRITE;
  };
  const naView = (f: Uint8Array, len: number, base: number): number => {
    if (len < 14 || (f[6] & 1) !== 0) return DROP;
    const lla = checks(f, len, 136, 2);
    if (lla < 0 || (f[IP + 24] === 0xff && (f[ICMP + 4] & 0x40) !== 0)) return PASS;
    if (sumView(f, base, end(f)) !== 0xffff) return PASS;
    if (memberAtView(base + ICMP + 8) !== local) return PASS;
    if (view.getInt32(base + lla) !== c0 || view.getUint16(base + lla + 4) !== c1) return PASS;
    const to = memberAtView(base + IP + 24);
    if (to < 0 || to === local || !macEquals(f, 0, dedicated, 6 * to)) return PASS;
    writeView(base + lla, base + ICMP + 2, 6 * local);
    return REWRITE;
  };

  // one timed loop per floor, refilled as runPasses refills (so each call site sees one function)
  return {
    nsBytes: {
      run(_, reps) {
        let sum = 0;
        for (let r = 0; r < reps; r++) {
          w.work.set(w.set.pristine);
          for (let i = 0; i < w.frames; i++) sum += nsBytes(w.views[i], w.set.lengths[i]);
        }
        return sum;
      },
      decide: (f, len) => nsBytes(f, len),
    },
    nsView: {
      run(_, reps) {
        let sum = 0;
        for (let r = 0; r < reps; r++) {
          w.work.set(w.set.pristine);
          for (let i = 0; i < w.frames; i++) sum += nsView(w.views[i], w.set.lengths[i], w.set.offsets[i]);
        }
        return sum;
      },
      decide: nsView,
    },
    naBytes: {
      run(_, reps) {
        let sum = 0;
        for (let r = 0; r < reps; r++) {
          w.work.set(w.set.pristine);
          for (let i = 0; i < w.frames; i++) sum += naBytes(w.views[i], w.set.lengths[i]);
        }
        return sum;
      },
      decide: (f, len) => naBytes(f, len),
    },
    naView: {
      run(_, reps) {
        let sum = 0;
        for (let r = 0; r < reps; r++) {
          w.work.set(w.set.pristine);
          for (let i = 0; i < w.frames; i++) sum += naView(w.views[i], w.set.lengths[i], w.set.offsets[i]);
        }
        return sum;
      },
      decide: naView,
    },
  };
}

/** A floor must give every frame the engine's verdict and leave the engine's bytes. */
function agree(w: Workload, name: string, floor: Floor): void {
  w.work.set(w.set.pristine);
  const verdicts = w.views.map((f, i) => w.engine.process(f, w.set.directions[i] as Direction, w.set.lengths[i]));
  const engine = Uint8Array.from(w.work);
  w.work.set(w.set.pristine);
  for (let i = 0; i < w.frames; i++) {
    const v = floor.decide(w.views[i], w.set.lengths[i], w.set.offsets[i]);
    if (v !== verdicts[i]) throw new Error(`${name}: frame ${i} verdict ${v}, the engine's ${verdicts[i]}`);
  }
  const at = engine.findIndex((b, i) => b !== w.work[i]);
  if (at >= 0) throw new Error(`${name}: byte ${at} differs from the engine's`);
}

const SCENARIO_IDS = ['ns-rewrite', 'na-rewrite'];
const COLUMNS = ['engine', 'floor, byte reads', 'floor, DataView reads'];

/** One process, one scenario: the best slice of each column, ns/frame (refill subtracted). Prints JSON. */
function child(id: string, members: number, rounds: number): void {
  if (!SCENARIO_IDS.includes(id)) throw new Error(`unknown scenario "${id}" (${SCENARIO_IDS.join(', ')})`);
  const w = workloadOf(SELF, id, members);
  const f = floors(members, w);
  const [bytes, view] = id === 'ns-rewrite' ? [f.nsBytes, f.nsView] : [f.naBytes, f.naView];
  agree(w, COLUMNS[1], bytes);
  agree(w, COLUMNS[2], view);
  const runs: Run[] = [runPasses, bytes.run, view.run, runRefills];
  const reps = calibrate(w, 0.2);
  const best = runs.map(() => Number.POSITIVE_INFINITY);
  for (let r = 0; r < rounds; r++)
    runs.forEach((run, i) => {
      best[i] = Math.min(best[i], (measure(run, w, reps).cpu / (reps * w.frames)) * 1e9);
    });
  process.stdout.write(`${JSON.stringify(best.slice(0, 3).map((t) => t - best[3]))}\n`);
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string, def: number): number => {
    const i = args.indexOf(`--${name}`);
    if (i < 0) return def;
    const n = Number(args[i + 1]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a whole number above 0, not "${args[i + 1]}"`);
    return n;
  };
  const rounds = opt('rounds', 8);
  const members = opt('members', 3);
  const childAt = args.indexOf('--child');
  if (childAt >= 0) return child(args[childAt + 1], members, rounds);
  const processes = opt('processes', 6);
  const rows = new Map<string, number[][]>(SCENARIO_IDS.map((id) => [id, []]));
  for (let p = 0; p < processes; p++) {
    process.stderr.write(`process ${p + 1}/${processes}\n`);
    for (const id of SCENARIO_IDS) {
      const a = ['--child', id, '--rounds', `${rounds}`, '--members', `${members}`];
      rows.get(id)!.push(runChild<number[]>(`floor ${id}`, __filename, a));
    }
  }
  process.stdout.write(
    `NDP floors beside the engine, ${members} members, ${processes} processes, best of ${rounds} slices each (CPU time, ns/frame)\n`,
  );
  for (const [id, r] of rows) {
    for (let c = 0; c < COLUMNS.length; c++) {
      const t = spread(r.map((x) => x[c]));
      const ratio = spread(r.map((x) => x[c] / x[0]));
      process.stdout.write(
        `  ${id.padEnd(11)} ${COLUMNS[c].padEnd(22)} median ${t.median.toFixed(1).padStart(6)}  best ${t.min.toFixed(1).padStart(6)} (${(1e3 / t.min).toFixed(2).padStart(5)} M/s)  of the engine's: median ${ratio.median.toFixed(2)}\n`,
      );
    }
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`floor: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
