// Membership from authenticated heartbeats, against real kernels. Each shim's config lists
// only itself (plus a heartbeat section): the members start knowing no other member, find each other
// from heartbeats and talk; one member's address is changed at run time; a forged and a replayed
// heartbeat, sent from the bed's non-member host, change nothing; a stopped member is dropped after N
// periods. Times are read from the layers' own log lines (wall clock, t=ms) and printed at the end.
// Both datapaths: with the kernel one, attach sends and receives heartbeats on a packet socket that
// sees EtherType 0x886F only, and installs each membership change in the maps.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHostAddress } from '../../src/address';
import { toHex } from '../../src/frame/build';
import { Bed, BedHost, BedHostPlan, CLUSTER_MAC, MEMBERS } from '../../src/live/bed';
import { Child, must } from '../../src/live/proc';
import { sendRawFramesInNamespace } from '../../src/live/tap';
import { CaptureReader } from '../../src/pcap/reader';
import {
  HB_FRAME_LEN,
  decodeHeartbeat,
  encodeHeartbeatFrame,
  heartbeatPayloadOffset,
  signHeartbeat,
} from '../../src/membership';
import { FAMILIES, createBed, datapathDescribe, expectedMac, layerReport, orderedPairs } from './helpers/live';

const P = 1000; // heartbeat period (the default)
const N = 5; // missed periods before a member leaves (the default)
const ISSUE_BOUND = 3 * P; // join and change within 3 periods (docs/heartbeat.md)

const measured: Record<string, Record<string, string>> = {};

/** The heartbeat frames (EtherType 0x886F) of a capture, in order, as copies. */
function heartbeatFrames(file: string): Uint8Array[] {
  const r = CaptureReader.open(file);
  const out: Uint8Array[] = [];
  try {
    for (let rec = r.next(); rec; rec = r.next())
      if (heartbeatPayloadOffset(rec.frame, rec.frame.length) >= 0) out.push(rec.frame.slice());
  } finally {
    r.close();
  }
  return out;
}

datapathDescribe('live membership from heartbeats', (datapath) => {
  let bed: Bed;
  let keyDir: string;
  let keyFile: string;
  const addresses = (m: BedHostPlan, ipv4 = m.ipv4) => [ipv4, m.ipv6, m.linkLocal];
  const config = (m: BedHostPlan, ipv4?: string) => ({
    clusterMac: CLUSTER_MAC,
    hosts: [{ name: m.name, addresses: addresses(m, ipv4) }],
    heartbeat: { keyFile, periodMs: P, missed: N },
  });

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'intracluster-hb-key-'));
    keyFile = join(keyDir, 'key');
    writeFileSync(keyFile, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
    bed = await createBed({ mode: 'dedicated', configFor: (m) => config(m), datapath });
  });
  afterAll(async () => {
    await bed?.destroy();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
    const m = measured[datapath];
    if (m && Object.keys(m).length)
      process.stdout.write(
        `\nheartbeat timings, ${datapath} datapath (P = ${P} ms, N = ${N}):\n${Object.entries(m)
          .map(([k, v]) => `  ${k}: ${v}`)
          .join('\n')}\n`,
      );
  });

  const shim = (h: BedHost): Child => bed.shims[bed.members.indexOf(h)];
  const log = (h: BedHost) => shim(h).stdout + '\n' + shim(h).stderr;
  const mark = (h: BedHost) => shim(h).stdout.length + shim(h).stderr.length + 1;
  const periods = (ms: number) => `${(ms / P).toFixed(2)} P`;

  test('join: members that start knowing nobody find each other within 3 periods', async () => {
    const onWire = new Map<string, number>();
    for (const h of bed.members)
      onWire.set(h.name, +(await shim(h).waitFor(/heartbeats on the wire[^\n]* t=(\d+)/, ISSUE_BOUND + 10_000))[1]);
    const latencies: string[] = [];
    for (const [a, b] of orderedPairs(bed.members)) {
      const m = await shim(a).waitFor(
        new RegExp(`membership: join ${b.name} host-id=\\d+ addresses=([^ ]+) t=(\\d+)`),
        ISSUE_BOUND + 5_000,
      );
      expect(m[1].split(',')).toEqual(addresses(MEMBERS.find((x) => x.name === b.name)!));
      // from b's first heartbeat on the wire (a's port may come up later: then a waits for b's next one)
      const after = +m[2] - onWire.get(b.name)!;
      latencies.push(`${a.name} learns ${b.name} ${periods(after)}`);
      expect({ pair: `${a.name} <- ${b.name}`, withinBound: after <= ISSUE_BOUND }).toEqual({
        pair: `${a.name} <- ${b.name}`,
        withinBound: true,
      });
    }
    (measured[datapath] ??= {}).join = `after the other's first heartbeat on the wire: ${latencies.join('; ')}`;
  });

  test('join: every ordered pair pings (IPv4, IPv6) and exchanges a TCP echo; neighbour tables hold dedicated MACs', async () => {
    const pairs = orderedPairs(bed.members);
    const pings = await Promise.all(
      pairs.flatMap(([a, b]) =>
        FAMILIES.map(async (f) => ({ route: `${a.name} -> ${b.name} ${f}`, ...(await bed.ping(a, b[f], 2)) })),
      ),
    );
    for (const r of pings) expect(r).toEqual({ route: r.route, sent: 2, received: 2 });
    const echoes = await Promise.all(
      pairs.map(async ([a, b]) => ({ route: `${a.name} -> ${b.name}`, ...(await bed.echo(a, b.ipv4, 16 * 1024)) })),
    );
    for (const r of echoes) expect(r).toEqual({ route: r.route, ok: true, sent: 16 * 1024, received: 16 * 1024 });
    for (const a of bed.members) {
      const table = await bed.neigh(a);
      for (const b of bed.members.filter((x) => x !== a))
        for (const f of FAMILIES)
          expect({ on: a.name, for: b[f], lladdr: table.find((e) => e.dst === b[f])?.lladdr }).toEqual({
            on: a.name,
            for: b[f],
            lladdr: expectedMac('dedicated', b, f),
          });
    }
  });

  test('a forged heartbeat (wrong key) and a replayed one, sent from the non-member, change nothing', async () => {
    // The non-member records a genuine heartbeat of host2 off its port (heartbeats are broadcast);
    // host2 sends newer ones meanwhile, so the recorded one is old when it comes back.
    const heard = await bed.capture(bed.nonMember.port, 'out');
    await new Promise((r) => setTimeout(r, 2.5 * P));
    const recorded = heartbeatFrames(await heard.stop()).find((f) => {
      const d = decodeHeartbeat(f.subarray(heartbeatPayloadOffset(f, f.length)));
      return d.ok && d.heartbeat.name === 'host2';
    });
    if (!recorded) throw new Error(`no heartbeat of host2 reached the non-member's port within ${2.5 * P} ms`);
    const h2 = decodeHeartbeat(recorded.subarray(14));
    if (!h2.ok) throw new Error('recorded frame does not decode');
    const wrongKey = randomBytes(32);
    const forge = (hostId: number, nm: string, addrs: string[]) => {
      const f = new Uint8Array(HB_FRAME_LEN);
      encodeHeartbeatFrame(
        {
          hostId,
          name: nm,
          sequence: h2.heartbeat.sequence + 1_000_000n,
          periodMs: P,
          clusterMac: h2.heartbeat.clusterMac,
          clusterIp: new Uint8Array(4),
          addresses: addrs.map((a) => parseHostAddress(a, 'forged')),
        },
        f,
      );
      signHeartbeat(f.subarray(14), wrongKey);
      return f;
    };
    // a new "member" and a move of host2 to another address, both under a wrong key; then the replay
    const frames = [
      forge(0x1badcafe, 'intruder', ['198.18.0.77']),
      forge(h2.heartbeat.hostId, 'host2', ['198.18.0.78']),
      recorded,
    ];
    const marks = bed.members.map(mark);
    const left = await bed.capture(bed.nonMember.port, 'in');
    // sent by a process inside the non-member's namespace, out of its own eth0 (raw socket)
    expect(await sendRawFramesInNamespace(bed.nonMember.ns, 'eth0', frames)).toEqual(frames.map((f) => f.length));
    await Promise.all(
      bed.members.map((h, i) => shim(h).waitFor(/dropped heartbeat #1 of reason bad-authenticator/, 5_000, marks[i])),
    );
    await Promise.all(
      [bed.members[0], bed.members[2]].map((h) =>
        shim(h).waitFor(/dropped heartbeat #1 of reason replayed/, 5_000, marks[bed.members.indexOf(h)]),
      ),
    );
    await shim(bed.members[1]).waitFor(/dropped heartbeat #1 of reason own-host-id/, 5_000, marks[1]);
    // the three entered the switch through the non-member's port, byte for byte, and nothing else of the kind
    expect(heartbeatFrames(await left.stop()).map(toHex)).toEqual(frames.map(toHex));
    await new Promise((r) => setTimeout(r, P)); // one more period: any change would have been logged
    for (const [i, h] of bed.members.entries()) {
      const since = log(h).slice(marks[i]);
      expect({ on: h.name, events: since.match(/membership: (join|change|leave|refused)[^\n]*/g) ?? [] }).toEqual({
        on: h.name,
        events: [],
      });
    }
    // and the members still reach host2 at its address
    for (const a of [bed.members[0], bed.members[2]])
      expect(await bed.ping(a, bed.members[1].ipv4, 2)).toEqual({ sent: 2, received: 2 });
  });

  test("heartbeats host1's own stack sends (raw socket) never leave host1's port; the layer's own do", async () => {
    const h1 = bed.members[0];
    const key = randomBytes(32);
    const fromStack = (src: Uint8Array | null, k: number) => {
      const f = new Uint8Array(HB_FRAME_LEN);
      encodeHeartbeatFrame(
        {
          hostId: 0x5eed0000 + k,
          name: `from-stack${k}`,
          sequence: 1n << 40n,
          periodMs: P,
          clusterMac: Uint8Array.from(CLUSTER_MAC.split(':').map((x) => parseInt(x, 16))),
          clusterIp: new Uint8Array(4),
          addresses: [parseHostAddress(`198.18.0.${80 + k}`, 'from-stack')],
        },
        f,
      );
      signHeartbeat(f.subarray(14), key);
      if (src) f.set(src, 6);
      return f;
    };
    // one with the heartbeat's own source MAC, one from the cluster MAC (what the stack's eth0 has)
    const frames = [
      fromStack(null, 1),
      fromStack(Uint8Array.from(CLUSTER_MAC.split(':').map((x) => parseInt(x, 16))), 2),
    ];
    const left = await bed.capture(h1.port, 'in');
    // a process in host1's namespace, out of its eth0 through the stack's path (an ordinary AF_PACKET
    // socket): the shim takes the frames and drops them; on the kernel datapath the egress program's
    // drop (TC_ACT_SHOT) reaches the sender as ENOBUFS ("No buffer space available")
    const sent: string[] = [];
    for (const f of frames)
      sent.push(
        await sendRawFramesInNamespace(h1.ns, 'eth0', [f]).then(
          (n) => (n[0] === f.length ? 'sent' : `sent ${n[0]} bytes`),
          (e: Error) => (/No buffer space available/.test(e.message) ? 'refused: ENOBUFS' : e.message),
        ),
      );
    expect(sent).toEqual(frames.map(() => (datapath === 'kernel' ? 'refused: ENOBUFS' : 'sent')));
    await new Promise((r) => setTimeout(r, 1.5 * P)); // at least one of the layer's own heartbeats meanwhile
    const names = heartbeatFrames(await left.stop()).map((f) => {
      const d = decodeHeartbeat(f.subarray(heartbeatPayloadOffset(f, f.length)));
      return d.ok ? d.heartbeat.name : '(undecodable)';
    });
    expect({ fromStack: names.filter((n) => n.startsWith('from-stack')), layer: names.includes('host1') }).toEqual({
      fromStack: [],
      layer: true,
    });
  });

  test('change: host2 moves to another IPv4 address at run time; the others reach it there within 3 periods; the old address is no longer rewritten', async () => {
    const [h1, h2, h3] = bed.members;
    const plan2 = MEMBERS[1];
    const oldIp = plan2.ipv4;
    const newIp = '198.18.0.22';
    // delete first: deleting a primary IPv4 address also deletes the secondaries of its subnet
    await must(
      'ip',
      ['-n', h2.ns, '-batch', '-'],
      10_000,
      `addr del ${oldIp}/24 dev eth0\naddr add ${newIp}/24 dev eth0\n`,
    );
    bed.writeConfig(config(plan2, newIp), bed.memberConfigPath('host2'));
    const marks = [mark(h1), mark(h3)];
    const from2 = mark(h2);
    const t0 = Date.now();
    shim(h2).proc.kill('SIGHUP');
    expect((await shim(h2).waitFor(/(reloaded|reload failed)[^\n]*/, 10_000, from2))[0]).toMatch(/^reloaded/);
    const times: string[] = [];
    for (const [i, a] of [h1, h3].entries()) {
      const m = await shim(a).waitFor(
        /membership: change host2 host-id=\d+ addresses=([^ ]+) -> ([^ ]+) t=(\d+)/,
        ISSUE_BOUND + 5_000,
        marks[i],
      );
      expect(m[1].split(',')).toEqual(addresses(plan2));
      expect(m[2].split(',')).toEqual(addresses(plan2, newIp));
      const after = +m[3] - t0;
      times.push(`${a.name} ${periods(after)}`);
      expect({ on: a.name, withinBound: after <= ISSUE_BOUND }).toEqual({ on: a.name, withinBound: true });
    }
    (measured[datapath] ??= {}).change = `after SIGHUP: ${times.join('; ')}`;
    // reached at the new address, with its new dedicated MAC
    for (const a of [h1, h3]) {
      expect({ from: a.name, ...(await bed.ping(a, newIp, 2)) }).toEqual({ from: a.name, sent: 2, received: 2 });
      expect((await bed.echo(a, newIp, 16 * 1024)).ok).toBe(true);
      expect((await bed.neigh(a)).find((e) => e.dst === newIp)?.lladdr).toBe('03:bf:c6:12:00:16');
    }
    // The old address is nobody's now: when host3's stack answers for it (sender MAC = cluster MAC),
    // host1's layer passes the reply unchanged (while 198.18.0.12 was host2's, step 502 would have
    // made it host2's dedicated MAC 03:bf:c6:12:00:0c).
    await must('ip', ['-n', h3.ns, 'addr', 'add', `${oldIp}/32`, 'dev', 'eth0']);
    try {
      await bed.flushNeigh(h1, oldIp);
      await bed.ping(h1, oldIp, 1);
      expect((await bed.neigh(h1)).find((e) => e.dst === oldIp)?.lladdr).toBe(CLUSTER_MAC);
    } finally {
      await must('ip', ['-n', h3.ns, 'addr', 'del', `${oldIp}/32`, 'dev', 'eth0']);
    }
  });

  test(`leave: host3 stops; the others drop it after N = ${N} missed periods; rewriting for it stops`, async () => {
    const [h1, h2, h3] = bed.members;
    const marks = [mark(h1), mark(h2)];
    const t0 = Date.now();
    await shim(h3).stop('SIGTERM', 5_000);
    const times: string[] = [];
    for (const [i, a] of [h1, h2].entries()) {
      const m = await shim(a).waitFor(
        /membership: leave host3 host-id=\d+ addresses=[^ ]+ reason=(\w+) silent-ms=(\d+) t=(\d+)/,
        (N + 3) * P,
        marks[i],
      );
      expect(m[1]).toBe('timeout');
      // never early: N periods and the half-period grace after host3's last heartbeat
      expect(+m[2]).toBeGreaterThanOrEqual((N + 0.5) * P);
      times.push(`${a.name} ${periods(+m[3] - t0)} after the stop (silent ${periods(+m[2])})`);
    }
    (measured[datapath] ??= {}).leave = times.join('; ');
    // host1 and host2 still talk, and neither lists host3 any more
    expect(await bed.ping(h1, h2.ipv6, 2)).toEqual({ sent: 2, received: 2 });
    await bed.stopShims();
    const reports = datapath === 'kernel' ? bed.attachReports : bed.shimReports;
    for (const [i, r] of reports.slice(0, 2).entries()) {
      expect(r?.membership?.members.map((m) => m.name).sort()).toEqual(['host1', 'host2']);
      // host2 refuses the forgery under its own host ID before the HMAC (own-host-id)
      const d = r!.membership!.dropped;
      expect((d['bad-authenticator'] ?? 0) + (i === 1 ? (d['own-host-id'] ?? 0) - 1 : 0)).toBeGreaterThanOrEqual(2);
      expect(layerReport(bed, i)!.errors).toBe(0);
    }
    const r1 = reports[0]!.membership!;
    expect(r1.members.find((m) => m.name === 'host2')?.addresses).toEqual(addresses(MEMBERS[1], '198.18.0.22'));
    expect(r1).toMatchObject({ joins: 2, changes: 1, leaves: 1, refused: 0 });
  });
});
