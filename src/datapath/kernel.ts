import { Cluster } from '../cluster';
import { ClusterConfig } from '../config';
import { createEngineFactory } from '../defaults';
import type { EngineStats } from '../engine';
import { Direction, Reason, VERDICT_NAMES, Verdict, reasonId, reasonText } from '../verdict';
import { BpfAddon, BpfObject, OBJECT_FILE, TcAction, bpfAddon, kernelDatapathProblem, u32 } from './bpf';
import { KernelMaps, MAP_NAMES, membershipRecords } from './maps';
import { KernelReasons, loadKernelReasons } from './reasons';

/**
 * The kernel datapath without a network: the BPF programs of src/engine.bpf.c run on each frame
 * through BPF_PROG_TEST_RUN, with each VLAN tag where the live receive path puts it. This is what
 * `intracluster process --datapath kernel` and the golden-vector runner's kernel datapath use.
 *
 * Where the tags are: before tc ingress runs, the kernel moves one 802.1Q or 802.1ad tag (the outer
 * one) into the skb's metadata (`vlan_present`, `vlan_tci`); BPF_PROG_TEST_RUN does not. So an
 * inbound frame whose first TPID is 0x8100 or 0x88a8 goes without that tag to the program
 * `test_entry`, which puts it into the metadata (bpf_skb_vlan_push) and tail-calls `ingress`; the
 * tag is put back into the bytes that come out. Outbound frames and other TPIDs keep their tags in
 * the packet, as on the live paths.
 *
 * Frames the live kernel never hands to a tc program get no test run (`lastRan` is false): frames
 * shorter than an Ethernet header, and inbound frames whose outer tag the receive path would
 * untag but that end inside it (the kernel drops them). They are answered as the engine answers a
 * cut-short header: pass, "truncated Ethernet header or VLAN tag stack".
 */

/** Largest frame one test run takes (a page less the skb's head and tail room). */
export const TEST_RUN_MAX_FRAME = 3500;
/** sizeof(struct __sk_buff) and the offsets the harness uses (linux/bpf.h). */
const SKB_CTX_SIZE = 192;
const CTX_CB0 = 48;
const CTX_CB1 = 52;
const CTX_CB2 = 56;
const ETH_P_8021Q = 0x8100;
const ETH_P_8021AD = 0x88a8;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const OUT_CAPACITY = 4096;
/** Frames per testRunBatch call, and the record sizes (native/bpf.c: parts padded to 8 bytes). */
const BATCH_FRAMES = 256;
const RECORD_MAX = 16 + TEST_RUN_MAX_FRAME + 8 + SKB_CTX_SIZE;
const RESULT_MAX = 16 + OUT_CAPACITY + SKB_CTX_SIZE;
/** Results of a batch: a frame's, and a reset's before it. */
const BATCH_RESULTS = BATCH_FRAMES * (RESULT_MAX + 16 + OUT_CAPACITY);
const RESET_RECORD = 16 + 16;
/** Why a frame got no test run (kept in `untagged` for it). */
const EARLY_BAD_LENGTH = 2;
const EARLY_BAD_DIRECTION = 3;
const EARLY_TRUNCATED = 4;
const BATCH_BYTES = BATCH_FRAMES * (256 + RESET_RECORD) + RECORD_MAX;

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/** What the `process` formats and the golden runner need of an engine (Engine has it too). */
export interface FrameEngine {
  process(frame: Uint8Array, direction: Direction, length?: number): Verdict;
  readonly reason: number;
  readonly replyFrame: Uint8Array;
  readonly replyLength: number;
  stats(): EngineStats;
}

/** One loaded copy of the programs and maps, shared by the engines made from it (one at a time runs). */
export class KernelDatapath {
  readonly lib: BpfAddon;
  readonly object: BpfObject;
  readonly maps: KernelMaps;
  readonly reasons: KernelReasons;
  readonly ingressFd: number;
  readonly egressFd: number;
  readonly testEntryFd: number;
  /** Benchmarks: `bench_restore` (restores the frame of ic_bench per repeat) and `bench_empty`. */
  readonly benchRestoreFd: number;
  readonly benchEmptyFd: number;
  /** Test runs: `strict_reset` (a fresh strict-sources state within a batch). */
  readonly strictResetFd: number;
  /** The engine whose membership and strict-sources state the maps hold. */
  owner: KernelEngine | null = null;
  private readonly factory = createEngineFactory();

  private constructor(object: BpfObject) {
    this.lib = object.lib;
    this.object = object;
    this.reasons = loadKernelReasons();
    this.maps = new KernelMaps(this.lib, (n) => object.mapFd(n));
    this.ingressFd = object.programFd('ingress');
    this.egressFd = object.programFd('egress');
    this.testEntryFd = object.programFd('test_entry');
    this.benchRestoreFd = object.programFd('bench_restore');
    this.benchEmptyFd = object.programFd('bench_empty');
    this.strictResetFd = object.programFd('strict_reset');
    const programs = object.mapFd(MAP_NAMES.programs);
    this.lib.mapUpdate(programs, u32(0), u32(this.ingressFd));
    this.lib.mapUpdate(programs, u32(1), u32(this.egressFd));
    this.lib.mapUpdate(programs, u32(2), u32(this.benchEmptyFd));
  }

  /** Loads the programs (one line saying what is missing when this machine cannot). */
  static open(path: string = OBJECT_FILE): KernelDatapath {
    const problem = kernelDatapathProblem();
    if (problem) throw new Error(`kernel datapath unavailable: ${problem}`);
    bpfAddon();
    return new KernelDatapath(BpfObject.open(path));
  }

  /** An engine of host `hostName` (the GoldenEngineFactory shape: the golden runner takes it). */
  create(config: ClusterConfig | Cluster, hostName: string): KernelEngine {
    const cluster = config instanceof Cluster ? config : this.factory.buildCluster(config);
    return new KernelEngine(this, cluster, hostName);
  }

  close(): void {
    this.maps.close();
    this.object.close();
  }
}

/** Engine.process through the BPF programs. Same interface as Engine for the `process` formats. */
export class KernelEngine implements FrameEngine {
  private cluster_: Cluster;
  private hostName_: string;
  /** Strict-sources flags by host index while another engine holds the maps. */
  private saved: Uint8Array | null = null;
  private reason_ = 0;
  /** Whether the last frame went through a test run (see the module comment). */
  lastRan = false;
  /** The return code of the last test run (TC_ACT_*). */
  lastRetval = 0;
  /** Kernel nanoseconds of the last test run (the kernel's own count, per run). */
  lastDuration = 0;
  readonly replyFrame = new Uint8Array(OUT_CAPACITY);
  replyLength = 0;
  /** Test-run records of one batch (native/bpf.c testRunBatch), and their results. */
  private readonly records = new Uint8Array(BATCH_BYTES);
  private readonly recordView = new DataView(this.records.buffer);
  private readonly results = new Uint8Array(BATCH_RESULTS);
  private readonly resultView = new DataView(this.results.buffer);
  /** Record size per frame of the batch (0: no test run; then `untagged` holds an EARLY_ code). */
  private readonly placed = new Int32Array(BATCH_FRAMES);
  private readonly untagged = new Uint8Array(BATCH_FRAMES);
  private readonly resetFirst = new Uint8Array(BATCH_FRAMES);
  private readonly single: Uint8Array[] = [new Uint8Array(0)];
  private readonly singleDir: Direction[] = [Direction.Inbound];
  private readonly singleLen = new Int32Array(1);
  /** Frames by verdict and engine reason, as Engine counts them (also frames without a test run). */
  private readonly tally = new Map<number, number>();
  private readonly byVerdict = [0, 0, 0, 0];
  private frames = 0;

  constructor(
    readonly datapath: KernelDatapath,
    cluster: Cluster,
    hostName: string,
  ) {
    this.cluster_ = cluster;
    this.hostName_ = hostName;
    this.saved = new Uint8Array(cluster.hosts.length);
    membershipRecords(cluster, hostName); // a ConfigError when the host is no member
  }

  get cluster(): Cluster {
    return this.cluster_;
  }
  get hostName(): string {
    return this.hostName_;
  }
  get reason(): number {
    return this.reason_;
  }

  /** A new membership; strict-sources state kept for members still present (by name). */
  setCluster(cluster: Cluster, hostName = this.hostName_): void {
    const flags = this.discoveredFlags();
    const next = new Uint8Array(cluster.hosts.length);
    this.cluster_.hosts.forEach((h, i) => {
      const j = cluster.hostIndex(h.name);
      if (j >= 0 && flags[i]) next[j] = 1;
    });
    membershipRecords(cluster, hostName);
    this.cluster_ = cluster;
    this.hostName_ = hostName;
    this.saved = next;
    if (this.datapath.owner === this) this.datapath.owner = null;
  }

  /** Forgets every completed discovery exchange (strict sources), as a fresh engine. */
  resetDiscovery(): void {
    const zeros = new Uint8Array(this.cluster_.hosts.length);
    if (this.datapath.owner === this) this.datapath.maps.setDiscovered(zeros);
    else this.saved = zeros;
  }

  /** Strict-sources flags by host index of the current cluster. */
  discoveredFlags(): Uint8Array {
    if (this.datapath.owner !== this) return Uint8Array.from(this.saved ?? new Uint8Array(this.cluster_.hosts.length));
    const names = new Set(this.datapath.maps.discoveredHosts());
    return Uint8Array.from(this.cluster_.hosts, (h) => (names.has(h.name) ? 1 : 0));
  }

  /** Puts this engine's membership and strict state into the maps if another engine's are there. */
  private own(): void {
    const d = this.datapath;
    if (d.owner === this) return;
    if (d.owner) d.owner.saved = d.owner.discoveredFlags();
    d.maps.install(this.cluster_, this.hostName_, { inPlace: true, discovered: this.saved ?? undefined });
    d.owner = this;
    this.saved = null;
  }

  process(frame: Uint8Array, direction: Direction, length: number = frame.length): Verdict {
    this.single[0] = frame;
    this.singleDir[0] = direction;
    this.singleLen[0] = length;
    let v: Verdict = Verdict.Drop;
    this.processMany(this.single, this.singleDir, (_, verdict) => (v = verdict), this.singleLen);
    return v;
  }

  /**
   * `process` for many frames with few syscalls (test runs batched in the addon): frames[i] is
   * rewritten in place, and onResult(i, verdict) is called in order, with `reason`, `replyFrame`,
   * `replyLength` and `lastRan` describing frame i during the call.
   */
  processMany(
    frames: readonly Uint8Array[],
    directions: ArrayLike<Direction>,
    onResult: (i: number, verdict: Verdict) => void,
    lengths?: ArrayLike<number>,
    /** resets[i] = 1: forget every completed discovery exchange (resetDiscovery) before frame i. */
    resets?: ArrayLike<number>,
  ): void {
    let at = 0;
    let first = 0;
    const flush = (upTo: number) => {
      if (upTo > first) this.runBatch(frames, lengths, first, upTo, at, onResult);
      at = 0;
      first = upTo;
    };
    this.own();
    for (let i = 0; i < frames.length; i++) {
      if (at + RECORD_MAX + RESET_RECORD > this.records.length) flush(i);
      const reset = resets !== undefined && resets[i] === 1;
      this.resetFirst[i - first] = reset ? 1 : 0;
      if (reset) at += this.placeReset(at);
      const length = lengths ? lengths[i] : frames[i].length;
      const n = this.place(frames[i], directions[i], length, at, i - first);
      this.placed[i - first] = n;
      at += n;
      if (i - first + 1 === this.placed.length) flush(i + 1);
    }
    flush(frames.length);
  }

  /** Runs the records of frames[first .. upTo) and answers them in order. */
  private runBatch(
    frames: readonly Uint8Array[],
    lengths: ArrayLike<number> | undefined,
    first: number,
    upTo: number,
    bytes: number,
    onResult: (i: number, verdict: Verdict) => void,
  ): void {
    const d = this.datapath;
    let count = 0;
    for (let i = first; i < upTo; i++) count += (this.placed[i - first] > 0 ? 1 : 0) + this.resetFirst[i - first];
    if (count > 0) d.lib.testRunBatch(this.records.subarray(0, bytes), count, this.results);
    let rp = 0;
    const dv = this.resultView;
    for (let i = first; i < upTo; i++) {
      const frame = frames[i];
      const length = lengths ? lengths[i] : frame.length;
      const n = this.placed[i - first];
      if (this.resetFirst[i - first] === 1)
        rp += 16 + pad8(dv.getUint32(rp + 4, true)) + pad8(dv.getUint32(rp + 8, true));
      this.replyLength = 0;
      let v: Verdict;
      if (n === 0) {
        // answered without a test run (place() says why), as the engine answers these
        this.lastRan = false;
        const why = this.untagged[i - first];
        this.reason_ =
          why === EARLY_BAD_DIRECTION
            ? Reason.BadDirection
            : why === EARLY_TRUNCATED
              ? Reason.TruncatedEthernet
              : Reason.BadLength;
        v = why === EARLY_TRUNCATED ? Verdict.Pass : Verdict.Drop;
      } else {
        const untag = this.untagged[i - first] === 1;
        const retval = dv.getInt32(rp, true);
        const outLen = dv.getUint32(rp + 4, true);
        const ctxLen = dv.getUint32(rp + 8, true);
        this.lastDuration = dv.getUint32(rp + 12, true);
        const data = rp + 16;
        const ctx = data + pad8(outLen);
        rp = ctx + pad8(ctxLen);
        this.lastRan = true;
        this.lastRetval = retval;
        v = this.take(
          frame,
          length,
          untag,
          retval,
          this.results.subarray(data, data + outLen),
          ctxLen >= CTX_CB1 + 4 ? dv.getUint32(ctx + CTX_CB0, true) : 0xffffffff,
          ctxLen >= CTX_CB1 + 4 ? dv.getUint32(ctx + CTX_CB1, true) : 0,
        );
      }
      this.frames++;
      this.byVerdict[v]++;
      const k = v * 65536 + this.reason_;
      this.tally.set(k, (this.tally.get(k) ?? 0) + 1);
      onResult(i, v);
    }
  }

  /** Writes a test run of `strict_reset` at records[at..]; returns its size. */
  private placeReset(at: number): number {
    const rv = this.recordView;
    rv.setUint32(at, this.datapath.strictResetFd, true);
    rv.setUint32(at + 4, 14, true);
    rv.setUint32(at + 8, 0, true);
    rv.setUint32(at + 12, 1, true);
    this.records.fill(0, at + 16, at + RESET_RECORD);
    return RESET_RECORD;
  }

  /**
   * Writes the test-run record of one frame at records[at..], the frame placed where the live
   * kernel has it when tc runs. Returns its size, or 0 when the frame gets no test run.
   */
  private place(frame: Uint8Array, direction: Direction, length: number, at: number, slot: number): number {
    const early = (why: number) => {
      this.untagged[slot] = why;
      return 0;
    };
    if (!(length >= 0 && length <= frame.length)) return early(EARLY_BAD_LENGTH);
    if (direction !== Direction.Inbound && direction !== Direction.Outbound) return early(EARLY_BAD_DIRECTION);
    const first = length >= 14 ? (frame[12] << 8) | frame[13] : 0;
    const untag = direction === Direction.Inbound && (first === ETH_P_8021Q || first === ETH_P_8021AD);
    // never handed to a tc program by the live kernel (too short), or longer than a test run takes
    if (length < 14 || (untag && length < 18)) return early(EARLY_TRUNCATED);
    if (length - (untag ? 4 : 0) > TEST_RUN_MAX_FRAME) return early(EARLY_BAD_LENGTH);
    this.untagged[slot] = untag ? 1 : 0;
    const d = this.datapath;
    const r = this.records;
    const rv = this.recordView;
    const data = at + 16;
    let n: number;
    if (untag) {
      for (let i = 0; i < 12; i++) r[data + i] = frame[i];
      for (let i = 16; i < length; i++) r[data + i - 4] = frame[i];
      n = length - 4;
    } else {
      for (let i = 0; i < length; i++) r[data + i] = frame[i];
      n = length;
    }
    const ctx = data + pad8(n);
    r.fill(0, ctx, ctx + SKB_CTX_SIZE);
    if (untag) rv.setUint32(ctx + CTX_CB0, ((first << 16) | (frame[14] << 8) | frame[15]) >>> 0, true);
    // BPF_PROG_TEST_RUN refuses IPv4/IPv6 frames shorter than their L3 header: hand them over as
    // EtherType 0 and let test_entry write the real one back
    const et = (r[data + 12] << 8) | r[data + 13];
    const short = (et === ETH_P_IP && n < 14 + 20) || (et === ETH_P_IPV6 && n < 14 + 40);
    if (short) {
      rv.setUint32(ctx + CTX_CB2, et, true);
      r[data + 12] = 0;
      r[data + 13] = 0;
    }
    const dir = direction === Direction.Inbound ? 0 : 1;
    rv.setUint32(ctx + CTX_CB1, dir, true);
    rv.setUint32(at, untag || short ? d.testEntryFd : dir === 0 ? d.ingressFd : d.egressFd, true);
    rv.setUint32(at + 4, n, true);
    rv.setUint32(at + 8, SKB_CTX_SIZE, true);
    rv.setUint32(at + 12, 1, true);
    return 16 + pad8(n) + SKB_CTX_SIZE;
  }

  /** The verdict of one test run; the frame gets the output bytes (its tag put back). */
  private take(
    frame: Uint8Array,
    length: number,
    untag: boolean,
    retval: number,
    out: Uint8Array,
    verdict: number,
    kr: number,
  ): Verdict {
    const d = this.datapath;
    this.reason_ = kr < d.reasons.count ? d.reasons.toEngine[kr] : Reason.AdapterError;
    const expected =
      verdict === Verdict.Drop ? TcAction.Shot : verdict === Verdict.Reply ? TcAction.Redirect : TcAction.Unspec;
    if (verdict > Verdict.Reply || retval !== expected) {
      // a program that answered one thing and returned another (or a failed run): never forward it half-decided
      this.reason_ = Reason.AdapterError;
      return Verdict.Drop;
    }
    const outLen = out.length;
    if (verdict === Verdict.Reply) {
      // the request was turned into the reply in place (egress: no tag moved)
      this.replyFrame.set(out);
      this.replyLength = outLen;
      return verdict;
    }
    if (verdict === Verdict.Pass || verdict === Verdict.Rewrite) {
      if ((untag ? outLen + 4 : outLen) !== length) {
        this.reason_ = Reason.AdapterError;
        return Verdict.Drop;
      }
      if (untag) {
        for (let i = 0; i < 12; i++) frame[i] = out[i];
        for (let i = 12; i < outLen; i++) frame[i + 4] = out[i];
      } else for (let i = 0; i < outLen; i++) frame[i] = out[i];
    }
    return verdict as Verdict;
  }

  /** Frames in, pass, rewrite, drop, reply (Engine.counters' order). */
  get counters(): Float64Array {
    return Float64Array.from([this.frames, ...this.byVerdict]);
  }

  /** Counts by verdict and reason, as Engine.stats (this engine's frames). */
  stats(): EngineStats {
    const byVerdict: Record<string, number> = {};
    VERDICT_NAMES.forEach((name, i) => (byVerdict[name] = this.byVerdict[i]));
    const byReason = [...this.tally.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([k, count]) => ({
        verdict: VERDICT_NAMES[Math.floor(k / 65536)],
        reason: k % 65536 === 0 ? '(none)' : reasonText(k % 65536),
        reasonId: k % 65536 === 0 ? '' : reasonId(k % 65536),
        count,
      }));
    return { frames: this.frames, byVerdict, byReason };
  }
}
