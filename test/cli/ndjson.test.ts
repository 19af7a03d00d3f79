import { createContainer } from '../../src/container';
import { EngineFactory } from '../../src/di';
import { parseConfig } from '../../src/config';
import { MAX_LINE_BYTES, NdjsonProcessor } from '../../src/cli/ndjson';
import { FIG6_CONFIG, ROW, hex, line } from './helpers';

const factory = createContainer().get(EngineFactory);
const config = parseConfig(FIG6_CONFIG);

/** Feeds `input` split into the given chunk sizes (cycled); returns the output text and batches. */
function run(input: Buffer, sizes: number[]): { text: string; batches: number } {
  const out: Buffer[] = [];
  const p = new NdjsonProcessor(factory.create(config, 'host2'), (b) => (out.push(Buffer.from(b)), true));
  for (let i = 0, k = 0; i < input.length; k++) {
    const n = sizes[k % sizes.length];
    p.push(input.subarray(i, i + n));
    p.flush();
    i += n;
  }
  p.end();
  p.flush();
  return { text: Buffer.concat(out).toString(), batches: out.length };
}

const sample = Buffer.from(
  [
    line('inbound', ROW[600]),
    '\n',
    '{"direction":"outbound","frame":"' + hex(ROW[620]) + '"}\r\n',
    'not json\n',
    '{"frame":"0g","direction":"inbound"}\n',
    line('inbound', ROW[630]),
    '{"direction":"inbound","frame":"' + hex(ROW[600]) + '"}', // no final newline
  ].join(''),
);

describe('NdjsonProcessor', () => {
  test('any chunking gives the same output as one chunk', () => {
    const whole = run(sample, [sample.length]).text;
    expect(whole.split('\n')).toHaveLength(8); // 7 answers + final ""
    for (const sizes of [[1], [2], [3], [7], [1, 50, 2], [64]]) expect(run(sample, sizes).text).toBe(whole);
  });

  test('a line over the limit spread over many chunks: one error line, then the next line is read', () => {
    const huge = Buffer.concat([
      Buffer.from('{"direction":"inbound","frame":"'),
      Buffer.alloc(MAX_LINE_BYTES + 10, 0x61),
      Buffer.from('"}\n'),
      Buffer.from(line('inbound', ROW[600])),
    ]);
    const lines = run(huge, [65536])
      .text.trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { verdict: 'error', reason: `line longer than ${MAX_LINE_BYTES} bytes` },
      expect.objectContaining({ verdict: 'rewrite', frame: hex(ROW[610]) }),
    ]);
  });

  test('a line of exactly the limit is read (not cut off)', () => {
    const h = hex(ROW[600]);
    const head = `{"direction":"inbound","frame":"${h}","pad":"`;
    const l = head + 'p'.repeat(MAX_LINE_BYTES - head.length - 2) + '"}';
    expect(Buffer.byteLength(l)).toBe(MAX_LINE_BYTES);
    const [out] = run(Buffer.from(l + '\n'), [65536])
      .text.trimEnd()
      .split('\n')
      .map((x) => JSON.parse(x));
    expect(out).toMatchObject({ verdict: 'rewrite', frame: hex(ROW[610]) });
  });

  test('output is batched: many lines in one chunk give one batch', () => {
    const input = Buffer.from(line('inbound', ROW[600]).repeat(100));
    const r = run(input, [input.length]);
    expect(r.batches).toBe(1);
    expect(r.text.split('\n')).toHaveLength(101);
  });

  test('the frame buffer is reused: a shorter frame after a longer one carries no stale bytes', () => {
    const long = new Uint8Array(100).fill(0xee);
    long.set(ROW[600]);
    const t = run(Buffer.from(line('inbound', long) + line('inbound', ROW[600].subarray(0, 20))), [1000]).text;
    const [, second] = t
      .trimEnd()
      .split('\n')
      .map((x) => JSON.parse(x));
    expect(second.frame).toBe(hex(ROW[600].subarray(0, 20)));
  });
});
