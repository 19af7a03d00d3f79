import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { calibrate, measure, runPasses } from './engine';
import { SCENARIOS } from './engine-suite';
import { SELF, workloadOf } from './workloads';

/**
 * A CPU profile of one engine path, the timed part only (not the config parsing before it):
 *
 *   npx tsc -p bench/tsconfig.json && node build/bench/bench/profile.js ns-rewrite 3 5 /tmp/ns.cpuprofile
 *
 * Arguments: scenario id (see engine-suite.ts), member count (default 3), seconds (default 5), and
 * optionally a file for the .cpuprofile (Chrome DevTools, speedscope). Prints ns/frame and the
 * functions with the most self time.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

async function main(): Promise<void> {
  const [id = 'mix', members = '3', seconds = '5', out] = process.argv.slice(2);
  if (!SCENARIOS.some((x) => x.id === id))
    throw new Error(`unknown scenario "${id}" (scenarios: ${SCENARIOS.map((x) => x.id).join(', ')})`);
  const m = Number(members);
  const w = workloadOf(SELF, id, m);
  const reps = calibrate(w, Number(seconds));

  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) =>
      session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  const t = measure(runPasses, w, reps);
  const { profile } = await post<{ profile: Profile }>('Profiler.stop');
  session.disconnect();

  const n = reps * w.frames;
  process.stdout.write(
    `${id}, ${m} members: ${n} frames, ${((t.wall / n) * 1e9).toFixed(1)} ns/frame wall, ${((t.cpu / n) * 1e9).toFixed(1)} ns/frame CPU\n`,
  );
  if (out) writeFileSync(out, JSON.stringify(profile));
  for (const [name, share] of selfTime(profile).slice(0, 12))
    process.stdout.write(`  ${(share * 100).toFixed(1).padStart(5)}%  ${name}\n`);
}

/** Share of the samples per function (self time; functions the JIT inlined count in their caller). */
function selfTime(p: Profile): [string, number][] {
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const t = new Map<string, number>();
  let total = 0;
  p.samples.forEach((sid, i) => {
    const cf = byId.get(sid)!.callFrame;
    const name = `${cf.functionName || '(anonymous)'} ${cf.url.split('/').slice(-2).join('/')}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
    const dt = p.timeDeltas[i] ?? 0;
    t.set(name, (t.get(name) ?? 0) + dt);
    total += dt;
  });
  return [...t].map(([k, v]): [string, number] => [k, v / total]).sort((a, b) => b[1] - a[1]);
}

main().catch((e) => {
  process.stderr.write(`profile: ${(e as Error).message}\n`);
  process.exit(1);
});
