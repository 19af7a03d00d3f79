import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../src';
import { defaultHostId, loadClusterKey, MIN_KEY_BYTES } from '../../src/membership';

const base = (heartbeat: unknown) => ({
  clusterMac: '02-bf-aa-bb-cc-dd',
  hosts: [{ name: 'a', addresses: ['198.18.0.1'] }],
  heartbeat,
});

function rejects(heartbeat: unknown, key: string, message: RegExp): void {
  let err: unknown;
  try {
    parseConfig(base(heartbeat));
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).key).toBe(key);
  expect((err as ConfigError).message).toMatch(message);
}

describe('config: heartbeat', () => {
  test('defaults: 1000 ms, 5 missed, static hosts', () => {
    expect(parseConfig(base({ keyEnv: 'IC_KEY' })).heartbeat).toEqual({
      periodMs: 1000,
      missed: 5,
      keyEnv: 'IC_KEY',
      keyFile: undefined,
      hostId: undefined,
      staticHosts: true,
    });
    expect(parseConfig(base(undefined)).heartbeat).toBeUndefined();
  });
  test('every key', () => {
    expect(
      parseConfig(base({ keyFile: '/k', periodMs: 250, missed: 3, hostId: 4294967295, staticHosts: false })).heartbeat,
    ).toEqual({
      periodMs: 250,
      missed: 3,
      keyFile: '/k',
      keyEnv: undefined,
      hostId: 4294967295,
      staticHosts: false,
    });
  });
  test('the key text itself is refused, with the way to do it right', () =>
    rejects({ key: 'secret', keyEnv: 'X' }, 'heartbeat.key', /never goes in the config.*keyFile.*keyEnv/));
  test('exactly one of keyFile and keyEnv', () => {
    rejects({}, 'heartbeat', /exactly one of "keyFile".*"keyEnv"/);
    rejects({ keyFile: '/k', keyEnv: 'X' }, 'heartbeat', /exactly one/);
  });
  test('bad values name their key', () => {
    rejects({ keyEnv: 'X', periodMs: 5 }, 'heartbeat.periodMs', /10 to 60000, got number 5/);
    rejects({ keyEnv: 'X', periodMs: 1000.5 }, 'heartbeat.periodMs', /integer/);
    rejects({ keyEnv: 'X', missed: 0 }, 'heartbeat.missed', /1 to 255/);
    rejects({ keyEnv: 'X', hostId: 0 }, 'heartbeat.hostId', /1 to 4294967295/);
    rejects({ keyEnv: 'X', hostId: 2 ** 32 }, 'heartbeat.hostId', /1 to 4294967295/);
    rejects({ keyEnv: 'MY KEY' }, 'heartbeat.keyEnv', /environment variable name/);
    rejects({ keyFile: '' }, 'heartbeat.keyFile', /file path/);
    rejects({ keyEnv: 'X', staticHosts: 'yes' }, 'heartbeat.staticHosts', /true or false/);
    rejects({ keyEnv: 'X', period: 1000 }, 'heartbeat.period', /unknown key/);
    rejects('fast', 'heartbeat', /expected an object/);
  });
});

describe('cluster key', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'hb-key-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = (k: object) => ({ periodMs: 1000, missed: 5, staticHosts: true, ...k });

  test('from a file: bytes as they are, one trailing newline removed', () => {
    const f = join(dir, 'key');
    writeFileSync(f, '0123456789abcdef0123456789abcdef\n', { mode: 0o600 });
    expect(Buffer.from(loadClusterKey(cfg({ keyFile: f }))).toString()).toBe('0123456789abcdef0123456789abcdef');
    const g = join(dir, 'binary');
    const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37) & 0xff));
    writeFileSync(g, bytes, { mode: 0o600 });
    expect(Buffer.from(loadClusterKey(cfg({ keyFile: g }))).equals(bytes)).toBe(true);
  });
  test('from the environment', () => {
    expect(Buffer.from(loadClusterKey(cfg({ keyEnv: 'K' }), { K: 'a-key-of-sixteen-bytes-or-more' })).toString()).toBe(
      'a-key-of-sixteen-bytes-or-more',
    );
  });
  test('refused: missing file, world-readable file, unset variable, short key', () => {
    expect(() => loadClusterKey(cfg({ keyFile: join(dir, 'nope') }))).toThrow(
      /heartbeat.keyFile: cannot read .*no such file/,
    );
    const w = join(dir, 'open');
    writeFileSync(w, '0123456789abcdef0123456789abcdef');
    chmodSync(w, 0o644);
    expect(() => loadClusterKey(cfg({ keyFile: w }))).toThrow(/readable by every user/);
    expect(() => loadClusterKey(cfg({ keyEnv: 'K' }), {})).toThrow(/K is not set or empty/);
    expect(() => loadClusterKey(cfg({ keyEnv: 'K' }), { K: 'x'.repeat(MIN_KEY_BYTES - 1) })).toThrow(
      /15 bytes; at least 16/,
    );
  });
  test('default host ID: stable, non-zero, different per name', () => {
    expect(defaultHostId('host1')).toBe(defaultHostId('host1'));
    expect(defaultHostId('host1')).not.toBe(defaultHostId('host2'));
    expect(defaultHostId('host1')).toBeGreaterThan(0);
  });
});
