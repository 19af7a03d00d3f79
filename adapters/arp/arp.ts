import { readU16 } from '../../src/frame/ethernet';

/**
 * ARP for Ethernet/IPv4 (RFC 826; field numbers of the patent's FIG. 3 in brackets).
 * Offsets are from the start of the ARP header. Only htype 1 / ptype 0x0800 / hlen 6 / plen 4
 * is ours; any other layout is passed through, so the fixed offsets below are safe once
 * `arpCheck` succeeded.
 */
export const ArpField = {
  HTYPE: 0, // 2
  PTYPE: 2, // 2
  HLEN: 4, // 1
  PLEN: 5, // 1
  OPER: 6, // 2  [304 ARP type]
  SHA: 8, // 6   [308 ARP source MAC]
  SPA: 14, // 4  [306 ARP source IP]
  THA: 18, // 6  [312 ARP target MAC]
  TPA: 24, // 4  [310 ARP target IP]
} as const;

export const ARP_LEN = 28;
export const ArpOp = { REQUEST: 1, REPLY: 2 } as const;
export const ARP_HTYPE_ETHERNET = 1;
export const ARP_PTYPE_IPV4 = 0x0800;

/** Why an ARP header is not one we rewrite; 0 when it is. */
export const ArpCheck = { OK: 0, TRUNCATED: 1, LAYOUT: 2, OPCODE: 3 } as const;

/** Checks length and layout of the ARP header at `off` in a frame of `length` bytes. No allocation. */
export function arpCheck(frame: Uint8Array, off: number, length: number): number {
  if (off + ARP_LEN > length) return ArpCheck.TRUNCATED;
  if (
    readU16(frame, off + ArpField.HTYPE) !== ARP_HTYPE_ETHERNET ||
    readU16(frame, off + ArpField.PTYPE) !== ARP_PTYPE_IPV4 ||
    frame[off + ArpField.HLEN] !== 6 ||
    frame[off + ArpField.PLEN] !== 4
  )
    return ArpCheck.LAYOUT;
  const op = readU16(frame, off + ArpField.OPER);
  if (op !== ArpOp.REQUEST && op !== ArpOp.REPLY) return ArpCheck.OPCODE;
  return ArpCheck.OK;
}

/** True when the 4 bytes at off are 0.0.0.0 (RFC 5227 probe sender). */
export function isZeroIpv4At(b: Uint8Array, off: number): boolean {
  return (b[off] | b[off + 1] | b[off + 2] | b[off + 3]) === 0;
}
