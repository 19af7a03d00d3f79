import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoldenResult, GoldenRunOptions, failedGoldenVector, judgeGoldenVector } from './runner';
import { GoldenVector } from './vector';

/**
 * The golden runner against any command that speaks the `intracluster process` contract
 * (docs/cli.md): for each vector, `COMMAND --config FILE --host NAME [--format binary]` is started
 * through the shell, the vector's `before` frames and then its input are written to its stdin in
 * the format asked for, stdin is closed, and the last answer is judged like an engine's verdict.
 */
export type PipeFormat = 'ndjson' | 'binary';

export interface GoldenPipeOptions extends GoldenRunOptions {
  /** The command line the arguments are appended to (run by /bin/sh). */
  readonly command: string;
  /** Format of stdin and stdout (default ndjson; binary appends `--format binary`). */
  readonly format?: PipeFormat;
  /** Folder the command runs in (default: the current one). */
  readonly cwd?: string;
  /** Milliseconds one vector may take (default 30000); then the command is killed and the vector fails. */
  readonly timeoutMs?: number;
}

const VERDICTS = ['pass', 'rewrite', 'drop', 'reply', 'error'];
const REASON_RECORD = 5;

/** A shell word: the text in single quotes. */
function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Encodes frames in the `process` input format. */
export function encodeProcessInput(
  frames: readonly { direction: 'inbound' | 'outbound'; frame: Uint8Array }[],
  format: PipeFormat,
): Buffer {
  if (format === 'ndjson')
    return Buffer.from(
      frames
        .map((f) => JSON.stringify({ direction: f.direction, frame: Buffer.from(f.frame).toString('hex') }) + '\n')
        .join(''),
    );
  const parts: Buffer[] = [];
  for (const f of frames) {
    const h = Buffer.alloc(4);
    h[0] = f.direction === 'inbound' ? 0 : 1;
    h.writeUInt16BE(f.frame.length, 2);
    parts.push(h, Buffer.from(f.frame));
  }
  return Buffer.concat(parts);
}

/** One answer of a `process` command. */
export interface ProcessAnswer {
  readonly verdict: string;
  readonly reason: string;
  /** The reason's stable id, when the command gives one (NDJSON `reasonId`, binary type 5 records). */
  readonly reasonId?: string;
  /** pass, rewrite: the frame; reply: the reply. */
  readonly frame?: Uint8Array;
}

/** Decodes the output of a `process` command (throws Error naming what is wrong). */
export function decodeProcessOutput(out: Buffer, format: PipeFormat): ProcessAnswer[] {
  const answers: ProcessAnswer[] = [];
  if (format === 'ndjson') {
    const text = out.toString('utf8');
    if (text.length > 0 && !text.endsWith('\n')) throw new Error('the output does not end with a newline');
    for (const [i, line] of text.split('\n').slice(0, -1).entries()) {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`output line ${i + 1} is not JSON: ${line.slice(0, 80)}`);
      }
      if (!o || typeof o !== 'object' || typeof o.verdict !== 'string' || !VERDICTS.includes(o.verdict))
        throw new Error(`output line ${i + 1} has no known "verdict": ${line.slice(0, 80)}`);
      const hex = o.verdict === 'reply' ? o.reply : o.frame;
      if (
        (o.verdict === 'pass' || o.verdict === 'rewrite' || o.verdict === 'reply') &&
        (typeof hex !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(hex))
      )
        throw new Error(
          `output line ${i + 1}: verdict ${o.verdict} without the "${o.verdict === 'reply' ? 'reply' : 'frame'}" hex`,
        );
      answers.push({
        verdict: o.verdict,
        reason: typeof o.reason === 'string' ? o.reason : '',
        reasonId: typeof o.reasonId === 'string' ? o.reasonId : undefined,
        frame: typeof hex === 'string' ? Uint8Array.from(Buffer.from(hex, 'hex')) : undefined,
      });
    }
    return answers;
  }
  const reasons = new Map<number, { id?: string; text: string }>([[0, { text: '' }]]);
  let at = 0;
  while (at < out.length) {
    if (out.length - at < 6) throw new Error(`a record header is cut short at output byte ${at}`);
    const type = out[at];
    const second = out[at + 1];
    const reason = out.readUInt16BE(at + 2);
    const len = out.readUInt16BE(at + 4);
    if (out.length - at - 6 < len)
      throw new Error(`the record at output byte ${at} says ${len} bytes, ${out.length - at - 6} follow`);
    const body = out.subarray(at + 6, at + 6 + len);
    at += 6 + len;
    if (type === REASON_RECORD) {
      // the second byte is the length of the reason's stable id at the start of the body (0: none)
      if (second > len)
        throw new Error(`the reason record at output byte ${at - 6 - len} says an id of ${second} bytes in ${len}`);
      reasons.set(reason, {
        id: second > 0 ? body.subarray(0, second).toString('latin1') : undefined,
        text: body.subarray(second).toString('utf8'),
      });
      continue;
    }
    if (type >= VERDICTS.length) throw new Error(`unknown record type ${type} at output byte ${at - 6 - len}`);
    const verdict = VERDICTS[type];
    if (verdict === 'error') answers.push({ verdict, reason: body.toString('utf8') });
    else {
      if (!reasons.has(reason)) throw new Error(`reason ${reason} used before a type 5 record defined it`);
      const r = reasons.get(reason)!;
      answers.push({
        verdict,
        reason: r.text,
        reasonId: r.id,
        frame: verdict === 'drop' ? undefined : Uint8Array.from(body),
      });
    }
  }
  return answers;
}

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  spawnError?: Error;
}

function runCommand(line: string, input: Buffer, cwd: string | undefined, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(line, { shell: true, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 4096) err += d.toString('utf8');
    });
    child.stdin.on('error', () => undefined); // a command that exits early: its answer tells why
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, stdout: Buffer.concat(out), stderr: err, timedOut, spawnError: e });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err, timedOut });
    });
    child.stdin.end(input);
  });
}

/** The raw `config` of a vector file: the config file it names, or a temporary file with the inline object. */
function configFile(vector: GoldenVector, tmp: () => string): string {
  if (vector.configSource !== 'inline') return vector.configSource;
  const raw = (JSON.parse(readFileSync(vector.file, 'utf8')) as { config: unknown }).config;
  const file = join(tmp(), `${vector.name}.config.json`);
  writeFileSync(file, JSON.stringify(raw));
  return file;
}

/** Runs one vector through the command; one process per vector, so no state crosses vectors. */
export async function runGoldenVectorVia(
  vector: GoldenVector,
  options: GoldenPipeOptions,
  tmp: () => string = lazyTmp().get,
): Promise<GoldenResult> {
  const format = options.format ?? 'ndjson';
  const args = [
    '--config',
    configFile(vector, tmp),
    '--host',
    vector.host,
    ...(format === 'binary' ? ['--format', 'binary'] : []),
  ];
  const line = `${options.command} ${args.map(shellQuote).join(' ')}`;
  const frames = [
    ...vector.before.map((b) => ({ direction: b.direction, frame: b.input })),
    { direction: vector.direction, frame: vector.input },
  ];
  const ran = await runCommand(line, encodeProcessInput(frames, format), options.cwd, options.timeoutMs ?? 30_000);
  const said = ran.stderr.trim() ? `; stderr: ${ran.stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
  if (ran.spawnError) return failedGoldenVector(vector, `cannot run ${line}: ${ran.spawnError.message}`);
  if (ran.timedOut)
    return failedGoldenVector(vector, `${line}: no end within ${options.timeoutMs ?? 30_000} ms (killed)${said}`);
  if (ran.code !== 0) return failedGoldenVector(vector, `${line}: exited with ${ran.code ?? ran.signal}${said}`);
  let answers: ProcessAnswer[];
  try {
    answers = decodeProcessOutput(ran.stdout, format);
  } catch (e) {
    return failedGoldenVector(vector, `${line}: ${(e as Error).message}`);
  }
  if (answers.length !== frames.length)
    return failedGoldenVector(vector, `${line}: ${answers.length} answers for ${frames.length} frames${said}`);
  const failures: string[] = [];
  answers.slice(0, -1).forEach((a, i) => {
    if (a.verdict === 'error') failures.push(`before[${i}]: the command answered error: ${a.reason}`);
  });
  const last = answers[answers.length - 1];
  if (last.verdict === 'error') failures.push(`the command answered error: ${last.reason}`);
  return judgeGoldenVector(
    vector,
    {
      verdict: last.verdict,
      reason: last.reason,
      reasonId: last.reasonId,
      frame: last.verdict === 'reply' ? undefined : last.frame,
      reply: last.verdict === 'reply' ? last.frame : undefined,
    },
    options,
    failures,
  );
}

function lazyTmp(): { get: () => string; done: () => void } {
  let dir: string | undefined;
  return {
    get: () => (dir ??= mkdtempSync(join(tmpdir(), 'intracluster-golden-'))),
    done: () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs vectors through the command, `jobs` at a time (default 2); results in the vectors' order. */
export async function runGoldenVectorsVia(
  vectors: readonly GoldenVector[],
  options: GoldenPipeOptions & { jobs?: number },
): Promise<GoldenResult[]> {
  const tmp = lazyTmp();
  const results: GoldenResult[] = new Array(vectors.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < vectors.length) {
      const i = next++;
      results[i] = await runGoldenVectorVia(vectors[i], options, tmp.get);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs ?? 2, vectors.length)) }, worker));
  } finally {
    tmp.done();
  }
  return results;
}
