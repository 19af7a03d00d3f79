import type { Mapping } from '../src/mapping';

/**
 * The patent's mapping: the cluster's 2-byte multicast prefix followed by the four IPv4 bytes
 * (12.12.4.101 with prefix 03-bf gives 03-bf-0c-0c-04-65). Collision-free within one IPv4 space.
 */
export class Ipv4PrefixMapping implements Mapping {
  readonly name = 'ipv4-prefix';
  readonly families = [4] as const;
  readonly summary = 'prefix + the 4 IPv4 bytes (patent FIG. 6: 12.12.4.101 -> 03-bf-0c-0c-04-65)';

  map(address: Uint8Array, prefix: Uint8Array, out: Uint8Array): boolean {
    if (address.length !== 4) return false;
    out[0] = prefix[0];
    out[1] = prefix[1];
    out.set(address, 2);
    return true;
  }
}
