import { CliError } from '../cli/command';
import type { ShimReport, ShimRunner } from '../live/runner';
import { Ops, OpsError, ReloadRecord } from './instance';
import { Logger, parseLogFormat } from './log';
import { shimStatus } from './shim';
import type { InstanceStatus } from './status';
import { FrameCount, FrameTally } from './tally';

/** The operator options every long-running command (`shim`, `attach`) takes; spread into parseArgs. */
export const OPS_OPTIONS = {
  metrics: { type: 'string' },
  'log-format': { type: 'string' },
  'control-dir': { type: 'string' },
  'no-control': { type: 'boolean' },
} as const;

export const OPS_OPTIONS_HELP = `  --metrics HOST:PORT  serve Prometheus metrics at http://HOST:PORT/metrics (PORT alone: 127.0.0.1)
  --log-format FORMAT  text (default) or json (one object per line: time, level, event, message, fields);
                       either way at most 20 lines per second, 5 per event, the rest counted and summed up
  --control-dir DIR    folder of the control socket for "intracluster status" (default
                       $INTRACLUSTER_RUN_DIR or /run/intracluster)
  --no-control         no control socket`;

type Values = Record<string, unknown>;

/**
 * What a long-running command does for operators, kept out of the command's own code: the logger
 * (text or JSON, rate-limited), reload bookkeeping, the frame tally, the control socket and the
 * metrics endpoint. `attach` uses it the same way with its own status function (`startWith`).
 */
export class OpsHooks {
  readonly logger: Logger;
  readonly log: (line: string) => void;
  readonly tally = new FrameTally();
  readonly reloads: ReloadRecord;
  readonly startedAt = Date.now();
  private ops: Ops | null = null;

  constructor(
    readonly kind: 'shim' | 'attach',
    private readonly values: Values,
    host: string | undefined,
    io: { stderr: NodeJS.WritableStream },
  ) {
    const format = parseLogFormat(values['log-format'], kind);
    this.logger = new Logger({
      format,
      prefix: `intracluster ${kind}${host ? ' ' + host : ''}: `,
      context: { component: kind, ...(host ? { host } : {}), pid: process.pid },
      write: (l) => io.stderr.write(l),
    });
    this.log = (line) => this.logger.line(line);
    this.reloads = new ReloadRecord(this.startedAt);
  }

  /** Records a reload from its result line ("reloaded ..." or "reload failed ..."); returns the line. */
  reloaded(line: string): string {
    if (/^reloaded /.test(line)) this.reloads.note(true, line);
    else if (/^reload failed/.test(line)) this.reloads.note(false, line);
    return line;
  }

  /** Starts the endpoints for a shim; attaches the tally to it first. Stops the runner on failure. */
  async startShim(runner: ShimRunner, values: Values = this.values): Promise<void> {
    runner.shim.tally = this.tally;
    const ctx = {
      startedAt: this.startedAt,
      reloads: this.reloads,
      tally: this.tally,
      stackNetns: typeof values['stack-netns'] === 'string' ? (values['stack-netns'] as string) : null,
    };
    try {
      await this.startWith(() => shimStatus(runner, ctx));
    } catch (e) {
      runner.stop();
      throw e;
    }
  }

  /** Starts the control socket and the metrics endpoint for any status function (attach). */
  async startWith(status: () => InstanceStatus): Promise<void> {
    const v = this.values;
    try {
      this.ops = await Ops.start({
        controlDir: typeof v['control-dir'] === 'string' ? (v['control-dir'] as string) : undefined,
        noControl: v['no-control'] === true,
        metrics: typeof v.metrics === 'string' ? (v.metrics as string) : undefined,
        status,
        log: this.log,
      });
    } catch (e) {
      throw e instanceof OpsError ? new CliError(e.message) : e;
    }
  }

  /** The exit report with the frame counts by direction, verdict and reason added. */
  report(r: ShimReport): ShimReport & { frames: FrameCount[] } {
    return { ...r, frames: this.tally.rows() };
  }

  /** Text lines of the frame counts for the text exit report. */
  formatFrames(): string {
    const rows = this.tally.rows();
    if (rows.length === 0) return '';
    return (
      '\n  frames by direction, verdict and reason:\n' +
      rows
        .map((f) => `    ${String(f.count).padStart(8)}  ${f.direction.padEnd(8)}  ${f.verdict.padEnd(7)}  ${f.reason}`)
        .join('\n')
    );
  }

  stop(): void {
    this.ops?.stop();
    this.ops = null;
    this.logger.flush();
  }
}
