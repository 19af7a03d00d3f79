import { DISCOVERY_EXEMPT, FrameContext, ProtocolAdapter } from '../../src/adapter';
import { EtherType, writeU16 } from '../../src/frame/ethernet';
import {
  Icmpv6Field,
  Icmpv6Type,
  NaFlag,
  NdCheck,
  NdMessage,
  NdOption,
  ND_OPT_LLADDR,
  icmpv6ChecksumFill,
  isNeighborDiscoveryType,
  isSolicited,
  replaceMacUpdatingChecksum,
} from '../../src/frame/icmpv6';
import { IPV6_ADDR_LEN, IPV6_HEADER_LEN, IpProto, Ipv6Field, ipv6Check, ipv6PayloadEnd, ipv6UpperLayer, ipv6UpperProto, isUnspecifiedIpv6At } from '../../src/frame/ipv6';
import { macCopy, macEquals } from '../../src/mac';
import { Direction, Verdict, defineReason } from '../../src/verdict';

/** Reasons of the NDP adapter (patent step numbers of the ARP method they are the analogue of). */
export const NdpReason = {
  Step502: defineReason('ndp.step502', "step 502 analogue: NS from a member for this host: SLLAO := member's dedicated MAC"),
  MemberNs: defineReason('ndp.ns-hazard', "NS from a member with the cluster MAC in its SLLAO: SLLAO := member's dedicated MAC (cache-update hazard, RFC 4861 7.2.3)"),
  MemberNa: defineReason('ndp.override-hazard', "NA advertising a member's address with the cluster MAC in its TLLAO, from any source: TLLAO := that member's dedicated MAC (Override hazard, RFC 4861 7.2.5)"),
  Step508: defineReason('ndp.step508', "step 508 analogue: NA to a member: TLLAO := this host's dedicated MAC"),
  Step508Receiver: defineReason('ndp.step508-receiver', 'step 508 analogue, replyRewrite "receiver": NA to a member keeps the cluster MAC for the member\'s layer'),
  Synthesized: defineReason('ndp.synthesized', 'response synthesizer: NS for a member answered locally with an NA'),
  Ipv6Data: defineReason('ipv6.data', 'IPv6 data: no rewrite'),
  Truncated: defineReason('ipv6.truncated', 'IPv6: truncated header, or payload length running past the frame: not ours'),
  Extension: defineReason('ipv6.extension', 'IPv6: extension header other than hop-by-hop before ICMPv6 (or hop-by-hop past the payload): not ours'),
  NotNsNa: defineReason('ndp.not-ns-na', 'Neighbor Discovery other than NS/NA (RS, RA, Redirect): unchanged'),
  HopLimit: defineReason('ndp.hop-limit', 'invalid NS/NA (RFC 4861 7.1): hop limit not 255: unchanged'),
  Code: defineReason('ndp.code', 'invalid NS/NA (RFC 4861 7.1): ICMP code not 0: unchanged'),
  Short: defineReason('ndp.short', 'invalid NS/NA (RFC 4861 7.1): ICMP length under 24: unchanged'),
  MulticastTarget: defineReason('ndp.multicast-target', 'invalid NS/NA (RFC 4861 7.1): multicast target: unchanged'),
  OptionLength: defineReason('ndp.option-length', 'invalid NS/NA (RFC 4861 7.1): option of length 0 or running past the message: unchanged'),
  UnspecifiedSllao: defineReason('ndp.unspecified-with-sllao', 'invalid NS (RFC 4861 7.1.1): source :: with an SLLAO: unchanged'),
  UnspecifiedNotSolicited: defineReason('ndp.unspecified-not-solicited-node', 'invalid NS (RFC 4861 7.1.1): source :: not sent to a solicited-node address: unchanged'),
  MulticastSolicited: defineReason('ndp.multicast-solicited', 'invalid NA (RFC 4861 7.1.2): multicast destination with the Solicited flag: unchanged'),
  Checksum: defineReason('ndp.checksum', 'invalid NS/NA (RFC 4861 7.1): bad ICMPv6 checksum: unchanged'),
  LinkLayerLength: defineReason('ndp.lla-length', 'NS/NA link-layer option not 8 octets (not a 6-byte Ethernet address): unchanged'),
  Dad: defineReason('ndp.dad', 'DAD NS (source ::, RFC 4862 5.4): not ours'),
  NonMember: defineReason('ndp.non-member', 'NS/NA from a non-member: unchanged'),
  VirtualSource: defineReason('ndp.virtual-source', 'NS/NA from a virtual IP: keeps the cluster MAC'),
  OwnAddress: defineReason('ndp.own-address', "inbound NS/NA from one of this host's own addresses: unchanged"),
  VirtualTarget: defineReason('ndp.virtual-target', 'NA for a virtual IP: keeps the cluster MAC'),
  SenderNotCluster: defineReason('ndp.sender-not-cluster', 'NS/NA without the cluster MAC in its link-layer option: unchanged'),
  OutboundNotOwn: defineReason('ndp.na-not-own', "outbound NA for an address that is not this host's dedicated address (virtual IP or other): keeps the cluster MAC"),
  OutboundToNonMember: defineReason('ndp.na-to-non-member', 'outbound NA to a non-member (or to a multicast group): keeps the cluster MAC'),
  OutboundSeenByNonMembers: defineReason('ndp.na-seen-by-non-members', "outbound NA to a member, but to an Ethernet destination non-members receive (broadcast, a non-member's MAC): keeps the cluster MAC"),
  OutboundUnchanged: defineReason('ndp.outbound-unchanged', 'outbound NS/NA: nothing to rewrite'),
} as const;

const CHECK_REASON: number[] = [];
CHECK_REASON[NdCheck.TRUNCATED] = NdpReason.Truncated;
CHECK_REASON[NdCheck.EXTENSION] = NdpReason.Extension;
CHECK_REASON[NdCheck.NOT_ND] = NdpReason.Ipv6Data;
CHECK_REASON[NdCheck.NOT_NS_NA] = NdpReason.NotNsNa;
CHECK_REASON[NdCheck.HOP_LIMIT] = NdpReason.HopLimit;
CHECK_REASON[NdCheck.CODE] = NdpReason.Code;
CHECK_REASON[NdCheck.SHORT] = NdpReason.Short;
CHECK_REASON[NdCheck.MULTICAST_TARGET] = NdpReason.MulticastTarget;
CHECK_REASON[NdCheck.OPTION_LENGTH] = NdpReason.OptionLength;
CHECK_REASON[NdCheck.UNSPECIFIED_WITH_SLLAO] = NdpReason.UnspecifiedSllao;
CHECK_REASON[NdCheck.UNSPECIFIED_NOT_SOLICITED_NODE] = NdpReason.UnspecifiedNotSolicited;
CHECK_REASON[NdCheck.NA_MULTICAST_SOLICITED] = NdpReason.MulticastSolicited;
CHECK_REASON[NdCheck.CHECKSUM] = NdpReason.Checksum;
CHECK_REASON[NdCheck.LINK_LAYER_LENGTH] = NdpReason.LinkLayerLength;

/** Length of the synthesized NA: IPv6 header + NA (24) + TLLAO (8). */
const NA_REPLY_ICMP_LEN = 32;

/**
 * IPv6 adapter: Neighbor Discovery (RFC 4861) rewriting, the NS/NA analogue of FIG. 5 and 6, and what
 * the core needs of IPv6 data frames for shared-mode filtering and strict sources. EtherType 0x86DD.
 *
 * Link-layer options: only the message's own one is rewritten (SLLAO in an NS, TLLAO in an NA), and
 * only when it carries the cluster MAC. If that option appears more than once, every occurrence that
 * carries the cluster MAC is rewritten: stacks disagree on which one they believe (Linux keeps the
 * first), so after the rewrite no reading leaves a cluster-MAC entry behind. Other options are kept.
 */
export class NdpAdapter implements ProtocolAdapter {
  readonly name = 'ndp';
  readonly etherTypes = [EtherType.IPV6];
  /** Reused for every frame (no allocation); process() is synchronous, so one view is enough. */
  private readonly nd = new NdMessage();

  process(c: FrameContext): Verdict {
    const nd = this.nd;
    const chk = nd.check(c.frame, c.l3, c.length);
    if (chk !== NdCheck.OK) return this.keep(c, CHECK_REASON[chk]);
    if (nd.type === Icmpv6Type.NEIGHBOR_SOLICITATION) return c.direction === Direction.Inbound ? this.inboundNs(c) : this.outboundNs(c);
    return c.direction === Direction.Inbound ? this.inboundNa(c) : this.outboundNa(c);
  }

  /** Step 502 analogue and the cache-update hazard: any NS from a member, whatever its target. */
  private inboundNs(c: FrameContext): Verdict {
    const f = c.frame;
    const ip = this.nd.ip;
    if (isUnspecifiedIpv6At(f, ip + Ipv6Field.SRC)) return this.keep(c, NdpReason.Dad);
    const s = c.cluster.memberIpv6(f, ip + Ipv6Field.SRC);
    if (s < 0) return this.keep(c, c.cluster.isVirtualIpv6(f, ip + Ipv6Field.SRC) ? NdpReason.VirtualSource : NdpReason.NonMember);
    if (c.remoteHost(s) < 0) return this.keep(c, NdpReason.OwnAddress);
    if (!this.rewriteClusterLla(c, s)) return this.keep(c, NdpReason.SenderNotCluster);
    const forUs = c.isLocalMember(c.cluster.memberIpv6(f, this.nd.icmp + Icmpv6Field.TARGET));
    c.reason = forUs ? NdpReason.Step502 : NdpReason.MemberNs;
    return Verdict.Rewrite;
  }

  /**
   * The Override hazard (RFC 4861 7.2.5): Linux applies an NA with the Override flag to its entry for
   * the NA's target, from whatever source. The address an NA binds is its target, so the rule keys on
   * the target: an NA advertising another member's address with the cluster MAC gets that member's
   * dedicated MAC, whoever sent it. A target the config does not list, from a member's source (a
   * link-local say), gets the source's dedicated MAC (the member's layer accepts any of its own).
   */
  private inboundNa(c: FrameContext): Verdict {
    const f = c.frame;
    const nd = this.nd;
    const ip = nd.ip;
    const target = nd.icmp + Icmpv6Field.TARGET;
    if (c.cluster.isVirtualIpv6(f, target)) return this.keep(c, NdpReason.VirtualTarget);
    const s = c.cluster.memberIpv6(f, ip + Ipv6Field.SRC);
    let a = c.cluster.memberIpv6(f, target);
    if (a < 0) {
      if (s < 0) return this.keep(c, c.cluster.isVirtualIpv6(f, ip + Ipv6Field.SRC) ? NdpReason.VirtualSource : NdpReason.NonMember);
      a = s;
    }
    const m = c.remoteHost(a);
    if (m < 0) return this.keep(c, NdpReason.OwnAddress);
    // the exchange with member m completes only with its own solicited NA to this host
    const exchange = s >= 0 && c.cluster.hostOf(s) === m && isSolicited(f, nd.icmp) && c.isLocalMember(c.cluster.memberIpv6(f, ip + Ipv6Field.DST));
    if (this.rewriteClusterLla(c, a)) {
      // a solicited NA to us left with the cluster MAC (replyRewrite "receiver"): exchange complete
      if (exchange) c.markDiscovered(m);
      c.reason = NdpReason.MemberNa;
      return Verdict.Rewrite;
    }
    // step 510 analogue: a solicited NA to us whose TLLAO the member's layer already set (step 508)
    if (exchange && nd.lla >= 0 && macEquals(f, nd.lla, c.cluster.memberMacs, c.cluster.macAt(a))) c.markDiscovered(m);
    return this.keep(c, NdpReason.SenderNotCluster);
  }

  /** Step 508 analogue: our NA for our own address, sent to a member. */
  private outboundNa(c: FrameContext): Verdict {
    const f = c.frame;
    const nd = this.nd;
    const own = c.cluster.memberIpv6(f, nd.icmp + Icmpv6Field.TARGET);
    if (!c.isLocalMember(own)) return this.keep(c, NdpReason.OutboundNotOwn);
    if (!this.hasClusterLla(c)) return this.keep(c, NdpReason.OutboundUnchanged);
    const to = c.cluster.memberIpv6(f, nd.ip + Ipv6Field.DST);
    const m = c.remoteHost(to);
    if (m < 0) return this.keep(c, NdpReason.OutboundToNonMember);
    // an NA for a member sent where non-members receive it (an NS forged with a member's address and
    // the forger's MAC in its SLLAO, say) keeps the cluster MAC, as ARP does
    if (!c.destinationReachesMembersOnly(to)) return this.keep(c, NdpReason.OutboundSeenByNonMembers);
    c.markDiscovered(m);
    if (!c.replyRewriteAtSender) return this.keep(c, NdpReason.Step508Receiver);
    this.rewriteClusterLla(c, own);
    c.reason = NdpReason.Step508;
    return Verdict.Rewrite;
  }

  /** Our own NS: the member's layer does the step 502 analogue; with `synthesize` we answer it here. */
  private outboundNs(c: FrameContext): Verdict {
    const f = c.frame;
    const nd = this.nd;
    if (isUnspecifiedIpv6At(f, nd.ip + Ipv6Field.SRC)) return this.keep(c, NdpReason.Dad);
    if (c.synthesize) {
      const t = c.cluster.memberIpv6(f, nd.icmp + Icmpv6Field.TARGET);
      const m = c.remoteHost(t);
      if (m >= 0) {
        this.synthesize(c, t);
        c.markDiscovered(m);
        c.reason = NdpReason.Synthesized;
        return Verdict.Reply;
      }
    }
    return this.keep(c, NdpReason.OutboundUnchanged);
  }

  /**
   * Response synthesizer, NDP form: a solicited NA (RFC 4861 7.2.4: S=1, O=1, R=0, hop limit 255)
   * from the member's address to the NS's source, TLLAO = the member's dedicated MAC, cluster MAC in
   * the Ethernet source and destination. VLAN tags of the NS are kept.
   */
  private synthesize(c: FrameContext, member: number): void {
    const f = c.frame;
    const r = c.replyFrame;
    const ip = c.l3;
    const nsIcmp = this.nd.icmp;
    const icmp = ip + IPV6_HEADER_LEN;
    const end = icmp + NA_REPLY_ICMP_LEN;
    r.fill(0, 0, end);
    macCopy(r, 0, c.clusterMac, 0);
    macCopy(r, 6, c.clusterMac, 0);
    for (let i = 12; i < ip; i++) r[i] = f[i]; // VLAN tags and the IPv6 EtherType
    r[ip] = 0x60;
    writeU16(r, ip + Ipv6Field.PAYLOAD_LENGTH, NA_REPLY_ICMP_LEN);
    r[ip + Ipv6Field.NEXT_HEADER] = IpProto.ICMPV6;
    r[ip + Ipv6Field.HOP_LIMIT] = 255;
    for (let i = 0; i < IPV6_ADDR_LEN; i++) {
      r[ip + Ipv6Field.SRC + i] = f[nsIcmp + Icmpv6Field.TARGET + i];
      r[ip + Ipv6Field.DST + i] = f[this.nd.ip + Ipv6Field.SRC + i];
      r[icmp + Icmpv6Field.TARGET + i] = f[nsIcmp + Icmpv6Field.TARGET + i];
    }
    r[icmp + Icmpv6Field.TYPE] = Icmpv6Type.NEIGHBOR_ADVERTISEMENT;
    r[icmp + Icmpv6Field.FLAGS] = NaFlag.SOLICITED | NaFlag.OVERRIDE;
    const opt = icmp + Icmpv6Field.OPTIONS;
    r[opt] = NdOption.TARGET_LL;
    r[opt + 1] = 1;
    macCopy(r, opt + ND_OPT_LLADDR, c.cluster.memberMacs, c.cluster.macAt(member));
    icmpv6ChecksumFill(r, ip, icmp, end);
    c.replyLength = end;
  }

  /** True when the message's own link-layer option carries the cluster MAC (at least once). */
  private hasClusterLla(c: FrameContext): boolean {
    const f = c.frame;
    for (let at = this.nd.lla; at >= 0; at = this.nd.nextLla(f, at)) if (macEquals(f, at, c.clusterMac, 0)) return true;
    return false;
  }

  /**
   * Writes the dedicated MAC of member entry `e` into every occurrence of the message's own
   * link-layer option that carries the cluster MAC, updating the checksum incrementally (RFC 1624).
   * Returns false when there was none.
   */
  private rewriteClusterLla(c: FrameContext, e: number): boolean {
    const f = c.frame;
    const nd = this.nd;
    const csum = nd.icmp + Icmpv6Field.CHECKSUM;
    let done = false;
    for (let at = nd.lla; at >= 0; at = nd.nextLla(f, at)) {
      if (!macEquals(f, at, c.clusterMac, 0)) continue;
      replaceMacUpdatingChecksum(f, at, c.cluster.memberMacs, c.cluster.macAt(e), csum);
      done = true;
    }
    return done;
  }


  private keep(c: FrameContext, reason: number): Verdict {
    c.reason = reason;
    return Verdict.Pass;
  }

  /** Shared mode: the NS target for an NS, else the IPv6 destination. */
  localDestination(c: FrameContext): number {
    const f = c.frame;
    const ip = c.l3;
    if (!ipv6Check(f, ip, c.length)) return -1;
    const icmp = this.icmpv6Offset(c);
    if (icmp >= 0 && f[icmp] === Icmpv6Type.NEIGHBOR_SOLICITATION) {
      if (icmp + Icmpv6Field.OPTIONS > ipv6PayloadEnd(f, ip, c.length)) return -1;
      return c.isLocalMember(c.cluster.memberIpv6(f, icmp + Icmpv6Field.TARGET)) ? 1 : 0;
    }
    return c.isLocalMember(c.cluster.memberIpv6(f, ip + Ipv6Field.DST)) ? 1 : 0;
  }

  /** Strict sources: Neighbor Discovery (ICMPv6 133 to 137) is exempt; anything else by IPv6 source. */
  sourceMember(c: FrameContext): number {
    const f = c.frame;
    if (!ipv6Check(f, c.l3, c.length)) return -1;
    const icmp = this.icmpv6Offset(c);
    if (icmp >= 0 && isNeighborDiscoveryType(f[icmp])) return DISCOVERY_EXEMPT;
    return c.remoteHost(c.cluster.memberIpv6(f, c.l3 + Ipv6Field.SRC));
  }

  /** Offset of an ICMPv6 header with at least its type byte inside the payload, else -1. */
  private icmpv6Offset(c: FrameContext): number {
    const f = c.frame;
    const end = ipv6PayloadEnd(f, c.l3, c.length);
    if (end < 0) return -1;
    const p = ipv6UpperLayer(f, c.l3, end);
    if (p < 0 || p >= end || ipv6UpperProto(f, c.l3) !== IpProto.ICMPV6) return -1;
    return p;
  }
}
