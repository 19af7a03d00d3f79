// A flood of forged heartbeats against the kernel datapath: at least 50,000 frames/s (paced to at
// most 120,000) with valid headers and a wrong authenticator enter the switch, broadcast to every member, for FLOOD_SECONDS, while members ping each other (IPv4 and
// IPv6) every 5 ms. Data frames never cross user space on this datapath, so member traffic loses
// nothing, and the membership stays as it was: heartbeats of unknown host IDs get a budget of HMACs
// per second, so the control planes drain their sockets and the members' own heartbeats are never
// crowded out. Figures in the test's output.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHostAddress } from '../../src/address';
import { Bed, BedHostPlan, CLUSTER_MAC } from '../../src/live/bed';
import { run } from '../../src/live/proc';
import { HB_FRAME_LEN, encodeHeartbeatFrame, signHeartbeat } from '../../src/membership';
import { KERNEL_SKIP, SKIP, createBed, orderedPairs } from './helpers/live';

const FLOOD_SECONDS = Number(process.env.HB_FLOOD_SECONDS ?? 10);
/** Frames per second the flooder paces itself to at most (the scenario needs at least 50,000). */
const RATE = 120_000;
const ROOT = join(__dirname, '..', '..');
const why = SKIP || KERNEL_SKIP;
const kernelDescribe = (name: string, fn: () => void) =>
  why ? describe.skip(`${name} [SKIPPED: ${why}]`, fn) : describe(name, fn);

/** Writes the frames into a TAP (a bridge port) at RATE per second, in 1 ms slots, for the given seconds. */
const FLOODER = `
const fs = require('fs');
const [addonPath, corpusPath, want, seconds, rate] = process.argv.slice(1);
const tap = require(addonPath);
const { fd, name } = tap.open(want);
const data = fs.readFileSync(corpusPath);
const frames = [];
for (let o = 0; o < data.length; ) { const n = data.readUInt16BE(o); frames.push(data.subarray(o + 2, o + 2 + n)); o += 2 + n; }
process.stdout.write('open ' + name + '\\n');
process.stdin.once('data', () => {
  const start = Date.now(), end = start + seconds * 1000, perMs = rate / 1000;
  let sent = 0, errors = 0, i = 0;
  for (let now = Date.now(); now < end; now = Date.now()) {
    const due = Math.floor((now - start + 1) * perMs);
    while (sent + errors < due) {
      const f = frames[i++ % frames.length];
      if (tap.write(fd, f, f.length) === f.length) sent++; else errors++;
    }
  }
  process.stdout.write(JSON.stringify({ sent, errors, seconds: (Date.now() - start) / 1000 }) + '\\n');
  tap.close(fd);
  process.exit(0);
});
process.stdin.on('end', () => process.exit(0));
`;

kernelDescribe('kernel datapath under a flood of forged heartbeats', () => {
  let bed: Bed;
  let dir: string;
  let flooder: ChildProcess | undefined;
  const P = 1000;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'intracluster-hbflood-'));
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
    const config = (m: BedHostPlan) => ({
      clusterMac: CLUSTER_MAC,
      hosts: [{ name: m.name, addresses: [m.ipv4, m.ipv6, m.linkLocal] }],
      heartbeat: { keyFile, periodMs: P, missed: 5 },
    });
    bed = await createBed({ mode: 'dedicated', configFor: config, datapath: 'kernel' });
  }, 120_000);
  afterAll(async () => {
    flooder?.kill('SIGKILL');
    await bed?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test(
    `${FLOOD_SECONDS} s of >= 50,000 forged heartbeats/s: member pings lose nothing, membership unchanged`,
    async () => {
      const [h1, h2, h3] = bed.members;
      // members find each other from heartbeats first
      for (const [a, b] of orderedPairs(bed.members))
        await bed.shims[bed.members.indexOf(a)].waitFor(new RegExp(`membership: join ${b.name} `), 10_000);
      for (const [a, b] of orderedPairs(bed.members))
        expect(await bed.ping(a, b.ipv4, 1)).toEqual({ sent: 1, received: 1 });
      for (const [a, b] of orderedPairs(bed.members))
        expect(await bed.ping(a, b.ipv6, 1)).toEqual({ sent: 1, received: 1 });

      // 64 forged heartbeats: well-formed, unicast sources, new host IDs and sequences, wrong key
      const wrongKey = randomBytes(32);
      const parts: Buffer[] = [];
      for (let i = 0; i < 64; i++) {
        const f = new Uint8Array(HB_FRAME_LEN);
        encodeHeartbeatFrame(
          {
            hostId: 0x10000 + i,
            name: `forged${i}`,
            sequence: BigInt(1 + i),
            periodMs: P,
            clusterMac: Uint8Array.from(CLUSTER_MAC.split(':').map((h) => parseInt(h, 16))),
            clusterIp: new Uint8Array(4),
            addresses: [parseHostAddress(`198.18.1.${i + 1}`, 'forged')],
          },
          f,
        );
        signHeartbeat(f.subarray(14), wrongKey);
        const len = Buffer.alloc(2);
        len.writeUInt16BE(f.length);
        parts.push(len, Buffer.from(f));
      }
      const file = join(dir, 'forged.bin');
      writeFileSync(file, Buffer.concat(parts));

      // the flooder's TAP becomes a port of the bridge: broadcast heartbeats reach every member
      const want = `ichf${process.pid % 100000}`.slice(0, 15);
      flooder = spawn(
        process.execPath,
        ['-e', FLOODER, join(ROOT, 'build', 'native', 'tap.node'), file, want, String(FLOOD_SECONDS), String(RATE)],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let out = '';
      flooder.stdout!.on('data', (d) => (out += d));
      const exited = new Promise<void>((r) => flooder!.on('close', () => r()));
      for (let i = 0; i < 200 && !/open (\S+)\n/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      expect(/open (\S+)\n/.exec(out)?.[1]).toBe(want);
      for (const args of [
        ['link', 'set', want, 'netns', bed.switchNs],
        ['-n', bed.switchNs, 'link', 'set', want, 'master', 'br0'],
        ['-n', bed.switchNs, 'link', 'set', want, 'up'],
      ]) {
        const r = await run('ip', args);
        expect({ cmd: args.join(' '), code: r.code, stderr: r.stderr }).toEqual({
          cmd: args.join(' '),
          code: 0,
          stderr: '',
        });
      }
      const marks = bed.shims.map((s) => s.stdout.length + s.stderr.length);

      flooder.stdin!.write('go\n');
      const count = Math.floor((FLOOD_SECONDS * 1000) / 5) - 100; // every 5 ms, ending inside the flood
      const pings = await Promise.all([
        pingFlood(bed, h1.ns, h2.ipv4, count),
        pingFlood(bed, h2.ns, h3.ipv6, count),
        pingFlood(bed, h3.ns, h1.ipv4, count),
      ]);
      await exited;
      const flood = JSON.parse(out.trim().split('\n').pop()!) as { sent: number; errors: number; seconds: number };
      const rate = flood.sent / flood.seconds;
      await new Promise((r) => setTimeout(r, 2 * P));

      const events = bed.shims.map(
        (s, i) => (s.stdout + s.stderr).slice(marks[i]).match(/membership: (join|change|leave|refused)[^\n]*/g) ?? [],
      );
      await bed.stopShims();
      const reports = bed.attachReports;
      console.log(
        `heartbeat flood (kernel datapath): ${flood.sent} forged heartbeats in ${flood.seconds.toFixed(1)} s = ${Math.round(rate)}/s (${flood.errors} not written) into the switch; ` +
          `heartbeat frames read by the control planes: ${reports.map((r, i) => `${bed.members[i].name} ${r?.heartbeats.received ?? 0} (${r?.heartbeats.unknownOverBudget ?? 0} of unknown hosts over the budget, not authenticated)`).join(', ')}; ` +
          `dropped bad-authenticator: ${reports.map((r, i) => `${bed.members[i].name} ${r?.membership?.dropped['bad-authenticator'] ?? 0}`).join(', ')}; ` +
          `member pings every 5 ms: ${pings.map((p) => `${p.route} ${p.received}/${p.sent}`).join(', ')}`,
      );
      expect(flood.errors).toBe(0);
      expect(rate).toBeGreaterThanOrEqual(50_000);
      for (const p of pings) expect(p).toEqual({ route: p.route, sent: count, received: count });
      expect(events).toEqual([[], [], []]);
      for (const r of reports) {
        expect(r?.membership?.members.map((m) => m.name).sort()).toEqual(['host1', 'host2', 'host3']);
        expect(r!.heartbeats.readErrors).toBe(0);
        // the budget for unknown host IDs let some through to the HMAC, which refused them
        expect(r!.membership!.dropped['bad-authenticator']).toBeGreaterThan(0);
      }
    },
    (FLOOD_SECONDS + 90) * 1000,
  );
});

async function pingFlood(
  bed: Bed,
  ns: string,
  to: string,
  count: number,
): Promise<{ route: string; sent: number; received: number }> {
  const from = bed.members.find((m) => m.ns === ns)!.name;
  const r = await run(
    'ip',
    ['netns', 'exec', ns, 'ping', '-n', '-q', '-c', String(count), '-i', '0.005', '-W', '1', to],
    count * 5 + 20_000,
  );
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(r.stdout);
  return { route: `${from} -> ${to}`, sent: m ? +m[1] : NaN, received: m ? +m[2] : NaN };
}
