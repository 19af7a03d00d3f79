import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, cli, ensureBuilt, expectOneLine, tempDir, writeConfig } from './helpers';

/* The CLI against what a shell hands it: a full stdout, FIFOs and devices as files, huge configs. */

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempDir();
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = () =>
  writeConfig(dir, { clusterMac: '02-bf-aa-bb-cc-dd', hosts: [{ name: 'h1', addresses: ['198.18.0.1'] }] });

test('a full stdout (> /dev/full): one line on stderr, exit 1', () => {
  const full = openSync('/dev/full', 'w');
  try {
    for (const args of [
      ['mac', '--config', config()],
      ['mac', '--config', config(), '--json'],
    ]) {
      const r = spawnSync(process.execPath, [BIN, ...args], {
        cwd: ROOT,
        stdio: ['ignore', full, 'pipe'],
        encoding: 'utf8',
        timeout: 60_000,
      });
      expectOneLine(
        { code: r.status, stdout: '', stderr: r.stderr },
        1,
        /^intracluster: writing stdout: ENOSPC: no space left on device/,
      );
    }
  } finally {
    closeSync(full);
  }
});

test('--config naming a FIFO without a writer, /dev/zero or a directory: one line at once, for mac and shim', () => {
  const fifo = join(dir, 'cluster.fifo');
  execFileSync('mkfifo', [fifo]);
  for (const [file, what] of [
    [fifo, 'a FIFO \\(named pipe\\)'],
    ['/dev/zero', 'a character device'],
    [dir, 'a directory'],
  ]) {
    // the shim reads its config before it opens a TAP: no root needed to see the refusal
    for (const args of [
      ['mac', '--config', file],
      ['shim', '--config', file, '--host', 'h1', '--stack', 'ic-t-s', '--wire', 'ic-t-w', '--create'],
    ]) {
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      expect(r.error).toBeUndefined(); // not killed by the timeout: no hang
      expectOneLine(
        { code: r.status, stdout: r.stdout, stderr: r.stderr },
        1,
        new RegExp(`config: .* is ${what}: the config must be a regular file \\(at most 64 MiB\\)`),
      );
    }
  }
});

test('mac on 80,000 hosts with IPv4 and IPv6 lists every address', () => {
  const n = 80_000;
  const hosts = Array.from({ length: n }, (_, i) => ({
    name: `h${i}`,
    addresses: [
      `198.${18 + (i >> 16)}.${(i >> 8) & 0xff}.${i & 0xff}`,
      `fd00::${((i + 1) >> 16).toString(16)}:${((i + 1) & 0xffff).toString(16)}`,
    ],
  }));
  const file = writeConfig(dir, { clusterMac: '02-bf-aa-bb-cc-dd', maskSourceMac: false, hosts }, 'big.json');
  const r = cli(['mac', '--config', file]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(2 + 2 * n);
  expect(lines[lines.length - 1]).toMatch(/^h79999 +fd00::1:3880 +03-bf-00-01-38-80 +ipv6-low32$/);
}, 120_000);
