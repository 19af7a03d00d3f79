import {
  ConfigError,
  Direction,
  Engine,
  EngineFactory,
  Verdict,
  createContainer,
  parseConfig,
  reasonId,
} from '../../src';
import { maskedSourceMac } from '../../src/config';
import { membershipRecords } from '../../src/datapath/maps';
import { Mac } from '../../src/mac';
import { ping4, ping6 } from '../vectors/kit';

/** Source-MAC masking: config, form, and the two rules (docs/rules.md egress.mask-source, data.other-member). */
const factory = createContainer().get(EngineFactory);
const CLUSTER = '02-bf-c6-12-00-0a';
const hosts = [
  { name: 'm1', addresses: ['198.18.0.11', 'fd00:198:18::11'] },
  { name: 'm2', addresses: ['198.18.0.12', 'fd00:198:18::12'] },
  { name: 'm3', addresses: ['198.18.0.13', 'fd00:198:18::13'] },
];
const raw = { clusterMac: CLUSTER, virtualIps: ['198.18.0.100'], hosts };
const hexOf = (b: Uint8Array, from: number, to: number) => Buffer.from(b.subarray(from, to)).toString('hex');

function configError(v: unknown): string {
  try {
    parseConfig(v);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return '';
}

describe('maskSourceMac: config', () => {
  test('defaults to true; false and true are taken as written', () => {
    expect(parseConfig(raw).maskSourceMac).toBe(true);
    expect(parseConfig({ ...raw, maskSourceMac: false }).maskSourceMac).toBe(false);
    expect(parseConfig({ ...raw, maskSourceMac: true }).maskSourceMac).toBe(true);
  });

  test.each([['yes'], [1], [0], [{}], [[]], [null]])('refuses %j with one line naming the key', (v) => {
    const m = configError({ ...raw, maskSourceMac: v });
    expect(m).toMatch(/maskSourceMac/);
    expect(m).not.toContain('\n');
  });

  test("the form: cluster MAC, byte 0 := 02, byte 1 := the host's 1-based number", () => {
    expect(maskedSourceMac(Mac.parse('02:bf:c6:12:00:0a'), 3).toString(':')).toBe('02:03:c6:12:00:0a');
    const cluster = factory.buildCluster(parseConfig(raw));
    expect(cluster.hosts.map((h) => cluster.maskedSourceMac(h.index).toString())).toEqual([
      '02-01-c6-12-00-0a',
      '02-02-c6-12-00-0a',
      '02-03-c6-12-00-0a',
    ]);
  });

  test('a cluster MAC a masked MAC would equal is refused, naming maskSourceMac', () => {
    // host 2 of a cluster whose MAC is 02-02-...: its masked MAC would be the cluster MAC itself
    const m = configError({ ...raw, clusterMac: '02-02-c6-12-00-0a' });
    expect(m).toMatch(
      /^config: maskSourceMac: host "m2" \(number 2\) would send from 02-02-c6-12-00-0a, which is the cluster MAC/,
    );
    expect(configError({ ...raw, clusterMac: '02-02-c6-12-00-0a', maskSourceMac: false })).toBe('');
    // a host number past the list is no collision
    expect(configError({ ...raw, clusterMac: '02-04-c6-12-00-0a' })).toBe('');
  });

  test('more than 255 hosts are refused with masking, accepted without', () => {
    const many = Array.from({ length: 256 }, (_, i) => ({
      name: `h${i}`,
      addresses: [`198.18.${1 + (i >> 7)}.${1 + (i & 0x7f)}`],
    }));
    const big = { clusterMac: '06-bf-c6-12-00-0a', hosts: many }; // byte 0 not 02: no host number collides
    expect(configError(big)).toMatch(/^config: maskSourceMac: .*256 hosts/);
    expect(configError({ ...big, maskSourceMac: false })).toBe('');
    expect(configError({ ...big, hosts: many.slice(0, 255) })).toBe('');
  });

  test('the host number is the place in the config, also when a membership lists the hosts in another order', () => {
    const cfg = parseConfig(raw);
    // the heartbeat membership puts the local member first (src/membership/manager.ts)
    const reordered = factory.buildCluster({ ...cfg, hosts: [cfg.hosts[2], cfg.hosts[0], cfg.hosts[1]] });
    expect(reordered.maskedSourceMac(reordered.hostIndex('m3')).toString()).toBe('02-03-c6-12-00-0a');
    const e = new Engine(reordered, 'm3', factory.adapters);
    const f = ping4({ dst: '00-00-5e-00-53-01', src: CLUSTER }, '198.18.0.13', '198.18.0.1').bytes;
    expect(e.process(f, Direction.Outbound, f.length)).toBe(Verdict.Rewrite);
    expect(hexOf(f, 6, 12)).toBe('0203c612000a');
    // the kernel datapath's config record carries the same MAC and flag
    const rec = membershipRecords(reordered, 'm3');
    expect(hexOf(rec.config, 24, 30)).toBe('0203c612000a');
    expect(new DataView(rec.config.buffer).getUint32(12, true) & 64).toBe(64);
    expect(
      new DataView(
        membershipRecords(factory.buildCluster({ ...cfg, maskSourceMac: false }), 'm3').config.buffer,
      ).getUint32(12, true) & 64,
    ).toBe(0);
  });
});

describe('maskSourceMac: the rules', () => {
  const engine = (host: string, extra: object = {}) => factory.create(parseConfig({ ...raw, ...extra }), host);
  const ROUTER = '00-00-5e-00-53-01';

  test('egress.mask-source: outbound data leaves from the masked MAC, as a rewrite with its reason', () => {
    const e = engine('m2');
    const f = ping4({ dst: ROUTER, src: CLUSTER }, '198.18.0.12', '198.18.0.1').bytes;
    const before = Uint8Array.from(f);
    expect(e.process(f, Direction.Outbound, f.length)).toBe(Verdict.Rewrite);
    expect(reasonId(e.reason)).toBe('egress.mask-source');
    expect(hexOf(f, 6, 12)).toBe('0202c612000a');
    expect(hexOf(f, 12, f.length)).toBe(hexOf(before, 12, before.length));
    expect(hexOf(f, 0, 6)).toBe(hexOf(before, 0, 6));
  });

  test('masking off: the frame passes unchanged', () => {
    const e = engine('m2', { maskSourceMac: false });
    const f = ping4({ dst: ROUTER, src: CLUSTER }, '198.18.0.12', '198.18.0.1').bytes;
    expect(e.process(f, Direction.Outbound, f.length)).toBe(Verdict.Pass);
    expect(hexOf(f, 6, 12)).toBe('02bfc612000a');
  });

  test('data.other-member: inbound IPv4 and IPv6 data for another member at the cluster MAC is dropped', () => {
    const e = engine('m2');
    const v4 = ping4({ dst: CLUSTER, src: ROUTER }, '198.18.0.1', '198.18.0.11').bytes;
    expect(e.process(v4, Direction.Inbound, v4.length)).toBe(Verdict.Drop);
    expect(reasonId(e.reason)).toBe('data.other-member');
    const v6 = ping6({ dst: CLUSTER, src: ROUTER }, 'fd00:198:18::1', 'fd00:198:18::13').bytes;
    expect(e.process(v6, Direction.Inbound, v6.length)).toBe(Verdict.Drop);
    expect(reasonId(e.reason)).toBe('data.other-member');
  });

  test.each([
    ['the local host', '198.18.0.12'],
    ['a virtual IP', '198.18.0.100'],
    ['a non-member', '198.18.0.99'],
  ])('frames for %s pass as before', (_, dst) => {
    const e = engine('m2');
    const f = ping4({ dst: CLUSTER, src: ROUTER }, '198.18.0.1', dst).bytes;
    expect(e.process(f, Direction.Inbound, f.length)).toBe(Verdict.Pass);
    expect(reasonId(e.reason)).toBe('ipv4.data');
  });

  test("with masking off, another member's data passes (the stack decides)", () => {
    const e = engine('m2', { maskSourceMac: false });
    const f = ping4({ dst: CLUSTER, src: ROUTER }, '198.18.0.1', '198.18.0.11').bytes;
    expect(e.process(f, Direction.Inbound, f.length)).toBe(Verdict.Pass);
  });

  test('a membership change recomputes the masked MAC once, for the new host number', () => {
    const e = engine('m3');
    const cfg = parseConfig({ ...raw, hosts: [hosts[2], hosts[0], hosts[1]] });
    e.setCluster(factory.buildCluster(cfg));
    const f = ping4({ dst: ROUTER, src: CLUSTER }, '198.18.0.13', '198.18.0.1').bytes;
    e.process(f, Direction.Outbound, f.length);
    expect(hexOf(f, 6, 12)).toBe('0201c612000a');
    e.setCluster(factory.buildCluster({ ...cfg, maskSourceMac: false }));
    const g = ping4({ dst: ROUTER, src: CLUSTER }, '198.18.0.13', '198.18.0.1').bytes;
    expect(e.process(g, Direction.Outbound, g.length)).toBe(Verdict.Pass);
    expect(hexOf(g, 6, 12)).toBe('02bfc612000a');
  });
});
