import * as ipaddr from 'ipaddr.js';
import { FrameError } from '../errors';
import { Mac, formatMac } from '../mac';
import { ArpField, ARP_LEN } from './arp';
import { ETH_MIN_FRAME, EtherType, etherTypeOffset, readU16, writeU16 } from './ethernet';

/**
 * Typed representations of frames, for building and inspecting them in tests, vectors and the demo
 * (smoltcp's `Repr`). They allocate freely; the engine never uses them.
 */
export interface VlanTag {
  /** 0x8100 (802.1Q), 0x88a8 (802.1ad) or 0x9100. */
  tpid: number;
  /** PCP/DEI/VID. */
  tci: number;
}

export interface EthernetRepr {
  dst: string;
  src: string;
  vlans?: VlanTag[];
  etherType: number;
  payload: Uint8Array;
  /** Pad with zeros to the 60-byte minimum (default true, as a NIC would). */
  pad?: boolean;
}

export interface ArpRepr {
  op: number;
  sha: string;
  spa: string;
  tha: string;
  tpa: string;
  htype?: number;
  ptype?: number;
  hlen?: number;
  plen?: number;
}

export function macBytes(text: string): Uint8Array {
  return Mac.parse(text, 'mac').bytes;
}

export function ipBytes(text: string): Uint8Array {
  if (!ipaddr.isValid(text)) throw new FrameError('ip', `"${text}" is not an IP address`);
  return Uint8Array.from(ipaddr.parse(text).toByteArray());
}

export function emitEthernet(r: EthernetRepr): Uint8Array {
  const tags = r.vlans ?? [];
  const hdr = 14 + 4 * tags.length;
  const len = Math.max(hdr + r.payload.length, r.pad === false ? 0 : ETH_MIN_FRAME);
  const b = new Uint8Array(len);
  b.set(macBytes(r.dst), 0);
  b.set(macBytes(r.src), 6);
  let off = 12;
  for (const t of tags) {
    writeU16(b, off, t.tpid);
    writeU16(b, off + 2, t.tci);
    off += 4;
  }
  writeU16(b, off, r.etherType);
  b.set(r.payload, off + 2);
  return b;
}

export function emitArp(r: ArpRepr): Uint8Array {
  const b = new Uint8Array(ARP_LEN);
  writeU16(b, ArpField.HTYPE, r.htype ?? 1);
  writeU16(b, ArpField.PTYPE, r.ptype ?? EtherType.IPV4);
  b[ArpField.HLEN] = r.hlen ?? 6;
  b[ArpField.PLEN] = r.plen ?? 4;
  writeU16(b, ArpField.OPER, r.op);
  b.set(macBytes(r.sha), ArpField.SHA);
  b.set(ipBytes(r.spa), ArpField.SPA);
  b.set(macBytes(r.tha), ArpField.THA);
  b.set(ipBytes(r.tpa), ArpField.TPA);
  return b;
}

/** An ARP frame (Ethernet + ARP), padded to 60 bytes. */
export function arpFrame(eth: { dst: string; src: string; vlans?: VlanTag[] }, arp: ArpRepr): Uint8Array {
  return emitEthernet({ ...eth, etherType: EtherType.ARP, payload: emitArp(arp) });
}

export interface ParsedFrame {
  dst: string;
  src: string;
  vlans: VlanTag[];
  etherType: number;
  l3: number;
  arp?: ArpRepr;
}

/** Parses the Ethernet header, VLAN tags and (if present) the ARP body. Throws FrameError. */
export function parseFrame(b: Uint8Array): ParsedFrame {
  const et = etherTypeOffset(b, b.length);
  if (et < 0) throw new FrameError('ethernet', `frame of ${b.length} bytes is too short for its headers`, 0, 14, b.length);
  const vlans: VlanTag[] = [];
  for (let o = 12; o < et; o += 4) vlans.push({ tpid: readU16(b, o), tci: readU16(b, o + 2) });
  const etherType = readU16(b, et);
  const l3 = et + 2;
  const out: ParsedFrame = { dst: formatMac(b, 0), src: formatMac(b, 6), vlans, etherType, l3 };
  if (etherType === EtherType.ARP && l3 + ARP_LEN <= b.length) {
    out.arp = {
      htype: readU16(b, l3 + ArpField.HTYPE),
      ptype: readU16(b, l3 + ArpField.PTYPE),
      hlen: b[l3 + ArpField.HLEN],
      plen: b[l3 + ArpField.PLEN],
      op: readU16(b, l3 + ArpField.OPER),
      sha: formatMac(b, l3 + ArpField.SHA),
      spa: Array.from(b.subarray(l3 + ArpField.SPA, l3 + ArpField.SPA + 4)).join('.'),
      tha: formatMac(b, l3 + ArpField.THA),
      tpa: Array.from(b.subarray(l3 + ArpField.TPA, l3 + ArpField.TPA + 4)).join('.'),
    };
  }
  return out;
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
