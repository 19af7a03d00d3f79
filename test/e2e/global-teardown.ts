import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * Fails the run if a namespace of this run's beds is still there (and removes it): names of the
 * bed's pattern whose creating process is this one or is gone.
 */
export default async function globalTeardown(): Promise<void> {
  if (process.env.INTRACLUSTER_E2E_SKIP) return;
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const left = (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => {
      const m = /^ic-(\d+)-[0-9a-f]{4}-/.exec(n);
      return m !== null && (+m[1] === process.pid || !alive(+m[1]));
    });
  for (const ns of left) spawnSync('ip', ['netns', 'del', ns]);
  if (process.env.INTRACLUSTER_E2E_BUILD) rmSync(process.env.INTRACLUSTER_E2E_BUILD, { recursive: true, force: true });
  const s = ((Date.now() - Number(process.env.INTRACLUSTER_E2E_START)) / 1000).toFixed(1);
  process.stderr.write(`\ne2e: live tests took ${s} s; namespaces left behind: ${left.length}\n`);
  if (left.length) throw new Error(`e2e: namespaces left behind (now removed): ${left.join(', ')}`);
}
