/** Time for the membership layer: injectable, so tests advance a fake clock instead of sleeping. */
export interface Clock {
  /** Monotonic milliseconds (timers, liveness). */
  now(): number;
  /** Wall-clock milliseconds since 1970 (sequence numbers survive restarts: docs/heartbeat.md). */
  wallMs(): number;
  /** Calls `fn` once after `ms`. Returns a handle for `clearTimer`. */
  setTimer(ms: number, fn: () => void): unknown;
  clearTimer(handle: unknown): void;
}

/** The process clock. Timers are unref'd: heartbeats alone never keep a process alive. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallMs: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimer(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

interface FakeTimer {
  due: number;
  seq: number;
  fn: () => void;
}

/** A clock that moves only when told to (`advance`), firing due timers in order. For tests. */
export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(private readonly wallOrigin = 1_700_000_000_000) {}

  now(): number {
    return this.t;
  }
  wallMs(): number {
    return this.wallOrigin + this.t;
  }
  setTimer(ms: number, fn: () => void): unknown {
    const timer = { due: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return timer;
  }
  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((x) => x !== handle);
  }
  /** Pending timers. */
  get pending(): number {
    return this.timers.length;
  }
  /** Moves time forward by `ms`, firing every timer that falls due, at its due time, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const x of this.timers)
        if (x.due <= end && (!next || x.due < next.due || (x.due === next.due && x.seq < next.seq))) next = x;
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = next.due;
      next.fn();
    }
    this.t = end;
  }
}
