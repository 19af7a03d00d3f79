import { FrameError } from '../../src/errors';
import { formatMac } from '../../src/mac';
import {
  ChecksumRepr,
  EthHeaderRepr,
  ParsedFrame,
  checksumValue,
  emitEthernet,
  ipBytes,
  macBytes,
  parseFrame,
} from '../../src/frame/build';
import { internetChecksum, onesComplementSum } from '../../src/frame/checksum';
import { ArpField, ARP_LEN } from './arp';
import { EtherType, readU16, writeU16 } from '../../src/frame/ethernet';
import { IPV4_MIN_HEADER, Ipv4Field } from './ipv4';

/**
 * Typed representations (smoltcp's `Repr`) of the IPv4 family's packets: ARP (RFC 826), the IPv4
 * header (RFC 791 3.1), ICMP (RFC 792) and UDP (RFC 768). Each has `parse` and `emit` at any
 * offset, and `parse(emit(r))` gives `r` back with every field explicit. For tests, vectors and the
 * demo: they allocate freely and the engine never uses them.
 */

function ipv4Text(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

function ipv4Bytes(text: string): Uint8Array {
  const b = ipBytes(text);
  if (b.length !== 4) throw new FrameError('ipv4', `"${text}" is not an IPv4 address`);
  return b;
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

// ---- ARP ----

/**
 * An ARP packet with 6-byte hardware and 4-byte protocol addresses (the RFC 826 layout of
 * Ethernet/IPv4, whatever htype and ptype say). Other address sizes have no Repr: build them raw.
 */
export interface ArpRepr {
  /** Opcode (RFC 826 ar$op; any value is kept). */
  op: number;
  sha: string;
  spa: string;
  tha: string;
  tpa: string;
  /** Default 1 (Ethernet). */
  htype?: number;
  /** Default 0x0800 (IPv4). */
  ptype?: number;
  /** Default 6; `emit` writes what is given, `parse` reads only 6. */
  hlen?: number;
  /** Default 4; `emit` writes what is given, `parse` reads only 4. */
  plen?: number;
}

export const ArpRepr = {
  bufferLen(): number {
    return ARP_LEN;
  },

  /** Writes the 28-byte packet at b[off..]; returns the offset after it. */
  emit(r: ArpRepr, b: Uint8Array, off = 0): number {
    fits('arp', 'packet', off, ARP_LEN, b.length);
    writeU16(b, off + ArpField.HTYPE, r.htype ?? 1);
    writeU16(b, off + ArpField.PTYPE, r.ptype ?? EtherType.IPV4);
    b[off + ArpField.HLEN] = r.hlen ?? 6;
    b[off + ArpField.PLEN] = r.plen ?? 4;
    writeU16(b, off + ArpField.OPER, r.op);
    b.set(macBytes(r.sha), off + ArpField.SHA);
    b.set(ipv4Bytes(r.spa), off + ArpField.SPA);
    b.set(macBytes(r.tha), off + ArpField.THA);
    b.set(ipv4Bytes(r.tpa), off + ArpField.TPA);
    return off + ARP_LEN;
  },

  /** Reads the packet at b[off..end). Throws FrameError when it is short or its address sizes are not 6 and 4. */
  parse(b: Uint8Array, off = 0, end = b.length): Required<ArpRepr> {
    fits('arp', 'packet', off, ARP_LEN, end);
    const hlen = b[off + ArpField.HLEN];
    const plen = b[off + ArpField.PLEN];
    if (hlen !== 6 || plen !== 4)
      throw new FrameError('arp', `address sizes ${hlen} and ${plen}, not 6 and 4`, off + ArpField.HLEN);
    return {
      htype: readU16(b, off + ArpField.HTYPE),
      ptype: readU16(b, off + ArpField.PTYPE),
      hlen,
      plen,
      op: readU16(b, off + ArpField.OPER),
      sha: formatMac(b, off + ArpField.SHA),
      spa: ipv4Text(b, off + ArpField.SPA),
      tha: formatMac(b, off + ArpField.THA),
      tpa: ipv4Text(b, off + ArpField.TPA),
    };
  },
};

export function emitArp(r: ArpRepr): Uint8Array {
  const b = new Uint8Array(ARP_LEN);
  ArpRepr.emit(r, b);
  return b;
}

/** An ARP frame (Ethernet + ARP), padded to 60 bytes. */
export function arpFrame(eth: EthHeaderRepr, arp: ArpRepr): Uint8Array {
  return emitEthernet({ ...eth, etherType: EtherType.ARP, payload: emitArp(arp) });
}

/** The Ethernet header of a frame and, when it carries an Ethernet/IPv4-sized ARP packet, that packet. Throws FrameError for a short Ethernet header. */
export function parseArpFrame(b: Uint8Array): { eth: ParsedFrame; arp?: Required<ArpRepr> } {
  const eth = parseFrame(b);
  if (
    eth.etherType !== EtherType.ARP ||
    eth.l3 + ARP_LEN > b.length ||
    b[eth.l3 + ArpField.HLEN] !== 6 ||
    b[eth.l3 + ArpField.PLEN] !== 4
  )
    return { eth };
  return { eth, arp: ArpRepr.parse(b, eth.l3) };
}

// ---- IPv4 ----

/** Flags and fragment offset word (RFC 791 3.1): DF. */
export const IPV4_DONT_FRAGMENT = 0x4000;

/** An IPv4 header without options (IHL 5). */
export interface Ipv4Repr {
  src: string;
  dst: string;
  /** IANA protocol number (1 ICMP, 17 UDP). */
  protocol: number;
  /** Bytes after the header (Total Length - 20). */
  payloadLength: number;
  /** Default 64. */
  ttl?: number;
  /** Identification; default 0. */
  ident?: number;
  /** Flags and fragment offset; default DF (0x4000). */
  flagsFragment?: number;
  /** DSCP and ECN; default 0. */
  tos?: number;
  checksum?: ChecksumRepr;
}

export const Ipv4Repr = {
  bufferLen(): number {
    return IPV4_MIN_HEADER;
  },

  /** Writes the 20-byte header, header checksum included, at b[off..]; returns the payload offset. */
  emit(r: Ipv4Repr, b: Uint8Array, off = 0): number {
    fits('ipv4', 'header', off, IPV4_MIN_HEADER, b.length);
    b[off + Ipv4Field.VER_IHL] = 0x45;
    b[off + 1] = r.tos ?? 0;
    writeU16(b, off + Ipv4Field.TOTAL_LENGTH, IPV4_MIN_HEADER + r.payloadLength);
    writeU16(b, off + 4, r.ident ?? 0);
    writeU16(b, off + 6, r.flagsFragment ?? IPV4_DONT_FRAGMENT);
    b[off + 8] = r.ttl ?? 64;
    b[off + Ipv4Field.PROTOCOL] = r.protocol;
    writeU16(b, off + Ipv4Field.CHECKSUM, 0);
    b.set(ipv4Bytes(r.src), off + Ipv4Field.SRC);
    b.set(ipv4Bytes(r.dst), off + Ipv4Field.DST);
    writeU16(b, off + Ipv4Field.CHECKSUM, checksumValue(internetChecksum(b, off, off + IPV4_MIN_HEADER), r.checksum));
    return off + IPV4_MIN_HEADER;
  },

  /** Reads a header without options at b[off..end). The checksum is kept as a number. Throws FrameError. */
  parse(b: Uint8Array, off = 0, end = b.length): Required<Ipv4Repr> & { checksum: number } {
    fits('ipv4', 'header', off, IPV4_MIN_HEADER, end);
    if (b[off + Ipv4Field.VER_IHL] !== 0x45)
      throw new FrameError('ipv4', `version/IHL 0x${b[off].toString(16)}, not 0x45 (IPv4 without options)`, off);
    const total = readU16(b, off + Ipv4Field.TOTAL_LENGTH);
    if (total < IPV4_MIN_HEADER)
      throw new FrameError('ipv4', `total length ${total} is shorter than the header`, off + Ipv4Field.TOTAL_LENGTH);
    return {
      src: ipv4Text(b, off + Ipv4Field.SRC),
      dst: ipv4Text(b, off + Ipv4Field.DST),
      protocol: b[off + Ipv4Field.PROTOCOL],
      payloadLength: total - IPV4_MIN_HEADER,
      ttl: b[off + 8],
      ident: readU16(b, off + 4),
      flagsFragment: readU16(b, off + 6),
      tos: b[off + 1],
      checksum: readU16(b, off + Ipv4Field.CHECKSUM),
    };
  },

  /** True when the header checksum at b[off..] is right. */
  checksumOk(b: Uint8Array, off = 0): boolean {
    return onesComplementSum(b, off, off + IPV4_MIN_HEADER) === 0xffff;
  },
};

/** Sum of the RFC 768 / RFC 793 pseudo-header of IPv4: source, destination, protocol, length. */
function ipv4PseudoSum(ip: { src: string; dst: string }, protocol: number, length: number): number {
  const p = new Uint8Array(12);
  p.set(ipv4Bytes(ip.src), 0);
  p.set(ipv4Bytes(ip.dst), 4);
  p[9] = protocol;
  writeU16(p, 10, length);
  return onesComplementSum(p);
}

// ---- ICMP ----

/** An ICMP message (RFC 792): type, code, checksum, the 4-byte rest of header, then the body. */
export interface Icmpv4Repr {
  type: number;
  code?: number;
  /** The 4 bytes after the checksum (echo: identifier and sequence number), as a number. */
  word?: number;
  body?: Uint8Array;
  checksum?: ChecksumRepr;
}

export const Icmpv4Repr = {
  bufferLen(r: Icmpv4Repr): number {
    return 8 + (r.body?.length ?? 0);
  },

  /** Writes the message with its checksum at b[off..]; returns the offset after it. */
  emit(r: Icmpv4Repr, b: Uint8Array, off = 0): number {
    const len = Icmpv4Repr.bufferLen(r);
    fits('icmp', 'message', off, len, b.length);
    b[off] = r.type;
    b[off + 1] = r.code ?? 0;
    writeU16(b, off + 2, 0);
    const w = r.word ?? 0;
    writeU16(b, off + 4, w >>> 16);
    writeU16(b, off + 6, w & 0xffff);
    b.set(r.body ?? new Uint8Array(0), off + 8);
    writeU16(b, off + 2, checksumValue(internetChecksum(b, off, off + len), r.checksum));
    return off + len;
  },

  /** Reads the message filling b[off..end). The checksum is kept as a number. */
  parse(b: Uint8Array, off = 0, end = b.length): Required<Icmpv4Repr> & { checksum: number } {
    fits('icmp', 'header', off, 8, end);
    return {
      type: b[off],
      code: b[off + 1],
      word: ((readU16(b, off + 4) << 16) | readU16(b, off + 6)) >>> 0,
      body: b.subarray(off + 8, end),
      checksum: readU16(b, off + 2),
    };
  },
};

// ---- UDP ----

/** A UDP datagram (RFC 768); its checksum covers the IPv4 pseudo-header. */
export interface UdpRepr {
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
  checksum?: ChecksumRepr;
}

export const UdpRepr = {
  bufferLen(r: UdpRepr): number {
    return 8 + r.payload.length;
  },

  /** Writes the datagram at b[off..] with its checksum over `ip`'s pseudo-header; returns the offset after it. */
  emit(r: UdpRepr, ip: { src: string; dst: string }, b: Uint8Array, off = 0): number {
    const len = UdpRepr.bufferLen(r);
    fits('udp', 'datagram', off, len, b.length);
    writeU16(b, off, r.srcPort);
    writeU16(b, off + 2, r.dstPort);
    writeU16(b, off + 4, len);
    writeU16(b, off + 6, 0);
    b.set(r.payload, off + 8);
    const c = internetChecksum(b, off, off + len, ipv4PseudoSum(ip, 17, len));
    // RFC 768: a computed checksum of zero is sent as all ones (zero means "no checksum")
    writeU16(b, off + 6, checksumValue(c === 0 ? 0xffff : c, r.checksum));
    return off + len;
  },

  /** Reads the datagram at b[off..) by its Length field. The checksum is kept as a number. */
  parse(b: Uint8Array, off = 0, end = b.length): Required<UdpRepr> & { checksum: number } {
    fits('udp', 'header', off, 8, end);
    const len = readU16(b, off + 4);
    if (len < 8) throw new FrameError('udp', `length ${len} is shorter than the header`, off + 4);
    fits('udp', 'datagram', off, len, end);
    return {
      srcPort: readU16(b, off),
      dstPort: readU16(b, off + 2),
      payload: b.subarray(off + 8, off + len),
      checksum: readU16(b, off + 6),
    };
  },
};

// ---- frames ----

/** Ethernet + IPv4 + an upper-layer payload already built, padded to 60 bytes unless `pad` is false. */
export function ipv4Frame(
  eth: EthHeaderRepr,
  ip: Omit<Ipv4Repr, 'payloadLength'>,
  payload: Uint8Array,
  pad = true,
): Uint8Array {
  const packet = new Uint8Array(IPV4_MIN_HEADER + payload.length);
  Ipv4Repr.emit({ ...ip, payloadLength: payload.length }, packet);
  packet.set(payload, IPV4_MIN_HEADER);
  return emitEthernet({ ...eth, etherType: EtherType.IPV4, payload: packet, pad });
}

/** The bytes of an ICMP message. */
export function emitIcmpv4(r: Icmpv4Repr): Uint8Array {
  const b = new Uint8Array(Icmpv4Repr.bufferLen(r));
  Icmpv4Repr.emit(r, b);
  return b;
}

/** The bytes of a UDP datagram between the addresses of `ip`. */
export function emitUdp(r: UdpRepr, ip: { src: string; dst: string }): Uint8Array {
  const b = new Uint8Array(UdpRepr.bufferLen(r));
  UdpRepr.emit(r, ip, b);
  return b;
}
