import { UsageError } from '../errors';
import { ShimRunner, formatShimReport } from '../live/runner';
import { OpsHooks, OPS_OPTIONS, OPS_OPTIONS_HELP } from '../ops/cli';
import { Command, parseCommandArgs, required } from './command';
import { REQUIRE_HELP, factoryFromArgs, requireOption } from './engine-from-args';

/** A namespace option: absent, or a non-empty name/path. */
function optionalNetns(values: Record<string, unknown>, name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.includes('\0'))
    throw new UsageError(`shim: --${name} needs a network namespace name or path (see: intracluster shim --help)`);
  return v;
}

export const shimCommand: Command = {
  name: 'shim',
  summary: "run one host's cluster layer live between two TAP devices (Linux, root)",
  help: `Usage: intracluster shim --config FILE --host NAME --stack IFACE --wire IFACE [--require MODULE] [options]

Runs the cluster layer of host NAME between two TAP devices: frames the host's kernel sends on the
stack side go through the engine outbound to the wire side; frames from the wire side go through the
engine inbound to the stack; synthesized replies go back to the stack. Each TAP is opened by name
in the network namespace named by --stack-netns / --wire-netns (default: the shim's own), and must
exist there (e.g. "ip tuntap add dev IFACE mode tap", persistent: it outlives the shim, so a
restarted shim attaches to it again); --create makes missing ones instead (they disappear when the
shim exits). The descriptors keep working after the interfaces move to other network namespaces.
"ready" is printed once both named devices are attached.
Runs until SIGINT or SIGTERM, then prints its counters (frames by verdict and reason).
SIGHUP re-reads the config: an invalid config keeps the previous one (one line on stderr); a valid
config that does not list NAME makes the shim relay unchanged until NAME is listed again.
With a "heartbeat" section in the config, members come and go by authenticated heartbeats sent and
consumed on the wire side; each join, change, leave or refusal is logged on stderr (docs/heartbeat.md).
See docs/live.md.

  --config FILE        cluster config (JSON, see docs/config.md)
  --host NAME          this host's name in the config
  --stack IFACE        TAP device of the host's stack (configure it with the cluster MAC)
  --wire IFACE         TAP device on the wire side (e.g. a bridge port)
  --stack-netns NS     network namespace the stack TAP is in (an "ip netns" name or a path such
                       as /proc/PID/ns/net); default: the shim's own
  --wire-netns NS      network namespace the wire TAP is in
  --create             create a TAP that does not exist (in its namespace) instead of failing
  --relay              relay every frame unchanged, no cluster layer (negative control)
  --json               print the counters at exit as JSON
  --exit-on-stdin-eof  also stop when stdin closes (for supervisors: dies with its parent)
${OPS_OPTIONS_HELP}
${REQUIRE_HELP}`,
  async run(argv, io) {
    const { values } = parseCommandArgs('shim', argv, {
      config: { type: 'string' },
      host: { type: 'string' },
      stack: { type: 'string' },
      wire: { type: 'string' },
      'stack-netns': { type: 'string' },
      'wire-netns': { type: 'string' },
      create: { type: 'boolean' },
      relay: { type: 'boolean' },
      json: { type: 'boolean' },
      'exit-on-stdin-eof': { type: 'boolean' },
      ...OPS_OPTIONS,
      ...requireOption,
    });
    const relay = values.relay === true;
    const stack = required('shim', values, 'stack');
    const wire = required('shim', values, 'wire');
    const stackNetns = optionalNetns(values, 'stack-netns');
    const wireNetns = optionalNetns(values, 'wire-netns');
    if (stack === wire && stackNetns === wireNetns)
      throw new UsageError('shim: --stack and --wire must be two different interfaces');
    const configPath = relay && values.config === undefined ? undefined : required('shim', values, 'config');
    const host = relay && values.host === undefined ? undefined : required('shim', values, 'host');
    const ops = new OpsHooks('shim', values, host, io);
    const log = ops.log;

    let finish!: (code: number) => void;
    const finished = new Promise<number>((resolve) => (finish = resolve));
    const factory = await factoryFromArgs(values);
    const runner = new ShimRunner({
      factory,
      configPath,
      host,
      stack,
      wire,
      stackNetns,
      wireNetns,
      create: values.create === true,
      relay,
      log,
      onFatal: (message) => {
        log(`stopping: ${message}`);
        finish(1);
      },
    });
    await ops.startShim(runner, values);
    const onStop = () => finish(0);
    const onHup = () => log(ops.reloaded(runner.reload()));
    process.on('SIGINT', onStop);
    process.on('SIGTERM', onStop);
    process.on('SIGHUP', onHup);
    const stdin = io.stdin;
    if (values['exit-on-stdin-eof']) {
      stdin.on('end', onStop);
      stdin.on('close', onStop);
      stdin.resume();
    }
    log(
      `ready: stack ${runner.shim.stack.where} <-> wire ${runner.shim.wire.where}, ${runner.describe()} (pid ${process.pid}; SIGHUP reloads)`,
    );
    try {
      const code = await finished;
      const report = ops.report(runner.stop());
      io.stdout.write((values.json ? JSON.stringify(report) : formatShimReport(report) + ops.formatFrames()) + '\n');
      return code;
    } finally {
      ops.stop();
      process.off('SIGINT', onStop);
      process.off('SIGTERM', onStop);
      process.off('SIGHUP', onHup);
      if (values['exit-on-stdin-eof']) {
        stdin.off('end', onStop);
        stdin.off('close', onStop);
        stdin.pause();
      }
    }
  },
};
