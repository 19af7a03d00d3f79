// A member's layer killed and started again, and a reload that cannot read its config, against real
// kernels, on both datapaths.
// Shim: the bed makes persistent TAPs (ip tuntap add), as an operator would, and moves them into the
// member and switch namespaces. A shim killed with SIGKILL leaves them there; started again with the
// namespaces named (--stack-netns, --wire-netns) it attaches to the same devices and the member is
// back, nothing else done by hand; started without them it refuses with one line instead of making
// new devices in its own namespace.
// Kernel: the programs stay on the member's veth while no control process runs. An attach stopped
// without --keep takes them away, and a new one brings the member back; an attach started with
// --keep and killed with SIGKILL leaves the datapath pinned, member traffic never stops (pings every
// 10 ms across the kill, the dead time and the adoption: none lost), and a later attach adopts it
// with its strict-sources state (the cluster runs with strictSources: true for that part).
// Both: a SIGHUP while the config path is a FIFO with no writer is refused at once and a running ping
// loses nothing; an interface deleted under the layer stops it with words. Figures at the end.
import { execFileSync } from 'node:child_process';
import { copyFileSync, renameSync, rmSync } from 'node:fs';
import { Bed, bedConfig } from '../../src/live/bed';
import { Child, run } from '../../src/live/proc';
import { E2E_CLI, createBed, datapathDescribe } from './helpers/live';

const measured: Record<string, string[]> = {};

/**
 * Pings `to` from namespace `ns` every 50 ms until the first reply (or `deadlineS`): ms from the call
 * to that reply (ping -D stamps it), or null if none came.
 */
async function msToFirstReply(ns: string, to: string, deadlineS = 15): Promise<number | null> {
  const t0 = Date.now();
  const r = await run(
    'ip',
    ['netns', 'exec', ns, 'ping', '-D', '-n', '-i', '0.05', '-c', '1', '-w', String(deadlineS), to],
    (deadlineS + 5) * 1000,
  );
  const m = /^\[(\d+\.\d+)\] \d+ bytes from/m.exec(r.stdout);
  return m ? Math.round(parseFloat(m[1]) * 1000 - t0) : null;
}

/**
 * A TCP echo of 1 KiB from namespace-host `from` to `to`, tried again every 50 ms until one succeeds
 * (or `deadlineMs`): ms from the call to the first success, or null. TCP rather than ping: without
 * the layer a veth hands a frame for a dedicated MAC to the stack as PACKET_MULTICAST, which ICMP
 * answers and TCP discards.
 */
async function msToFirstEcho(bed: Bed, from: Bed['members'][number], to: string, deadlineMs = 15_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < deadlineMs) {
    const r = await bed.echo(from, to, 1024, 300);
    if (r.ok) return Date.now() - t0;
    await new Promise((res) => setTimeout(res, 50));
  }
  return null;
}

/** `ping -i 0.01 -c count` from `ns` to `to`: packets sent and received. */
async function pingEvery10ms(ns: string, to: string, count: number): Promise<{ sent: number; received: number }> {
  const r = await run(
    'ip',
    ['netns', 'exec', ns, 'ping', '-n', '-q', '-i', '0.01', '-c', String(count), '-W', '1', to],
    count * 10 + 20_000,
  );
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(r.stdout);
  if (!m) throw new Error(`ping ${to}: no summary (exit ${r.code}): ${r.stderr.trim()}`);
  return { sent: +m[1], received: +m[2] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

datapathDescribe("live, a member's layer restarted", (datapath) => {
  let bed: Bed;
  const figures = () => (measured[datapath] ??= []);
  beforeAll(async () => {
    bed = await createBed({ mode: 'dedicated', datapath, persistentTaps: datapath === 'shim' });
  });
  afterAll(async () => {
    await bed?.destroy();
    const m = measured[datapath];
    if (m?.length)
      process.stdout.write(
        `\nrestart and reload figures, ${datapath} datapath:\n${m.map((l) => `  ${l}`).join('\n')}\n`,
      );
  });
  // each datapath restarts in its own way: a case exists only on its datapath (not skipped on the other)
  const only =
    (dp: typeof datapath) =>
    (name: string, fn: jest.ProvidesCallback, timeout?: number): void => {
      if (datapath === dp) test(name, fn, timeout);
    };
  const shimOnly = only('shim');
  const kernelOnly = only('kernel');

  kernelOnly('attach stopped without --keep takes the datapath away; a new attach brings the member back', async () => {
    const [h1, h2] = bed.members;
    expect(await bed.echo(h1, h2.ipv4, 1024)).toEqual({ ok: true, sent: 1024, received: 1024 });
    await bed.shims[1].stop('SIGTERM', 5_000);
    expect(bed.shims[1].exitCode).toBe(0);
    // no programs on host2's eth0: h1's frames for host2's dedicated MAC reach its stack unrewritten
    expect((await bed.echo(h1, h2.ipv4, 1024, 1_500)).ok).toBe(false);
    const t0 = Date.now();
    const back = Promise.all([msToFirstEcho(bed, h1, h2.ipv4), msToFirstEcho(bed, h1, h2.ipv6)]);
    // started with --keep for the next test; nothing is kept yet, so this one attaches afresh
    const c = await bed.startAttach(1, ['--keep']);
    const readyMs = Date.now() - t0;
    expect(c.stderr).toMatch(/ready: kernel datapath attached on eth0/);
    const [v4, v6] = await back;
    figures().push(
      `restart without --keep: attach ready after ${readyMs} ms; first TCP echo to host2 after ${v4} ms (IPv4), ${v6} ms (IPv6) (target 2000 ms)`,
    );
    expect({ v4: v4 !== null, v6: v6 !== null }).toEqual({ v4: true, v6: true });
  });

  kernelOnly(
    'attach --keep killed with SIGKILL: member traffic never stops; a new attach adopts the pinned datapath with its strict-sources state',
    async () => {
      const [h1, h2, h3] = bed.members;
      // strict sources from here on: host2's adopted datapath must still know whom it exchanged with
      for (const m of bed.members)
        bed.writeConfig({ ...bedConfig('dedicated'), strictSources: true }, bed.memberConfigPath(m.name));
      for (const line of await bed.reloadShims()) expect(line).toMatch(/^reloaded /);
      await Promise.all(bed.members.map((m) => bed.flushNeigh(m)));
      for (const [a, b] of [
        [h1, h2],
        [h3, h2],
        [h2, h1],
      ] as const) {
        expect(await bed.ping(a, b.ipv4, 2)).toEqual({ sent: 2, received: 2 });
        expect(await bed.ping(a, b.ipv6, 2)).toEqual({ sent: 2, received: 2 });
      }
      const COUNT = 600; // 10 ms apart: 6 s and more, across the kill, 3 s without a control process, and the adoption
      const pings = Promise.all([
        pingEvery10ms(h1.ns, h2.ipv4, COUNT),
        pingEvery10ms(h3.ns, h2.ipv6, COUNT),
        pingEvery10ms(h2.ns, h1.ipv4, COUNT),
      ]);
      await sleep(1_000);
      const old = bed.shims[1];
      old.proc.kill('SIGKILL');
      await old.exited;
      const deadAt = Date.now();
      await sleep(3_000);
      const fresh = await bed.startAttach(1);
      const deadMs = Date.now() - deadAt;
      expect(fresh.stderr).toMatch(/ready: kernel datapath adopted on eth0/);
      const [a, b, c] = await pings;
      figures().push(
        `kill -9 of attach --keep, ${deadMs} ms without a control process until the new attach had adopted: pings every 10 ms lost host1 -> host2 IPv4 ${a.sent - a.received} of ${a.sent}, host3 -> host2 IPv6 ${b.sent - b.received} of ${b.sent}, host2 -> host1 IPv4 ${c.sent - c.received} of ${c.sent} (strictSources on)`,
      );
      expect([a, b, c]).toEqual([
        { sent: COUNT, received: COUNT },
        { sent: COUNT, received: COUNT },
        { sent: COUNT, received: COUNT },
      ]);
      // and the adopted datapath keeps working: TCP both ways
      expect(await bed.echo(h1, h2.ipv4, 64 * 1024)).toEqual({ ok: true, sent: 64 * 1024, received: 64 * 1024 });
      expect(await bed.echo(h2, h3.ipv6, 64 * 1024)).toEqual({ ok: true, sent: 64 * 1024, received: 64 * 1024 });
    },
  );

  shimOnly('kill -9 then a restart naming the namespaces: the member is back (IPv4 and IPv6)', async () => {
    const [h1, h2] = bed.members;
    for (const a of ['ipv4', 'ipv6'] as const)
      expect({ to: h2[a], ...(await bed.ping(h1, h2[a], 2)) }).toEqual({ to: h2[a], sent: 2, received: 2 });

    await bed.killShim(1);
    // cut off while no shim runs: the persistent TAPs stay, without a reader
    expect(await bed.ping(h1, h2.ipv4, 2)).toEqual({ sent: 2, received: 0 });
    for (const [ns, dev] of [
      [h2.ns, 'eth0'],
      [bed.switchNs, h2.port],
    ]) {
      const link = execFileSync('ip', ['-n', ns, '-d', 'link', 'show', dev], { encoding: 'utf8' });
      expect({ dev, tap: /\btun type tap\b/.test(link), persistent: /persist on/.test(link) }).toEqual({
        dev,
        tap: true,
        persistent: true,
      });
    }

    const t0 = Date.now();
    const back = Promise.all([
      msToFirstReply(h1.ns, h2.ipv4),
      msToFirstReply(h1.ns, h2.ipv6),
      msToFirstReply(bed.nonMember.ns, h2.ipv4),
    ]);
    const ready = await bed.startShimInNamespaces(1);
    const readyMs = Date.now() - t0;
    expect(ready).toMatch(
      new RegExp(
        `ready: stack eth0 \\(network namespace ${h2.ns}\\) <-> wire ${h2.port} \\(network namespace ${bed.switchNs}\\)`,
      ),
    );
    const [v4, v6, outsider] = await back;
    figures().push(
      `restart after kill -9: shim ready after ${readyMs} ms; first reply from host2 after ${v4} ms (IPv4), ${v6} ms (IPv6), non-member ${outsider} ms (target 2000 ms)`,
    );
    expect({ v4: v4 !== null, v6: v6 !== null, outsider: outsider !== null }).toEqual({
      v4: true,
      v6: true,
      outsider: true,
    });
    for (const a of ['ipv4', 'ipv6'] as const)
      expect({ to: h2[a], ...(await bed.ping(h1, h2[a], 3)) }).toEqual({ to: h2[a], sent: 3, received: 3 });
    expect(await bed.echo(h1, h2.ipv4, 64 * 1024)).toEqual({ ok: true, sent: 64 * 1024, received: 64 * 1024 });
  });

  shimOnly(
    'started without the namespaces (the old way), the shim refuses with one line and creates nothing',
    async () => {
      const h2 = bed.members[1];
      const c = new Child('shim without netns', E2E_CLI[0], [
        ...E2E_CLI.slice(1),
        'shim',
        '--config',
        bed.memberConfigPath(h2.name),
        '--host',
        h2.name,
        '--stack',
        'eth0-missing',
        '--wire',
        h2.port,
      ]);
      await c.exited;
      expect({ code: c.exitCode, stderr: c.stderr }).toEqual({
        code: 1,
        stderr: expect.stringMatching(
          /^intracluster shim: no device eth0-missing in this network namespace: create it first .* or pass --create to make a new one \[if_nametoindex: ENODEV\]\n$/,
        ),
      });
      expect((await run('ip', ['link', 'show', 'eth0-missing'])).code).not.toBe(0);
      expect((await run('ip', ['link', 'show', h2.port])).code).not.toBe(0);
    },
  );

  test('SIGHUP while the config path is a FIFO with no writer: refused at once, a running ping loses nothing', async () => {
    const [h1, h2] = bed.members;
    const path = bed.memberConfigPath(h2.name);
    const saved = `${path}.saved`;
    copyFileSync(path, saved);
    rmSync(path);
    execFileSync('mkfifo', [path]);
    try {
      // 60 pings 50 ms apart (3 s) through host2's shim while it is told to reload 5 times
      const ping = run(
        'ip',
        ['netns', 'exec', h1.ns, 'ping', '-n', '-q', '-i', '0.05', '-c', '60', '-W', '1', h2.ipv4],
        20_000,
      );
      const lines: string[] = [];
      for (let k = 0; k < 5; k++) {
        await new Promise((r) => setTimeout(r, 400));
        const s = bed.shims[1];
        const from = s.stdout.length + s.stderr.length + 1;
        const t = Date.now();
        s.proc.kill('SIGHUP');
        const m = await s.waitFor(/(reloaded|reload failed)[^\n]*/, 5_000, from);
        lines.push(`${m[0]} (${Date.now() - t} ms)`);
      }
      const r = await ping;
      const sum = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
      figures().push(
        `reload from a FIFO with no writer: ${lines[0]}; ping during 5 reloads: ${sum?.[2]}/${sum?.[1]} received`,
      );
      for (const l of lines)
        expect(l).toMatch(
          /reload failed, keeping the previous config \(mode dedicated, 3 members .*\): config: .* is a FIFO \(named pipe\): the config must be a regular file/,
        );
      expect(sum?.slice(1)).toEqual(['60', '60']);
    } finally {
      rmSync(path, { force: true });
      renameSync(saved, path);
    }
  });

  test('a deleted interface stops the layer with words', async () => {
    const h3 = bed.members[2];
    const s = bed.shims[2];
    await run('ip', ['-n', h3.ns, 'link', 'del', 'eth0']);
    await s.exited;
    if (datapath === 'kernel') expect(s.stderr).toMatch(/stopping: interface eth0 is gone/);
    // this shim opened its TAP under the bed's first name, before the bed renamed it eth0
    else
      expect(s.stderr).toMatch(
        /stopping: stack side \S+: the device was deleted \(or its network namespace went away\)/,
      );
    expect(s.stderr).not.toMatch(/poll error/);
    expect(s.exitCode).toBe(1);
  });
});
