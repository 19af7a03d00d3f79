import { UsageError } from '../errors';
import { ShimRunner, formatShimReport } from '../live/runner';
import { OpsHooks, OPS_OPTIONS_HELP } from '../ops/cli';
import { Command, parseCommandArgs, required } from './command';
import { REQUIRE_HELP, factoryFromArgs } from './engine-from-args';
import { LAYER_OPTIONS, LayerLifetime, optionalValue } from './layer';

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
      stack: { type: 'string' },
      wire: { type: 'string' },
      'stack-netns': { type: 'string' },
      'wire-netns': { type: 'string' },
      create: { type: 'boolean' },
      relay: { type: 'boolean' },
      ...LAYER_OPTIONS,
    });
    const relay = values.relay === true;
    const stack = required('shim', values, 'stack');
    const wire = required('shim', values, 'wire');
    const netns = 'a network namespace name or path';
    const stackNetns = optionalValue('shim', values, 'stack-netns', netns);
    const wireNetns = optionalValue('shim', values, 'wire-netns', netns);
    if (stack === wire && stackNetns === wireNetns)
      throw new UsageError('shim: --stack and --wire must be two different interfaces');
    const configPath = relay && values.config === undefined ? undefined : required('shim', values, 'config');
    const host = relay && values.host === undefined ? undefined : required('shim', values, 'host');
    const ops = new OpsHooks('shim', values, host, io);
    const log = ops.log;

    const life = new LayerLifetime(values, io);
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
        life.finish(1);
      },
    });
    await ops.startShim(runner, values);
    life.watch(() => log(ops.reloaded(runner.reload())));
    log(
      `ready: stack ${runner.shim.stack.where} <-> wire ${runner.shim.wire.where}, ${runner.describe()} (pid ${process.pid}; SIGHUP reloads)`,
    );
    try {
      const code = await life.finished;
      const report = ops.report(runner.stop());
      io.stdout.write((values.json ? JSON.stringify(report) : formatShimReport(report) + ops.formatFrames()) + '\n');
      return code;
    } finally {
      ops.stop();
      life.unwatch();
    }
  },
};
