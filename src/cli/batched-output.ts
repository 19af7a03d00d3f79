import type { Engine } from '../engine';

/** What the `process` formats need of an engine: the TypeScript Engine, or the kernel datapath's. */
export type ProcessEngine = Pick<Engine, 'process' | 'reason' | 'replyFrame' | 'replyLength' | 'stats'>;

/** Size of one batch of answers handed to `emit` (one allocation per batch, none per frame). */
export const OUT_BATCH = 256 * 1024;

/**
 * What the `process` formats (NDJSON, binary) share: the engine, and answers written into a batch
 * buffer that `flush` hands to `emit` as a fresh Buffer (never reused, so the caller may keep it).
 */
export abstract class BatchedOutput {
  protected out = Buffer.allocUnsafe(OUT_BATCH);
  protected outPos = 0;

  /**
   * @param emit receives each batch of answers (a fresh Buffer each time; never reused).
   *   Returns false to signal backpressure, which `flush` passes back.
   */
  constructor(
    protected readonly engine: ProcessEngine,
    protected readonly emit: (batch: Buffer) => boolean,
  ) {}

  /** Hands the pending output to `emit`. Returns emit's result (true when nothing was pending). */
  flush(): boolean {
    if (this.outPos === 0) return true;
    const batch = this.out.subarray(0, this.outPos);
    this.out = Buffer.allocUnsafe(OUT_BATCH);
    this.outPos = 0;
    return this.emit(batch);
  }
}
