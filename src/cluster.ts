import { ClusterConfig, DEFAULTS, maskedSourceMac, reservedMacRange } from './config';
import { ConfigError } from './errors';
import { IpAddress } from './address';
import { Mac, quote } from './mac';
import { Mapping } from './mapping';
import { ByteKeyTable } from './table';

export interface ClusterHost {
  readonly index: number;
  readonly name: string;
  /** Indices into `Cluster.addresses`. */
  readonly addressIndices: readonly number[];
}

export interface ClusterAddress {
  readonly index: number;
  readonly host: number;
  readonly ip: IpAddress;
  /** The dedicated MAC for this address (the shared MAC in shared mode). */
  readonly mac: Mac;
  /** Where the MAC came from: a mapping name, `table` (host `mac`) or `shared`. */
  readonly macSource: string;
}

/**
 * Member entry: one slot of the address tables, 8 ints (32 bytes, half a cache line): the key words
 * (IPv4: 1, IPv6: 4), the value (the entry's own number, what a lookup returns), then at fixed
 * places the host index and the dedicated MAC. A frame's lookup then reads one cache line for all
 * of them, not three lines (the tables of 100,000 members are far larger than the cache).
 */
const ENTRY_INTS = 8;
/**
 * A member entry (a slot of the address tables), what the `member*` lookups return: -1 for none.
 * Branded so that it is never mixed up with a host index or an index into `addresses`.
 */
export type MemberEntry = number & { readonly __brand: 'MemberEntry' };
/** Index into `Cluster.hosts`. */
export type HostIndex = number;
/** The `member*` result for an address that is no member's. */
export const NO_MEMBER = -1 as MemberEntry;

const ENTRY_HOST = 5;
const ENTRY_MAC_BYTE = 24;

/**
 * The cluster host list (patent 405/411): members, their addresses and dedicated MACs, with O(1)
 * lookups straight from frame bytes. Immutable; a membership change builds a new Cluster.
 *
 * Per frame, the policy uses member entries (`MemberEntry`): `member`/`memberIpv4`/`memberIpv6`,
 * then `hostOf` and `memberMacs` at `macAt`. `addresses` (config order) is for config time only.
 */
export class Cluster {
  /** The member entries as bytes: the dedicated MAC of entry e is the 6 bytes at `macAt(e)`. */
  readonly memberMacs: Uint8Array;
  /** Member entries: the IPv4 table's slots, then the IPv6 table's. */
  private readonly entries: Int32Array;
  private readonly v4: ByteKeyTable;
  private readonly v6: ByteKeyTable;
  private readonly virtual4: ByteKeyTable;
  private readonly virtual6: ByteKeyTable;
  /** Dedicated MAC -> host index (dedicated mode only). */
  private readonly macs: ByteKeyTable;
  private readonly byName: Map<string, number>;

  private constructor(
    readonly config: ClusterConfig,
    readonly hosts: readonly ClusterHost[],
    readonly addresses: readonly ClusterAddress[],
  ) {
    const n = addresses.length;
    const n4 = addresses.filter((a) => a.ip.family === 4).length;
    const v6First = ByteKeyTable.capacityFor(n4); // entry number of the IPv6 table's first slot
    this.entries = new Int32Array((v6First + ByteKeyTable.capacityFor(n - n4)) * ENTRY_INTS);
    this.memberMacs = new Uint8Array(this.entries.buffer);
    this.v4 = new ByteKeyTable(4, n4, ENTRY_INTS, this.entries.subarray(0, v6First * ENTRY_INTS));
    this.v6 = new ByteKeyTable(16, n - n4, ENTRY_INTS, this.entries.subarray(v6First * ENTRY_INTS));
    for (const a of addresses) {
      const table = a.ip.family === 4 ? this.v4 : this.v6;
      if (table.get(a.ip.bytes, 0) >= 0) continue; // listed twice: the first counts
      const e = (a.ip.family === 4 ? 0 : v6First) + table.slotFor(a.ip.bytes);
      table.set(a.ip.bytes, e);
      this.entries[e * ENTRY_INTS + ENTRY_HOST] = a.host;
      this.memberMacs.set(a.mac.bytes, this.macAt(e as MemberEntry));
    }
    this.virtual4 = new ByteKeyTable(4, config.virtualIps.length);
    this.virtual6 = new ByteKeyTable(16, config.virtualIps.length);
    config.virtualIps.forEach((v, i) => (v.family === 4 ? this.virtual4 : this.virtual6).set(v.bytes, i));
    this.macs = new ByteKeyTable(6, n);
    this.byName = new Map(hosts.map((h) => [h.name, h.index]));
    if (config.mode === 'dedicated') {
      const owner = new Map<string, ClusterAddress>();
      for (const a of addresses) {
        const key = a.mac.toString();
        const first = owner.get(key);
        if (first && first.host !== a.host) {
          throw new ConfigError(
            'hosts',
            `dedicated MAC ${key} collides: host "${hosts[first.host].name}" address ${first.ip.text} and host "${hosts[a.host].name}" address ${a.ip.text} both map to it (change the mapping, the prefix, or give one of them a "mac")`,
          );
        }
        if (!first) owner.set(key, a);
        this.macs.set(a.mac.bytes, a.host);
      }
    }
    if (config.maskSourceMac) {
      // a computed dedicated MAC is a group address and a masked MAC never is: kept as a guard
      const taken = new Map(addresses.map((a) => [a.mac.toString(), a] as const));
      hosts.forEach((h) => {
        const masked = this.maskedSourceMac(h.index).toString();
        const a = taken.get(masked);
        if (a)
          throw new ConfigError(
            'maskSourceMac',
            `host "${h.name}" would send from ${masked}, which is the dedicated MAC of ${a.ip.text}: set "maskSourceMac": false`,
          );
      });
    }
  }

  /**
   * The masked source MAC of host `h` (config `maskSourceMac`): the cluster MAC with byte 0 := 0x02
   * and byte 1 := the host's number, its 1-based position in the config's host list. Config time.
   */
  maskedSourceMac(h: HostIndex): Mac {
    return maskedSourceMac(this.config.clusterMac, this.config.hosts[h].hostNumber ?? h + 1);
  }

  /**
   * Builds the host list from a validated config. `mappings` resolves mapping names; an unknown name
   * or a missing table entry is a ConfigError.
   */
  static build(config: ClusterConfig, mappings: readonly Mapping[]): Cluster {
    const byName = new Map(mappings.map((m) => [m.name, m]));
    const known = [...byName.keys()].sort().join(', ');
    const pick = (family: 4 | 6): Mapping => {
      const name = family === 4 ? config.mappings.ipv4 : config.mappings.ipv6;
      const key = family === 4 ? 'mappings.ipv4' : 'mappings.ipv6';
      const m = byName.get(name);
      if (!m) throw new ConfigError(key, `unknown mapping ${quote(name)} (known: ${known || 'none bound'})`);
      if (!m.families.includes(family))
        throw new ConfigError(key, `mapping ${quote(name)} does not map IPv${family} addresses`);
      return m;
    };
    const used = new Set(config.hosts.flatMap((h) => h.addresses.map((a) => a.family)));
    // a mapping named for a family no address has yet is checked too: it would fail only when one is added
    const named = (family: 4 | 6) =>
      used.has(family) ||
      (family === 4
        ? config.mappings.ipv4 !== DEFAULTS.mappings.ipv4
        : config.mappings.ipv6 !== DEFAULTS.mappings.ipv6);
    const forFamily = { 4: named(4) ? pick(4) : undefined, 6: named(6) ? pick(6) : undefined };

    const hosts: ClusterHost[] = [];
    const addresses: ClusterAddress[] = [];
    config.hosts.forEach((h, hi) => {
      const idx: number[] = [];
      h.addresses.forEach((ip, ai) => {
        let mac: Mac;
        let macSource: string;
        if (config.mode === 'shared') {
          mac = config.sharedMac!;
          macSource = 'shared';
        } else if (h.macs.has(ip.text)) {
          mac = h.macs.get(ip.text)!;
          macSource = 'table';
        } else {
          const m = forFamily[ip.family]!;
          const out = new Uint8Array(6);
          if (!m.map(ip.bytes, config.multicastPrefix, out))
            throw new ConfigError(
              `hosts[${hi}].mac`,
              `mapping "${m.name}" has no MAC for ${ip.text}: give host "${h.name}" a "mac"`,
            );
          mac = Mac.fromBytes(out);
          const key = `hosts[${hi}].addresses[${ai}]`;
          if (!mac.isMulticast)
            throw new ConfigError(key, `mapping "${m.name}" gave ${mac}, which lacks the multicast bit`);
          const reserved = reservedMacRange(mac.bytes);
          if (reserved)
            throw new ConfigError(
              key,
              `mapping "${m.name}" gave ${mac} for ${ip.text}, which is in ${reserved.range} (${reserved.what}): change the mapping or the prefix, or give the host a "mac"`,
            );
          macSource = m.name;
        }
        idx.push(addresses.length);
        addresses.push({ index: addresses.length, host: hi, ip, mac, macSource });
      });
      hosts.push({ index: hi, name: h.name, addressIndices: idx });
    });
    return new Cluster(config, hosts, addresses);
  }

  /** Host index for a member name, or -1. */
  hostIndex(name: string): number {
    return this.byName.get(name) ?? -1;
  }

  /**
   * Member entry of the member IPv4 address at buf[off..off+4), or -1: for `hostOf` and `macAt`.
   * O(1), no allocation.
   */
  memberIpv4(buf: Uint8Array, off: number): MemberEntry {
    return this.v4.get(buf, off) as MemberEntry;
  }
  /** Member entry of the member IPv6 address at buf[off..off+16), or -1. */
  memberIpv6(buf: Uint8Array, off: number): MemberEntry {
    return this.v6.get(buf, off) as MemberEntry;
  }
  /** Member entry of the member address of `length` bytes (4 or 16) at buf[off..), or -1. */
  member(buf: Uint8Array, off: number, length: number): MemberEntry {
    return (length === 4 ? this.v4 : this.v6).get(buf, off) as MemberEntry; // one call site: inlined
  }
  /**
   * The member-address table for addresses of `length` bytes (4 or 16): `get(buf, off)` is the
   * member entry (as `member`), for a caller that looks up several addresses of one frame.
   */
  addressTable(length: number): { get(buf: Uint8Array, off: number): number } {
    return length === 4 ? this.v4 : this.v6;
  }
  /** Host index of member entry e (e >= 0). */
  hostOf(e: MemberEntry): HostIndex {
    return this.entries[e * ENTRY_INTS + ENTRY_HOST];
  }
  /** Offset in `memberMacs` of the dedicated MAC of member entry e (e >= 0). */
  macAt(e: MemberEntry): number {
    return e * (ENTRY_INTS * 4) + ENTRY_MAC_BYTE;
  }
  /** True when the address of `length` bytes (4 or 16) at buf[off..) is a virtual IP. */
  isVirtual(buf: Uint8Array, off: number, length: number): boolean {
    return (length === 4 ? this.virtual4 : this.virtual6).get(buf, off) >= 0;
  }
  isVirtualIpv4(buf: Uint8Array, off: number): boolean {
    return this.virtual4.get(buf, off) >= 0;
  }
  isVirtualIpv6(buf: Uint8Array, off: number): boolean {
    return this.virtual6.get(buf, off) >= 0;
  }
  /** Host index whose dedicated MAC is at buf[off..off+6), or -1 (always -1 in shared mode). */
  hostOfMac(buf: Uint8Array, off: number): number {
    return this.macs.get(buf, off);
  }
}
