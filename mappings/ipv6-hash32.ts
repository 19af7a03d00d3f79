import type { Mapping } from '../src/mapping';

/**
 * Prefix + FNV-1a (32-bit, offset basis 0x811c9dc5, prime 0x01000193) of the 16 address bytes,
 * big-endian. `ipv6-low32` and `ipv6-xor32` are linear in the address bits, so structured address
 * plans collide systematically (same interface identifier in several prefixes; differences that
 * cancel under XOR). A hash only collides by chance: for n addresses, about n^2 / 2^33 (under 2e-6
 * for 32 hosts with 4 addresses each), and any collision is still rejected at config load.
 * The price: the MAC no longer shows the address, so operators read it from `intracluster mac`.
 */
export class Ipv6Hash32Mapping implements Mapping {
  readonly name = 'ipv6-hash32';
  readonly families = [6] as const;
  readonly summary = 'prefix + FNV-1a 32-bit hash of the 16 IPv6 address bytes (2001:db8::101 -> 03-bf-4a-58-8d-b1)';

  map(address: Uint8Array, prefix: Uint8Array, out: Uint8Array): boolean {
    if (address.length !== 16) return false;
    let h = 0x811c9dc5 | 0;
    for (let i = 0; i < 16; i++) h = Math.imul(h ^ address[i], 0x01000193);
    out[0] = prefix[0];
    out[1] = prefix[1];
    out[2] = h >>> 24;
    out[3] = (h >>> 16) & 0xff;
    out[4] = (h >>> 8) & 0xff;
    out[5] = h & 0xff;
    return true;
  }
}
