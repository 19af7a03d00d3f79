import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster } from '../cluster';
import { ClusterConfig, loadConfigFile } from '../config';
import { createEngineFactory } from '../defaults';
import { EngineFactory } from '../factory';
import { ConfigError, UsageError } from '../errors';
import { Engine, EngineStats } from '../engine';
import { Membership, MembershipStats, heartbeatHostIdAt, loadClusterKey, startShimMembership } from '../membership';
import { controlPlaneOffset } from '../membership/adapter';
import { Direction } from '../verdict';
import { DEFAULT_PIN_DIR, preparePinBase } from './bpffs';
import { AttachedDatapath, KernelBackend, kernelBackend } from './kernel';
import { MulticastFilter, normalMac } from './mcast';
import { EAGAIN, PacketSocket } from './packet';

/** EtherType of the heartbeats (docs/heartbeat.md). */
const HEARTBEAT_ETHERTYPE = 0x886f;
/** Heartbeats read per readiness callback before yielding. */
const BATCH = 64;
/** How often the interface's presence is checked (a deleted interface stops the control plane). */
const DEVICE_CHECK_MS = 1000;
/**
 * Heartbeats from host IDs that are not members yet (joins) authenticated per second at most; the
 * rest are dropped before their HMAC is computed. A flood of forged heartbeats then costs a read
 * and a few compares per frame, so the socket keeps being drained and the members' own heartbeats
 * (whose host IDs are known) are never crowded out. Joins are a few per period.
 */
const NEW_HOST_BUDGET_PER_S = 500;

export const DEFAULT_RUN_DIR = '/run/intracluster';

export function defaultRunDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.INTRACLUSTER_RUN_DIR || DEFAULT_RUN_DIR;
}

export interface AttachRunOptions {
  /** Mappings (and the built-in adapters) the cluster is built with; default: the built-in ones. */
  factory?: EngineFactory;
  configPath: string;
  host: string;
  /** The host's own interface (in this network namespace). */
  dev: string;
  /** Folder on a BPF filesystem; the objects of `dev` are pinned in `<pinDir>/<dev>`. */
  pinDir?: string;
  /** State files (what this layer added to the interface), default /run/intracluster. */
  runDir?: string;
  /** Programs attached passing every frame (bench: the datapath's own cost); no config needed then. */
  passAll?: boolean;
  log?: (line: string) => void;
  /** Called once if the interface disappears; the control plane has then stopped its timers. */
  onFatal?: (message: string) => void;
  backend?: KernelBackend;
  env?: NodeJS.ProcessEnv;
}

export interface AttachReport {
  host: string;
  dev: string;
  datapath: 'kernel';
  adopted: boolean;
  /** The datapath was left running (pinned) when the control process stopped. */
  kept: boolean;
  pinPath: string | null;
  /** Group addresses the layer keeps in the interface's multicast filter. */
  multicast: string[];
  /** Heartbeat frames read; read errors; frames of unknown host IDs dropped unauthenticated over the budget. */
  heartbeats: { received: number; readErrors: number; unknownOverBudget: number };
  engine: EngineStats;
  membership?: MembershipStats;
}

/** What a control process leaves for the next one (and for `detach`), beside the pins. */
export interface AttachState {
  dev: string;
  netns: number;
  pinPath: string | null;
  multicast: string[];
  host: string;
  config: string;
  pid: number;
  /**
   * Hosts, in host-index order, of the membership in the maps (empty when this host is not a
   * member): a later attach that adopts the datapath carries strict-sources state over by name.
   */
  members?: string[];
}

/** Inode of this process's network namespace (tells namespaces apart in state file names). */
export function netnsInode(): number {
  try {
    return statSync('/proc/self/ns/net').ino;
  } catch {
    return 0;
  }
}

export function statePath(runDir: string, dev: string): string {
  return join(runDir, `attach-${dev}-ns${netnsInode()}.json`);
}

export function readState(runDir: string, dev: string): AttachState | null {
  try {
    const s = JSON.parse(readFileSync(statePath(runDir, dev), 'utf8')) as AttachState;
    return s && s.dev === dev && Array.isArray(s.multicast) ? s : null;
  } catch {
    return null;
  }
}

function writeState(runDir: string, s: AttachState): void {
  mkdirSync(runDir, { recursive: true, mode: 0o755 });
  const p = statePath(runDir, s.dev);
  writeFileSync(p + '.tmp', JSON.stringify(s) + '\n', { mode: 0o600 });
  renameSync(p + '.tmp', p);
}

/** Whether interface `dev` exists in this network namespace (/proc/net/dev is per namespace). */
export function deviceExists(dev: string): boolean {
  try {
    return readFileSync('/proc/net/dev', 'utf8')
      .split('\n')
      .some((l) => l.trim().startsWith(dev + ':'));
  } catch {
    return false;
  }
}

/** Capabilities the control plane needs (effective set), by bit (include/uapi/linux/capability.h). */
const CAPS: [number, string][] = [
  [12, 'CAP_NET_ADMIN'],
  [13, 'CAP_NET_RAW'],
];
const CAP_SYS_ADMIN = 21;
const CAP_BPF = 39;

/** '' or one line: which capability is missing (root has them all). */
export function privilegeProblem(): string {
  let eff = 0n;
  try {
    const m = /CapEff:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'));
    eff = m ? BigInt('0x' + m[1]) : 0n;
  } catch {
    return typeof process.getuid === 'function' && process.getuid() === 0
      ? ''
      : 'not root (loading BPF programs needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_NET_RAW)';
  }
  const has = (bit: number) => ((eff >> BigInt(bit)) & 1n) === 1n;
  const missing = CAPS.filter(([b]) => !has(b)).map(([, n]) => n);
  if (!has(CAP_BPF) && !has(CAP_SYS_ADMIN)) missing.push('CAP_BPF');
  if (missing.length === 0) return '';
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return `${root ? 'missing capabilities' : 'not root'}: loading and attaching the BPF programs needs ${missing.join(', ')}`;
}

/** Group addresses host `host` must receive: its dedicated MACs (dedicated mode) or the shared MAC. */
export function localGroupMacs(cluster: Cluster, host: string): string[] {
  const hi = cluster.hostIndex(host);
  if (hi < 0) return [];
  const macs = new Set<string>();
  for (const ai of cluster.hosts[hi].addressIndices) macs.add(normalMac(cluster.addresses[ai].mac.toString()));
  if (cluster.config.mode === 'shared' && cluster.config.sharedMac)
    macs.add(normalMac(cluster.config.sharedMac.toString()));
  return [...macs].sort();
}

/**
 * One host's cluster layer in the kernel (`intracluster attach`): the BPF programs on the host's own
 * interface, tc clsact ingress (wire to stack) and egress (stack to wire), with this process as their
 * control plane. It fills the maps from the config and the Cluster the TypeScript engine would use,
 * keeps the interface's multicast filter subscribed to the local dedicated MACs, runs heartbeat
 * membership over a packet socket (heartbeats only: data frames never reach user space), and
 * installs every membership change atomically. `stop(keep)` leaves the datapath running and pinned
 * (a later instance adopts it) or removes all it added.
 */
export class AttachRunner {
  private readonly factory: EngineFactory;
  readonly datapath: AttachedDatapath;
  readonly membership: Membership | null = null;
  readonly multicast: MulticastFilter;
  private socket: PacketSocket | null = null;
  private readonly rx = new Uint8Array(2048);
  /**
   * Dispatches what the packet socket reads as the BPF programs did (the same engine rules): its
   * tag walk and `frame.multicast-source` rule say whether a frame is a heartbeat for the membership
   * and where its payload starts. Follows every membership change; decides nothing on the datapath.
   */
  private dispatch: Engine | null = null;
  private readonly hb = { received: 0, readErrors: 0, unknownOverBudget: 0 };
  /** Host IDs of the members heard from (their heartbeats are always authenticated). */
  private readonly knownIds = new Set<number>();
  private budget = NEW_HOST_BUDGET_PER_S;
  private budgetAt = Date.now();
  private readonly log: (line: string) => void;
  private readonly runDir: string;
  private cluster: Cluster | null = null;
  private config: ClusterConfig | null = null;
  private member = true;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private configLoadedAt = Date.now();

  /** Checks everything it can first (one-line errors), then attaches or adopts, fills the maps and starts. */
  constructor(readonly options: AttachRunOptions) {
    this.log = options.log ?? (() => undefined);
    this.factory = options.factory ?? createEngineFactory();
    const backend = options.backend ?? kernelBackend();
    const dev = options.dev;
    if (!/^[^\s/:]{1,15}$/.test(dev))
      throw usage(`--dev ${JSON.stringify(dev)}: not an interface name (1 to 15 characters, no "/", ":" or spaces)`);
    if (process.platform !== 'linux')
      throw sysError('ENOSYS', 'platform', `the kernel datapath needs Linux (this is ${process.platform})`);
    const priv = privilegeProblem();
    if (priv) throw sysError('EPERM', 'capget', priv);
    // the config first: a mistake in it stops us before anything touches the interface
    if (!options.passAll) {
      this.config = loadConfigFile(options.configPath);
      this.cluster = this.factory.buildCluster(this.config);
      if (this.cluster.hostIndex(options.host) < 0)
        throw new ConfigError(
          '--host',
          `"${options.host}" is not a host of the cluster (hosts: ${this.cluster.hosts.map((h) => h.name).join(', ')})`,
        );
      if (this.config.heartbeat) loadClusterKey(this.config.heartbeat, options.env);
    }
    if (!deviceExists(dev))
      throw sysError(
        'ENODEV',
        'if_nametoindex',
        `no such device: ${dev} (in this network namespace; "ip netns exec NS intracluster attach ..." runs in another)`,
      );
    const missing = backend.problem();
    if (missing) throw sysError('ENOTBUILT', 'load', `kernel datapath unavailable: ${missing}`);
    const base = preparePinBase(options.pinDir ?? DEFAULT_PIN_DIR, options.pinDir !== undefined);
    if (base.note) this.log(base.note);
    this.runDir = options.runDir ?? defaultRunDir(options.env);
    const previous = readState(this.runDir, dev);
    this.datapath = backend.attach({
      ifname: dev,
      pinPath: join(base.dir, dev),
      passAll: options.passAll,
      previousMembers: previous?.members,
    });
    try {
      this.multicast = new MulticastFilter(dev, this.datapath.adopted && previous ? previous.multicast : [], this.log);
      if (this.cluster && this.config) {
        const hb = this.config.heartbeat;
        if (hb) {
          this.socket = PacketSocket.open(dev, HEARTBEAT_ETHERTYPE);
          const dispatch = this.factory.create(this.cluster, options.host);
          this.dispatch = dispatch;
          const engine = {
            setCluster: (c: Cluster, h: string) => (dispatch.setCluster(c, h), this.install(c, h)),
            process: (f: Uint8Array, d: Direction, n?: number) => dispatch.process(f, d, n),
            get etherType() {
              return dispatch.etherType;
            },
            get l3Offset() {
              return dispatch.l3Offset;
            },
          };
          this.membership = startShimMembership({
            config: this.config,
            host: options.host,
            engine,
            factory: this.factory,
            wire: this.socket,
            log: this.log,
            env: options.env,
          });
          const m = this.membership;
          m.on('join', (e) => this.knownIds.add(e.hostId));
          m.on('change', (e) => (this.knownIds.delete(e.previous.hostId), this.knownIds.add(e.hostId)));
          m.on('leave', (e) => this.knownIds.delete(e.hostId));
          for (const x of m.stats().members) if (x.hostId) this.knownIds.add(x.hostId);
          this.socket.watch((status) => this.pump(status));
        } else this.install(this.cluster, options.host);
      }
      this.saveState();
    } catch (e) {
      this.teardown(false);
      throw e;
    }
    // also what keeps the process alive when no packet socket is open (no heartbeat section)
    this.timer = setInterval(() => {
      if (!deviceExists(dev)) this.fatal(`interface ${dev} is gone`);
    }, DEVICE_CHECK_MS);
  }

  /** Installs a membership in the maps (atomically) and the multicast filter. */
  private install(cluster: Cluster, host: string): void {
    this.cluster = cluster;
    this.member = cluster.hostIndex(host) >= 0;
    this.datapath.setCluster(cluster, this.member ? host : null);
    for (const p of this.multicast?.set(localGroupMacs(cluster, host)) ?? []) this.log(p);
    if (!this.stopped && this.multicast) this.saveState();
  }

  private pump(status: number): void {
    const s = this.socket;
    if (!s || this.stopped) return;
    if (status < 0) {
      this.hb.readErrors++;
      return;
    }
    for (let i = 0; i < BATCH; i++) {
      const n = s.read(this.rx);
      if (n < 0) {
        if (n !== -EAGAIN) this.hb.readErrors++;
        return;
      }
      this.hb.received++;
      const off = controlPlaneOffset(this.dispatch!, this.dispatch!.process(this.rx, Direction.Inbound, n));
      if (off < 0 || !this.admit(off, n)) continue;
      this.membership!.receive(this.rx, off, n);
    }
  }

  /**
   * Whether the heartbeat rx[0 .. n), payload at `off`, goes on to the membership (and its HMAC):
   * always for a known host ID, within the budget for others. No allocation.
   */
  private admit(off: number, n: number): boolean {
    if (off + 12 > n) return true; // malformed: the membership counts it cheaply
    const id = heartbeatHostIdAt(this.rx, off);
    if (this.knownIds.has(id)) return true;
    const now = Date.now();
    if (now - this.budgetAt >= 1000) {
      this.budget = NEW_HOST_BUDGET_PER_S;
      this.budgetAt = now;
    }
    if (this.budget > 0) {
      this.budget--;
      return true;
    }
    this.hb.unknownOverBudget++;
    return false;
  }

  private saveState(): void {
    writeState(this.runDir, {
      dev: this.options.dev,
      netns: netnsInode(),
      pinPath: this.datapath.pinPath,
      multicast: this.multicast.owned(),
      host: this.options.host,
      config: this.options.configPath,
      pid: process.pid,
      members: this.member && this.cluster ? this.cluster.hosts.map((h) => h.name) : [],
    });
  }

  get host(): string {
    return this.options.host;
  }

  /** False when the programs pass every frame (pass-all, or this host is not in the config in force). */
  get isMember(): boolean {
    return !this.options.passAll && this.member;
  }

  /** One line describing what is in force. */
  describe(): string {
    if (this.options.passAll) return 'programs attached passing every frame';
    if (!this.member) return `host ${this.host} is not listed in the config: passing every frame unchanged`;
    const c = this.cluster!;
    return `mode ${c.config.mode}${c.config.synthesize ? ' + synthesize' : ''}, ${c.hosts.length} members (${c.hosts.map((h) => h.name).join(', ')})`;
  }

  /** The config in force and when it was loaded (for status). */
  get configInForce(): { path: string; loadedAt: number; config: ClusterConfig | null; cluster: Cluster | null } {
    return { path: this.options.configPath, loadedAt: this.configLoadedAt, config: this.config, cluster: this.cluster };
  }

  /** Re-reads the config (SIGHUP); returns the line to log. The membership in force stays on any failure. Never throws. */
  reload(): string {
    if (this.options.passAll) return 'reload: pass-all mode has no config; nothing to do';
    const path = this.options.configPath;
    try {
      const config = loadConfigFile(path);
      if (this.membership) {
        if (!config.heartbeat) throw new Error('config: heartbeat: cannot be removed by a reload (restart attach)');
        this.membership.reconfigure(config, loadClusterKey(config.heartbeat, this.options.env));
      } else {
        if (config.heartbeat) throw new Error('config: heartbeat: cannot be added by a reload (restart attach)');
        this.install(this.factory.buildCluster(config), this.host);
      }
      this.config = config;
      this.configLoadedAt = Date.now();
      return `reloaded ${path}: ${this.describe()}`;
    } catch (e) {
      return `reload failed, keeping the previous config (${this.describe()}): ${(e as Error).message}`;
    }
  }

  report(kept = false): AttachReport {
    const r: AttachReport = {
      host: this.host,
      dev: this.options.dev,
      datapath: 'kernel',
      adopted: this.datapath.adopted,
      kept,
      pinPath: this.datapath.pinPath,
      multicast: this.multicast.owned(),
      heartbeats: { ...this.hb },
      engine: this.datapath.stats(),
    };
    if (this.membership) r.membership = this.membership.stats();
    return r;
  }

  /**
   * Stops the control plane. `keep`: the programs stay attached and pinned, the multicast filter
   * stays, the state file says what was added (for the next `attach` or `detach`). Otherwise every
   * thing this layer added goes. Returns the counters. Idempotent.
   */
  stop(keep: boolean): AttachReport {
    const report = this.report(keep);
    this.teardown(keep);
    return report;
  }

  private teardown(keep: boolean): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.membership?.stop();
    this.socket?.close();
    this.socket = null;
    if (keep) {
      this.saveState();
      this.datapath.release();
      return;
    }
    const problems = this.multicast?.clear() ?? [];
    for (const p of problems) this.log(p);
    this.datapath.remove();
    rmSync(statePath(this.runDir, this.options.dev), { force: true });
  }

  private fatal(message: string): void {
    if (this.stopped) return;
    this.options.onFatal?.(message);
  }
}

/**
 * `intracluster detach`: removes what `attach --keep` (or a killed attach) left on `dev`: the
 * programs, the pins, the multicast addresses it added. Returns lines describing what was removed
 * (none: nothing of ours was there).
 */
export function detachDevice(o: {
  dev: string;
  pinDir?: string;
  runDir?: string;
  backend?: KernelBackend;
  env?: NodeJS.ProcessEnv;
}): string[] {
  const backend = o.backend ?? kernelBackend();
  if (!/^[^\s/:]{1,15}$/.test(o.dev))
    throw usage(
      `--dev ${JSON.stringify(o.dev)}: not an interface name (1 to 15 characters, no "/", ":" or spaces)`,
      'detach',
    );
  const priv = privilegeProblem();
  if (priv) throw sysError('EPERM', 'capget', priv);
  const runDir = o.runDir ?? defaultRunDir(o.env);
  const state = readState(runDir, o.dev);
  const exists = deviceExists(o.dev);
  if (!exists && !state)
    throw sysError('ENODEV', 'if_nametoindex', `no such device: ${o.dev} (in this network namespace)`);
  const missing = backend.problem();
  if (missing) throw sysError('ENOTBUILT', 'load', `kernel datapath unavailable: ${missing}`);
  const pinPath = state?.pinPath ?? join(o.pinDir ?? DEFAULT_PIN_DIR, o.dev);
  const done: string[] = [];
  if (state?.pid && state.pid !== process.pid && alive(state.pid) && isAttach(state.pid))
    throw sysError(
      'EBUSY',
      'detach',
      `an attach process (pid ${state.pid}) still controls ${o.dev}: stop it (SIGTERM) instead`,
    );
  const r = backend.detach(exists ? o.dev : null, pinPath);
  if (r.programs) done.push(`detached the programs from ${o.dev}`);
  if (r.pins) done.push(`removed the pins under ${pinPath}`);
  if (state && exists) {
    const m = new MulticastFilter(o.dev, state.multicast);
    const problems = m.clear();
    if (problems.length) throw sysError('EIO', 'maddr', problems.join('; '));
    if (state.multicast.length)
      done.push(`removed ${state.multicast.join(', ')} from the multicast filter of ${o.dev}`);
  }
  if (state) rmSync(statePath(runDir, o.dev), { force: true });
  return done;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isAttach(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('attach');
  } catch {
    return false;
  }
}

function sysError(code: string, syscall: string, message: string): Error {
  return Object.assign(new Error(message), { code, syscall });
}

function usage(message: string, cmd = 'attach'): Error {
  return new UsageError(`${cmd}: ${message}`);
}
