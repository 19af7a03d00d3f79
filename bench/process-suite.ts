import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FrameSet, LOCAL, MIX, clusterConfigJson, frameSet } from './scenarios';
import { Spread, now, spread } from './stats';

/**
 * `intracluster process` end to end: a child process (the built CLI, as a user runs it) fed the
 * realistic mix over a pipe, its answers read back over a pipe and counted. One child per format;
 * a warm-up batch first, then the timed batches, each from the first byte written to the last
 * answer read.
 */
export type Format = 'ndjson' | 'binary';

export interface ProcessResult {
  format: Format;
  frames: number;
  framesPerSecond: Spread;
  /** Megabytes per second into the child (input side). */
  inputMBps: Spread;
  /** CPU time of the child per wall second (1.0 = one core busy), from /proc. */
  childCpuShare: Spread;
}

const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'bin', 'intracluster.js');

/** The input of one batch: `count` frames of the set, repeated, in the given format. */
export function encodeInput(set: FrameSet, count: number, format: Format): Buffer {
  const parts: Buffer[] = [];
  const n = set.offsets.length;
  const one: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const f = set.pristine.subarray(set.offsets[i], set.offsets[i] + set.lengths[i]);
    if (format === 'ndjson') {
      one.push(
        Buffer.from(
          `{"direction":"${set.directions[i] === 0 ? 'inbound' : 'outbound'}","frame":"${Buffer.from(f).toString('hex')}"}\n`,
        ),
      );
    } else {
      const h = Buffer.alloc(4);
      h[0] = set.directions[i];
      h.writeUInt16BE(f.length, 2);
      one.push(Buffer.concat([h, Buffer.from(f)]));
    }
  }
  for (let i = 0; i < count; i++) parts.push(one[i % n]);
  return Buffer.concat(parts);
}

/** Counts answers in the output stream: lines (NDJSON) or records (binary), across chunk boundaries. */
class AnswerCounter {
  count = 0;
  private skip = 0;
  private readonly head = Buffer.alloc(6);
  private headLen = 0;
  constructor(private readonly format: Format) {}

  push(b: Buffer): void {
    if (this.format === 'ndjson') {
      for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) this.count++;
      return;
    }
    // binary answer: verdict u8, 0 u8, reason u16, length u16, then `length` bytes
    let p = 0;
    while (p < b.length) {
      if (this.skip > 0) {
        const k = Math.min(this.skip, b.length - p);
        this.skip -= k;
        p += k;
        continue;
      }
      this.head[this.headLen++] = b[p++];
      if (this.headLen === 6) {
        this.headLen = 0;
        this.skip = this.head.readUInt16BE(4);
        if (this.head[0] <= 4) this.count++; // verdicts and errors answer a frame; 5 defines a reason text
      }
    }
  }
}

/** CPU seconds (user + system) the process has used so far, from /proc (Linux). */
function cpuOf(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}

function batch(
  child: ChildProcessWithoutNullStreams,
  counter: AnswerCounter,
  input: Buffer,
  frames: number,
): Promise<{ wall: number; cpu: number }> {
  return new Promise((done, fail) => {
    const target = counter.count + frames;
    const c0 = cpuOf(child.pid!);
    const t0 = now();
    const onData = (b: Buffer) => {
      counter.push(b);
      if (counter.count >= target) {
        child.stdout.removeListener('data', onData);
        child.removeListener('exit', onExit);
        done({ wall: now() - t0, cpu: cpuOf(child.pid!) - c0 });
      }
    };
    const onExit = (code: number | null) =>
      fail(new Error(`intracluster process exited (${code}) after ${counter.count} answers`));
    child.stdout.on('data', onData);
    child.once('exit', onExit);
    child.stdin.write(input);
  });
}

export async function runProcessSuite(opts: {
  runs: number;
  frames: number;
  formats: Format[];
  log: (s: string) => void;
}): Promise<ProcessResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'intracluster-bench-'));
  const results: ProcessResult[] = [];
  try {
    const config = join(dir, 'cluster.json');
    writeFileSync(config, JSON.stringify(clusterConfigJson(3)));
    const set = frameSet(MIX, 3, 8192, 42);
    for (const format of opts.formats) {
      const input = encodeInput(set, opts.frames, format);
      const args = [BIN, 'process', '--config', config, '--host', `m${LOCAL}`];
      if (format === 'binary') args.push('--format', 'binary');
      const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b) => (stderr += b));
      const counter = new AnswerCounter(format);
      const wall: number[] = [];
      const cpu: number[] = [];
      try {
        await batch(child, counter, input, opts.frames); // warm-up
        for (let r = 0; r < opts.runs; r++) {
          const t = await batch(child, counter, input, opts.frames);
          wall.push(t.wall);
          cpu.push(t.cpu / t.wall);
          opts.log(
            `process ${format}: run ${r + 1}/${opts.runs}: ${(opts.frames / t.wall / 1e3).toFixed(0)} k frames/s`,
          );
        }
      } catch (e) {
        throw new Error(`${(e as Error).message}${stderr ? `: ${stderr.trim()}` : ''}`);
      } finally {
        child.stdin.end();
        await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      }
      results.push({
        format,
        frames: opts.frames,
        framesPerSecond: spread(wall.map((s) => opts.frames / s)),
        inputMBps: spread(wall.map((s) => input.length / s / 1e6)),
        childCpuShare: spread(cpu),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
