import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The N-API addon built from native/tap.c by `npm ci` (see native/build.js). */
interface TapAddon {
  open(name: string): { fd: number; name: string };
  read(fd: number, buf: Uint8Array): number;
  write(fd: number, buf: Uint8Array, length: number): number;
  close(fd: number): number;
  watch(fd: number, onReadable: (status: number) => void): unknown;
  unwatch(handle: unknown): void;
}

/** errno values the shim tells apart (Linux, asm-generic/errno-base.h). */
export const EAGAIN = 11;

let addon: TapAddon | undefined;
let addonError = '';

/** The package root: the nearest folder above this file holding package.json (works from src/ and dist/src/). */
function packageRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) return __dirname;
    d = up;
  }
  return d;
}

/** Loads the addon once; undefined (with `tapAddonProblem()` saying why) when it is not built. */
export function loadTapAddon(): TapAddon | undefined {
  if (addon || addonError) return addon;
  const file = join(packageRoot(), 'build', 'native', 'tap.node');
  if (!existsSync(file)) {
    addonError = `the TAP addon is not built (${file} is missing): run "npm ci" or "node native/build.js" (needs a C compiler)`;
    return undefined;
  }
  try {
    addon = require(file) as TapAddon;
  } catch (e) {
    addonError = `the TAP addon ${file} does not load: ${(e as Error).message}`;
  }
  return addon;
}

export function tapAddonProblem(): string {
  loadTapAddon();
  return addonError;
}

/**
 * One TAP device (IFF_TAP | IFF_NO_PI): each read returns one Ethernet frame, each write injects one.
 * Opening a name that does not exist creates the device (it disappears when the descriptor closes);
 * opening an existing persistent device (`ip tuntap add ... mode tap`) attaches to it. The descriptor
 * keeps working after the interface moves to another network namespace.
 */
export class Tap {
  private watcher: unknown = null;
  private closed = false;

  private constructor(
    private readonly lib: TapAddon,
    readonly fd: number,
    readonly name: string,
  ) {}

  /** Opens (or creates) TAP `name` in this process's network namespace. Throws an errno error. */
  static open(name: string): Tap {
    const lib = loadTapAddon();
    // code + syscall: the CLI prints it as one line, like any system error.
    if (!lib) throw Object.assign(new Error(addonError), { code: 'ENOTBUILT', syscall: 'load' });
    const { fd, name: actual } = lib.open(name);
    return new Tap(lib, fd, actual);
  }

  /** Reads one frame into `buf`: its length, or -errno (-EAGAIN: none waiting). Never throws. */
  read(buf: Uint8Array): number {
    return this.closed ? -9 : this.lib.read(this.fd, buf);
  }

  /** Writes `buf[0 .. length)` as one frame: bytes written or -errno. Never throws. */
  write(buf: Uint8Array, length: number): number {
    return this.closed ? -9 : this.lib.write(this.fd, buf, length);
  }

  /** Calls `onReadable` on the event loop whenever a frame is waiting (status < 0: poll error). */
  watch(onReadable: (status: number) => void): void {
    if (this.closed || this.watcher) throw new Error(`tap ${this.name}: already watched or closed`);
    this.watcher = this.lib.watch(this.fd, onReadable);
  }

  /** Stops watching and closes the descriptor (a non-persistent device disappears). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.watcher) this.lib.unwatch(this.watcher);
    this.watcher = null;
    this.lib.close(this.fd);
  }
}
