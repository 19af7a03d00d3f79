import type { Cluster } from './cluster';
import { macEquals } from './mac';
import { Direction, Verdict } from './verdict';

const EMPTY = new Uint8Array(0);
/** Largest reply frame an adapter may synthesize (a full untagged frame plus two tags). */
export const REPLY_CAPACITY = 1522;

/**
 * What an adapter sees of one frame and of the local host. One instance per engine, reused for every
 * frame (no per-frame allocation). Adapters read and write `frame` in place.
 */
export class FrameContext {
  // ---- the frame (set by the engine before each call) ----
  frame: Uint8Array = EMPTY;
  /** Bytes of `frame` that belong to the frame; padding up to 60 is part of it. */
  length = 0;
  direction: Direction = Direction.Inbound;
  /** Offset of the EtherType that names the L3 protocol (after any VLAN tags). */
  etherTypeOffset = 12;
  etherType = 0;
  /** Offset of the L3 header (etherTypeOffset + 2). */
  l3 = 14;
  /** Reason for the verdict (a number from `defineReason`); adapters set it. */
  reason = 0;

  // ---- the local host (set by the engine on construction and membership change) ----
  cluster!: Cluster;
  /** Host index of the local host H in `cluster`. */
  localHost = -1;
  /** The cluster MAC, 6 bytes. */
  readonly clusterMac = new Uint8Array(6);
  /** Shared intracluster MAC (mode "shared"), else null. */
  sharedMac: Uint8Array | null = null;
  synthesize = false;
  strictSources = false;
  /** Config `replyRewrite` is "sender": outbound replies to members get our dedicated MAC (step 508). */
  replyRewriteAtSender = false;
  /**
   * Strict sources: 1 for each host index with which a discovery exchange completed. Bounded by
   * the member count; rebuilt (by name) on membership change, so a departed member is forgotten.
   */
  discovered: Uint8Array = EMPTY;

  // ---- reply (verdict Reply) ----
  readonly replyFrame = new Uint8Array(REPLY_CAPACITY);
  replyLength = 0;

  /** Marks a discovery exchange with member `host` as completed (strict sources). */
  markDiscovered(host: number): void {
    if (host >= 0 && host < this.discovered.length) this.discovered[host] = 1;
  }

  /** True when member entry `e` (Cluster.memberIpv4/memberIpv6) is one of the local host's addresses. */
  isLocalMember(e: number): boolean {
    return e >= 0 && this.cluster.hostOf(e) === this.localHost;
  }
  /** Host index of member entry `e` when it is another host's address, else -1. */
  remoteHost(e: number): number {
    if (e < 0) return -1;
    const h = this.cluster.hostOf(e);
    return h === this.localHost ? -1 : h;
  }

  /**
   * True when the frame's Ethernet destination is one only members accept: the cluster MAC, a
   * member's dedicated MAC, the shared MAC. A discovery reply sent anywhere else (to a forger's MAC,
   * say) must not carry a dedicated MAC. `to` is the member entry the frame is for: its MAC is
   * compared first, from the entry already read, before the lookup among all members.
   */
  destinationReachesMembersOnly(to: number): boolean {
    const f = this.frame;
    if (macEquals(f, 0, this.clusterMac, 0) || macEquals(f, 0, this.cluster.memberMacs, this.cluster.macAt(to))) return true;
    return this.sharedMac !== null ? macEquals(f, 0, this.sharedMac, 0) : this.cluster.hostOfMac(f, 0) >= 0;
  }

  /** True when the address index `addr` (Cluster.lookupIpv4/lookupIpv6) belongs to the local host. */
  isLocalAddress(addr: number): boolean {
    return addr >= 0 && this.cluster.addrHost[addr] === this.localHost;
  }
  /** Host index of a member address other than the local host, or -1. */
  remoteMember(addr: number): number {
    if (addr < 0) return -1;
    const h = this.cluster.addrHost[addr];
    return h === this.localHost ? -1 : h;
  }
}

/** `sourceMember` result for discovery frames (ARP, NS/NA) that strict sources never drops. */
export const DISCOVERY_EXEMPT = -2;

/**
 * A protocol adapter: rewrites the discovery protocol of one family (ARP for IPv4, NDP for IPv6)
 * and tells the core what it needs of that family's data frames. Bound to the `ProtocolAdapter`
 * token; the engine multi-injects all of them and dispatches by EtherType.
 */
export interface ProtocolAdapter {
  readonly name: string;
  /** EtherTypes (after VLAN tags) this adapter handles. Two adapters may not share one. */
  readonly etherTypes: readonly number[];
  /**
   * Decides one frame after the core applied its destination rule. Returns Pass when the adapter
   * changed nothing, Rewrite when it changed bytes in place, Drop (with ctx.reason) or Reply (with
   * ctx.replyFrame/replyLength). Must not throw; the engine drops the frame if it does.
   */
  process(ctx: FrameContext): Verdict;
  /**
   * Shared mode: is this frame's IP destination (ARP target IP, NS target) one of the local host's
   * addresses? 1 yes, 0 no, -1 cannot tell (malformed).
   */
  localDestination(ctx: FrameContext): number;
  /**
   * Strict sources: host index of the member that sent this frame (by IP source), -1 when the sender
   * is not a member or cannot be read, DISCOVERY_EXEMPT for discovery frames.
   */
  sourceMember(ctx: FrameContext): number;
}

/** DI token for every ProtocolAdapter (multi-injected by the engine factory). */
export const ProtocolAdapter = Symbol.for('intracluster.ProtocolAdapter');

export type { Verdict };
