import { Command, parseCommandArgs } from './command';
import { runWalkthrough } from './demo-walkthrough';

export const demoCommand: Command = {
  name: 'demo',
  summary: "walk the patent's FIG. 6 and FIG. 7 through two hosts' cluster layers",
  help: `Usage: intracluster demo

Builds the patent's two-host cluster (cluster MAC 02-bf-aa-bb-cc-dd, host1 12.12.4.101, host2
12.12.4.102, prefix 03-bf) in-process and walks the ARP discovery of FIG. 6 (steps 500 to 510,
rows 600 to 640) and the data frames of FIG. 7 (steps 700 to 706) through two real engines, printing
each frame as a FIG. 6-style table row with the engine's verdict and reason, and whether it matches
the patent. A non-member asking for host2 shows that only members learn dedicated MACs.
Exit 0 when every frame matches the patent, 1 otherwise. Laid out for a 100-column terminal.`,
  async run(argv, io) {
    parseCommandArgs('demo', argv, {});
    return runWalkthrough(io);
  },
};
