import { GCProfiler, getHeapStatistics } from 'node:v8';
import { Direction, Engine, reasonText, verdictName } from '../src';
import { FrameSet } from './scenarios';
import { now } from './stats';

/**
 * One engine workload: a ring of receive buffers (`work`, one view per frame) that every pass first
 * refills from the pristine copy (one memcpy, as a NIC or TAP read would), then runs through
 * `engine.process`. The refill is timed separately and subtracted (it is reported as the harness
 * cost), so the engine figure is the `process` calls alone.
 */
export class Workload {
  readonly work: Uint8Array;
  readonly views: Uint8Array[];
  readonly frames: number;

  constructor(
    readonly name: string,
    readonly engine: Engine,
    readonly set: FrameSet,
  ) {
    this.work = new Uint8Array(set.pristine.length);
    this.views = Array.from(set.offsets, (o, i) => this.work.subarray(o, o + set.lengths[i]));
    this.frames = set.offsets.length;
  }

  /** Every frame gets the verdict the scenario promises; else the bench would time the wrong path. */
  check(): void {
    this.work.set(this.set.pristine);
    for (let i = 0; i < this.frames; i++) {
      const v = this.engine.process(this.views[i], this.set.directions[i] as Direction, this.set.lengths[i]);
      if (v !== this.set.verdicts[i])
        throw new Error(
          `bench "${this.name}", frame ${i}: verdict ${verdictName(v)} (${reasonText(this.engine.reason)}), expected ${verdictName(this.set.verdicts[i])}`,
        );
    }
  }
}

/** `reps` passes over the workload: refill, then process every frame. Returns a verdict sum (kept live). */
export function runPasses(w: Workload, reps: number): number {
  const engine = w.engine;
  const views = w.views;
  const dirs = w.set.directions;
  const lens = w.set.lengths;
  const n = w.frames;
  let sum = 0;
  for (let r = 0; r < reps; r++) {
    w.work.set(w.set.pristine);
    for (let i = 0; i < n; i++) sum += engine.process(views[i], dirs[i] as Direction, lens[i]);
  }
  return sum;
}

/** The refill alone (the harness cost subtracted from runPasses). */
export function runRefills(w: Workload, reps: number): number {
  let sum = 0;
  for (let r = 0; r < reps; r++) {
    w.work.set(w.set.pristine);
    sum += w.work[r & 63];
  }
  return sum;
}

export let sink = 0;

/** Seconds for `reps` passes of `fn`: wall clock, and CPU time of this process. */
export function measure(
  fn: (w: Workload, reps: number) => number,
  w: Workload,
  reps: number,
): { wall: number; cpu: number } {
  const u = process.cpuUsage();
  const t0 = now();
  sink += fn(w, reps);
  const wall = now() - t0;
  const c = process.cpuUsage(u);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

export function time(fn: (w: Workload, reps: number) => number, w: Workload, reps: number): number {
  return measure(fn, w, reps).wall;
}

/** Passes for about `seconds` of work (measured after warm-up). */
export function calibrate(w: Workload, seconds: number): number {
  let reps = 16;
  for (;;) {
    const t = time(runPasses, w, reps);
    if (t > seconds / 4) return Math.max(1, Math.round((reps * seconds) / t));
    reps *= 4;
  }
}

/**
 * Bytes allocated on the V8 heap while `fn` runs: used-heap growth plus what every garbage
 * collection in between freed (from V8's GC profiler), and the number of collections.
 */
export function allocatedDuring(fn: () => void): { bytes: number; gcs: number } {
  const p = new GCProfiler();
  p.start();
  const before = getHeapStatistics().used_heap_size;
  fn();
  const after = getHeapStatistics().used_heap_size;
  const stats = p.stop()?.statistics ?? [];
  let freed = 0;
  // the profiler reports camelCase fields (Node docs), @types/node types them as getHeapStatistics()'s
  const used = (h: object) => (h as { usedHeapSize: number }).usedHeapSize;
  for (const s of stats) freed += used(s.beforeGC.heapStatistics) - used(s.afterGC.heapStatistics);
  return { bytes: after - before + freed, gcs: stats.length };
}
