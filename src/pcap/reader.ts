import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { FrameError } from '../errors';
import { LINKTYPE_ETHERNET } from './writer';

/**
 * Reader for classic pcap (both byte orders, microsecond and nanosecond magic) and pcapng (SHB, IDB,
 * EPB, SPB and the obsolete PB, both byte orders, several sections; unknown blocks skipped).
 * References: draft-ietf-opsawg-pcap (pcap), draft-ietf-opsawg-pcapng (pcapng).
 *
 * Every loop advances by at least one header, and every length is checked against the file size
 * before it is used, so a truncated or corrupt file ends in a CaptureError naming the byte offset of
 * the bad record, never in a hang or an out-of-range read. The file is read through a bounded window;
 * memory stays around the largest record, whatever the file size.
 */

/** Largest captured length accepted per record (Wireshark's standard maximum, 256 KiB). */
export const MAX_CAPTURED_LENGTH = 262144;
/** Largest pcapng block accepted (a packet block holds at most MAX_CAPTURED_LENGTH plus options). */
export const MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

const PCAP_MAGIC_USEC = 0xa1b2c3d4;
const PCAP_MAGIC_NSEC = 0xa1b23c4d;
const PCAP_HEADER_LEN = 24;
const PCAP_RECORD_HEADER_LEN = 16;

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_PB = 0x00000002; // obsolete Packet Block
const BLOCK_SPB = 0x00000003;
const BLOCK_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const IF_TSRESOL = 9;
const IF_FCSLEN = 13;
const IF_TSOFFSET = 14;

/** A malformed, truncated or unsupported capture file. `offset` is the byte offset of the bad record. */
export class CaptureError extends FrameError {
  constructor(format: string, message: string, offset: number) {
    super(format, `${message} (at byte offset ${offset})`, offset);
    this.name = 'CaptureError';
  }
}

export type CaptureFormat = 'pcap' | 'pcapng';

/** One packet. `frame` is a view into the reader's window: valid until the next `next()` call. */
export interface CaptureRecord {
  frame: Uint8Array;
  /** Length on the wire (may exceed frame.length when the capture was cut at the snap length). */
  originalLength: number;
  /** Seconds since the epoch. */
  seconds: number;
  /** Fraction of the second, in nanoseconds. */
  nanoseconds: number;
  /** Whether the source timestamp is finer than a microsecond. */
  subMicrosecond: boolean;
  /** pcapng interface id (0 for pcap). */
  interfaceId: number;
  /** Byte offset of the record (pcap record header or pcapng block) in the file. */
  offset: number;
}

/** A byte window over a file (or an in-memory buffer). `fill` never reads past the known size. */
class Window {
  private buf: Buffer;
  private lo = 0;
  private hi = 0;
  /** File offset of buf[lo]. */
  private base = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
    data?: Uint8Array,
  ) {
    this.buf = data ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.allocUnsafe(1 << 20);
    if (data) this.hi = data.byteLength;
  }

  get offset(): number {
    return this.base;
  }
  get remaining(): number {
    return this.size - this.base;
  }

  /** The n bytes at the current offset (caller checked n <= remaining). */
  view(n: number): Buffer {
    if (this.hi - this.lo < n) this.fill(n);
    return this.buf.subarray(this.lo, this.lo + n);
  }

  skip(n: number): void {
    const have = this.hi - this.lo;
    if (n <= have) this.lo += n;
    else this.lo = this.hi = 0; // next view() reads from the new offset
    this.base += n;
  }

  private fill(n: number): void {
    if (this.fd < 0) throw new Error('in-memory window read past its end'); // callers check sizes first
    if (n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
      this.buf.copy(bigger, 0, this.lo, this.hi);
      this.buf = bigger;
    } else {
      this.buf.copy(this.buf, 0, this.lo, this.hi);
    }
    this.hi -= this.lo;
    this.lo = 0;
    while (this.hi < n) {
      const pos = this.base + this.hi;
      const got = readSync(this.fd, this.buf, this.hi, Math.min(this.buf.length - this.hi, this.size - pos), pos);
      if (got <= 0)
        throw new CaptureError('capture', `file shrank while reading: ${this.size - pos} bytes expected`, pos);
      this.hi += got;
    }
  }
}

interface Interface {
  linkType: number;
  /** Units per second of EPB timestamps (if_tsresol; default 10^6). */
  unitsPerSecond: bigint;
  offsetSeconds: bigint;
  /** Bytes of FCS at the end of each frame (if_fcslen), stripped before the frame is returned. */
  fcsLength: number;
  snapLength: number;
}

/**
 * Reads packets one at a time from a pcap or pcapng file. Only Ethernet link types are accepted;
 * any other gives a CaptureError. Trailing FCS bytes (pcap FCS bits, pcapng if_fcslen) are stripped.
 */
export class CaptureReader {
  readonly format: CaptureFormat;
  private readonly win: Window;
  private readonly fd: number;
  private le = true;
  // pcap
  private pcapNsec = false;
  private pcapFcs = 0;
  // pcapng
  private interfaces: Interface[] = [];
  private sectionStart = 0;
  private readonly rec: CaptureRecord = {
    frame: new Uint8Array(0),
    originalLength: 0,
    seconds: 0,
    nanoseconds: 0,
    subMicrosecond: false,
    interfaceId: 0,
    offset: 0,
  };
  /** Number of interfaces described so far (pcapng, all sections). */
  interfaceCount = 0;
  /** Unknown or skipped blocks (pcapng). */
  skippedBlocks = 0;

  private constructor(fd: number, size: number, data?: Uint8Array) {
    this.fd = fd;
    this.win = new Window(fd, size, data);
    if (size < 4)
      throw new CaptureError('capture', `file of ${size} bytes is too short to be a pcap or pcapng file`, 0);
    const head = this.win.view(4);
    const be = head.readUInt32BE(0);
    const le = head.readUInt32LE(0);
    if (be === BLOCK_SHB) {
      this.format = 'pcapng';
      this.readShb();
    } else if (le === PCAP_MAGIC_USEC || le === PCAP_MAGIC_NSEC || be === PCAP_MAGIC_USEC || be === PCAP_MAGIC_NSEC) {
      this.format = 'pcap';
      this.readPcapHeader();
    } else {
      throw new CaptureError('capture', `not a pcap or pcapng file (magic 0x${be.toString(16).padStart(8, '0')})`, 0);
    }
  }

  /** Opens a file; the header is read and checked now. */
  static open(path: string): CaptureReader {
    // O_NONBLOCK: a FIFO without a writer opens at once (to be refused below) instead of hanging
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    try {
      const st = fstatSync(fd);
      if (!st.isFile())
        throw new CaptureError(
          'capture',
          `${st.isFIFO() ? 'a FIFO (named pipe)' : st.isDirectory() ? 'a directory' : st.isCharacterDevice() ? 'a character device' : 'not a regular file'} cannot be read: a capture must be a regular file (save the stream to a file first)`,
          0,
        );
      return new CaptureReader(fd, st.size);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Reads from bytes in memory. */
  static fromBytes(data: Uint8Array): CaptureReader {
    return new CaptureReader(-1, data.byteLength, data);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
  }

  /** The next packet, or null at the end of the file. */
  next(): CaptureRecord | null {
    return this.format === 'pcap' ? this.nextPcap() : this.nextPcapng();
  }

  *[Symbol.iterator](): Generator<CaptureRecord> {
    for (let r = this.next(); r; r = this.next()) yield r;
  }

  // ---- classic pcap ----

  private readPcapHeader(): void {
    if (this.win.remaining < PCAP_HEADER_LEN)
      throw new CaptureError('pcap', `file header truncated: ${this.win.remaining} of 24 bytes`, 0);
    const h = this.win.view(PCAP_HEADER_LEN);
    const magicLe = h.readUInt32LE(0);
    this.le = magicLe === PCAP_MAGIC_USEC || magicLe === PCAP_MAGIC_NSEC;
    const magic = this.le ? magicLe : h.readUInt32BE(0);
    this.pcapNsec = magic === PCAP_MAGIC_NSEC;
    const major = this.u16(h, 4);
    if (major !== 2) throw new CaptureError('pcap', `unsupported version ${major}.${this.u16(h, 6)} (expected 2.4)`, 4);
    // LinkType field: low 16 bits the link type; top 4 bits the FCS length in 16-bit words, valid
    // when the P bit (0x04000000) is set (libpcap LT_FCS_LENGTH_PRESENT)
    const field = this.u32(h, 20);
    const linkType = field & 0xffff;
    if (linkType !== LINKTYPE_ETHERNET) throw new CaptureError('pcap', unsupportedLink(linkType), 20);
    if (field & 0x04000000) this.pcapFcs = (field >>> 28) * 2;
    this.win.skip(PCAP_HEADER_LEN);
  }

  private nextPcap(): CaptureRecord | null {
    const w = this.win;
    const off = w.offset;
    if (w.remaining === 0) return null;
    if (w.remaining < PCAP_RECORD_HEADER_LEN)
      throw new CaptureError('pcap', `record header truncated: ${w.remaining} of 16 bytes`, off);
    const h = w.view(PCAP_RECORD_HEADER_LEN);
    const sec = this.u32(h, 0);
    const frac = this.u32(h, 4);
    const incl = this.u32(h, 8);
    const orig = this.u32(h, 12);
    if (incl > MAX_CAPTURED_LENGTH)
      throw new CaptureError(
        'pcap',
        `record claims ${incl} captured bytes (more than ${MAX_CAPTURED_LENGTH}): corrupt file`,
        off,
      );
    if (frac >= (this.pcapNsec ? 1e9 : 1e6))
      throw new CaptureError('pcap', `record timestamp fraction ${frac} is out of range: corrupt file`, off);
    if (w.remaining < PCAP_RECORD_HEADER_LEN + incl)
      throw new CaptureError(
        'pcap',
        `record truncated: ${incl} bytes of packet data announced, ${w.remaining - PCAP_RECORD_HEADER_LEN} present`,
        off,
      );
    w.skip(PCAP_RECORD_HEADER_LEN);
    const data = w.view(incl);
    w.skip(incl);
    const r = this.rec;
    r.frame = stripFcs(data, this.pcapFcs, orig);
    r.originalLength = this.pcapFcs && orig >= incl ? Math.max(0, orig - this.pcapFcs) : orig;
    r.seconds = sec;
    r.nanoseconds = this.pcapNsec ? frac : frac * 1000;
    r.subMicrosecond = this.pcapNsec;
    r.interfaceId = 0;
    r.offset = off;
    return r;
  }

  // ---- pcapng ----

  /** Section Header Block: byte order and a fresh interface list. */
  private readShb(): void {
    const w = this.win;
    const off = w.offset;
    if (w.remaining < 28)
      throw new CaptureError('pcapng', `section header block truncated: ${w.remaining} of at least 28 bytes`, off);
    const h = w.view(12);
    const bom = h.readUInt32LE(8);
    if (bom === BYTE_ORDER_MAGIC) this.le = true;
    else if (h.readUInt32BE(8) === BYTE_ORDER_MAGIC) this.le = false;
    else
      throw new CaptureError(
        'pcapng',
        `section header block has a bad byte-order magic 0x${h.readUInt32BE(8).toString(16)}`,
        off + 8,
      );
    const len = this.blockLength(off);
    const b = w.view(len);
    const major = this.u16(b, 12);
    if (major !== 1)
      throw new CaptureError('pcapng', `unsupported version ${major}.${this.u16(b, 14)} (expected 1.0)`, off + 12);
    w.skip(len);
    this.interfaces = [];
    this.sectionStart = off;
  }

  /** Checks a block's total length at `off` (both copies) and returns it. */
  private blockLength(off: number): number {
    const w = this.win;
    if (w.remaining < 12) throw new CaptureError('pcapng', `block header truncated: ${w.remaining} of 12 bytes`, off);
    const len = this.u32(w.view(8), 4);
    if (len < 12 || len % 4 !== 0)
      throw new CaptureError('pcapng', `block length ${len} is invalid (must be a multiple of 4, at least 12)`, off);
    if (len > MAX_BLOCK_LENGTH)
      throw new CaptureError('pcapng', `block length ${len} exceeds ${MAX_BLOCK_LENGTH}: corrupt file`, off);
    if (len > w.remaining)
      throw new CaptureError('pcapng', `block truncated: ${len} bytes announced, ${w.remaining} present`, off);
    const trailer = this.u32(w.view(len), len - 4);
    if (trailer !== len)
      throw new CaptureError('pcapng', `block length ${len} does not match its trailing copy ${trailer}`, off);
    return len;
  }

  private nextPcapng(): CaptureRecord | null {
    const w = this.win;
    // each iteration consumes one whole block (length >= 12), so the loop ends
    while (w.remaining > 0) {
      const off = w.offset;
      if (w.remaining < 8) throw new CaptureError('pcapng', `block header truncated: ${w.remaining} of 12 bytes`, off);
      const typeRaw = w.view(4);
      if (typeRaw.readUInt32BE(0) === BLOCK_SHB) {
        this.readShb();
        continue;
      }
      const type = this.u32(typeRaw, 0);
      const len = this.blockLength(off);
      const b = w.view(len);
      let rec: CaptureRecord | null = null;
      if (type === BLOCK_IDB) this.readIdb(b, off);
      else if (type === BLOCK_EPB) rec = this.readEpb(b, off);
      else if (type === BLOCK_SPB) rec = this.readSpb(b, off);
      else if (type === BLOCK_PB) rec = this.readPb(b, off);
      else this.skippedBlocks++;
      // the record's frame is a view into `b`: skip now, the bytes stay valid until the next view()
      w.skip(len);
      if (rec) return rec;
    }
    return null;
  }

  private readIdb(b: Buffer, off: number): void {
    if (b.length < 20)
      throw new CaptureError('pcapng', `interface description block of ${b.length} bytes is too short`, off);
    const iface: Interface = {
      linkType: this.u16(b, 8),
      unitsPerSecond: 1000000n,
      offsetSeconds: 0n,
      fcsLength: 0,
      snapLength: this.u32(b, 12),
    };
    this.forOptions(b, 16, off, (code, o, len) => {
      if (code === IF_TSRESOL && len >= 1) {
        const v = b[o];
        const exp = BigInt(v & 0x7f);
        if ((v & 0x80 ? exp : exp * 3n) > 64n) throw new CaptureError('pcapng', `if_tsresol ${v} is out of range`, off);
        iface.unitsPerSecond = v & 0x80 ? 1n << exp : 10n ** exp;
      } else if (code === IF_TSOFFSET && len >= 8) {
        iface.offsetSeconds = this.le ? b.readBigInt64LE(o) : b.readBigInt64BE(o);
      } else if (code === IF_FCSLEN && len >= 1) {
        iface.fcsLength = b[o];
      }
    });
    this.interfaces.push(iface);
    this.interfaceCount++;
  }

  /** Walks the options from `start` to the block trailer; each loop step advances at least 4 bytes. */
  private forOptions(
    b: Buffer,
    start: number,
    off: number,
    each: (code: number, at: number, len: number) => void,
  ): void {
    const end = b.length - 4;
    let o = start;
    while (o + 4 <= end) {
      const code = this.u16(b, o);
      const len = this.u16(b, o + 2);
      if (code === OPT_END) return;
      if (o + 4 + len > end)
        throw new CaptureError('pcapng', `option ${code} of ${len} bytes runs past the end of its block`, off + o);
      each(code, o + 4, len);
      o += 4 + ((len + 3) & ~3);
    }
  }

  private iface(id: number, off: number): Interface {
    const i = this.interfaces[id];
    if (!i)
      throw new CaptureError(
        'pcapng',
        `packet refers to interface ${id}, but the section defines ${this.interfaces.length} (section at offset ${this.sectionStart})`,
        off,
      );
    if (i.linkType !== LINKTYPE_ETHERNET)
      throw new CaptureError('pcapng', `interface ${id}: ${unsupportedLink(i.linkType)}`, off);
    return i;
  }

  private readEpb(b: Buffer, off: number): CaptureRecord {
    if (b.length < 32) throw new CaptureError('pcapng', `enhanced packet block of ${b.length} bytes is too short`, off);
    const id = this.u32(b, 8);
    const cap = this.u32(b, 20);
    if (cap > MAX_CAPTURED_LENGTH)
      throw new CaptureError('pcapng', `packet claims ${cap} captured bytes (more than ${MAX_CAPTURED_LENGTH})`, off);
    if (28 + cap > b.length - 4)
      throw new CaptureError(
        'pcapng',
        `packet data of ${cap} bytes runs past the end of its ${b.length}-byte block`,
        off,
      );
    const i = this.iface(id, off);
    return this.fill(i, id, off, b.subarray(28, 28 + cap), this.u32(b, 24), this.u32(b, 12), this.u32(b, 16));
  }

  /** Simple Packet Block: interface 0, no timestamp; captured length = min(original, snap, block room). */
  private readSpb(b: Buffer, off: number): CaptureRecord {
    if (b.length < 16) throw new CaptureError('pcapng', `simple packet block of ${b.length} bytes is too short`, off);
    const i = this.iface(0, off);
    const orig = this.u32(b, 8);
    let cap = Math.min(orig, b.length - 16);
    if (i.snapLength > 0) cap = Math.min(cap, i.snapLength);
    if (cap > MAX_CAPTURED_LENGTH)
      throw new CaptureError('pcapng', `packet claims ${cap} captured bytes (more than ${MAX_CAPTURED_LENGTH})`, off);
    return this.fill(i, 0, off, b.subarray(12, 12 + cap), orig, 0, 0);
  }

  /** Obsolete Packet Block (pcapng 1.0): like the EPB with a 16-bit interface id. */
  private readPb(b: Buffer, off: number): CaptureRecord {
    if (b.length < 32) throw new CaptureError('pcapng', `packet block of ${b.length} bytes is too short`, off);
    const id = this.u16(b, 8);
    const cap = this.u32(b, 20);
    if (cap > MAX_CAPTURED_LENGTH)
      throw new CaptureError('pcapng', `packet claims ${cap} captured bytes (more than ${MAX_CAPTURED_LENGTH})`, off);
    if (28 + cap > b.length - 4)
      throw new CaptureError(
        'pcapng',
        `packet data of ${cap} bytes runs past the end of its ${b.length}-byte block`,
        off,
      );
    const i = this.iface(id, off);
    return this.fill(i, id, off, b.subarray(28, 28 + cap), this.u32(b, 24), this.u32(b, 12), this.u32(b, 16));
  }

  private fill(
    i: Interface,
    id: number,
    off: number,
    data: Buffer,
    orig: number,
    tsHigh: number,
    tsLow: number,
  ): CaptureRecord {
    const r = this.rec;
    const units = (BigInt(tsHigh) << 32n) | BigInt(tsLow);
    const sec = units / i.unitsPerSecond + i.offsetSeconds;
    const frac = units % i.unitsPerSecond;
    r.frame = stripFcs(data, i.fcsLength, orig);
    r.originalLength = i.fcsLength && orig >= data.length ? Math.max(0, orig - i.fcsLength) : orig;
    r.seconds = Number(sec);
    r.nanoseconds = Number((frac * 1000000000n) / i.unitsPerSecond);
    r.subMicrosecond = i.unitsPerSecond > 1000000n;
    r.interfaceId = id;
    r.offset = off;
    return r;
  }

  private u16(b: Buffer, o: number): number {
    return this.le ? b.readUInt16LE(o) : b.readUInt16BE(o);
  }
  private u32(b: Buffer, o: number): number {
    return this.le ? b.readUInt32LE(o) : b.readUInt32BE(o);
  }
}

/** Strips a trailing FCS only when the frame was captured whole (a snapped frame has no FCS left). */
function stripFcs(data: Buffer, fcs: number, orig: number): Buffer {
  return fcs > 0 && data.length >= orig && data.length >= fcs ? data.subarray(0, data.length - fcs) : data;
}

const LINK_NAMES: Record<number, string> = {
  0: 'NULL',
  101: 'RAW',
  105: 'IEEE802_11',
  113: 'LINUX_SLL',
  127: 'IEEE802_11_RADIOTAP',
  228: 'IPV4',
  229: 'IPV6',
  276: 'LINUX_SLL2',
};

function unsupportedLink(t: number): string {
  return `link type ${t}${LINK_NAMES[t] ? ` (${LINK_NAMES[t]})` : ''} is not supported: only Ethernet (link type 1) frames can be rewritten`;
}
