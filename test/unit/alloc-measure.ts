import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { Direction, Engine, Verdict } from '../../src';

/**
 * "A frame-processing call allocates nothing", measured: after warm-up, N calls run with no garbage
 * collection at all and the used heap grows by less than one byte per 100 frames. One 16-byte object
 * per frame would show as >= N*16 bytes of growth or as scavenges, in every round. V8's own
 * background work (sweeping, code finalisation) moves used_heap_size by a few MB now and then, so the
 * best of 3 rounds must be clean.
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
  run(engine, dir, template, work, warmUp); // let the JIT settle

  const rounds: { gcs: number; bytes: number }[] = [];
  for (let round = 0; round < 3; round++) {
    let gcs = 0;
    const obs = new PerformanceObserver((list) => (gcs += list.getEntries().length));
    obs.observe({ entryTypes: ['gc'] });
    await flush();
    gcs = 0;
    const before = getHeapStatistics().used_heap_size;
    run(engine, dir, template, work, N);
    const after = getHeapStatistics().used_heap_size;
    await flush();
    obs.disconnect();
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
