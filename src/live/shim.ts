import { constants as osConstants } from 'node:os';
import { Engine } from '../engine';
import { controlPlaneOffset } from '../membership/adapter';
import type { FrameTally } from '../ops/tally';
import { Direction, Verdict } from '../verdict';
import { EAGAIN, Tap, VNET_HDR_LEN } from './tap';

/** "EIO (errno 5)" for log lines. */
function errnoName(n: number): string {
  const name = Object.entries(osConstants.errno).find(([, v]) => v === n)?.[0];
  return name ? `${name}, errno ${n}` : `errno ${n}`;
}

/** Index of `Shim.counters`. */
export const ShimCounter = {
  /** Frames read from the stack side (outbound) and from the wire side (inbound). */
  FromStack: 0,
  FromWire: 1,
  ToWire: 2,
  ToStack: 3,
  /** Reply verdicts handed back to the stack. */
  Replies: 4,
  Drops: 5,
  /** Frames relayed unchanged because the shim has no membership (relay mode or host not listed). */
  Relayed: 6,
  WriteErrors: 7,
  ReadErrors: 8,
  InternalErrors: 9,
} as const;

export const SHIM_COUNTER_NAMES = [
  'from stack',
  'from wire',
  'to wire',
  'to stack',
  'replies to stack',
  'dropped',
  'relayed unchanged',
  'write errors',
  'read errors',
  'internal errors',
] as const;

/** Frames handled per readiness callback before yielding to the other side (fairness). */
const BATCH = 64;
/** Larger than any frame a TAP without offloads delivers (MTU up to 65535 + Ethernet and VLAN headers). */
const FRAME_BUFFER = 65536 + 22;

/**
 * One host's cluster layer between two TAP devices (patent FIG. 4: the layer between NIC and stack).
 * Stack side: the TAP the host's kernel uses (cluster MAC). Wire side: the TAP attached to the switch.
 * Outbound (stack to wire) and inbound (wire to stack) frames go through `engine.process`; a null
 * engine relays every frame unchanged (the negative control, or a host not listed in the config).
 * Reads and rewrites in place in one buffer per direction: nothing is allocated per frame.
 */
export class Shim {
  readonly counters = new Float64Array(SHIM_COUNTER_NAMES.length);
  /** The engine deciding frames, or null to relay unchanged. Swap at any time (membership change). */
  engine: Engine | null;
  /**
   * The control plane (src/membership) when set: receives the heartbeats the engine's dispatch hands
   * it (`controlPlaneOffset`), which are then neither relayed nor delivered to the stack.
   */
  controlPlane: { receive(frame: Uint8Array, payloadOffset: number, length: number): void } | null = null;
  /** Counts each decided frame by direction, verdict and reason when set (src/ops: status, metrics). */
  tally: FrameTally | null = null;
  private readonly outBuf = new Uint8Array(FRAME_BUFFER);
  private readonly inBuf = new Uint8Array(FRAME_BUFFER);
  /** Offload TAPs: the virtio-net header read with the frame, written with it on the other side. */
  private readonly outHdr = new Uint8Array(VNET_HDR_LEN);
  private readonly inHdr = new Uint8Array(VNET_HDR_LEN);
  private running = false;

  constructor(
    engine: Engine | null,
    readonly stack: Tap,
    readonly wire: Tap,
    /** Called once when a side fails for good (interface deleted, poll error); the shim has stopped. */
    private readonly onFatal: (message: string) => void = () => undefined,
    /** One line per unexpected condition (never per frame). */
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.engine = engine;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stack.watch((status) => this.pump(status, Direction.Outbound));
    this.wire.watch((status) => this.pump(status, Direction.Inbound));
  }

  /** Stops and closes both TAPs (devices the shim created disappear). Idempotent. */
  stop(): void {
    this.running = false;
    this.stack.close();
    this.wire.close();
  }

  private pump(status: number, direction: Direction): void {
    if (!this.running) return;
    const outbound = direction === Direction.Outbound;
    const from = outbound ? this.stack : this.wire;
    const to = outbound ? this.wire : this.stack;
    const buf = outbound ? this.outBuf : this.inBuf;
    const hdr = outbound ? this.outHdr : this.inHdr;
    const c = this.counters;
    // libuv reports POLLERR as UV_EBADF (-9): a TAP gives POLLERR once its device is gone
    if (status < 0)
      return this.fail(
        `${outbound ? 'stack' : 'wire'} side ${from.where}: ${status === -9 ? 'the device was deleted (or its network namespace went away)' : `waiting for frames failed (${errnoName(-status)})`}`,
      );
    for (let i = 0; i < BATCH; i++) {
      const n = from.read(buf, hdr);
      if (n < 0) {
        if (n === -EAGAIN) return;
        c[ShimCounter.ReadErrors]++;
        // EBADFD (77) / EIO: the interface was deleted (e.g. its namespace went away); it never comes back.
        return this.fail(
          `${outbound ? 'stack' : 'wire'} side ${from.where}: ${n === -77 || n === -5 ? 'the device was deleted (or its network namespace went away)' : `reading failed (${errnoName(-n)})`}`,
        );
      }
      c[outbound ? ShimCounter.FromStack : ShimCounter.FromWire]++;
      const e = this.engine;
      if (e === null) {
        c[ShimCounter.Relayed]++;
        if (this.tally !== null) this.tally.count(direction, Verdict.Pass, this.tally.relayedSlot);
        this.send(to, buf, n, outbound ? ShimCounter.ToWire : ShimCounter.ToStack, hdr);
        continue;
      }
      let v: Verdict;
      try {
        v = e.process(buf, direction, n);
      } catch (err) {
        // The engine promises not to throw; if it ever does, drop this frame and keep running.
        if (c[ShimCounter.InternalErrors]++ === 0)
          this.log(`internal error (frame dropped, further ones counted): ${(err as Error).message}`);
        if (this.tally !== null) this.tally.count(direction, Verdict.Drop, this.tally.internalErrorSlot);
        continue;
      }
      const t = this.tally;
      const hb = this.controlPlane !== null ? controlPlaneOffset(e, v) : -1;
      if (hb >= 0) {
        this.controlPlane!.receive(buf, hb, n);
        c[ShimCounter.Drops]++;
        if (t !== null) t.count(direction, Verdict.Drop, t.heartbeatSlot);
        continue;
      }
      if (t !== null) t.count(direction, v, e.reason);
      if (v === Verdict.Pass || v === Verdict.Rewrite)
        this.send(to, buf, n, outbound ? ShimCounter.ToWire : ShimCounter.ToStack, hdr);
      else if (v === Verdict.Reply) {
        c[ShimCounter.Replies]++;
        this.send(this.stack, e.replyFrame, e.replyLength, ShimCounter.ToStack);
      } else c[ShimCounter.Drops]++;
    }
  }

  /** `hdr`: the header read with a forwarded frame (offload TAPs); none for a frame we built. */
  private send(tap: Tap, buf: Uint8Array, length: number, counter: number, hdr?: Uint8Array): void {
    const r = tap.write(buf, length, hdr);
    if (r === length) this.counters[counter]++;
    // EIO while the interface is down, EAGAIN if the kernel's queue is full: the frame is lost, as on a wire.
    else this.counters[ShimCounter.WriteErrors]++;
  }

  private fail(message: string): void {
    if (!this.running) return;
    this.stop();
    this.onFatal(message);
  }

  /** Shim counters by name (allocates; for logs and the CLI). */
  counterRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    SHIM_COUNTER_NAMES.forEach((n, i) => (out[n] = this.counters[i]));
    return out;
  }
}
