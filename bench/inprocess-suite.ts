import { BinaryProcessor } from '../src/cli/binary';
import { NdjsonProcessor } from '../src/cli/ndjson';
import { allocatedDuring } from './engine';
import { Format, encodeInput } from './process-suite';
import { LOCAL, MIX, clusterConfig, engineFor, frameSet } from './scenarios';
import { Spread, now, spread } from './stats';

/**
 * The `process` formats without the pipe: the same input, cut into 64 KiB chunks as a pipe delivers
 * it, pushed straight into NdjsonProcessor / BinaryProcessor. The gap to the piped figure is what the
 * pipe, the event loop and the reader cost.
 */
export interface InProcessResult {
  format: Format;
  frames: number;
  framesPerSecond: Spread;
  /** V8 heap bytes per frame across the timed runs (the 256 KiB answer batches are the only allocation). */
  bytesPerFrame: number;
}

const CHUNK = 64 * 1024;

export function runInProcessSuite(opts: { runs: number; frames: number; log: (s: string) => void }): InProcessResult[] {
  const set = frameSet(MIX, 3, 8192, 42);
  const results: InProcessResult[] = [];
  for (const format of ['ndjson', 'binary'] as Format[]) {
    const input = encodeInput(set, opts.frames, format);
    const chunks: Buffer[] = [];
    for (let i = 0; i < input.length; i += CHUNK) chunks.push(input.subarray(i, i + CHUNK));
    const emit = (_b: Buffer) => true;
    const engine = engineFor(clusterConfig(3));
    if (engine.hostName !== `m${LOCAL}`) throw new Error('unexpected host');
    const proc = format === 'binary' ? new BinaryProcessor(engine, emit) : new NdjsonProcessor(engine, emit);
    const pass = () => {
      for (const c of chunks) {
        proc.push(c);
        proc.flush();
      }
    };
    pass(); // warm-up
    const secs: number[] = [];
    let bytes = 0;
    for (let r = 0; r < opts.runs; r++) {
      const before = proc.counters.lines;
      let t = 0;
      bytes += allocatedDuring(() => {
        const t0 = now();
        pass();
        t = now() - t0;
      }).bytes;
      if (proc.counters.lines - before !== opts.frames || proc.counters.errors !== 0)
        throw new Error(`${format}: ${proc.counters.lines - before} answers for ${opts.frames} frames`);
      secs.push(t);
    }
    opts.log(`in-process ${format}: ${(opts.frames / spread(secs).median / 1e6).toFixed(2)} M frames/s`);
    results.push({
      format,
      frames: opts.frames,
      framesPerSecond: spread(secs.map((s) => opts.frames / s)),
      bytesPerFrame: bytes / (opts.runs * opts.frames),
    });
  }
  return results;
}
