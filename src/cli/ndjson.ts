import { BatchedOutput } from './batched-output';
import { Direction, Verdict, reasonId, reasonText } from '../verdict';

/**
 * The `intracluster process` wire format, independent of streams so it can be embedded and tested:
 * bytes in (any chunking), one NDJSON result line per input line out, in order.
 *
 * Fast path: a line of the usual shape (`{"direction":"...","frame":"..."}`, any key order, any
 * whitespace, extra string-valued keys) is scanned in place in the input chunk and its hex decoded
 * straight into one reusable frame buffer; results are encoded straight into a batch buffer. No
 * string and no object is created per line. Anything else (escapes, non-string values) goes through
 * JSON.parse, so the accepted language is exactly JSON.
 */

/** Largest frame accepted (bytes). */
export const MAX_FRAME_BYTES = 65535;
/** Longest input line (bytes, without the newline); a longer one gets an error line and is skipped. */
export const MAX_LINE_BYTES = 1 << 20;

const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[0x61 + i] = 10 + i;
  HEX_VALUE[0x41 + i] = 10 + i;
}
const HEX_DIGITS = Buffer.from('0123456789abcdef');

const ascii = (s: string) => Buffer.from(s, 'latin1');
const PRE_PASS = ascii('{"verdict":"pass","frame":"');
const PRE_REWRITE = ascii('{"verdict":"rewrite","frame":"');
const PRE_REPLY = ascii('{"verdict":"reply","reply":"');
const PRE_DROP = ascii('{"verdict":"drop"');
const PRE_ERROR = ascii('{"verdict":"error","reason":');
const QUOTE = 0x22;
const KEY_DIRECTION = ascii('direction');
const KEY_FRAME = ascii('frame');
const DIR_INBOUND = ascii('inbound');
const DIR_OUTBOUND = ascii('outbound');

const SCAN_OK = 0;
const SCAN_FALLBACK = 1;

export interface NdjsonCounters {
  lines: number;
  errors: number;
}

export class NdjsonProcessor extends BatchedOutput {
  /** Input lines answered, and how many of them were error lines. */
  readonly counters: NdjsonCounters = { lines: 0, errors: 0 };
  private readonly frame = Buffer.alloc(MAX_FRAME_BYTES);
  /** A line split across chunks (copied); grows up to MAX_LINE_BYTES. */
  private tail = Buffer.allocUnsafe(4096);
  private tailLen = 0;
  /** Inside a line longer than MAX_LINE_BYTES: drop bytes up to the next newline. */
  private discarding = false;
  /** `,"reason":"...","reasonId":"..."` per reason number, JSON-encoded once. */
  private readonly reasonJson: (Buffer | undefined)[] = [];
  // results of scan()
  private dirStart = 0;
  private dirEnd = -1;
  private hexStart = 0;
  private hexEnd = -1;

  /** Answers every complete line in `chunk`; keeps an unterminated last line for later. */
  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      if (this.discarding) {
        this.discarding = false;
        this.error(`line longer than ${MAX_LINE_BYTES} bytes`);
      } else if (this.tailLen > 0) {
        if (this.appendTail(chunk, start, nl)) this.line(this.tail, 0, this.tailLen);
        else this.error(`line longer than ${MAX_LINE_BYTES} bytes`);
        this.tailLen = 0;
      } else {
        this.line(chunk, start, nl);
      }
      start = nl + 1;
    }
    if (start < chunk.length && !this.discarding && !this.appendTail(chunk, start, chunk.length)) {
      this.discarding = true;
      this.tailLen = 0;
    }
  }

  /** End of input: answers an unterminated last line. */
  end(): void {
    if (this.discarding) {
      this.discarding = false;
      this.error(`line longer than ${MAX_LINE_BYTES} bytes`);
    } else if (this.tailLen > 0) {
      this.line(this.tail, 0, this.tailLen);
    }
    this.tailLen = 0;
  }

  /** Appends chunk[s..e) to the tail; false when the line would exceed MAX_LINE_BYTES. */
  private appendTail(chunk: Buffer, s: number, e: number): boolean {
    const need = this.tailLen + (e - s);
    if (need > MAX_LINE_BYTES + 1) return false; // + 1: a trailing "\r" is not part of the line
    if (need > this.tail.length) {
      const bigger = Buffer.allocUnsafe(Math.min(Math.max(need, this.tail.length * 2), MAX_LINE_BYTES + 1));
      this.tail.copy(bigger, 0, 0, this.tailLen);
      this.tail = bigger;
    }
    chunk.copy(this.tail, this.tailLen, s, e);
    this.tailLen = need;
    return true;
  }

  /** One input line b[s..e), without its newline. */
  private line(b: Buffer, s: number, e: number): void {
    if (e > s && b[e - 1] === 0x0d) e--; // CRLF
    if (e - s > MAX_LINE_BYTES) return this.error(`line longer than ${MAX_LINE_BYTES} bytes`);
    let i = s;
    while (i < e && isWs(b[i])) i++;
    if (i === e) return this.error('empty line: expected {"direction":"inbound"|"outbound","frame":"<hex>"}');

    let direction: Direction;
    let length: number;
    if (this.scan(b, s, e) === SCAN_OK) {
      if (this.hexEnd < 0) return this.error('missing key "frame"');
      if (this.dirEnd < 0) return this.error('missing key "direction"');
      const d = bytesEqual(b, this.dirStart, this.dirEnd, DIR_INBOUND)
        ? Direction.Inbound
        : bytesEqual(b, this.dirStart, this.dirEnd, DIR_OUTBOUND)
          ? Direction.Outbound
          : -1;
      if (d < 0)
        return this.error(
          `unknown direction ${JSON.stringify(b.toString('utf8', this.dirStart, this.dirEnd))} (expected "inbound" or "outbound")`,
        );
      direction = d as Direction;
      length = this.decodeHexBytes(b, this.hexStart, this.hexEnd);
    } else {
      let v: unknown;
      try {
        v = JSON.parse(b.toString('utf8', s, e));
      } catch (err) {
        return this.error(`not JSON: ${(err as Error).message}`);
      }
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        return this.error('not a JSON object: expected {"direction":"inbound"|"outbound","frame":"<hex>"}');
      const o = v as Record<string, unknown>;
      if (o.frame === undefined) return this.error('missing key "frame"');
      if (o.direction === undefined) return this.error('missing key "direction"');
      if (o.direction !== 'inbound' && o.direction !== 'outbound')
        return this.error(`unknown direction ${JSON.stringify(o.direction)} (expected "inbound" or "outbound")`);
      if (typeof o.frame !== 'string') return this.error('"frame" must be a string of hex digits');
      direction = o.direction === 'inbound' ? Direction.Inbound : Direction.Outbound;
      length = this.decodeHexString(o.frame);
    }
    if (length < 0) return; // decode wrote the error line

    const engine = this.engine;
    const v = engine.process(this.frame, direction, length);
    this.counters.lines++;
    switch (v) {
      case Verdict.Pass:
      case Verdict.Rewrite:
        this.result(v === Verdict.Pass ? PRE_PASS : PRE_REWRITE, this.frame, length, engine.reason);
        break;
      case Verdict.Reply:
        this.result(PRE_REPLY, engine.replyFrame, engine.replyLength, engine.reason);
        break;
      default: {
        const reason = this.reason(engine.reason);
        this.reserve(PRE_DROP.length + reason.length + 2);
        this.put(PRE_DROP);
        this.put(reason);
        this.out[this.outPos++] = 0x7d; // }
        this.out[this.outPos++] = 0x0a;
      }
    }
  }

  /**
   * Scans a JSON object whose values are plain strings (no escapes), recording where the
   * "direction" and "frame" values are. SCAN_FALLBACK for anything else (JSON.parse decides).
   */
  private scan(b: Buffer, s: number, e: number): number {
    this.dirEnd = -1;
    this.hexEnd = -1;
    let i = skipWs(b, s, e);
    if (i >= e || b[i] !== 0x7b) return SCAN_FALLBACK; // {
    i = skipWs(b, i + 1, e);
    if (i < e && b[i] === 0x7d) return skipWs(b, i + 1, e) === e ? SCAN_OK : SCAN_FALLBACK;
    for (;;) {
      if (i >= e || b[i] !== QUOTE) return SCAN_FALLBACK;
      const ks = i + 1;
      const ke = stringEnd(b, ks, e);
      if (ke < 0) return SCAN_FALLBACK;
      i = skipWs(b, ke + 1, e);
      if (i >= e || b[i] !== 0x3a) return SCAN_FALLBACK; // :
      i = skipWs(b, i + 1, e);
      if (i >= e || b[i] !== QUOTE) return SCAN_FALLBACK;
      const vs = i + 1;
      const ve = stringEnd(b, vs, e);
      if (ve < 0) return SCAN_FALLBACK;
      if (bytesEqual(b, ks, ke, KEY_DIRECTION)) {
        this.dirStart = vs;
        this.dirEnd = ve;
      } else if (bytesEqual(b, ks, ke, KEY_FRAME)) {
        this.hexStart = vs;
        this.hexEnd = ve;
      }
      i = skipWs(b, ve + 1, e);
      if (i >= e) return SCAN_FALLBACK;
      if (b[i] === 0x2c) {
        i = skipWs(b, i + 1, e); // ,
        continue;
      }
      if (b[i] === 0x7d) return skipWs(b, i + 1, e) === e ? SCAN_OK : SCAN_FALLBACK; // }
      return SCAN_FALLBACK;
    }
  }

  /** Decodes hex b[s..e) into this.frame; returns the length, or -1 after writing an error line. */
  private decodeHexBytes(b: Buffer, s: number, e: number): number {
    const digits = e - s;
    if (!this.hexLengthOk(digits)) return -1;
    const f = this.frame;
    for (let i = s, j = 0; i < e; i += 2, j++) {
      const hi = HEX_VALUE[b[i]];
      const lo = HEX_VALUE[b[i + 1]];
      if ((hi | lo) < 0) {
        const at = hi < 0 ? i : i + 1;
        this.error(
          `bad hex in "frame": ${JSON.stringify(b.toString('utf8', at, Math.min(at + 1, e)))} at position ${at - s} is not a hex digit`,
        );
        return -1;
      }
      f[j] = (hi << 4) | lo;
    }
    return digits >> 1;
  }

  private decodeHexString(t: string): number {
    if (!this.hexLengthOk(t.length)) return -1;
    const f = this.frame;
    for (let i = 0; i < t.length; i += 2) {
      const a = t.charCodeAt(i);
      const c = t.charCodeAt(i + 1);
      const hi = a < 256 ? HEX_VALUE[a] : -1;
      const lo = c < 256 ? HEX_VALUE[c] : -1;
      if ((hi | lo) < 0) {
        const at = hi < 0 ? i : i + 1;
        this.error(`bad hex in "frame": ${JSON.stringify(t[at])} at position ${at} is not a hex digit`);
        return -1;
      }
      f[i >> 1] = (hi << 4) | lo;
    }
    return t.length >> 1;
  }

  private hexLengthOk(digits: number): boolean {
    if (digits % 2 !== 0) {
      this.error(`bad hex in "frame": odd number of hex digits (${digits})`);
      return false;
    }
    if (digits / 2 > MAX_FRAME_BYTES) {
      this.error(`frame of ${digits / 2} bytes is longer than ${MAX_FRAME_BYTES}`);
      return false;
    }
    return true;
  }

  /** `PRE<hex>"` + reason + `}\n`. */
  private result(pre: Buffer, bytes: Uint8Array, length: number, reason: number): void {
    const r = this.reason(reason);
    this.reserve(pre.length + 2 * length + 1 + r.length + 2);
    this.put(pre);
    const o = this.out;
    let p = this.outPos;
    for (let i = 0; i < length; i++) {
      const v = bytes[i];
      o[p++] = HEX_DIGITS[v >> 4];
      o[p++] = HEX_DIGITS[v & 15];
    }
    o[p++] = QUOTE;
    this.outPos = p;
    this.put(r);
    o[this.outPos++] = 0x7d;
    o[this.outPos++] = 0x0a;
  }

  private reason(id: number): Buffer {
    let r = this.reasonJson[id];
    if (r === undefined) {
      r =
        id === 0
          ? Buffer.alloc(0)
          : Buffer.from(`,"reason":${JSON.stringify(reasonText(id))},"reasonId":${JSON.stringify(reasonId(id))}`);
      this.reasonJson[id] = r;
    }
    return r;
  }

  private error(reason: string): void {
    this.counters.lines++;
    this.counters.errors++;
    const r = Buffer.from(JSON.stringify(reason));
    this.reserve(PRE_ERROR.length + r.length + 2);
    this.put(PRE_ERROR);
    this.put(r);
    this.out[this.outPos++] = 0x7d;
    this.out[this.outPos++] = 0x0a;
  }

  private reserve(n: number): void {
    if (this.outPos + n <= this.out.length) return;
    this.flush();
    if (n > this.out.length) this.out = Buffer.allocUnsafe(n);
  }

  private put(b: Buffer): void {
    b.copy(this.out, this.outPos);
    this.outPos += b.length;
  }
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

function skipWs(b: Buffer, i: number, e: number): number {
  while (i < e && isWs(b[i])) i++;
  return i;
}

/** Index of the closing quote of a string starting at s, or -1 (escape, control byte, no end). */
function stringEnd(b: Buffer, s: number, e: number): number {
  for (let i = s; i < e; i++) {
    const c = b[i];
    if (c === QUOTE) return i;
    if (c === 0x5c || c < 0x20) return -1;
  }
  return -1;
}

function bytesEqual(b: Buffer, s: number, e: number, word: Buffer): boolean {
  if (e - s !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (b[s + i] !== word[i]) return false;
  return true;
}
