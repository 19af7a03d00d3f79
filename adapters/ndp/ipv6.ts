/**
 * IPv6 header (RFC 8200 3) and the one extension header we walk over, Hop-by-Hop Options (RFC 8200
 * 4.3). Offsets are from the start of the IPv6 header. After `ipv6Check` succeeds, every field below
 * lies inside the frame; `ipv6PayloadEnd` says whether the payload does too.
 */
export const Ipv6Field = {
  VER_TC_FLOW: 0, // 4: version 4 bits, traffic class 8, flow label 20
  PAYLOAD_LENGTH: 4, // 2
  NEXT_HEADER: 6, // 1
  HOP_LIMIT: 7, // 1
  SRC: 8, // 16
  DST: 24, // 16
} as const;

export const IPV6_HEADER_LEN = 40;
export const IPV6_ADDR_LEN = 16;

/** Next Header values (IANA protocol numbers) that matter here. */
export const IpProto = {
  HOP_BY_HOP: 0,
  ICMPV6: 58,
} as const;

/** True when a version-6 header fits at `off` in a frame of `length` bytes. No allocation. */
export function ipv6Check(frame: Uint8Array, off: number, length: number): boolean {
  return off + IPV6_HEADER_LEN <= length && frame[off] >>> 4 === 6;
}

/**
 * End offset of the IPv6 payload (header + Payload Length), or -1 when it runs past the frame.
 * The frame may be longer (Ethernet padding to 60 bytes): the payload length is what counts.
 */
export function ipv6PayloadEnd(frame: Uint8Array, off: number, length: number): number {
  const end =
    off + IPV6_HEADER_LEN + ((frame[off + Ipv6Field.PAYLOAD_LENGTH] << 8) | frame[off + Ipv6Field.PAYLOAD_LENGTH + 1]);
  return end <= length ? end : -1;
}

/**
 * Offset of the upper-layer header, after an optional Hop-by-Hop header; -1 when that header runs
 * past `end`. Only Hop-by-Hop is walked (RFC 8200 4.1: it can only come first); any other extension
 * header is the "upper layer" for us (see `ipv6UpperProto`) and callers treat it as not theirs.
 */
export function ipv6UpperLayer(frame: Uint8Array, off: number, end: number): number {
  let p = off + IPV6_HEADER_LEN;
  if (frame[off + Ipv6Field.NEXT_HEADER] === IpProto.HOP_BY_HOP) {
    // RFC 8200 4.3: Next Header (1), Hdr Ext Len (1, in 8-octet units, not counting the first 8)
    if (p + 8 > end) return -1;
    p += (frame[p + 1] + 1) * 8;
    if (p > end) return -1;
  }
  return p;
}

/** Protocol of the header `ipv6UpperLayer` found (call it only after that succeeded). */
export function ipv6UpperProto(frame: Uint8Array, off: number): number {
  const next = frame[off + Ipv6Field.NEXT_HEADER];
  return next === IpProto.HOP_BY_HOP ? frame[off + IPV6_HEADER_LEN] : next;
}

/** True when the 16 bytes at `off` are the unspecified address ::. */
export function isUnspecifiedIpv6At(b: Uint8Array, off: number): boolean {
  // any address in use has a non-zero byte early (a prefix): stop at the first one
  for (let i = 0; i < IPV6_ADDR_LEN; i++) if (b[off + i] !== 0) return false;
  return true;
}

/** RFC 4291 2.7: multicast addresses start with ff. */
export function isMulticastIpv6At(b: Uint8Array, off: number): boolean {
  return b[off] === 0xff;
}

/** RFC 4291 2.7.1: solicited-node multicast address ff02::1:ffXX:XXXX (prefix ff02:0:0:0:0:1:ff00::/104). */
export function isSolicitedNodeAt(b: Uint8Array, off: number): boolean {
  if (b[off] !== 0xff || b[off + 1] !== 0x02) return false;
  for (let i = 2; i < 11; i++) if (b[off + i] !== 0) return false;
  return b[off + 11] === 0x01 && b[off + 12] === 0xff;
}
