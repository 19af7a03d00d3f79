import type { Cluster, HostIndex, MemberEntry } from './cluster';
import { DiscoveryCodec, DiscoveryMessage } from './discovery';
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

  // ---- what the family's decode found (set once per frame by a DiscoveryAdapter's `decode`) ----
  /** The discovery message, when the frame is one (`msg.kind` not Other). */
  readonly msg = new DiscoveryMessage();
  /** The reason for a frame the decode found not to be a discovery message of its family (data, invalid). */
  decodeReason = 0;
  /** Length of the addresses below: 4 or 16. */
  addressLength = 4;
  /** Offset of the IP source address (strict sources), -1 when it cannot be read. */
  sourceAddress = -1;
  /**
   * Offset of the address shared mode filters on (ARP target IP, NS target, else the IP
   * destination), -1 when it cannot be read.
   */
  destinationAddress = -1;
  /** A discovery frame of the family (ARP, ICMPv6 Neighbor Discovery): strict sources never drops it. */
  discoveryFrame = false;
  /** IPv4 protocol / IPv6 upper-layer Next Header the decode found (narrower adapter claims), -1 none. */
  ipProtocol = -1;
  /** First byte of the upper-layer header (the ICMPv6 type), -1 when there is none. */
  upperType = -1;

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
  /** Config `maskSourceMac`: outbound source cluster MAC := `maskedMac`; inbound data for another member dropped. */
  maskSourceMac = false;
  /** The local host's masked source MAC (Cluster.maskedSourceMac), 6 bytes. */
  readonly maskedMac = new Uint8Array(6);
  /**
   * Strict sources: 1 for each host index with which a discovery exchange completed. Bounded by
   * the member count; rebuilt (by name) on membership change, so a departed member is forgotten.
   */
  discovered: Uint8Array = EMPTY;

  // ---- reply (verdict Reply) ----
  readonly replyFrame = new Uint8Array(REPLY_CAPACITY);
  replyLength = 0;

  /** Marks a discovery exchange with member `host` as completed (strict sources). */
  markDiscovered(host: HostIndex): void {
    if (host >= 0 && host < this.discovered.length) this.discovered[host] = 1;
  }

  /** True when member entry `e` (Cluster.member*) is one of the local host's addresses. */
  isLocalMember(e: MemberEntry): boolean {
    return e >= 0 && this.cluster.hostOf(e) === this.localHost;
  }
  /** Host index of member entry `e` when it is another host's address, else -1. */
  remoteHost(e: MemberEntry): HostIndex {
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
  destinationReachesMembersOnly(to: MemberEntry): boolean {
    const f = this.frame;
    // the requester's dedicated MAC first: where a stack sends its answer to a member's request
    return (
      macEquals(f, 0, this.cluster.memberMacs, this.cluster.macAt(to)) ||
      macEquals(f, 0, this.clusterMac, 0) ||
      this.otherMembersOnly()
    );
  }

  /** destinationReachesMembersOnly past its two common cases: the shared MAC, another member's MAC. */
  private otherMembersOnly(): boolean {
    const f = this.frame;
    return this.sharedMac !== null ? macEquals(f, 0, this.sharedMac, 0) : this.cluster.hostOfMac(f, 0) >= 0;
  }
}

/** `sourceMember` result for discovery frames (ARP, NS/NA) that strict sources never drops. */
export const DISCOVERY_EXEMPT = -2;

/**
 * A narrower selector than the EtherType alone (docs/architecture.md, "Adapters"). The family's own
 * adapter for `etherType` decodes the frame once; the claim then matches on what it decoded.
 */
export interface AdapterClaim {
  readonly etherType: number;
  /** IPv4 protocol or IPv6 upper-layer Next Header (after Hop-by-Hop), e.g. 58 for ICMPv6. */
  readonly ipProtocol?: number;
  /** First byte of the upper-layer header, e.g. ICMPv6 types 141 and 142 (RFC 3122). Needs `ipProtocol`. */
  readonly upperTypes?: readonly number[];
  /** Or any test of the frame (called after the decode; must not throw or allocate). */
  readonly match?: (ctx: FrameContext) => boolean;
}

/** Two adapters claim the same frames: the engine refuses to start. */
export class AdapterConflictError extends Error {
  constructor(
    readonly first: string,
    readonly second: string,
    /** The selector both claim, e.g. `EtherType 0x86dd` or `EtherType 0x86dd, IP protocol 58, type 141`. */
    readonly selector: string,
  ) {
    super(`adapters "${first}" and "${second}" both claim ${selector}`);
    this.name = 'AdapterConflictError';
  }
}

/**
 * A protocol adapter, bound to the `ProtocolAdapter` token (the engine takes all of them) and
 * chosen per frame by EtherType (`etherTypes`) or by a narrower `claims` selector. Two kinds:
 *
 * - A discovery codec (the built-in ARP and NDP adapters): `decode` reads the frame once into the
 *   context (`ctx.msg` and the addresses), and the core's policy (src/discovery.ts) decides, calling
 *   back `writeLinkLayer` and `synthesize`. It has no `process`.
 * - Any other protocol: `process` decides the frame itself, after the core's destination rule;
 *   `localDestination` and `sourceMember` answer shared mode and strict sources.
 */
export interface ProtocolAdapter extends Partial<DiscoveryCodec> {
  readonly name: string;
  /** EtherTypes (after VLAN tags) this adapter handles whole. Two adapters may not share one. */
  readonly etherTypes: readonly number[];
  /** Narrower selectors inside another adapter's EtherType (an ICMPv6 type, say). */
  readonly claims?: readonly AdapterClaim[];
  /** Discovery codec: decodes the frame once into `ctx` (sets `ctx.msg`, addresses, `ctx.decodeReason`). Never throws. */
  decode?(ctx: FrameContext): void;
  /**
   * Discovery codec, optional: when a cheap look at the frame proves it is data (no discovery
   * message), the `ctx.decodeReason` that `decode` would give; -1 when `decode` must run. The engine
   * then skips `decode` for frames no rule reads the addresses of (dedicated mode without strict
   * sources, no narrower claim, not inbound to the cluster MAC under source-MAC masking). Never throws.
   */
  dataReason?(ctx: FrameContext): number;
  /**
   * Decides one frame after the core applied its destination rule. Returns Pass when the adapter
   * changed nothing, Rewrite when it changed bytes in place, Drop (with ctx.reason) or Reply (with
   * ctx.replyFrame/replyLength). Must not throw; the engine drops the frame if it does.
   */
  process?(ctx: FrameContext): Verdict;
  /**
   * Shared mode: is this frame's IP destination (ARP target IP, NS target) one of the local host's
   * addresses? 1 yes, 0 no, -1 cannot tell (malformed). Without it: the family decode's answer.
   */
  localDestination?(ctx: FrameContext): number;
  /**
   * Strict sources: host index of the member that sent this frame (by IP source), -1 when the sender
   * is not a member or cannot be read, DISCOVERY_EXEMPT for discovery frames. Without it: the
   * family decode's answer.
   */
  sourceMember?(ctx: FrameContext): number;
}

/** DI token for every ProtocolAdapter (multi-injected by the engine factory). */
export const ProtocolAdapter = Symbol.for('intracluster.ProtocolAdapter');

export type { Verdict };
