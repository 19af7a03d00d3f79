// The kernel datapath's control plane (intracluster attach / detach) against real kernels: what it
// puts on the interface and takes away again, a kill -9 of the control process (traffic keeps
// flowing, a new attach adopts the running datapath), --keep and detach, and one line for every
// user mistake. Everything inside namespaces and a BPF filesystem the bed creates and removes.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bed, bedConfig } from '../../src/live/bed';
import { must, run } from '../../src/live/proc';
import { E2E_CLI, FAMILIES, KERNEL_SKIP, SKIP, createBed, expectedMac, orderedPairs } from './helpers/live';

const why = SKIP || KERNEL_SKIP;
const kernelDescribe = (name: string, fn: () => void) =>
  why ? describe.skip(`${name} [SKIPPED: ${why}]`, fn) : describe(name, fn);

/** Our filters on a hook of `dev` in `ns`: the program names tc lists. */
async function programsOn(ns: string, hook: 'ingress' | 'egress'): Promise<string[]> {
  const r = await must('tc', ['-n', ns, 'filter', 'show', 'dev', 'eth0', hook]);
  return [...r.matchAll(/direct-action .*? name (\S+)/g)].map((m) => m[1]);
}

async function groupAddresses(ns: string): Promise<string[]> {
  const r = await must('ip', ['-n', ns, 'maddr', 'show', 'dev', 'eth0']);
  return [...r.matchAll(/link\s+(03:bf:\S+)/g)].map((m) => m[1]).sort();
}

async function hasClsact(ns: string): Promise<boolean> {
  return /clsact/.test(await must('tc', ['-n', ns, 'qdisc', 'show', 'dev', 'eth0']));
}

kernelDescribe("intracluster attach: the kernel datapath on each member's own interface", () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await createBed({ mode: 'dedicated', datapath: 'kernel' });
  });
  afterAll(async () => {
    await bed?.destroy();
  });
  const [h1, h2] = [0, 1];
  const dedicated = (i: number) => FAMILIES.map((f) => expectedMac('dedicated', bed.members[i], f)).sort();
  const pingAll = async () =>
    Promise.all(
      orderedPairs(bed.members).flatMap(([a, b]) =>
        FAMILIES.map(async (f) => ({ route: `${a.name} -> ${b.name} ${f}`, ...(await bed.ping(a, b[f], 2)) })),
      ),
    );

  test("attached: both programs on eth0, the member's dedicated MACs in its multicast filter, the objects pinned, members talk", async () => {
    for (const [i, m] of bed.members.entries()) {
      expect({
        on: m.name,
        ingress: await programsOn(m.ns, 'ingress'),
        egress: await programsOn(m.ns, 'egress'),
      }).toEqual({ on: m.name, ingress: ['ingress'], egress: ['egress'] });
      expect({ on: m.name, groups: await groupAddresses(m.ns) }).toEqual({ on: m.name, groups: dedicated(i) });
      expect(readdirSync(join(bed.pinDir(i), 'eth0')).sort()).toEqual([
        'map_ic_config',
        'map_ic_counters',
        'map_ic_macs',
        'map_ic_members4',
        'map_ic_members6',
        'map_ic_state',
        'map_ic_strict',
        'prog_egress',
        'prog_ingress',
      ]);
    }
    for (const r of await pingAll()) expect(r).toEqual({ route: r.route, sent: 2, received: 2 });
  });

  test("kill -9 of host1's attach: traffic keeps flowing; a new attach adopts the running datapath; SIGHUP works on it", async () => {
    const old = bed.shims[h1];
    old.proc.kill('SIGKILL');
    await old.exited;
    expect(old.exitSignal).toBe('SIGKILL');
    // nothing ran at exit: the programs (held by tc) keep rewriting with the maps they had
    expect(await programsOn(bed.members[h1].ns, 'ingress')).toEqual(['ingress']);
    await Promise.all(bed.members.map((m) => bed.flushNeigh(m)));
    for (const r of await pingAll()) expect(r).toEqual({ route: r.route, sent: 2, received: 2 });
    expect((await bed.echo(bed.members[h2], bed.members[h1].ipv4, 32 * 1024)).ok).toBe(true);
    const fresh = await bed.startAttach(h1);
    expect(fresh.stderr).toMatch(/ready: kernel datapath adopted on eth0/);
    for (const r of await pingAll()) expect(r).toEqual({ route: r.route, sent: 2, received: 2 });
    // the adopted datapath takes new memberships (host3 removed, then back): the maps it adopted are the ones in use
    const marks = fresh.stdout.length + fresh.stderr.length;
    bed.writeConfig(
      bedConfig(
        'dedicated',
        bed.members
          .slice(0, 2)
          .map((m) => ({ name: m.name, ipv4: m.ipv4, ipv6: m.ipv6, linkLocal: m.linkLocal!, tableMac: '' })),
      ),
    );
    fresh.proc.kill('SIGHUP');
    expect((await fresh.waitFor(/(reloaded|reload failed)[^\n]*/, 10_000, marks))[0]).toMatch(
      /^reloaded .*2 members \(host1, host2\)/,
    );
    await bed.flushNeigh(bed.members[h1]);
    expect(await bed.ping(bed.members[h1], bed.members[h2].ipv4, 2)).toEqual({ sent: 2, received: 2 });
    bed.writeConfig(bedConfig('dedicated'));
    const m2 = fresh.stdout.length + fresh.stderr.length;
    fresh.proc.kill('SIGHUP');
    expect((await fresh.waitFor(/(reloaded|reload failed)[^\n]*/, 10_000, m2))[0]).toMatch(/^reloaded .*3 members/);
    await Promise.all(bed.members.map((m) => bed.flushNeigh(m)));
    for (const r of await pingAll()) expect(r).toEqual({ route: r.route, sent: 2, received: 2 });
  });

  test('--keep: the datapath outlives its control process; detach removes the programs, the pins, the multicast addresses, the clsact qdisc', async () => {
    const ns = bed.members[h2].ns;
    await bed.shims[h2].stop('SIGTERM', 5_000);
    const kept = await bed.startAttach(h2, ['--keep']);
    await kept.stop('SIGTERM', 5_000);
    expect(kept.exitCode).toBe(0);
    expect(kept.stderr).toMatch(/kept: the datapath stays on eth0/);
    expect(await programsOn(ns, 'egress')).toEqual(['egress']);
    expect(await groupAddresses(ns)).toEqual(dedicated(h2));
    await bed.flushNeigh(bed.members[h1]);
    expect(await bed.ping(bed.members[h1], bed.members[h2].ipv4, 2)).toEqual({ sent: 2, received: 2 });
    const d = await bed.cliIn(h2, ['detach', '--dev', 'eth0', '--pin-dir', bed.pinDir(h2), '--run-dir', bed.runDir]);
    expect({ code: d.code, stderr: d.stderr }).toEqual({ code: 0, stderr: '' });
    expect(d.stdout).toMatch(/detached the programs from eth0/);
    expect({
      ingress: await programsOn(ns, 'ingress'),
      egress: await programsOn(ns, 'egress'),
      groups: await groupAddresses(ns),
      clsact: await hasClsact(ns),
      pins: existsSync(join(bed.pinDir(h2), 'eth0')),
    }).toEqual({
      ingress: [],
      egress: [],
      groups: [],
      clsact: false,
      pins: false,
    });
    // nothing left to detach: one line, exit 1
    const again = await bed.cliIn(h2, [
      'detach',
      '--dev',
      'eth0',
      '--pin-dir',
      bed.pinDir(h2),
      '--run-dir',
      bed.runDir,
    ]);
    expect({ code: again.code, stderr: again.stderr }).toEqual({
      code: 1,
      stderr: 'intracluster detach: nothing of the cluster layer on eth0\n',
    });
    // back as before
    await bed.startAttach(h2);
    await Promise.all(bed.members.map((m) => bed.flushNeigh(m)));
    for (const r of await pingAll()) expect(r).toEqual({ route: r.route, sent: 2, received: 2 });
  });

  test('SIGTERM: everything attach added is gone (programs, clsact, multicast addresses, pins, state file)', async () => {
    await bed.stopShims();
    for (const [i, m] of bed.members.entries()) {
      expect({
        on: m.name,
        ingress: await programsOn(m.ns, 'ingress'),
        egress: await programsOn(m.ns, 'egress'),
        clsact: await hasClsact(m.ns),
        groups: await groupAddresses(m.ns),
        pins: existsSync(join(bed.pinDir(i), 'eth0')),
      }).toEqual({
        on: m.name,
        ingress: [],
        egress: [],
        clsact: false,
        groups: [],
        pins: false,
      });
      expect(bed.attachReports[i]).toMatchObject({ kept: false, datapath: 'kernel' });
    }
    expect(existsSync(bed.runDir) ? readdirSync(bed.runDir).filter((f) => f.startsWith('attach-')) : []).toEqual([]);
  });
});

kernelDescribe('intracluster attach and detach: one line for every user mistake', () => {
  const ns = `ic-${process.pid}-${Math.floor(Math.random() * 0xffff)
    .toString(16)
    .padStart(4, '0')}-m1`;
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `intracluster-attach-${process.pid}-`));
    config = join(dir, 'cluster.json');
    writeFileSync(config, JSON.stringify(bedConfig('dedicated')));
    await must('ip', ['netns', 'add', ns]);
    await must('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'peer0']);
  });
  afterAll(async () => {
    await run('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  });
  const cli = (args: string[], asNobody = false) =>
    run(
      'ip',
      [
        'netns',
        'exec',
        ns,
        ...(asNobody
          ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all']
          : []),
        ...E2E_CLI,
        ...args,
      ],
      20_000,
    );
  const base = () => [
    'attach',
    '--config',
    config,
    '--host',
    'host1',
    '--dev',
    'eth0',
    '--pin-dir',
    join(dir, 'nonbpffs'),
    '--run-dir',
    join(dir, 'run'),
  ];

  test.each([
    [
      'no such device',
      ['attach', '--config', 'CONFIG', '--host', 'host1', '--dev', 'nope0'],
      1,
      /^intracluster attach: no such device: nope0 \(in this network namespace/,
    ],
    [
      'not an interface name',
      ['attach', '--config', 'CONFIG', '--host', 'host1', '--dev', 'a/b'],
      2,
      /^intracluster attach: --dev "a\/b": not an interface name/,
    ],
    [
      '--dev missing',
      ['attach', '--config', 'CONFIG', '--host', 'host1'],
      2,
      /^intracluster attach: --dev is required/,
    ],
    [
      'no such config file',
      ['attach', '--config', '/nonexistent/cluster.json', '--host', 'host1', '--dev', 'eth0'],
      1,
      /^intracluster attach: .*nonexistent\/cluster\.json/,
    ],
    [
      'host not in the config',
      ['attach', '--config', 'CONFIG', '--host', 'host9', '--dev', 'eth0'],
      1,
      /^intracluster attach: config: --host: "host9" is not a host of the cluster/,
    ],
    [
      '--pin-dir not on a BPF filesystem',
      ['BASE'],
      1,
      /^intracluster attach: --pin-dir .*nonbpffs: not on a BPF filesystem \(mount one first: mount -t bpf bpf /,
    ],
    [
      '--pass-all with a config',
      ['attach', '--pass-all', '--config', 'CONFIG', '--dev', 'eth0'],
      2,
      /^intracluster attach: --pass-all takes no --config or --host/,
    ],
    [
      'detach of an interface that does not exist',
      ['detach', '--dev', 'nope0'],
      1,
      /^intracluster detach: no such device: nope0/,
    ],
    [
      'detach where nothing is attached',
      ['detach', '--dev', 'eth0', '--run-dir', 'RUN', '--pin-dir', 'PINS'],
      1,
      /^intracluster detach: nothing of the cluster layer on eth0$/,
    ],
  ] as [string, string[], number, RegExp][])('%s', async (_label, args, code, line) => {
    const a =
      args[0] === 'BASE'
        ? base()
        : args.map((x) =>
            x === 'CONFIG' ? config : x === 'RUN' ? join(dir, 'run') : x === 'PINS' ? join(dir, 'pins') : x,
          );
    const r = await cli(a);
    expect({ code: r.code, lines: r.stderr.trimEnd().split('\n').length, stack: /\n\s+at /.test(r.stderr) }).toEqual({
      code,
      lines: 1,
      stack: false,
    });
    expect(r.stderr.trimEnd()).toMatch(line);
    // and nothing was left on the interface
    expect(await hasClsact(ns)).toBe(false);
  });

  test('not root: one line naming the capabilities', async () => {
    const r = await cli(['attach', '--config', config, '--host', 'host1', '--dev', 'eth0'], true);
    expect({ code: r.code, lines: r.stderr.trimEnd().split('\n').length }).toEqual({ code: 1, lines: 1 });
    expect(r.stderr).toMatch(
      /^intracluster attach: not root: loading and attaching the BPF programs needs CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF/,
    );
  });
});
