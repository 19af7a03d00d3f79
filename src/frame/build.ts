import * as ipaddr from 'ipaddr.js';
import { FrameError } from '../errors';
import { Mac, formatMac } from '../mac';
import {
  ETH_HEADER_LEN,
  ETH_MIN_FRAME,
  EthField,
  MAX_VLAN_TAGS,
  VLAN_TAG_LEN,
  isVlanTpid,
  readU16,
  writeU16,
} from './ethernet';

/**
 * Typed representations of frames (smoltcp's `Repr`), for building and inspecting frames in tests,
 * vectors and the demo: each has `parse` and `emit`, and `parse(emit(r))` gives `r` back. This
 * module holds the link layer (Ethernet II and its 802.1Q/802.1ad tag stack); the protocol families
 * keep theirs beside their adapters (adapters/arp/repr.ts: ARP, IPv4, ICMP, UDP;
 * adapters/ndp/repr.ts: IPv6, ICMPv6, Neighbor Discovery). They allocate freely; the engine never
 * uses them.
 */
export interface VlanTag {
  /** 0x8100 (802.1Q), 0x88a8 (802.1ad) or 0x9100. */
  tpid: number;
  /** PCP/DEI/VID. */
  tci: number;
}

/** The Ethernet addresses and tag stack of a frame, without its EtherType. */
export interface EthHeaderRepr {
  dst: string;
  src: string;
  vlans?: VlanTag[];
}

/** An Ethernet II header (IEEE 802.3 3.1.1) with its tags (IEEE 802.1Q 9.3): everything before L3. */
export interface EthernetHeaderRepr extends EthHeaderRepr {
  /** The EtherType naming L3 (after the tags). */
  etherType: number;
}

export const EthernetHeaderRepr = {
  /** Bytes `emit` writes: 14, plus 4 per tag. */
  bufferLen(r: EthernetHeaderRepr): number {
    return ETH_HEADER_LEN + VLAN_TAG_LEN * (r.vlans?.length ?? 0);
  },

  /** Writes the header at b[off..]; returns the offset of L3. Throws FrameError when it does not fit. */
  emit(r: EthernetHeaderRepr, b: Uint8Array, off = 0): number {
    const len = EthernetHeaderRepr.bufferLen(r);
    if (off + len > b.length)
      throw new FrameError(
        'ethernet',
        `header of ${len} bytes does not fit at offset ${off}`,
        off,
        len,
        b.length - off,
      );
    b.set(macBytes(r.dst), off + EthField.DST);
    b.set(macBytes(r.src), off + EthField.SRC);
    let o = off + EthField.ETHERTYPE;
    for (const t of r.vlans ?? []) {
      writeU16(b, o, t.tpid);
      writeU16(b, o + 2, t.tci);
      o += VLAN_TAG_LEN;
    }
    writeU16(b, o, r.etherType);
    return o + 2;
  },

  /**
   * Reads the header at b[off..end): addresses, every tag (at most MAX_VLAN_TAGS, as the engine
   * walks them) and the EtherType. Throws FrameError when the frame is too short for its headers.
   */
  parse(b: Uint8Array, off = 0, end = b.length): EthernetHeaderRepr {
    if (off + ETH_HEADER_LEN > end)
      throw new FrameError(
        'ethernet',
        `frame of ${end - off} bytes is too short for its headers`,
        off,
        ETH_HEADER_LEN,
        end - off,
      );
    const vlans: VlanTag[] = [];
    let o = off + EthField.ETHERTYPE;
    while (isVlanTpid(readU16(b, o))) {
      if (vlans.length === MAX_VLAN_TAGS) throw new FrameError('ethernet', `more than ${MAX_VLAN_TAGS} VLAN tags`, o);
      if (o + VLAN_TAG_LEN + 2 > end)
        throw new FrameError('ethernet', `VLAN tag ${vlans.length + 1} is cut short`, o, VLAN_TAG_LEN + 2, end - o);
      vlans.push({ tpid: readU16(b, o), tci: readU16(b, o + 2) });
      o += VLAN_TAG_LEN;
    }
    return {
      dst: formatMac(b, off + EthField.DST),
      src: formatMac(b, off + EthField.SRC),
      vlans,
      etherType: readU16(b, o),
    };
  },
};

/** A whole Ethernet frame: header, payload and the padding a NIC adds. */
export interface EthernetRepr extends EthernetHeaderRepr {
  payload: Uint8Array;
  /** Pad with zeros to the 60-byte minimum (default true, as a NIC would). */
  pad?: boolean;
}

/** The frame of `r`: header, payload, then zeros up to 60 bytes unless `pad` is false. */
export function emitEthernet(r: EthernetRepr): Uint8Array {
  const l3 = EthernetHeaderRepr.bufferLen(r);
  const b = new Uint8Array(Math.max(l3 + r.payload.length, r.pad === false ? 0 : ETH_MIN_FRAME));
  EthernetHeaderRepr.emit(r, b, 0);
  b.set(r.payload, l3);
  return b;
}

export interface ParsedFrame extends EthernetHeaderRepr {
  vlans: VlanTag[];
  /** Offset of the L3 header. */
  l3: number;
}

/** Parses the Ethernet header and VLAN tags of a frame. Throws FrameError. */
export function parseFrame(b: Uint8Array): ParsedFrame {
  const h = EthernetHeaderRepr.parse(b);
  return { ...h, vlans: h.vlans ?? [], l3: EthernetHeaderRepr.bufferLen(h) };
}

/** How a builder writes a checksum: right (default), wrong (the right one XOR 0x5a5a) or a fixed value. */
export type ChecksumRepr = 'good' | 'bad' | number;

/** The checksum to store, given the right one and what the Repr asks for. */
export function checksumValue(good: number, c: ChecksumRepr | undefined): number {
  return c === undefined || c === 'good' ? good : c === 'bad' ? good ^ 0x5a5a : c;
}

export function macBytes(text: string): Uint8Array {
  return Mac.parse(text, 'mac').bytes;
}

export function ipBytes(text: string): Uint8Array {
  if (!ipaddr.isValid(text)) throw new FrameError('ip', `"${text}" is not an IP address`);
  return Uint8Array.from(ipaddr.parse(text).toByteArray());
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Strict hex decoding (even length, hex digits only); throws FrameError naming the position. */
export function fromHex(text: string): Uint8Array {
  if (text.length % 2 !== 0) throw new FrameError('hex', `odd number of hex digits (${text.length})`);
  const bad = /[^0-9a-fA-F]/.exec(text);
  if (bad) throw new FrameError('hex', `"${bad[0]}" at position ${bad.index} is not a hex digit`, bad.index);
  return Uint8Array.from(Buffer.from(text, 'hex'));
}
