// A shim killed and started again, and a reload that cannot read its config, against real kernels.
// The bed makes persistent TAPs (ip tuntap add), as an operator would, and moves them into the
// member and switch namespaces. A shim killed with SIGKILL leaves them there; started again with the
// namespaces named (--stack-netns, --wire-netns) it attaches to the same devices and the member is
// back, nothing else done by hand; started without them it refuses with one line instead of making
// new devices in its own namespace. A SIGHUP while the config path is a FIFO with no writer is
// refused at once and a running ping loses nothing. Figures are printed at the end.
import { execFileSync } from 'node:child_process';
import { copyFileSync, renameSync, rmSync } from 'node:fs';
import { Bed } from '../../src/live/bed';
import { Child, run } from '../../src/live/proc';
import { E2E_CLI, createBed, liveDescribe } from './helpers/live';

const measured: string[] = [];

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

liveDescribe('live, a restarted shim attaches to the devices it is named (persistent TAPs)', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await createBed({ mode: 'dedicated', persistentTaps: true });
  });
  afterAll(async () => {
    await bed?.destroy();
    if (measured.length)
      process.stdout.write(`\nrestart and reload figures:\n${measured.map((l) => `  ${l}`).join('\n')}\n`);
  });

  test('kill -9 then a restart naming the namespaces: the member is back (IPv4 and IPv6)', async () => {
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
    measured.push(
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

  test('started without the namespaces (the old way), the shim refuses with one line and creates nothing', async () => {
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
  });

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
      measured.push(
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

  test('a deleted TAP stops the shim with words', async () => {
    const h3 = bed.members[2];
    const s = bed.shims[2];
    await run('ip', ['-n', h3.ns, 'link', 'del', 'eth0']);
    await s.exited;
    // this shim opened its TAP under the bed's first name, before the bed renamed it eth0
    expect(s.stderr).toMatch(/stopping: stack side \S+: the device was deleted \(or its network namespace went away\)/);
    expect(s.stderr).not.toMatch(/poll error/);
    expect(s.exitCode).toBe(1);
  });
});
