import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { ContainerModule, injectable } from 'inversify';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createContainer, EngineFactory, loadConfigFile, parseConfig } from '../../src';
import { CONFIG_FILE_LIMIT, KEY_FILE_LIMIT } from '../../src/bounded-file';
import { RESERVED_MAC_RANGES } from '../../src/config';
import { Mapping } from '../../src/mapping';
import { loadClusterKey } from '../../src/membership';

/*
 * Config values and files a real network and a real file system hand the loader: reserved group
 * MACs, lax values, and files that never end (FIFOs, devices, directories, huge files).
 */

const factory = createContainer().get(EngineFactory);
const base = () => ({
  clusterMac: '02-bf-aa-bb-cc-dd',
  hosts: [
    { name: 'host1', addresses: ['198.18.0.1', 'fd00::1'] },
    { name: 'host2', addresses: ['198.18.0.2', 'fd00::2'] },
  ],
});

function error(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('accepted');
}
const load = (cfg: unknown) => error(() => factory.buildCluster(parseConfig(cfg)));

/** One line naming `key`, matching `message`. */
function expectRefused(e: ConfigError, key: string, message: RegExp): void {
  expect({ key: e.key, oneLine: !e.message.includes('\n'), message: e.message }).toEqual({
    key,
    oneLine: true,
    message: expect.stringMatching(message),
  });
}

describe('reserved group MACs are refused for dedicated MACs, the shared MAC and the prefix', () => {
  const cases: [string, string][] = [
    ['33-33-00-00-00-01', '33-33-xx-xx-xx-xx'],
    ['01-00-5e-00-00-01', '01-00-5e-xx-xx-xx'],
    ['01-80-c2-00-00-00', '01-80-c2-xx-xx-xx'],
    ['01-80-c2-00-00-0e', '01-80-c2-xx-xx-xx'],
    ['01-00-0c-cc-cc-cc', '01-00-0c-xx-xx-xx'],
    ['01-1b-19-00-00-00', '01-1b-19-xx-xx-xx'],
    ['01-0c-cd-01-00-01', '01-0c-cd-xx-xx-xx'],
    ['ff-ff-ff-ff-ff-ff', 'ff-ff-ff-ff-ff-ff'],
  ];
  test.each(cases)('hosts[].mac %s', (mac, range) => {
    const c = base();
    (c.hosts[1] as Record<string, unknown>).mac = mac;
    expectRefused(load(c), 'hosts[1].mac', new RegExp(`^config: hosts\\[1\\]\\.mac: ${mac} is in ${range}, `));
  });
  test.each(cases)('hosts[].mac per address, %s', (mac, range) => {
    const c = base();
    (c.hosts[0] as Record<string, unknown>).mac = { 'fd00::1': mac };
    expectRefused(load(c), 'hosts[0].mac["fd00::1"]', new RegExp(`is in ${range}`));
  });
  test.each(cases)('sharedMac %s', (mac, range) => {
    expectRefused(
      load({ ...base(), mode: 'shared', sharedMac: mac }),
      'sharedMac',
      new RegExp(`^config: sharedMac: ${mac} is in ${range}, `),
    );
  });
  test.each([
    ['01-00', '01-00-5e-xx-xx-xx'],
    ['01-80', '01-80-c2-xx-xx-xx'],
    ['33-33', '33-33-xx-xx-xx-xx'],
    ['01-1b', '01-1b-19-xx-xx-xx'],
    ['01-0c', '01-0c-cd-xx-xx-xx'],
    ['ff-ff', 'ff-ff-ff-ff-ff-ff'],
  ])('multicastPrefix %s', (prefix, range) => {
    expectRefused(
      load({ ...base(), multicastPrefix: prefix }),
      'multicastPrefix',
      new RegExp(`^config: multicastPrefix: ${prefix} reaches into ${range}`),
    );
  });
  test('every documented range is refused, and the default and other prefixes still work', () => {
    for (const r of RESERVED_MAC_RANGES) {
      const mac = [...r.prefix, 0, 0, 0, 0, 0, 0]
        .slice(0, 6)
        .map((b) => b.toString(16).padStart(2, '0'))
        .join('-');
      expect(load({ ...base(), mode: 'shared', sharedMac: mac }).key).toBe('sharedMac');
    }
    expect(factory.buildCluster(parseConfig({ ...base(), multicastPrefix: '07-01' })).addresses[0].mac.toString()).toBe(
      '07-01-c6-12-00-01',
    );
    expect(factory.buildCluster(parseConfig(base())).addresses[0].mac.toString()).toBe('03-bf-c6-12-00-01');
  });
  test('a mapping that computes a reserved MAC is refused at config time, naming the address and the range', () => {
    // the built-in mappings keep the prefix, which is checked above; a plug-in mapping may not
    @injectable()
    class LldpMapping implements Mapping {
      readonly name = 'lldp-test';
      readonly families = [4] as const;
      readonly summary = 'maps every IPv4 address into 01-80-c2 (a mistake)';
      map(address: Uint8Array, _prefix: Uint8Array, out: Uint8Array): boolean {
        out.set([0x01, 0x80, 0xc2, 0x00, 0x00, address[3]]);
        return true;
      }
    }
    const f = createContainer(new ContainerModule(({ bind }) => void bind(Mapping).to(LldpMapping))).get(EngineFactory);
    const e = error(() => f.buildCluster(parseConfig({ ...base(), mappings: { ipv4: 'lldp-test' } })));
    expectRefused(
      e,
      'hosts[0].addresses[0]',
      /mapping "lldp-test" gave 01-80-c2-00-00-01 for 198\.18\.0\.1, which is in 01-80-c2-xx-xx-xx/,
    );
  });
});

describe('lax values are refused, one line naming the key', () => {
  test('mappings.ipv6 naming no mapping while no host has an IPv6 address', () => {
    const c = {
      clusterMac: '02-bf-aa-bb-cc-dd',
      hosts: [{ name: 'h1', addresses: ['198.18.0.1'] }],
      mappings: { ipv6: 'x' },
    };
    expectRefused(load(c), 'mappings.ipv6', /^config: mappings\.ipv6: unknown mapping "x"/);
    const c4 = {
      clusterMac: '02-bf-aa-bb-cc-dd',
      hosts: [{ name: 'h1', addresses: ['fd00::1'] }],
      mappings: { ipv4: 'ipv6-low32' },
    };
    expectRefused(load(c4), 'mappings.ipv4', /does not map IPv4 addresses/);
  });
  test.each([
    ['mode', { mode: null }],
    ['multicastPrefix', { multicastPrefix: null }],
    ['virtualIps', { virtualIps: null }],
    ['synthesize', { synthesize: null }],
    ['mappings', { mappings: null }],
    ['mappings.ipv4', { mappings: { ipv4: null } }],
    ['replyRewrite', { replyRewrite: null }],
    ['heartbeat', { heartbeat: null }],
    ['heartbeat.periodMs', { heartbeat: { keyEnv: 'K', periodMs: null } }],
  ])('null for %s', (key, extra) => {
    expectRefused(
      load({ ...base(), ...extra }),
      key,
      new RegExp(`^config: ${key.replace('.', '\\.')}: is null: give a value, or leave the key out for its default$`),
    );
  });
  test('null inside a host', () => {
    const c = base();
    (c.hosts[1] as Record<string, unknown>).mac = null;
    expectRefused(load(c), 'hosts[1].mac', /is null/);
  });
  test.each([' 198.18.0.3', '198.18.0.3 ', 'fd00::3\t', '\nfd00::3'])('a space around an address: %j', (a) => {
    const c = base();
    c.hosts[1].addresses.push(a);
    expectRefused(load(c), 'hosts[1].addresses[2]', /has a leading or trailing space$/);
    expectRefused(load({ ...base(), virtualIps: [a] }), 'virtualIps[0]', /has a leading or trailing space$/);
  });
  test('a space around a MAC or a prefix', () => {
    expectRefused(
      load({ ...base(), clusterMac: ' 02-bf-aa-bb-cc-dd' }),
      'clusterMac',
      /has a leading or trailing space$/,
    );
    expectRefused(
      load({ ...base(), multicastPrefix: '03-bf ' }),
      'multicastPrefix',
      /has a leading or trailing space$/,
    );
  });
});

describe('config and key files: regular files only, of bounded size, never blocking', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'intracluster-files-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('--config /dev/zero, a FIFO without a writer, a directory: one line each, at once', () => {
    const fifo = join(dir, 'config.fifo');
    execFileSync('mkfifo', [fifo]);
    expectRefused(
      error(() => loadConfigFile('/dev/zero')),
      '',
      /^config: \/dev\/zero is a character device: the config must be a regular file \(at most 64 MiB\)$/,
    );
    expectRefused(
      error(() => loadConfigFile(fifo)),
      '',
      /config\.fifo is a FIFO \(named pipe\): the config must be a regular file/,
    );
    expectRefused(
      error(() => loadConfigFile(dir)),
      '',
      /is a directory: the config must be a regular file/,
    );
    expectRefused(
      error(() => loadConfigFile(join(dir, 'missing.json'))),
      '',
      /cannot read .*missing\.json: no such file$/,
    );
  });

  test('a config larger than the limit is refused before it is read', () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    execFileSync('truncate', ['-s', String(CONFIG_FILE_LIMIT + 1), big]);
    expectRefused(
      error(() => loadConfigFile(big)),
      '',
      new RegExp(`big\\.json is ${CONFIG_FILE_LIMIT + 1} bytes: the config may be at most 64 MiB$`),
    );
  });

  test('heartbeat.keyFile: /dev/zero, a FIFO, a directory, a huge file: one line each', () => {
    const hb = (keyFile: string) => ({ periodMs: 1000, missed: 5, keyFile, staticHosts: true });
    const fifo = join(dir, 'key.fifo');
    execFileSync('mkfifo', [fifo]);
    const big = join(dir, 'big.key');
    writeFileSync(big, 'k'.repeat(KEY_FILE_LIMIT + 1), { mode: 0o600 });
    chmodSync(big, 0o600);
    expectRefused(
      error(() => loadClusterKey(hb('/dev/zero'))),
      'heartbeat.keyFile',
      /^config: heartbeat\.keyFile: \/dev\/zero is a character device: the key file must be a regular file \(at most 4 KiB\)$/,
    );
    expectRefused(
      error(() => loadClusterKey(hb(fifo))),
      'heartbeat.keyFile',
      /is a FIFO \(named pipe\): the key file must be a regular file/,
    );
    expectRefused(
      error(() => loadClusterKey(hb(dir))),
      'heartbeat.keyFile',
      /is a directory/,
    );
    expectRefused(
      error(() => loadClusterKey(hb(big))),
      'heartbeat.keyFile',
      /big\.key is 4097 bytes: the key file may be at most 4 KiB$/,
    );
    const good = join(dir, 'good.key');
    writeFileSync(good, 'a'.repeat(64) + '\n', { mode: 0o600 });
    expect(loadClusterKey(hb(good))).toHaveLength(64);
  });
});
