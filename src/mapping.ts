/**
 * An IP-to-MAC function (patent: "a multicast MAC address prefix for the host cluster (03-bf) in
 * combination with a hexadecimal equivalent of the ... IP address"). Runs at config load and on
 * membership changes, never per frame. A new mapping is one new file in `mappings/` bound to this token.
 */
export interface Mapping {
  /** Name used in config `mappings.ipv4` / `mappings.ipv6`, e.g. `ipv4-prefix`. */
  readonly name: string;
  /** Address families it accepts. */
  readonly families: readonly (4 | 6)[];
  /** One line for `intracluster mac` and docs. */
  readonly summary: string;
  /**
   * Writes the dedicated MAC for `address` (4 or 16 network-order bytes) into out[0..6).
   * `prefix` is the configured 2-byte multicast prefix. Returns false when it has no MAC for the
   * address (the `table` mapping without a `mac` entry).
   */
  map(address: Uint8Array, prefix: Uint8Array, out: Uint8Array): boolean;
}

/** DI token for every Mapping (multi-injected by the engine factory). */
export const Mapping = Symbol.for('intracluster.Mapping');
