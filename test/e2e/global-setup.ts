import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { kernelBackend } from '../../src/attach/kernel';
import { canRunLive, cleanupStale } from '../../src/live/bed';

/**
 * Live tests need root, network namespaces and TAP devices. Without them they are skipped, loudly;
 * with INTRACLUSTER_E2E=required (set by .ci/run) a missing capability fails the run.
 */
export default async function globalSetup(): Promise<void> {
  process.env.INTRACLUSTER_E2E_START = String(Date.now());
  const live = canRunLive();
  const required = process.env.INTRACLUSTER_E2E === 'required';
  if (!live.ok) {
    if (required) throw new Error(`INTRACLUSTER_E2E=required, but the live tests cannot run here: ${live.why}`);
    process.env.INTRACLUSTER_E2E_SKIP = live.why;
    const line = `LIVE E2E TESTS SKIPPED: ${live.why}`;
    const bar = '*'.repeat(line.length + 4);
    process.stderr.write(`\n${bar}\n* ${line} *\n${bar}\n(set INTRACLUSTER_E2E=required to make this an error)\n\n`);
    return;
  }
  // The kernel datapath's variants need the BPF programs and the libbpf addon as well.
  const kernel = kernelBackend().problem();
  if (kernel) {
    if (required) throw new Error(`INTRACLUSTER_E2E=required, but the kernel datapath cannot run here: ${kernel}`);
    process.env.INTRACLUSTER_E2E_KERNEL_SKIP = kernel;
    process.stderr.write(`\nKERNEL DATAPATH E2E TESTS SKIPPED: ${kernel}\n\n`);
  }
  const removed = await cleanupStale();
  if (removed.length) process.stderr.write(`e2e: removed namespaces left by a killed run: ${removed.join(', ')}\n`);
  // The shims run as separate processes: build the CLI from this tree into build/e2e/<pid> (not
  // dist/, and one folder per run: two runs at once must not overwrite each other's files).
  const root = join(__dirname, '..', '..');
  const base = join(root, 'build', 'e2e');
  for (const d of existsSync(base) ? readdirSync(base) : [])
    if (!/^\d+$/.test(d) || !alive(+d)) rmSync(join(base, d), { recursive: true, force: true });
  const outDir = join(base, String(process.pid));
  process.env.INTRACLUSTER_E2E_BUILD = outDir; // read by test/e2e/cli.js in the shim processes
  const tsc = spawnSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 180_000,
    },
  );
  if (tsc.status !== 0) throw new Error(`e2e: building the CLI for the shims failed:\n${tsc.stdout}${tsc.stderr}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
