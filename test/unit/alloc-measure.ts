import { performance, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Direction, Engine, Verdict } from '../../src';

/**
 * A full collection on demand, so that no incremental marking started by earlier tests in this
 * worker is still running when the rounds begin (V8 may finish it in the middle of a round).
 */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
setFlagsFromString('--no-expose-gc');

/**
 * "A frame-processing call allocates nothing", measured: after a full collection and warm-up, N calls
 * run with no garbage collection starting inside them and the used heap grows by less than one byte
 * per 100 frames. One 16-byte object per frame would show as >= N*16 bytes of growth or as
 * scavenges, in every round. Collections that start outside the N calls (V8's memory reducer and
 * other idle-time work run between rounds, while the event loop turns) are not the calls' doing and
 * are not counted; V8's background work can still move used_heap_size now and then, so the best of 3
 * rounds must be clean.
 */
export async function expectNoAllocationPerFrame(
  engine: Engine,
  dir: Direction,
  template: Uint8Array,
  verdict: Verdict,
  warmUp = 200_000,
  N = 500_000,
): Promise<void> {
  const work = new Uint8Array(template.length);
  work.set(template);
  expect(engine.process(work, dir, template.length)).toBe(verdict);
  collect(); // before the warm-up: a full collection also drops type feedback the JIT then relearns
  run(engine, dir, template, work, warmUp); // let the JIT settle

  const rounds: { gcs: number; bytes: number }[] = [];
  for (let round = 0; round < 3; round++) {
    const starts: number[] = [];
    const obs = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) starts.push(entry.startTime);
    });
    obs.observe({ entryTypes: ['gc'] });
    await flush();
    const t0 = performance.now();
    const before = getHeapStatistics().used_heap_size;
    run(engine, dir, template, work, N);
    const after = getHeapStatistics().used_heap_size;
    const t1 = performance.now();
    await flush();
    obs.disconnect();
    const gcs = starts.filter((t) => t >= t0 && t <= t1).length;
    rounds.push({ gcs, bytes: after - before });
    if (gcs === 0 && after - before < N / 100) break;
  }
  const best = [...rounds].sort((a, b) => a.gcs - b.gcs || a.bytes - b.bytes)[0];
  expect(best.gcs).toBe(0);
  expect(best.bytes).toBeLessThan(N / 100);
}

function run(engine: Engine, dir: Direction, template: Uint8Array, work: Uint8Array, n: number): void {
  for (let i = 0; i < n; i++) {
    work.set(template);
    engine.process(work, dir, template.length);
  }
}

const flush = () => new Promise((r) => setTimeout(r, 50));
