import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { arpFrame } from '../../adapters/arp/repr';
import { ArpOp } from '../../adapters/arp/arp';

export const ROOT = resolve(__dirname, '../..');
export const BIN = join(ROOT, 'bin', 'intracluster.js');

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestMtime(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The bin runs dist/: build it (tsc -p tsconfig.build.json) when any source is newer than the built
 * CLI. A lock directory keeps parallel jest workers from building at the same time.
 */
export function ensureBuilt(): void {
  const main = join(ROOT, 'dist', 'src', 'cli', 'main.js');
  const fresh = () =>
    existsSync(main) &&
    statSync(main).mtimeMs >= Math.max(...['src', 'adapters', 'mappings'].map((d) => newestMtime(join(ROOT, d))));
  if (fresh()) return;
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const lock = join(ROOT, 'dist', '.build-lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`build lock ${lock} held for 3 minutes; remove it if no build is running`);
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 120_000) rmdirSync(lock); // left by a killed run
      sleep(200);
    }
  }
  try {
    if (fresh()) return;
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    // tsc emits even with type errors (noEmitOnError is off); those fail `npm test`'s typecheck step
    if (!existsSync(main)) throw new Error(`build failed:\n${r.stdout}${r.stderr}`);
  } finally {
    rmdirSync(lock);
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/intracluster.js ARGS` to completion. */
export function cli(args: string[], input?: string | Buffer, env?: NodeJS.ProcessEnv): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: env ? { ...process.env, ...env } : undefined,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A temporary directory for one test file. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'intracluster-cli-'));
}

export const CLUSTER = '02-bf-aa-bb-cc-dd';
export const H1 = '12.12.4.101';
export const H2 = '12.12.4.102';
export const H1_MAC = '03-bf-0c-0c-04-65';
export const H2_MAC = '03-bf-0c-0c-04-66';

/** The patent's two-host cluster (FIG. 6 addresses). */
export const FIG6_CONFIG = {
  clusterMac: CLUSTER,
  replyRewrite: 'sender', // FIG. 6 as drawn (row 630)
  maskSourceMac: false, // every frame from the cluster MAC, as FIG. 6 draws it
  hosts: [
    { name: 'host1', addresses: [H1] },
    { name: 'host2', addresses: [H2] },
  ],
};

export function writeConfig(dir: string, config: unknown, name = 'cluster.json'): string {
  const p = join(dir, name);
  writeFileSync(p, typeof config === 'string' ? config : JSON.stringify(config));
  return p;
}

// FIG. 6 rows, field by field from the patent's table (Repr builders, not the engine).
export const ROW = {
  600: arpFrame(
    { dst: 'ff-ff-ff-ff-ff-ff', src: CLUSTER },
    { op: ArpOp.REQUEST, sha: CLUSTER, spa: H1, tha: '00-00-00-00-00-00', tpa: H2 },
  ),
  610: arpFrame(
    { dst: 'ff-ff-ff-ff-ff-ff', src: CLUSTER },
    { op: ArpOp.REQUEST, sha: H1_MAC, spa: H1, tha: '00-00-00-00-00-00', tpa: H2 },
  ),
  620: arpFrame({ dst: H1_MAC, src: CLUSTER }, { op: ArpOp.REPLY, sha: CLUSTER, spa: H2, tha: H1_MAC, tpa: H1 }),
  630: arpFrame({ dst: H1_MAC, src: CLUSTER }, { op: ArpOp.REPLY, sha: H2_MAC, spa: H2, tha: CLUSTER, tpa: H1 }),
  640: arpFrame({ dst: CLUSTER, src: CLUSTER }, { op: ArpOp.REPLY, sha: H2_MAC, spa: H2, tha: CLUSTER, tpa: H1 }),
};

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** One NDJSON input line. */
export function line(direction: 'inbound' | 'outbound', frame: Uint8Array): string {
  return JSON.stringify({ direction, frame: hex(frame) }) + '\n';
}

/** Parses NDJSON output, one object per line (the output must end with a newline). */
export function parseLines(text: string): Record<string, string>[] {
  expect(text.endsWith('\n') || text === '').toBe(true);
  return text
    .split('\n')
    .slice(0, -1)
    .map((l) => JSON.parse(l));
}

/** A user mistake: exactly one line on stderr, and nothing that looks like a stack trace. */
export function expectOneLine(r: CliResult, code: number, pattern: RegExp): void {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code, stderr: expect.stringMatching(pattern) });
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/internal error/);
}
