import type { Mapping } from '../src/mapping';

/**
 * Prefix + the XOR of the four big-endian 32-bit words of the address. Every bit of the address
 * counts, so hosts that differ only in their prefix (2001:db8:1::101 and 2001:db8:2::101, the same
 * interface identifier in two subnets) get different MACs where `ipv6-low32` collides. Still linear:
 * it collides when the differences cancel out (a difference in word 0 undone in word 3).
 */
export class Ipv6Xor32Mapping implements Mapping {
  readonly name = 'ipv6-xor32';
  readonly families = [6] as const;
  readonly summary = 'prefix + XOR of the four 32-bit words of the IPv6 address (2001:db8::101 -> 03-bf-20-01-0c-b9)';

  map(address: Uint8Array, prefix: Uint8Array, out: Uint8Array): boolean {
    if (address.length !== 16) return false;
    out[0] = prefix[0];
    out[1] = prefix[1];
    for (let i = 0; i < 4; i++) out[2 + i] = address[i] ^ address[4 + i] ^ address[8 + i] ^ address[12 + i];
    return true;
  }
}
