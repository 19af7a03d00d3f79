import { ControlServer, runDir } from './control';
import { MetricsServer, parseListen } from './metrics';
import type { InstanceStatus } from './status';

export interface OpsOptions {
  /** Folder of the control socket (`--control-dir`); default INTRACLUSTER_RUN_DIR or /run/intracluster. */
  controlDir?: string;
  /** `--no-control`: no control socket. */
  noControl?: boolean;
  /** `--metrics HOST:PORT`: serve Prometheus metrics there. */
  metrics?: string;
  /** The instance's status, asked per `intracluster status` and per scrape. */
  status: () => InstanceStatus;
  /** One line per event. */
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/**
 * The operator's endpoints of a running instance (shim or attach): the control socket that
 * `intracluster status` asks, and the metrics endpoint. A control socket that cannot be created is
 * one line and the instance runs without it; a metrics address that cannot be bound is an error
 * (the operator asked for it), thrown before the instance says it is ready.
 */
export class Ops {
  private constructor(
    readonly control: ControlServer | null,
    readonly metrics: MetricsServer | null,
  ) {}

  static async start(o: OpsOptions): Promise<Ops> {
    const listen = o.metrics !== undefined ? parseListen(o.metrics) : null;
    let metrics: MetricsServer | null = null;
    if (listen) {
      try {
        metrics = await MetricsServer.listen(listen.host, listen.port, o.status);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new OpsError(
          `--metrics ${o.metrics}: cannot listen: ${err.code === 'EADDRINUSE' ? 'address in use' : err.code === 'EADDRNOTAVAIL' ? 'no such local address' : err.message}`,
        );
      }
      o.log(`metrics: serving ${metrics.url}`);
    }
    let control: ControlServer | null = null;
    if (!o.noControl) {
      const dir = runDir(o.controlDir, o.env);
      try {
        control = await ControlServer.listen(dir, o.status);
        o.log(`control: socket ${control.path} (intracluster status)`);
      } catch (e) {
        o.log(
          `control: no control socket in ${dir} (${(e as Error).message}); intracluster status cannot reach this instance`,
        );
      }
    }
    return new Ops(control, metrics);
  }

  stop(): void {
    this.control?.close();
    this.metrics?.close();
  }
}

export class OpsError extends Error {}

/** Reload bookkeeping for status and metrics. */
export class ReloadRecord {
  done = 0;
  failed = 0;
  last: { at: number; ok: boolean; message: string } | null = null;
  constructor(public loadedAt: number | null) {}

  note(ok: boolean, message: string, at = Date.now()): void {
    if (ok) {
      this.done++;
      this.loadedAt = at;
    } else this.failed++;
    this.last = { at, ok, message };
  }
}
