import { ClusterConfig } from '../config';
import { Cluster } from '../cluster';
import { ConfigError } from '../errors';
import { loadClusterKey } from './auth';
import { Clock } from './clock';
import { Membership, MembershipEngine } from './manager';

export interface ShimMembershipOptions {
  readonly config: ClusterConfig;
  readonly host: string;
  readonly engine: MembershipEngine;
  readonly factory: { buildCluster(config: ClusterConfig): Cluster };
  /** The wire side (a TAP): `write` returns the bytes written or a negative errno. */
  readonly wire: { write(buf: Uint8Array, length: number): number };
  /** One line per membership event (never per frame). */
  readonly log: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  readonly clock?: Clock;
}

/**
 * Membership for a live shim (`intracluster shim` with a `heartbeat` section): reads the cluster
 * key, sends heartbeats on the wire side, logs every membership event, and starts. The shim then
 * hands it the heartbeats its engine's dispatch finds (`Shim.controlPlane`, `membership.receive`).
 * ConfigError for a config without `heartbeat` or an unreadable key.
 */
export function startShimMembership(o: ShimMembershipOptions): Membership {
  if (!o.config.heartbeat) throw new ConfigError('heartbeat', 'is required for membership from heartbeats');
  const key = loadClusterKey(o.config.heartbeat, o.env);
  let onWire = false;
  let failed = 0;
  const m = new Membership({
    config: o.config,
    hostName: o.host,
    key,
    engine: o.engine,
    factory: o.factory,
    clock: o.clock,
    send: (frame, length) => {
      const t = Date.now(); // before the write: a receiver may log its join before we log this
      const ok = o.wire.write(frame, length) === length;
      if (ok && !onWire) {
        o.log(
          `membership: heartbeats on the wire${failed ? ` (after ${failed} unsent while the wire side was down)` : ''} t=${t}`,
        );
        onWire = true;
        failed = 0;
      } else if (!ok) {
        if (onWire) o.log('membership: cannot send heartbeats (wire side down?); retrying every period');
        onWire = false;
        failed++;
      }
      return ok;
    },
  });
  logMembershipEvents(m, o.log);
  const hb = o.config.heartbeat;
  o.log(
    `membership: host ID ${m.hostId}, a heartbeat every ${hb.periodMs} ms, members leave after ${hb.missed} missed; ` +
      `${hb.staticHosts ? 'other listed hosts are static' : 'listed hosts are initial members'}`,
  );
  m.start();
  return m;
}

/**
 * Logs join, change, leave and refused events, one line each, with the wall time (t=ms since 1970)
 * so logs of several hosts line up. Dropped heartbeats: the 1st, 10th, 100th... of each reason.
 */
export function logMembershipEvents(m: Membership, log: (line: string) => void, now: () => number = Date.now): void {
  const who = (e: { name: string; hostId: number }) => `${e.name} host-id=${e.hostId}`;
  const addrs = (a: readonly string[]) => a.join(',');
  m.on('join', (e) => log(`membership: join ${who(e)} addresses=${addrs(e.addresses)} t=${now()}`));
  m.on('change', (e) =>
    log(
      `membership: change ${who(e)}${e.previous.name !== e.name ? ` (was ${e.previous.name})` : ''} addresses=${addrs(e.previous.addresses)} -> ${addrs(e.addresses)} t=${now()}`,
    ),
  );
  m.on('leave', (e) =>
    log(
      `membership: leave ${who(e)} addresses=${addrs(e.addresses)} reason=${e.reason} silent-ms=${Math.round(e.silentMs)} t=${now()}`,
    ),
  );
  m.on('refused', (e) => log(`membership: refused ${who(e)} addresses=${addrs(e.addresses)}: ${e.reason} t=${now()}`));
  m.on('dropped', (e) => {
    if (!isPowerOfTen(e.count)) return;
    log(
      `membership: dropped heartbeat #${e.count} of reason ${e.reason}${e.hostId !== undefined ? ` host-id=${e.hostId}` : ''}: ${e.text}${e.detail ? ` (${e.detail})` : ''} t=${now()}`,
    );
  });
}

function isPowerOfTen(n: number): boolean {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}
