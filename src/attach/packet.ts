import { EAGAIN, loadTapAddon, tapAddonProblem } from '../live/tap';

/** The addon's packet-socket part (native/tap.c). */
interface PacketAddon {
  openPacket(ifname: string, ethertype: number): number;
  read(fd: number, buf: Uint8Array): number;
  write(fd: number, buf: Uint8Array, length: number): number;
  close(fd: number): number;
  watch(fd: number, onReadable: (status: number) => void): unknown;
  unwatch(handle: unknown): void;
}

export { EAGAIN };

/**
 * An AF_PACKET socket on one interface of this process's network namespace that receives only the
 * frames of one EtherType, after tc ingress (so a BPF ingress program decides first), and sends past
 * the qdisc and tc egress. The kernel datapath's control plane sends and receives its heartbeats
 * here: no frame of another EtherType ever reaches userspace.
 */
export class PacketSocket {
  private watcher: unknown = null;
  private closed = false;

  private constructor(
    private readonly lib: PacketAddon,
    readonly fd: number,
    readonly ifname: string,
    readonly ethertype: number,
  ) {}

  /** Throws an errno error (ENODEV: no such interface) or ENOTBUILT when the addon is missing. */
  static open(ifname: string, ethertype: number): PacketSocket {
    const lib = loadTapAddon() as unknown as PacketAddon | undefined;
    if (!lib || typeof lib.openPacket !== 'function')
      throw Object.assign(
        new Error(tapAddonProblem() || 'the TAP addon has no openPacket: rebuild it ("node native/build.js")'),
        { code: 'ENOTBUILT', syscall: 'load' },
      );
    return new PacketSocket(lib, lib.openPacket(ifname, ethertype), ifname, ethertype);
  }

  /** One frame into `buf`: its length, or -errno (-EAGAIN: none waiting). Never throws. */
  read(buf: Uint8Array): number {
    return this.closed ? -9 : this.lib.read(this.fd, buf);
  }

  /** Sends `buf[0 .. length)` as one frame: bytes sent, or -errno. Never throws. */
  write(buf: Uint8Array, length: number): number {
    return this.closed ? -9 : this.lib.write(this.fd, buf, length);
  }

  /** Calls `onReadable` on the event loop whenever a frame is waiting (status < 0: poll error). */
  watch(onReadable: (status: number) => void): void {
    if (this.closed || this.watcher) throw new Error(`packet socket on ${this.ifname}: already watched or closed`);
    this.watcher = this.lib.watch(this.fd, onReadable);
  }

  /** Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.watcher) this.lib.unwatch(this.watcher);
    this.watcher = null;
    this.lib.close(this.fd);
  }
}
