import { rmSync } from 'node:fs';
import { FIG6_CONFIG, cli, ensureBuilt, expectOneLine, tempDir, writeConfig } from './helpers';

let dir: string;
let config: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempDir();
  config = writeConfig(dir, FIG6_CONFIG);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('intracluster mac', () => {
  test("each host's addresses and dedicated MACs (03-bf + the IPv4 bytes; a table entry wins)", () => {
    const withTable = writeConfig(
      dir,
      { ...FIG6_CONFIG, hosts: [FIG6_CONFIG.hosts[0], { ...FIG6_CONFIG.hosts[1], mac: '03-bf-00-00-00-02' }] },
      'table.json',
    );
    const r = cli(['mac', '--config', withTable]);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s+/));
    expect(rows).toEqual([
      ['cluster', 'MAC', '02-bf-aa-bb-cc-dd', 'mode', 'dedicated'],
      ['host', 'address', 'mac', 'source'],
      ['host1', '12.12.4.101', '03-bf-0c-0c-04-65', 'ipv4-prefix'],
      ['host2', '12.12.4.102', '03-bf-00-00-00-02', 'table'],
    ]);
  });

  test('--json', () => {
    const r = cli(['mac', '--config', config, '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({
      clusterMac: '02-bf-aa-bb-cc-dd',
      hosts: [
        { host: 'host1', address: '12.12.4.101', mac: '03-bf-0c-0c-04-65' },
        { host: 'host2', address: '12.12.4.102', mac: '03-bf-0c-0c-04-66' },
      ],
    });
  });

  test('config mistakes name the key: one line, exit 1', () => {
    const dup = writeConfig(
      dir,
      { ...FIG6_CONFIG, hosts: [FIG6_CONFIG.hosts[0], { name: 'host2', addresses: ['12.12.4.101'] }] },
      'dup.json',
    );
    expectOneLine(cli(['mac', '--config', dup]), 1, /hosts\[1\]\.addresses\[0\]: 12\.12\.4\.101 is listed twice/);
    const unknown = writeConfig(dir, { ...FIG6_CONFIG, colour: 'blue' }, 'unknown.json');
    expectOneLine(cli(['mac', '--config', unknown]), 1, /colour: unknown key/);
  });
});

describe('intracluster demo', () => {
  let r: ReturnType<typeof cli>;
  beforeAll(() => (r = cli(['demo', '--in-process'])));

  test('exit 0, nothing on stderr, every frame marked equal to the patent', () => {
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/DIFFERS/);
    expect(r.stdout.match(/^ +\[= patent\] /gm)).toHaveLength(9); // rows 600-640, steps 700-706
  });

  test("shows FIG. 6 rows 600 to 640 with the patent's values", () => {
    // FIG. 6 table; "cluster" = 02-bf-aa-bb-cc-dd, ".101" = 12.12.4.101
    const expected: Record<string, string[]> = {
      600: ['ff-ff-ff-ff-ff-ff', 'cluster', 'req', 'cluster', '.101', '00-00-00-00-00-00', '.102'],
      610: ['ff-ff-ff-ff-ff-ff', 'cluster', 'req', '03-bf-0c-0c-04-65', '.101', '00-00-00-00-00-00', '.102'],
      620: ['03-bf-0c-0c-04-65', 'cluster', 'reply', 'cluster', '.102', '03-bf-0c-0c-04-65', '.101'],
      630: ['03-bf-0c-0c-04-65', 'cluster', 'reply', '03-bf-0c-0c-04-66', '.102', 'cluster', '.101'],
      640: ['cluster', 'cluster', 'reply', '03-bf-0c-0c-04-66', '.102', 'cluster', '.101'],
    };
    const rows = r.stdout
      .split('\n')
      .filter((l) => /^6[0-4]0 /.test(l))
      .map((l) => l.split(/\s+/));
    expect(Object.fromEntries(rows.map(([n, ...cells]) => [n, cells]))).toEqual(expected);
    expect(r.stdout).toMatch(/cluster MAC +02-bf-aa-bb-cc-dd/);
    expect(r.stdout).toMatch(/REWRITE: step 502/);
    expect(r.stdout).toMatch(/REWRITE: step 508/);
  });

  test('shows the FIG. 7 data frames and the non-member', () => {
    const fig7 = r.stdout.slice(r.stdout.indexOf('FIG. 7:'), r.stdout.indexOf('A non-member'));
    const rows = fig7
      .split('\n')
      .filter((l) => /^70[0246] /.test(l))
      .map((l) => l.split(/\s+/).slice(0, 5));
    expect(rows).toEqual([
      ['700', '03-bf-0c-0c-04-66', 'cluster', '.101', '.102'],
      ['702', 'cluster', 'cluster', '.101', '.102'],
      ['704', '03-bf-0c-0c-04-65', 'cluster', '.102', '.101'],
      ['706', 'cluster', 'cluster', '.102', '.101'],
    ]);
    expect(r.stdout).toMatch(/non-member's ARP table: 12\.12\.4\.102 -> 02-bf-aa-bb-cc-dd/);
  });

  test('fits a 100-column terminal', () => {
    const widest = Math.max(...r.stdout.split('\n').map((l) => l.length));
    expect(widest).toBeLessThanOrEqual(100);
  });
});

describe('every command', () => {
  const names = () =>
    cli(['--help'])
      .stdout.split('\n')
      .filter((l) => /^ {2}\S/.test(l))
      .map((l) => l.trim().split(/\s+/)[0]);

  test('the built-in commands are listed', () => {
    expect(names()).toEqual(expect.arrayContaining(['process', 'rewrite', 'mac', 'demo']));
  });

  test('--help on each: usage on stdout, exit 0', () => {
    for (const n of names()) {
      const r = cli([n, '--help']);
      expect({ n, code: r.code, head: r.stdout.split('\n')[0] }).toEqual({
        n,
        code: 0,
        head: expect.stringMatching(new RegExp(`^Usage: intracluster ${n}\\b`)),
      });
    }
  });

  test('argument mistakes: one line, exit 2, no stack trace', () => {
    expectOneLine(cli([]), 2, /^intracluster: missing command/);
    expectOneLine(cli(['frobnicate']), 2, /^intracluster: unknown command "frobnicate"/);
    expectOneLine(cli(['mac']), 2, /^intracluster mac: --config is required/);
    expectOneLine(cli(['mac', '--config']), 2, /^intracluster mac: Option '--config <value>' argument missing/);
    expectOneLine(cli(['mac', '--config', config, 'extra']), 2, /^intracluster mac: Unexpected argument 'extra'/);
    expectOneLine(cli(['demo', '--fast']), 2, /^intracluster demo: Unknown option '--fast'/);
    expectOneLine(
      cli(['demo', '--live', '--in-process']),
      2,
      /^intracluster demo: --live and --in-process exclude each other/,
    );
    expectOneLine(cli(['process', '--host', 'host1']), 2, /^intracluster process: --config is required/);
  });
});
