/**
 * `intracluster/testing`: the golden-vector kit. Loads, writes and runs vectors (docs/golden-vectors.md)
 * against any engine factory or container of adapters, or against any command that speaks the
 * `process` contract over a pipe; checks frames with tshark; and the test doubles (`FakeClock`).
 */

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
export {
  runGoldenVector,
  runGoldenDirectory,
  formatGoldenResults,
  goldenFactory,
  judgeGoldenVector,
  failedGoldenVector,
  withGoldenFailures,
} from './runner';
export type {
  GoldenObserved,
  GoldenResult,
  GoldenRunOptions,
  GoldenTarget,
  GoldenEngine,
  GoldenEngineFactory,
  GoldenContainer,
} from './runner';
export { describeGoldenVectors } from './jest';
export type { DescribeGoldenOptions } from './jest';
export { hexDiff, hexDump, frameFields } from './hexdiff';
export { runGoldenVectorVia, runGoldenVectorsVia, encodeProcessInput, decodeProcessOutput } from './pipe';
export type { GoldenPipeOptions, PipeFormat, ProcessAnswer } from './pipe';
export { tsharkCheck, tsharkFields, TsharkError } from './tshark';
export type { TsharkFieldsOptions } from './tshark';
export { formatGoldenVector, writeGoldenVector } from './writer';
export type { GoldenVectorSpec } from './writer';
export { GOLDEN_SCHEMA, GOLDEN_SCHEMA_FILE } from './schema';
export { FakeClock } from '../membership/clock';

export { GOLDEN_DIR } from './golden-dir';
