import * as ipaddr from 'ipaddr.js';
import { FrameError } from '../errors';
import { formatMac } from '../mac';
import { EthernetRepr, VlanTag, emitEthernet, macBytes } from './build';
import { EtherType, etherTypeOffset, readU16, writeU16 } from './ethernet';
import { Icmpv6Field, Icmpv6Type, NdOption, ND_OPT_LLADDR } from './icmpv6';
import { IPV6_HEADER_LEN, IpProto, Ipv6Field } from './ipv6';

/**
 * Repr builders for IPv6, ICMPv6 and Neighbor Discovery frames (tests, golden vectors, demo). They
 * allocate freely and compute checksums their own way (a plain RFC 1071 sum over a pseudo-header
 * they lay out), independently of the engine's in-place code.
 */
export interface Ipv6Repr {
  src: string;
  dst: string;
  /** Default 255 (RFC 4861 requires it for ND). */
  hopLimit?: number;
  /** Raw Hop-by-Hop header (its first byte is overwritten with the upper-layer protocol). */
  hopByHop?: Uint8Array;
  /** Overrides the Payload Length field (to build frames whose length lies). */
  payloadLength?: number;
  trafficClass?: number;
  flowLabel?: number;
}

export interface NdOptionRepr {
  type: number;
  /** Link-layer address (SLLAO/TLLAO): 6 bytes, padded to 8 with the type and length. */
  mac?: string;
  /** Raw option body after type and length (other options; the nonce; oversized link-layer options). */
  body?: Uint8Array;
  /** Overrides the Length field (units of 8 octets). */
  length?: number;
}

export interface Icmpv6Repr {
  type: number;
  code?: number;
  /** The 4 bytes after the checksum (NA flags in the first byte), as a number. */
  word?: number;
  /** Bytes after the first 8 (NS/NA: target and options; echo: identifier, sequence, data). */
  body?: Uint8Array;
  /** "good" (default), "bad" (the good one XOR 0x5a5a) or a fixed value. */
  checksum?: 'good' | 'bad' | number;
}

export interface NdRepr {
  type: typeof Icmpv6Type.NEIGHBOR_SOLICITATION | typeof Icmpv6Type.NEIGHBOR_ADVERTISEMENT;
  code?: number;
  /** NA flags: NaFlag bits. */
  flags?: number;
  target: string;
  options?: NdOptionRepr[];
  checksum?: 'good' | 'bad' | number;
}

export interface EthHeaderRepr {
  dst: string;
  src: string;
  vlans?: VlanTag[];
}

export function ipv6Bytes(text: string): Uint8Array {
  if (!ipaddr.IPv6.isValid(text)) throw new FrameError('ipv6', `"${text}" is not an IPv6 address`);
  return Uint8Array.from(ipaddr.IPv6.parse(text).toByteArray());
}

/** RFC 4291 2.7.1: the solicited-node multicast address of `text` (ff02::1:ffXX:XXXX). */
export function solicitedNode(text: string): string {
  const b = ipv6Bytes(text);
  const s = ipv6Bytes('ff02::1:ff00:0');
  s.set(b.subarray(13), 13);
  return ipaddr.fromByteArray(Array.from(s)).toString();
}

/** RFC 2464 7: the Ethernet multicast MAC of an IPv6 multicast address (33-33 + last 4 bytes). */
export function ipv6MulticastMac(text: string): string {
  const b = ipv6Bytes(text);
  return formatMac([0x33, 0x33, b[12], b[13], b[14], b[15]]);
}

export function emitNdOptions(options: readonly NdOptionRepr[]): Uint8Array {
  const parts = options.map((o) => {
    const raw = o.mac !== undefined ? macBytes(o.mac) : (o.body ?? new Uint8Array(0));
    const len = Math.ceil((raw.length + 2) / 8) * 8;
    const b = new Uint8Array(len);
    b[0] = o.type;
    b[1] = o.length ?? len / 8;
    b.set(raw, ND_OPT_LLADDR);
    return b;
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** ICMPv6 message with its checksum over the RFC 8200 8.1 pseudo-header of `ip`. */
export function emitIcmpv6(ip: Ipv6Repr, m: Icmpv6Repr): Uint8Array {
  const body = m.body ?? new Uint8Array(0);
  const b = new Uint8Array(8 + body.length);
  b[Icmpv6Field.TYPE] = m.type;
  b[Icmpv6Field.CODE] = m.code ?? 0;
  const w = m.word ?? 0;
  b[4] = w >>> 24;
  b[5] = (w >>> 16) & 0xff;
  b[6] = (w >>> 8) & 0xff;
  b[7] = w & 0xff;
  b.set(body, 8);
  const good = icmpv6ChecksumOf(ipv6Bytes(ip.src), ipv6Bytes(ip.dst), b);
  const c = m.checksum === undefined || m.checksum === 'good' ? good : m.checksum === 'bad' ? good ^ 0x5a5a : m.checksum;
  writeU16(b, Icmpv6Field.CHECKSUM, c);
  return b;
}

/** NS or NA body (target and options) as an ICMPv6 message. */
export function emitNd(ip: Ipv6Repr, nd: NdRepr): Uint8Array {
  const opts = emitNdOptions(nd.options ?? []);
  const body = new Uint8Array(16 + opts.length);
  body.set(ipv6Bytes(nd.target), 0);
  body.set(opts, 16);
  return emitIcmpv6(ip, { type: nd.type, code: nd.code, word: ((nd.flags ?? 0) << 24) >>> 0, body, checksum: nd.checksum });
}

/** IPv6 header (+ optional Hop-by-Hop) + payload of protocol `proto`. */
export function emitIpv6(ip: Ipv6Repr, proto: number, payload: Uint8Array): Uint8Array {
  const hbh = ip.hopByHop ? Uint8Array.from(ip.hopByHop) : new Uint8Array(0);
  if (hbh.length > 0) hbh[0] = proto;
  const b = new Uint8Array(IPV6_HEADER_LEN + hbh.length + payload.length);
  const tc = ip.trafficClass ?? 0;
  const fl = ip.flowLabel ?? 0;
  b[0] = 0x60 | (tc >>> 4);
  b[1] = ((tc & 0x0f) << 4) | ((fl >>> 16) & 0x0f);
  writeU16(b, 2, fl & 0xffff);
  writeU16(b, Ipv6Field.PAYLOAD_LENGTH, ip.payloadLength ?? hbh.length + payload.length);
  b[Ipv6Field.NEXT_HEADER] = hbh.length > 0 ? IpProto.HOP_BY_HOP : proto;
  b[Ipv6Field.HOP_LIMIT] = ip.hopLimit ?? 255;
  b.set(ipv6Bytes(ip.src), Ipv6Field.SRC);
  b.set(ipv6Bytes(ip.dst), Ipv6Field.DST);
  b.set(hbh, IPV6_HEADER_LEN);
  b.set(payload, IPV6_HEADER_LEN + hbh.length);
  return b;
}

export interface FrameOptions {
  /** Bytes appended after the IPv6 packet (Ethernet padding or trailing garbage). */
  trailer?: Uint8Array;
}

function frame(eth: EthHeaderRepr, packet: Uint8Array, o: FrameOptions = {}): Uint8Array {
  const t = o.trailer ?? new Uint8Array(0);
  const payload = new Uint8Array(packet.length + t.length);
  payload.set(packet, 0);
  payload.set(t, packet.length);
  const r: EthernetRepr = { ...eth, etherType: EtherType.IPV6, payload };
  return emitEthernet(r);
}

/** An Ethernet + IPv6 + NS/NA frame with a correct checksum unless `nd.checksum` says otherwise. */
export function ndFrame(eth: EthHeaderRepr, ip: Ipv6Repr, nd: NdRepr, o?: FrameOptions): Uint8Array {
  return frame(eth, emitIpv6(ip, IpProto.ICMPV6, emitNd(ip, nd)), o);
}

/** An Ethernet + IPv6 + ICMPv6 frame (RS, RA, echo, ...). */
export function icmpv6Frame(eth: EthHeaderRepr, ip: Ipv6Repr, m: Icmpv6Repr, o?: FrameOptions): Uint8Array {
  return frame(eth, emitIpv6(ip, IpProto.ICMPV6, emitIcmpv6(ip, m)), o);
}

/** An Ethernet + IPv6 frame with an arbitrary upper-layer payload (UDP, TCP, ...). */
export function ipv6Frame(eth: EthHeaderRepr, ip: Ipv6Repr, proto: number, payload: Uint8Array, o?: FrameOptions): Uint8Array {
  return frame(eth, emitIpv6(ip, proto, payload), o);
}

/** RFC 1071 sum of pseudo-header (src, dst, length, next header 58) + message, complemented. */
export function icmpv6ChecksumOf(src: Uint8Array, dst: Uint8Array, message: Uint8Array): number {
  const pseudo = new Uint8Array(40 + message.length + (message.length & 1));
  pseudo.set(src, 0);
  pseudo.set(dst, 16);
  new DataView(pseudo.buffer).setUint32(32, message.length);
  pseudo[39] = IpProto.ICMPV6;
  pseudo.set(message, 40);
  pseudo[40 + Icmpv6Field.CHECKSUM] = 0;
  pseudo[40 + Icmpv6Field.CHECKSUM + 1] = 0;
  let sum = 0;
  for (let i = 0; i < pseudo.length; i += 2) sum += (pseudo[i] << 8) | pseudo[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface ParsedNd {
  src: string;
  dst: string;
  hopLimit: number;
  type: number;
  code: number;
  flags: number;
  target: string;
  options: { type: number; length: number; mac?: string }[];
  checksum: number;
  checksumOk: boolean;
}

/** Parses an Ethernet + IPv6 (no extension header) + NS/NA frame for inspection. Throws FrameError. */
export function parseNd(b: Uint8Array): ParsedNd {
  const et = etherTypeOffset(b, b.length);
  if (et < 0 || readU16(b, et) !== EtherType.IPV6) throw new FrameError('ipv6', 'not an IPv6 frame');
  const ip = et + 2;
  const plen = readU16(b, ip + Ipv6Field.PAYLOAD_LENGTH);
  if (ip + IPV6_HEADER_LEN + plen > b.length) throw new FrameError('ipv6', 'payload length runs past the frame', ip, IPV6_HEADER_LEN + plen, b.length - ip);
  if (b[ip + Ipv6Field.NEXT_HEADER] !== IpProto.ICMPV6) throw new FrameError('ipv6', 'next header is not ICMPv6');
  const icmp = ip + IPV6_HEADER_LEN;
  const end = icmp + plen;
  if (plen < 24) throw new FrameError('icmpv6', 'too short for NS/NA', icmp, 24, plen);
  const addr = (o: number) => ipaddr.fromByteArray(Array.from(b.subarray(o, o + 16))).toString();
  const options: ParsedNd['options'] = [];
  for (let o = icmp + Icmpv6Field.OPTIONS; o + 2 <= end && b[o + 1] > 0; o += b[o + 1] * 8) {
    const opt: ParsedNd['options'][number] = { type: b[o], length: b[o + 1] };
    if ((b[o] === NdOption.SOURCE_LL || b[o] === NdOption.TARGET_LL) && o + 8 <= end) opt.mac = formatMac(b, o + ND_OPT_LLADDR);
    options.push(opt);
  }
  const message = b.subarray(icmp, end);
  const checksum = readU16(b, icmp + Icmpv6Field.CHECKSUM);
  return {
    src: addr(ip + Ipv6Field.SRC),
    dst: addr(ip + Ipv6Field.DST),
    hopLimit: b[ip + Ipv6Field.HOP_LIMIT],
    type: b[icmp],
    code: b[icmp + 1],
    flags: b[icmp + Icmpv6Field.FLAGS],
    target: addr(icmp + Icmpv6Field.TARGET),
    options,
    checksum,
    checksumOk: icmpv6ChecksumOf(b.subarray(ip + 8, ip + 24), b.subarray(ip + 24, ip + 40), message) === checksum,
  };
}
