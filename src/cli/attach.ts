import { AttachReport, AttachRunner, detachDevice } from '../attach/runner';
import { DEFAULT_PIN_DIR } from '../attach/bpffs';
import { attachStatus } from '../attach/status';
import { UsageError } from '../errors';
import { OPS_OPTIONS_HELP, OpsHooks } from '../ops/cli';
import { engineLines, membershipLine } from '../ops/report';
import { Command, parseCommandArgs, required } from './command';
import { REQUIRE_HELP, factoryFromArgs } from './engine-from-args';
import { LAYER_OPTIONS, LayerLifetime, optionalValue } from './layer';

export const attachCommand: Command = {
  name: 'attach',
  summary: "run one host's cluster layer in the kernel on its own interface (tc eBPF; Linux, root)",
  help: `Usage: intracluster attach --config FILE --host NAME --dev IFACE [options]

Loads the BPF programs and attaches them to interface IFACE of the current network namespace with
tc clsact: ingress (wire to stack) and egress (stack to wire). "ip netns exec NS intracluster attach
..." runs it in namespace NS. It fills the programs' maps from the config (the same Cluster the
TypeScript engine builds), adds the local member's dedicated MACs (the shared MAC in shared mode)
to IFACE's multicast filter, and, with a "heartbeat" section, runs heartbeat membership over a
packet socket that sees heartbeats only: data frames never leave the kernel. Each membership change
is installed atomically. Says "ready" once attached.
SIGHUP re-reads the config (an invalid one keeps the membership in force, one line on stderr; one
that does not list NAME makes the programs pass every frame until NAME is listed again).
SIGINT or SIGTERM: detaches, removes the pins and the multicast addresses it added, prints its
counters. With --keep the datapath stays attached and pinned when this process exits (or is
killed); a later attach on IFACE adopts it, "intracluster detach --dev IFACE" removes it.
See docs/kernel.md.

  --config FILE        cluster config (JSON, see docs/config.md)
  --host NAME          this host's name in the config
  --dev IFACE          the host's interface (it carries the cluster MAC)
  --keep               leave the datapath running when this process stops
  --pin-dir DIR        where to pin (a folder on a BPF filesystem; default ${DEFAULT_PIN_DIR},
                       a BPF filesystem is mounted on /sys/fs/bpf if none is); objects of IFACE go
                       to DIR/IFACE
  --run-dir DIR        state files (default $INTRACLUSTER_RUN_DIR or /run/intracluster)
  --pass-all           attach the programs passing every frame, no config (measures their cost)
  --json               print the counters at exit as JSON
  --exit-on-stdin-eof  also stop when stdin closes (for supervisors: dies with its parent)
${OPS_OPTIONS_HELP}
${REQUIRE_HELP}
                       attach takes plug-in mappings only: the BPF programs are the built-in adapters`,
  async run(argv, io) {
    const { values } = parseCommandArgs('attach', argv, {
      dev: { type: 'string' },
      keep: { type: 'boolean' },
      'pin-dir': { type: 'string' },
      'run-dir': { type: 'string' },
      'pass-all': { type: 'boolean' },
      ...LAYER_OPTIONS,
    });
    const passAll = values['pass-all'] === true;
    const dev = required('attach', values, 'dev');
    const configPath = passAll && values.config === undefined ? '' : required('attach', values, 'config');
    const host = passAll && values.host === undefined ? '' : required('attach', values, 'host');
    if (passAll && (values.config !== undefined || values.host !== undefined))
      throw new UsageError('attach: --pass-all takes no --config or --host (see: intracluster attach --help)');
    const pinDir = optionalValue('attach', values, 'pin-dir');
    const runDir = optionalValue('attach', values, 'run-dir');
    const keep = values.keep === true;
    const ops = new OpsHooks('attach', values, host || undefined, io);
    const log = ops.log;

    const life = new LayerLifetime(values, io);
    const factory = await factoryFromArgs(values, { adapters: false });
    const runner = new AttachRunner({
      factory,
      configPath,
      host,
      dev,
      pinDir,
      runDir,
      passAll,
      log,
      onFatal: (message) => {
        log(`stopping: ${message}`);
        life.finish(1);
      },
    });
    try {
      await ops.startWith(() => attachStatus(runner, { startedAt: ops.startedAt, reloads: ops.reloads }));
    } catch (e) {
      runner.stop(keep);
      throw e;
    }
    life.watch(() => log(ops.reloaded(runner.reload())));
    const dp = runner.datapath;
    log(
      `ready: kernel datapath ${dp.adopted ? 'adopted' : 'attached'} on ${dev} (ifindex ${dp.ifindex}, tc clsact ingress and egress${dp.pinPath ? `, pinned under ${dp.pinPath}` : ''}), ` +
        `${runner.describe()} (pid ${process.pid}; SIGHUP reloads${keep ? '; kept on exit' : ''})`,
    );
    try {
      const code = await life.finished;
      const report = runner.stop(keep);
      if (keep)
        log(
          `kept: the datapath stays on ${dev}${report.pinPath ? `, pinned under ${report.pinPath}` : ''} ("intracluster detach --dev ${dev}" removes it)`,
        );
      io.stdout.write((values.json ? JSON.stringify(report) : formatAttachReport(report)) + '\n');
      return code;
    } finally {
      ops.stop();
      life.unwatch();
    }
  },
};

export const detachCommand: Command = {
  name: 'detach',
  summary: 'remove a kernel datapath left running by "attach --keep" (or a killed attach)',
  help: `Usage: intracluster detach --dev IFACE [--pin-dir DIR] [--run-dir DIR]

Removes the cluster layer's BPF programs from interface IFACE of the current network namespace,
their pins, and the multicast addresses the attach that put them there added. Exit 0 when something
was removed, 1 when nothing of the cluster layer was on IFACE. See docs/kernel.md.

  --dev IFACE     the interface
  --pin-dir DIR   the --pin-dir given to attach (default ${DEFAULT_PIN_DIR})
  --run-dir DIR   the --run-dir given to attach (default $INTRACLUSTER_RUN_DIR or /run/intracluster)`,
  async run(argv, io) {
    const { values } = parseCommandArgs('detach', argv, {
      dev: { type: 'string' },
      'pin-dir': { type: 'string' },
      'run-dir': { type: 'string' },
    });
    const dev = required('detach', values, 'dev');
    const done = detachDevice({
      dev,
      pinDir: optionalValue('detach', values, 'pin-dir'),
      runDir: optionalValue('detach', values, 'run-dir'),
    });
    if (done.length === 0) {
      io.stderr.write(`intracluster detach: nothing of the cluster layer on ${dev}\n`);
      return 1;
    }
    for (const l of done) io.stdout.write(`intracluster detach: ${l}\n`);
    return 0;
  },
};

/** The counters as text lines (printed at exit). */
export function formatAttachReport(r: AttachReport): string {
  const lines = [
    `intracluster attach ${r.host || '(pass-all)'}: kernel datapath on ${r.dev}${r.adopted ? ' (adopted)' : ''}${r.kept ? ', kept running' : ', removed'}`,
  ];
  if (r.multicast.length) lines.push(`  multicast filter: ${r.multicast.join(', ')}`);
  if (r.membership) lines.push(membershipLine(r.membership));
  lines.push(...engineLines('engine (BPF counters)', r.engine));
  return lines.join('\n');
}
