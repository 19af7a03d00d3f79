/** IPv4 header (RFC 791 3.1). Offsets from the start of the IPv4 header. */
export const Ipv4Field = {
  VER_IHL: 0,
  TOTAL_LENGTH: 2,
  PROTOCOL: 9,
  CHECKSUM: 10,
  SRC: 12, // 4
  DST: 16, // 4
} as const;

export const IPV4_MIN_HEADER = 20;

/** True when a plausible IPv4 header (version 4, IHL >= 5) fits at off. No allocation. */
export function ipv4Check(frame: Uint8Array, off: number, length: number): boolean {
  if (off + IPV4_MIN_HEADER > length) return false;
  const vi = frame[off + Ipv4Field.VER_IHL];
  return vi >>> 4 === 4 && (vi & 0x0f) >= 5;
}
