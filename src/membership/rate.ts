/**
 * Bounded work per source for heartbeats that pass the cheap checks: a token bucket per host ID
 * that has been authenticated before, and one shared bucket for every other host ID (newcomers and
 * forgeries alike), so a flood of heartbeats, however many host IDs it names, costs at most a fixed
 * number of HMAC computations per second (docs/heartbeat.md, "Floods"). Numbers only: no
 * allocation per frame. Known host IDs are bounded (least recently admitted forgotten first).
 */
export const HB_RATE = {
  /** Tokens of a known host ID: a burst this size, refilled at `perPeriod` per its heartbeat period. */
  burst: 8,
  perPeriod: 4,
  /** The shared bucket for host IDs never authenticated: burst and tokens per second. */
  newcomerBurst: 32,
  newcomerPerSecond: 64,
  /** Known host IDs remembered (the replay guard keeps as many sequences). */
  maxKnown: 4096,
} as const;

interface Bucket {
  tokens: number;
  at: number;
  /** Tokens per millisecond. */
  rate: number;
}

export class HeartbeatRateGate {
  private readonly known = new Map<number, Bucket>();
  private readonly shared: Bucket = { tokens: HB_RATE.newcomerBurst, at: 0, rate: HB_RATE.newcomerPerSecond / 1000 };

  constructor(private readonly maxKnown: number = HB_RATE.maxKnown) {}

  /** Whether a heartbeat naming `hostId` may be authenticated now (takes a token). */
  take(hostId: number, now: number): boolean {
    const b = this.known.get(hostId);
    return b !== undefined ? takeFrom(b, now, HB_RATE.burst) : takeFrom(this.shared, now, HB_RATE.newcomerBurst);
  }

  /** `hostId` sent an authentic heartbeat announcing `periodMs`: from now on it has its own bucket. */
  admit(hostId: number, periodMs: number, now: number): void {
    const rate = HB_RATE.perPeriod / Math.max(1, periodMs);
    const b = this.known.get(hostId);
    if (b) {
      b.rate = rate;
      this.known.delete(hostId); // re-insert: most recently admitted last
      this.known.set(hostId, b);
      return;
    }
    this.known.set(hostId, { tokens: HB_RATE.burst, at: now, rate });
    if (this.known.size > this.maxKnown) this.known.delete(this.known.keys().next().value as number);
  }

  get knownCount(): number {
    return this.known.size;
  }
}

function takeFrom(b: Bucket, now: number, burst: number): boolean {
  if (now > b.at) {
    b.tokens = Math.min(burst, b.tokens + (now - b.at) * b.rate);
    b.at = now;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}
