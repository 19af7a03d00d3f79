import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Workload, calibrate, measure, runPasses } from './engine';
import { SCENARIOS } from './engine-suite';
import { clusterConfig, engineFor, frameSet } from './scenarios';

/**
 * Old build against new build of the engine, alternated on one machine (a shared machine's load
 * hits both alike): each round runs every scenario once in a fresh process of each build, the
 * order of the two builds swapped every round; the new/old ratio of frames per second of the
 * medians and of the best rounds (one process varies by up to 2x from the next: the best round
 * says what a build can do, the median what it did most of the time).
 * Each child times a scenario as the fastest of 8 short slices of CPU time (on a shared or
 * virtualised machine others' work only ever adds time, in bursts).
 *
 *   npx tsc -p bench/tsconfig.json      (in both trees; each needs its own bench build)
 *   node build/bench/bench/compare.js OLD_TREE [--rounds 25] [--seconds 0.3] [--members 3] [--only ns-rewrite,na-rewrite]
 *
 * OLD_TREE is a checkout with `npm run build` and this file's build (copy bench/compare.ts into it
 * if it predates it). One child process per build and round: `compare.js --child ...` prints the
 * frames per second of each scenario as JSON.
 */
/** Slices per scenario and child; the figure is the fastest slice's. */
const SLICES = 8;

interface ChildResult {
  [scenario: string]: number;
}

function child(ids: string[], members: number, seconds: number): void {
  const out: ChildResult = {};
  for (const id of ids) {
    const s = SCENARIOS.find((x) => x.id === id);
    if (!s) throw new Error(`unknown scenario "${id}"`);
    const w = new Workload(
      `${id}/${members}`,
      engineFor(clusterConfig(members, s.mode)),
      frameSet(s.kinds, members, 8192, 7 + members, s.peer),
    );
    w.check();
    const reps = calibrate(w, seconds / SLICES);
    measure(runPasses, w, reps); // warm
    // the fastest of several short slices: a busy or shared machine only ever adds time
    let best = Infinity;
    for (let k = 0; k < SLICES; k++) best = Math.min(best, measure(runPasses, w, reps).cpu);
    out[id] = (reps * w.frames) / best;
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const ids = opt('only', SCENARIOS.map((s) => s.id).join(',')).split(',');
  const members = Number(opt('members', '3'));
  const seconds = Number(opt('seconds', '0.3'));
  if (args[0] === '--child') return child(ids, members, seconds);
  const oldTree = resolve(args[0] ?? '');
  const self = __filename;
  const rel = join('build', 'bench', 'bench', 'compare.js');
  const oldScript = join(oldTree, rel);
  if (!args[0] || !existsSync(oldScript))
    throw new Error(
      `usage: compare.js OLD_TREE [--rounds N] [--seconds S] [--members N] [--only a,b] (no ${oldScript})`,
    );
  const rounds = Number(opt('rounds', '25'));
  const runs: Record<'old' | 'new', ChildResult[]> = { old: [], new: [] };
  const run = (which: 'old' | 'new') => {
    const r = spawnSync(
      process.execPath,
      [
        which === 'old' ? oldScript : self,
        '--child',
        '--only',
        ids.join(','),
        '--members',
        String(members),
        '--seconds',
        String(seconds),
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`${which} build: ${r.stderr.trim().split('\n').pop()}`);
    runs[which].push(JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult);
  };
  for (let i = 0; i < rounds; i++) {
    const order: ('old' | 'new')[] = i % 2 === 0 ? ['old', 'new'] : ['new', 'old'];
    for (const w of order) run(w);
    process.stderr.write(`round ${i + 1}/${rounds}\n`);
  }
  process.stdout.write(
    `engine, ${members} members, ${rounds} alternated rounds, CPU time: M frames/s, new/old of the medians and of the best rounds\n`,
  );
  const fmt = (x: number) => (x / 1e6).toFixed(2).padStart(6);
  for (const id of ids) {
    const o = median(runs.old.map((r) => r[id]));
    const n = median(runs.new.map((r) => r[id]));
    const ob = Math.max(...runs.old.map((r) => r[id]));
    const nb = Math.max(...runs.new.map((r) => r[id]));
    process.stdout.write(
      `  ${id.padEnd(16)} median old ${fmt(o)} new ${fmt(n)} ratio ${(n / o).toFixed(3)}   best old ${fmt(ob)} new ${fmt(nb)} ratio ${(nb / ob).toFixed(3)}\n`,
    );
  }
}

main();
