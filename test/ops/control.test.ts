import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlServer, listInstances, queryStatus, runDir, socketPath } from '../../src/ops/control';
import { engine, statusOf } from './fixture';

describe('control socket', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ic-ops-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('run dir: option, then INTRACLUSTER_RUN_DIR, then /run/intracluster', () => {
    expect(runDir('/x', { INTRACLUSTER_RUN_DIR: '/y' })).toBe('/x');
    expect(runDir(undefined, { INTRACLUSTER_RUN_DIR: '/y' })).toBe('/y');
    expect(runDir(undefined, {})).toBe('/run/intracluster');
  });

  test('answers status as one JSON line; the socket is 0600 and removed on close', async () => {
    const e = engine();
    let asked = 0;
    const server = await ControlServer.listen(join(dir, 'run'), () => (asked++, statusOf(e)), 4242);
    try {
      expect(server.path).toBe(socketPath(join(dir, 'run'), 4242));
      expect(statSync(server.path).mode & 0o777).toBe(0o600);
      const s = await queryStatus(server.path);
      expect(s).toEqual(JSON.parse(JSON.stringify(statusOf(e))));
      expect(s.members.map((m) => m.name)).toEqual(['host1', 'host2', 'host3']);
      expect(asked).toBe(1);
    } finally {
      server.close();
    }
    expect(existsSync(server.path)).toBe(false);
    await expect(queryStatus(server.path)).rejects.toThrow('no such socket (is the instance running?)');
  });

  test('a bad request gets an error line, not a crash; the server keeps answering', async () => {
    const server = await ControlServer.listen(dir, () => statusOf(engine()), 4243);
    try {
      const reply = (line: string) =>
        new Promise<string>((resolve) => {
          const c = createConnection(server.path, () => c.write(line));
          let buf = '';
          c.setEncoding('utf8').on('data', (d: string) => (buf += d));
          c.on('end', () => resolve(buf));
        });
      expect(JSON.parse(await reply('not json\n'))).toEqual({ error: 'request is not JSON' });
      expect(JSON.parse(await reply('{"command":"halt"}\n'))).toEqual({
        error: 'unknown command "halt" (known: status)',
      });
      expect(JSON.parse(await reply('x'.repeat(5000)))).toEqual({ error: 'request too long' });
      expect((await queryStatus(server.path)).host).toBe('host1');
    } finally {
      server.close();
    }
  });

  test('listInstances: live processes only (a socket file of a dead pid is skipped)', async () => {
    const server = await ControlServer.listen(dir, () => statusOf(engine()));
    writeFileSync(join(dir, '999999999.sock'), '');
    writeFileSync(join(dir, 'notes.txt'), '');
    try {
      expect(listInstances(dir)).toEqual([{ pid: process.pid, path: server.path }]);
      expect(listInstances(join(dir, 'none'))).toEqual([]);
    } finally {
      server.close();
    }
  });
});
