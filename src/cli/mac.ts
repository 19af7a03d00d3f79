import { loadConfigFile } from '../config';
import { Command, parseCommandArgs, required } from './command';
import { REQUIRE_HELP, factoryFromArgs, requireOption } from './engine-from-args';

export const macCommand: Command = {
  name: 'mac',
  summary: "list each host's addresses and dedicated MACs",
  help: `Usage: intracluster mac --config FILE [--json] [--require MODULE]

Prints every member of the cluster with each of its addresses and the dedicated MAC that address
maps to (or the shared MAC in shared mode), and where that MAC comes from (mapping name or table).

  --config FILE   cluster config (JSON, see docs/config.md)
  --json          print JSON instead of a table
${REQUIRE_HELP}`,
  async run(argv, io) {
    const { values } = parseCommandArgs('mac', argv, {
      config: { type: 'string' },
      json: { type: 'boolean' },
      ...requireOption,
    });
    const config = loadConfigFile(required('mac', values, 'config'));
    const cluster = (await factoryFromArgs(values)).buildCluster(config);
    const rows = cluster.addresses.map((a) => ({
      host: cluster.hosts[a.host].name,
      address: a.ip.text,
      mac: a.mac.toString(),
      source: a.macSource,
    }));
    if (values.json) {
      io.stdout.write(
        JSON.stringify({ clusterMac: config.clusterMac.toString(), mode: config.mode, hosts: rows }, null, 2) + '\n',
      );
      return 0;
    }
    io.stdout.write(
      `cluster MAC ${config.clusterMac}  mode ${config.mode}${config.sharedMac && config.mode === 'shared' ? `  shared MAC ${config.sharedMac}` : ''}\n`,
    );
    // a loop, not Math.max(...rows): a spread of 100,000+ rows overflows the call stack
    const w = [4, 7, 3];
    for (const r of rows) {
      if (r.host.length > w[0]) w[0] = r.host.length;
      if (r.address.length > w[1]) w[1] = r.address.length;
      if (r.mac.length > w[2]) w[2] = r.mac.length;
    }
    io.stdout.write(`${'host'.padEnd(w[0])}  ${'address'.padEnd(w[1])}  ${'mac'.padEnd(w[2])}  source\n`);
    for (const r of rows)
      io.stdout.write(`${r.host.padEnd(w[0])}  ${r.address.padEnd(w[1])}  ${r.mac.padEnd(w[2])}  ${r.source}\n`);
    for (const v of config.virtualIps) io.stdout.write(`(virtual) ${v.text}: keeps the cluster MAC\n`);
    return 0;
  },
};
