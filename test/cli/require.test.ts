import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePcap } from '../../src/pcap/writer';
import { cli, ensureBuilt, ROOT, tempDir } from './helpers';

/**
 * `--require MODULE` on every command that builds an engine: the plug-in's adapters and mappings
 * join the built-in ones (docs/cli.md, "Plug-ins"). The plug-in is the shipped example
 * examples/lldp-plugin (CommonJS) and an ES module mapping written here.
 */
const PLUGIN = './examples/lldp-plugin';
const CONFIG = join(ROOT, 'examples', 'lldp-plugin', 'golden', 'configs', 'two-hosts.json');
// LLDP from host2's stack: source is the cluster MAC
const LLDP = '0180c200000e02bfaabbccdd88cc020704' + '02bfaabbccdd' + '020703' + '02bfaabbccdd' + '06020078' + '0000';
const LLDP_OUT = LLDP.slice(0, 12) + '03bf0c0c0466' + LLDP.slice(24);

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempDir();
  writeFileSync(
    join(dir, 'low-byte.mjs'),
    "export const mappings = [{ name: 'low-byte', families: [4], summary: 'prefix, zeros, the low IPv4 byte', map(a, p, out) { out.set([p[0], p[1], 0, 0, 0, a[3]]); return true; } }];\n",
  );
  writeFileSync(
    join(dir, 'low-byte.json'),
    JSON.stringify({
      clusterMac: '02-bf-aa-bb-cc-dd',
      mappings: { ipv4: 'low-byte' },
      hosts: [{ name: 'host1', addresses: ['12.12.4.101'] }],
    }),
  );
  writeFileSync(join(dir, 'empty.js'), 'module.exports = { hello: 1 };\n');
  writeFileSync(join(dir, 'class.js'), 'module.exports = { adapters: [class Foo {}] };\n');
  writeFileSync(join(dir, 'throws.js'), "throw new Error('boom at load');\n");
});

test('process: the plug-in adapter decides its EtherType (outbound LLDP gets the dedicated MAC)', () => {
  const line = JSON.stringify({ direction: 'outbound', frame: LLDP }) + '\n';
  const without = cli(['process', '--config', CONFIG, '--host', 'host2'], line);
  expect(JSON.parse(without.stdout)).toMatchObject({ verdict: 'pass', frame: LLDP });
  const withIt = cli(['process', '--config', CONFIG, '--host', 'host2', '--require', PLUGIN], line);
  expect(withIt.stderr).toBe('');
  expect(JSON.parse(withIt.stdout)).toEqual({
    verdict: 'rewrite',
    frame: LLDP_OUT,
    reason: "lldp: outbound LLDP: Ethernet source := this host's dedicated MAC",
    reasonId: 'lldp.source-rewritten',
  });
});

test('rewrite: a capture through the plug-in', () => {
  const input = join(dir, 'lldp.pcap');
  const output = join(dir, 'out.pcap');
  writeFileSync(input, encodePcap([Buffer.from(LLDP, 'hex')]));
  const r = cli([
    'rewrite',
    '--config',
    CONFIG,
    '--host',
    'host2',
    '--direction',
    'outbound',
    '--json',
    '--require',
    PLUGIN,
    input,
    output,
  ]);
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toMatchObject({ frames: 1, byVerdict: { rewrite: 1 } });
});

test('mac: a mapping from an ES module, repeatable with another plug-in', () => {
  const r = cli([
    'mac',
    '--config',
    join(dir, 'low-byte.json'),
    '--json',
    '--require',
    join(dir, 'low-byte.mjs'),
    '--require',
    PLUGIN,
  ]);
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout).hosts).toEqual([
    { host: 'host1', address: '12.12.4.101', mac: '03-bf-00-00-00-65', source: 'low-byte' },
  ]);
  const without = cli(['mac', '--config', join(dir, 'low-byte.json')]);
  expect(without.code).toBe(1);
  expect(without.stderr).toMatch(/unknown mapping "low-byte"/);
});

test.each([
  ['./no-such-plugin', /^intracluster mac: --require \.\/no-such-plugin: cannot find the module \(from .*\)\n$/],
  ['empty.js', /^intracluster mac: --require .*empty\.js: exports no plug-in: export "adapters" and\/or "mappings"/],
  [
    'class.js',
    /^intracluster mac: --require .*class\.js: adapters\[0\] is a class: export an instance \(new Foo\(\)\)\n$/,
  ],
  ['throws.js', /^intracluster mac: --require .*throws\.js: failed to load: boom at load\n$/],
])('a bad plug-in %s is one line and exit 1', (name, message) => {
  const spec = name.startsWith('./') ? name : join(dir, name);
  const r = cli(['mac', '--config', CONFIG, '--require', spec]);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(message);
});

test.each(['shim', 'attach', 'process', 'rewrite', 'mac', 'golden'])('%s lists --require in its help', (cmd) => {
  expect(cli([cmd, '--help']).stdout).toMatch(/--require MODULE/);
});

test.each([
  ['process', ['--datapath', 'kernel']],
  ['attach', ['--dev', 'ic-none0', '--no-control']],
])('%s on the kernel datapath takes plug-in mappings but refuses plug-in adapters, in one line', (cmd, extra) => {
  const r = cli([cmd, '--config', CONFIG, '--host', 'host2', ...extra, '--require', PLUGIN], '');
  expect(r.code).toBe(1);
  expect(r.stderr).toBe(
    `intracluster ${cmd}: --require ./examples/lldp-plugin: the kernel datapath runs the built-in adapters only; a plug-in may add mappings here, not adapters\n`,
  );
});
