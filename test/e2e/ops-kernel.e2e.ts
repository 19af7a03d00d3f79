// Operating the kernel datapath: `intracluster status` asks each `intracluster attach` (BPF programs
// on the member's own veth, the control process in the member's namespace) through its control
// socket, checks the member's neighbour table, flags a hand-set cluster-MAC entry; `--metrics`,
// scraped inside the member's namespace (it binds that namespace's 127.0.0.1), passes promtool and
// its frame counters equal the programs' per-CPU counters that attach prints at exit.
import { spawnSync } from 'node:child_process';
import { Bed } from '../../src/live/bed';
import { run } from '../../src/live/proc';
import type { NeighReport } from '../../src/ops/neigh';
import type { InstanceStatus } from '../../src/ops/status';
import {
  CLUSTER_MAC,
  E2E_CLI,
  FAMILIES,
  KERNEL_SKIP,
  SKIP,
  createBed,
  expectedMac,
  orderedPairs,
} from './helpers/live';

const why = SKIP || KERNEL_SKIP;
const kernelDescribe = (name: string, fn: () => void) =>
  why ? describe.skip(`${name} [SKIPPED: ${why}]`, fn) : describe(name, fn);

/** GET url from inside network namespace ns (node's http client, bounded). */
async function scrapeIn(ns: string, url: string): Promise<string> {
  const js = `require('node:http').get(process.argv[1], (r) => { let b = ''; r.setEncoding('utf8'); r.on('data', (d) => (b += d)); r.on('end', () => { process.stdout.write(b); process.exitCode = r.statusCode === 200 ? 0 : 1; }); }).on('error', (e) => { console.error(e.message); process.exitCode = 1; }).setTimeout(5000, function () { this.destroy(new Error('no answer')); });`;
  const r = await run('ip', ['netns', 'exec', ns, process.execPath, '-e', js, url], 15_000);
  if (r.code !== 0) throw new Error(`scrape ${url} in ${ns}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

function promtool(text: string): { code: number | null; out: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw new Error(`promtool: ${r.error.message} (scripts/setup installs it)`);
  return { code: r.status, out: (r.stdout + r.stderr).trim() };
}

kernelDescribe('live operations on the kernel datapath: status and metrics of intracluster attach', () => {
  let bed: Bed;
  const statusJson = async (args: string[]) => {
    const r = await run(
      E2E_CLI[0],
      [...E2E_CLI.slice(1), 'status', '--control-dir', bed.controlDir, '--json', ...args],
      20_000,
    );
    try {
      return { code: r.code, ...(JSON.parse(r.stdout) as { status: InstanceStatus; neighbours: NeighReport }) };
    } catch {
      throw new Error(`status ${args.join(' ')}: exit ${r.code}: ${r.stdout}${r.stderr}`);
    }
  };
  const metricsUrl = (i: number) =>
    /metrics: serving (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(bed.shims[i].stderr)?.[1];

  beforeAll(async () => {
    bed = await createBed({ mode: 'dedicated', datapath: 'kernel', shimArgs: () => ['--metrics', '127.0.0.1:0'] });
    await Promise.all(orderedPairs(bed.members).flatMap(([a, b]) => FAMILIES.map((f) => bed.ping(a, b[f], 2))));
  });
  afterAll(async () => {
    await bed?.destroy();
  });

  test('status lists every member with its dedicated MACs; the neighbour check of its namespace is clean', async () => {
    for (const [i, m] of bed.members.entries()) {
      const r = await statusJson(['--pid', String(bed.shims[i].pid), '--netns', m.ns, '--stack-dev', 'eth0']);
      expect(r.code).toBe(0);
      expect(r.status).toMatchObject({
        kind: 'attach',
        datapath: 'kernel',
        host: m.name,
        layer: true,
        clusterMac: CLUSTER_MAC,
        devices: [{ role: 'dev', name: 'eth0' }],
      });
      for (const h of bed.members) {
        const listed = r.status.members.find((x) => x.name === h.name)!;
        for (const f of FAMILIES)
          expect(listed.addresses.find((a) => a.ip === h[f])?.mac).toBe(expectedMac('dedicated', h, f));
      }
      expect(r.neighbours.wrong).toBe(0);
      const ok = r.neighbours.checks.filter((c) => c.verdict === 'ok').map((c) => c.address);
      for (const h of bed.members.filter((x) => x !== m)) for (const f of FAMILIES) expect(ok).toContain(h[f]);
    }
  });

  test('a member entry set by hand to the cluster MAC is flagged (exit 1)', async () => {
    const [h1, h2] = bed.members;
    await run('ip', [
      '-n',
      h1.ns,
      'neigh',
      'replace',
      h2.ipv6,
      'lladdr',
      CLUSTER_MAC,
      'dev',
      'eth0',
      'nud',
      'permanent',
    ]);
    try {
      const r = await statusJson(['--pid', String(bed.shims[0].pid), '--netns', h1.ns, '--stack-dev', 'eth0']);
      expect(r.code).toBe(1);
      expect(r.neighbours.checks.filter((c) => c.verdict === 'wrong')).toEqual([
        expect.objectContaining({
          member: 'host2',
          address: h2.ipv6,
          actual: CLUSTER_MAC,
          expected: expectedMac('dedicated', h2, 'ipv6'),
        }),
      ]);
    } finally {
      await run('ip', ['-n', h1.ns, 'neigh', 'del', h2.ipv6, 'dev', 'eth0']);
    }
  });

  test("promtool check metrics passes on each scrape; the frame counters equal the programs' counters at exit", async () => {
    for (const m of bed.members) {
      await run('ip', ['-n', m.ns, 'link', 'set', 'eth0', 'down']);
      await run('ip', ['-n', bed.switchNs, 'link', 'set', m.port, 'down']);
    }
    await new Promise((r) => setTimeout(r, 500));
    const scrapes: string[] = [];
    for (const [i, m] of bed.members.entries()) {
      const text = await scrapeIn(m.ns, metricsUrl(i)!);
      expect(promtool(text)).toEqual({ code: 0, out: '' });
      expect(text).toContain('datapath="kernel"');
      scrapes.push(text);
    }
    await bed.stopShims();
    for (const [i, text] of scrapes.entries()) {
      const report = bed.attachReports[i]!;
      // the scrape by direction, summed per verdict and reason id, against the exit counters
      const scraped = new Map<string, number>();
      for (const x of text.matchAll(
        /^intracluster_frames_total\{direction="[^"]+",verdict="([^"]+)",reason="([^"]+)"\} (\d+)$/gm,
      ))
        scraped.set(`${x[1]} ${x[2]}`, (scraped.get(`${x[1]} ${x[2]}`) ?? 0) + +x[3]);
      const own = new Map(report.engine.byReason.map((b) => [`${b.verdict} ${b.reasonId || 'none'}`, b.count]));
      expect(scraped).toEqual(own);
      const total = [...scraped.values()].reduce((a, b) => a + b, 0);
      expect(total).toBe(report.engine.frames);
      expect(total).toBeGreaterThan(0);
      process.stdout.write(
        `metrics ${bed.members[i].name} (kernel): ${scraped.size} verdict/reason series, ${total} frames, equal to attach's counters at exit\n`,
      );
    }
  });
});
