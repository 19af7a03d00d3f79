import { kernelBackend } from '../attach/kernel';
import { canRunLive, runLiveDemo } from '../live/demo';
import { UsageError } from '../errors';
import { CliError } from './command';
import { Command, parseCommandArgs } from './command';
import { ipv6Section } from './demo-ipv6';
import { runWalkthrough, walkthroughSections } from './demo-walkthrough';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'show the problem and the fix: live on real kernels when possible, else in-process',
  help: `Usage: intracluster demo [--live | --in-process]

With root and network namespaces (Linux), runs live: three cluster members whose kernel interfaces
all carry the cluster MAC, one non-member, a Linux bridge as the switch, all in network namespaces
it creates and tears down (addresses 198.18.0.0/15 and fd00::/8 only). For each pair of members it
shows ping and TCP results (IPv4 and IPv6) and each neighbour table, first with the cluster layer
on every member, then without it (the problem). The layer is the kernel datapath (BPF programs on
each member's own interface, \`intracluster attach\`; docs/kernel.md) where it can run, else one
\`intracluster shim\` per member between TAP devices; the first lines say which, and why.
Exit 0 when members reach each other only through the cluster layer. See docs/live.md.

Where it cannot run live, it says why and runs the in-process walk-through instead: the patent's
two-host cluster (cluster MAC 02-bf-aa-bb-cc-dd, host1 12.12.4.101, host2 12.12.4.102, prefix 03-bf)
through two real engines: the ARP discovery of FIG. 6 (steps 500 to 510, rows 600 to 640), the data
frames of FIG. 7 (steps 700 to 706), a non-member asking for host2 (only members learn dedicated
MACs), and the IPv6 analogue with Neighbor Discovery (2001:db8::101 and ::102, mapping ipv6-low32).
Each frame is printed as a FIG. 6-style row with the engine's verdict and reason, and checked against
the frame the patent prescribes. Exit 0 when every frame matches. Laid out for 100 columns.

  --live         run live, or fail with the reason (exit 1)
  --datapath DP  live on this datapath: kernel or shim (default: kernel where it can run)
  --in-process   run the in-process walk-through only`,
  async run(argv, io) {
    const { values } = parseCommandArgs('demo', argv, {
      live: { type: 'boolean' },
      'in-process': { type: 'boolean' },
      datapath: { type: 'string' },
    });
    const dp = values.datapath;
    if (dp !== undefined && dp !== 'kernel' && dp !== 'shim')
      throw new UsageError(
        `demo: --datapath must be kernel or shim, got ${JSON.stringify(dp)} (see: intracluster demo --help)`,
      );
    if (dp !== undefined && values['in-process'])
      throw new UsageError('demo: --datapath and --in-process exclude each other (see: intracluster demo --help)');
    if (values.live && values['in-process'])
      throw new UsageError('demo: --live and --in-process exclude each other (see: intracluster demo --help)');
    const inProcess = () => runWalkthrough(io, [...walkthroughSections, ipv6Section]);
    if (values['in-process']) return inProcess();
    const can = canRunLive();
    if (!can.ok) {
      if (values.live) throw new CliError(`cannot run live: ${can.why}`);
      io.stdout.write(`(Live demo not possible here: ${can.why}. Running the in-process walk-through.)\n\n`);
      return inProcess();
    }
    if (dp === 'kernel') {
      const problem = kernelBackend().problem();
      if (problem) throw new CliError(`cannot run live on the kernel datapath: ${problem}`);
    }
    return runLiveDemo(io, { datapath: dp as 'kernel' | 'shim' | undefined });
  },
};
