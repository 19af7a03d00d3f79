import type { Mapping } from '../src/mapping';

/**
 * The patent's mapping carried to IPv6: the 2-byte multicast prefix followed by the last 4 bytes of
 * the address (2001:db8::101 gives 03-bf-00-00-01-01). Default for IPv6: readable, and an address
 * plan that embeds the IPv4 address in the low 32 bits (2001:db8::c0c:465 for 12.12.4.101) gives the
 * host the same dedicated MAC in both families. Collides for addresses equal in their low 32 bits
 * (the same interface identifier in two prefixes); such configs are rejected at load.
 */
export class Ipv6Low32Mapping implements Mapping {
  readonly name = 'ipv6-low32';
  readonly families = [6] as const;
  readonly summary = 'prefix + the last 4 bytes of the IPv6 address (2001:db8::101 -> 03-bf-00-00-01-01)';

  map(address: Uint8Array, prefix: Uint8Array, out: Uint8Array): boolean {
    if (address.length !== 16) return false;
    out[0] = prefix[0];
    out[1] = prefix[1];
    for (let i = 0; i < 4; i++) out[2 + i] = address[12 + i];
    return true;
  }
}
