import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { must } from './proc';

/** The N-API addon built from native/tap.c by `npm ci` (see native/build.js). */
interface TapAddon {
  open(
    name: string,
    offload?: boolean,
    netns?: string,
    create?: boolean,
  ): { fd: number; name: string; offload?: boolean };
  read(fd: number, buf: Uint8Array): number;
  write(fd: number, buf: Uint8Array, length: number): number;
  readv?(fd: number, hdr: Uint8Array, buf: Uint8Array): number;
  writev?(fd: number, hdr: Uint8Array, buf: Uint8Array, length: number): number;
  close(fd: number): number;
  watch(fd: number, onReadable: (status: number) => void): unknown;
  unwatch(handle: unknown): void;
  sendRaw?(ifname: string, frame: Uint8Array): number;
  floodRaw?(
    ifname: string,
    frames: Uint8Array,
    frameLength: number,
    seconds: number,
    perSecond: number,
  ): { sent: number; errors: number; seconds: number };
}

/** errno values the shim tells apart (Linux, asm-generic/errno-base.h). */
export const EAGAIN = 11;

/** Size of the virtio-net header (struct virtio_net_hdr) in front of each frame of an offload TAP. */
export const VNET_HDR_LEN = 10;
/** The header of a plain frame: no GSO, checksum complete (replies, heartbeats, anything we build). */
const PLAIN_HDR = new Uint8Array(VNET_HDR_LEN);

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

function addonFile(): string {
  return join(packageRoot(), 'build', 'native', 'tap.node');
}

/** Loads the addon once; undefined (with `tapAddonProblem()` saying why) when it is not built. */
export function loadTapAddon(): TapAddon | undefined {
  if (addon || addonError) return addon;
  const file = addonFile();
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
  /** Header of the last frame read when the caller passed none (an offload TAP only). */
  private readonly scratchHdr = new Uint8Array(VNET_HDR_LEN);

  private constructor(
    private readonly lib: TapAddon,
    readonly fd: number,
    readonly name: string,
    /**
     * Offloads on (IFF_VNET_HDR, then TSO and checksum offload): each frame travels with a virtio-net
     * header and may be a TSO/GSO frame of up to 64 KiB, so one syscall carries what takes up to 44
     * at MTU size. Pass the header read with a frame to the write that forwards it.
     */
    readonly offload: boolean,
    /** The network namespace it was opened in (as given), or null for this process's. */
    readonly netns: string | null = null,
  ) {}

  /** "eth0" or "eth0 (network namespace m1)", for log lines. */
  get where(): string {
    return this.netns === null ? this.name : `${this.name} (network namespace ${this.netns})`;
  }

  /**
   * Opens TAP `name`. Throws an errno error whose message says what to do.
   * - `netns`: the network namespace the device is in: a name of `ip netns` (/run/netns/NAME) or a
   *   path (/proc/PID/ns/net); absent: this process's. The addon opens it from a helper thread that
   *   enters the namespace, so this process never leaves its own.
   * - `create`: make the device if it does not exist (non-persistent: it disappears when the
   *   descriptor closes). Without it a missing device is an error (ENODEV): an operator who names a
   *   device means that device, never a new one of the same name somewhere else.
   * - `offload`: see `Tap.offload` (false when the addon or the kernel cannot).
   */
  static open(name: string, options: { offload?: boolean; netns?: string; create?: boolean } = {}): Tap {
    const lib = loadTapAddon();
    // code + syscall: the CLI prints it as one line, like any system error.
    if (!lib) throw Object.assign(new Error(addonError), { code: 'ENOTBUILT', syscall: 'load' });
    const offload = options.offload === true && typeof lib.readv === 'function' && typeof lib.writev === 'function';
    const netns = options.netns === undefined ? '' : netnsPath(options.netns);
    const where = options.netns === undefined ? 'this network namespace' : `network namespace ${options.netns}`;
    if (netns && !existsSync(netns))
      throw Object.assign(
        new Error(`network namespace ${options.netns} not found (${netns} does not exist; see "ip netns list")`),
        { code: 'ENOENT', syscall: 'setns' },
      );
    let r: { fd: number; name: string };
    try {
      // If the kernel refuses the offloads themselves, frames are MTU-sized but still carry the header.
      r = lib.open(name, offload, netns, options.create !== false);
    } catch (e) {
      throw explainOpenError(e as NodeJS.ErrnoException, name, where);
    }
    return new Tap(lib, r.fd, r.name, offload, options.netns ?? null);
  }

  /**
   * Reads one frame into `buf`: its length, or -errno (-EAGAIN: none waiting). Never throws.
   * On an offload TAP the frame's virtio-net header goes to `hdr` (VNET_HDR_LEN bytes).
   */
  read(buf: Uint8Array, hdr: Uint8Array = this.scratchHdr): number {
    if (this.closed) return -9;
    return this.offload ? this.lib.readv!(this.fd, hdr, buf) : this.lib.read(this.fd, buf);
  }

  /**
   * Writes `buf[0 .. length)` as one frame: bytes written or -errno. Never throws. On an offload
   * TAP `hdr` is its virtio-net header (default: a plain frame, no GSO, checksum complete).
   */
  write(buf: Uint8Array, length: number, hdr: Uint8Array = PLAIN_HDR): number {
    if (this.closed) return -9;
    return this.offload ? this.lib.writev!(this.fd, hdr, buf, length) : this.lib.write(this.fd, buf, length);
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

/** `ip netns` name -> /run/netns/NAME; a path (with a "/") as given. */
export function netnsPath(ns: string): string {
  return ns.includes('/') ? ns : `/run/netns/${ns}`;
}

/** The addon's errno error for an open, in words (same code and syscall, so the CLI prints one line). */
function explainOpenError(e: NodeJS.ErrnoException, name: string, where: string): Error {
  const words: Record<string, string> = {
    ENODEV: `no device ${name} in ${where}: create it first (ip tuntap add dev ${name} mode tap), name the namespace it is in, or pass --create to make a new one`,
    EINVAL: `${name} in ${where} is not a TAP device (or one made with other flags, e.g. multi_queue or tun mode)`,
    EBUSY: `${name} in ${where} is already attached to another process (is another shim running for it?)`,
    EPERM: `opening ${name} in ${where} needs root (CAP_NET_ADMIN${where.startsWith('network') ? ' and CAP_SYS_ADMIN to enter the namespace' : ''})`,
    EACCES: `opening ${name} in ${where}: permission denied (root needed)`,
  };
  const w = e?.code ? words[e.code] : undefined;
  if (!w) return e;
  return Object.assign(new Error(`${w} [${e.syscall}: ${e.code}]`), { code: e.code, syscall: e.syscall ?? 'open' });
}

/** The addon, with sendRaw (an addon built before it had none). */
function rawAddon(): TapAddon & Required<Pick<TapAddon, 'sendRaw'>> {
  const lib = loadTapAddon();
  if (!lib?.sendRaw)
    throw Object.assign(new Error(addonError || 'the TAP addon has no sendRaw: rebuild it ("node native/build.js")'), {
      code: 'ENOTBUILT',
      syscall: 'load',
    });
  return lib as TapAddon & Required<Pick<TapAddon, 'sendRaw'>>;
}

/**
 * Sends `frame` as given (its own Ethernet header, no FCS) out of interface `ifname` of this process's
 * network namespace: an AF_PACKET raw socket bound to the interface. Bytes sent; throws an errno error.
 * For tests and tools (a station that is not a member), not the shim's path.
 */
export function sendRawFrame(ifname: string, frame: Uint8Array): number {
  return rawAddon().sendRaw(ifname, frame);
}

// Runs under `ip netns exec`: argv = addon file, interface, frames in hex; prints the bytes sent per frame.
const SEND_RAW_CHILD = `
const [file, ifname, ...frames] = process.argv.slice(1);
try {
  const lib = require(file);
  console.log(JSON.stringify(frames.map((h) => lib.sendRaw(ifname, Buffer.from(h, 'hex')))));
} catch (e) {
  console.error(e.message);
  process.exit(1);
}`;

/**
 * Sends `frames`, in order, out of interface `ifname` inside network namespace `ns`. A socket belongs
 * to the namespace it is created in, so a child process started under `ip netns exec` loads the addon
 * and sends them. Bytes sent per frame; rejects with the child's error, or when it takes longer than
 * `timeoutMs` (then it is killed).
 */
export async function sendRawFramesInNamespace(
  ns: string,
  ifname: string,
  frames: readonly Uint8Array[],
  timeoutMs = 10_000,
): Promise<number[]> {
  rawAddon(); // the child loads the same file: say now if it cannot
  const hex = frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('hex'));
  const out = await must(
    'ip',
    ['netns', 'exec', ns, process.execPath, '-e', SEND_RAW_CHILD, addonFile(), ifname, ...hex],
    timeoutMs,
  );
  return JSON.parse(out.trim()) as number[];
}

// Runs under `ip netns exec`: argv = addon file, interface, seconds, rate, frames in hex (one length).
const FLOOD_RAW_CHILD = `
const [file, ifname, seconds, rate, ...frames] = process.argv.slice(1);
try {
  const lib = require(file);
  if (!lib.floodRaw) throw new Error('the TAP addon has no floodRaw: rebuild it ("node native/build.js")');
  const all = Buffer.concat(frames.map((h) => Buffer.from(h, 'hex')));
  process.stdout.write('flooding\\n');
  console.log(JSON.stringify(lib.floodRaw(ifname, all, all.length / frames.length, Number(seconds), Number(rate))));
} catch (e) {
  console.error(e.message);
  process.exit(1);
}`;

/**
 * Sends `frames` (all of one length) round robin out of `ifname` inside network namespace `ns` for
 * `seconds`, at most `perSecond` per second (0: as fast as the kernel takes them), from a child
 * process (a socket belongs to the namespace it is made in). For load tests. Resolves with what
 * the child sent; rejects with its error or after `seconds` + 20 s.
 */
export async function floodRawFramesInNamespace(
  ns: string,
  ifname: string,
  frames: readonly Uint8Array[],
  seconds: number,
  perSecond: number,
): Promise<{ sent: number; errors: number; seconds: number }> {
  rawAddon();
  if (frames.length === 0 || frames.some((f) => f.length !== frames[0].length))
    throw new Error('floodRawFramesInNamespace: frames of one length are needed');
  const hex = frames.map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('hex'));
  const out = await must(
    'ip',
    [
      'netns',
      'exec',
      ns,
      process.execPath,
      '-e',
      FLOOD_RAW_CHILD,
      addonFile(),
      ifname,
      String(seconds),
      String(perSecond),
      ...hex,
    ],
    (seconds + 20) * 1000,
  );
  return JSON.parse(out.trim().split('\n').pop()!) as { sent: number; errors: number; seconds: number };
}
