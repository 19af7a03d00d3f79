import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createContainer } from '../../src/container';
import { EngineFactory } from '../../src/di';
import { parseConfig } from '../../src/config';
import { arpFrame } from '../../adapters/arp/repr';
import { ArpOp } from '../../adapters/arp/arp';
import { BinaryProcessor, BinaryRecord } from '../../src/cli/binary';
import { NdjsonProcessor } from '../../src/cli/ndjson';
import {
  BIN,
  CLUSTER,
  FIG6_CONFIG,
  H1,
  H1_MAC,
  H2,
  ROOT,
  ROW,
  ensureBuilt,
  hex,
  line,
  tempDir,
  writeConfig,
} from './helpers';

const factory = createContainer().get(EngineFactory);
const config = parseConfig(FIG6_CONFIG);

/** One input record: direction, 0, length (big-endian), frame. */
function rec(direction: number, frame: Uint8Array, second = 0): Buffer {
  const h = Buffer.from([direction, second, frame.length >> 8, frame.length & 0xff]);
  return Buffer.concat([h, Buffer.from(frame)]);
}

interface Answer {
  type: number;
  /** Second header byte: 0, or the length of the reason id in a type-5 record. */
  second: number;
  reason: number;
  body: Buffer;
}

/** Splits an output stream into records; every byte must belong to one. */
function parse(out: Buffer): Answer[] {
  const r: Answer[] = [];
  let p = 0;
  while (p < out.length) {
    expect(p + 6).toBeLessThanOrEqual(out.length);
    if (out[p] !== BinaryRecord.Reason) expect(out[p + 1]).toBe(0);
    const len = out.readUInt16BE(p + 4);
    r.push({
      type: out[p],
      second: out[p + 1],
      reason: out.readUInt16BE(p + 2),
      body: out.subarray(p + 6, p + 6 + len),
    });
    p += 6 + len;
  }
  expect(p).toBe(out.length);
  return r;
}

/** Answers with the reason ids and texts resolved from the type-5 records that came before them. */
function readable(out: Buffer): { verdict: string; frame?: string; reason: string; reasonId?: string }[] {
  const texts = new Map<number, string>();
  const ids = new Map<number, string>();
  const names = ['pass', 'rewrite', 'drop', 'reply', 'error'];
  const r: { verdict: string; frame?: string; reason: string; reasonId?: string }[] = [];
  for (const a of parse(out)) {
    if (a.type === BinaryRecord.Reason) {
      expect(texts.has(a.reason)).toBe(false); // defined once
      expect(a.second).toBeGreaterThan(0); // every reason has an id
      ids.set(a.reason, a.body.subarray(0, a.second).toString('latin1'));
      texts.set(a.reason, a.body.subarray(a.second).toString('utf8'));
      continue;
    }
    if (a.type === BinaryRecord.Error) {
      r.push({ verdict: 'error', reason: a.body.toString('utf8') });
      continue;
    }
    if (a.reason !== 0) expect(texts.has(a.reason)).toBe(true); // defined before use
    r.push({
      verdict: names[a.type],
      ...(a.type === BinaryRecord.Drop ? {} : { frame: a.body.toString('hex') }),
      reason: texts.get(a.reason) ?? '',
      ...(a.reason !== 0 ? { reasonId: ids.get(a.reason) } : {}),
    });
  }
  return r;
}

function run(input: Buffer, sizes: number[], host = 'host2', cfg = config): Buffer {
  const out: Buffer[] = [];
  const p = new BinaryProcessor(factory.create(cfg, host), (b) => (out.push(Buffer.from(b)), true));
  for (let i = 0, k = 0; i < input.length; k++) {
    const n = sizes[k % sizes.length];
    p.push(input.subarray(i, i + n));
    p.flush();
    i += n;
  }
  p.end();
  p.flush();
  return Buffer.concat(out);
}

const forHost1 = arpFrame(
  { dst: H1_MAC, src: CLUSTER },
  { op: ArpOp.REPLY, sha: CLUSTER, spa: H2, tha: CLUSTER, tpa: H1 },
);
const nonMember = arpFrame(
  { dst: 'ff-ff-ff-ff-ff-ff', src: '02-00-00-00-00-32' },
  { op: ArpOp.REQUEST, sha: '02-00-00-00-00-32', spa: '12.12.4.50', tha: '00-00-00-00-00-00', tpa: H2 },
);

describe('BinaryProcessor', () => {
  test('FIG. 6 rows 600 -> 610 and 620 -> 630 at host2, byte for byte, with their reasons', () => {
    const out = readable(run(Buffer.concat([rec(0, ROW[600]), rec(1, ROW[620])]), [1 << 20]));
    expect(out).toEqual([
      { verdict: 'rewrite', frame: hex(ROW[610]), reason: expect.stringMatching(/step 502/), reasonId: 'arp.step502' },
      { verdict: 'rewrite', frame: hex(ROW[630]), reason: expect.stringMatching(/step 508/), reasonId: 'arp.step508' },
    ]);
  });

  test('the same verdicts, frames and reasons as the NDJSON format, for every frame kind', () => {
    const frames: [number, Uint8Array][] = [
      [0, ROW[600]],
      [1, ROW[620]],
      [1, ROW[600]],
      [0, forHost1],
      [0, nonMember],
      [0, ROW[600].subarray(0, 10)],
      [0, new Uint8Array(0)],
    ];
    const bin = readable(run(Buffer.concat(frames.map(([d, f]) => rec(d, f))), [1 << 20]));
    const ndOut: Buffer[] = [];
    const nd = new NdjsonProcessor(factory.create(config, 'host2'), (b) => (ndOut.push(Buffer.from(b)), true));
    nd.push(Buffer.from(frames.map(([d, f]) => line(d ? 'outbound' : 'inbound', f)).join('')));
    nd.end();
    nd.flush();
    const json = Buffer.concat(ndOut)
      .toString()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(bin).toEqual(
      json.map((o) => ({
        verdict: o.verdict,
        ...(o.frame !== undefined ? { frame: o.frame } : {}),
        reason: o.reason ?? '',
        ...(o.reasonId !== undefined ? { reasonId: o.reasonId } : {}),
      })),
    );
  });

  test('a reply carries the synthesized frame (row 640)', () => {
    const syn = parseConfig({ ...FIG6_CONFIG, synthesize: true });
    expect(readable(run(rec(1, ROW[600]), [1 << 20], 'host1', syn))).toEqual([
      {
        verdict: 'reply',
        frame: hex(ROW[640]),
        reason: expect.stringMatching(/synthesizer/),
        reasonId: 'arp.synthesized',
      },
    ]);
  });

  test('any chunking gives the same bytes as one chunk', () => {
    const input = Buffer.concat([
      rec(0, ROW[600]),
      rec(1, ROW[620]),
      rec(7, ROW[600]),
      rec(0, forHost1),
      rec(0, nonMember),
      rec(0, new Uint8Array(0)),
      rec(0, ROW[600]),
    ]);
    const whole = run(input, [input.length]);
    expect(readable(whole)).toHaveLength(7);
    for (const sizes of [[1], [2], [3], [5], [1, 64, 2], [63]]) expect(run(input, sizes).equals(whole)).toBe(true);
  });

  test('a bad header is an error record, the frame is skipped, and the next record is read', () => {
    const out = readable(run(Buffer.concat([rec(2, ROW[600]), rec(0, ROW[600], 1), rec(0, ROW[600])]), [1 << 20]));
    expect(out).toEqual([
      { verdict: 'error', reason: 'direction byte 2 is not 0 (inbound) or 1 (outbound)' },
      { verdict: 'error', reason: 'second header byte is 1, must be 0' },
      { verdict: 'rewrite', frame: hex(ROW[610]), reason: expect.stringMatching(/step 502/), reasonId: 'arp.step502' },
    ]);
  });

  test('a record cut short at end of input is an error record', () => {
    expect(readable(run(rec(0, ROW[600]).subarray(0, 30), [7]))).toEqual([
      { verdict: 'error', reason: 'truncated record at end of input: 26 of 60 frame bytes' },
    ]);
    expect(readable(run(Buffer.from([0, 0]), [1]))).toEqual([
      { verdict: 'error', reason: 'truncated record at end of input: 2 of 4 header bytes' },
    ]);
  });

  test('a frame of 65535 bytes goes through; a shorter one after it carries no stale bytes', () => {
    const big = new Uint8Array(65535).fill(0xee);
    big.set(ROW[600]);
    const want = Uint8Array.from(big);
    want.set(ROW[610]);
    const out = readable(run(Buffer.concat([rec(0, big), rec(0, ROW[600].subarray(0, 20))]), [4096]));
    expect(out.map((o) => o.frame)).toEqual([hex(want), hex(ROW[600].subarray(0, 20))]);
  });

  test('order is kept over 10,000 records (each numbered in its padding)', () => {
    const parts: Buffer[] = [];
    const want: string[] = [];
    for (let i = 0; i < 10000; i++) {
      const f = Uint8Array.from(i % 2 ? ROW[600] : ROW[620]);
      f[56] = i >> 8;
      f[57] = i & 0xff;
      parts.push(rec(i % 2 ? 0 : 1, f));
      const w = Uint8Array.from(i % 2 ? ROW[610] : ROW[630]);
      w[56] = i >> 8;
      w[57] = i & 0xff;
      want.push(hex(w));
    }
    expect(readable(run(Buffer.concat(parts), [1000, 17])).map((o) => o.frame)).toEqual(want);
  });
});

describe('intracluster process --format binary', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    ensureBuilt();
    dir = tempDir();
    file = writeConfig(dir, FIG6_CONFIG);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const proc = (args: string[], input: Buffer) =>
    spawnSync(process.execPath, [BIN, 'process', '--config', file, ...args], { cwd: ROOT, input, maxBuffer: 1 << 30 });

  test('answers records over a pipe; --stats counts records', () => {
    const r = proc(
      ['--host', 'host2', '--format', 'binary', '--stats'],
      Buffer.concat([rec(0, ROW[600]), rec(9, ROW[600]), rec(1, ROW[620])]),
    );
    expect(r.status).toBe(0);
    expect(readable(r.stdout)).toEqual([
      { verdict: 'rewrite', frame: hex(ROW[610]), reason: expect.stringMatching(/step 502/), reasonId: 'arp.step502' },
      { verdict: 'error', reason: expect.stringMatching(/direction byte 9/) },
      { verdict: 'rewrite', frame: hex(ROW[630]), reason: expect.stringMatching(/step 508/), reasonId: 'arp.step508' },
    ]);
    expect(r.stderr.toString()).toMatch(
      /^intracluster process: 3 records, 1 error records, 2 frames: pass 0, rewrite 2/,
    );
  });

  test('an unknown format is one line, exit 2', () => {
    const r = proc(['--host', 'host2', '--format', 'xml'], Buffer.alloc(0));
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toMatch(/^intracluster process: --format must be "ndjson" or "binary", got "xml".*\n$/);
  });
});
