/**
 * `intracluster/testing`: the golden-vector runner. Runs any directory of vectors (docs/golden-vectors.md)
 * against any container of adapters, so an adapter author checks their adapter with the same suite.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export {
  loadGoldenVectors,
  loadGoldenVectorFile,
  parseGoldenVector,
  listGoldenVectorFiles,
  goldenFrame,
  bytesEqual,
  GoldenVectorError,
} from './vector';
export type {
  GoldenVector,
  GoldenExpect,
  GoldenBefore,
  GoldenTshark,
  GoldenVerdict,
  GoldenDirection,
  GoldenFrameRole,
  TsharkFields,
} from './vector';
export { runGoldenVector, runGoldenDirectory, formatGoldenResults, goldenFactory } from './runner';
export type { GoldenResult, GoldenRunOptions, GoldenTarget, GoldenEngine, GoldenEngineFactory, GoldenContainer } from './runner';
export { describeGoldenVectors } from './jest';
export type { DescribeGoldenOptions } from './jest';
export { hexDiff, hexDump, frameFields } from './hexdiff';

/**
 * The vectors shipped with the package (`test/golden`), found from this module's location both in
 * the sources (src/testing) and in the build (dist/src/testing).
 */
export const GOLDEN_DIR: string = findGoldenDir(__dirname);

function findGoldenDir(from: string): string {
  for (let d = from; ; d = dirname(d)) {
    const candidate = join(d, 'test', 'golden');
    if (existsSync(join(d, 'package.json')) && existsSync(candidate)) return candidate;
    if (dirname(d) === d) return join(from, '..', '..', 'test', 'golden');
  }
}
