import type { FrameContext, ProtocolAdapter } from '../adapter';
import { EtherType } from '../frame/ethernet';
import { Direction, Reason, Verdict, defineReason } from '../verdict';

/** Reasons of the heartbeat family (docs/rules.md, `heartbeat.control-plane`, `heartbeat.from-stack`). */
export const HeartbeatReason = {
  ToControlPlane: defineReason(
    'heartbeat.to-control-plane',
    'heartbeat (EtherType 0x886F): to the control plane (membership), never relayed',
  ),
  /** The core's (docs/rules.md, `heartbeat.from-stack`). */
  FromStack: Reason.HeartbeatFromStack,
} as const;

/**
 * The heartbeat family (docs/heartbeat.md): EtherType 0x886F, after the engine's tag walk and its
 * `frame.multicast-source` rule. Inbound, the verdict is Pass with reason `heartbeat.to-control-plane`:
 * the datapath hands the frame, whose payload starts at the engine's `l3Offset`, to its control
 * plane (the shim: `Membership.process`; the kernel: the packet socket of the attach process, which
 * the stack delivers 0x886F frames to) and never relays it. Outbound, a heartbeat from the local
 * stack is dropped. Every engine has this adapter (src/engine.ts), as every BPF program has its C
 * half (src/membership/heartbeat.bpf.h): another adapter claiming 0x886F is an AdapterConflictError.
 */
export class HeartbeatAdapter implements ProtocolAdapter {
  readonly name = 'heartbeat';
  readonly etherTypes: readonly number[] = [EtherType.NLB_HEARTBEAT];

  process(ctx: FrameContext): Verdict {
    if (ctx.direction === Direction.Outbound) {
      ctx.reason = HeartbeatReason.FromStack;
      return Verdict.Drop;
    }
    ctx.reason = HeartbeatReason.ToControlPlane;
    return Verdict.Pass;
  }
}

/**
 * Where the payload of a heartbeat for the control plane starts in the frame `engine` just decided
 * (verdict `v`), or -1: the engine's dispatch found EtherType 0x886F after the tags and did not drop
 * the frame (the kernel's stack hands exactly these to the attach process's packet socket). No walk
 * of its own: the engine's.
 */
export function controlPlaneOffset(
  engine: { readonly etherType: number; readonly l3Offset: number },
  v: Verdict,
): number {
  return v !== Verdict.Drop && engine.etherType === EtherType.NLB_HEARTBEAT ? engine.l3Offset : -1;
}
