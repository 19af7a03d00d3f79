import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { calibrate, measure, runPasses } from './engine';
import { SCENARIOS } from './engine-suite';
import { runChild, spread } from './stats';
import { SELF, benchOf, workloadOf } from './workloads';

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
 *
 *   node build/bench/bench/compare.js OLD_TREE --paired [--rounds 12] [...]
 *
 * times both builds in each process instead (pairedChild), and prints the median and range of the
 * per-process new/old ratios: the measurement docs/performance.md reports. OLD_TREE then needs
 * only its build/bench (any tree whose bench has engine.js, engine-suite.js and scenarios.js).
 */
/** Slices per scenario and child; the figure is the fastest slice's. */
const SLICES = 8;

interface ChildResult {
  [scenario: string]: number;
}

function child(ids: string[], members: number, seconds: number): void {
  const out: ChildResult = {};
  for (const id of ids) {
    const w = workloadOf(SELF, id, members);
    const reps = calibrate(w, seconds / SLICES);
    measure(runPasses, w, reps); // warm
    // the fastest of several short slices: a busy or shared machine only ever adds time
    let best = Infinity;
    for (let k = 0; k < SLICES; k++) best = Math.min(best, measure(runPasses, w, reps).cpu);
    out[id] = (reps * w.frames) / best;
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

/** M frames/s, for the tables. */
const fmt = (x: number) => (x / 1e6).toFixed(2).padStart(6);

/**
 * Paired child: both builds in this one process, each with its own harness and engine (separate
 * modules, so separate JIT feedback), their slices alternated. Whatever makes one process faster
 * or slower than the next (the JIT's choices, the host's phase) then hits both builds alike, and
 * the new/old ratio of one process is a paired measurement. Prints {scenario: [old, new]}.
 */
function pairedChild(oldTree: string, ids: string[], members: number, seconds: number, newFirst: boolean): void {
  const builds = [benchOf(join(oldTree, 'build', 'bench', 'bench')), benchOf(__dirname)];
  // which build is loaded, built and warmed first alternates between processes (the first one
  // measured faster in a run of one tree against a copy of itself)
  if (newFirst) builds.reverse();
  const out: Record<string, number[]> = {};
  for (const id of ids) {
    const ws = builds.map((b) => workloadOf(b, id, members));
    const reps = ws.map((w, i) => builds[i].calibrate(w, seconds / SLICES));
    ws.forEach((w, i) => builds[i].measure(builds[i].runPasses, w, reps[i])); // warm
    const best = [Infinity, Infinity];
    for (let k = 0; k < SLICES; k++)
      for (let j = 0; j < 2; j++) {
        const i = (k + j) % 2; // the order swapped every slice
        best[i] = Math.min(best[i], builds[i].measure(builds[i].runPasses, ws[i], reps[i]).cpu);
      }
    const fps = best.map((t, i) => (reps[i] * ws[i].frames) / t);
    out[id] = newFirst ? fps.reverse() : fps;
  }
  process.stdout.write(JSON.stringify(out) + '\n');
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
  if (args[0] === '--paired-child') return pairedChild(args[1], ids, members, seconds, args.includes('--new-first'));
  const oldTree = resolve(args[0] ?? '');
  const self = __filename;
  const rel = join('build', 'bench', 'bench', 'compare.js');
  const oldScript = join(oldTree, args.includes('--paired') ? join('build', 'bench', 'bench', 'engine-suite.js') : rel);
  if (!args[0] || !existsSync(oldScript))
    throw new Error(
      `usage: compare.js OLD_TREE [--paired] [--rounds N] [--seconds S] [--members N] [--only a,b] (no ${oldScript})`,
    );
  const rounds = Number(opt('rounds', '25'));
  if (args.includes('--paired')) return paired(oldTree, ids, members, seconds, rounds);
  const runs: Record<'old' | 'new', ChildResult[]> = { old: [], new: [] };
  const childArgs = ['--child', '--only', ids.join(','), '--members', `${members}`, '--seconds', `${seconds}`];
  const run = (which: 'old' | 'new') =>
    runs[which].push(runChild<ChildResult>(`${which} build`, which === 'old' ? oldScript : self, childArgs));
  for (let i = 0; i < rounds; i++) {
    const order: ('old' | 'new')[] = i % 2 === 0 ? ['old', 'new'] : ['new', 'old'];
    for (const w of order) run(w);
    process.stderr.write(`round ${i + 1}/${rounds}\n`);
  }
  process.stdout.write(
    `engine, ${members} members, ${rounds} alternated rounds, CPU time: M frames/s, new/old of the medians and of the best rounds\n`,
  );
  for (const id of ids) {
    const o = spread(runs.old.map((r) => r[id])).median;
    const n = spread(runs.new.map((r) => r[id])).median;
    const ob = Math.max(...runs.old.map((r) => r[id]));
    const nb = Math.max(...runs.new.map((r) => r[id]));
    process.stdout.write(
      `  ${id.padEnd(16)} median old ${fmt(o)} new ${fmt(n)} ratio ${(n / o).toFixed(3)}   best old ${fmt(ob)} new ${fmt(nb)} ratio ${(nb / ob).toFixed(3)}\n`,
    );
  }
}

/** `--paired`: `rounds` processes, each timing both builds (pairedChild); the ratios of each process. */
function paired(oldTree: string, ids: string[], members: number, seconds: number, rounds: number): void {
  const runs: Record<string, number[]>[] = [];
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 1 ? ['--new-first'] : [];
    const args = ['--paired-child', oldTree, ...order, '--only', ids.join(','), '--members', `${members}`];
    runs.push(runChild<Record<string, number[]>>('paired child', __filename, [...args, '--seconds', `${seconds}`]));
    process.stderr.write(`round ${i + 1}/${rounds}\n`);
  }
  process.stdout.write(
    `engine, ${members} members, ${rounds} processes each timing both builds, CPU time: M frames/s; new/old per process\n`,
  );
  for (const id of ids) {
    const ratios = spread(runs.map((r) => r[id][1] / r[id][0]));
    const ob = Math.max(...runs.map((r) => r[id][0]));
    const nb = Math.max(...runs.map((r) => r[id][1]));
    process.stdout.write(
      `  ${id.padEnd(16)} ratio median ${ratios.median.toFixed(3)} (${ratios.min.toFixed(3)} to ${ratios.max.toFixed(3)})   best old ${fmt(ob)} new ${fmt(nb)}\n`,
    );
  }
}

try {
  main();
} catch (e) {
  // a user mistake (an unknown scenario, a tree without a bench build) is one line, not a stack trace
  process.stderr.write(`compare: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
