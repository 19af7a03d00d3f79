import { kernelBackend } from '../attach/kernel';
import { Bed, BedDatapath, BedHost, CLUSTER_MAC, canRunLive } from './bed';

export { canRunLive };

export interface LiveDemoIo {
  stdout: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
}

export interface LiveDemoOptions {
  /** argv that starts the CLI for the layer's processes (default: this package's bin/intracluster.js). */
  intracluster?: readonly string[];
  /** Default: the kernel datapath where it can run (`kernelBackend().problem()` is empty), else the TAP shim. */
  datapath?: BedDatapath;
}

/** The datapath the live demo uses here, and why not the kernel one when it is the shim. */
export function demoDatapath(wanted?: BedDatapath): { datapath: BedDatapath; why: string } {
  if (wanted) return { datapath: wanted, why: 'asked for' };
  const problem = kernelBackend().problem();
  return problem
    ? { datapath: 'shim', why: `kernel datapath unavailable: ${problem}` }
    : { datapath: 'kernel', why: 'available here' };
}

const ECHO_BYTES = 16 * 1024;
const FAMILIES = ['ipv4', 'ipv6'] as const;

interface PairResult {
  from: BedHost;
  to: BedHost;
  ping: Record<'ipv4' | 'ipv6', string>;
  tcp: Record<'ipv4' | 'ipv6', string>;
  ok: boolean;
}

/**
 * The live demo: three members whose kernels all use the cluster MAC and a non-member, on a Linux
 * bridge, each in its own network namespace; first with the cluster layer on every member, then
 * without it (the problem). The layer is the kernel datapath (`intracluster attach`: BPF programs
 * on each member's own veth) where it can run, else one `intracluster shim` per member between TAPs;
 * without it: the programs attached passing every frame, or the shims relaying unchanged. Prints, for each pair, ping and TCP results and
 * each neighbour table; tears everything down. Resolves to 0 when the run shows what it should
 * (members reach each other only with the layer; the non-member always reaches them and only learns
 * the cluster MAC), 1 otherwise, 2 when it cannot run here (see `canRunLive`).
 */
export async function runLiveDemo(io: LiveDemoIo, options: LiveDemoOptions = {}): Promise<number> {
  const out = (s = '') => io.stdout.write(s + '\n');
  const can = canRunLive();
  if (!can.ok) {
    (io.stderr ?? io.stdout).write(`intracluster demo: cannot run live: ${can.why}\n`);
    return 2;
  }
  const dp = demoDatapath(options.datapath);
  out('Live demo: real Linux kernel stacks in network namespaces (all torn down at the end).');
  out(`Cluster MAC ${CLUSTER_MAC} on every member's interface; a Linux bridge as the switch.`);
  out(
    dp.datapath === 'kernel'
      ? `Datapath: kernel (BPF programs on each member's own veth, tc clsact; one \`intracluster attach\` per member)`
      : `Datapath: TAP shim (one \`intracluster shim\` per member between two TAPs; ${dp.why})`,
  );
  const opts = { ...options, datapath: dp.datapath };

  out(
    `\n== 1. With the cluster layer: ${dp.datapath === 'kernel' ? 'intracluster attach' : 'one `intracluster shim`'} per member (dedicated mode) ==`,
  );
  const withLayer = await scenario(out, false, opts);
  out(
    `\n== 2. Without it: ${dp.datapath === 'kernel' ? 'the programs attached passing every frame' : 'the shims relay every frame unchanged'} (the problem) ==`,
  );
  const without = await scenario(out, true, opts);

  const pairs = (r: ScenarioResult) => `${r.pairs.filter((p) => p.ok).length}/${r.pairs.length}`;
  out('\n== Summary ==');
  out(
    `member pairs reaching each other (ping and TCP, IPv4 and IPv6): with the layer ${pairs(withLayer)}, without ${pairs(without)}`,
  );
  out(
    `non-member reaches every member: with ${withLayer.outsiderOk ? 'yes' : 'NO'}, without ${without.outsiderOk ? 'yes' : 'NO'}; it learned only the cluster MAC: ${withLayer.outsiderClusterOnly && without.outsiderClusterOnly ? 'yes' : 'NO'}`,
  );
  const expected =
    withLayer.pairs.every((p) => p.ok) &&
    without.pairs.every((p) => !p.ok) &&
    withLayer.outsiderOk &&
    without.outsiderOk &&
    withLayer.outsiderClusterOnly &&
    withLayer.membersDedicated;
  out(
    expected
      ? `As expected: members reach each other only through the cluster layer (${dp.datapath} datapath).`
      : 'UNEXPECTED result: see the tables above.',
  );
  return expected ? 0 : 1;
}

interface ScenarioResult {
  pairs: PairResult[];
  outsiderOk: boolean;
  outsiderClusterOnly: boolean;
  membersDedicated: boolean;
}

async function scenario(out: (s?: string) => void, relay: boolean, options: LiveDemoOptions): Promise<ScenarioResult> {
  const bed = await Bed.create({
    mode: 'dedicated',
    relay,
    intracluster: options.intracluster,
    datapath: options.datapath,
  });
  try {
    for (const h of bed.hosts)
      out(
        `  ${h.name.padEnd(9)} ${h.ipv4.padEnd(12)} ${h.ipv6.padEnd(16)} MAC ${h.mac}${h === bed.nonMember ? '  (non-member)' : ''}`,
      );
    // The non-member pings while the segment is quiet: a learning bridge sends frames for the shared
    // cluster MAC to whichever member sent from it last, and members whose resolutions fail (without
    // the layer) keep sending for seconds. With the layer it goes last, so that it holds no entries
    // while members resolve each other (the dedicated-mode limitation in docs/live.md).
    let outsiderOk = true;
    const outsiderRows: string[] = [];
    const outsiderPings = async () => {
      for (const m of bed.members) {
        const cells: string[] = [];
        for (const f of FAMILIES) {
          await bed.flushNeigh(bed.nonMember, m[f]);
          const p = await bed.ping(bed.nonMember, m[f], 2);
          cells.push(`${p.received}/${p.sent}`);
          if (p.received !== p.sent) outsiderOk = false;
        }
        outsiderRows.push(`  ${bed.nonMember.name.padEnd(9)} ${m.name.padEnd(7)} ${cells[0].padEnd(10)} ${cells[1]}`);
      }
    };
    if (relay) await outsiderPings();
    const pairs = await Promise.all(
      bed.members.flatMap((a) =>
        bed.members
          .filter((b) => b !== a)
          .map(async (b): Promise<PairResult> => {
            const ping = { ipv4: '', ipv6: '' };
            const tcp = { ipv4: '', ipv6: '' };
            let ok = true;
            for (const f of FAMILIES) {
              const p = await bed.ping(a, b[f], 2);
              ping[f] = `${p.received}/${p.sent}`;
              const e = await bed.echo(a, b[f], ECHO_BYTES, relay ? 3_000 : 8_000);
              tcp[f] = e.ok ? `ok ${e.received} B` : `FAILED (${e.error ?? 'no echo'})`;
              ok = ok && p.received === p.sent && e.ok;
            }
            return { from: a, to: b, ping, tcp, ok };
          }),
      ),
    );
    if (!relay) await outsiderPings();
    out(`\n  from      to      ping v4    ping v6    TCP echo v4, ${ECHO_BYTES / 1024} KiB each way, checked / v6`);
    for (const p of pairs)
      out(
        `  ${p.from.name.padEnd(9)} ${p.to.name.padEnd(7)} ${p.ping.ipv4.padEnd(10)} ${p.ping.ipv6.padEnd(10)} ${p.tcp.ipv4} / ${p.tcp.ipv6}`,
      );
    for (const r of outsiderRows) out(r);

    out('\n  Neighbour tables (entries for the hosts above):');
    const addrs = new Map(bed.hosts.flatMap((h) => FAMILIES.map((f) => [h[f], h] as const)));
    let outsiderClusterOnly = true;
    let membersDedicated = true;
    for (const h of bed.hosts) {
      const order = [...addrs.keys()];
      const rows = (await bed.neigh(h))
        .filter((e) => addrs.has(e.dst))
        .sort((x, y) => order.indexOf(x.dst) - order.indexOf(y.dst));
      const text = rows
        .map(
          (e) => `${e.dst} ${e.lladdr ? `${e.lladdr}${macLabel(e.lladdr)}` : `(${e.state.join(',').toLowerCase()})`}`,
        )
        .join(', ');
      out(`  ${h.name.padEnd(9)} ${text || '(none)'}`);
      for (const e of rows) {
        const other = addrs.get(e.dst)!;
        if (h === bed.nonMember && e.lladdr !== null && e.lladdr !== CLUSTER_MAC) outsiderClusterOnly = false;
        if (h !== bed.nonMember && other !== bed.nonMember && !(e.lladdr ?? '').startsWith('03:bf:'))
          membersDedicated = false;
      }
    }
    return { pairs, outsiderOk, outsiderClusterOnly, membersDedicated };
  } finally {
    await bed.destroy();
  }
}

function macLabel(mac: string): string {
  if (mac === CLUSTER_MAC) return ' (cluster)';
  return (parseInt(mac.slice(0, 2), 16) & 1) === 1 ? ' (dedicated)' : '';
}
