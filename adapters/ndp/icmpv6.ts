import { foldSum } from '../../src/frame/checksum';
import { IpProto, Ipv6Field } from './ipv6';

/**
 * ICMPv6 (RFC 4443 2.1) and the Neighbor Discovery messages we rewrite (RFC 4861 4.3 NS, 4.4 NA,
 * 4.6 options). Offsets are from the start of the ICMPv6 header.
 */
export const Icmpv6Field = {
  TYPE: 0, // 1
  CODE: 1, // 1
  CHECKSUM: 2, // 2
  /** NS: reserved (4). NA: R, S, O flags in the first byte, then reserved (RFC 4861 4.4). */
  FLAGS: 4,
  /** NS/NA Target Address (16). */
  TARGET: 8,
  /** First option of NS/NA. */
  OPTIONS: 24,
} as const;

/** RFC 4861 7.1.1/7.1.2: "ICMP length (derived from the IP length) is 24 or more octets". */
export const ND_MIN_LEN = 24;

export const Icmpv6Type = {
  ROUTER_SOLICITATION: 133,
  ROUTER_ADVERTISEMENT: 134,
  NEIGHBOR_SOLICITATION: 135,
  NEIGHBOR_ADVERTISEMENT: 136,
  REDIRECT: 137,
} as const;

/** RFC 4861 4: ICMPv6 types 133 to 137 are Neighbor Discovery. */
export function isNeighborDiscoveryType(type: number): boolean {
  return type >= Icmpv6Type.ROUTER_SOLICITATION && type <= Icmpv6Type.REDIRECT;
}

/** NA flags, first byte of Icmpv6Field.FLAGS (RFC 4861 4.4). */
export const NaFlag = { ROUTER: 0x80, SOLICITED: 0x40, OVERRIDE: 0x20 } as const;

/** ND option types (RFC 4861 4.6; nonce RFC 3971 5.3.2). */
export const NdOption = { SOURCE_LL: 1, TARGET_LL: 2, PREFIX: 3, REDIRECTED: 4, MTU: 5, NONCE: 14 } as const;
/** Offset of the link-layer address inside a link-layer option (RFC 4861 4.6.1). */
export const ND_OPT_LLADDR = 2;
/** Length (in 8-octet units) of a link-layer option carrying a 6-byte Ethernet address (RFC 2464 8). */
export const ND_OPT_LL_ETHERNET_UNITS = 1;

// ---- checksums (RFC 4443 2.3, RFC 8200 8.1 pseudo-header; RFC 1071 sum; RFC 1624 update) ----

/**
 * Ones'-complement sum (folded to 16 bits, not complemented) of the IPv6 pseudo-header and the
 * ICMPv6 message frame[icmp .. end), checksum field included as stored. A message whose checksum is
 * right sums to 0xffff. `ip` is the IPv6 header offset (for source and destination).
 */
export function icmpv6Sum(b: Uint8Array, ip: number, icmp: number, end: number): number {
  const len = end - icmp;
  // High and low bytes of the 16-bit words summed apart, 8 bytes per step: the same ones'-complement
  // sum as word by word (RFC 1071 2(B): byte order independence), with half the work per byte.
  let hi = 0;
  let lo = 0;
  for (let i = ip + Ipv6Field.SRC; i < ip + Ipv6Field.DST + 16; i += 8) {
    hi += b[i] + b[i + 2] + b[i + 4] + b[i + 6];
    lo += b[i + 1] + b[i + 3] + b[i + 5] + b[i + 7];
  }
  let i = icmp;
  for (; i + 7 < end; i += 8) {
    hi += b[i] + b[i + 2] + b[i + 4] + b[i + 6];
    lo += b[i + 1] + b[i + 3] + b[i + 5] + b[i + 7];
  }
  for (; i + 1 < end; i += 2) {
    hi += b[i];
    lo += b[i + 1];
  }
  if (i < end) hi += b[i]; // odd length: pad with a zero byte
  // hi * 256 folded without leaving 32-bit integers (2^16 = 1 in ones' complement)
  const sum = (hi >>> 8) + ((hi & 0xff) << 8) + lo;
  return foldSum(sum + (len >>> 16) + (len & 0xffff) + IpProto.ICMPV6); // upper-layer length (32 bits), next header
}

export function icmpv6ChecksumOk(b: Uint8Array, ip: number, icmp: number, end: number): boolean {
  return icmpv6Sum(b, ip, icmp, end) === 0xffff;
}

/** Computes and stores the checksum of a message just built (never on a forwarded frame: see checksumAdjust). */
export function icmpv6ChecksumFill(b: Uint8Array, ip: number, icmp: number, end: number): void {
  b[icmp + Icmpv6Field.CHECKSUM] = 0;
  b[icmp + Icmpv6Field.CHECKSUM + 1] = 0;
  const c = ~icmpv6Sum(b, ip, icmp, end) & 0xffff;
  b[icmp + Icmpv6Field.CHECKSUM] = c >>> 8;
  b[icmp + Icmpv6Field.CHECKSUM + 1] = c & 0xff;
}

/** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for one 16-bit word m changed to m'. */
export function checksumAdjust(hc: number, oldWord: number, newWord: number): number {
  return ~foldSum((~hc & 0xffff) + (~oldWord & 0xffff) + newWord) & 0xffff;
}

/**
 * Overwrites the 6 bytes at b[at..] with src[srcOff..] and updates the checksum at b[csum..]
 * incrementally (RFC 1624), so a checksum that was wrong stays exactly as wrong. `at - icmp` must
 * be even (link-layer options start on 8-octet boundaries, the address 2 bytes in). No allocation.
 * Eqn. 3 for the changed words at once, HC' = ~(~HC + ~m1 + m1' + ~m2 + m2' + ...), folded once:
 * the same bytes as applying checksumAdjust word by word (a positive sum folds to the same
 * representative however it is grouped, and no term is added when no word changes).
 */
export function replaceMacUpdatingChecksum(
  b: Uint8Array,
  at: number,
  src: Uint8Array,
  srcOff: number,
  csum: number,
): void {
  let sum = ~((b[csum] << 8) | b[csum + 1]) & 0xffff;
  let changed = false;
  for (let i = 0; i < 6; i += 2) {
    const m = (b[at + i] << 8) | b[at + i + 1];
    const m2 = (src[srcOff + i] << 8) | src[srcOff + i + 1];
    if (m !== m2) {
      sum += (~m & 0xffff) + m2;
      changed = true;
    }
    b[at + i] = src[srcOff + i];
    b[at + i + 1] = src[srcOff + i + 1];
  }
  if (!changed) return;
  const hc = ~foldSum(sum) & 0xffff;
  b[csum] = hc >>> 8;
  b[csum + 1] = hc & 0xff;
}

/** RFC 8200 4 / IANA "IPv6 Extension Header Types" (Hop-by-Hop is walked, the others are not ours). */
export function isExtensionHeader(proto: number): boolean {
  return (
    proto === 0 ||
    proto === 43 ||
    proto === 44 ||
    proto === 50 ||
    proto === 51 ||
    proto === 60 ||
    proto === 135 ||
    proto === 139 ||
    proto === 140
  );
}
