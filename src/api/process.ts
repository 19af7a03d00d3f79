/**
 * `intracluster/process`: the two formats of `intracluster process` (docs/cli.md) as processors you
 * can drive yourself: push input bytes, get output batches; and `runProcess`, the whole filter over
 * any pair of streams.
 */
export { NdjsonProcessor, MAX_FRAME_BYTES, MAX_LINE_BYTES } from '../cli/ndjson';
export type { NdjsonCounters } from '../cli/ndjson';
export { BinaryProcessor, BinaryRecord, BINARY_IN_HEADER, BINARY_OUT_HEADER, BINARY_MAX_FRAME } from '../cli/binary';
export { runProcess } from '../cli/process';
export type { CliIo } from '../cli/command';
