import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { arpFrame } from '../../adapters/arp/repr';
import { ArpOp } from '../../adapters/arp/arp';
import {
  BIN,
  CLUSTER,
  FIG6_CONFIG,
  H1,
  H1_MAC,
  H2,
  ROOT,
  ROW,
  cli,
  ensureBuilt,
  expectOneLine,
  hex,
  line,
  parseLines,
  tempDir,
  writeConfig,
} from './helpers';

let dir: string;
let config: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempDir();
  config = writeConfig(dir, FIG6_CONFIG);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const proc = (host: string, input: string | Buffer, ...extra: string[]) =>
  cli(['process', '--config', config, '--host', host, ...extra], input);

describe('FIG. 6 through `intracluster process`, byte for byte', () => {
  test.each([
    [
      'row 600 -> row 610 at host2, inbound (step 502)',
      'host2',
      'inbound',
      ROW[600],
      ROW[610],
      /step 502/,
      'arp.step502',
    ],
    [
      'row 620 -> row 630 at host2, outbound (step 508)',
      'host2',
      'outbound',
      ROW[620],
      ROW[630],
      /step 508/,
      'arp.step508',
    ],
    [
      'row 630 -> row 640 at host1, inbound (step 510)',
      'host1',
      'inbound',
      ROW[630],
      ROW[640],
      /step.* 510/,
      'data.dedicated-to-cluster',
    ],
  ] as const)('%s', (_, host, direction, input, expected, reason, reasonId) => {
    const r = proc(host, line(direction, input));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const [out] = parseLines(r.stdout);
    expect(out).toEqual({ verdict: 'rewrite', frame: hex(expected), reason: expect.stringMatching(reason), reasonId });
  });

  test('several frames in one stream, each answered in order', () => {
    const r = proc('host2', line('inbound', ROW[600]) + line('outbound', ROW[620]) + line('outbound', ROW[600]));
    expect(parseLines(r.stdout).map((o) => [o.verdict, o.frame])).toEqual([
      ['rewrite', hex(ROW[610])],
      ['rewrite', hex(ROW[630])],
      ['pass', hex(ROW[600])], // host2 does not rewrite requests leaving it
    ]);
  });
});

describe('contract', () => {
  test('each kind of bad line gets an error line and processing goes on, in order', () => {
    const good = line('inbound', ROW[600]);
    const bad: [string, RegExp][] = [
      ['this is not json', /^not JSON/],
      ['{"direction":"inbound","frame":"zz"}', /bad hex.*"z" at position 0/],
      ['{"direction":"inbound","frame":"abc"}', /odd number of hex digits \(3\)/],
      ['{"direction":"sideways","frame":"00"}', /unknown direction "sideways"/],
      ['{"direction":"inbound"}', /missing key "frame"/],
      ['{"frame":"00"}', /missing key "direction"/],
      [
        JSON.stringify({ direction: 'inbound', frame: '00'.repeat(65536) }),
        /frame of 65536 bytes is longer than 65535/,
      ],
      ['', /empty line/],
      ['   ', /empty line/],
      ['[1,2]', /not a JSON object/],
      ['{"direction":"inbound","frame":12}', /"frame" must be a string/],
      ['{"direction":"inbound","frame":"00"} trailing', /^not JSON/],
      ['x'.repeat(1100 * 1024), /line longer than 1048576 bytes/],
    ];
    const input = good + bad.map(([l]) => l + '\n' + good).join('');
    const r = proc('host2', input);
    expect(r.code).toBe(0);
    const out = parseLines(r.stdout);
    expect(out).toHaveLength(1 + bad.length * 2);
    expect(out[0]).toMatchObject({ verdict: 'rewrite', frame: hex(ROW[610]) });
    bad.forEach(([text, reason], i) => {
      expect({ line: text.slice(0, 60), out: out[1 + 2 * i] }).toEqual({
        line: text.slice(0, 60),
        out: { verdict: 'error', reason: expect.stringMatching(reason) },
      });
      expect(out[2 + 2 * i]).toMatchObject({ verdict: 'rewrite', frame: hex(ROW[610]) });
    });
  });

  test('a frame of exactly 65535 bytes is accepted', () => {
    const big = new Uint8Array(65535);
    big.set(ROW[600]);
    const [out] = parseLines(proc('host2', line('inbound', big)).stdout);
    expect(out.verdict).toBe('rewrite');
    expect(out.frame).toBe(hex(ROW[610]) + '00'.repeat(65535 - 60));
  });

  test('JSON that is not in the usual shape is still read (escapes, key order, whitespace, extra keys, CRLF)', () => {
    const h = hex(ROW[600]);
    const escaped = `{"frame":"${h.slice(0, 2)}\\u0066${h.slice(3)}", "direction" : "in\\u0062ound"}`; // \u0066 = "f", \u0062 = "b"
    const input =
      [
        escaped,
        ` { "id": 7, "frame" : "${h.toUpperCase()}" ,"direction":"inbound" } `,
        `{"direction":"inbound","frame":"${h}","note":"x"}\r`,
      ].join('\n') + '\n';
    const out = parseLines(proc('host2', input).stdout);
    expect(out.map((o) => o.frame)).toEqual([hex(ROW[610]), hex(ROW[610]), hex(ROW[610])]);
  });

  test('last line without a newline is answered', () => {
    const out = parseLines(proc('host2', line('inbound', ROW[600]).trimEnd()).stdout);
    expect(out).toEqual([expect.objectContaining({ verdict: 'rewrite' })]);
  });

  test('drop has a reason and no frame; pass carries the frame unchanged', () => {
    const forHost1 = arpFrame(
      { dst: H1_MAC, src: CLUSTER },
      { op: ArpOp.REPLY, sha: CLUSTER, spa: H2, tha: CLUSTER, tpa: H1 },
    );
    const nonMember = arpFrame(
      { dst: 'ff-ff-ff-ff-ff-ff', src: '02-00-00-00-00-32' },
      { op: ArpOp.REQUEST, sha: '02-00-00-00-00-32', spa: '12.12.4.50', tha: '00-00-00-00-00-00', tpa: H2 },
    );
    const out = parseLines(proc('host2', line('inbound', forHost1) + line('inbound', nonMember)).stdout);
    expect(out).toEqual([
      { verdict: 'drop', reason: expect.stringMatching(/not for this host/), reasonId: 'data.not-for-this-host' },
      {
        verdict: 'pass',
        frame: hex(nonMember),
        reason: expect.stringMatching(/non-member/),
        reasonId: 'arp.non-member',
      },
    ]);
  });

  test('reply verdict: the synthesized reply (config "synthesize": true)', () => {
    const syn = writeConfig(dir, { ...FIG6_CONFIG, synthesize: true }, 'synth.json');
    const r = cli(['process', '--config', syn, '--host', 'host1'], line('outbound', ROW[600]));
    const [out] = parseLines(r.stdout);
    // patent, response synthesizer: cluster MAC in Ethernet src/dst and target MAC, IPs swapped,
    // the member's dedicated MAC as sender MAC: row 640
    expect(out).toEqual({
      verdict: 'reply',
      reply: hex(ROW[640]),
      reason: expect.stringMatching(/synthesizer/),
      reasonId: 'arp.synthesized',
    });
  });

  test('order is preserved over 10,000 lines (each frame numbered in its padding)', () => {
    const lines: string[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 10000; i++) {
      if (i % 997 === 0) {
        lines.push(`{"direction":"inbound","frame":"x${i}"}`); // bad hex: an error line in its place
        expected.push('error');
        continue;
      }
      const f = Uint8Array.from(i % 2 ? ROW[600] : ROW[620]);
      f[56] = i >> 8; // padding (bytes 42..59) is kept by every rule
      f[57] = i & 0xff;
      lines.push(JSON.stringify({ direction: i % 2 ? 'inbound' : 'outbound', frame: hex(f) }));
      const want = Uint8Array.from(i % 2 ? ROW[610] : ROW[630]);
      want[56] = i >> 8;
      want[57] = i & 0xff;
      expected.push(hex(want));
    }
    const r = proc('host2', lines.join('\n') + '\n', '--stats');
    const out = parseLines(r.stdout);
    expect(out.map((o) => (o.verdict === 'error' ? 'error' : o.frame))).toEqual(expected);
    expect(r.stderr).toMatch(/10000 lines, 11 error lines, 9989 frames: pass 0, rewrite 9989, drop 0, reply 0/);
  });

  test('streams: each answer comes before the next line is written (no waiting for EOF)', async () => {
    const child = spawn(process.execPath, [BIN, 'process', '--config', config, '--host', 'host2'], { cwd: ROOT });
    let buf = '';
    const answers: string[] = [];
    let wake: (() => void) | null = null;
    child.stdout.on('data', (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        answers.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
      wake?.();
    });
    const nextAnswer = async (n: number) => {
      while (answers.length < n) await new Promise<void>((r) => (wake = r));
    };
    for (let i = 1; i <= 5; i++) {
      child.stdin.write(line('inbound', ROW[600]));
      await nextAnswer(i); // stdin still open: the answer must come anyway
      expect(JSON.parse(answers[i - 1]).frame).toBe(hex(ROW[610]));
    }
    child.stdin.end();
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
  });

  test('a reader that goes away (EPIPE) ends the process quietly, exit 0', async () => {
    const child = spawn(process.execPath, [BIN, 'process', '--config', config, '--host', 'host2'], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => undefined); // the child may be gone before we finish writing
    const got = new Promise<void>((r) => child.stdout.once('data', () => r()));
    const chunk = line('inbound', ROW[600]).repeat(1000);
    const feed = () => {
      for (let i = 0; i < 50 && child.stdin.writable; i++) child.stdin.write(chunk);
    };
    feed();
    await got;
    child.stdout.destroy(); // like `| head -1`
    const timer = setInterval(feed, 20);
    const code = await new Promise((r) => child.on('close', r));
    clearInterval(timer);
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});

describe('mistakes', () => {
  test('unknown host: one line, exit 1', () => {
    expectOneLine(
      proc('host9', ''),
      1,
      /^intracluster process: .*"host9" is not a host of the cluster \(hosts: host1, host2\)\n$/,
    );
  });
  test('missing --host, unknown option: one line, exit 2', () => {
    expectOneLine(cli(['process', '--config', config]), 2, /--host is required/);
    expectOneLine(cli(['process', '--config', config, '--host', 'host1', '--fast']), 2, /Unknown option '--fast'/);
  });
  test('unreadable and invalid configs: one line, exit 1', () => {
    expectOneLine(
      cli(['process', '--config', `${dir}/none.json`, '--host', 'host1']),
      1,
      /cannot read .*none\.json: no such file/,
    );
    expectOneLine(
      cli(['process', '--config', writeConfig(dir, '{ nope', 'bad.json'), '--host', 'host1']),
      1,
      /not valid JSON/,
    );
    expectOneLine(
      cli([
        'process',
        '--config',
        writeConfig(dir, { ...FIG6_CONFIG, clusterMac: '03-bf-aa-bb-cc-dd' }, 'mc.json'),
        '--host',
        'host1',
      ]),
      1,
      /clusterMac: .*multicast/,
    );
  });
});
