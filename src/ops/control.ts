import { chmodSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { Server, Socket, createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import type { InstanceStatus } from './status';

/**
 * The control socket of a running instance: a unix stream socket `<dir>/<pid>.sock`, where `dir` is
 * `/run/intracluster` unless `--control-dir` or INTRACLUSTER_RUN_DIR says otherwise. A client sends
 * one line (`{"command":"status"}`) and reads one line back (the status as JSON), then the server
 * closes. The socket is mode 0600: only root (the instance's user) asks.
 */

export const DEFAULT_RUN_DIR = '/run/intracluster';
/** Requests larger than this are refused (a client sends a few dozen bytes). */
const MAX_REQUEST = 4096;
const CLIENT_TIMEOUT_MS = 5000;

export function runDir(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  return option ?? env.INTRACLUSTER_RUN_DIR ?? DEFAULT_RUN_DIR;
}

export function socketPath(dir: string, pid: number): string {
  return join(dir, `${pid}.sock`);
}

export class ControlServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly status: () => InstanceStatus,
  ) {
    this.server = createServer((s) => this.serve(s));
  }

  /** Listens at `<dir>/<pid>.sock` (creating `dir`; a socket left by a dead instance of this pid is replaced). */
  static async listen(dir: string, status: () => InstanceStatus, pid = process.pid): Promise<ControlServer> {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const path = socketPath(dir, pid);
    try {
      unlinkSync(path);
    } catch {
      /* none */
    }
    const c = new ControlServer(path, status);
    await new Promise<void>((resolve, reject) => {
      c.server.once('error', reject);
      c.server.listen(path, () => {
        c.server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, 0o600);
    c.server.on('error', () => undefined);
    return c;
  }

  private serve(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => undefined);
    s.setTimeout(CLIENT_TIMEOUT_MS, () => s.destroy());
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) {
        if (buf.length > MAX_REQUEST) s.end(JSON.stringify({ error: 'request too long' }) + '\n');
        return;
      }
      s.end(this.answer(buf.slice(0, nl)) + '\n');
    });
  }

  private answer(line: string): string {
    let req: unknown;
    try {
      req = JSON.parse(line);
    } catch {
      return JSON.stringify({ error: 'request is not JSON' });
    }
    const command = (req as { command?: unknown })?.command;
    if (command !== 'status')
      return JSON.stringify({ error: `unknown command ${JSON.stringify(command)} (known: status)` });
    try {
      return JSON.stringify({ status: this.status() });
    } catch (e) {
      return JSON.stringify({ error: `status failed: ${(e as Error).message}` });
    }
  }

  /** Stops listening and removes the socket file. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    this.server.close();
    try {
      unlinkSync(this.path);
    } catch {
      /* gone */
    }
  }
}

/** Asks the instance behind socket `path` for its status. Rejects with a one-line Error. */
export function queryStatus(path: string, timeoutMs = CLIENT_TIMEOUT_MS): Promise<InstanceStatus> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let buf = '';
    let settled = false;
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      f();
    };
    const timer = setTimeout(
      () => done(() => reject(new Error(`${path}: no answer within ${timeoutMs} ms`))),
      timeoutMs,
    );
    s.setEncoding('utf8');
    s.on('connect', () => s.write(JSON.stringify({ command: 'status' }) + '\n'));
    s.on('data', (d: string) => {
      buf += d;
      if (buf.length > 64 << 20) done(() => reject(new Error(`${path}: answer too long`)));
    });
    s.on('end', () =>
      done(() => {
        try {
          const r = JSON.parse(buf) as { status?: InstanceStatus; error?: string };
          if (r.status) resolve(r.status);
          else reject(new Error(`${path}: ${r.error ?? 'no status in the answer'}`));
        } catch {
          reject(new Error(`${path}: the answer is not JSON`));
        }
      }),
    );
    s.on('error', (e: NodeJS.ErrnoException) => done(() => reject(new Error(`${path}: ${connectProblem(e)}`))));
  });
}

function connectProblem(e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') return 'no such socket (is the instance running?)';
  if (e.code === 'ECONNREFUSED') return 'nothing listens (the instance is gone; a stale socket file)';
  if (e.code === 'EACCES') return 'permission denied (run as root)';
  return e.message;
}

/** Socket files in `dir` whose process is alive: `{ pid, path }`. */
export function listInstances(dir: string): { pid: number; path: string }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: { pid: number; path: string }[] = [];
  for (const n of names) {
    const m = /^(\d+)\.sock$/.exec(n);
    if (!m) continue;
    const pid = +m[1];
    if (!alive(pid)) continue;
    out.push({ pid, path: join(dir, n) });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
