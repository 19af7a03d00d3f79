import { IpProto, Ipv6Field, ipv6Check, ipv6PayloadEnd, ipv6UpperLayer, ipv6UpperProto, isMulticastIpv6At, isSolicitedNodeAt, isUnspecifiedIpv6At } from './ipv6';
import { foldSum } from './checksum';

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

export function readNaFlags(b: Uint8Array, icmp: number): number {
  return b[icmp + Icmpv6Field.FLAGS];
}
export function isSolicited(b: Uint8Array, icmp: number): boolean {
  return (b[icmp + Icmpv6Field.FLAGS] & NaFlag.SOLICITED) !== 0;
}
export function isOverride(b: Uint8Array, icmp: number): boolean {
  return (b[icmp + Icmpv6Field.FLAGS] & NaFlag.OVERRIDE) !== 0;
}
export function isRouter(b: Uint8Array, icmp: number): boolean {
  return (b[icmp + Icmpv6Field.FLAGS] & NaFlag.ROUTER) !== 0;
}

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
 */
export function replaceMacUpdatingChecksum(b: Uint8Array, at: number, src: Uint8Array, srcOff: number, csum: number): void {
  let hc = (b[csum] << 8) | b[csum + 1];
  for (let i = 0; i < 6; i += 2) {
    const m = (b[at + i] << 8) | b[at + i + 1];
    const m2 = (src[srcOff + i] << 8) | src[srcOff + i + 1];
    if (m !== m2) hc = checksumAdjust(hc, m, m2);
    b[at + i] = src[srcOff + i];
    b[at + i + 1] = src[srcOff + i + 1];
  }
  b[csum] = hc >>> 8;
  b[csum + 1] = hc & 0xff;
}

// ---- NS/NA validation (RFC 4861 7.1.1, 7.1.2) ----

/** Result of `NdMessage.check`: OK or why the frame is not an NS/NA we may rewrite. */
export const NdCheck = {
  OK: 0,
  /** No full IPv6 header, or the Payload Length runs past the frame. */
  TRUNCATED: 1,
  /** A Hop-by-Hop header running past the payload, or another extension header before ICMPv6. */
  EXTENSION: 2,
  /** Not Neighbor Discovery: an IPv6 data frame (any upper layer; ICMPv6 echo, errors and MLD too). */
  NOT_ND: 3,
  /** Neighbor Discovery other than NS/NA: RS, RA, Redirect (RFC 4861 4.1, 4.2, 4.5). */
  NOT_NS_NA: 4,
  HOP_LIMIT: 5,
  CODE: 6,
  SHORT: 7,
  MULTICAST_TARGET: 8,
  OPTION_LENGTH: 9,
  UNSPECIFIED_WITH_SLLAO: 10,
  UNSPECIFIED_NOT_SOLICITED_NODE: 11,
  NA_MULTICAST_SOLICITED: 12,
  CHECKSUM: 13,
  /** Valid, but its SLLAO/TLLAO is not 8 octets (not a 6-byte Ethernet address, RFC 2464 8). */
  LINK_LAYER_LENGTH: 14,
} as const;

/**
 * A reusable view of one NS or NA (one instance per adapter; `check` allocates nothing). After
 * `check` returns OK, `ip`, `icmp`, `end` and `type` are set, every option lies inside
 * frame[icmp+24 .. end), and `lla` is the offset of the first Ethernet address carried by the
 * message's own link-layer option (SLLAO for NS, TLLAO for NA), or -1 when there is none.
 */
export class NdMessage {
  ip = 0;
  icmp = 0;
  /** End of the ICMPv6 message: from the IPv6 Payload Length, not the frame length (padding). */
  end = 0;
  type = 0;
  lla = -1;
  /** How many SLLAO (NS) / TLLAO (NA) options the message carries. */
  llaCount = 0;

  check(b: Uint8Array, ip: number, length: number): number {
    this.lla = -1;
    this.llaCount = 0;
    if (!ipv6Check(b, ip, length)) return NdCheck.TRUNCATED;
    const end = ipv6PayloadEnd(b, ip, length);
    if (end < 0) return NdCheck.TRUNCATED;
    const icmp = ipv6UpperLayer(b, ip, end);
    if (icmp < 0) return NdCheck.EXTENSION;
    const proto = ipv6UpperProto(b, ip);
    if (proto !== IpProto.ICMPV6) return isExtensionHeader(proto) ? NdCheck.EXTENSION : NdCheck.NOT_ND;
    if (icmp + 1 > end) return NdCheck.SHORT;
    const type = b[icmp + Icmpv6Field.TYPE];
    if (type !== Icmpv6Type.NEIGHBOR_SOLICITATION && type !== Icmpv6Type.NEIGHBOR_ADVERTISEMENT)
      return isNeighborDiscoveryType(type) ? NdCheck.NOT_NS_NA : NdCheck.NOT_ND;
    this.ip = ip;
    this.icmp = icmp;
    this.end = end;
    this.type = type;
    // RFC 4861 7.1.1 / 7.1.2, in the order they are listed there, checksum last (the costly one)
    if (b[ip + Ipv6Field.HOP_LIMIT] !== 255) return NdCheck.HOP_LIMIT;
    if (end - icmp < ND_MIN_LEN) return NdCheck.SHORT;
    if (b[icmp + Icmpv6Field.CODE] !== 0) return NdCheck.CODE;
    if (isMulticastIpv6At(b, icmp + Icmpv6Field.TARGET)) return NdCheck.MULTICAST_TARGET;
    const own = type === Icmpv6Type.NEIGHBOR_SOLICITATION ? NdOption.SOURCE_LL : NdOption.TARGET_LL;
    let llaBadLength = false;
    let sllao = false;
    for (let o = icmp + Icmpv6Field.OPTIONS; o < end; ) {
      // 4.6: every option has a length above 0 and lies inside the message
      if (o + 2 > end) return NdCheck.OPTION_LENGTH;
      const units = b[o + 1];
      if (units === 0 || o + units * 8 > end) return NdCheck.OPTION_LENGTH;
      const t = b[o];
      if (t === NdOption.SOURCE_LL) sllao = true;
      if (t === own) {
        if (units !== ND_OPT_LL_ETHERNET_UNITS) llaBadLength = true;
        else if (this.lla < 0) this.lla = o + ND_OPT_LLADDR;
        this.llaCount++;
      }
      o += units * 8;
    }
    if (type === Icmpv6Type.NEIGHBOR_SOLICITATION) {
      if (isUnspecifiedIpv6At(b, ip + Ipv6Field.SRC)) {
        if (!isSolicitedNodeAt(b, ip + Ipv6Field.DST)) return NdCheck.UNSPECIFIED_NOT_SOLICITED_NODE;
        if (sllao) return NdCheck.UNSPECIFIED_WITH_SLLAO;
      }
    } else if (isMulticastIpv6At(b, ip + Ipv6Field.DST) && isSolicited(b, icmp)) {
      return NdCheck.NA_MULTICAST_SOLICITED;
    }
    if (!icmpv6ChecksumOk(b, ip, icmp, end)) return NdCheck.CHECKSUM;
    if (llaBadLength) return NdCheck.LINK_LAYER_LENGTH;
    return NdCheck.OK;
  }

  /**
   * Offset of the next Ethernet address in the message's own link-layer option (SLLAO for NS, TLLAO
   * for NA) strictly after address offset `after` (pass -1 for the first), or -1. Only after OK.
   */
  nextLla(b: Uint8Array, after: number): number {
    const own = this.type === Icmpv6Type.NEIGHBOR_SOLICITATION ? NdOption.SOURCE_LL : NdOption.TARGET_LL;
    for (let o = this.icmp + Icmpv6Field.OPTIONS; o < this.end; o += b[o + 1] * 8) {
      if (b[o] === own && b[o + 1] === ND_OPT_LL_ETHERNET_UNITS && o + ND_OPT_LLADDR > after) return o + ND_OPT_LLADDR;
    }
    return -1;
  }
}

/** RFC 8200 4 / IANA "IPv6 Extension Header Types" (Hop-by-Hop is walked, the others are not ours). */
export function isExtensionHeader(proto: number): boolean {
  return proto === 0 || proto === 43 || proto === 44 || proto === 50 || proto === 51 || proto === 60 || proto === 135 || proto === 139 || proto === 140;
}
