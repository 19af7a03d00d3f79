import { Clock } from './clock';

/**
 * Sequence numbers of this member's heartbeats: boot wall time in ms * 1000 + a counter. They rise
 * by one per heartbeat, and a restarted member starts above every number it sent before as long as
 * it sent fewer than 1000 heartbeats per millisecond of uptime and its wall clock did not go back
 * (docs/heartbeat.md). Fits 2^53 until the year 2255, so plain arithmetic on bigint stays exact.
 */
export class SequenceSource {
  private readonly base: bigint;
  private counter = 0n;

  constructor(clock: Clock) {
    this.base = BigInt(Math.floor(clock.wallMs())) * 1000n;
  }
  next(): bigint {
    return this.base + this.counter++;
  }
}

/**
 * The highest authenticated sequence number seen per host ID (RFC 4303 3.4.3 in spirit, with a
 * window of one: heartbeats are idempotent, a late one is worthless). Kept after a member leaves, so
 * replaying its old heartbeats cannot bring it back; bounded, forgetting the least recently heard.
 */
export class ReplayGuard {
  /** Last accepted sequence per host ID, as its high and low 32 bits (compared without a bigint). */
  private readonly last = new Map<number, { hi: number; lo: number }>();

  constructor(readonly capacity = 4096) {}

  /** True when `sequence` is above the last one accepted from `hostId`. */
  fresh(hostId: number, sequence: bigint): boolean {
    return this.freshParts(hostId, Number(sequence >> 32n), Number(sequence & 0xffffffffn));
  }
  /**
   * `fresh` for the sequence hi * 2^32 + lo, as read in place from an unauthenticated frame: a
   * sequence at or below the last authenticated one is refused before any HMAC, since the HMAC could
   * not make it acceptable.
   */
  freshParts(hostId: number, hi: number, lo: number): boolean {
    const l = this.last.get(hostId);
    return l === undefined || hi > l.hi || (hi === l.hi && lo > l.lo);
  }
  accept(hostId: number, sequence: bigint): void {
    this.last.delete(hostId);
    this.last.set(hostId, { hi: Number(sequence >> 32n), lo: Number(sequence & 0xffffffffn) });
    if (this.last.size > this.capacity) this.last.delete(this.last.keys().next().value as number);
  }
  get size(): number {
    return this.last.size;
  }
}
