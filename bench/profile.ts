import { Workload, calibrate, measure, runPasses } from './engine';
import { SCENARIOS } from './engine-suite';
import { clusterConfig, engineFor, frameSet } from './scenarios';

/**
 * Runs one engine scenario for a while, for a CPU profile of just that path:
 *
 *   npx tsc -p bench/tsconfig.json && node --cpu-prof --cpu-prof-dir=/tmp/prof build/bench/bench/profile.js ns-rewrite 3 5
 *
 * Arguments: scenario id (see engine-suite.ts), member count (default 3), seconds (default 5).
 */
const [id = 'mix', members = '3', seconds = '5'] = process.argv.slice(2);
const s = SCENARIOS.find((x) => x.id === id);
if (!s) {
  process.stderr.write(`profile: unknown scenario "${id}" (scenarios: ${SCENARIOS.map((x) => x.id).join(', ')})\n`);
  process.exit(2);
}
const m = Number(members);
const w = new Workload(`${id}/${m}`, engineFor(clusterConfig(m, s.mode)), frameSet(s.kinds, m, 8192, 7 + m, s.peer));
w.check();
const reps = calibrate(w, Number(seconds));
const t = measure(runPasses, w, reps);
const n = reps * w.frames;
process.stdout.write(`${id}, ${m} members: ${n} frames, ${((t.wall / n) * 1e9).toFixed(1)} ns/frame wall, ${((t.cpu / n) * 1e9).toFixed(1)} ns/frame CPU\n`);
