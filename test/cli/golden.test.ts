import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands } from '../../src/cli/main';
import { listGoldenVectorFiles } from '../../src/testing';
import { BIN, cli, ensureBuilt, ROOT, tempDir } from './helpers';

/**
 * `intracluster golden`: the shipped vectors against the in-process engine, against the Python pipe
 * client of examples/ (both formats; the client drives `intracluster process --format binary`),
 * and a third-party adapter's own vectors through --require.
 */
const SHIPPED = listGoldenVectorFiles(join(ROOT, 'test', 'golden')).length;
const PLUGIN_VECTORS = join(ROOT, 'examples', 'lldp-plugin', 'golden');
const node = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`;

function lastLine(text: string): string {
  return text.trimEnd().split('\n').pop()!;
}

beforeAll(() => ensureBuilt());

test('the shipped vectors pass in-process and the last line counts them', () => {
  const r = cli(['golden']);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(`${SHIPPED} passed, 0 failed\n`);
  expect(r.code).toBe(0);
});

test.each(['ndjson', 'binary'])(
  'every shipped vector passes through the Python pipe client (%s)',
  (format) => {
    const r = cli(
      ['golden', '--via', 'python3 examples/pipe_client.py', '--format', format, '--jobs', '2'],
      undefined,
      { INTRACLUSTER: node },
    );
    expect(r.stderr).toBe('');
    expect(lastLine(r.stdout)).toBe(`${SHIPPED} passed, 0 failed`);
    expect(r.code).toBe(0);
  },
  900_000,
);

test('a third-party adapter passes its own vectors with --require, and the shipped ones beside them', () => {
  const r = cli(['golden', '--require', './examples/lldp-plugin', PLUGIN_VECTORS, join(ROOT, 'test', 'golden')]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(`${SHIPPED + 4} passed, 0 failed\n`);
  expect(r.code).toBe(0);
});

test('without the plug-in its vectors fail, each with the marked hex diff, exit 1', () => {
  const r = cli(['golden', PLUGIN_VECTORS]);
  expect(r.code).toBe(1);
  expect(lastLine(r.stdout)).toBe('0 passed, 4 failed');
  expect(r.stdout).toContain('golden vector 001-outbound-source-dedicated.json');
  expect(r.stdout).toContain('  - verdict: expected rewrite, got pass (reason: no adapter for this EtherType)');
  expect(r.stdout).toMatch(
    /\n0000 -01 80 c2 00 00 0e 03 bf 0c 0c 04 66 88 cc 02 07\n0000 \+01 80 c2 00 00 0e 02 bf aa bb cc dd 88 cc 02 07\n {24}\^\^ {4}\^\^ \^\^ \^\^ \^\^\n/,
  );
  expect(r.stdout).toContain('differing bytes: 0x6 (Ethernet source), 0x8-0xb (Ethernet source)');
});

test('--via: the same failures from a command, the vector frames streamed before frames first', () => {
  const r = cli(['golden', '--via', `${node} process`, PLUGIN_VECTORS]);
  expect(r.code).toBe(1);
  expect(lastLine(r.stdout)).toBe('0 passed, 4 failed');
  expect(r.stdout).toContain('  - verdict: expected drop, got pass (reason: no adapter for this EtherType)');
  const ok = cli([
    'golden',
    '--via',
    `${node} process --require ./examples/lldp-plugin`,
    '--format',
    'binary',
    PLUGIN_VECTORS,
  ]);
  expect(ok.stdout).toBe('4 passed, 0 failed\n');
  // a command that fails is reported per vector with what it printed
  const bad = cli(['golden', '--via', `${node} process --host`, PLUGIN_VECTORS]);
  expect(bad.code).toBe(1);
  expect(bad.stdout).toMatch(/exited with 2; stderr: intracluster process: /);
});

test('--tshark: the shipped vectors read back as claimed; a wrong claim fails the vector', () => {
  const r = cli(['golden', '--tshark', join(ROOT, 'test', 'golden', 'arp')]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const dir = tempDir();
  cpSync(join(ROOT, 'test', 'golden', 'arp', '001-fig6-row600-to-610.json'), join(dir, '001-fig6-row600-to-610.json'));
  cpSync(join(ROOT, 'test', 'golden', 'configs'), join(dir, 'configs'), { recursive: true });
  const file = join(dir, '001-fig6-row600-to-610.json');
  const v = JSON.parse(readFileSync(file, 'utf8'));
  v.tshark.output['arp.src.hw_mac'] = '03:bf:0c:0c:04:ff';
  writeFileSync(file, JSON.stringify(v));
  const w = cli(['golden', '--tshark', dir]);
  expect(w.code).toBe(1);
  expect(w.stdout).toContain(
    '  - tshark, output frame: arp.src.hw_mac: expected "03:bf:0c:0c:04:ff", read "03:bf:0c:0c:04:65"',
  );
  expect(lastLine(w.stdout)).toBe('0 passed, 1 failed');
});

test.each([
  [['--format', 'binary'], 2, /^intracluster golden: --format is the format spoken with a --via command/],
  [['--via', 'x', '--format', 'xml'], 2, /^intracluster golden: --format must be "ndjson" or "binary", got "xml"/],
  [['--via', 'x', '--jobs', '0'], 2, /^intracluster golden: --jobs must be a whole number from 1 to 256, got "0"/],
  [['/no/such/dir'], 1, /^intracluster golden: \/no\/such\/dir: is not a directory of golden vectors\n$/],
])('golden %j: one line, exit %d', (args, code, message) => {
  const r = cli(['golden', ...(args as string[])]);
  expect(r.code).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stdout).toBe('');
});

test('commands loaded on demand say the same summary as their modules', () => {
  for (const name of ['demo', 'shim', 'status', 'golden']) {
    const c = commands.find((x) => x.name === name)!;
    const mod = require(`../../src/cli/${name}`) as Record<string, { summary: string; help: string }>;
    expect(c.summary).toBe(mod[`${name}Command`].summary);
    expect(c.help).toBe(mod[`${name}Command`].help);
  }
});
