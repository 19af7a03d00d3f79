import type { FrameContext } from './adapter';
import type { MemberEntry } from './cluster';
import { macEquals } from './mac';
import { Direction, Verdict } from './verdict';

/**
 * The discovery-rewrite policy of the method, written once for every address-resolution protocol
 * (ARP for IPv4, Neighbor Discovery for IPv6, any third-party family). An adapter decodes its
 * family's message into a `DiscoveryMessage` (which addresses, which link-layer fields, which
 * flags); the policy below decides on that description alone and asks the adapter to write a MAC
 * into a link-layer field or to build a synthesized reply. Rule names: docs/rules.md.
 */

/** What a discovery message is, protocol-neutral. */
export const DiscoveryKind = {
  /** Not a discovery message of the family (data, or a message the rules leave alone). */
  Other: 0,
  /** ARP request. */
  Request: 1,
  /** ARP reply. */
  Reply: 2,
  /** Neighbor Solicitation. */
  Solicitation: 3,
  /** Neighbor Advertisement. */
  Advertisement: 4,
} as const;
export type DiscoveryKind = (typeof DiscoveryKind)[keyof typeof DiscoveryKind];

/** Largest number of the message's own link-layer fields a message may carry (a 65535-byte frame of 8-octet options). */
export const MAX_LINK_LAYER_FIELDS = 8192;

/**
 * One decoded discovery message: offsets into the frame, never copies. Reused for every frame (one
 * per engine). Filled by the adapter's `decode`; `kind` Other leaves the rest unspecified.
 */
export class DiscoveryMessage {
  kind: DiscoveryKind = DiscoveryKind.Other;
  /** Length of the protocol addresses below: 4 (IPv4) or 16 (IPv6). */
  addressLength = 4;
  /** The sender's protocol address: the member the message comes from (ARP sender IP, IPv6 source). */
  sender = -1;
  /**
   * The protocol address whose link-layer address the message carries (ARP sender IP; NS: IPv6
   * source, RFC 4861 7.2.3; NA: target, RFC 4861 7.2.5).
   */
  bound = -1;
  /**
   * The address the message is for: the address asked about (ARP request target IP, NS target), or
   * the requester an answer goes to (ARP reply target IP, NA IPv6 destination).
   */
  peer = -1;
  /** Offsets of the message's own link-layer address fields (ARP sender MAC; SLLAO of an NS, TLLAO of an NA). */
  readonly linkLayer = new Int32Array(MAX_LINK_LAYER_FIELDS);
  linkLayerCount = 0;
  /** The requester's link-layer field an answer fills with the cluster MAC (ARP target MAC), or -1. */
  targetLinkLayer = -1;
  /** An answer to a request (ARP reply; NA with S=1). */
  solicited = false;
  /** NA Override flag (RFC 4861 4.4). */
  override = false;
  /** An address probe that resolves nothing between members (RFC 5227 ARP probe, RFC 4862 DAD NS). */
  probe = false;
  /** An answer to a probe (RFC 5227: an ARP reply with target IP 0.0.0.0). */
  probeAnswer = false;

  /** Resets to Other (the adapter's decode calls it first; it sets every field when it finds a message). */
  clear(): void {
    this.kind = DiscoveryKind.Other;
  }
}

/** The reason numbers a family gives for each outcome of the policy (defineReason, docs/rules.md). */
export interface DiscoveryReasons {
  /** Step 502: a request or NS from a member for this host, link-layer := the member's dedicated MAC. */
  readonly requestForThisHost: number;
  /** The same substitution for any other request or NS from a member (RFC 826 merge, RFC 4861 7.2.3). */
  readonly requestHazard: number;
  /** An answer from a member for this host with the cluster MAC: substituted, exchange complete (step 510). */
  readonly replyForThisHost: number;
  /** Any other answer from a member with the cluster MAC: substituted (RFC 826 merge, RFC 4861 7.2.5). */
  readonly replyHazard: number;
  /** Step 508, form "sender". */
  readonly replyToMember: number;
  /** Step 508, form "receiver". */
  readonly replyToMemberReceiver: number;
  /** The response synthesizer answered. */
  readonly synthesized: number;
  /** An inbound probe. */
  readonly probe: number;
  /** The stack's own probe (never answered by the synthesizer). */
  readonly outboundProbe: number;
  readonly nonMember: number;
  readonly virtualSource: number;
  readonly ownAddress: number;
  /** An answer binding a virtual IP. */
  readonly virtualTarget: number;
  /** The stack's answer to a probe, to the cluster MAC: Ethernet destination := broadcast. */
  readonly probeAnswerBroadcast: number;
  /** From a member, without the cluster MAC in its own link-layer field. */
  readonly alreadyDedicated: number;
  readonly replyNotOwn: number;
  readonly replyToNonMember: number;
  readonly replySeenByNonMembers: number;
  readonly outboundUnchanged: number;
}

/** What the policy asks of a family's codec: field writes and reply emission, nothing else. */
export interface DiscoveryCodec {
  readonly reasons: DiscoveryReasons;
  /** Writes the 6 bytes mac[macOff..] into the link-layer field at `at` (keeping any checksum honest). */
  writeLinkLayer(c: FrameContext, at: number, mac: Uint8Array, macOff: number): void;
  /** Builds the synthesized answer to the request in `m` for member entry `member` into c.replyFrame/replyLength. */
  synthesize(c: FrameContext, m: DiscoveryMessage, member: MemberEntry): void;
}

function keep(c: FrameContext, reason: number): Verdict {
  c.reason = reason;
  return Verdict.Pass;
}

/** The first of the message's own link-layer fields from `from` on that carries the cluster MAC, or -1. */
function firstClusterMac(c: FrameContext, m: DiscoveryMessage, from: number): number {
  for (let i = from; i < m.linkLayerCount; i++) if (macEquals(c.frame, m.linkLayer[i], c.clusterMac, 0)) return i;
  return -1;
}

/**
 * Writes the dedicated MAC at memberMacs[at..] into the message's own link-layer field `first`,
 * known to carry the cluster MAC, and into every later one that carries it (stacks disagree on
 * which duplicate they believe: after the write none reads the cluster MAC). The later fields are
 * looked at only when there are any, so the one-field message (every ARP, most NDP) costs one write.
 */
function substituteFrom(c: FrameContext, m: DiscoveryMessage, codec: DiscoveryCodec, at: number, first: number): void {
  codec.writeLinkLayer(c, m.linkLayer[first], c.cluster.memberMacs, at);
  if (first + 1 < m.linkLayerCount) substituteRest(c, m, codec, at, first + 1);
}

/** substituteFrom's later fields, from `from` on. */
function substituteRest(c: FrameContext, m: DiscoveryMessage, codec: DiscoveryCodec, at: number, from: number): void {
  for (let i = firstClusterMac(c, m, from); i >= 0; i = firstClusterMac(c, m, i + 1))
    codec.writeLinkLayer(c, m.linkLayer[i], c.cluster.memberMacs, at);
}

/** Decides a discovery message (m.kind is not Other). Rewrites in place, or fills the reply. */
export function decideDiscovery(c: FrameContext, m: DiscoveryMessage, codec: DiscoveryCodec): Verdict {
  return c.direction === Direction.Inbound ? inbound(c, m, codec) : outbound(c, m, codec);
}

/**
 * Inbound (wire to stack): arp.request-for-this-host (step 502), arp.merge-hazard,
 * arp.reply-for-this-host (step 510), ndp.solicitation-for-this-host, ndp.solicitation-hazard,
 * ndp.override-hazard. Keyed on the address the message binds (the sender's for ARP and NS, the
 * target for NA); the dedicated MAC written is that address's.
 */
function inbound(c: FrameContext, m: DiscoveryMessage, codec: DiscoveryCodec): Verdict {
  // The two policy functions are what V8 optimizes as a unit (each too large to be inlined into
  // the engine); what they call competes for one inlining budget (docs/performance.md), so the
  // member tests are written out on cl.hostOf and the MAC compares stay in this body.
  const R = codec.reasons;
  const f = c.frame;
  const cl = c.cluster;
  const len = m.addressLength;
  const T = cl.addressTable(len);
  if (m.probe) return keep(c, R.probe);
  const binds = m.bound !== m.sender;
  // an answer binds its target: keyed on that address (RFC 4861 7.2.5 applies an NA to the entry
  // of its target from whatever source), never a claim on a virtual IP
  if (binds && cl.isVirtual(f, m.bound, len)) return keep(c, R.virtualTarget);
  const s = T.get(f, m.sender) as MemberEntry;
  let e = binds ? (T.get(f, m.bound) as MemberEntry) : s;
  if (e < 0) {
    // a target the config does not list (a member's link-local, say): the sender's dedicated MAC
    if (s < 0) return keep(c, cl.isVirtual(f, m.sender, len) ? R.virtualSource : R.nonMember);
    e = s;
  }
  const h = cl.hostOf(e);
  if (h === c.localHost) return keep(c, R.ownAddress);
  const answer = m.kind === DiscoveryKind.Reply || m.kind === DiscoveryKind.Advertisement;
  const p = T.get(f, m.peer) as MemberEntry;
  const forUs = p >= 0 && cl.hostOf(p) === c.localHost;
  // the exchange with member h completes only with h's own answer to this host
  const exchange = answer && m.solicited && forUs && s >= 0 && cl.hostOf(s) === h;
  // the first field compared here, any later ones (an NDP message's duplicates) in the loop
  const first = m.linkLayerCount > 0 && macEquals(f, m.linkLayer[0], c.clusterMac, 0) ? 0 : firstClusterMac(c, m, 1);
  if (first < 0) {
    // step 510: the member's layer already wrote its dedicated MAC (form "sender"): exchange complete
    if (exchange && m.linkLayerCount > 0 && macEquals(f, m.linkLayer[0], cl.memberMacs, cl.macAt(e)))
      c.markDiscovered(h);
    return keep(c, R.alreadyDedicated);
  }
  substituteFrom(c, m, codec, cl.macAt(e), first);
  if (answer) {
    if (exchange) {
      // the replier left the cluster MAC (form "receiver"): this completes the exchange
      c.markDiscovered(h);
      c.reason = R.replyForThisHost;
    } else c.reason = R.replyHazard;
  } else c.reason = forUs ? R.requestForThisHost : R.requestHazard;
  return Verdict.Rewrite;
}

/**
 * Outbound (stack to wire): arp.reply-to-member / ndp.advertisement-to-member (step 508, both
 * forms), arp.reply-members-only / ndp.advertisement-members-only, synthesizer.answer-locally, and
 * the cluster MAC kept on everything else.
 */
function outbound(c: FrameContext, m: DiscoveryMessage, codec: DiscoveryCodec): Verdict {
  const R = codec.reasons;
  const f = c.frame;
  const cl = c.cluster;
  const len = m.addressLength;
  const T = cl.addressTable(len);
  if (m.kind !== DiscoveryKind.Reply && m.kind !== DiscoveryKind.Advertisement) {
    if (m.probe) return keep(c, R.outboundProbe);
    if (c.synthesize) {
      const t = T.get(f, m.peer) as MemberEntry;
      const h = c.remoteHost(t);
      if (h >= 0) {
        codec.synthesize(c, m, t);
        c.markDiscovered(h);
        c.reason = R.synthesized;
        return Verdict.Reply;
      }
    }
    return keep(c, R.outboundUnchanged);
  }
  // arp.probe-reply-to-cluster: the prober's sender MAC is the cluster MAC, which a switch sends
  // back out of the port it came in on; broadcast reaches the prober (RFC 5227 2.6)
  if (m.probeAnswer && macEquals(f, 0, c.clusterMac, 0)) {
    for (let i = 0; i < 6; i++) f[i] = 0xff;
    c.reason = R.probeAnswerBroadcast;
    return Verdict.Rewrite;
  }
  // step 508: our answer for our own address, to a member
  const own = T.get(f, m.bound) as MemberEntry;
  if (own < 0 || cl.hostOf(own) !== c.localHost) return keep(c, R.replyNotOwn);
  const first = m.linkLayerCount > 0 && macEquals(f, m.linkLayer[0], c.clusterMac, 0) ? 0 : firstClusterMac(c, m, 1);
  if (first < 0) return keep(c, R.outboundUnchanged);
  const to = T.get(f, m.peer) as MemberEntry;
  const h = to < 0 ? -1 : cl.hostOf(to);
  if (h < 0 || h === c.localHost) return keep(c, R.replyToNonMember);
  // RFC 826 merge rule (RFC 4861 7.2.5 alike): every station receiving the frame updates its entry
  // for us; an answer sent where non-members receive it keeps the cluster MAC
  if (!c.destinationReachesMembersOnly(to)) return keep(c, R.replySeenByNonMembers);
  c.markDiscovered(h);
  const t = m.targetLinkLayer;
  if (!c.replyRewriteAtSender) {
    // the patent's alternative: the requester's layer writes our dedicated MAC (inbound rule), so
    // this answer, flooded to every port, carries no dedicated MAC at all
    if (t < 0 || macEquals(f, t, c.clusterMac, 0)) return keep(c, R.replyToMemberReceiver);
    codec.writeLinkLayer(c, t, c.clusterMac, 0);
    c.reason = R.replyToMemberReceiver;
    return Verdict.Rewrite;
  }
  substituteFrom(c, m, codec, cl.macAt(own), first);
  if (t >= 0) codec.writeLinkLayer(c, t, c.clusterMac, 0);
  c.reason = R.replyToMember;
  return Verdict.Rewrite;
}
