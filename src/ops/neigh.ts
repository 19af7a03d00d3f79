import * as ipaddr from 'ipaddr.js';
import { execFile } from 'node:child_process';
import type { InstanceStatus } from './status';

/** One row of the kernel's neighbour table (`ip -j neigh show`). */
export interface NeighRow {
  dst: string;
  dev: string | null;
  lladdr: string | null;
  state: string[];
}

export type NeighVerdict = 'ok' | 'wrong' | 'unresolved' | 'absent';

export interface NeighCheck {
  member: string;
  address: string;
  /** The MAC the stack must hold for the address (dedicated, table or shared MAC). */
  expected: string;
  /** What the table holds (null: no entry, or an entry without a link-layer address). */
  actual: string | null;
  state: string[];
  verdict: NeighVerdict;
  /** Why the entry is wrong, in words (wrong entries only). */
  why?: string;
}

export interface NeighReport {
  netns: string | null;
  dev: string | null;
  checks: NeighCheck[];
  wrong: number;
  /** Entries of members' addresses that are FAILED or INCOMPLETE. */
  unresolved: number;
}

/**
 * Reads the neighbour table through `ip -j neigh show` (iproute2's netlink dump), in network namespace
 * `netns` (null: this process's) and on interface `dev` (null: every interface). Rejects with one line.
 */
export function readNeighbours(netns: string | null, dev: string | null, timeoutMs = 10_000): Promise<NeighRow[]> {
  const show = ['-j', 'neigh', 'show', ...(dev ? ['dev', dev] : [])];
  // a namespace by path (/proc/PID/ns/net, /run/netns/NAME) through nsenter; by name through ip -n
  const [cmd, args] = netns?.includes('/')
    ? ['nsenter', [`--net=${netns}`, 'ip', ...show]]
    : ['ip', [...(netns ? ['-n', netns] : []), ...show]];
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8', maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          const why =
            (err as NodeJS.ErrnoException).code === 'ENOENT'
              ? `${cmd} not found (Debian packages iproute2, util-linux)`
              : (stderr || err.message).trim().split('\n')[0];
          return reject(new Error(`${cmd} ${args.join(' ')}: ${why}`));
        }
        try {
          const rows = JSON.parse(stdout.trim() || '[]') as {
            dst: string;
            dev?: string;
            lladdr?: string;
            state?: string[];
          }[];
          resolve(
            rows.map((r) => ({
              dst: r.dst,
              dev: r.dev ?? dev,
              lladdr: r.lladdr ? r.lladdr.toLowerCase() : null,
              state: r.state ?? [],
            })),
          );
        } catch {
          reject(new Error(`${cmd} ${args.join(' ')}: output is not JSON`));
        }
      },
    );
  });
}

/** Canonical text of an IP address as `ip` prints it (IPv6 lower case, compressed), for comparing. */
function canonicalIp(text: string): string {
  try {
    return ipaddr.parse(text.split('%')[0]).toString();
  } catch {
    return text.toLowerCase();
  }
}

/**
 * Compares the table with what it must hold: for every address of every other member, an entry with
 * a link-layer address must hold the MAC the layer gives that address. An entry with the cluster MAC
 * means the layer did not rewrite that member's discovery (or the entry was set by hand); any other
 * MAC is wrong too. No entry is fine (not resolved yet); FAILED or INCOMPLETE is reported, not wrong.
 */
export function checkNeighbours(status: InstanceStatus, rows: readonly NeighRow[]): NeighCheck[] {
  const table = new Map<string, NeighRow[]>();
  for (const r of rows) {
    const k = canonicalIp(r.dst);
    table.set(k, [...(table.get(k) ?? []), r]);
  }
  const cluster = status.clusterMac?.toLowerCase() ?? null;
  const out: NeighCheck[] = [];
  for (const m of status.members) {
    if (m.local) continue;
    for (const a of m.addresses) {
      const entries = table.get(canonicalIp(a.ip)) ?? [];
      if (entries.length === 0) {
        out.push({ member: m.name, address: a.ip, expected: a.mac, actual: null, state: [], verdict: 'absent' });
        continue;
      }
      for (const e of entries) {
        const c: NeighCheck = {
          member: m.name,
          address: a.ip,
          expected: a.mac,
          actual: e.lladdr,
          state: e.state,
          verdict: 'ok',
        };
        if (e.lladdr === null)
          c.verdict = e.state.includes('FAILED') || e.state.includes('INCOMPLETE') ? 'unresolved' : 'absent';
        else if (e.lladdr !== a.mac) {
          c.verdict = 'wrong';
          c.why =
            e.lladdr === cluster
              ? `resolved to the cluster MAC: frames to ${m.name} go to every member and are not delivered to it`
              : `holds ${e.lladdr}, which the layer never gives ${a.ip}`;
        }
        out.push(c);
      }
    }
  }
  return out;
}

export function neighReport(
  status: InstanceStatus,
  rows: readonly NeighRow[],
  netns: string | null,
  dev: string | null,
): NeighReport {
  const checks = checkNeighbours(status, rows);
  return {
    netns,
    dev,
    checks,
    wrong: checks.filter((c) => c.verdict === 'wrong').length,
    unresolved: checks.filter((c) => c.verdict === 'unresolved').length,
  };
}
