import { join } from 'node:path';
import { Workload, calibrate, measure, runPasses } from './engine';
import { SCENARIOS } from './engine-suite';
import { clusterConfig, engineFor, frameSet } from './scenarios';

/** One tree's bench modules (this build's, or another tree's build/bench for a paired comparison). */
export interface Bench {
  Workload: typeof Workload;
  calibrate: typeof calibrate;
  measure: typeof measure;
  runPasses: typeof runPasses;
  SCENARIOS: typeof SCENARIOS;
  clusterConfig: typeof clusterConfig;
  engineFor: typeof engineFor;
  frameSet: typeof frameSet;
}

/** The bench modules of the build in `dir` (its engine.js, engine-suite.js and scenarios.js). */
export function benchOf(dir: string): Bench {
  const load = (f: string) => require(join(dir, f)) as Record<string, unknown>;
  return { ...load('engine.js'), ...load('engine-suite.js'), ...load('scenarios.js') } as unknown as Bench;
}

/** This build's bench modules. */
export const SELF: Bench = { Workload, calibrate, measure, runPasses, SCENARIOS, clusterConfig, engineFor, frameSet };

/** The checked workload of scenario `id` with `members` members, built with one tree's modules. */
export function workloadOf(b: Bench, id: string, members: number): Workload {
  const s = b.SCENARIOS.find((x) => x.id === id);
  if (!s) throw new Error(`unknown scenario "${id}"`);
  const w = new b.Workload(
    `${id}/${members}`,
    b.engineFor(b.clusterConfig(members, s.mode)),
    b.frameSet(s.kinds, members, 8192, 7 + members, s.peer),
  );
  w.check();
  return w;
}
