/**
 * The property tests' own reading of frames: written apart from src/frame on purpose, so that the
 * oracle does not share a misreading with the engine. Allocates freely (tests only).
 */

export const TPIDS = [0x8100, 0x88a8, 0x9100];
export const ETH_ARP = 0x0806;
export const ETH_IPV4 = 0x0800;
export const ETH_IPV6 = 0x86dd;

export function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}
export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

export function hex(b: Uint8Array, from = 0, to = b.length): string {
  return Buffer.from(b.buffer, b.byteOffset + from, Math.max(0, to - from)).toString('hex');
}
export function macAt(b: Uint8Array, o: number): string {
  return hex(b, o, o + 6);
}
export function macText(h: string): string {
  return h.match(/../g)!.join('-');
}
export function bytesOf(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.replace(/[-:]/g, ''), 'hex'));
}
export function sameBytes(a: Uint8Array, b: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * At most this many stacked tags are read: the engine's documented limit (MAX_VLAN_TAGS in
 * src/frame/ethernet.ts); a deeper stack hides the protocol from both.
 */
export const MAX_TAGS = 8;

/** Layer 2 as IEEE 802.1Q walks it: tagged headers skipped, null past MAX_TAGS or when cut short. */
export interface L2 {
  /** Offset of the EtherType naming L3. */
  et: number;
  etherType: number;
  l3: number;
  tags: number;
}
export function readL2(f: Uint8Array, len: number): L2 | null {
  if (len < 14) return null;
  let o = 12;
  let tags = 0;
  while (TPIDS.includes(u16(f, o))) {
    if (tags === MAX_TAGS) return null;
    o += 4;
    tags++;
    if (o + 2 > len) return null;
  }
  return { et: o, etherType: u16(f, o), l3: o + 2, tags };
}

/** RFC 826 for Ethernet/IPv4 only: null when the layout is any other. */
export interface Arp {
  op: number;
  sha: number;
  spa: number;
  tha: number;
  tpa: number;
}
export function readArp(f: Uint8Array, len: number, l2: L2 | null): Arp | null {
  if (!l2 || l2.etherType !== ETH_ARP) return null;
  const o = l2.l3;
  if (o + 28 > len) return null;
  if (u16(f, o) !== 1 || u16(f, o + 2) !== 0x0800 || f[o + 4] !== 6 || f[o + 5] !== 4) return null;
  const op = u16(f, o + 6);
  if (op !== 1 && op !== 2) return null;
  return { op, sha: o + 8, spa: o + 14, tha: o + 18, tpa: o + 24 };
}

export interface Ip6 {
  ip: number;
  src: number;
  dst: number;
  /** End of the payload by Payload Length, or -1 when it runs past the frame. */
  end: number;
  /** Upper-layer protocol after an optional Hop-by-Hop header, and its offset (-1: unreadable). */
  proto: number;
  upper: number;
}
export function readIp6(f: Uint8Array, len: number, l2: L2 | null): Ip6 | null {
  if (!l2 || l2.etherType !== ETH_IPV6) return null;
  const ip = l2.l3;
  if (ip + 40 > len || f[ip] >> 4 !== 6) return null;
  const e = ip + 40 + u16(f, ip + 4);
  const end = e <= len ? e : -1;
  let proto = f[ip + 6];
  let upper = ip + 40;
  if (end >= 0 && proto === 0) {
    if (upper + 8 > end) upper = -1;
    else {
      proto = f[upper];
      upper += (f[upper + 1] + 1) * 8;
      if (upper > end) upper = -1;
    }
  }
  return { ip, src: ip + 8, dst: ip + 24, end, proto, upper: end < 0 ? -1 : upper };
}

/** ICMPv6 at `upper` with at least its type, or null. */
export interface Icmp6 {
  icmp: number;
  end: number;
  type: number;
}
export function readIcmp6(f: Uint8Array, ip6: Ip6 | null): Icmp6 | null {
  if (!ip6 || ip6.upper < 0 || ip6.proto !== 58 || ip6.upper >= ip6.end) return null;
  return { icmp: ip6.upper, end: ip6.end, type: f[ip6.upper] };
}

/**
 * RFC 4443 2.3 over the RFC 8200 8.1 pseudo-header, by plain 32-bit accumulation. The oracle's own
 * ones'-complement sum, kept apart from src/frame/checksum.ts on purpose: an independent reader
 * must not share a mistake with the builders or the engine.
 */
export function icmp6ChecksumValid(f: Uint8Array, ip6: Ip6, m: Icmp6): boolean {
  return icmp6Sum(f, ip6.ip, m.icmp, m.end) % 0xffff === 0;
}
function icmp6Sum(f: Uint8Array, ip: number, icmp: number, end: number): number {
  let s = 0;
  for (let i = 0; i < 32; i += 2) s += u16(f, ip + 8 + i);
  const n = end - icmp;
  s += Math.floor(n / 65536) + (n % 65536) + 58;
  for (let i = icmp; i < end; i += 2) s += (f[i] << 8) | (i + 1 < end ? f[i + 1] : 0);
  return s;
}
/** Stores the correct checksum (the frame's own ICMPv6 message). */
export function icmp6ChecksumFix(f: Uint8Array, ip6: Ip6, m: Icmp6): void {
  if (m.end - m.icmp < 4) return;
  put16(f, m.icmp + 2, 0);
  let s = icmp6Sum(f, ip6.ip, m.icmp, m.end);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  put16(f, m.icmp + 2, ~s & 0xffff);
}

/** NS/NA link-layer options (type 1 or 2, length 1) inside a well-formed option list, as offsets of the address. */
export function ndLinkLayerOptions(f: Uint8Array, m: Icmp6): { type: number; addr: number }[] {
  const out: { type: number; addr: number }[] = [];
  for (let o = m.icmp + 24; o + 2 <= m.end; ) {
    const units = f[o + 1];
    if (units === 0 || o + units * 8 > m.end) return out;
    if ((f[o] === 1 || f[o] === 2) && units === 1) out.push({ type: f[o], addr: o + 2 });
    o += units * 8;
  }
  return out;
}

/** IPv4 header: source and destination, when version 4 with IHL >= 5 fits. */
export function readIp4(f: Uint8Array, len: number, l2: L2 | null): { src: number; dst: number } | null {
  if (!l2 || l2.etherType !== ETH_IPV4) return null;
  const o = l2.l3;
  if (o + 20 > len || f[o] >> 4 !== 4 || (f[o] & 15) < 5) return null;
  return { src: o + 12, dst: o + 16 };
}
