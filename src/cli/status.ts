import { listInstances, queryStatus, runDir, socketPath } from '../ops/control';
import { NeighReport, neighReport, readNeighbours } from '../ops/neigh';
import type { InstanceStatus } from '../ops/status';
import { UsageError } from '../errors';
import { CliError, Command, parseCommandArgs } from './command';

export const statusCommand: Command = {
  name: 'status',
  summary: 'ask a running shim or attach what it believes, and check the neighbour table against it',
  help: `Usage: intracluster status [--pid PID | --dev IFACE] [--json] [options]

Asks a running "intracluster shim" or "intracluster attach" through its control socket for the
membership in force (each member, its addresses and the MAC members must resolve each to, heartbeat
state and age), strict-sources state, frame counters by direction, verdict and reason, the config
in force and when it was loaded. Then reads the local stack's neighbour table (ip neigh, in the
namespace and on the interface of the stack the instance serves) and flags every entry for a member
address that holds another MAC, e.g. the cluster MAC.
With one instance running, neither --pid nor --dev is needed.
Exit code: 0 all right, 1 a wrong neighbour entry (or no instance reachable), 2 usage.

  --pid PID            the instance with this process id
  --dev IFACE          the instance serving this interface (shim: stack or wire TAP; attach: its device)
  --json               one JSON object: { status, neighbours }
  --netns NS           check the neighbour table in network namespace NS (default: the one the
                       instance reports: the shim's --stack-netns, or its own)
  --stack-dev IFACE    check the table on this interface (default: the instance's stack interface)
  --no-neigh           do not read the neighbour table
  --control-dir DIR    folder of the control sockets (default $INTRACLUSTER_RUN_DIR or /run/intracluster)`,
  async run(argv, io) {
    const { values } = parseCommandArgs('status', argv, {
      pid: { type: 'string' },
      dev: { type: 'string' },
      json: { type: 'boolean' },
      netns: { type: 'string' },
      'stack-dev': { type: 'string' },
      'no-neigh': { type: 'boolean' },
      'control-dir': { type: 'string' },
    });
    if (values.pid !== undefined && values.dev !== undefined)
      throw new UsageError('status: give --pid or --dev, not both');
    const dir = runDir(values['control-dir'] as string | undefined);
    const status = await findInstance(dir, values.pid as string | undefined, values.dev as string | undefined);
    let neighbours: NeighReport | { error: string } | null = null;
    if (values['no-neigh'] !== true && status.members.length > 0) {
      const netns = (values.netns as string | undefined) ?? status.stack.netns;
      const dev = (values['stack-dev'] as string | undefined) ?? status.stack.dev;
      try {
        neighbours = neighReport(status, await readNeighbours(netns, dev), netns, dev);
      } catch (e) {
        neighbours = { error: (e as Error).message };
      }
    }
    if (values.json) io.stdout.write(JSON.stringify({ status, neighbours }) + '\n');
    else io.stdout.write(formatStatus(status, neighbours, Date.now()) + '\n');
    if (neighbours && 'error' in neighbours) {
      io.stderr.write(`intracluster status: neighbour table not checked: ${neighbours.error}\n`);
      return 1;
    }
    return neighbours && neighbours.wrong > 0 ? 1 : 0;
  },
};

async function findInstance(dir: string, pid: string | undefined, dev: string | undefined): Promise<InstanceStatus> {
  if (pid !== undefined) {
    if (!/^\d+$/.test(pid)) throw new UsageError(`status: --pid must be a process id, got "${pid}"`);
    try {
      return await queryStatus(socketPath(dir, +pid));
    } catch (e) {
      throw new CliError(`no instance with pid ${pid}: ${(e as Error).message}`);
    }
  }
  const found = listInstances(dir);
  if (found.length === 0)
    throw new CliError(
      `no running instance has a control socket in ${dir} (is intracluster shim or attach running? --control-dir)`,
    );
  const answers: InstanceStatus[] = [];
  const problems: string[] = [];
  for (const f of found) {
    try {
      answers.push(await queryStatus(f.path));
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const matching =
    dev === undefined ? answers : answers.filter((s) => s.devices.some((d) => d.name === dev) || s.stack.dev === dev);
  const describe = (s: InstanceStatus) =>
    `pid ${s.pid} (${s.kind} ${s.host}: ${s.devices.map((d) => d.name).join(', ')})`;
  if (matching.length === 1) return matching[0];
  if (matching.length === 0) {
    const what = dev === undefined ? 'no instance answered' : `no instance serves ${dev}`;
    throw new CliError(
      `${what} (running: ${answers.map(describe).join('; ') || 'none'}${problems.length ? `; ${problems.join('; ')}` : ''})`,
    );
  }
  throw new CliError(
    `${matching.length} instances are running; choose one with --pid or --dev: ${matching.map(describe).join('; ')}`,
  );
}

function ago(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** The status and the neighbour check as text. */
export function formatStatus(s: InstanceStatus, n: NeighReport | { error: string } | null, now: number): string {
  const L: string[] = [];
  L.push(
    `intracluster ${s.kind} ${s.host} (pid ${s.pid}), datapath ${s.datapath}, up ${ago(now - s.startedAt)}: ${s.devices.map((d) => `${d.role} ${d.name}`).join(', ')}`,
  );
  if (s.config.path) {
    const loaded =
      s.config.loadedAt !== null
        ? `loaded ${new Date(s.config.loadedAt).toISOString()} (${ago(now - s.config.loadedAt)} ago)`
        : 'not loaded';
    L.push(
      `config ${s.config.path}, ${loaded}; reloads ${s.config.reloads.done} done, ${s.config.reloads.failed} failed`,
    );
    if (s.config.lastReload && !s.config.lastReload.ok)
      L.push(`  LAST RELOAD FAILED (${ago(now - s.config.lastReload.at)} ago): ${s.config.lastReload.message}`);
  }
  if (!s.layer)
    L.push(
      'cluster layer: OFF, relaying every frame unchanged (relay mode, or this host is not listed in the config in force)',
    );
  else {
    L.push(
      `mode ${s.mode}${s.synthesize ? ' + synthesize' : ''}, replyRewrite ${s.replyRewrite}, cluster MAC ${s.clusterMac}${s.sharedMac ? `, shared MAC ${s.sharedMac}` : ''}`,
    );
    L.push(
      `strict sources ${s.strictSources.enabled ? `on, discovery completed with: ${s.strictSources.discovered.join(', ') || 'nobody yet'}` : 'off'}`,
    );
  }
  if (s.members.length > 0) {
    L.push(`members (${s.members.length}):`);
    for (const m of s.members) {
      let hb = m.kind;
      if (m.hostId !== undefined) hb += ` host-id ${m.hostId}`;
      if (m.heartbeatAgeMs !== undefined) hb += `, last heartbeat ${ago(m.heartbeatAgeMs)} ago`;
      L.push(`  ${m.name}${m.local ? ' (this host)' : ''} [${hb}]`);
      for (const a of m.addresses) L.push(`    ${a.ip.padEnd(28)} ${a.mac}  (${a.source})`);
    }
  }
  if (s.heartbeat) {
    const h = s.heartbeat;
    const dropped =
      Object.entries(h.dropped)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none';
    L.push(
      `heartbeats: host ID ${h.hostId}, every ${h.periodMs} ms; sent ${h.sent} (${h.sendErrors} unsent), received ${h.received}, accepted ${h.accepted}, refused ${h.refused}; dropped: ${dropped}`,
    );
    L.push(`  joins ${h.joins}, changes ${h.changes}, leaves ${h.leaves}`);
  }
  L.push(
    `counters: ${Object.entries(s.counters)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  if (s.frames.length > 0) {
    L.push('frames by direction, verdict and reason:');
    for (const f of s.frames)
      L.push(
        `  ${String(f.count).padStart(10)}  ${f.direction.padEnd(8)}  ${f.verdict.padEnd(7)}  ${f.reason}${f.reason !== f.text ? `: ${f.text}` : ''}`,
      );
  }
  if (n === null) L.push('neighbour table: not checked');
  else if ('error' in n) L.push(`neighbour table: NOT CHECKED: ${n.error}`);
  else {
    const where = `${n.netns ? `namespace ${n.netns}` : 'this namespace'}, ${n.dev ? `dev ${n.dev}` : 'every interface'}`;
    const present = n.checks.filter((c) => c.verdict !== 'absent').length;
    L.push(
      `neighbour table (${where}): ${n.checks.length} member addresses, ${present} with an entry: ${n.wrong === 0 ? 'all right' : `${n.wrong} WRONG`}${n.unresolved ? `, ${n.unresolved} unresolved` : ''}`,
    );
    for (const c of n.checks) {
      if (c.verdict === 'wrong')
        L.push(
          `  WRONG ${c.address} (${c.member}): ${c.actual} [${c.state.join(',')}], should be ${c.expected}: ${c.why}`,
        );
      else if (c.verdict === 'unresolved') L.push(`  unresolved ${c.address} (${c.member}) [${c.state.join(',')}]`);
      else if (c.verdict === 'ok') L.push(`  ok    ${c.address} (${c.member}): ${c.actual} [${c.state.join(',')}]`);
    }
  }
  return L.join('\n');
}
