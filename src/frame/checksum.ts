/**
 * The Internet checksum (RFC 1071): the ones'-complement sum of 16-bit big-endian words, and its
 * complement. One copy for the frame builders, the vector generators and the demo; the engine's
 * ICMPv6 sum (adapters/ndp/icmpv6.ts, unrolled for the hot path) folds with `foldSum`. The property tests'
 * oracle (test/property) keeps its own on purpose, so it cannot share a mistake with this one.
 */

/** Folds a sum of 16-bit words to 16 bits (RFC 1071 4.1: add the carries back in). */
export function foldSum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/**
 * Ones'-complement sum of b[start..end) as 16-bit big-endian words, plus `initial` (a pseudo-header
 * sum), folded but not complemented. An odd last byte is summed as if followed by a zero byte.
 */
export function onesComplementSum(b: Uint8Array, start = 0, end = b.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  return foldSum(sum);
}

/** The checksum field value for b[start..end) with the checksum field itself zero: ~sum. */
export function internetChecksum(b: Uint8Array, start = 0, end = b.length, initial = 0): number {
  return ~onesComplementSum(b, start, end, initial) & 0xffff;
}
