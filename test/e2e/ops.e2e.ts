// Operating a live layer: `intracluster status` over each shim's control socket (membership with the
// dedicated MACs, the neighbour check on the member's real kernel table, a hand-set wrong entry
// flagged), `--metrics` scraped and checked by promtool with the counters equal to the shim's own,
// and the log rate limit under a SIGHUP flood (`--log-format json`).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bed } from '../../src/live/bed';
import { run } from '../../src/live/proc';
import type { NeighReport } from '../../src/ops/neigh';
import type { InstanceStatus } from '../../src/ops/status';
import type { FrameCount } from '../../src/ops/tally';
import {
  CLUSTER_MAC,
  E2E_CLI,
  FAMILIES,
  createBed,
  datapathDescribe,
  expectedMac,
  liveDescribe,
  orderedPairs,
} from './helpers/live';

/** GET url from inside network namespace ns (node's http client, bounded): attach's metrics bind there. */
async function scrapeIn(ns: string, url: string): Promise<string> {
  const js = `require('node:http').get(process.argv[1], (r) => { let b = ''; r.setEncoding('utf8'); r.on('data', (d) => (b += d)); r.on('end', () => { process.stdout.write(b); process.exitCode = r.statusCode === 200 ? 0 : 1; }); }).on('error', (e) => { console.error(e.message); process.exitCode = 1; }).setTimeout(5000, function () { this.destroy(new Error('no answer')); });`;
  const r = await run('ip', ['netns', 'exec', ns, process.execPath, '-e', js, url], 15_000);
  if (r.code !== 0) throw new Error(`scrape ${url} in ${ns}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

function scrape(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: HTTP ${res.statusCode}`)),
      );
    });
    req.setTimeout(5000, () => req.destroy(new Error(`${url}: no answer within 5 s`)));
    req.on('error', reject);
  });
}

function promtool(text: string): { code: number | null; out: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw new Error(`promtool: ${r.error.message} (scripts/setup installs it)`);
  return { code: r.status, out: (r.stdout + r.stderr).trim() };
}

/** intracluster_frames_total samples of a scrape, keyed `direction verdict reason`. */
function frameSamples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(
    /^intracluster_frames_total\{direction="([^"]+)",verdict="([^"]+)",reason="((?:[^"\\]|\\.)*)"\} (\d+)$/gm,
  ))
    out.set(`${m[1]} ${m[2]} ${m[3].replace(/\\"/g, '"').replace(/\\\\/g, '\\')}`, +m[4]);
  return out;
}

const rowsAsMap = (rows: FrameCount[]) =>
  new Map(rows.map((r) => [`${r.direction} ${r.verdict} ${r.reason}`, r.count]));

liveDescribe('live operations: status, metrics, logs', () => {
  let bed: Bed;
  const status = async (args: string[]) => {
    const r = await run(E2E_CLI[0], [...E2E_CLI.slice(1), 'status', '--control-dir', bed.controlDir, ...args], 20_000);
    return r;
  };
  const statusJson = async (args: string[]) => {
    const r = await status([...args, '--json']);
    let parsed: { status: InstanceStatus; neighbours: NeighReport };
    try {
      parsed = JSON.parse(r.stdout);
    } catch {
      throw new Error(`status ${args.join(' ')}: exit ${r.code}: ${r.stdout}${r.stderr}`);
    }
    return { code: r.code, ...parsed, stderr: r.stderr };
  };
  const metricsUrl = (i: number) =>
    /metrics: serving (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(bed.shims[i].stderr)?.[1];

  beforeAll(async () => {
    bed = await createBed({
      mode: 'dedicated',
      persistentTaps: true,
      shimArgs: (m) => ['--metrics', '127.0.0.1:0', ...(m.name === 'host3' ? ['--log-format', 'json'] : [])],
    });
    // every member resolves every other one (IPv4, IPv6) through the layer
    await Promise.all(orderedPairs(bed.members).flatMap(([a, b]) => FAMILIES.map((f) => bed.ping(a, b[f], 2))));
  });
  afterAll(async () => {
    await bed?.destroy();
  });

  test('status lists every member with its dedicated MACs, and the neighbour check is clean', async () => {
    for (const [i, m] of bed.members.entries()) {
      const r = await statusJson(['--pid', String(bed.shims[i].pid), '--netns', m.ns, '--stack-dev', 'eth0']);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(r.status).toMatchObject({
        kind: 'shim',
        datapath: 'shim',
        host: m.name,
        pid: bed.shims[i].pid,
        layer: true,
        mode: 'dedicated',
        clusterMac: CLUSTER_MAC,
      });
      expect(r.status.config.path).toBe(bed.configPath);
      expect(r.status.members.map((x) => x.name)).toEqual(bed.members.map((x) => x.name));
      for (const h of bed.members) {
        const listed = r.status.members.find((x) => x.name === h.name)!;
        expect(listed.local).toBe(h === m);
        const mac = (ip: string) => listed.addresses.find((a) => a.ip === ip)?.mac;
        for (const f of FAMILIES) expect(mac(h[f])).toBe(expectedMac('dedicated', h, f));
        expect(mac(h.linkLocal!)).toBe(expectedMac('dedicated', h, 'ipv6')); // ipv6-low32: fe80::1x maps like fd00:...::1x
      }
      // the kernel's table was filled by the pings above: every pinged address is right
      expect(r.neighbours).toMatchObject({ netns: m.ns, dev: 'eth0', wrong: 0 });
      const ok = r.neighbours.checks.filter((c) => c.verdict === 'ok').map((c) => c.address);
      for (const h of bed.members.filter((x) => x !== m)) for (const f of FAMILIES) expect(ok).toContain(h[f]);
    }
  });

  test('found by the interface it serves; with three instances and no choice, one line asking for one', async () => {
    const host2 = await statusJson([
      '--dev',
      /--stack (\S+)/.exec(bed.shims[1].proc.spawnargs.join(' '))![1],
      '--no-neigh',
    ]);
    expect(host2.status.host).toBe('host2');
    const none = await status([]);
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/^intracluster status: 3 instances are running; choose one with --pid or --dev/);
  });

  test("a shim restarted with --stack-netns: status checks that namespace's table without being told", async () => {
    const m = bed.members[0];
    await bed.killShim(0);
    await bed.startShimInNamespaces(0);
    await bed.ping(m, bed.members[1].ipv4, 2);
    const r = await statusJson(['--pid', String(bed.shims[0].pid)]);
    expect(r.status.stack).toEqual({ netns: m.ns, dev: 'eth0' });
    expect(r.neighbours).toMatchObject({ netns: m.ns, dev: 'eth0', wrong: 0 });
    expect(r.neighbours.checks.find((c) => c.address === bed.members[1].ipv4)).toMatchObject({
      verdict: 'ok',
      actual: expectedMac('dedicated', bed.members[1], 'ipv4'),
    });
    expect(r.code).toBe(0);
  });

  test('a member entry set by hand to the cluster MAC is flagged (exit 1), and only that one', async () => {
    const [h1, h2] = bed.members;
    await run('ip', [
      '-n',
      h1.ns,
      'neigh',
      'replace',
      h2.ipv4,
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
      expect(r.neighbours.wrong).toBe(1);
      const wrong = r.neighbours.checks.filter((c) => c.verdict === 'wrong');
      expect(wrong).toEqual([
        expect.objectContaining({
          member: 'host2',
          address: h2.ipv4,
          actual: CLUSTER_MAC,
          expected: expectedMac('dedicated', h2, 'ipv4'),
          state: ['PERMANENT'],
        }),
      ]);
      const text = await status(['--pid', String(bed.shims[0].pid), '--netns', h1.ns, '--stack-dev', 'eth0']);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain(
        `WRONG ${h2.ipv4} (host2): ${CLUSTER_MAC} [PERMANENT], should be ${expectedMac('dedicated', h2, 'ipv4')}: resolved to the cluster MAC`,
      );
    } finally {
      await run('ip', ['-n', h1.ns, 'neigh', 'del', h2.ipv4, 'dev', 'eth0']);
    }
  });

  test('log rate limit: a SIGHUP flood gives many reloads but at most 20 JSON lines per second, the rest counted', async () => {
    const i = 2;
    const shim = bed.shims[i];
    const from = shim.stderr.length;
    const t0 = Date.now();
    let sent = 0;
    while (Date.now() - t0 < 3000 && sent < 200_000) {
      shim.proc.kill('SIGHUP');
      sent++;
      if (sent % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    // signals still queued are handled after the loop: wait until the reload count stands still
    let reloads = -1;
    for (let k = 0; k < 20; k++) {
      await new Promise((r) => setTimeout(r, 500));
      const now = +/^intracluster_config_reloads_total\{result="done"\} (\d+)$/m.exec(await scrape(metricsUrl(i)!))![1];
      if (now === reloads) break;
      reloads = now;
    }
    // then the summary of the last window comes within about a second
    const tally = () => {
      const lines = shim.stderr.slice(from).split('\n').filter(Boolean);
      const recs = lines.map((l) => JSON.parse(l) as { time: string; event: string; fields: { total?: number } });
      const shown = recs.filter((r) => r.event === 'reload').length;
      const suppressed = recs.filter((r) => r.event === 'suppressed').reduce((n, r) => n + (r.fields.total ?? 0), 0);
      return { lines, recs, shown, suppressed };
    };
    for (let k = 0; k < 30 && tally().shown + tally().suppressed < reloads; k++)
      await new Promise((r) => setTimeout(r, 100));
    const { lines, recs, shown, suppressed } = tally();
    const perSecond = new Map<number, number>();
    for (const r of recs)
      perSecond.set(
        Math.floor(Date.parse(r.time) / 1000),
        (perSecond.get(Math.floor(Date.parse(r.time) / 1000)) ?? 0) + 1,
      );
    process.stdout.write(
      `log flood: ${sent} SIGHUPs sent, ${reloads} reloads done, ${lines.length} lines (${shown} reload lines, ${suppressed} suppressed), max ${Math.max(...perSecond.values())} lines in one second\n`,
    );
    expect(reloads).toBeGreaterThan(100);
    for (const n of perSecond.values()) expect(n).toBeLessThanOrEqual(20);
    expect(shown + suppressed).toBe(reloads);
  });

  test("promtool check metrics passes on each scrape, and the frame counters equal the shim's own at exit", async () => {
    // Freeze traffic: every member's stack and bridge port down, so no frame is read between the
    // last scrape and the counters the shims print when they stop.
    for (const m of bed.members) {
      await run('ip', ['-n', m.ns, 'link', 'set', 'eth0', 'down']);
      await run('ip', ['-n', bed.switchNs, 'link', 'set', m.port, 'down']);
    }
    await new Promise((r) => setTimeout(r, 500));
    const scrapes: string[] = [];
    for (const i of bed.members.keys()) {
      const text = await scrape(metricsUrl(i)!);
      expect(promtool(text)).toEqual({ code: 0, out: '' });
      scrapes.push(text);
    }
    await bed.stopShims();
    for (const [i, text] of scrapes.entries()) {
      const report = bed.shimReports[i] as unknown as {
        frames: FrameCount[];
        shim: Record<string, number>;
        engine: { frames: number };
      };
      const scraped = frameSamples(text);
      expect(scraped.size).toBeGreaterThan(3);
      expect(scraped).toEqual(rowsAsMap(report.frames));
      const total = [...scraped.values()].reduce((a, b) => a + b, 0);
      expect(total).toBe(report.shim['from stack'] + report.shim['from wire']);
      expect(total).toBe(report.engine.frames); // no heartbeats here: every frame went through the engine
      process.stdout.write(
        `metrics ${bed.members[i].name}: ${scraped.size} frame series, ${total} frames, equal to the shim's counters at exit\n`,
      );
    }
  });
});

datapathDescribe(
  'live operations with heartbeat membership: status shows each live member and its heartbeat age',
  (datapath) => {
    let bed: Bed;
    let keyDir: string;
    const P = 500;
    beforeAll(async () => {
      keyDir = mkdtempSync(join(tmpdir(), 'ic-ops-key-'));
      const keyFile = join(keyDir, 'key');
      writeFileSync(keyFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
      bed = await createBed({
        mode: 'dedicated',
        configFor: (m) => ({
          clusterMac: CLUSTER_MAC,
          hosts: [{ name: m.name, addresses: [m.ipv4, m.ipv6, m.linkLocal] }],
          heartbeat: { keyFile, periodMs: P, missed: 5 },
        }),
        shimArgs: () => ['--metrics', '127.0.0.1:0'],
        datapath,
      });
    });
    afterAll(async () => {
      await bed?.destroy();
      if (keyDir) rmSync(keyDir, { recursive: true, force: true });
    });

    test('every member lists the two others as live, with a host ID and a heartbeat younger than two periods', async () => {
      for (const [i, m] of bed.members.entries()) {
        let s: InstanceStatus | null = null;
        for (let k = 0; k < 50; k++) {
          const r = await run(
            E2E_CLI[0],
            [
              ...E2E_CLI.slice(1),
              'status',
              '--control-dir',
              bed.controlDir,
              '--pid',
              String(bed.shims[i].pid),
              '--json',
              '--no-neigh',
            ],
            20_000,
          );
          s = (JSON.parse(r.stdout) as { status: InstanceStatus }).status;
          if (s.members.length === 3) break;
          await new Promise((x) => setTimeout(x, 200));
        }
        const byName = (a: [string, string], b: [string, string]) => (a[0] < b[0] ? -1 : 1);
        expect(s!.members.map((x): [string, string] => [x.name, x.kind]).sort(byName)).toEqual(
          bed.members.map((x): [string, string] => [x.name, x === m ? 'local' : 'live']),
        );
        for (const x of s!.members.filter((y) => !y.local)) {
          expect(x.hostId).toBeGreaterThan(0);
          expect(x.heartbeatAgeMs).toBeLessThan(2 * P);
        }
        expect(s!.heartbeat).toMatchObject({ periodMs: P, joins: 2 });
        expect(s!.heartbeat!.accepted).toBeGreaterThanOrEqual(2);
        const url = /metrics: serving (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(bed.shims[i].stderr)![1];
        // attach binds the loopback of the member's namespace; the shim runs in the root namespace
        const text = datapath === 'kernel' ? await scrapeIn(m.ns, url) : await scrape(url);
        expect(promtool(text)).toEqual({ code: 0, out: '' });
        expect(text).toContain('intracluster_members 3\n');
        expect(text).toContain('intracluster_membership_changes_total{event="join"} 2\n');
        expect(+/^intracluster_heartbeats_accepted_total (\d+)$/m.exec(text)![1]).toBeGreaterThanOrEqual(2);
        // the shim's membership layer consumes heartbeats as frames (verdict drop); on the kernel
        // datapath they pass tc ingress to attach's packet socket
        if (datapath === 'shim')
          expect(
            +/^intracluster_frames_total\{direction="inbound",verdict="drop",reason="heartbeat"\} (\d+)$/m.exec(
              text,
            )![1],
          ).toBeGreaterThanOrEqual(2);
      }
    });
  },
);
