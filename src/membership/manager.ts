import { IpAddress, addressKey } from '../address';
import { Cluster } from '../cluster';
import { ClusterConfig, HeartbeatConfig, HostConfig } from '../config';
import { ConfigError, UnknownHostError } from '../errors';
import { ETH_HEADER_LEN } from '../frame/ethernet';
import { Mac } from '../mac';
import { Direction, Verdict } from '../verdict';
import { controlPlaneOffset } from './adapter';
import { defaultHostId, signHeartbeat, verifyHeartbeat } from './auth';
import { Clock, systemClock } from './clock';
import { MemberInfo, MembershipEmitter } from './events';
import {
  HB_DROP_TEXT,
  HB_FRAME_LEN,
  Heartbeat,
  HeartbeatDropReason,
  checkHeartbeatHeaderAt,
  decodeHeartbeat,
  encodeHeartbeatFrame,
  heartbeatHostIdAt,
  heartbeatSequenceHighAt,
  heartbeatSequenceLowAt,
  isHeartbeatSourceOf,
} from './format';
import { HeartbeatRateGate } from './rate';
import { ReplayGuard, SequenceSource } from './sequence';

/** What the membership layer needs of the engine (an `Engine` fits). */
export interface MembershipEngine {
  setCluster(cluster: Cluster, hostName: string): void;
  process(frame: Uint8Array, direction: Direction, length?: number): Verdict;
  /** EtherType of the last frame after its tags, as the engine's dispatch found it. */
  readonly etherType: number;
  /** Offset of the last frame's L3 header (a heartbeat's payload), after the tags. */
  readonly l3Offset: number;
}

export interface MembershipOptions {
  /** Validated config with a `heartbeat` section; `hosts` lists this member (its addresses) and the static ones. */
  readonly config: ClusterConfig;
  /** This member's name in `config.hosts`. */
  readonly hostName: string;
  /** The cluster key (`loadClusterKey`). */
  readonly key: Uint8Array;
  readonly engine: MembershipEngine;
  /** Builds a Cluster from a config (an `EngineFactory`). */
  readonly factory: { buildCluster(config: ClusterConfig): Cluster };
  /**
   * Puts one heartbeat frame on the wire side. The buffer is reused for the next heartbeat: copy it
   * to keep it. Returning false (e.g. the interface is down) or throwing counts a send error.
   */
  readonly send: (frame: Uint8Array, length: number) => boolean | void;
  readonly clock?: Clock;
}

/** A member learned from heartbeats (or an initial member with `staticHosts: false`). */
interface LiveMember {
  hostId: number;
  name: string;
  addresses: readonly IpAddress[];
  /** Table MACs from the config, for initial members only. */
  macs: ReadonlyMap<string, Mac>;
  lastSeen: number;
  periodMs: number;
  /**
   * Last time a heartbeat naming this member's host ID was dropped unverified (over its budget):
   * its own heartbeat may have been among them, so its liveness counts from then too.
   */
  heldAt?: number;
}

export interface MembershipStats {
  hostId: number;
  sent: number;
  sendErrors: number;
  /** Heartbeat frames received: every EtherType 0x886F frame the engine handed to the control plane. */
  received: number;
  /** Valid heartbeats that refreshed, admitted or changed a member. */
  accepted: number;
  joins: number;
  changes: number;
  leaves: number;
  refused: number;
  dropped: Partial<Record<HeartbeatDropReason, number>>;
  members: (MemberInfo & { kind: 'local' | 'static' | 'live'; lastSeenMsAgo?: number })[];
}

/**
 * Cluster membership from authenticated heartbeats (the patent's "heartbeat-based protocol"
 * telling each member the others' dedicated IPs "on a repeated basis"). Sends this member's
 * heartbeat every period, consumes the heartbeats the engine's dispatch hands it (`process`, `receive`),
 * and on join, change or leave rebuilds the Cluster (local member + static hosts + live members) and
 * installs it in the engine at once. Timer-driven through an injectable Clock.
 */
export class Membership extends MembershipEmitter {
  private config!: ClusterConfig;
  private hb!: HeartbeatConfig;
  private key!: Uint8Array;
  private local!: HostConfig;
  /** Hosts of the config other than the local one that are permanent (staticHosts). */
  private statics: HostConfig[] = [];
  private localHostId = 0;
  private readonly members = new Map<string, LiveMember>();
  private readonly byId = new Map<number, LiveMember>();
  /** Address key -> name of the member (local, static, live) or "virtual IP". */
  private owners = new Map<string, string>();
  private readonly guard = new ReplayGuard();
  /** HMACs per second, bounded per host ID (and for all never-authenticated host IDs together). */
  private readonly rate = new HeartbeatRateGate();
  /** Last refusal reason per host ID (events once per reason). */
  private readonly refusals = new Map<number, string>();
  private readonly clock: Clock;
  private readonly sequence: SequenceSource;
  private readonly tx = new Uint8Array(HB_FRAME_LEN);
  private sendTimer: unknown = null;
  private expiryTimer: unknown = null;
  private running = false;
  private readonly drops = new Map<HeartbeatDropReason, number>();
  private readonly nextDropEvent = new Map<HeartbeatDropReason, number>();
  private readonly n = {
    sent: 0,
    sendErrors: 0,
    received: 0,
    accepted: 0,
    joins: 0,
    changes: 0,
    leaves: 0,
    refused: 0,
  };

  constructor(private readonly options: MembershipOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.sequence = new SequenceSource(this.clock);
    this.apply(options.config, options.key, true);
  }

  /** This member's unique host ID (config `heartbeat.hostId` or derived from its name). */
  get hostId(): number {
    return this.localHostId;
  }
  get hostName(): string {
    return this.options.hostName;
  }
  get periodMs(): number {
    return this.hb.periodMs;
  }

  /** Sends the first heartbeat now and one every period; arms the liveness timer. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.sendNow();
    this.armExpiry();
  }

  /** Stops sending and expiring; membership stays as it is. Idempotent. */
  stop(): void {
    this.running = false;
    if (this.sendTimer !== null) this.clock.clearTimer(this.sendTimer);
    if (this.expiryTimer !== null) this.clock.clearTimer(this.expiryTimer);
    this.sendTimer = this.expiryTimer = null;
  }

  /**
   * Decides one frame through `engine.process`, the shim's control plane behind it: a heartbeat the
   * engine did not drop (EtherType 0x886F after the tags it walked, its `frame.multicast-source` rule
   * passed; reason `heartbeat.to-control-plane`) is consumed here, verdict Drop: it never reaches
   * the stack and is never relayed. The engine drops heartbeats from the local stack
   * (`heartbeat.from-stack`). Every other verdict is the engine's. Never throws.
   */
  process(frame: Uint8Array, direction: Direction, length: number = frame.length): Verdict {
    const e = this.options.engine;
    const v = e.process(frame, direction, length);
    const off = controlPlaneOffset(e, v);
    if (off < 0) return v;
    this.receive(frame, off, length);
    return Verdict.Drop;
  }

  /**
   * Consumes one inbound heartbeat frame (payload at frame[payloadOffset .. length)) the engine's
   * dispatch handed to the control plane. Never throws.
   */
  receive(frame: Uint8Array, payloadOffset: number, length: number): void {
    this.n.received++;
    try {
      this.receiveChecked(frame, payloadOffset, length);
    } catch (e) {
      this.drop('malformed', `internal error: ${(e as Error).message}`);
    }
  }

  private receiveChecked(frame: Uint8Array, payloadOffset: number, length: number): void {
    // Cheap checks first, in place, before any HMAC (docs/heartbeat.md, "Floods"): what a forged or
    // replayed frame costs is a few comparisons, and the HMACs per second are bounded per host ID.
    const head = checkHeartbeatHeaderAt(frame, payloadOffset, length, this.config.clusterMac.bytes);
    if (head)
      return this.drop(head, head === 'truncated' || head === 'oversized' ? `${length - payloadOffset} bytes` : '');
    const hostId = heartbeatHostIdAt(frame, payloadOffset);
    if (hostId === 0) return this.drop('malformed', 'host ID 0');
    if (hostId === this.localHostId) return this.drop('own-host-id', `host ID ${hostId}`, hostId);
    if (!isHeartbeatSourceOf(frame, hostId)) return this.drop('source-mismatch', '', hostId);
    if (
      !this.guard.freshParts(
        hostId,
        heartbeatSequenceHighAt(frame, payloadOffset),
        heartbeatSequenceLowAt(frame, payloadOffset),
      )
    )
      return this.drop('replayed', 'sequence not above the last accepted', hostId);
    const now = this.clock.now();
    if (!this.rate.take(hostId, now)) {
      const held = this.byId.get(hostId);
      if (held) held.heldAt = now;
      return this.drop('rate-limited', '', hostId);
    }
    const p = frame.subarray(payloadOffset, length);
    // authenticate before parsing the rest: a forged frame costs one HMAC and no allocation of ours
    if (!verifyHeartbeat(p, this.key)) return this.drop('bad-authenticator', '', hostId);
    const d = decodeHeartbeat(p);
    if (!d.ok) return this.drop(d.reason, d.detail);
    const hb = d.heartbeat;
    if (!this.guard.fresh(hb.hostId, hb.sequence)) return this.drop('replayed', `sequence ${hb.sequence}`, hb.hostId);
    this.guard.accept(hb.hostId, hb.sequence);
    this.rate.admit(hb.hostId, hb.periodMs, now);
    this.admit(hb);
  }

  /** Join, refresh or change, after the claims are checked. */
  private admit(hb: Heartbeat): void {
    const now = this.clock.now();
    let existing = this.byId.get(hb.hostId);
    if (!existing) {
      const initial = this.members.get(hb.name);
      if (initial && initial.hostId === 0) existing = initial; // staticHosts false: adopt the config entry
    }
    // a name or an address may only be claimed by its current holder
    if (hb.name === this.local.name || this.statics.some((h) => h.name === hb.name))
      return this.drop('name-claimed', `"${hb.name}"`, hb.hostId);
    const holder = this.members.get(hb.name);
    if (holder && holder !== existing)
      return this.drop('name-claimed', `"${hb.name}" is host ID ${holder.hostId}`, hb.hostId);
    for (const a of hb.addresses) {
      const owner = this.owners.get(addressKey(a));
      if (owner !== undefined && (!existing || owner !== existing.name))
        return this.drop('address-claimed', `${a.text} belongs to ${owner}`, hb.hostId);
    }

    if (existing && existing.name === hb.name && sameAddresses(existing.addresses, hb.addresses)) {
      existing.lastSeen = now;
      existing.periodMs = hb.periodMs;
      if (existing.hostId === 0) this.bindId(existing, hb.hostId);
      this.refusals.delete(hb.hostId);
      this.n.accepted++;
      this.armExpiry();
      return;
    }

    const next: LiveMember = {
      hostId: hb.hostId,
      name: hb.name,
      addresses: hb.addresses,
      macs: existing ? keepMacs(existing.macs, hb.addresses) : new Map(),
      lastSeen: now,
      periodMs: hb.periodMs,
    };
    const live = [...this.members.values()].filter((m) => m !== existing);
    live.push(next);
    let cluster: Cluster;
    try {
      cluster = this.build(this.config, live);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      // dedicated MAC collision or no mapping: not admitted; an existing member keeps its addresses
      // until its liveness runs out (a refused heartbeat is not a sign of life for the old ones)
      this.n.refused++;
      const reason = e.reason;
      if (this.refusals.get(hb.hostId) !== reason) {
        this.refusals.set(hb.hostId, reason);
        this.emit('refused', { ...info(next), at: now, reason });
      }
      return;
    }
    if (existing) {
      this.members.delete(existing.name);
      if (existing.hostId !== 0) this.byId.delete(existing.hostId);
    }
    this.members.set(next.name, next);
    this.byId.set(next.hostId, next);
    this.refusals.delete(hb.hostId);
    this.install(cluster);
    this.n.accepted++;
    this.armExpiry();
    if (existing) {
      this.n.changes++;
      this.emit('change', { ...info(next), at: now, previous: info(existing) });
    } else {
      this.n.joins++;
      this.emit('join', { ...info(next), at: now });
    }
  }

  private bindId(m: LiveMember, hostId: number): void {
    m.hostId = hostId;
    this.byId.set(hostId, m);
  }

  /** Liveness: a member leaves once `missed` of its periods passed without a valid heartbeat (+ half a period of grace). */
  private deadline(m: LiveMember): number {
    // a flood naming the member's host ID holds it: its heartbeats cannot be told from the flood's
    return Math.max(m.lastSeen, m.heldAt ?? 0) + (this.hb.missed + 0.5) * m.periodMs;
  }

  private armExpiry(): void {
    if (this.expiryTimer !== null) this.clock.clearTimer(this.expiryTimer);
    this.expiryTimer = null;
    if (!this.running || this.members.size === 0) return;
    let first = Infinity;
    for (const m of this.members.values()) first = Math.min(first, this.deadline(m));
    this.expiryTimer = this.clock.setTimer(Math.max(0, first - this.clock.now()), () => {
      this.expiryTimer = null;
      this.expire();
    });
  }

  private expire(): void {
    const now = this.clock.now();
    const gone = [...this.members.values()].filter((m) => this.deadline(m) <= now);
    if (gone.length > 0) {
      for (const m of gone) {
        this.members.delete(m.name);
        if (m.hostId !== 0) this.byId.delete(m.hostId);
      }
      // a subset of an installed membership always builds
      this.install(this.build(this.config, [...this.members.values()]));
      for (const m of gone) {
        this.n.leaves++;
        this.emit('leave', { ...info(m), at: now, reason: 'timeout', silentMs: now - m.lastSeen });
      }
    }
    this.armExpiry();
  }

  private sendNow(): void {
    if (this.sendTimer !== null) this.clock.clearTimer(this.sendTimer);
    this.sendTimer = null;
    if (!this.running) return;
    try {
      const len = encodeHeartbeatFrame(this.localHeartbeat(), this.tx, 0);
      signHeartbeat(this.tx.subarray(ETH_HEADER_LEN, len), this.key);
      if (this.options.send(this.tx, len) === false) this.n.sendErrors++;
      else this.n.sent++;
    } catch {
      this.n.sendErrors++;
    }
    this.sendTimer = this.clock.setTimer(this.hb.periodMs, () => {
      this.sendTimer = null;
      this.sendNow();
    });
  }

  /** The heartbeat this member sends next (consumes one sequence number). */
  localHeartbeat(): Heartbeat {
    const v4 = this.config.virtualIps.find((a) => a.family === 4);
    return {
      hostId: this.localHostId,
      name: this.local.name,
      sequence: this.sequence.next(),
      periodMs: this.hb.periodMs,
      clusterMac: this.config.clusterMac.bytes,
      clusterIp: v4 ? v4.bytes : new Uint8Array(4),
      addresses: this.local.addresses,
    };
  }

  /**
   * Installs a new config (SIGHUP): the local member's addresses, static hosts, period, key. Live
   * members that now clash with the local or static ones leave (reason "reconfigured"). Sends a
   * heartbeat at once so the others learn new local addresses within one transit. ConfigError
   * (nothing changed) when the config cannot be installed.
   */
  reconfigure(config: ClusterConfig, key: Uint8Array = this.key): void {
    this.apply(config, key, false);
    if (this.running) {
      this.sendNow();
      this.armExpiry();
    }
  }

  private apply(config: ClusterConfig, key: Uint8Array, initial: boolean): void {
    const hb = config.heartbeat;
    if (!hb) throw new ConfigError('heartbeat', 'is required for membership from heartbeats');
    const local = config.hosts.find((h) => h.name === this.options.hostName);
    if (!local)
      throw new UnknownHostError(
        this.options.hostName,
        config.hosts.map((h) => h.name),
      );
    const others = config.hosts.filter((h) => h !== local);
    const statics = hb.staticHosts ? others : [];
    const now = this.clock.now();
    // live members that survive: on start, the initial members; later, those not displaced
    const candidates: LiveMember[] = initial
      ? hb.staticHosts
        ? []
        : others.map((h) => ({
            hostId: 0,
            name: h.name,
            addresses: h.addresses,
            macs: h.macs,
            lastSeen: now,
            periodMs: hb.periodMs,
          }))
      : [...this.members.values()];
    const taken = new Set<string>([local, ...statics].flatMap((h) => h.addresses.map(addressKey)));
    for (const v of config.virtualIps) taken.add(addressKey(v));
    const names = new Set([local, ...statics].map((h) => h.name));
    const base = (live: LiveMember[]) => this.buildFrom(config, local, statics, live);
    base([]); // the local and static part must build on its own, or nothing changes
    const kept: LiveMember[] = [];
    const displaced: LiveMember[] = [];
    for (const m of candidates.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      let ok = !names.has(m.name) && !m.addresses.some((a) => taken.has(addressKey(a)));
      if (ok) {
        try {
          base([...kept, m]);
        } catch {
          ok = false;
        }
      }
      (ok ? kept : displaced).push(m);
    }
    const cluster = base(kept);

    this.config = config;
    this.hb = hb;
    this.key = key;
    this.local = local;
    this.statics = statics;
    this.localHostId = hb.hostId ?? defaultHostId(local.name);
    this.members.clear();
    this.byId.clear();
    for (const m of kept) {
      this.members.set(m.name, m);
      if (m.hostId !== 0) this.byId.set(m.hostId, m);
    }
    this.install(cluster);
    for (const m of displaced) {
      this.n.leaves++;
      this.emit('leave', { ...info(m), at: now, reason: 'reconfigured', silentMs: now - m.lastSeen });
    }
  }

  private build(config: ClusterConfig, live: LiveMember[]): Cluster {
    return this.buildFrom(config, this.local, this.statics, live);
  }

  private buildFrom(config: ClusterConfig, local: HostConfig, statics: HostConfig[], live: LiveMember[]): Cluster {
    const hosts: HostConfig[] = [
      local,
      ...statics,
      ...[...live]
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((m) => ({ name: m.name, addresses: m.addresses, macs: m.macs })),
    ];
    return this.options.factory.buildCluster({ ...config, hosts });
  }

  private install(cluster: Cluster): void {
    this.options.engine.setCluster(cluster, this.options.hostName);
    const owners = new Map<string, string>();
    for (const h of cluster.hosts)
      for (const i of h.addressIndices) owners.set(addressKey(cluster.addresses[i].ip), h.name);
    for (const v of this.config.virtualIps) owners.set(addressKey(v), 'a virtual IP');
    this.owners = owners;
  }

  /**
   * Counts a dropped heartbeat. The 'dropped' event is sampled: the 1st, 10th, 100th... of each
   * reason, so a flood costs a counter, never an event object per frame.
   */
  private drop(reason: HeartbeatDropReason, detail: string, hostId?: number): void {
    const count = (this.drops.get(reason) ?? 0) + 1;
    this.drops.set(reason, count);
    if (count !== (this.nextDropEvent.get(reason) ?? 1)) return;
    this.nextDropEvent.set(reason, count * 10);
    this.emit('dropped', { at: this.clock.now(), reason, text: HB_DROP_TEXT[reason], detail, hostId, count });
  }

  /** Members and counters (allocates; for logs, the CLI and tests). */
  stats(): MembershipStats {
    const now = this.clock.now();
    const members: MembershipStats['members'] = [
      {
        hostId: this.localHostId,
        name: this.local.name,
        addresses: this.local.addresses.map((a) => a.text),
        kind: 'local',
      },
      ...this.statics.map((h) => ({
        hostId: 0,
        name: h.name,
        addresses: h.addresses.map((a) => a.text),
        kind: 'static' as const,
      })),
      ...[...this.members.values()].map((m) => ({
        ...info(m),
        kind: 'live' as const,
        lastSeenMsAgo: now - m.lastSeen,
      })),
    ];
    return { hostId: this.localHostId, ...this.n, dropped: Object.fromEntries(this.drops), members };
  }

  /** Live members (learned from heartbeats), by name. */
  liveMembers(): MemberInfo[] {
    return [...this.members.values()].map(info);
  }
}

function info(m: LiveMember): MemberInfo {
  return { hostId: m.hostId, name: m.name, addresses: m.addresses.map((a) => a.text) };
}

function sameAddresses(a: readonly IpAddress[], b: readonly IpAddress[]): boolean {
  return a.length === b.length && a.every((x, i) => x.text === b[i].text && x.family === b[i].family);
}

function keepMacs(macs: ReadonlyMap<string, Mac>, addresses: readonly IpAddress[]): Map<string, Mac> {
  const out = new Map<string, Mac>();
  for (const a of addresses) {
    const m = macs.get(a.text);
    if (m) out.set(a.text, m);
  }
  return out;
}
