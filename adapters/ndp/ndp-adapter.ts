import { FrameContext, ProtocolAdapter } from '../../src/adapter';
import type { MemberEntry } from '../../src/cluster';
import { DiscoveryKind, DiscoveryMessage, DiscoveryReasons } from '../../src/discovery';
import { EtherType, writeU16 } from '../../src/frame/ethernet';
import {
  Icmpv6Field,
  Icmpv6Type,
  NaFlag,
  NdOption,
  ND_MIN_LEN,
  ND_OPT_LLADDR,
  ND_OPT_LL_ETHERNET_UNITS,
  icmpv6ChecksumFill,
  icmpv6ChecksumOk,
  isExtensionHeader,
  isNeighborDiscoveryType,
  replaceMacUpdatingChecksum,
} from './icmpv6';
import {
  IPV6_ADDR_LEN,
  IPV6_HEADER_LEN,
  IpProto,
  Ipv6Field,
  ipv6Check,
  ipv6PayloadEnd,
  ipv6UpperLayer,
  ipv6UpperProto,
  isMulticastIpv6At,
  isSolicitedNodeAt,
  isUnspecifiedIpv6At,
} from './ipv6';
import { macCopy } from '../../src/mac';
import { defineReason } from '../../src/verdict';

/** Reasons of the NDP adapter (patent step numbers of the ARP method they are the analogue of). */
export const NdpReason = {
  Step502: defineReason(
    'ndp.step502',
    "step 502 analogue: NS from a member for this host: SLLAO := member's dedicated MAC",
  ),
  MemberNs: defineReason(
    'ndp.ns-hazard',
    "NS from a member with the cluster MAC in its SLLAO: SLLAO := member's dedicated MAC (cache-update hazard, RFC 4861 7.2.3)",
  ),
  MemberNa: defineReason(
    'ndp.override-hazard',
    "NA advertising a member's address with the cluster MAC in its TLLAO, from any source: TLLAO := that member's dedicated MAC (Override hazard, RFC 4861 7.2.5)",
  ),
  Step508: defineReason('ndp.step508', "step 508 analogue: NA to a member: TLLAO := this host's dedicated MAC"),
  Step508Receiver: defineReason(
    'ndp.step508-receiver',
    'step 508 analogue, replyRewrite "receiver": NA to a member keeps the cluster MAC for the member\'s layer',
  ),
  Synthesized: defineReason('ndp.synthesized', 'response synthesizer: NS for a member answered locally with an NA'),
  Ipv6Data: defineReason('ipv6.data', 'IPv6 data: no rewrite'),
  Truncated: defineReason(
    'ipv6.truncated',
    'IPv6: truncated header, or payload length running past the frame: not ours',
  ),
  Extension: defineReason(
    'ipv6.extension',
    'IPv6: extension header other than hop-by-hop before ICMPv6 (or hop-by-hop past the payload): not ours',
  ),
  NotNsNa: defineReason('ndp.not-ns-na', 'Neighbor Discovery other than NS/NA (RS, RA, Redirect): unchanged'),
  HopLimit: defineReason('ndp.hop-limit', 'invalid NS/NA (RFC 4861 7.1): hop limit not 255: unchanged'),
  Code: defineReason('ndp.code', 'invalid NS/NA (RFC 4861 7.1): ICMP code not 0: unchanged'),
  Short: defineReason('ndp.short', 'invalid NS/NA (RFC 4861 7.1): ICMP length under 24: unchanged'),
  MulticastTarget: defineReason('ndp.multicast-target', 'invalid NS/NA (RFC 4861 7.1): multicast target: unchanged'),
  OptionLength: defineReason(
    'ndp.option-length',
    'invalid NS/NA (RFC 4861 7.1): option of length 0 or running past the message: unchanged',
  ),
  UnspecifiedSllao: defineReason(
    'ndp.unspecified-with-sllao',
    'invalid NS (RFC 4861 7.1.1): source :: with an SLLAO: unchanged',
  ),
  UnspecifiedNotSolicited: defineReason(
    'ndp.unspecified-not-solicited-node',
    'invalid NS (RFC 4861 7.1.1): source :: not sent to a solicited-node address: unchanged',
  ),
  MulticastSolicited: defineReason(
    'ndp.multicast-solicited',
    'invalid NA (RFC 4861 7.1.2): multicast destination with the Solicited flag: unchanged',
  ),
  Checksum: defineReason('ndp.checksum', 'invalid NS/NA (RFC 4861 7.1): bad ICMPv6 checksum: unchanged'),
  LinkLayerLength: defineReason(
    'ndp.lla-length',
    'NS/NA link-layer option not 8 octets (not a 6-byte Ethernet address): unchanged',
  ),
  Dad: defineReason('ndp.dad', 'DAD NS (source ::, RFC 4862 5.4): not ours'),
  NonMember: defineReason('ndp.non-member', 'NS/NA from a non-member: unchanged'),
  VirtualSource: defineReason('ndp.virtual-source', 'NS/NA from a virtual IP: keeps the cluster MAC'),
  OwnAddress: defineReason('ndp.own-address', "inbound NS/NA from one of this host's own addresses: unchanged"),
  VirtualTarget: defineReason('ndp.virtual-target', 'NA for a virtual IP: keeps the cluster MAC'),
  SenderNotCluster: defineReason(
    'ndp.sender-not-cluster',
    'NS/NA without the cluster MAC in its link-layer option: unchanged',
  ),
  OutboundNotOwn: defineReason(
    'ndp.na-not-own',
    "outbound NA for an address that is not this host's dedicated address (virtual IP or other): keeps the cluster MAC",
  ),
  OutboundToNonMember: defineReason(
    'ndp.na-to-non-member',
    'outbound NA to a non-member (or to a multicast group): keeps the cluster MAC',
  ),
  OutboundSeenByNonMembers: defineReason(
    'ndp.na-seen-by-non-members',
    "outbound NA to a member, but to an Ethernet destination non-members receive (broadcast, a non-member's MAC): keeps the cluster MAC",
  ),
  OutboundUnchanged: defineReason('ndp.outbound-unchanged', 'outbound NS/NA: nothing to rewrite'),
} as const;

/** The NDP outcomes of the core's policy (src/discovery.ts). */
const REASONS: DiscoveryReasons = {
  requestForThisHost: NdpReason.Step502,
  requestHazard: NdpReason.MemberNs,
  replyForThisHost: NdpReason.MemberNa,
  replyHazard: NdpReason.MemberNa,
  replyToMember: NdpReason.Step508,
  replyToMemberReceiver: NdpReason.Step508Receiver,
  synthesized: NdpReason.Synthesized,
  probe: NdpReason.Dad,
  outboundProbe: NdpReason.Dad,
  probeAnswerBroadcast: NdpReason.OutboundUnchanged, // never: a DAD NA goes to all-nodes (RFC 4862 5.4.4)
  nonMember: NdpReason.NonMember,
  virtualSource: NdpReason.VirtualSource,
  ownAddress: NdpReason.OwnAddress,
  virtualTarget: NdpReason.VirtualTarget,
  alreadyDedicated: NdpReason.SenderNotCluster,
  replyNotOwn: NdpReason.OutboundNotOwn,
  replyToNonMember: NdpReason.OutboundToNonMember,
  replySeenByNonMembers: NdpReason.OutboundSeenByNonMembers,
  outboundUnchanged: NdpReason.OutboundUnchanged,
};

/** Length of the synthesized NA: IPv6 header + NA (24) + TLLAO (8). */
const NA_REPLY_ICMP_LEN = 32;

/**
 * IPv6 codec, EtherType 0x86DD: decodes Neighbor Solicitations and Advertisements (RFC 4861) into the
 * core's discovery message in one walk (IPv6 header, Hop-by-Hop, ICMPv6, the options: the message's
 * own link-layer options go into the message's table, as Linux's ndisc_parse_options fills
 * nd_opt_array), validating them as RFC 4861 7.1.1/7.1.2 ask; decodes IPv6 data into the addresses
 * shared mode and strict sources need; writes link-layer options with RFC 1624 checksum updates;
 * emits the synthesized NA. The policy is the core's (src/discovery.ts, docs/rules.md).
 */
export class NdpAdapter implements ProtocolAdapter {
  readonly name = 'ndp';
  readonly etherTypes = [EtherType.IPV6];
  readonly reasons = REASONS;
  /** ICMPv6 header offset of the message last decoded (its checksum and target). */
  private icmp = 0;

  decode(c: FrameContext): void {
    const f = c.frame;
    const ip = c.l3;
    const m = c.msg;
    m.clear();
    c.addressLength = 16;
    c.discoveryFrame = false;
    c.ipProtocol = -1;
    c.upperType = -1;
    if (!ipv6Check(f, ip, c.length)) {
      c.sourceAddress = c.destinationAddress = -1;
      c.decodeReason = NdpReason.Truncated;
      return;
    }
    c.sourceAddress = ip + Ipv6Field.SRC;
    c.destinationAddress = ip + Ipv6Field.DST;
    const end = ipv6PayloadEnd(f, ip, c.length);
    if (end < 0) return this.notOurs(c, NdpReason.Truncated);
    const icmp = ipv6UpperLayer(f, ip, end);
    if (icmp < 0) return this.notOurs(c, NdpReason.Extension);
    const proto = ipv6UpperProto(f, ip);
    c.ipProtocol = proto;
    if (proto !== IpProto.ICMPV6)
      return this.notOurs(c, isExtensionHeader(proto) ? NdpReason.Extension : NdpReason.Ipv6Data);
    if (icmp + 1 > end) return this.notOurs(c, NdpReason.Short);
    const type = f[icmp + Icmpv6Field.TYPE];
    c.upperType = type;
    const ns = type === Icmpv6Type.NEIGHBOR_SOLICITATION;
    if (!ns && type !== Icmpv6Type.NEIGHBOR_ADVERTISEMENT) {
      if (!isNeighborDiscoveryType(type)) return this.notOurs(c, NdpReason.Ipv6Data);
      c.discoveryFrame = true;
      return this.notOurs(c, NdpReason.NotNsNa);
    }
    c.discoveryFrame = true; // strict sources never drops Neighbor Discovery
    // shared mode filters an NS on its target (when the message holds one)
    if (ns) c.destinationAddress = icmp + Icmpv6Field.OPTIONS > end ? -1 : icmp + Icmpv6Field.TARGET;
    // RFC 4861 7.1.1 / 7.1.2, in the order they are listed there, checksum last (the costly one)
    if (f[ip + Ipv6Field.HOP_LIMIT] !== 255) return this.notOurs(c, NdpReason.HopLimit);
    if (end - icmp < ND_MIN_LEN) return this.notOurs(c, NdpReason.Short);
    if (f[icmp + Icmpv6Field.CODE] !== 0) return this.notOurs(c, NdpReason.Code);
    if (isMulticastIpv6At(f, icmp + Icmpv6Field.TARGET)) return this.notOurs(c, NdpReason.MulticastTarget);
    const own = ns ? NdOption.SOURCE_LL : NdOption.TARGET_LL;
    let llaBadLength = false;
    let sllao = false;
    let n = 0;
    for (let o = icmp + Icmpv6Field.OPTIONS; o < end; ) {
      // 4.6: every option has a length above 0 and lies inside the message
      if (o + 2 > end) return this.notOurs(c, NdpReason.OptionLength);
      const units = f[o + 1];
      if (units === 0 || o + units * 8 > end) return this.notOurs(c, NdpReason.OptionLength);
      const t = f[o];
      if (t === NdOption.SOURCE_LL) sllao = true;
      if (t === own) {
        if (units !== ND_OPT_LL_ETHERNET_UNITS) llaBadLength = true;
        else m.linkLayer[n++] = o + ND_OPT_LLADDR;
      }
      o += units * 8;
    }
    const unspecified = ns && isUnspecifiedIpv6At(f, ip + Ipv6Field.SRC);
    const flags = f[icmp + Icmpv6Field.FLAGS];
    if (unspecified) {
      if (!isSolicitedNodeAt(f, ip + Ipv6Field.DST)) return this.notOurs(c, NdpReason.UnspecifiedNotSolicited);
      if (sllao) return this.notOurs(c, NdpReason.UnspecifiedSllao);
    } else if (!ns && isMulticastIpv6At(f, ip + Ipv6Field.DST) && (flags & NaFlag.SOLICITED) !== 0) {
      return this.notOurs(c, NdpReason.MulticastSolicited);
    }
    if (!icmpv6ChecksumOk(f, ip, icmp, end)) return this.notOurs(c, NdpReason.Checksum);
    if (llaBadLength) return this.notOurs(c, NdpReason.LinkLayerLength);
    this.icmp = icmp;
    m.addressLength = 16;
    m.linkLayerCount = n;
    m.sender = ip + Ipv6Field.SRC;
    m.targetLinkLayer = -1;
    m.probeAnswer = false;
    if (ns) {
      m.solicited = false;
      m.override = false;
      m.kind = DiscoveryKind.Solicitation;
      m.bound = ip + Ipv6Field.SRC; // RFC 4861 7.2.3: the SLLAO is the source's
      m.peer = icmp + Icmpv6Field.TARGET;
      m.probe = unspecified; // DAD, RFC 4862 5.4
    } else {
      m.kind = DiscoveryKind.Advertisement;
      m.bound = icmp + Icmpv6Field.TARGET; // RFC 4861 7.2.5: the TLLAO is the target's
      m.peer = ip + Ipv6Field.DST;
      m.probe = false;
      m.solicited = (flags & NaFlag.SOLICITED) !== 0;
      m.override = (flags & NaFlag.OVERRIDE) !== 0;
    }
  }

  private notOurs(c: FrameContext, reason: number): void {
    c.decodeReason = reason;
  }

  /** RFC 1624: the checksum follows the change, so a message that was right stays right. */
  writeLinkLayer(c: FrameContext, at: number, mac: Uint8Array, macOff: number): void {
    replaceMacUpdatingChecksum(c.frame, at, mac, macOff, this.icmp + Icmpv6Field.CHECKSUM);
  }

  /**
   * Response synthesizer, NDP form: a solicited NA (RFC 4861 7.2.4: S=1, O=1, R=0, hop limit 255)
   * from the member's address to the NS's source, TLLAO = the member's dedicated MAC, cluster MAC in
   * the Ethernet source and destination. VLAN tags of the NS are kept.
   */
  synthesize(c: FrameContext, _m: DiscoveryMessage, member: MemberEntry): void {
    const f = c.frame;
    const r = c.replyFrame;
    const ip = c.l3;
    const nsIcmp = this.icmp;
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
      r[ip + Ipv6Field.DST + i] = f[ip + Ipv6Field.SRC + i];
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
}
