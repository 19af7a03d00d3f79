import { BatchedOutput } from './batched-output';
import { Verdict, reasonId, reasonText } from '../verdict';
import type { NdjsonCounters } from './ndjson';

/**
 * `intracluster process --format binary`: the same filter as NDJSON with length-prefixed records, for
 * stacks that want more frames per second than hex text allows. All numbers big-endian.
 *
 * In (stdin), per frame:   direction u8 (0 inbound, 1 outbound), 0 u8, length u16, frame bytes.
 * Out (stdout), per frame: verdict u8 (0 pass, 1 rewrite, 2 drop, 3 reply, 4 error), 0 u8,
 *   reason u16, length u16, then that many bytes: the frame (pass, rewrite), the reply frame
 *   (reply), nothing (drop), the UTF-8 message (error).
 * Before the first answer that uses a reason number, one record of type 5 defines it: 5 u8, the
 * length n of its stable id u8, reason u16, length u16, then the id (n ASCII bytes, `arp.step502`)
 * followed by its UTF-8 text (length - n bytes). So the stream explains itself; a reader may skip
 * type 5.
 *
 * Like NdjsonProcessor: any chunking, answers in input order, no allocation per frame (the frame is
 * copied into one reusable buffer, answers into a batch buffer).
 */
export const BinaryRecord = { Pass: 0, Rewrite: 1, Drop: 2, Reply: 3, Error: 4, Reason: 5 } as const;
export const BINARY_IN_HEADER = 4;
export const BINARY_OUT_HEADER = 6;
/** Largest frame a record can carry (the u16 length). */
export const BINARY_MAX_FRAME = 0xffff;

export class BinaryProcessor extends BatchedOutput {
  /** Records answered (`lines` so --stats reads the same for both formats), and how many were errors. */
  readonly counters: NdjsonCounters = { lines: 0, errors: 0 };
  private readonly frame = new Uint8Array(BINARY_MAX_FRAME);
  /** The record being assembled: header bytes, then frame bytes straight into `frame`. */
  private readonly head = new Uint8Array(BINARY_IN_HEADER);
  private headLen = 0;
  private frameLen = -1;
  private frameGot = 0;
  private readonly reasonSent = new Uint8Array(65536);

  push(chunk: Uint8Array): void {
    const n = chunk.length;
    let p = 0;
    while (p < n) {
      if (this.frameLen < 0) {
        // fast path: a whole header in this chunk
        if (this.headLen === 0 && p + BINARY_IN_HEADER <= n) {
          for (let i = 0; i < BINARY_IN_HEADER; i++) this.head[i] = chunk[p + i];
          p += BINARY_IN_HEADER;
        } else {
          this.head[this.headLen++] = chunk[p++];
          if (this.headLen < BINARY_IN_HEADER) continue;
        }
        this.headLen = 0;
        this.frameLen = (this.head[2] << 8) | this.head[3];
        this.frameGot = 0;
      }
      const want = this.frameLen - this.frameGot;
      const k = want < n - p ? want : n - p;
      const f = this.frame;
      for (let i = 0, j = this.frameGot; i < k; i++, j++) f[j] = chunk[p + i];
      this.frameGot += k;
      p += k;
      if (this.frameGot === this.frameLen) {
        this.record();
        this.frameLen = -1;
      }
    }
  }

  /** End of input: a record cut short is answered with an error. */
  end(): void {
    if (this.headLen > 0)
      this.error(`truncated record at end of input: ${this.headLen} of ${BINARY_IN_HEADER} header bytes`);
    else if (this.frameLen >= 0)
      this.error(`truncated record at end of input: ${this.frameGot} of ${this.frameLen} frame bytes`);
    this.headLen = 0;
    this.frameLen = -1;
  }

  private record(): void {
    const dir = this.head[0];
    if (dir > 1) return this.error(`direction byte ${dir} is not 0 (inbound) or 1 (outbound)`);
    if (this.head[1] !== 0) return this.error(`second header byte is ${this.head[1]}, must be 0`);
    const engine = this.engine;
    const len = this.frameLen;
    const v = engine.process(this.frame, dir as 0 | 1, len);
    const reason = engine.reason;
    this.counters.lines++;
    if (reason > 0 && this.reasonSent[reason] === 0) this.defineReason(reason);
    if (v === Verdict.Pass || v === Verdict.Rewrite) this.answer(v, reason, this.frame, len);
    else if (v === Verdict.Reply) this.answer(v, reason, engine.replyFrame, engine.replyLength);
    else this.answer(v, reason, this.frame, 0);
  }

  private answer(type: number, reason: number, bytes: Uint8Array, length: number, second = 0): void {
    if (this.outPos + BINARY_OUT_HEADER + length > this.out.length) this.flush();
    const o = this.out;
    let p = this.outPos;
    o[p] = type;
    o[p + 1] = second;
    o[p + 2] = reason >>> 8;
    o[p + 3] = reason & 0xff;
    o[p + 4] = length >>> 8;
    o[p + 5] = length & 0xff;
    p += BINARY_OUT_HEADER;
    for (let i = 0; i < length; i++) o[p + i] = bytes[i];
    this.outPos = p + length;
  }

  private defineReason(reason: number): void {
    this.reasonSent[reason] = 1;
    const id = Buffer.from(reasonId(reason).slice(0, 255), 'latin1');
    const body = Buffer.concat([id, Buffer.from(reasonText(reason).slice(0, 16000), 'utf8')]);
    this.answer(BinaryRecord.Reason, reason, body, body.length, id.length);
  }

  private error(message: string): void {
    this.counters.lines++;
    this.counters.errors++;
    const text = Buffer.from(message, 'utf8');
    this.answer(BinaryRecord.Error, 0, text, text.length);
  }
}
