import { CONFIG_FILE_LIMIT, readRegularFile } from './bounded-file';
import { ConfigError } from './errors';
import { Mac, describe, quote } from './mac';
import { IpAddress, addressKey, parseHostAddress } from './address';

export type ClusterMode = 'dedicated' | 'shared';

export interface HostConfig {
  readonly name: string;
  readonly addresses: readonly IpAddress[];
  /**
   * Per-host table (patent: "the cluster host list ... expanded to include a physical address
   * corresponding to each IP address"). Keyed by canonical address text; absent = use the mapping.
   */
  readonly macs: ReadonlyMap<string, Mac>;
  /**
   * 1-based position of the host in the config's `hosts` list (set by `parseConfig`): the byte of
   * its masked source MAC (`maskSourceMac`). Absent for a member known only from heartbeats.
   */
  readonly hostNumber?: number;
}

/** A validated cluster configuration. Produced only by `parseConfig`. */
export interface ClusterConfig {
  readonly clusterMac: Mac;
  readonly mode: ClusterMode;
  readonly multicastPrefix: Uint8Array;
  /** Shared intracluster multicast MAC (mode "shared"). */
  readonly sharedMac?: Mac;
  /** Mapping name per address family. */
  readonly mappings: { readonly ipv4: string; readonly ipv6: string };
  readonly virtualIps: readonly IpAddress[];
  readonly hosts: readonly HostConfig[];
  /** Answer the local stack's ARP requests / NS for members locally (patent: response synthesizer). */
  readonly synthesize: boolean;
  /** Drop intracluster frames from members with no completed discovery exchange. */
  readonly strictSources: boolean;
  /**
   * Where a discovery reply to a member gets the replier's dedicated MAC. "receiver" (default): the
   * patent's alternative, both substitutions at the requester's layer; the reply leaves with the
   * cluster MAC, so a flooded reply never shows a dedicated MAC to a non-member. "sender": the
   * replier's layer writes it (step 508, FIG. 6 row 630) (docs/config.md).
   */
  readonly replyRewrite: 'sender' | 'receiver';
  /**
   * Source-MAC masking (NLB's model): every frame the stack sends from the cluster MAC leaves with
   * the member's masked MAC (`maskedSourceMac`), so a learning switch never learns the cluster MAC
   * and floods it to every member; an inbound IP data frame to the cluster MAC for another member's
   * address is then dropped (docs/config.md). Default true.
   */
  readonly maskSourceMac: boolean;
  /** Live membership from authenticated heartbeats (docs/heartbeat.md); absent = `hosts` only. */
  readonly heartbeat?: HeartbeatConfig;
}

/**
 * Heartbeat settings. The cluster key is never in the config: only where to read it (a file or an
 * environment variable), so a config can be shared and logged.
 */
export interface HeartbeatConfig {
  /** Milliseconds between two heartbeats of this member (NLB: 1 s). */
  readonly periodMs: number;
  /** A member leaves after this many of its heartbeats were missed (NLB: 5). */
  readonly missed: number;
  /** File holding the cluster key (exactly one of keyFile, keyEnv). */
  readonly keyFile?: string;
  /** Environment variable holding the cluster key. */
  readonly keyEnv?: string;
  /** This member's unique host ID (NLB header); absent = derived from the host name. */
  readonly hostId?: number;
  /** true: the other `hosts` are permanent members; false: they are initial members that heartbeats keep or drop. */
  readonly staticHosts: boolean;
}

export const HEARTBEAT_DEFAULTS = { periodMs: 1000, missed: 5, staticHosts: true };
export const HEARTBEAT_LIMITS = { periodMs: [10, 60000], missed: [1, 255] } as const;

export const DEFAULTS = {
  mode: 'dedicated' as ClusterMode,
  multicastPrefix: '03-bf',
  mappings: { ipv4: 'ipv4-prefix', ipv6: 'ipv6-low32' },
};

const TOP_KEYS = [
  'clusterMac',
  'mode',
  'multicastPrefix',
  'sharedMac',
  'mappings',
  'virtualIps',
  'hosts',
  'synthesize',
  'strictSources',
  'replyRewrite',
  'maskSourceMac',
  'heartbeat',
];
const HEARTBEAT_KEYS = ['periodMs', 'missed', 'keyFile', 'keyEnv', 'hostId', 'staticHosts'];
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const HOST_KEYS = ['name', 'addresses', 'mac'];
const MAPPING_KEYS = ['ipv4', 'ipv6'];
const IDENTIFIER_RE = /^[A-Za-z_$][\w$]*$/;
const HOST_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * Reads and validates a config file. Every failure is a ConfigError naming the key. Only a regular
 * file of at most CONFIG_FILE_LIMIT bytes is read, without ever blocking (a FIFO, /dev/zero or a
 * directory is one line), so a reload can run on the datapath's thread.
 */
export function loadConfigFile(path: string): ClusterConfig {
  const { bytes } = readRegularFile(path, CONFIG_FILE_LIMIT, '', 'the config');
  return parseConfigText(bytes.toString('utf8'), path);
}

export function parseConfigText(text: string, source = 'config'): ClusterConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // V8 quotes the text around the mistake, newlines and control bytes included: keep it one line
    throw new ConfigError('', `${source} is not valid JSON: ${JSON.stringify((e as Error).message).slice(1, -1)}`);
  }
  return parseConfig(raw);
}

/** Validates a config object (as parsed from JSON). */
export function parseConfig(raw: unknown): ClusterConfig {
  const top = asObject(raw, '', TOP_KEYS);

  if (top.clusterMac === undefined)
    throw new ConfigError('clusterMac', 'is required (the MAC every member\'s stack uses, e.g. "02-bf-aa-bb-cc-dd")');
  const clusterMac = Mac.parse(top.clusterMac, 'clusterMac');
  if (clusterMac.isMulticast)
    throw new ConfigError(
      'clusterMac',
      `${clusterMac} is a multicast MAC; the cluster MAC of unicast mode must be unicast (first octet even)`,
    );
  if (clusterMac.isZero) throw new ConfigError('clusterMac', 'is all zeros');

  const mode = top.mode === undefined ? DEFAULTS.mode : top.mode;
  if (mode !== 'dedicated' && mode !== 'shared')
    throw new ConfigError('mode', `must be "dedicated" or "shared", got ${describe(mode)}`);

  const multicastPrefix = Mac.parsePrefix(top.multicastPrefix ?? DEFAULTS.multicastPrefix, 'multicastPrefix');
  if ((multicastPrefix[0] & 1) === 0)
    throw new ConfigError(
      'multicastPrefix',
      `${hex2(multicastPrefix)} lacks the multicast bit (first octet must be odd, e.g. 03-bf)`,
    );
  for (const r of RESERVED_MAC_RANGES)
    if (r.prefix[0] === multicastPrefix[0] && r.prefix[1] === multicastPrefix[1])
      throw new ConfigError(
        'multicastPrefix',
        `${hex2(multicastPrefix)} reaches into ${r.range}, ${r.what}: dedicated MACs there would be taken for that traffic`,
      );

  let sharedMac: Mac | undefined;
  if (top.sharedMac !== undefined) {
    sharedMac = Mac.parse(top.sharedMac, 'sharedMac');
    checkDedicatedMac(sharedMac, 'sharedMac');
  }
  if (mode === 'shared' && !sharedMac)
    throw new ConfigError('sharedMac', 'is required when mode is "shared" (e.g. "03-bf-00-00-00-01")');

  const mappingsRaw = top.mappings === undefined ? {} : asObject(top.mappings, 'mappings', MAPPING_KEYS);
  const mappings = {
    ipv4: mappingName(mappingsRaw.ipv4, 'mappings.ipv4', DEFAULTS.mappings.ipv4),
    ipv6: mappingName(mappingsRaw.ipv6, 'mappings.ipv6', DEFAULTS.mappings.ipv6),
  };

  const seen = new Map<string, string>(); // address key -> where it was first listed
  const virtualIps = asArray(top.virtualIps ?? [], 'virtualIps').map((v, i) => {
    const key = `virtualIps[${i}]`;
    const a = parseHostAddress(v, key);
    noDuplicate(seen, a, key);
    return a;
  });

  if (top.hosts === undefined)
    throw new ConfigError(
      'hosts',
      'is required: the cluster members, e.g. [{"name": "host1", "addresses": ["198.18.0.1"]}]',
    );
  const hostsRaw = asArray(top.hosts, 'hosts');
  if (hostsRaw.length === 0) throw new ConfigError('hosts', 'is empty: a cluster needs at least one member');
  const names = new Map<string, number>();
  const hosts = hostsRaw.map((h, i): HostConfig => {
    const hk = `hosts[${i}]`;
    const o = asObject(h, hk, HOST_KEYS);
    if (typeof o.name !== 'string' || !HOST_NAME_RE.test(o.name))
      throw new ConfigError(
        `${hk}.name`,
        `must be a name of letters, digits, ".", "_" or "-" (at most 63), got ${describe(o.name)}`,
      );
    const prev = names.get(o.name);
    if (prev !== undefined) throw new ConfigError(`${hk}.name`, `"${o.name}" is already the name of hosts[${prev}]`);
    names.set(o.name, i);
    const addrsRaw = asArray(o.addresses, `${hk}.addresses`);
    if (addrsRaw.length === 0) throw new ConfigError(`${hk}.addresses`, `host "${o.name}" has no address`);
    const addresses = addrsRaw.map((v, j) => {
      const key = `${hk}.addresses[${j}]`;
      const a = parseHostAddress(v, key);
      noDuplicate(seen, a, key);
      return a;
    });
    return { name: o.name, addresses, macs: parseHostMacs(o.mac, `${hk}.mac`, addresses), hostNumber: i + 1 };
  });

  const maskSourceMac = top.maskSourceMac === undefined ? true : asBool(top.maskSourceMac, 'maskSourceMac');
  if (maskSourceMac) checkMaskedMacs(clusterMac, sharedMac, hosts);

  return {
    clusterMac,
    mode,
    multicastPrefix,
    sharedMac,
    mappings,
    virtualIps,
    hosts,
    synthesize: asBool(top.synthesize, 'synthesize'),
    strictSources: asBool(top.strictSources, 'strictSources'),
    replyRewrite: parseReplyRewrite(top.replyRewrite),
    maskSourceMac,
    heartbeat: top.heartbeat === undefined ? undefined : parseHeartbeat(top.heartbeat),
  };
}

function parseHeartbeat(v: unknown): HeartbeatConfig {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'key' in v)
    throw new ConfigError(
      'heartbeat.key',
      'the cluster key never goes in the config: name a file ("keyFile") or an environment variable ("keyEnv") that holds it',
    );
  const o = asObject(v, 'heartbeat', HEARTBEAT_KEYS);
  const int = (k: 'periodMs' | 'missed', dflt: number): number => {
    const x = o[k];
    if (x === undefined) return dflt;
    const [lo, hi] = HEARTBEAT_LIMITS[k];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi)
      throw new ConfigError(`heartbeat.${k}`, `must be an integer from ${lo} to ${hi}, got ${describe(x)}`);
    return x;
  };
  const periodMs = int('periodMs', HEARTBEAT_DEFAULTS.periodMs);
  const missed = int('missed', HEARTBEAT_DEFAULTS.missed);
  if ((o.keyFile === undefined) === (o.keyEnv === undefined))
    throw new ConfigError(
      'heartbeat',
      'needs exactly one of "keyFile" (a file holding the cluster key) or "keyEnv" (an environment variable holding it)',
    );
  if (o.keyFile !== undefined && (typeof o.keyFile !== 'string' || o.keyFile.length === 0))
    throw new ConfigError('heartbeat.keyFile', `expected a file path, got ${describe(o.keyFile)}`);
  if (o.keyEnv !== undefined && (typeof o.keyEnv !== 'string' || !ENV_NAME_RE.test(o.keyEnv)))
    throw new ConfigError(
      'heartbeat.keyEnv',
      `expected an environment variable name (letters, digits, "_"), got ${describe(o.keyEnv)}`,
    );
  let hostId: number | undefined;
  if (o.hostId !== undefined) {
    if (typeof o.hostId !== 'number' || !Number.isInteger(o.hostId) || o.hostId < 1 || o.hostId > 0xffffffff)
      throw new ConfigError('heartbeat.hostId', `must be an integer from 1 to 4294967295, got ${describe(o.hostId)}`);
    hostId = o.hostId;
  }
  const staticHosts =
    o.staticHosts === undefined ? HEARTBEAT_DEFAULTS.staticHosts : asBool(o.staticHosts, 'heartbeat.staticHosts');
  return {
    periodMs,
    missed,
    keyFile: o.keyFile as string | undefined,
    keyEnv: o.keyEnv as string | undefined,
    hostId,
    staticHosts,
  };
}

/** The most hosts source-MAC masking can number: the host number is one byte of the masked MAC. */
export const MASK_MAX_HOSTS = 255;

/**
 * The masked source MAC of host number `hostNumber` (1 to 255): the cluster MAC with byte 0 := 0x02
 * (locally administered, unicast) and byte 1 := the host number, as NLB's 02-<host priority>-...
 * (e.g. cluster 02-bf-c6-12-00-0a, host 3: 02-03-c6-12-00-0a). Config time only.
 */
export function maskedSourceMac(clusterMac: Mac, hostNumber: number): Mac {
  const b = Uint8Array.from(clusterMac.bytes);
  b[0] = 0x02;
  b[1] = hostNumber & 0xff;
  return Mac.fromBytes(b);
}

/**
 * maskSourceMac: at most 255 hosts, and no host's masked MAC equal to the cluster MAC, the shared
 * MAC or a host's table MAC (the last two are group addresses and a masked MAC never is; checked
 * anyway, so the rule holds whatever the other checks become).
 */
function checkMaskedMacs(clusterMac: Mac, sharedMac: Mac | undefined, hosts: readonly HostConfig[]): void {
  if (hosts.length > MASK_MAX_HOSTS)
    throw new ConfigError(
      'maskSourceMac',
      `numbers hosts 1 to ${MASK_MAX_HOSTS} in the masked source MAC, but the config has ${hosts.length} hosts: set "maskSourceMac": false`,
    );
  const taken = new Map<string, string>([[clusterMac.toString(), 'the cluster MAC']]);
  if (sharedMac) taken.set(sharedMac.toString(), 'the shared MAC');
  hosts.forEach((h, i) => {
    for (const [a, m] of h.macs) taken.set(m.toString(), `hosts[${i}].mac of ${a}`);
  });
  hosts.forEach((h, i) => {
    const masked = maskedSourceMac(clusterMac, i + 1).toString();
    const other = taken.get(masked);
    if (other !== undefined)
      throw new ConfigError(
        'maskSourceMac',
        `host "${h.name}" (number ${i + 1}) would send from ${masked}, which is ${other}: change the cluster MAC or the host order, or set "maskSourceMac": false`,
      );
  });
}

function parseReplyRewrite(v: unknown): 'sender' | 'receiver' {
  if (v === undefined) return 'receiver';
  if (v === 'sender' || v === 'receiver') return v;
  throw new ConfigError('replyRewrite', `must be "sender" or "receiver", got ${describe(v)}`);
}

/**
 * Group addresses a kernel, a bridge or a switch treats specially (docs/config.md lists them): a
 * dedicated MAC, the shared MAC or a prefix there would make members take that traffic for another
 * member's (and drop Router Advertisements, IGMP queries, LLDP...), or make switches trap, filter
 * or prioritise member traffic. Longest prefixes first is not needed: the ranges do not overlap.
 */
export const RESERVED_MAC_RANGES: readonly {
  readonly prefix: readonly number[];
  readonly range: string;
  readonly what: string;
}[] = [
  { prefix: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], range: 'ff-ff-ff-ff-ff-ff', what: 'the broadcast address' },
  {
    prefix: [0x33, 0x33],
    range: '33-33-xx-xx-xx-xx',
    what: 'IPv6 multicast (RFC 2464 section 7: Neighbor Discovery, MLD, Router Advertisements)',
  },
  {
    prefix: [0x01, 0x00, 0x5e],
    range: '01-00-5e-xx-xx-xx',
    what: 'IPv4 multicast (RFC 1112 section 6.4: IGMP, mDNS) and MPLS multicast (RFC 7042)',
  },
  {
    prefix: [0x01, 0x80, 0xc2],
    range: '01-80-c2-xx-xx-xx',
    what: 'IEEE 802.1 group addresses (STP, pause frames, LACP, LLDP, 802.1X, MRP: bridges consume or never forward them)',
  },
  {
    prefix: [0x01, 0x00, 0x0c],
    range: '01-00-0c-xx-xx-xx',
    what: "Cisco's protocol addresses (CDP, VTP, DTP, UDLD, PVST+: Cisco switches trap them)",
  },
  {
    prefix: [0x01, 0x1b, 0x19],
    range: '01-1b-19-xx-xx-xx',
    what: 'IEEE 1588 Precision Time Protocol (PTP-aware switches trap it)',
  },
  {
    prefix: [0x01, 0x0c, 0xcd],
    range: '01-0c-cd-xx-xx-xx',
    what: 'IEC 61850 GOOSE and sampled values (substation switches prioritise or filter them)',
  },
];

/** The reserved range (RESERVED_MAC_RANGES) holding the 6 bytes at b[off..], or undefined. */
export function reservedMacRange(b: ArrayLike<number>, off = 0): (typeof RESERVED_MAC_RANGES)[number] | undefined {
  return RESERVED_MAC_RANGES.find((r) => r.prefix.every((x, i) => b[off + i] === x));
}

/** A dedicated (or shared) MAC must have the multicast bit and lie outside every reserved range. */
export function checkDedicatedMac(mac: Mac, key: string): void {
  if (!mac.isMulticast)
    throw new ConfigError(
      key,
      `${mac} lacks the multicast bit: a dedicated MAC must be multicast (first octet odd, e.g. 03-bf-...)`,
    );
  const r = reservedMacRange(mac.bytes);
  if (r) throw new ConfigError(key, `${mac} is in ${r.range}, ${r.what}: not usable as a dedicated or shared MAC`);
}

function parseHostMacs(v: unknown, key: string, addresses: readonly IpAddress[]): Map<string, Mac> {
  const out = new Map<string, Mac>();
  if (v === undefined) return out;
  if (typeof v === 'string') {
    const mac = Mac.parse(v, key);
    checkDedicatedMac(mac, key);
    for (const a of addresses) out.set(a.text, mac);
    return out;
  }
  // { "<address>": "<mac>", ... }: one dedicated MAC per address
  const o = asObject(v, key, null);
  for (const [addrText, macText] of Object.entries(o)) {
    const k = `${key}[${quote(addrText)}]`;
    const a = parseHostAddress(addrText, k);
    if (!addresses.some((x) => x.text === a.text))
      throw new ConfigError(k, `${a.text} is not one of this host's addresses`);
    const mac = Mac.parse(macText, k);
    checkDedicatedMac(mac, k);
    out.set(a.text, mac);
  }
  return out;
}

function noDuplicate(seen: Map<string, string>, a: IpAddress, key: string): void {
  const k = addressKey(a);
  const first = seen.get(k);
  if (first !== undefined) throw new ConfigError(key, `${a.text} is listed twice (also at ${first})`);
  seen.set(k, key);
}

function mappingName(v: unknown, key: string, dflt: string): string {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || v.length === 0)
    throw new ConfigError(key, `expected a mapping name, got ${describe(v)}`);
  return v;
}

function asObject(v: unknown, key: string, allowed: readonly string[] | null): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ConfigError(key, `expected an object, got ${describe(v)}`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const path = IDENTIFIER_RE.test(k) ? (key ? `${key}.${k}` : k) : `${key}[${quote(k)}]`;
    if (allowed && !allowed.includes(k)) throw new ConfigError(path, `unknown key (known: ${allowed.join(', ')})`);
    // null is no value: it never stands for the default (leave the key out for that)
    if (o[k] === null) throw new ConfigError(path, 'is null: give a value, or leave the key out for its default');
  }
  return o;
}

function asArray(v: unknown, key: string): unknown[] {
  if (!Array.isArray(v)) throw new ConfigError(key, `expected an array, got ${describe(v)}`);
  return v;
}

function asBool(v: unknown, key: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new ConfigError(key, `expected true or false, got ${describe(v)}`);
  return v;
}

function hex2(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('-');
}
