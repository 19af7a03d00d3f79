import { ChildProcess, execFile, spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** True when the command was killed because it ran past its time limit. */
  timedOut: boolean;
}

/** Runs a command to completion, never longer than `timeoutMs` (then SIGKILL). Never rejects. */
export function run(cmd: string, args: readonly string[], timeoutMs = 10_000, input?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          stdout: stdout ?? '',
          stderr: (stderr ?? '') + (e && typeof e.code === 'string' ? `${cmd}: ${e.code}` : ''),
          timedOut: !!e?.killed,
        });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Like `run`, but a non-zero exit is an error naming the command and its stderr. */
export async function must(cmd: string, args: readonly string[], timeoutMs = 10_000, input?: string): Promise<string> {
  const r = await run(cmd, args, timeoutMs, input);
  if (r.code !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')}: ${r.timedOut ? `no answer within ${timeoutMs} ms` : `exit ${r.code}`}: ${r.stderr.trim()}`,
    );
  return r.stdout;
}

/**
 * A long-running child (shim, echo server, capture). Output is collected; `waitFor` resolves when a
 * line matching a pattern appeared on stdout or stderr, or rejects after a bounded time or when the
 * child exits first.
 */
export class Child {
  readonly proc: ChildProcess;
  stdout = '';
  stderr = '';
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  readonly exited: Promise<void>;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly label: string,
    cmd: string,
    args: readonly string[],
  ) {
    // stdin stays a pipe: children that watch it (shims with --exit-on-stdin-eof, echo servers) die with us.
    this.proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout!.setEncoding('utf8').on('data', (d: string) => ((this.stdout += d), this.notify()));
    this.proc.stderr!.setEncoding('utf8').on('data', (d: string) => ((this.stderr += d), this.notify()));
    this.proc.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.proc.on(
        'error',
        (e) => ((this.stderr += `${cmd}: ${e.message}\n`), (this.exitCode = -1), this.notify(), resolve()),
      );
      this.proc.on(
        'close',
        (code, signal) => ((this.exitCode = code), (this.exitSignal = signal), this.notify(), resolve()),
      );
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }
  get running(): boolean {
    return this.exitCode === null && this.exitSignal === null;
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves with the first match of `pattern` in the output from byte `from` on. */
  waitFor(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = (this.stdout + '\n' + this.stderr).slice(from).match(pattern);
        if (m) return done(() => resolve(m));
        if (!this.running)
          return done(() =>
            reject(
              new Error(
                `${this.label} exited (${this.exitCode ?? this.exitSignal}) before ${pattern}: ${this.stderr.trim()}`,
              ),
            ),
          );
      };
      const timer = setTimeout(
        () =>
          done(() => reject(new Error(`${this.label}: no ${pattern} within ${timeoutMs} ms: ${this.stderr.trim()}`))),
        timeoutMs,
      );
      const done = (f: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        f();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Sends `signal`, waits at most `graceMs`, then SIGKILL. Resolves when the child is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
    if (!this.running) return;
    this.proc.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)));
    if (await Promise.race([this.exited.then(() => false), late])) {
      this.proc.kill('SIGKILL');
      await this.exited;
    }
    clearTimeout(timer);
  }

  /** Synchronous last resort (process exit hook). */
  killNow(): void {
    if (this.running && this.proc.pid) {
      try {
        process.kill(this.proc.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}
