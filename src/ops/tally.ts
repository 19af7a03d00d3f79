import { Direction, VERDICT_NAMES, reasonCount, reasonId, reasonText } from '../verdict';

/** Frames the datapath decided without the engine: they get these reasons in the counters. */
export const OpsReason = {
  /** Relayed unchanged: relay mode, or this host is not listed in the config in force. */
  Relayed: 'relayed',
  /** A heartbeat consumed by the membership layer (never reaches the stack, never relayed). */
  Heartbeat: 'heartbeat',
  /** The engine threw (it promises not to): the frame was dropped. */
  InternalError: 'internal-error',
} as const;

const OPS_REASON_TEXT: Record<string, string> = {
  relayed: 'relayed unchanged: no cluster layer (relay mode, or this host is not in the config in force)',
  heartbeat: 'heartbeat consumed by the membership layer',
  'internal-error': 'internal error: frame dropped',
};

export interface FrameCount {
  direction: 'inbound' | 'outbound';
  verdict: string;
  /** Stable reason id (the engine's registry), `none`, or one of `OpsReason`. */
  reason: string;
  /** The reason in words. */
  text: string;
  count: number;
}

/** The stable id of engine reason `n` (the reason registry, docs/rules.md); `none` for no reason. */
export function reasonLabel(n: number): string {
  return n === 0 ? 'none' : reasonId(n);
}

/**
 * Frames by direction, verdict and reason, counted by the datapath as it forwards them (the shim's
 * pump). `count` is on the per-frame path: index arithmetic and one increment, no allocation.
 */
export class FrameTally {
  /** Engine reasons 0 .. engineSlots-1, then the `OpsReason` slots. */
  private readonly engineSlots = reasonCount() + 64;
  private readonly slots = this.engineSlots + 3;
  readonly relayedSlot = this.engineSlots;
  readonly heartbeatSlot = this.engineSlots + 1;
  readonly internalErrorSlot = this.engineSlots + 2;
  private readonly counts = new Float64Array(2 * 4 * this.slots);

  /** One frame. `reason`: an engine reason number or one of the `*Slot` numbers. */
  count(direction: Direction, verdict: number, reason: number): void {
    const r = reason >= 0 && reason < this.slots ? reason : this.engineSlots - 1;
    this.counts[(direction * 4 + (verdict & 3)) * this.slots + r]++;
  }

  /** Total frames counted. */
  total(): number {
    let n = 0;
    for (let i = 0; i < this.counts.length; i++) n += this.counts[i];
    return n;
  }

  /** Every non-zero count (allocates; for status and metrics). */
  rows(): FrameCount[] {
    const out: FrameCount[] = [];
    for (let d = 0; d < 2; d++) {
      for (let v = 0; v < 4; v++) {
        for (let r = 0; r < this.slots; r++) {
          const count = this.counts[(d * 4 + v) * this.slots + r];
          if (count === 0) continue;
          let reason: string;
          let text: string;
          if (r >= this.engineSlots) {
            reason = [OpsReason.Relayed, OpsReason.Heartbeat, OpsReason.InternalError][r - this.engineSlots];
            text = OPS_REASON_TEXT[reason];
          } else {
            reason = reasonLabel(r);
            text = r === 0 ? '(none)' : reasonText(r);
          }
          out.push({
            direction: d === Direction.Inbound ? 'inbound' : 'outbound',
            verdict: VERDICT_NAMES[v],
            reason,
            text,
            count,
          });
        }
      }
    }
    return out;
  }
}
