import { GoldenRunOptions, GoldenTarget, runGoldenVector } from './runner';
import { GoldenVector, loadGoldenVectors } from './vector';

/** The two globals of jest (or vitest, mocha) this helper uses; typed here so the build needs no @types/jest. */
type TestFn = (name: string, fn: () => void) => void;
interface TestGlobals {
  describe?: (name: string, fn: () => void) => void;
  test?: TestFn;
  it?: TestFn;
}

export interface DescribeGoldenOptions extends GoldenRunOptions {
  /** Only vectors for which this returns true (e.g. by rule or path). */
  filter?: (vector: GoldenVector) => boolean;
  /** Title of the describe block (default: "golden vectors in DIR"). */
  title?: string;
}

/**
 * Declares one test per vector under `dir`, run against `target` (your inversify Container with
 * your adapters loaded, or an EngineFactory, or a function returning either, called once per test
 * file run). Call it at the top level of a jest test file. A directory that fails to load gives one
 * failing test that names the file and the key. Returns the vectors it declared tests for.
 */
export function describeGoldenVectors(
  dir: string,
  target: GoldenTarget | (() => GoldenTarget),
  options: DescribeGoldenOptions = {},
): GoldenVector[] {
  const g = globalThis as unknown as TestGlobals;
  const test = g.test ?? g.it;
  if (typeof g.describe !== 'function' || typeof test !== 'function')
    throw new Error(
      'describeGoldenVectors must be called inside a test runner (jest, vitest, mocha): no global describe/test',
    );
  let vectors: GoldenVector[] = [];
  let loadError: Error | undefined;
  try {
    vectors = loadGoldenVectors(dir).filter(options.filter ?? (() => true));
  } catch (e) {
    loadError = e as Error;
  }
  let resolved: GoldenTarget | undefined;
  const get = (): GoldenTarget =>
    (resolved ??= typeof target === 'function' ? (target as () => GoldenTarget)() : target);
  g.describe(options.title ?? `golden vectors in ${dir}`, () => {
    if (loadError) {
      const err = loadError;
      test('load the golden vectors', () => {
        throw err;
      });
      return;
    }
    for (const v of vectors) {
      test(`${v.path}: ${v.description}`, () => {
        const r = runGoldenVector(v, get(), options);
        if (!r.passed) {
          const e = new Error(r.message);
          e.stack = r.message; // the report is the whole story; a stack into the runner adds nothing
          throw e;
        }
      });
    }
  });
  return vectors;
}
