import { UsageError } from '../errors';
import { OPS_OPTIONS } from '../ops/cli';
import { CliIo } from './command';
import { requireOption } from './engine-from-args';

/** Options of every command that runs one host's cluster layer (shim, attach) beside their own. */
export const LAYER_OPTIONS = {
  config: { type: 'string' },
  host: { type: 'string' },
  json: { type: 'boolean' },
  'exit-on-stdin-eof': { type: 'boolean' },
  ...OPS_OPTIONS,
  ...requireOption,
} as const;

/**
 * An optional string option: absent, or a non-empty value without a NUL byte; else a UsageError,
 * `CMD: --NAME needs WHAT (see: intracluster CMD --help)`.
 */
export function optionalValue(
  cmd: string,
  values: Record<string, unknown>,
  name: string,
  what = 'a value',
): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.includes('\0'))
    throw new UsageError(`${cmd}: --${name} needs ${what} (see: intracluster ${cmd} --help)`);
  return v;
}

/**
 * How long a cluster layer command runs: until SIGINT or SIGTERM (exit 0), `finish` (e.g. 1 when a
 * side failed for good) or, with --exit-on-stdin-eof, the end of stdin; SIGHUP calls `onHup`.
 * `watch` installs the handlers, `unwatch` removes them all.
 */
export class LayerLifetime {
  readonly finished: Promise<number>;
  readonly finish: (code: number) => void;
  private readonly onStop = () => this.finish(0);
  private onHup: () => void = () => undefined;
  private readonly stdinEof: boolean;

  constructor(
    values: Record<string, unknown>,
    private readonly io: CliIo,
  ) {
    let finish!: (code: number) => void;
    this.finished = new Promise<number>((resolve) => (finish = resolve));
    this.finish = finish;
    this.stdinEof = values['exit-on-stdin-eof'] === true;
  }

  watch(onHup: () => void): void {
    this.onHup = onHup;
    process.on('SIGINT', this.onStop);
    process.on('SIGTERM', this.onStop);
    process.on('SIGHUP', this.onHup);
    if (this.stdinEof) {
      this.io.stdin.on('end', this.onStop);
      this.io.stdin.on('close', this.onStop);
      this.io.stdin.resume();
    }
  }

  unwatch(): void {
    process.off('SIGINT', this.onStop);
    process.off('SIGTERM', this.onStop);
    process.off('SIGHUP', this.onHup);
    if (this.stdinEof) {
      this.io.stdin.off('end', this.onStop);
      this.io.stdin.off('close', this.onStop);
      this.io.stdin.pause();
    }
  }
}
