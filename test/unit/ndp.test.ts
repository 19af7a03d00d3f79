import {
  createContainer,
  Direction,
  EngineFactory,
  icmpv6Frame,
  icmpv6Sum,
  Icmpv6Type,
  ipv6MulticastMac,
  NaFlag,
  ndFrame,
  NdOption,
  NdpAdapter,
  NdpReason,
  FrameContext,
  reasonId,
  parseConfig,
  parseNd,
  reasonText,
  replaceMacUpdatingChecksum,
  solicitedNode,
  checksumAdjust,
  toHex,
  Verdict,
  verdictName,
} from '../../src';
import { DiscoveryKind } from '../../src/discovery';

const CLUSTER = '02-bf-aa-bb-cc-dd';
const config = parseConfig({
  clusterMac: CLUSTER,
  virtualIps: ['2001:db8::100'],
  hosts: [
    { name: 'host1', addresses: ['2001:db8::101'] },
    { name: 'host2', addresses: ['2001:db8::102'] },
  ],
});
const factory = createContainer().get(EngineFactory);

/** The Done-when frame: NS from 2001:db8::101 for 2001:db8::102, SLLAO = cluster MAC. */
function ns(checksum: 'good' | 'bad' = 'good'): Uint8Array {
  const dst = solicitedNode('2001:db8::102');
  return ndFrame(
    { dst: ipv6MulticastMac(dst), src: CLUSTER },
    { src: '2001:db8::101', dst },
    {
      type: Icmpv6Type.NEIGHBOR_SOLICITATION,
      target: '2001:db8::102',
      options: [{ type: NdOption.SOURCE_LL, mac: CLUSTER }],
      checksum,
    },
  );
}

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('ICMPv6 checksum (RFC 1624 incremental update)', () => {
  test('replacing the SLLAO keeps a good checksum good, for 2000 random MACs', () => {
    const rnd = prng(1);
    const mac = new Uint8Array(6);
    for (let i = 0; i < 2000; i++) {
      const f = ns();
      for (let j = 0; j < 6; j++) mac[j] = Math.floor(rnd() * 256);
      if (i % 7 === 0) mac.fill(0xff);
      if (i % 11 === 0) mac.fill(0);
      replaceMacUpdatingChecksum(f, 14 + 40 + 26, mac, 0, 14 + 40 + 2);
      expect(parseNd(f).options[0].mac).toBe(Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('-'));
      expect(icmpv6Sum(f, 14, 54, f.length)).toBe(0xffff);
    }
  });

  test('a bad checksum stays exactly as bad (the ones-complement sum is invariant)', () => {
    const rnd = prng(2);
    const mac = new Uint8Array(6);
    for (let i = 0; i < 500; i++) {
      const f = ns('bad');
      const before = icmpv6Sum(f, 14, 54, f.length);
      expect(before).not.toBe(0xffff);
      for (let j = 0; j < 6; j++) mac[j] = Math.floor(rnd() * 256);
      replaceMacUpdatingChecksum(f, 14 + 40 + 26, mac, 0, 14 + 40 + 2);
      expect(icmpv6Sum(f, 14, 54, f.length)).toBe(before);
    }
  });

  test('one fold over the changed words gives the bytes of checksumAdjust word by word', () => {
    const rnd = prng(5);
    const pick = () => [0x0000, 0xffff, 0x00ff, 0xff00][Math.floor(rnd() * 4)];
    for (let i = 0; i < 20000; i++) {
      const b = new Uint8Array(12);
      const src = new Uint8Array(6);
      const edge = rnd() < 0.5; // corner words (0x0000, 0xffff) often
      for (let j = 0; j < 4; j += 2) {
        const w = edge ? pick() : Math.floor(rnd() * 0x10000);
        b[j] = w >>> 8;
        b[j + 1] = w & 0xff;
      }
      for (let j = 4; j < 12; j += 2) {
        const w = edge ? pick() : Math.floor(rnd() * 0x10000);
        b[j] = w >>> 8;
        b[j + 1] = w & 0xff;
      }
      for (let j = 0; j < 6; j += 2) {
        const w = rnd() < 0.3 ? (b[6 + j] << 8) | b[7 + j] : edge ? pick() : Math.floor(rnd() * 0x10000);
        src[j] = w >>> 8;
        src[j + 1] = w & 0xff;
      }
      let hc = (b[2] << 8) | b[3];
      for (let j = 0; j < 6; j += 2) {
        const m = (b[6 + j] << 8) | b[7 + j];
        const m2 = (src[j] << 8) | src[j + 1];
        if (m !== m2) hc = checksumAdjust(hc, m, m2);
      }
      replaceMacUpdatingChecksum(b, 6, src, 0, 2);
      expect((b[2] << 8) | b[3]).toBe(hc);
      expect(Array.from(b.subarray(6, 12))).toEqual(Array.from(src));
    }
  });

  test('checksumAdjust is RFC 1624 eqn. 3 (worked example of RFC 1624 section 4)', () => {
    // RFC 1624 4: HC = 0xdd2f, m = 0x5555 -> m' = 0x3285 gives HC' = 0x0000 (eqn. 3, not 0xffff)
    expect(checksumAdjust(0xdd2f, 0x5555, 0x3285)).toBe(0x0000);
  });
});

describe('NDP decode: RFC 4861 7.1.1 / 7.1.2 validation (ndp.validation)', () => {
  const adapter = new NdpAdapter();
  const c = new FrameContext();
  /** 'ok' when the frame decodes to an NS or NA, else the id of the reason it is not ours. */
  const check = (f: Uint8Array): string => {
    c.frame = f;
    c.length = f.length;
    c.l3 = 14;
    c.etherType = 0x86dd;
    adapter.decode(c);
    return c.msg.kind !== DiscoveryKind.Other ? 'ok' : reasonId(c.decodeReason);
  };
  const eth = { dst: '33-33-ff-00-01-02', src: CLUSTER };
  const ip = { src: '2001:db8::101', dst: 'ff02::1:ff00:102' };
  const sll = [{ type: NdOption.SOURCE_LL, mac: CLUSTER }];
  const NS = Icmpv6Type.NEIGHBOR_SOLICITATION;
  const NA = Icmpv6Type.NEIGHBOR_ADVERTISEMENT;
  const cases: [string, Uint8Array, string][] = [
    ['valid NS', ns(), 'ok'],
    ['bad checksum', ns('bad'), 'ndp.checksum'],
    [
      'hop limit 254',
      ndFrame(eth, { ...ip, hopLimit: 254 }, { type: NS, target: '2001:db8::102', options: sll }),
      'ndp.hop-limit',
    ],
    ['code 1', ndFrame(eth, ip, { type: NS, code: 1, target: '2001:db8::102', options: sll }), 'ndp.code'],
    [
      'option length 0',
      ndFrame(eth, ip, {
        type: NS,
        target: '2001:db8::102',
        options: [{ type: NdOption.SOURCE_LL, mac: CLUSTER, length: 0 }],
      }),
      'ndp.option-length',
    ],
    [
      'option past the end',
      ndFrame(eth, ip, {
        type: NS,
        target: '2001:db8::102',
        options: [{ type: NdOption.SOURCE_LL, mac: CLUSTER, length: 2 }],
      }),
      'ndp.option-length',
    ],
    ['multicast target', ndFrame(eth, ip, { type: NS, target: 'ff02::1', options: sll }), 'ndp.multicast-target'],
    [
      'NS from :: with SLLAO',
      ndFrame(eth, { ...ip, src: '::' }, { type: NS, target: '2001:db8::102', options: sll }),
      'ndp.unspecified-with-sllao',
    ],
    [
      'NS from :: to all-nodes',
      ndFrame(eth, { src: '::', dst: 'ff02::1' }, { type: NS, target: '2001:db8::102' }),
      'ndp.unspecified-not-solicited-node',
    ],
    ['DAD NS', ndFrame(eth, { ...ip, src: '::' }, { type: NS, target: '2001:db8::102' }), 'ok'],
    [
      'NA to all-nodes with S',
      ndFrame(
        eth,
        { src: '2001:db8::101', dst: 'ff02::1' },
        { type: NA, flags: NaFlag.SOLICITED, target: '2001:db8::101' },
      ),
      'ndp.multicast-solicited',
    ],
    [
      'NA to all-nodes with O only',
      ndFrame(
        eth,
        { src: '2001:db8::101', dst: 'ff02::1' },
        { type: NA, flags: NaFlag.OVERRIDE, target: '2001:db8::101' },
      ),
      'ok',
    ],
    [
      'SLLAO of 16 bytes',
      ndFrame(eth, ip, {
        type: NS,
        target: '2001:db8::102',
        options: [{ type: NdOption.SOURCE_LL, body: new Uint8Array(14) }],
      }),
      'ndp.lla-length',
    ],
    ['RS', icmpv6Frame(eth, ip, { type: Icmpv6Type.ROUTER_SOLICITATION }), 'ndp.not-ns-na'],
    [
      'hop-by-hop past the payload',
      ndFrame(eth, { ...ip, hopByHop: Uint8Array.of(0, 200, 1, 4, 0, 0, 0, 0) }, { type: NS, target: '2001:db8::102' }),
      'ipv6.extension',
    ],
    [
      'hop-by-hop then NS',
      ndFrame(
        eth,
        { ...ip, hopByHop: Uint8Array.of(0, 0, 1, 4, 0, 0, 0, 0) },
        { type: NS, target: '2001:db8::102', options: sll },
      ),
      'ok',
    ],
    [
      'payload length past the frame',
      ndFrame(eth, { ...ip, payloadLength: 33 }, { type: NS, target: '2001:db8::102', options: sll }),
      'ipv6.truncated',
    ],
  ];
  test.each(cases)('%s', (_n, f, code) => {
    expect(check(f)).toBe(code);
  });
  test('ICMP length under 24 is SHORT even when the frame is padded past it', () => {
    const f = ndFrame(eth, ip, { type: NS, target: '2001:db8::102' });
    f[14 + 5] = 20; // payload length 20; the 4 bytes that follow are now padding
    expect(check(f)).toBe('ndp.short');
  });
});

describe('NDP adapter through the engine', () => {
  test('Done-when: host 2 rewrites the SLLAO to 03-bf-00-00-01-01 and the checksum is right', () => {
    const e = factory.create(config, 'host2');
    const f = ns();
    expect(verdictName(e.process(f, Direction.Inbound))).toBe('rewrite');
    const p = parseNd(f);
    expect(p.options).toEqual([{ type: 1, length: 1, mac: '03-bf-00-00-01-01' }]);
    expect(p.checksumOk).toBe(true);
    expect(e.reason).toBe(NdpReason.Step502);
  });

  test('the broken-checksum frame passes byte-identical', () => {
    const e = factory.create(config, 'host2');
    const f = ns('bad');
    const before = toHex(f);
    expect(e.process(f, Direction.Inbound)).toBe(Verdict.Pass);
    expect(toHex(f)).toBe(before);
    expect(reasonText(e.reason)).toMatch(/checksum/);
  });

  test('mutated NS/NA frames: pass leaves every byte, rewrite keeps the checksum status (20000 frames)', () => {
    const e = factory.create(config, 'host2');
    const rnd = prng(3);
    const na = ndFrame(
      { dst: '33-33-00-00-00-01', src: CLUSTER },
      { src: '2001:db8::101', dst: 'ff02::1' },
      {
        type: Icmpv6Type.NEIGHBOR_ADVERTISEMENT,
        flags: NaFlag.OVERRIDE,
        target: '2001:db8::101',
        options: [{ type: NdOption.TARGET_LL, mac: CLUSTER }],
      },
    );
    const templates = [ns(), ns('bad'), na];
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20000; i++) {
      const t = templates[i % templates.length];
      const f = Uint8Array.from(t);
      const flips = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < flips; k++) f[14 + Math.floor(rnd() * (f.length - 14))] = Math.floor(rnd() * 256);
      const len = rnd() < 0.1 ? 14 + Math.floor(rnd() * (f.length - 14)) : f.length;
      const copy = Uint8Array.from(f);
      const v = e.process(f, Direction.Inbound, len);
      counts[v]++;
      if (v === Verdict.Pass) expect(toHex(f)).toBe(toHex(copy));
      else if (v === Verdict.Rewrite) {
        const end = 54 + ((copy[18] << 8) | copy[19]);
        expect(icmpv6Sum(f, 14, 54, end)).toBe(icmpv6Sum(copy, 14, 54, end));
        for (let j = 0; j < f.length; j++) {
          if (f[j] !== copy[j]) expect(j >= 54).toBe(true); // never the Ethernet or IPv6 header here
        }
      } else throw new Error(`unexpected verdict ${verdictName(v)} (${reasonText(e.reason)})`);
    }
    expect(counts[Verdict.Pass]).toBeGreaterThan(0);
    expect(counts[Verdict.Rewrite]).toBeGreaterThan(0);
  });

  test('random bytes behind an IPv6 EtherType never throw and never drop (dedicated mode, multicast destination)', () => {
    const e = factory.create(config, 'host2');
    const rnd = prng(4);
    for (let i = 0; i < 20000; i++) {
      const n = 14 + Math.floor(rnd() * 120);
      const f = new Uint8Array(n);
      for (let j = 14; j < n; j++) f[j] = Math.floor(rnd() * 256);
      f.set([0x33, 0x33, 0, 0, 0, 1, 0x02, 0xbf, 0xaa, 0xbb, 0xcc, 0xdd, 0x86, 0xdd]);
      if (n > 14 && rnd() < 0.7) f[14] = 0x60;
      if (n > 20 && rnd() < 0.5) f[20] = 58;
      if (n > 54 && rnd() < 0.5) f[54] = 135 + (i & 1);
      const v = e.process(f, Direction.Inbound);
      expect(v === Verdict.Pass || v === Verdict.Rewrite).toBe(true);
    }
  });
});
