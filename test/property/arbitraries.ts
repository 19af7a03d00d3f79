import fc from 'fast-check';
import { POOL } from './model';
import {
  ETH_ARP,
  ETH_IPV4,
  ETH_IPV6,
  TPIDS,
  bytesOf,
  hex,
  icmp6ChecksumFix,
  put16,
  readIcmp6,
  readIp6,
  readL2,
  readIp4,
} from './wire';

/**
 * Frame generators: from scratch (every field drawn from the interesting values of model.ts or at
 * random) and by mutating seed frames (the golden vectors' inputs): bit flips, truncation,
 * extension, lying length fields, random options, random VLAN stacks. Values are plain data, so
 * fast-check prints and shrinks them; `build*` turns them into bytes.
 */

const u8s = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const pick = <T>(common: fc.Arbitrary<T>, rare: fc.Arbitrary<T>, commonWeight = 4) =>
  fc.oneof({ arbitrary: common, weight: commonWeight }, { arbitrary: rare, weight: 1 });

export const macArb = pick(
  fc.constantFrom(...POOL.macs),
  u8s(6, 6).map((b) => hex(b)),
);
export const ipv4Arb = pick(
  fc.constantFrom(...POOL.ipv4),
  u8s(4, 4).map((b) => hex(b)),
);
export const ipv6Arb = pick(
  fc.constantFrom(...POOL.ipv6),
  u8s(16, 16).map((b) => hex(b)),
);

export interface TagSpec {
  tpid: number;
  tci: number;
}
const tpidArb = pick(fc.constantFrom(...TPIDS), fc.integer({ min: 0, max: 0xffff }), 8);
export const tagsArb: fc.Arbitrary<TagSpec[]> = fc.oneof(
  { arbitrary: fc.constant([] as TagSpec[]), weight: 6 },
  {
    arbitrary: fc.array(fc.record({ tpid: tpidArb, tci: fc.integer({ min: 0, max: 0xffff }) }), {
      minLength: 1,
      maxLength: 2,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.array(fc.record({ tpid: fc.constantFrom(...TPIDS), tci: fc.integer({ min: 0, max: 0xffff }) }), {
      minLength: 3,
      maxLength: 12,
    }),
    weight: 1,
  },
);

export interface EthSpec {
  dst: string;
  src: string;
  tags: TagSpec[];
  /** Pad to 60 bytes as a NIC does. */
  pad: boolean;
  trailer: Uint8Array;
}
const ethArb: fc.Arbitrary<EthSpec> = fc.record({
  dst: macArb,
  // mostly unicast sources, as stacks send; sometimes anything (a multicast source is a bad frame)
  src: pick(fc.constantFrom('02bfaabbccdd', '020000000009', '02bfaabbccde'), macArb, 10),
  tags: tagsArb,
  pad: fc.boolean(),
  trailer: fc.oneof({ arbitrary: fc.constant(new Uint8Array(0)), weight: 5 }, { arbitrary: u8s(1, 24), weight: 1 }),
});

export interface ArpSpec {
  kind: 'arp';
  htype: number;
  ptype: number;
  hlen: number;
  plen: number;
  op: number;
  sha: string;
  spa: string;
  tha: string;
  tpa: string;
  /** Cut the ARP body to this many bytes (a truncated frame), or keep all 28. */
  cut: number | null;
}
const arpArb: fc.Arbitrary<ArpSpec> = fc.record({
  kind: fc.constant('arp' as const),
  htype: pick(fc.constant(1), fc.integer({ min: 0, max: 0xffff }), 12),
  ptype: pick(fc.constant(0x0800), fc.constantFrom(0x86dd, 0, 0xffff), 12),
  hlen: pick(fc.constant(6), fc.integer({ min: 0, max: 255 }), 12),
  plen: pick(fc.constant(4), fc.integer({ min: 0, max: 255 }), 12),
  op: pick(fc.constantFrom(1, 2), fc.integer({ min: 0, max: 0xffff }), 8),
  sha: macArb,
  spa: ipv4Arb,
  tha: macArb,
  tpa: ipv4Arb,
  cut: fc.oneof({ arbitrary: fc.constant(null), weight: 8 }, { arbitrary: fc.integer({ min: 0, max: 27 }), weight: 1 }),
});

export interface Ipv4Spec {
  kind: 'ipv4';
  verIhl: number;
  totalLength: number | null;
  proto: number;
  src: string;
  dst: string;
  payload: Uint8Array;
}
const ipv4SpecArb: fc.Arbitrary<Ipv4Spec> = fc.record({
  kind: fc.constant('ipv4' as const),
  verIhl: pick(fc.constant(0x45), fc.integer({ min: 0, max: 255 }), 6),
  totalLength: fc.option(fc.integer({ min: 0, max: 0xffff }), { freq: 3 }),
  proto: fc.constantFrom(1, 6, 17, 255),
  src: ipv4Arb,
  dst: ipv4Arb,
  payload: u8s(0, 40),
});

export type OptionSpec =
  | { o: 'll'; type: number; mac: string }
  | { o: 'llLong'; type: number; mac: string; units: number }
  | { o: 'nonce'; body: Uint8Array }
  | { o: 'raw'; type: number; units: number; body: Uint8Array };
export const optionArb: fc.Arbitrary<OptionSpec> = fc.oneof(
  { arbitrary: fc.record({ o: fc.constant('ll' as const), type: fc.constantFrom(1, 2), mac: macArb }), weight: 8 },
  {
    arbitrary: fc.record({
      o: fc.constant('llLong' as const),
      type: fc.constantFrom(1, 2),
      mac: macArb,
      units: fc.integer({ min: 2, max: 3 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ o: fc.constant('nonce' as const), body: u8s(6, 6) }), weight: 1 },
  {
    arbitrary: fc.record({
      o: fc.constant('raw' as const),
      type: fc.integer({ min: 0, max: 255 }),
      units: fc.integer({ min: 0, max: 4 }),
      body: u8s(6, 30),
    }),
    weight: 1,
  },
);

export interface NdSpec {
  kind: 'nd';
  /** First byte of the IPv6 header (0x60 for version 6). */
  ver: number;
  hopLimit: number;
  src: string;
  dst: string;
  /** Hop-by-Hop header before ICMPv6: null, or its Hdr Ext Len. */
  hbh: number | null;
  type: number;
  code: number;
  flags: number;
  target: string;
  options: OptionSpec[];
  checksum: 'good' | 'bad';
  /** Payload Length: the true one, or a lie. */
  payloadLength: { lie: false } | { lie: true; value: number };
}
const ndArb: fc.Arbitrary<NdSpec> = fc.record({
  kind: fc.constant('nd' as const),
  ver: pick(fc.constant(0x60), fc.integer({ min: 0, max: 255 }), 20),
  hopLimit: pick(fc.constant(255), fc.integer({ min: 0, max: 255 }), 10),
  src: ipv6Arb,
  dst: ipv6Arb,
  hbh: fc.oneof({ arbitrary: fc.constant(null), weight: 8 }, { arbitrary: fc.integer({ min: 0, max: 3 }), weight: 1 }),
  type: pick(fc.constantFrom(135, 136), fc.constantFrom(133, 134, 137, 128, 129, 1), 8),
  code: pick(fc.constant(0), fc.integer({ min: 0, max: 255 }), 12),
  flags: fc.constantFrom(0, 0x20, 0x40, 0x60, 0x80, 0xe0),
  target: pick(fc.constantFrom(...POOL.ipv6.filter((a) => !a.startsWith('ff'))), ipv6Arb, 2),
  options: fc.array(optionArb, { maxLength: 4 }),
  checksum: pick(fc.constant('good' as const), fc.constant('bad' as const), 4),
  payloadLength: fc.oneof(
    { arbitrary: fc.constant({ lie: false as const }), weight: 10 },
    { arbitrary: fc.integer({ min: 0, max: 0xffff }).map((value) => ({ lie: true as const, value })), weight: 1 },
  ),
});

export interface Ipv6DataSpec {
  kind: 'ipv6';
  next: number;
  src: string;
  dst: string;
  payload: Uint8Array;
}
const ipv6DataArb: fc.Arbitrary<Ipv6DataSpec> = fc.record({
  kind: fc.constant('ipv6' as const),
  next: fc.constantFrom(6, 17, 58, 0, 43, 60, 59),
  src: ipv6Arb,
  dst: ipv6Arb,
  payload: u8s(0, 48),
});

export interface OtherSpec {
  kind: 'other';
  etherType: number;
  payload: Uint8Array;
}
const otherArb: fc.Arbitrary<OtherSpec> = fc.record({
  kind: fc.constant('other' as const),
  etherType: fc.oneof(
    fc.integer({ min: 0, max: 0xffff }),
    fc.constantFrom(0x886f, 0x88cc, 0x0806, 0x86dd, 0x0800, 0x8100),
  ),
  payload: u8s(0, 64),
});

export type L3Spec = ArpSpec | Ipv4Spec | NdSpec | Ipv6DataSpec | OtherSpec;
export interface ScratchSpec {
  eth: EthSpec;
  l3: L3Spec;
}
/** A frame built field by field. */
export const scratchArb: fc.Arbitrary<ScratchSpec> = fc.record({
  eth: ethArb,
  l3: fc.oneof(
    { arbitrary: arpArb, weight: 4 },
    { arbitrary: ndArb, weight: 5 },
    { arbitrary: ipv4SpecArb, weight: 2 },
    { arbitrary: ipv6DataArb, weight: 1 },
    { arbitrary: otherArb, weight: 1 },
  ),
});

// ---- building ----

export function buildScratch(s: ScratchSpec): Uint8Array {
  return buildEthernet(s.eth, etherTypeOf(s.l3), buildL3(s.l3));
}

function etherTypeOf(l3: L3Spec): number {
  switch (l3.kind) {
    case 'arp':
      return ETH_ARP;
    case 'ipv4':
      return ETH_IPV4;
    case 'nd':
    case 'ipv6':
      return ETH_IPV6;
    default:
      return l3.etherType;
  }
}

export function buildEthernet(e: EthSpec, etherType: number, payload: Uint8Array): Uint8Array {
  const hdr = 14 + 4 * e.tags.length;
  const body = hdr + payload.length;
  const n = Math.max(body, e.pad ? 60 : 0) + e.trailer.length;
  const b = new Uint8Array(n);
  b.set(bytesOf(e.dst), 0);
  b.set(bytesOf(e.src), 6);
  let o = 12;
  for (const t of e.tags) {
    put16(b, o, t.tpid);
    put16(b, o + 2, t.tci);
    o += 4;
  }
  put16(b, o, etherType);
  b.set(payload, o + 2);
  b.set(e.trailer, n - e.trailer.length);
  return b;
}

function buildL3(l3: L3Spec): Uint8Array {
  switch (l3.kind) {
    case 'arp': {
      const b = new Uint8Array(28);
      put16(b, 0, l3.htype);
      put16(b, 2, l3.ptype);
      b[4] = l3.hlen;
      b[5] = l3.plen;
      put16(b, 6, l3.op);
      b.set(bytesOf(l3.sha), 8);
      b.set(bytesOf(l3.spa), 14);
      b.set(bytesOf(l3.tha), 18);
      b.set(bytesOf(l3.tpa), 24);
      return l3.cut === null ? b : b.subarray(0, l3.cut);
    }
    case 'ipv4': {
      const b = new Uint8Array(20 + l3.payload.length);
      b[0] = l3.verIhl;
      put16(b, 2, l3.totalLength ?? b.length);
      b[8] = 64;
      b[9] = l3.proto;
      b.set(bytesOf(l3.src), 12);
      b.set(bytesOf(l3.dst), 16);
      b.set(l3.payload, 20);
      return b;
    }
    case 'nd':
      return buildNd(l3);
    case 'ipv6': {
      const b = new Uint8Array(40 + l3.payload.length);
      b[0] = 0x60;
      put16(b, 4, l3.payload.length);
      b[6] = l3.next;
      b[7] = 64;
      b.set(bytesOf(l3.src), 8);
      b.set(bytesOf(l3.dst), 24);
      b.set(l3.payload, 40);
      return b;
    }
    default:
      return l3.payload;
  }
}

export function buildOption(o: OptionSpec): Uint8Array {
  switch (o.o) {
    case 'll': {
      const b = new Uint8Array(8);
      b[0] = o.type;
      b[1] = 1;
      b.set(bytesOf(o.mac), 2);
      return b;
    }
    case 'llLong': {
      const b = new Uint8Array(8 * o.units);
      b[0] = o.type;
      b[1] = o.units;
      b.set(bytesOf(o.mac), 2);
      return b;
    }
    case 'nonce': {
      const b = new Uint8Array(8);
      b[0] = 14;
      b[1] = 1;
      b.set(o.body, 2);
      return b;
    }
    default: {
      // a raw option whose length field may lie (0, or more than the bytes that follow)
      const b = new Uint8Array(2 + o.body.length);
      b[0] = o.type;
      b[1] = o.units;
      b.set(o.body, 2);
      return b;
    }
  }
}

function buildNd(s: NdSpec): Uint8Array {
  const opts = s.options.map(buildOption);
  const optLen = opts.reduce((a, o) => a + o.length, 0);
  const hbhLen = s.hbh === null ? 0 : (s.hbh + 1) * 8;
  const icmpLen = 24 + optLen;
  const b = new Uint8Array(40 + hbhLen + icmpLen);
  b[0] = s.ver;
  put16(b, 4, hbhLen + icmpLen);
  b[6] = s.hbh === null ? 58 : 0;
  b[7] = s.hopLimit;
  b.set(bytesOf(s.src), 8);
  b.set(bytesOf(s.dst), 24);
  if (s.hbh !== null) {
    b[40] = 58;
    b[41] = s.hbh;
    b[42] = 1; // PadN
    b[43] = hbhLen - 4;
  }
  const icmp = 40 + hbhLen;
  b[icmp] = s.type;
  b[icmp + 1] = s.code;
  b[icmp + 4] = s.type === 136 ? s.flags : 0;
  b.set(bytesOf(s.target), icmp + 8);
  let o = icmp + 24;
  for (const x of opts) {
    b.set(x, o);
    o += x.length;
  }
  // the checksum over the message as built (RFC 4443 2.3), then broken or left alone
  b[0] = 0x60;
  const ip6 = readIp6(b, b.length, { et: -2, etherType: ETH_IPV6, l3: 0, tags: 0 });
  const m = readIcmp6(b, ip6);
  if (ip6 && m) icmp6ChecksumFix(b, ip6, m);
  b[0] = s.ver;
  if (s.checksum === 'bad') b[icmp + 3] ^= 0x5a;
  if (s.payloadLength.lie) put16(b, 4, s.payloadLength.value);
  return b;
}

// ---- mutation ----

export type Mutation =
  | { m: 'flip'; at: number; bit: number }
  | { m: 'set'; at: number; value: number }
  | { m: 'truncate'; to: number }
  | { m: 'extend'; bytes: Uint8Array }
  | { m: 'vlan'; tags: TagSpec[] }
  | { m: 'untag' }
  | { m: 'ipv6PayloadLength'; delta: number }
  | { m: 'optionLength'; which: number; value: number }
  | { m: 'ihl'; value: number }
  | { m: 'arpLengths'; hlen: number; plen: number }
  | { m: 'addOption'; option: OptionSpec; at: number }
  | { m: 'mac'; at: number; mac: string }
  | { m: 'ip'; at: number; ip: string }
  | { m: 'fixChecksum' };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  {
    arbitrary: fc.record({ m: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ m: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    weight: 2,
  },
  { arbitrary: fc.record({ m: fc.constant('truncate' as const), to: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ m: fc.constant('extend' as const), bytes: u8s(1, 40) }), weight: 1 },
  {
    arbitrary: fc.record({
      m: fc.constant('vlan' as const),
      tags: fc.array(fc.record({ tpid: tpidArb, tci: fc.integer({ min: 0, max: 0xffff }) }), {
        minLength: 1,
        maxLength: 10,
      }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ m: fc.constant('untag' as const) }), weight: 1 },
  {
    arbitrary: fc.record({
      m: fc.constant('ipv6PayloadLength' as const),
      delta: fc.oneof(fc.integer({ min: -16, max: 16 }), fc.integer({ min: -70000, max: 70000 })),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      m: fc.constant('optionLength' as const),
      which: fc.nat(),
      value: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 })),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ m: fc.constant('ihl' as const), value: fc.integer({ min: 0, max: 255 }) }), weight: 1 },
  {
    arbitrary: fc.record({
      m: fc.constant('arpLengths' as const),
      hlen: fc.constantFrom(0, 4, 6, 8, 16, 255),
      plen: fc.constantFrom(0, 4, 6, 16, 255),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ m: fc.constant('addOption' as const), option: optionArb, at: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ m: fc.constant('mac' as const), at: fc.nat(), mac: macArb }), weight: 3 },
  { arbitrary: fc.record({ m: fc.constant('ip' as const), at: fc.nat(), ip: fc.oneof(ipv4Arb, ipv6Arb) }), weight: 2 },
  { arbitrary: fc.record({ m: fc.constant('fixChecksum' as const) }), weight: 3 },
);

/** Applies one mutation; returns a new array (the seed is never changed). */
export function mutate(f: Uint8Array, x: Mutation): Uint8Array {
  const n = f.length;
  const l2 = readL2(f, n);
  switch (x.m) {
    case 'flip': {
      if (n === 0) return f;
      const b = f.slice();
      b[x.at % n] ^= 1 << x.bit;
      return b;
    }
    case 'set': {
      if (n === 0) return f;
      const b = f.slice();
      b[x.at % n] = x.value;
      return b;
    }
    case 'truncate':
      return f.slice(0, x.to % (n + 1));
    case 'extend': {
      const b = new Uint8Array(n + x.bytes.length);
      b.set(f);
      b.set(x.bytes, n);
      return b;
    }
    case 'vlan': {
      if (n < 12) return f;
      const b = new Uint8Array(n + 4 * x.tags.length);
      b.set(f.subarray(0, 12));
      x.tags.forEach((t, i) => {
        put16(b, 12 + 4 * i, t.tpid);
        put16(b, 14 + 4 * i, t.tci);
      });
      b.set(f.subarray(12), 12 + 4 * x.tags.length);
      return b;
    }
    case 'untag': {
      if (!l2 || l2.tags === 0) return f;
      const b = new Uint8Array(n - 4);
      b.set(f.subarray(0, 12));
      b.set(f.subarray(16), 12);
      return b;
    }
    case 'ipv6PayloadLength': {
      const ip6 = readIp6(f, n, l2);
      if (!ip6) return f;
      const b = f.slice();
      put16(b, ip6.ip + 4, (((((b[ip6.ip + 4] << 8) | b[ip6.ip + 5]) + x.delta) % 65536) + 65536) % 65536);
      return b;
    }
    case 'optionLength': {
      const m = readIcmp6(f, readIp6(f, n, l2));
      if (!m) return f;
      const offs: number[] = [];
      for (let o = m.icmp + 24; o + 2 <= m.end && f[o + 1] > 0; o += f[o + 1] * 8) offs.push(o);
      if (offs.length === 0) return f;
      const b = f.slice();
      b[offs[x.which % offs.length] + 1] = x.value;
      return b;
    }
    case 'ihl': {
      if (!l2 || l2.etherType !== ETH_IPV4 || l2.l3 >= n) return f;
      const b = f.slice();
      b[l2.l3] = (b[l2.l3] & 0xf0) | (x.value & 0x0f);
      return b;
    }
    case 'arpLengths': {
      if (!l2 || l2.etherType !== ETH_ARP || l2.l3 + 6 > n) return f;
      const b = f.slice();
      b[l2.l3 + 4] = x.hlen;
      b[l2.l3 + 5] = x.plen;
      return b;
    }
    case 'addOption': {
      // insert an option in the NS/NA option list and grow the Payload Length to match
      const ip6 = readIp6(f, n, l2);
      const m = readIcmp6(f, ip6);
      if (!ip6 || !m || m.end - m.icmp < 24) return f;
      const offs: number[] = [m.icmp + 24];
      for (let o = m.icmp + 24; o + 2 <= m.end && f[o + 1] > 0 && o + f[o + 1] * 8 <= m.end; ) {
        o += f[o + 1] * 8;
        offs.push(o);
      }
      const at = offs[x.at % offs.length];
      const opt = buildOption(x.option);
      const b = new Uint8Array(n + opt.length);
      b.set(f.subarray(0, at));
      b.set(opt, at);
      b.set(f.subarray(at), at + opt.length);
      put16(b, ip6.ip + 4, (((f[ip6.ip + 4] << 8) | f[ip6.ip + 5]) + opt.length) & 0xffff);
      return b;
    }
    case 'mac': {
      const spots = macSpots(f, n, l2);
      if (spots.length === 0) return f;
      const b = f.slice();
      b.set(bytesOf(x.mac), spots[x.at % spots.length]);
      return b;
    }
    case 'ip': {
      const ip = bytesOf(x.ip);
      const spots = ipSpots(f, n, l2, ip.length);
      if (spots.length === 0) return f;
      const b = f.slice();
      b.set(ip, spots[x.at % spots.length]);
      return b;
    }
    case 'fixChecksum': {
      const ip6 = readIp6(f, n, l2);
      const m = readIcmp6(f, ip6);
      if (!ip6 || !m) return f;
      const b = f.slice();
      icmp6ChecksumFix(b, ip6, m);
      return b;
    }
  }
}

/** Offsets of MAC fields: Ethernet addresses, ARP SHA/THA, NS/NA link-layer options. */
function macSpots(f: Uint8Array, n: number, l2: ReturnType<typeof readL2>): number[] {
  const s: number[] = [];
  if (n >= 6) s.push(0);
  if (n >= 12) s.push(6);
  if (l2?.etherType === ETH_ARP && l2.l3 + 28 <= n) s.push(l2.l3 + 8, l2.l3 + 18);
  const m = readIcmp6(f, readIp6(f, n, l2));
  if (m) for (let o = m.icmp + 24; o + 8 <= m.end && f[o + 1] > 0; o += f[o + 1] * 8) s.push(o + 2);
  return s;
}

/** Offsets of IP address fields of the given size. */
function ipSpots(f: Uint8Array, n: number, l2: ReturnType<typeof readL2>, size: number): number[] {
  const s: number[] = [];
  if (!l2) return s;
  if (size === 4) {
    if (l2.etherType === ETH_ARP && l2.l3 + 28 <= n) s.push(l2.l3 + 14, l2.l3 + 24);
    if (readIp4(f, n, l2)) s.push(l2.l3 + 12, l2.l3 + 16);
  } else {
    const ip6 = readIp6(f, n, l2);
    if (ip6) s.push(ip6.src, ip6.dst);
    const m = readIcmp6(f, ip6);
    if (m && m.icmp + 24 <= m.end) s.push(m.icmp + 8);
  }
  return s;
}

export interface MutantSpec {
  seed: number;
  mutations: Mutation[];
}
export const mutantArb = (seeds: number): fc.Arbitrary<MutantSpec> =>
  fc.record({ seed: fc.nat({ max: seeds - 1 }), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 4 }) });

export function buildMutant(seeds: readonly Uint8Array[], s: MutantSpec): Uint8Array {
  let f = seeds[s.seed];
  for (const x of s.mutations) f = mutate(f, x);
  return f;
}
