import * as ipaddr from 'ipaddr.js';
import { FrameError } from '../../src/errors';
import { formatMac } from '../../src/mac';
import {
  ChecksumRepr,
  EthHeaderRepr,
  EthernetHeaderRepr,
  checksumValue,
  emitEthernet,
  macBytes,
} from '../../src/frame/build';
import { onesComplementSum } from '../../src/frame/checksum';
import { EtherType, readU16, writeU16 } from '../../src/frame/ethernet';
import { Icmpv6Field, Icmpv6Type, NdOption, ND_MIN_LEN, ND_OPT_LLADDR } from './icmpv6';
import { IPV6_HEADER_LEN, IpProto, Ipv6Field } from './ipv6';

/**
 * Typed representations (smoltcp's `Repr`) of the IPv6 family's packets: the IPv6 header with an
 * optional Hop-by-Hop header (RFC 8200 3, 4.3), ICMPv6 (RFC 4443 2.1) and Neighbor Solicitation and
 * Advertisement with their options (RFC 4861 4.3, 4.4, 4.6). Each has `parse` and `emit` at any
 * offset, and `parse(emit(r))` gives `r` back with every field explicit. Checksums cover the RFC 8200
 * 8.1 pseudo-header. For tests, vectors and the demo: they allocate freely and the engine never uses them.
 */

export interface Ipv6Repr {
  src: string;
  dst: string;
  /** Default 255 (RFC 4861 requires it for ND). */
  hopLimit?: number;
  /** Raw Hop-by-Hop header (its first byte, Next Header, is written by `emit`). */
  hopByHop?: Uint8Array;
  /** Overrides the Payload Length field (to build frames whose length lies). */
  payloadLength?: number;
  trafficClass?: number;
  flowLabel?: number;
  /** The upper-layer protocol (after the Hop-by-Hop header, if any); `emit` takes it as an argument otherwise. */
  nextHeader?: number;
}

/** An IPv6 header as `parse` reads it: every field explicit. */
export type Ipv6Parsed = Required<Omit<Ipv6Repr, 'hopByHop'>> & { hopByHop?: Uint8Array };

export function ipv6Bytes(text: string): Uint8Array {
  if (!ipaddr.IPv6.isValid(text)) throw new FrameError('ipv6', `"${text}" is not an IPv6 address`);
  return Uint8Array.from(ipaddr.IPv6.parse(text).toByteArray());
}

function ipv6Text(b: Uint8Array, off: number): string {
  return ipaddr.fromByteArray(Array.from(b.subarray(off, off + 16))).toString();
}

function fits(layer: string, what: string, off: number, len: number, end: number): void {
  if (off + len > end)
    throw new FrameError(
      layer,
      `${what} needs ${len} bytes at offset ${off}, ${Math.max(0, end - off)} available`,
      off,
      len,
      end - off,
    );
}

export const Ipv6Repr = {
  /** Header plus Hop-by-Hop header. */
  bufferLen(r: Ipv6Repr): number {
    return IPV6_HEADER_LEN + (r.hopByHop?.length ?? 0);
  },

  /**
   * Writes the header (and Hop-by-Hop header) at b[off..] for an upper layer of protocol
   * `nextHeader` and `upperLength` bytes (`r.nextHeader` and `r.payloadLength` win when given).
   * Returns the offset of the upper layer.
   */
  emit(r: Ipv6Repr, b: Uint8Array, off = 0, nextHeader = r.nextHeader ?? IpProto.ICMPV6, upperLength = 0): number {
    const hbh = r.hopByHop ?? new Uint8Array(0);
    const len = Ipv6Repr.bufferLen(r);
    fits('ipv6', 'header', off, len, b.length);
    const proto = r.nextHeader ?? nextHeader;
    const tc = r.trafficClass ?? 0;
    const fl = r.flowLabel ?? 0;
    b[off] = 0x60 | (tc >>> 4);
    b[off + 1] = ((tc & 0x0f) << 4) | ((fl >>> 16) & 0x0f);
    writeU16(b, off + 2, fl & 0xffff);
    writeU16(b, off + Ipv6Field.PAYLOAD_LENGTH, r.payloadLength ?? hbh.length + upperLength);
    b[off + Ipv6Field.NEXT_HEADER] = hbh.length > 0 ? IpProto.HOP_BY_HOP : proto;
    b[off + Ipv6Field.HOP_LIMIT] = r.hopLimit ?? 255;
    b.set(ipv6Bytes(r.src), off + Ipv6Field.SRC);
    b.set(ipv6Bytes(r.dst), off + Ipv6Field.DST);
    b.set(hbh, off + IPV6_HEADER_LEN);
    if (hbh.length > 0) b[off + IPV6_HEADER_LEN] = proto;
    return off + len;
  },

  /** Reads the header (and a Hop-by-Hop header) at b[off..end). Throws FrameError when either is cut short. */
  parse(b: Uint8Array, off = 0, end = b.length): Ipv6Parsed {
    fits('ipv6', 'header', off, IPV6_HEADER_LEN, end);
    if (b[off] >>> 4 !== 6) throw new FrameError('ipv6', `version ${b[off] >>> 4}, not 6`, off);
    const r: Ipv6Parsed = {
      src: ipv6Text(b, off + Ipv6Field.SRC),
      dst: ipv6Text(b, off + Ipv6Field.DST),
      hopLimit: b[off + Ipv6Field.HOP_LIMIT],
      payloadLength: readU16(b, off + Ipv6Field.PAYLOAD_LENGTH),
      trafficClass: ((b[off] & 0x0f) << 4) | (b[off + 1] >>> 4),
      flowLabel: ((b[off + 1] & 0x0f) << 16) | readU16(b, off + 2),
      nextHeader: b[off + Ipv6Field.NEXT_HEADER],
    };
    if (r.nextHeader === IpProto.HOP_BY_HOP) {
      const h = off + IPV6_HEADER_LEN;
      fits('ipv6', 'Hop-by-Hop header', h, 8, end);
      const hlen = (b[h + 1] + 1) * 8;
      fits('ipv6', 'Hop-by-Hop header', h, hlen, end);
      r.nextHeader = b[h];
      r.hopByHop = b.subarray(h, h + hlen);
    }
    return r;
  },
};

/** Sum of the RFC 8200 8.1 pseudo-header: source, destination, upper-layer length, next header. */
function ipv6PseudoSum(src: Uint8Array, dst: Uint8Array, length: number, nextHeader: number): number {
  return onesComplementSum(dst, 0, 16, onesComplementSum(src, 0, 16, (length >>> 16) + (length & 0xffff) + nextHeader));
}

/** RFC 4443 2.3 checksum of an ICMPv6 message between `src` and `dst` (its own checksum field read as zero). */
export function icmpv6ChecksumOf(src: Uint8Array, dst: Uint8Array, message: Uint8Array): number {
  const pseudo = ipv6PseudoSum(src, dst, message.length, IpProto.ICMPV6);
  const head = onesComplementSum(message, 0, Icmpv6Field.CHECKSUM, pseudo);
  return ~onesComplementSum(message, Icmpv6Field.CHECKSUM + 2, message.length, head) & 0xffff;
}

// ---- ICMPv6 ----

export interface Icmpv6Repr {
  type: number;
  code?: number;
  /** The 4 bytes after the checksum (NA flags in the first byte), as a number. */
  word?: number;
  /** Bytes after the first 8 (NS/NA: target and options; echo: identifier, sequence, data). */
  body?: Uint8Array;
  /** "good" (default), "bad" (the good one XOR 0x5a5a) or a fixed value. */
  checksum?: ChecksumRepr;
}

export const Icmpv6Repr = {
  bufferLen(r: Icmpv6Repr): number {
    return 8 + (r.body?.length ?? 0);
  },

  /** Writes the message at b[off..] with its checksum over `ip`'s pseudo-header; returns the offset after it. */
  emit(r: Icmpv6Repr, ip: { src: string; dst: string }, b: Uint8Array, off = 0): number {
    const len = Icmpv6Repr.bufferLen(r);
    fits('icmpv6', 'message', off, len, b.length);
    b[off + Icmpv6Field.TYPE] = r.type;
    b[off + Icmpv6Field.CODE] = r.code ?? 0;
    const w = r.word ?? 0;
    writeU16(b, off + 4, w >>> 16);
    writeU16(b, off + 6, w & 0xffff);
    b.set(r.body ?? new Uint8Array(0), off + 8);
    const m = b.subarray(off, off + len);
    writeU16(
      b,
      off + Icmpv6Field.CHECKSUM,
      checksumValue(icmpv6ChecksumOf(ipv6Bytes(ip.src), ipv6Bytes(ip.dst), m), r.checksum),
    );
    return off + len;
  },

  /** Reads the message filling b[off..end). The checksum is kept as a number. */
  parse(b: Uint8Array, off = 0, end = b.length): Required<Icmpv6Repr> & { checksum: number } {
    fits('icmpv6', 'header', off, 8, end);
    return {
      type: b[off + Icmpv6Field.TYPE],
      code: b[off + Icmpv6Field.CODE],
      word: ((readU16(b, off + 4) << 16) | readU16(b, off + 6)) >>> 0,
      body: b.subarray(off + 8, end),
      checksum: readU16(b, off + Icmpv6Field.CHECKSUM),
    };
  },
};

// ---- Neighbor Discovery ----

export interface NdOptionRepr {
  type: number;
  /** Link-layer address (SLLAO/TLLAO): 6 bytes, padded to 8 with the type and length. */
  mac?: string;
  /** Raw option body after type and length (other options; the nonce; oversized link-layer options). */
  body?: Uint8Array;
  /** Overrides the Length field (units of 8 octets). */
  length?: number;
}

export const NdOptionsRepr = {
  bufferLen(options: readonly NdOptionRepr[]): number {
    return options.reduce((n, o) => n + Math.ceil(((o.mac !== undefined ? 6 : (o.body?.length ?? 0)) + 2) / 8) * 8, 0);
  },

  /** Writes the options at b[off..], each zero-padded to a multiple of 8 bytes; returns the offset after them. */
  emit(options: readonly NdOptionRepr[], b: Uint8Array, off = 0): number {
    fits('nd', 'options', off, NdOptionsRepr.bufferLen(options), b.length);
    let o = off;
    for (const x of options) {
      const raw = x.mac !== undefined ? macBytes(x.mac) : (x.body ?? new Uint8Array(0));
      const len = Math.ceil((raw.length + 2) / 8) * 8;
      b.fill(0, o, o + len);
      b[o] = x.type;
      b[o + 1] = x.length ?? len / 8;
      b.set(raw, o + ND_OPT_LLADDR);
      o += len;
    }
    return o;
  },

  /**
   * Reads the options filling b[off..end) (RFC 4861 4.6): a link-layer option of length 1 as its
   * address, any other as its raw body. Throws FrameError on a zero length or an option running past the end.
   */
  parse(b: Uint8Array, off = 0, end = b.length): NdOptionRepr[] {
    const out: NdOptionRepr[] = [];
    for (let o = off; o < end; ) {
      fits('nd', `option at ${o - off}`, o, 2, end);
      const units = b[o + 1];
      if (units === 0) throw new FrameError('nd', `option at ${o - off} has length 0`, o + 1);
      fits('nd', `option at ${o - off}`, o, units * 8, end);
      const type = b[o];
      if ((type === NdOption.SOURCE_LL || type === NdOption.TARGET_LL) && units === 1)
        out.push({ type, mac: formatMac(b, o + ND_OPT_LLADDR) });
      else out.push({ type, body: b.subarray(o + 2, o + units * 8) });
      o += units * 8;
    }
    return out;
  },
};

export interface NdRepr {
  type: typeof Icmpv6Type.NEIGHBOR_SOLICITATION | typeof Icmpv6Type.NEIGHBOR_ADVERTISEMENT;
  code?: number;
  /** NA flags: NaFlag bits (the first byte after the checksum). */
  flags?: number;
  target: string;
  options?: NdOptionRepr[];
  checksum?: ChecksumRepr;
}

export const NdRepr = {
  bufferLen(r: NdRepr): number {
    return ND_MIN_LEN + NdOptionsRepr.bufferLen(r.options ?? []);
  },

  /** The NS or NA as an ICMPv6 message (the flags byte, then zeros, then target and options). */
  toIcmpv6(r: NdRepr): Icmpv6Repr {
    const opts = r.options ?? [];
    const body = new Uint8Array(16 + NdOptionsRepr.bufferLen(opts));
    body.set(ipv6Bytes(r.target), 0);
    NdOptionsRepr.emit(opts, body, 16);
    return { type: r.type, code: r.code, word: ((r.flags ?? 0) << 24) >>> 0, body, checksum: r.checksum };
  },

  /** Writes the message at b[off..] with its checksum over `ip`'s pseudo-header; returns the offset after it. */
  emit(r: NdRepr, ip: { src: string; dst: string }, b: Uint8Array, off = 0): number {
    return Icmpv6Repr.emit(NdRepr.toIcmpv6(r), ip, b, off);
  },

  /** Reads an NS or NA filling b[off..end). The checksum is kept as a number. Throws FrameError. */
  parse(b: Uint8Array, off = 0, end = b.length): Required<NdRepr> & { checksum: number } {
    fits('nd', 'NS/NA', off, ND_MIN_LEN, end);
    const type = b[off + Icmpv6Field.TYPE];
    if (type !== Icmpv6Type.NEIGHBOR_SOLICITATION && type !== Icmpv6Type.NEIGHBOR_ADVERTISEMENT)
      throw new FrameError('nd', `ICMPv6 type ${type} is not NS or NA`, off);
    return {
      type,
      code: b[off + Icmpv6Field.CODE],
      flags: b[off + Icmpv6Field.FLAGS],
      target: ipv6Text(b, off + Icmpv6Field.TARGET),
      options: NdOptionsRepr.parse(b, off + Icmpv6Field.OPTIONS, end),
      checksum: readU16(b, off + Icmpv6Field.CHECKSUM),
    };
  },
};

// ---- addresses ----

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

// ---- whole packets and frames ----

export function emitNdOptions(options: readonly NdOptionRepr[]): Uint8Array {
  const b = new Uint8Array(NdOptionsRepr.bufferLen(options));
  NdOptionsRepr.emit(options, b);
  return b;
}

/** ICMPv6 message with its checksum over the RFC 8200 8.1 pseudo-header of `ip`. */
export function emitIcmpv6(ip: Ipv6Repr, m: Icmpv6Repr): Uint8Array {
  const b = new Uint8Array(Icmpv6Repr.bufferLen(m));
  Icmpv6Repr.emit(m, ip, b);
  return b;
}

/** NS or NA body (target and options) as an ICMPv6 message. */
export function emitNd(ip: Ipv6Repr, nd: NdRepr): Uint8Array {
  return emitIcmpv6(ip, NdRepr.toIcmpv6(nd));
}

/** IPv6 header (+ optional Hop-by-Hop) + payload of protocol `proto`. */
export function emitIpv6(ip: Ipv6Repr, proto: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(Ipv6Repr.bufferLen(ip) + payload.length);
  b.set(payload, Ipv6Repr.emit(ip, b, 0, proto, payload.length));
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
  return emitEthernet({ ...eth, etherType: EtherType.IPV6, payload });
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
export function ipv6Frame(
  eth: EthHeaderRepr,
  ip: Ipv6Repr,
  proto: number,
  payload: Uint8Array,
  o?: FrameOptions,
): Uint8Array {
  return frame(eth, emitIpv6(ip, proto, payload), o);
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

/** Parses an Ethernet + IPv6 + NS/NA frame for inspection (a Hop-by-Hop header is walked). Throws FrameError. */
export function parseNd(b: Uint8Array): ParsedNd {
  const eth = EthernetHeaderRepr.parse(b);
  if (eth.etherType !== EtherType.IPV6) throw new FrameError('ipv6', 'not an IPv6 frame');
  const l3 = EthernetHeaderRepr.bufferLen(eth);
  const ip = Ipv6Repr.parse(b, l3);
  const end = l3 + IPV6_HEADER_LEN + ip.payloadLength;
  if (end > b.length)
    throw new FrameError(
      'ipv6',
      'payload length runs past the frame',
      l3,
      IPV6_HEADER_LEN + ip.payloadLength,
      b.length - l3,
    );
  if (ip.nextHeader !== IpProto.ICMPV6) throw new FrameError('ipv6', 'next header is not ICMPv6');
  const icmp = l3 + Ipv6Repr.bufferLen(ip);
  const nd = NdRepr.parse(b, icmp, end);
  return {
    src: ip.src,
    dst: ip.dst,
    hopLimit: ip.hopLimit,
    type: nd.type,
    code: nd.code,
    flags: nd.flags,
    target: nd.target,
    options: nd.options.map((o) => ({
      type: o.type,
      length: o.mac !== undefined ? 1 : ((o.body?.length ?? 0) + 2) / 8,
      ...(o.mac !== undefined ? { mac: o.mac } : {}),
    })),
    checksum: nd.checksum,
    checksumOk: icmpv6ChecksumOf(ipv6Bytes(ip.src), ipv6Bytes(ip.dst), b.subarray(icmp, end)) === nd.checksum,
  };
}
