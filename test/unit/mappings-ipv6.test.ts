import {
  ConfigError,
  createContainer,
  EngineFactory,
  Ipv6Hash32Mapping,
  Ipv6Low32Mapping,
  Ipv6Xor32Mapping,
  parseConfig,
  parseHostAddress,
} from '../../src';

const CLUSTER = '02-bf-aa-bb-cc-dd';
const PREFIX = Uint8Array.of(0x03, 0xbf);
const factory = createContainer().get(EngineFactory);

function mac(m: { map(a: Uint8Array, p: Uint8Array, o: Uint8Array): boolean }, address: string): string {
  const out = new Uint8Array(6).fill(0xa5);
  expect(m.map(parseHostAddress(address, 'test').bytes, PREFIX, out)).toBe(true);
  return Array.from(out, (b) => b.toString(16).padStart(2, '0')).join('-');
}

describe('ipv6-low32', () => {
  const m = new Ipv6Low32Mapping();
  test.each([
    ['2001:db8::101', '03-bf-00-00-01-01'], // docs/ipv6.md
    ['2001:db8::1:101', '03-bf-00-01-01-01'],
    ['2001:db8::c0c:465', '03-bf-0c-0c-04-65'], // IPv4 12.12.4.101 embedded: same MAC as ipv4-prefix
    ['fd00::ffff:ffff', '03-bf-ff-ff-ff-ff'],
  ])('%s -> %s', (a, want) => expect(mac(m, a)).toBe(want));
  test('refuses a 4-byte address', () =>
    expect(m.map(Uint8Array.of(12, 12, 4, 101), PREFIX, new Uint8Array(6))).toBe(false));
  test('is the default IPv6 mapping', () => {
    const c = factory.buildCluster(
      parseConfig({ clusterMac: CLUSTER, hosts: [{ name: 'h', addresses: ['2001:db8::101'] }] }),
    );
    expect(c.addresses[0].mac.toString()).toBe('03-bf-00-00-01-01');
    expect(c.addresses[0].macSource).toBe('ipv6-low32');
  });
});

describe('ipv6-xor32', () => {
  const m = new Ipv6Xor32Mapping();
  test.each([
    // 0x20010db8 ^ 0 ^ 0 ^ 0x00000101 = 0x20010cb9
    ['2001:db8::101', '03-bf-20-01-0c-b9'],
    // words 0x20010db8, 0x00010000, 0, 0x00000101 -> 0x20000cb9
    ['2001:db8:1::101', '03-bf-20-00-0c-b9'],
    ['2001:db8:2::101', '03-bf-20-03-0c-b9'],
    ['2001:db8::2001:db8', '03-bf-00-00-00-00'], // words cancel out: degenerate but still multicast
  ])('%s -> %s', (a, want) => expect(mac(m, a)).toBe(want));
});

describe('ipv6-hash32', () => {
  const m = new Ipv6Hash32Mapping();
  // FNV-1a 32 reference values, computed separately in Python with the published algorithm (offset 0x811c9dc5, prime 0x01000193)
  test.each([
    ['2001:db8::101', '03-bf-4a-58-8d-b1'],
    ['2001:db8::102', '03-bf-47-58-88-f8'],
  ])('%s -> %s', (a, want) => expect(mac(m, a)).toBe(want));
  test('no collision among 4096 sequential addresses', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 4096; i++) seen.add(mac(m, `2001:db8::${i.toString(16)}`));
    expect(seen.size).toBe(4096);
  });
});

describe('collisions across hosts are rejected at config load, naming both hosts and addresses', () => {
  function build(cfg: object): unknown {
    try {
      factory.buildCluster(parseConfig({ clusterMac: CLUSTER, ...cfg }));
      return 'built';
    } catch (e) {
      return e;
    }
  }
  test('ipv6-low32: the same interface identifier in two prefixes', () => {
    const e = build({
      hosts: [
        { name: 'alpha', addresses: ['2001:db8:1::101'] },
        { name: 'beta', addresses: ['2001:db8:2::101'] },
      ],
    });
    expect(e).toBeInstanceOf(ConfigError);
    const msg = (e as Error).message;
    for (const s of ['03-bf-00-00-01-01', '"alpha"', '2001:db8:1::101', '"beta"', '2001:db8:2::101'])
      expect(msg).toContain(s);
  });
  test('ipv6-xor32 separates them', () => {
    expect(
      build({
        mappings: { ipv6: 'ipv6-xor32' },
        hosts: [
          { name: 'alpha', addresses: ['2001:db8:1::101'] },
          { name: 'beta', addresses: ['2001:db8:2::101'] },
        ],
      }),
    ).toBe('built');
  });
  test('ipv6-xor32: differences that cancel out collide and are rejected', () => {
    // words 2 and 3: 0x00010000 ^ 0x00000001 = 0x00000000 ^ 0x00010001: same XOR
    const e = build({
      mappings: { ipv6: 'ipv6-xor32' },
      hosts: [
        { name: 'alpha', addresses: ['2001:db8::1:0:0:1'] },
        { name: 'beta', addresses: ['2001:db8::1:1'] },
      ],
    });
    expect(e).toBeInstanceOf(ConfigError);
    for (const s of ['"alpha"', '2001:db8::1:0:0:1', '"beta"', '2001:db8::1:1'])
      expect((e as Error).message).toContain(s);
  });
  test("across families: an IPv6 address embedding another host's IPv4 address", () => {
    const e = build({
      hosts: [
        { name: 'alpha', addresses: ['12.12.4.101'] },
        { name: 'beta', addresses: ['2001:db8::c0c:465'] },
      ],
    });
    expect(e).toBeInstanceOf(ConfigError);
    for (const s of ['03-bf-0c-0c-04-65', '"alpha"', '12.12.4.101', '"beta"', '2001:db8::c0c:465'])
      expect((e as Error).message).toContain(s);
  });
  test('the same host may map two addresses (IPv4 and IPv6) to one MAC', () => {
    expect(
      build({
        hosts: [
          { name: 'alpha', addresses: ['12.12.4.101', '2001:db8::c0c:465'] },
          { name: 'beta', addresses: ['12.12.4.102'] },
        ],
      }),
    ).toBe('built');
  });
  test('a table entry colliding with a computed IPv6 MAC', () => {
    const e = build({
      hosts: [
        { name: 'alpha', addresses: ['2001:db8::101'] },
        { name: 'beta', addresses: ['2001:db8::102'], mac: { '2001:db8::102': '03-bf-00-00-01-01' } },
      ],
    });
    expect(e).toBeInstanceOf(ConfigError);
    for (const s of ['"alpha"', '2001:db8::101', '"beta"', '2001:db8::102']) expect((e as Error).message).toContain(s);
  });
  test('an IPv6 mapping named for IPv4 is refused', () => {
    const e = build({ mappings: { ipv4: 'ipv6-low32' }, hosts: [{ name: 'alpha', addresses: ['12.12.4.101'] }] });
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/mappings\.ipv4.*does not map IPv4/);
  });
});
