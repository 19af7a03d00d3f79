import { readFileSync } from 'node:fs';
import { Cluster } from '../cluster';
import { ConfigError, UnknownHostError } from '../errors';
import { BpfAddon, BpfMap, MapFlag, MapType, u32 } from './bpf';

/**
 * Fills the kernel datapath's maps (src/cluster.bpf.h) from the same parsed config and `Cluster`
 * as the engine: the config scalars, the members by IPv4 and IPv6 address (host index and
 * dedicated MAC, virtual IPs flagged), dedicated MAC -> host, the strict-sources state, and reads
 * the per-CPU counters.
 *
 * A membership change is atomic: each map exists in two generations; `install` fills the one not
 * in use (new inner maps of the ARRAY_OF_MAPS maps, entry 1 - g of ic_config), then switches
 * ic_state.gen, so a frame sees the old membership or the new one, never half of each. Strict-sources
 * state is carried over by host name, as Engine.setCluster does.
 */

/** Sizes and offsets of the C structs (src/cluster.bpf.h). */
export const CONFIG_SIZE = 48;
export const MEMBER_SIZE = 12;
export const CfgFlag = {
  Valid: 1,
  Dedicated: 2,
  SharedMac: 4,
  Synthesize: 8,
  Strict: 16,
  ReplyAtSender: 32,
  MaskSource: 64,
} as const;

/** Where the maps come from: an open BpfObject, or pinned maps (`objGet`) of an adopted datapath. */
export type MapFds = (name: string) => number;

/** The maps' names in the object. */
export const MAP_NAMES = {
  state: 'ic_state',
  config: 'ic_config',
  members4: 'ic_members4',
  members6: 'ic_members6',
  macs: 'ic_macs',
  strict: 'ic_strict',
  counters: 'ic_counters',
  programs: 'ic_programs',
  bench: 'ic_bench',
} as const;

type Kind = 'members4' | 'members6' | 'macs' | 'strict';
const KINDS: readonly Kind[] = ['members4', 'members6', 'macs', 'strict'];

/** The records of one membership, ready for batch updates. */
export interface MembershipRecords {
  readonly config: Uint8Array;
  readonly members4: { keys: Uint8Array; values: Uint8Array; count: number };
  readonly members6: { keys: Uint8Array; values: Uint8Array; count: number };
  readonly macs: { keys: Uint8Array; values: Uint8Array; count: number };
  readonly hostCount: number;
  readonly localHost: number;
}

/** Builds the map records of `cluster` as seen by host `hostName` (ConfigError if it is no member). */
export function membershipRecords(cluster: Cluster, hostName: string): MembershipRecords {
  const local = cluster.hostIndex(hostName);
  if (local < 0)
    throw new UnknownHostError(
      hostName,
      cluster.hosts.map((h) => h.name),
    );
  const cfg = cluster.config;
  const config = new Uint8Array(CONFIG_SIZE);
  const dv = new DataView(config.buffer);
  config.set(cfg.clusterMac.bytes, 0);
  let flags = CfgFlag.Valid;
  if (cfg.mode === 'dedicated') flags |= CfgFlag.Dedicated;
  if (cfg.mode === 'shared' && cfg.sharedMac) {
    flags |= CfgFlag.SharedMac;
    config.set(cfg.sharedMac.bytes, 6);
  }
  if (cfg.synthesize) flags |= CfgFlag.Synthesize;
  if (cfg.strictSources) flags |= CfgFlag.Strict;
  if (cfg.replyRewrite !== 'receiver') flags |= CfgFlag.ReplyAtSender;
  if (cfg.maskSourceMac === true) {
    // computed once per membership, as Engine.setCluster does
    flags |= CfgFlag.MaskSource;
    config.set(cluster.maskedSourceMac(local).bytes, 24);
  }
  dv.setUint32(12, flags, true);
  dv.setInt32(16, local, true);
  dv.setUint32(20, cluster.hosts.length, true);

  // members and virtual IPs by address; a listed-twice address counts once (the first, as in Cluster)
  const byKey = [
    new Map<string, { key: Uint8Array; value: Uint8Array }>(),
    new Map<string, { key: Uint8Array; value: Uint8Array }>(),
  ];
  const member = (host: number, mac: Uint8Array | null, virtual: boolean) => {
    const v = new Uint8Array(MEMBER_SIZE);
    new DataView(v.buffer).setInt32(0, host, true);
    if (mac) v.set(mac, 4);
    v[10] = virtual ? 1 : 0;
    return v;
  };
  for (const a of cluster.addresses) {
    const t = byKey[a.ip.family === 4 ? 0 : 1];
    const k = a.ip.text;
    if (!t.has(k)) t.set(k, { key: Uint8Array.from(a.ip.bytes), value: member(a.host, a.mac.bytes, false) });
  }
  for (const v of cfg.virtualIps) {
    const t = byKey[v.family === 4 ? 0 : 1];
    const known = t.get(v.text);
    if (known) known.value[10] = 1;
    else t.set(v.text, { key: Uint8Array.from(v.bytes), value: member(-1, null, true) });
  }
  const pack = (rows: { key: Uint8Array; value: Uint8Array }[], ks: number, vs: number) => {
    const keys = new Uint8Array(rows.length * ks);
    const values = new Uint8Array(rows.length * vs);
    rows.forEach((r, i) => {
      keys.set(r.key, i * ks);
      values.set(r.value, i * vs);
    });
    return { keys, values, count: rows.length };
  };
  const macRows = new Map<string, { key: Uint8Array; value: Uint8Array }>();
  if (cfg.mode === 'dedicated') {
    for (const a of cluster.addresses) {
      // the programs look up group destinations only (cluster.bpf.h host_of_mac)
      if (!a.mac.isMulticast)
        throw new ConfigError(
          'hosts',
          `dedicated MAC ${a.mac} of ${a.ip.text} is not a group address: the kernel datapath needs group addresses`,
        );
      const key = new Uint8Array(8);
      key.set(a.mac.bytes, 0);
      if (macRows.has(a.mac.toString())) continue;
      macRows.set(a.mac.toString(), { key, value: u32(a.host) });
      // host_of_mac answers the local host's first two distinct dedicated MACs from the config record
      if (a.host === local && config[30] < 2) config.set(a.mac.bytes, 32 + 6 * config[30]++);
    }
  }
  return {
    config,
    members4: pack([...byKey[0].values()], 4, MEMBER_SIZE),
    members6: pack([...byKey[1].values()], 16, MEMBER_SIZE),
    macs: pack([...macRows.values()], 8, 4),
    hostCount: cluster.hosts.length,
    localHost: local,
  };
}

/** Number of possible CPUs (the per-CPU value count of a per-CPU map). */
export function possibleCpus(): number {
  try {
    const text = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
    let n = 0;
    for (const part of text.split(',')) {
      const [a, b] = part.split('-').map((x) => parseInt(x, 10));
      n += b === undefined ? 1 : b - a + 1;
    }
    return n;
  } catch {
    return 1;
  }
}

export interface InstallOptions {
  /**
   * Reuse generation 0's inner maps in place (clear, then fill) instead of a switch of generation:
   * for test runs only, where no frame runs while the maps change. Default false.
   */
  inPlace?: boolean;
  /** Strict-sources flags by host index of the new cluster, instead of those carried over by name. */
  discovered?: Uint8Array;
}

/** The maps of one loaded (or adopted) kernel datapath. */
export class KernelMaps {
  private readonly state: BpfMap;
  private readonly config: BpfMap;
  private readonly outer: Record<Kind, BpfMap>;
  private readonly counterMap: BpfMap;
  /** Our fds of the inner maps in each generation (the outer maps hold their own references). */
  private readonly inner: (Record<Kind, BpfMap> | null)[] = [null, null];
  private gen = 0;
  private hostNames: string[] = [];
  /** Adoption: the strict-sources map of the generation the programs were reading, until the first install. */
  private adoptedStrict: BpfMap | null = null;
  private readonly cpus = possibleCpus();

  constructor(
    readonly lib: BpfAddon,
    fds: MapFds,
  ) {
    this.state = BpfMap.fromFd(lib, fds(MAP_NAMES.state), false);
    this.config = BpfMap.fromFd(lib, fds(MAP_NAMES.config), false);
    this.outer = {
      members4: BpfMap.fromFd(lib, fds(MAP_NAMES.members4), false),
      members6: BpfMap.fromFd(lib, fds(MAP_NAMES.members6), false),
      macs: BpfMap.fromFd(lib, fds(MAP_NAMES.macs), false),
      strict: BpfMap.fromFd(lib, fds(MAP_NAMES.strict), false),
    };
    this.counterMap = BpfMap.fromFd(lib, fds(MAP_NAMES.counters), false);
    const st = new Uint8Array(4);
    if (this.state.get(u32(0), st)) this.gen = new DataView(st.buffer).getUint32(0, true) & 1;
  }

  /** The generation frames read now (0 or 1). */
  get generation(): number {
    return this.gen;
  }

  /**
   * Installs the membership of `cluster` for host `hostName` (ConfigError if it is no member).
   * Strict-sources state is kept for members still present (by name), as Engine.setCluster does.
   */
  install(cluster: Cluster, hostName: string, options: InstallOptions = {}): void {
    const rec = membershipRecords(cluster, hostName);
    const carried = options.discovered ?? this.carriedDiscovery(cluster);
    if (options.inPlace) {
      const g = 0;
      const maps = this.innerFor(g, rec, true);
      for (const k of ['members4', 'members6', 'macs'] as const) {
        maps[k].clear();
        if (rec[k].count > 0) maps[k].setBatch(rec[k].keys, rec[k].values, rec[k].count);
      }
      this.fillStrict(maps.strict, carried);
      this.config.set(u32(g), rec.config);
      this.state.set(u32(0), u32(g));
      this.gen = g;
    } else {
      const g = 1 - this.gen;
      const maps = this.innerFor(g, rec, false);
      for (const k of ['members4', 'members6', 'macs'] as const)
        if (rec[k].count > 0) maps[k].setBatch(rec[k].keys, rec[k].values, rec[k].count);
      this.fillStrict(maps.strict, carried);
      for (const k of KINDS) this.outer[k].set(u32(g), u32(maps[k].fd));
      this.config.set(u32(g), rec.config);
      this.state.set(u32(0), u32(g));
      const old = this.inner[this.gen];
      // wait until no frame that read the old generation can still run: an update of an
      // ARRAY_OF_MAPS map waits for an RCU grace period (the programs run under RCU)
      if (old) this.outer.members4.set(u32(this.gen), u32(old.members4.fd));
      if (old) for (const k of KINDS) old[k].close();
      this.inner[this.gen] = null;
      this.gen = g;
    }
    this.hostNames = cluster.hosts.map((h) => h.name);
    this.adoptedStrict?.close();
    this.adoptedStrict = null;
  }

  /**
   * Adoption of a running datapath: `names` are the hosts, in host-index order, of the membership
   * the previous control process installed last (its state file). When the generation in use has
   * that many hosts, its strict-sources map is read at the next `install`, which carries the flags
   * over by name like any other membership change. Otherwise nothing is carried (a frame that needs
   * a discovery exchange waits for a new one). Returns whether the state was taken.
   */
  adoptDiscovery(names: readonly string[]): boolean {
    const cfg = new Uint8Array(CONFIG_SIZE);
    if (!this.config.get(u32(this.gen), cfg)) return false;
    const dv = new DataView(cfg.buffer);
    if ((dv.getUint32(12, true) & CfgFlag.Valid) === 0 || dv.getUint32(20, true) !== names.length) return false;
    const id = new Uint8Array(4);
    if (!this.outer.strict.get(u32(this.gen), id)) return false;
    const mapId = new DataView(id.buffer).getUint32(0, true);
    if (mapId === 0) return false;
    this.adoptedStrict?.close();
    this.adoptedStrict = BpfMap.fromFd(this.lib, this.lib.mapFdById(mapId), true);
    this.hostNames = [...names];
    return true;
  }

  /** Per host index of `cluster`: 1 when the host (by name) had completed a discovery exchange. */
  private carriedDiscovery(cluster: Cluster): Uint8Array {
    const out = new Uint8Array(cluster.hosts.length);
    const strict = this.inner[this.gen]?.strict ?? this.adoptedStrict;
    if (!strict || this.hostNames.length === 0) return out;
    const v = new Uint8Array(4);
    this.hostNames.forEach((name, i) => {
      const j = cluster.hostIndex(name);
      if (j >= 0 && strict.get(u32(i), v) && v[0] === 1) out[j] = 1;
    });
    return out;
  }

  private fillStrict(m: BpfMap, flags: Uint8Array): void {
    const n = m.info.maxEntries;
    const keys = new Uint8Array(4 * n);
    const values = new Uint8Array(4 * n);
    const dk = new DataView(keys.buffer);
    for (let i = 0; i < n; i++) {
      dk.setUint32(4 * i, i, true);
      values[4 * i] = i < flags.length ? flags[i] : 0;
    }
    m.setBatch(keys, values, n);
  }

  /** Inner maps of generation g big enough for `rec` (in place: reused when they are). */
  private innerFor(g: number, rec: MembershipRecords, inPlace: boolean): Record<Kind, BpfMap> {
    const cur = this.inner[g];
    const fits = (m: BpfMap | undefined, n: number) => m !== undefined && m.info.maxEntries >= n;
    if (
      inPlace &&
      cur &&
      fits(cur.members4, rec.members4.count) &&
      fits(cur.members6, rec.members6.count) &&
      fits(cur.macs, rec.macs.count) &&
      fits(cur.strict, rec.hostCount)
    )
      return cur;
    // test runs: room to grow, so a later config rarely needs new maps (each outer update waits for RCU)
    const room = (n: number) => (inPlace ? Math.max(64, n) : Math.max(1, n));
    const maps: Record<Kind, BpfMap> = {
      members4: BpfMap.create(MapType.Hash, 4, MEMBER_SIZE, room(rec.members4.count), 0, 'ic_m4'),
      members6: BpfMap.create(MapType.Hash, 16, MEMBER_SIZE, room(rec.members6.count), 0, 'ic_m6'),
      macs: BpfMap.create(MapType.Hash, 8, 4, room(rec.macs.count), 0, 'ic_macs_g'),
      strict: BpfMap.create(MapType.Array, 4, 4, room(rec.hostCount), MapFlag.InnerMap, 'ic_strict_g'),
    };
    if (inPlace) {
      for (const k of KINDS) this.outer[k].set(u32(g), u32(maps[k].fd));
      if (cur) for (const k of KINDS) cur[k].close();
    }
    this.inner[g] = maps;
    return maps;
  }

  /** Sets the strict-sources flags of the active generation (by host index of the installed cluster). */
  setDiscovered(flags: Uint8Array): void {
    const cur = this.inner[this.gen];
    if (cur) this.fillStrict(cur.strict, flags);
  }

  /** Host names with a completed discovery exchange (strict sources), in the active generation. */
  discoveredHosts(): string[] {
    const cur = this.inner[this.gen];
    if (!cur) return [];
    const v = new Uint8Array(4);
    return this.hostNames.filter((_, i) => cur.strict.get(u32(i), v) && v[0] === 1);
  }

  /** Frames by kernel counter index ((direction * 4 + verdict) * reasonCount + kernel reason), summed over CPUs. */
  counters(reasonCount: number): Float64Array {
    const n = 8 * reasonCount;
    const keys = new Uint8Array(4 * n);
    const values = new Uint8Array(8 * this.cpus * n);
    const got = this.lib.mapLookupBatch(this.counterMap.fd, keys, values, n);
    const out = new Float64Array(n);
    const dk = new DataView(keys.buffer);
    const dv = new DataView(values.buffer);
    for (let i = 0; i < got; i++) {
      const k = dk.getUint32(4 * i, true);
      let sum = 0;
      for (let c = 0; c < this.cpus; c++) sum += Number(dv.getBigUint64(8 * (i * this.cpus + c), true));
      if (k < n) out[k] = sum;
    }
    return out;
  }

  /** Closes our fds of the inner maps (the kernel keeps what the outer maps still reference). */
  close(): void {
    for (const m of this.inner) if (m) for (const k of KINDS) m[k].close();
    this.inner[0] = this.inner[1] = null;
    this.adoptedStrict?.close();
    this.adoptedStrict = null;
  }
}
