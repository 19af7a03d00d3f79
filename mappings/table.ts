import type { Mapping } from '../src/mapping';

/**
 * The patent's look-up table ("the cluster host list ... expanded to include a physical address
 * corresponding to each IP address"): every host must give its dedicated MAC(s) in config `mac`.
 * Choosing it makes a missing `mac` an error instead of falling back to a computed MAC. A host's `mac`
 * wins over any mapping, so the table also works host by host beside a computed mapping.
 */
export class TableMapping implements Mapping {
  readonly name = 'table';
  readonly families = [4, 6] as const;
  readonly summary = 'per-host table: each host\'s "mac" in the config (no computed fallback)';

  map(): boolean {
    return false;
  }
}
