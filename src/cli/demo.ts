import { Command, parseCommandArgs } from './command';
import { runWalkthrough, walkthroughSections } from './demo-walkthrough';
import { ipv6Section } from './demo-ipv6';

export const demoCommand: Command = {
  name: 'demo',
  summary: "walk the patent's FIG. 6 and FIG. 7 through two hosts' cluster layers",
  help: `Usage: intracluster demo

Builds the patent's two-host cluster (cluster MAC 02-bf-aa-bb-cc-dd, host1 12.12.4.101, host2
12.12.4.102, prefix 03-bf) in-process and walks the ARP discovery of FIG. 6 (steps 500 to 510,
rows 600 to 640) and the data frames of FIG. 7 (steps 700 to 706) through two real engines, printing
each frame as a FIG. 6-style table row with the engine's verdict and reason, and whether it matches
the patent. A non-member asking for host2 shows that only members learn dedicated MACs. The IPv6
section does the same with Neighbor Discovery (2001:db8::101 and ::102, mapping ipv6-low32).
Exit 0 when every frame matches the patent, 1 otherwise. Laid out for a 100-column terminal.`,
  async run(argv, io) {
    parseCommandArgs('demo', argv, {});
    return runWalkthrough(io, [...walkthroughSections, ipv6Section]);
  },
};
