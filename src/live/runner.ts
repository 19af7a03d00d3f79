import { loadConfigFile } from '../config';
import { createEngineFactory } from '../defaults';
import { EngineFactory } from '../factory';
import { Engine, EngineStats } from '../engine';
import { Membership, MembershipStats, loadClusterKey, startShimMembership } from '../membership';
import { engineLines, membershipLine } from '../ops/report';
import { Shim } from './shim';
import { Tap } from './tap';

export interface ShimRunOptions {
  /** Cluster config file; re-read by `reload()`. Not needed with `relay`. */
  configPath?: string;
  /** This host's name in the config. */
  host?: string;
  /** Stack-side TAP (the interface the host's kernel uses, cluster MAC). */
  stack: string;
  /** Wire-side TAP (attached to the switch, e.g. a bridge port). */
  wire: string;
  /** Network namespace the stack-side TAP is in (`ip netns` name or a path); absent: ours. */
  stackNetns?: string;
  /** Network namespace the wire-side TAP is in; absent: ours. */
  wireNetns?: string;
  /** Create a TAP that does not exist (it disappears when the shim exits); default: attach only. */
  create?: boolean;
  /** Relay every frame unchanged, no engine (the negative control: what the cluster does without us). */
  relay?: boolean;
  /** Adapters and mappings (default: the built-in ones). */
  factory?: EngineFactory;
  /** One line per event (start, reload, failure). */
  log?: (line: string) => void;
  /** Called once if a side fails for good (interface deleted); the shim has then stopped. */
  onFatal?: (message: string) => void;
}

export interface ShimReport {
  host: string;
  relay: boolean;
  shim: Record<string, number>;
  engine: EngineStats | null;
  /** Heartbeat membership counters and members (config with `heartbeat`). */
  membership?: MembershipStats;
}

/**
 * A running shim with its config: `reload()` re-reads the config (SIGHUP in the CLI). Membership
 * semantics of a reload:
 * - config unreadable or invalid: the previous membership stays, one line is logged;
 * - valid and lists this host: the new membership applies to the next frame (`engine.setCluster`);
 * - valid but without this host: the host has left the cluster; the shim relays unchanged until a
 *   later reload lists it again.
 */
export class ShimRunner {
  private readonly factory: EngineFactory;
  private readonly engine: Engine | null;
  readonly shim: Shim;
  /** Membership from heartbeats (docs/heartbeat.md), when the config has a `heartbeat` section. */
  readonly membership: Membership | null = null;
  private readonly log: (line: string) => void;
  private member = true;

  /** Loads the config (ConfigError on a mistake), opens both TAPs (errno errors) and starts relaying. */
  constructor(readonly options: ShimRunOptions) {
    this.log = options.log ?? (() => undefined);
    this.factory = options.factory ?? createEngineFactory();
    const config = options.relay ? null : options.configPath ? loadConfigFile(options.configPath) : null;
    if (options.relay) this.engine = null;
    else {
      if (!config || !options.host)
        throw new Error('a config file and a host name are required unless relaying unchanged');
      this.engine = this.factory.create(config, options.host);
      if (config.heartbeat) loadClusterKey(config.heartbeat); // a key problem stops us before any TAP opens
    }
    // Offloads on both sides: TCP crosses the shim in TSO/GSO frames of up to 64 KiB, not 1514-byte
    // ones (docs/performance.md: 7 to 9 times the throughput). The engine reads only headers; NS/NA
    // keep full checksums (Linux computes ND checksums in software), so NDP validation is unchanged.
    const create = options.create === true;
    const stack = Tap.open(options.stack, { offload: true, netns: options.stackNetns, create });
    let wire: Tap;
    try {
      wire = Tap.open(options.wire, { offload: true, netns: options.wireNetns, create });
    } catch (e) {
      stack.close();
      throw e;
    }
    this.shim = new Shim(this.engine, stack, wire, options.onFatal, this.log);
    if (config?.heartbeat && this.engine) {
      try {
        this.membership = startShimMembership({
          config,
          host: options.host!,
          engine: this.engine,
          factory: this.factory,
          wire,
          log: this.log,
        });
      } catch (e) {
        this.shim.stop();
        throw e;
      }
      this.shim.controlPlane = this.membership;
    }
    this.shim.start();
  }

  get host(): string {
    return this.options.host ?? '(relay)';
  }

  /** One line describing the membership in force. */
  describe(): string {
    const e = this.engine;
    if (e === null) return 'relaying every frame unchanged (no cluster layer)';
    if (!this.member) return `host ${this.host} is not listed in the config: relaying unchanged`;
    const cfg = e.cluster.config;
    return `mode ${cfg.mode}${cfg.synthesize ? ' + synthesize' : ''}, ${e.cluster.hosts.length} members (${e.cluster.hosts.map((h) => h.name).join(', ')})`;
  }

  /** Re-reads the config file; returns the line to log. Never throws. */
  reload(): string {
    if (this.engine === null || !this.options.configPath) return 'reload: relay mode has no config; nothing to do';
    if (this.membership) {
      try {
        const config = loadConfigFile(this.options.configPath);
        if (!config.heartbeat) throw new Error('config: heartbeat: cannot be removed by a reload (restart the shim)');
        this.membership.reconfigure(config, loadClusterKey(config.heartbeat));
        return `reloaded ${this.options.configPath}: ${this.describe()}`;
      } catch (e) {
        return `reload failed, keeping the previous config (${this.describe()}): ${(e as Error).message}`;
      }
    }
    try {
      const cluster = this.factory.buildCluster(loadConfigFile(this.options.configPath));
      if (cluster.hostIndex(this.host) < 0) {
        this.member = false;
        this.shim.engine = null;
      } else {
        this.engine.setCluster(cluster, this.host);
        this.member = true;
        this.shim.engine = this.engine;
      }
      return `reloaded ${this.options.configPath}: ${this.describe()}`;
    } catch (e) {
      return `reload failed, keeping the previous config (${this.describe()}): ${(e as Error).message}`;
    }
  }

  /** Stops, closes the TAPs and returns the counters. */
  stop(): ShimReport {
    this.membership?.stop();
    this.shim.stop();
    return this.report();
  }

  report(): ShimReport {
    const r: ShimReport = {
      host: this.host,
      relay: this.engine === null,
      shim: this.shim.counterRecord(),
      engine: this.engine ? this.engine.stats() : null,
    };
    if (this.membership) r.membership = this.membership.stats();
    return r;
  }
}

/** The counters as text lines (the CLI prints them at exit). */
export function formatShimReport(r: ShimReport): string {
  const lines = [`intracluster shim ${r.host}: ${r.relay ? 'relay (unchanged)' : 'cluster layer'}`];
  lines.push(
    '  ' +
      Object.entries(r.shim)
        .filter(([, n], i) => i < 7 || n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', '),
  );
  if (r.membership) lines.push(membershipLine(r.membership));
  if (r.engine) lines.push(...engineLines('engine', r.engine));
  return lines.join('\n');
}
