import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { MAX_LINE_BYTES, NdjsonProcessor } from '../../src/cli/ndjson';
import { buildScratch, scratchArb } from '../property/arbitraries';
import { CONFIGS, MODELS, newEngine } from '../property/model';
import { BIN, ROOT, ensureBuilt } from './cli';

/**
 * Robustness, `intracluster process`: binary junk, empty lines, lines over 1 MiB, half a line at EOF:
 * an error line each, memory bounded, no crash, exit 0 at EOF; a closed stdout ends it quietly.
 * The NDJSON processor is checked in process over generated streams cut into random chunks; the
 * built CLI is then spawned on large streams and its peak RSS (VmHWM) read from /proc.
 */

const RUNS = Number(process.env.PROPERTY_RUNS_NDJSON ?? 3000);
const VERDICTS = ['pass', 'rewrite', 'drop', 'reply', 'error'];

type LineSpec =
  | { k: 'frame'; direction: string; hex: string }
  | { k: 'junk'; bytes: Uint8Array }
  | { k: 'empty'; ws: string }
  | { k: 'json'; text: string };

const frameLine = fc.record({
  k: fc.constant('frame' as const),
  direction: fc.constantFrom('inbound', 'outbound'),
  hex: scratchArb.map((s) => Buffer.from(buildScratch(s)).toString('hex')),
});
const lineArb: fc.Arbitrary<LineSpec> = fc.oneof(
  { arbitrary: frameLine, weight: 5 },
  // junk: any bytes but the newline (which would make it two lines)
  {
    arbitrary: fc.record({
      k: fc.constant('junk' as const),
      bytes: fc.uint8Array({ minLength: 1, maxLength: 60 }).map((b) => b.map((x) => (x === 10 ? 11 : x))),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ k: fc.constant('empty' as const), ws: fc.constantFrom('', ' ', '\t', '\r', '  \t ') }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      k: fc.constant('json' as const),
      text: fc.oneof(
        fc.constantFrom(
          '{}',
          '[]',
          'null',
          '"x"',
          '{"direction":"inbound"}',
          '{"frame":"00"}',
          '{"direction":"up","frame":"00"}',
          '{"direction":"inbound","frame":"0"}',
          '{"direction":"inbound","frame":"zz"}',
          '{"direction":"inbound","frame":12}',
          '{"direction":"in\\u0062ound","frame":"' + '00'.repeat(60) + '"}',
          '{"direction":"inbound","frame":"' + 'ab'.repeat(65536) + '"}',
        ),
        fc.json().map((j) => j.replace(/\n/g, ' ')),
      ),
    }),
    weight: 2,
  },
);

function lineBytes(l: LineSpec): Buffer {
  switch (l.k) {
    case 'frame':
      return Buffer.from(JSON.stringify({ direction: l.direction, frame: l.hex }));
    case 'junk':
      return Buffer.from(l.bytes);
    case 'empty':
      return Buffer.from(l.ws);
    case 'json':
      return Buffer.from(l.text);
  }
}

/** Feeds `input` in chunks cut at `cuts`, returns the output text. */
function runProcessor(input: Buffer, cuts: number[], model = MODELS[0]): string {
  const out: Buffer[] = [];
  const p = new NdjsonProcessor(newEngine(model, 'host1'), (b) => (out.push(Buffer.from(b)), true));
  let at = 0;
  for (const c of [...cuts.map((x) => x % (input.length + 1))].sort((a, b) => a - b)) {
    p.push(input.subarray(at, Math.max(at, c)));
    at = Math.max(at, c);
    p.flush();
  }
  p.push(input.subarray(at));
  p.end();
  p.flush();
  return Buffer.concat(out).toString('utf8');
}

describe('NDJSON processor (fast-check)', () => {
  test(`${RUNS} generated streams: one answer per line, in order, whatever the chunking`, () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { maxLength: 12 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        (lines, crlf, cuts, halfAtEof) => {
          const parts = lines.map(lineBytes);
          const eol = Buffer.from(crlf ? '\r\n' : '\n');
          // the last line without its newline ("half a line at EOF") is answered too
          const input = Buffer.concat(parts.flatMap((p, i) => (halfAtEof && i === parts.length - 1 ? [p] : [p, eol])));
          const text = runProcessor(input, cuts);
          const whole = runProcessor(input, []);
          if (text !== whole) throw new Error('the answer depends on how the input was cut into chunks');
          const out = text.split('\n');
          if (out.pop() !== '') throw new Error('output does not end with a newline');
          // a half line at EOF that is empty is no line at all
          const expected =
            halfAtEof && parts.length > 0 && parts[parts.length - 1].length === 0 ? parts.length - 1 : parts.length;
          if (out.length !== expected) throw new Error(`${out.length} answers for ${expected} lines`);
          out.forEach((o, i) => {
            const r = JSON.parse(o) as { verdict: string; frame?: string; reason?: string; reply?: string };
            if (!VERDICTS.includes(r.verdict)) throw new Error(`line ${i}: verdict ${r.verdict}`);
            const l = lines[i];
            if (l.k === 'frame') {
              if (r.verdict === 'error') throw new Error(`line ${i}: a well-formed line got an error: ${r.reason}`);
              if ((r.verdict === 'pass' || r.verdict === 'rewrite') && r.frame!.length !== l.hex.length)
                throw new Error(`line ${i}: forwarded ${r.frame!.length / 2} bytes for ${l.hex.length / 2}`);
              if (r.verdict === 'pass' && r.frame !== l.hex) throw new Error(`line ${i}: pass changed the frame`);
            } else if (l.k === 'junk' || l.k === 'empty') {
              if (r.verdict !== 'error' || typeof r.reason !== 'string' || r.reason.length === 0)
                throw new Error(`line ${i} (${l.k}): ${o}`);
            }
            if ((r.verdict === 'drop' || r.verdict === 'error') && !r.reason)
              throw new Error(`line ${i}: ${r.verdict} without a reason`);
          });
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('lines of MAX_LINE_BYTES and one byte more, in any chunking', () => {
    const ok = Buffer.from(
      JSON.stringify({ direction: 'inbound', frame: '00'.repeat(30) }).padEnd(MAX_LINE_BYTES, ' '),
    );
    const long = Buffer.concat([ok, Buffer.from(' ')]);
    for (const cuts of [[], [1], [MAX_LINE_BYTES - 1, MAX_LINE_BYTES], [4096, 65536, MAX_LINE_BYTES + 1]]) {
      const out = runProcessor(Buffer.concat([ok, Buffer.from('\n'), long, Buffer.from('\n'), long]), cuts).split('\n');
      expect(out.slice(0, 3).map((o) => JSON.parse(o).verdict)).toEqual(['pass', 'error', 'error']);
      expect(JSON.parse(out[1]).reason).toBe(`line longer than ${MAX_LINE_BYTES} bytes`);
    }
  });
});

// ---- the built CLI ----

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak resident set of the child (kB, /proc/PID/status VmHWM), read just before stdin was closed. */
  peakKb: number;
}

function vmHwmKb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/**
 * Spawns `intracluster process`, writes `chunks` (with backpressure), waits for `answersBeforeEof`
 * answers, reads VmHWM, then closes stdin and collects the rest until the exit.
 */
function runCli(config: string, chunks: Iterable<Buffer>, answersBeforeEof: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'process', '--config', config, '--host', 'host1'], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let answered = 0;
    let peakKb = 0;
    let inputDone = false;
    let ended = false;
    const it = chunks[Symbol.iterator]();
    const maybeEnd = () => {
      if (ended || !inputDone || answered < answersBeforeEof) return;
      ended = true;
      try {
        peakKb = vmHwmKb(child.pid!);
      } catch {
        /* exited already: the exit code says why */
      }
      child.stdin!.end();
    };
    const pump = () => {
      for (;;) {
        const n = it.next();
        if (n.done) {
          inputDone = true;
          return maybeEnd();
        }
        if (!child.stdin!.write(n.value)) return void child.stdin!.once('drain', pump);
      }
    };
    child.stdout!.on('data', (b: Buffer) => {
      out.push(b);
      for (const x of b) if (x === 10) answered++;
      maybeEnd();
    });
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.stdin!.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        peakKb,
      }),
    );
    pump();
  });
}

describe('intracluster process (spawned)', () => {
  let dir: string;
  let config: string;
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'robust-process-'));
    config = join(dir, 'cluster.json');
    writeFileSync(config, JSON.stringify(CONFIGS.dedicated));
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const good = Buffer.from(
    JSON.stringify({
      direction: 'inbound',
      frame: 'ffffffffffff02bfaabbccdd0806000108000604000102bfaabbccdd0c0c04650000000000000c0c0466' + '00'.repeat(18),
    }) + '\n',
  );

  test('junk, empty lines, lines over 1 MiB and half a line at EOF: an error line each, exit 0', async () => {
    const junk = Buffer.from(
      Array.from({ length: 5000 }, (_, i) => ((i * 2654435761) >>> 24) & 0xff).map((x) => (x === 10 ? 0 : x)),
    );
    const over = (n: number) =>
      Buffer.concat([Buffer.from('{"direction":"inbound","frame":"'), Buffer.alloc(n, 0x61), Buffer.from('"}\n')]);
    const parts = [
      good,
      Buffer.concat([junk, Buffer.from('\n')]),
      Buffer.from('\n'),
      Buffer.from('   \r\n'),
      over(MAX_LINE_BYTES + 1),
      good,
      over(5 << 20),
      over(20 << 20),
      good,
      Buffer.from('{"direction":"outbound","fra'),
    ];
    const kinds = ['pass', 'error', 'error', 'error', 'error', 'pass', 'error', 'error', 'pass', 'error'];
    const r = await runCli(config, parts, kinds.length - 1);
    expect([r.code, r.signal, r.stderr]).toEqual([0, null, '']);
    const lines = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.verdict)).toEqual(kinds);
    expect(lines[4].reason).toBe(`line longer than ${MAX_LINE_BYTES} bytes`);
    expect(lines[9].reason).toMatch(/^not JSON/);
  }, 60_000);

  test('memory stays bounded: peak RSS does not follow the input size (128 MiB vs 512 MiB of over-long lines, 100,000+ frames)', async () => {
    const small = await runCli(config, [good, good], 2);
    expect(small.code).toBe(0);
    const line = Buffer.concat([
      Buffer.from('{"direction":"inbound","frame":"'),
      Buffer.alloc(2 << 20, 0x30),
      Buffer.from('"}\n'),
    ]);
    const batch = Buffer.concat(Array.from({ length: 1000 }, () => good));
    function* input(longLines: number): Generator<Buffer> {
      for (let i = 0; i < longLines; i++) {
        yield line; // 2 MiB each
        if (i % 16 === 0) yield batch;
      }
      for (let i = 0; i < 100; i++) yield batch;
    }
    const peaks: number[] = [];
    for (const longLines of [64, 256]) {
      const batches = 100 + Math.ceil(longLines / 16);
      const r = await runCli(config, input(longLines), longLines + 1000 * batches);
      expect([r.code, r.signal, r.stderr]).toEqual([0, null, '']);
      const lines = r.stdout.split('\n').filter(Boolean);
      expect(lines).toHaveLength(longLines + 1000 * batches);
      expect(lines.filter((l) => l.includes('line longer than'))).toHaveLength(longLines);
      expect(r.peakKb).toBeGreaterThan(0);
      peaks.push(r.peakKb);
    }
    const mib = (kb: number) => (kb / 1024).toFixed(1);
    console.log(
      `intracluster process peak RSS (VmHWM): ${mib(small.peakKb)} MiB for 2 lines; ${mib(peaks[0])} MiB for 128 MiB of over-long lines + 104,000 frames; ${mib(peaks[1])} MiB for 512 MiB + 116,000 frames`,
    );
    // bounded: four times the input adds (almost) nothing, and neither run comes near its input size
    expect(peaks[1] - peaks[0]).toBeLessThan(16 * 1024);
    expect(peaks[1] - small.peakKb).toBeLessThan(64 * 1024);
  }, 180_000);

  test('a closed stdout ends it quietly while input keeps coming', async () => {
    const child = spawn(process.execPath, [BIN, 'process', '--config', config, '--host', 'host1'], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    child.stdin.on('error', () => undefined);
    const batch = Buffer.concat(Array.from({ length: 500 }, () => good));
    let writing = true;
    const pump = () => {
      while (writing && child.stdin.write(batch));
      if (writing) child.stdin.once('drain', pump);
    };
    child.stdout.once('data', () => child.stdout.destroy()); // the reader goes away
    pump();
    const [code, signal] = await new Promise<[number | null, string | null]>((res) =>
      child.on('close', (c, s) => res([c, s])),
    );
    writing = false;
    expect([code, signal, stderr]).toEqual([0, null, '']);
  }, 60_000);
});
