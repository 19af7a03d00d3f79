import { Cluster } from '../cluster';
import type { MembershipStats } from '../membership/manager';
import type { FrameCount } from './tally';

/**
 * What a running instance (`shim` or `attach`) tells `intracluster status` and the metrics endpoint.
 * Plain JSON: it crosses the control socket as one line.
 */
export interface InstanceStatus {
  /** Format version of this object. */
  version: 1;
  kind: 'shim' | 'attach';
  pid: number;
  /** Datapath in use: `shim` (TAP relay through the engine) or `kernel` (tc eBPF). */
  datapath: string;
  host: string;
  /** Milliseconds since 1970. */
  startedAt: number;
  /** Interfaces the instance serves: the shim's stack and wire TAPs, attach's device. */
  devices: { role: 'stack' | 'wire' | 'dev'; name: string }[];
  /**
   * Where the local stack's neighbour table lives: its network namespace (null: the instance's own)
   * and interface. `intracluster status` checks that table.
   */
  stack: { netns: string | null; dev: string | null };
  config: {
    path: string | null;
    /** When the config in force was loaded (ms since 1970); null in relay mode. */
    loadedAt: number | null;
    reloads: { done: number; failed: number };
    /** The last reload's line, if any. */
    lastReload: { at: number; ok: boolean; message: string } | null;
  };
  /** False when relaying unchanged (relay mode, or this host is not in the config in force). */
  layer: boolean;
  mode: string | null;
  synthesize: boolean;
  replyRewrite: string | null;
  clusterMac: string | null;
  sharedMac: string | null;
  members: MemberStatus[];
  strictSources: { enabled: boolean; discovered: string[] };
  heartbeat: HeartbeatStatus | null;
  frames: FrameCount[];
  /** The datapath's own counters by name (shim: frames per side, write errors...). */
  counters: Record<string, number>;
  writeErrors: number;
}

export interface MemberStatus {
  name: string;
  local: boolean;
  /** Each address and the MAC members must resolve it to (dedicated, table or shared MAC). */
  addresses: { ip: string; mac: string; source: string }[];
  /** Where the member comes from: the config (`static`), the local host, or heartbeats (`live`). */
  kind: 'local' | 'static' | 'live' | 'config';
  /** Heartbeat membership: NLB host ID and milliseconds since its last valid heartbeat. */
  hostId?: number;
  heartbeatAgeMs?: number;
}

export interface HeartbeatStatus {
  hostId: number;
  periodMs: number;
  sent: number;
  sendErrors: number;
  received: number;
  accepted: number;
  joins: number;
  changes: number;
  leaves: number;
  /** Authentic heartbeats whose member could not be installed (MAC collision, no mapping). */
  refused: number;
  /** Heartbeats dropped, by cause. */
  dropped: Record<string, number>;
}

/** The heartbeat part of a status, from the membership's stats (the same for `shim` and `attach`). */
export function heartbeatStatus(ms: MembershipStats, periodMs: number): HeartbeatStatus {
  return {
    hostId: ms.hostId,
    periodMs,
    sent: ms.sent,
    sendErrors: ms.sendErrors,
    received: ms.received,
    accepted: ms.accepted,
    joins: ms.joins,
    changes: ms.changes,
    leaves: ms.leaves,
    refused: ms.refused,
    dropped: ms.dropped as Record<string, number>,
  };
}

/** MAC in the `ip neigh` notation (lower case, colons). */
export function colonMac(mac: { toString(): string } | string): string {
  return String(mac).toLowerCase().replace(/-/g, ':');
}

/**
 * The members of `cluster`, each address with the MAC members must resolve it to. `live` gives the
 * heartbeat side (membership stats), when membership runs from heartbeats.
 */
export function clusterMembers(
  cluster: Cluster,
  localName: string,
  live?: { name: string; hostId: number; kind: 'local' | 'static' | 'live'; lastSeenMsAgo?: number }[],
): MemberStatus[] {
  const byName = new Map((live ?? []).map((m) => [m.name, m]));
  return cluster.hosts.map((h) => {
    const hb = byName.get(h.name);
    const m: MemberStatus = {
      name: h.name,
      local: h.name === localName,
      addresses: h.addressIndices.map((i) => {
        const a = cluster.addresses[i];
        return { ip: a.ip.text, mac: colonMac(a.mac), source: a.macSource };
      }),
      kind: hb ? hb.kind : h.name === localName ? 'local' : 'config',
    };
    if (hb && hb.kind !== 'static' && hb.hostId) m.hostId = hb.hostId;
    if (hb?.lastSeenMsAgo !== undefined) m.heartbeatAgeMs = Math.round(hb.lastSeenMsAgo);
    return m;
  });
}
