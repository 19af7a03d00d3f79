import * as root from '../../src/api';
import * as frame from '../../src/api/frame';
import * as membership from '../../src/api/membership';
import * as testing from '../../src/testing';
import { createEngineFactory, Direction, parseConfig, reasonText, UnknownHostError, Verdict } from '../../src/api';
import { emitNdOptions, NdOption, ndOptions, ND_OPTIONS_OFFSET } from '../../src/api/frame';
import { reasonId } from '../../src/verdict';

/** The package's public surface: what the root holds and hides, and behaviour users depend on. */

test('the root hides test doubles, CLI errors, hash-table internals and heartbeat constants', () => {
  const names = Object.keys(root);
  for (const hidden of [
    'FakeClock',
    'UsageError',
    'ByteKeyTable',
    'HEARTBEAT_DEFAULTS',
    'HEARTBEAT_LIMITS',
    'createContainer',
    'defaultModules',
  ])
    expect(names).not.toContain(hidden);
  expect(names.filter((n) => /^HB_|^Hb/.test(n))).toEqual([]);
  expect(names).toEqual(
    expect.arrayContaining([
      'Engine',
      'EngineFactory',
      'createEngineFactory',
      'parseConfig',
      'Verdict',
      'Direction',
      'defineReason',
      'definePlugin',
      'UnknownHostError',
      'ConfigError',
    ]),
  );
  // they live in their sub-paths
  expect(typeof testing.FakeClock).toBe('function');
  expect(membership.HEARTBEAT_DEFAULTS).toEqual({ periodMs: 1000, missed: 5, staticHosts: true });
  expect(typeof membership.HB_FRAME_LEN).toBe('number');
  expect(typeof frame.emitEthernet).toBe('function');
});

const config = parseConfig({
  clusterMac: '02-bf-aa-bb-cc-dd',
  hosts: [
    { name: 'host1', addresses: ['12.12.4.101'] },
    { name: 'host2', addresses: ['12.12.4.102'] },
  ],
});

test('an unknown host is a typed error phrased for a library, not a command-line flag', () => {
  let err: unknown;
  try {
    createEngineFactory().create(config, 'host9');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UnknownHostError);
  expect(err).toMatchObject({
    host: 'host9',
    hosts: ['host1', 'host2'],
    message: 'config: host "host9" is not a host of the cluster (hosts: host1, host2)',
  });
  expect((err as Error).message).not.toMatch(/--host/);
});

test.each([7, -1, 2, 0.5, NaN])(
  'engine.process(frame, %p): a documented drop, nothing written, never a silent pass',
  (direction) => {
    const engine = createEngineFactory().create(config, 'host2');
    const row600 = Buffer.from(
      'ffffffffffff02bfaabbccdd0806000108000604000102bfaabbccdd0c0c04650000000000000c0c0466' + '00'.repeat(18),
      'hex',
    );
    const f = Uint8Array.from(row600);
    expect(engine.process(f, direction as Direction)).toBe(Verdict.Drop);
    expect(reasonId(engine.reason)).toBe('engine.bad-direction');
    expect(reasonText(engine.reason)).toBe('direction is neither inbound (0) nor outbound (1): dropped');
    expect(Buffer.from(f).equals(row600)).toBe(true);
    expect(engine.process(f, Direction.Inbound)).toBe(Verdict.Rewrite);
  },
);

describe('ndOptions: the options of every ND message type', () => {
  const opts = emitNdOptions([
    { type: NdOption.SOURCE_LL, mac: '02-bf-aa-bb-cc-dd' },
    { type: NdOption.MTU, body: Uint8Array.of(0, 0, 0, 0, 0x05, 0xdc) },
  ]);
  test.each([
    ['Router Solicitation', 133, 8],
    ['Router Advertisement', 134, 16],
    ['Neighbor Solicitation', 135, 24],
    ['Neighbor Advertisement', 136, 24],
    ['Redirect', 137, 40],
    ['Inverse ND Solicitation (RFC 3122)', 141, 8],
    ['Inverse ND Advertisement (RFC 3122)', 142, 8],
  ])('%s (type %d): options from byte %d', (_name, type, at) => {
    expect(ND_OPTIONS_OFFSET[type]).toBe(at);
    const m = new Uint8Array(at + opts.length);
    m[0] = type;
    m.set(opts, at);
    const seen = [...ndOptions(m)].map((o) => ({
      type: o.type,
      offset: o.offset,
      length: o.length,
      body: Buffer.from(o.body).toString('hex'),
    }));
    expect(seen).toEqual([
      { type: 1, offset: at, length: 8, body: '02bfaabbccdd' },
      { type: 5, offset: at + 8, length: 8, body: '0000000005dc' },
    ]);
  });

  test.each([
    ['a zero length', (m: Uint8Array) => (m[25] = 0), /nd: option at 24 has length 0/],
    ['an option past the end', (m: Uint8Array) => (m[33] = 2), /nd: option at 32 is 16 bytes, 8 remain/],
    ['a type without options', (m: Uint8Array) => (m[0] = 128), /nd: ICMPv6 type 128 has no known options field/],
  ])('%s is a FrameError naming the offset', (_what, spoil, message) => {
    const m = new Uint8Array(24 + opts.length);
    m[0] = 135;
    m.set(opts, 24);
    spoil(m);
    expect(() => [...ndOptions(m)]).toThrow(message);
  });

  test('another type at a given offset', () => {
    const m = new Uint8Array(8 + 8);
    m[0] = 200;
    m.set(opts.subarray(0, 8), 8);
    expect([...ndOptions(m, 8)].map((o) => o.type)).toEqual([1]);
  });
});
