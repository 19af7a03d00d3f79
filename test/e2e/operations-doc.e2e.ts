// docs/operations.md followed as written: the blocks marked <!-- step: NAME --> run on three member
// "hosts" (network namespaces, each with its own NIC eth0, a veth to a Linux bridge in a switch
// namespace) and give a working cluster; a member then goes back to a plain host. Only the "this
// host" block is replaced by each member's values; /etc/intracluster, /etc/systemd/system and
// /run/intracluster point into a folder of the test's own; systemctl is test/e2e/helpers/fake-systemctl.js,
// which runs the shipped unit's ExecStart with its EnvironmentFile and capabilities.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEMBERS, NON_MEMBER, cleanupStale } from '../../src/live/bed';
import { must, run } from '../../src/live/proc';
import type { NeighReport } from '../../src/ops/neigh';
import type { InstanceStatus } from '../../src/ops/status';
import { E2E_CLI, KERNEL_SKIP, SKIP, expectedMac, orderedPairs } from './helpers/live';

const REPO = join(__dirname, '..', '..');
const DOC = readFileSync(join(REPO, 'docs', 'operations.md'), 'utf8');

/** The doc's step blocks, by name, in order. */
function steps(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of DOC.matchAll(/<!-- step: ([a-z-]+) -->\n```sh\n([\s\S]*?)```/g)) out.set(m[1], m[2]);
  return out;
}

const STEPS = steps();
const step = (name: string) => {
  const s = STEPS.get(name);
  if (s === undefined) throw new Error(`docs/operations.md has no step "${name}"`);
  return s;
};

/** The test's own folder for the host's /etc and /run paths the doc names. */
const rootPaths = (text: string, root: string) =>
  text
    .replace(/(?<![\w$/])\/etc\/intracluster/g, `${root}/etc/intracluster`)
    .replace(/(?<![\w$/])\/etc\/systemd\/system/g, `${root}/etc/systemd/system`);

interface Host {
  name: string;
  ns: string;
  ipv4: string;
  ipv6: string;
  linkLocal: string;
  root: string;
  port: string;
}

/** The doc's steps and unit for each datapath. */
const PLAN = {
  shim: {
    deploy: ['interfaces', 'config', 'service', 'check'],
    goBack: 'go-back',
    unit: 'intracluster-shim@ic0',
    stackDev: 'ic0',
  },
  kernel: {
    deploy: ['kernel-interface', 'kernel-config', 'kernel-service', 'kernel-check'],
    goBack: 'kernel-go-back',
    unit: 'intracluster-attach@eth0',
    stackDev: 'eth0',
  },
} as const;

for (const datapath of ['shim', 'kernel'] as const) {
  const why = SKIP || (datapath === 'kernel' ? KERNEL_SKIP : '');
  const title = `docs/operations.md, followed as written in a namespace bed [${datapath} datapath]`;
  (why ? describe.skip : describe)(why ? `${title} [SKIPPED: ${why}]` : title, () => docBed(datapath));
}

function docBed(datapath: 'shim' | 'kernel'): void {
  const plan = PLAN[datapath];
  const id = `ic-${process.pid}-${randomBytes(2).toString('hex')}`;
  const sw = `${id}-sw`;
  const out = `${id}-out`;
  const dir = mkdtempSync(join(tmpdir(), 'ic-opsdoc-'));
  const bin = join(dir, 'bin');
  const hosts: Host[] = MEMBERS.map((m, i) => ({
    name: m.name,
    ns: `${id}-m${i + 1}`,
    ipv4: m.ipv4,
    ipv6: m.ipv6,
    linkLocal: m.linkLocal,
    root: join(dir, m.name),
    port: `p-m${i + 1}`,
  }));
  const namespaces: string[] = [];
  const nsAll = () => [sw, out, ...hosts.map((h) => h.ns)];

  /** Runs a doc script in host h's namespace as root with `sh -e`; output for the failure message. */
  async function doc(
    h: Host,
    names: string[],
    vars: string,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const script = [vars, ...names.map((n) => rootPaths(step(n), h.root))].join('\n');
    const env = [
      `PATH=${bin}:${join(h.root, 'usr/local/bin')}:${process.env.PATH}`,
      `FAKE_SYSTEMD_ROOT=${h.root}`,
      `INTRACLUSTER_RUN_DIR=${join(h.root, 'run/intracluster')}`,
      `INTRACLUSTER_E2E_BUILD=${process.env.INTRACLUSTER_E2E_BUILD ?? ''}`,
    ];
    return run('ip', ['netns', 'exec', h.ns, 'env', ...env, 'sh', '-e', '-c', script], 90_000);
  }

  const ownMac = (i: number) => `02:42:c6:12:00:${(0x50 + i).toString(16)}`;
  const varsFor = (h: Host) =>
    [
      `IFACE=eth0`,
      `HOST=${h.name}`,
      `ADDR4=${h.ipv4}/24`,
      `ADDR6=${h.ipv6}/64`,
      `LL6=${h.linkLocal}/64`,
      `CLUSTER_MAC=02:bf:c6:12:00:64`,
      `OWN_MAC=${ownMac(hosts.indexOf(h))}`,
      `PKG=${REPO}`,
    ].join('\n');

  const ping = async (ns: string, to: string, count = 2) => {
    const r = await run(
      'ip',
      ['netns', 'exec', ns, 'ping', '-n', '-q', '-c', String(count), '-i', '0.2', '-W', '1', to],
      5_000 + count * 1_500,
    );
    const m = /(\d+) received/.exec(r.stdout);
    return m ? +m[1] : 0;
  };

  const statusOf = async (h: Host) => {
    const r = await run(
      'ip',
      ['netns', 'exec', h.ns, ...E2E_CLI, 'status', '--json', '--control-dir', join(h.root, 'run/intracluster')],
      20_000,
    );
    return { code: r.code, ...(JSON.parse(r.stdout) as { status: InstanceStatus; neighbours: NeighReport }) };
  };

  beforeAll(async () => {
    await cleanupStale();
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'systemctl'),
      `#!/bin/sh\nexec "${process.execPath}" "${join(__dirname, 'helpers', 'fake-systemctl.js')}" "$@"\n`,
    );
    chmodSync(join(bin, 'systemctl'), 0o755);
    for (const h of hosts) {
      // the package installed as `npm install -g` leaves it: /usr/local/bin/intracluster
      mkdirSync(join(h.root, 'usr/local/bin'), { recursive: true });
      mkdirSync(join(h.root, 'etc/systemd/system'), { recursive: true });
      writeFileSync(
        join(h.root, 'usr/local/bin/intracluster'),
        `#!/bin/sh\nexec "${E2E_CLI[0]}" "${E2E_CLI[1]}" "$@"\n`,
      );
      chmodSync(join(h.root, 'usr/local/bin/intracluster'), 0o755);
    }
    for (const ns of nsAll()) {
      await must('ip', ['netns', 'add', ns]);
      namespaces.push(ns);
    }
    // the switch: a Linux bridge, no IPv6 of its own
    await must('ip', [
      'netns',
      'exec',
      sw,
      'sh',
      '-c',
      'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6',
    ]);
    await must(
      'ip',
      ['-n', sw, '-batch', '-'],
      10_000,
      'link set lo up\nlink add br0 type bridge stp_state 0\nlink set br0 up\n',
    );
    // each host as it was before: a plain host on its NIC, its own MAC and addresses
    for (const [i, h] of [
      ...hosts,
      { name: NON_MEMBER.name, ns: out, ipv4: NON_MEMBER.ipv4, ipv6: NON_MEMBER.ipv6, port: 'p-out' } as Host,
    ].entries()) {
      await must('ip', [
        'netns',
        'exec',
        h.ns,
        'sh',
        '-c',
        'for k in accept_dad accept_ra router_solicitations; do echo 0 > /proc/sys/net/ipv6/conf/default/$k; done',
      ]);
      await must(
        'ip',
        ['-n', sw, '-batch', '-'],
        10_000,
        `link add ${h.port} type veth peer name eth0 netns ${h.ns}\nlink set ${h.port} master br0\nlink set ${h.port} up\n`,
      );
      await must(
        'ip',
        ['-n', h.ns, '-batch', '-'],
        10_000,
        `link set lo up\nlink set eth0 address ${ownMac(i)}\naddr add ${h.ipv4}/24 dev eth0\naddr add ${h.ipv6}/64 dev eth0 nodad\nlink set eth0 up\n`,
      );
    }
  }, 60_000);

  afterAll(async () => {
    for (const h of hosts)
      await run('ip', [
        'netns',
        'exec',
        h.ns,
        'env',
        `FAKE_SYSTEMD_ROOT=${h.root}`,
        process.execPath,
        join(__dirname, 'helpers', 'fake-systemctl.js'),
        'stop',
        plan.unit,
      ]);
    for (const ns of namespaces) {
      const pids = (await run('ip', ['netns', 'pids', ns])).stdout.split(/\s+/).filter(Boolean);
      for (const p of pids) {
        try {
          process.kill(+p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      await run('ip', ['netns', 'del', ns]);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  test('the doc has every step the test runs', () => {
    expect([...STEPS.keys()]).toEqual([
      'this-host',
      'interfaces',
      'config',
      'service',
      'check',
      'kernel-interface',
      'kernel-config',
      'kernel-service',
      'kernel-check',
      'switch',
      'reload',
      'go-back',
      'kernel-go-back',
    ]);
  });

  test('the switch step, then the deployment steps on each member: every member reaches every other one', async () => {
    const s = await run('ip', [
      'netns',
      'exec',
      sw,
      'sh',
      '-e',
      '-c',
      `MEMBER_PORTS="${hosts.map((h) => h.port).join(' ')}"\n${step('switch')}`,
    ]);
    expect({ code: s.code, stderr: s.stderr }).toEqual({ code: 0, stderr: '' });
    for (const h of hosts) {
      const r = await doc(h, [...plan.deploy], varsFor(h));
      if (r.code !== 0)
        throw new Error(`${h.name}: the doc's steps failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
      expect(r.stdout).toMatch(
        new RegExp(
          `intracluster ${datapath === 'kernel' ? 'attach' : 'shim'} ${h.name} \\(pid \\d+\\), datapath ${datapath}`,
        ),
      );
      expect(r.stdout).toContain(`neighbour table (this namespace, dev ${plan.stackDev})`);
    }
    const results = await Promise.all(
      orderedPairs(hosts).flatMap(([a, b]) =>
        (['ipv4', 'ipv6'] as const).map(async (f) => `${a.name} -> ${b.name} ${f}: ${await ping(a.ns, b[f])}/2`),
      ),
    );
    expect(results).toEqual(
      orderedPairs(hosts).flatMap(([a, b]) =>
        (['ipv4', 'ipv6'] as const).map((f) => `${a.name} -> ${b.name} ${f}: 2/2`),
      ),
    );
  });

  test('the non-member (a client) reaches every member at its addresses', async () => {
    for (const h of hosts)
      for (const f of ['ipv4', 'ipv6'] as const)
        expect(`${h.name} ${f}: ${await ping(out, h[f])}/2`).toBe(`${h.name} ${f}: 2/2`);
  });

  test('intracluster status on each member: dedicated MACs, a clean neighbour check with entries', async () => {
    for (const h of hosts) {
      const r = await statusOf(h);
      expect(r.code).toBe(0);
      expect(r.status.members.map((m) => m.name)).toEqual(hosts.map((x) => x.name));
      expect(r.neighbours.wrong).toBe(0);
      const ok = r.neighbours.checks.filter((c) => c.verdict === 'ok');
      for (const o of hosts.filter((x) => x !== h))
        for (const f of ['ipv4', 'ipv6'] as const)
          expect(ok.find((c) => c.address === o[f])?.actual).toBe(
            expectedMac('dedicated', { ...o, mac: '', port: o.port, linkLocal: o.linkLocal }, f),
          );
    }
  });

  // the doc's reload block names the shim's unit; attach reloads the same way (ExecReload, SIGHUP)
  if (datapath === 'shim')
    test('the reload step: systemctl reload re-reads the config (status shows one reload done)', async () => {
      const h = hosts[0];
      const r = await doc(h, ['reload'], varsFor(h));
      expect(r.code).toBe(0);
      let done = 0;
      for (let i = 0; i < 50 && done === 0; i++) {
        done = (await statusOf(h)).status.config.reloads.done;
        if (done === 0) await new Promise((x) => setTimeout(x, 100));
      }
      expect(done).toBe(1);
    });

  test('going back to a plain host: no shim, no TAPs, the client reaches it on its NIC', async () => {
    const h = hosts[2];
    const r = await doc(h, [plan.goBack], varsFor(h));
    if (r.code !== 0) throw new Error(`${h.name}: go-back failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    const links = await must('ip', ['-n', h.ns, '-o', 'link', 'show']);
    expect(links).not.toMatch(/ ic0[:@]| icw0[:@]| br-ic[:@]/);
    if (datapath === 'kernel') {
      // the programs are gone from the NIC, and so are the dedicated MACs attach put in its filter
      expect(await must('ip', ['netns', 'exec', h.ns, 'tc', 'filter', 'show', 'dev', 'eth0', 'ingress'])).toBe('');
      expect(await must('ip', ['-n', h.ns, 'maddr', 'show', 'dev', 'eth0'])).not.toMatch(/03:bf/);
      expect(await must('ip', ['-n', h.ns, '-br', 'link', 'show', 'dev', 'eth0'])).toContain(ownMac(2));
      // duplicate address detection of the re-added address, then the client's pings
      for (
        let i = 0;
        i < 50 && (await must('ip', ['-n', h.ns, '-6', 'addr', 'show', 'dev', 'eth0', 'tentative'])).trim() !== '';
        i++
      )
        await new Promise((x) => setTimeout(x, 200));
    }
    expect((await run('ip', ['netns', 'pids', h.ns])).stdout.trim()).toBe('');
    await run('ip', ['-n', out, 'neigh', 'flush', 'dev', 'eth0']);
    for (const f of ['ipv4', 'ipv6'] as const) expect(`${f}: ${await ping(out, h[f])}/2`).toBe(`${f}: 2/2`);
  });
}
