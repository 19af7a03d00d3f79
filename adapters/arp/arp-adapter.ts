import { FrameContext, ProtocolAdapter } from '../../src/adapter';
import type { MemberEntry } from '../../src/cluster';
import { DiscoveryKind, DiscoveryMessage, DiscoveryReasons } from '../../src/discovery';
import { ArpCheck, ArpField, ArpOp, ARP_LEN, arpCheck, isZeroIpv4At } from './arp';
import { ETH_MIN_FRAME, EtherType, readU16, writeU16 } from '../../src/frame/ethernet';
import { Ipv4Field, ipv4Check } from './ipv4';
import { macCopy } from '../../src/mac';
import { defineReason } from '../../src/verdict';

/** Reasons of the ARP adapter (patent step numbers where the method names them). */
export const ArpReason = {
  Step502: defineReason(
    'arp.step502',
    "step 502: ARP request from a member for this host: sender MAC := member's dedicated MAC",
  ),
  MemberClusterSender: defineReason(
    'arp.merge-hazard',
    "ARP from a member with the cluster MAC as sender: sender MAC := member's dedicated MAC (RFC 826 merge hazard)",
  ),
  Step508: defineReason(
    'arp.step508',
    "step 508: ARP reply to a member: sender MAC := this host's dedicated MAC, target MAC := cluster MAC",
  ),
  Step508Receiver: defineReason(
    'arp.step508-receiver',
    'step 508, replyRewrite "receiver": ARP reply to a member: target MAC := cluster MAC; sender MAC stays the cluster MAC for the member\'s layer',
  ),
  Step510Receiver: defineReason(
    'arp.step510-receiver',
    'ARP reply from a member for this host with the cluster MAC as sender: sender MAC := member\'s dedicated MAC (RFC 826 merge hazard; with replyRewrite "receiver", both substitutions at the requester)',
  ),
  Synthesized: defineReason('arp.synthesized', 'response synthesizer: ARP request for a member answered locally'),
  Truncated: defineReason('arp.truncated', 'ARP: truncated'),
  Layout: defineReason('arp.layout', 'ARP: not Ethernet/IPv4 (htype, ptype, hlen or plen): not ours'),
  Opcode: defineReason('arp.opcode', 'ARP: opcode other than request or reply: not ours'),
  Probe: defineReason('arp.probe', 'ARP probe (sender IP 0.0.0.0, RFC 5227): not ours'),
  NonMember: defineReason('arp.non-member', 'ARP from a non-member: unchanged'),
  OwnAddress: defineReason('arp.own-address', "inbound ARP claiming one of this host's own addresses: unchanged"),
  SenderNotCluster: defineReason(
    'arp.sender-not-cluster',
    'ARP from a member whose sender MAC is not the cluster MAC: unchanged',
  ),
  OutboundNotOwn: defineReason(
    'arp.reply-not-own',
    "outbound ARP reply for an address that is not this host's dedicated address (virtual IP or other): keeps the cluster MAC",
  ),
  OutboundToNonMember: defineReason(
    'arp.reply-to-non-member',
    'outbound ARP reply to a non-member: keeps the cluster MAC',
  ),
  OutboundSeenByNonMembers: defineReason(
    'arp.reply-seen-by-non-members',
    "outbound ARP reply to a member, but to an Ethernet destination non-members receive (broadcast, a non-member's MAC): keeps the cluster MAC (RFC 826 merge rule)",
  ),
  OutboundUnchanged: defineReason('arp.outbound-unchanged', 'outbound ARP: nothing to rewrite'),
  ProbeReplyBroadcast: defineReason(
    'arp.probe-reply-broadcast',
    'outbound ARP reply to a probe (target IP 0.0.0.0, RFC 5227) addressed to the cluster MAC: Ethernet destination := broadcast, so every member receives it; payload unchanged',
  ),
  Ipv4Data: defineReason('ipv4.data', 'IPv4 data: no rewrite'),
} as const;

const CHECK_REASON = [0, ArpReason.Truncated, ArpReason.Layout, ArpReason.Opcode];

/** The ARP outcomes of the core's policy (src/discovery.ts). An ARP binds its sender IP, so the
 * answer-target outcome cannot occur: it names the non-member reason. */
const REASONS: DiscoveryReasons = {
  requestForThisHost: ArpReason.Step502,
  requestHazard: ArpReason.MemberClusterSender,
  replyForThisHost: ArpReason.Step510Receiver,
  replyHazard: ArpReason.MemberClusterSender,
  replyToMember: ArpReason.Step508,
  replyToMemberReceiver: ArpReason.Step508Receiver,
  synthesized: ArpReason.Synthesized,
  probe: ArpReason.Probe,
  outboundProbe: ArpReason.OutboundUnchanged,
  probeAnswerBroadcast: ArpReason.ProbeReplyBroadcast,
  nonMember: ArpReason.NonMember,
  virtualSource: ArpReason.NonMember,
  ownAddress: ArpReason.OwnAddress,
  virtualTarget: ArpReason.NonMember,
  alreadyDedicated: ArpReason.SenderNotCluster,
  replyNotOwn: ArpReason.OutboundNotOwn,
  replyToNonMember: ArpReason.OutboundToNonMember,
  replySeenByNonMembers: ArpReason.OutboundSeenByNonMembers,
  outboundUnchanged: ArpReason.OutboundUnchanged,
};

/**
 * IPv4 codec: decodes ARP (EtherType 0x0806, RFC 826) into the core's discovery message and IPv4
 * data (0x0800) into the addresses shared mode and strict sources need; writes link-layer fields and
 * emits the synthesized reply. The policy is the core's (src/discovery.ts, docs/rules.md).
 */
export class ArpAdapter implements ProtocolAdapter {
  readonly name = 'arp';
  readonly etherTypes = [EtherType.ARP, EtherType.IPV4];
  readonly reasons = REASONS;

  /** IPv4 data (EtherType 0x0800) is never a discovery message: its reason needs no decode. */
  dataReason(c: FrameContext): number {
    return c.etherType === EtherType.ARP ? -1 : ArpReason.Ipv4Data;
  }

  decode(c: FrameContext): void {
    const f = c.frame;
    const o = c.l3;
    const m = c.msg;
    m.clear();
    c.addressLength = 4;
    c.upperType = -1;
    if (c.etherType !== EtherType.ARP) {
      c.discoveryFrame = false;
      c.decodeReason = ArpReason.Ipv4Data;
      if (!ipv4Check(f, o, c.length)) {
        c.sourceAddress = c.destinationAddress = c.ipProtocol = -1;
        return;
      }
      c.sourceAddress = o + Ipv4Field.SRC;
      c.destinationAddress = o + Ipv4Field.DST;
      c.ipProtocol = f[o + Ipv4Field.PROTOCOL];
      return;
    }
    c.discoveryFrame = true; // strict sources never drops ARP
    c.ipProtocol = -1;
    c.sourceAddress = -1;
    const chk = arpCheck(f, o, c.length);
    if (chk !== ArpCheck.OK) {
      c.destinationAddress = -1;
      c.decodeReason = CHECK_REASON[chk];
      return;
    }
    c.destinationAddress = o + ArpField.TPA;
    const reply = readU16(f, o + ArpField.OPER) === ArpOp.REPLY;
    m.kind = reply ? DiscoveryKind.Reply : DiscoveryKind.Request;
    m.addressLength = 4;
    m.sender = m.bound = o + ArpField.SPA; // an ARP binds its sender IP to its sender MAC
    m.peer = o + ArpField.TPA;
    m.linkLayer[0] = o + ArpField.SHA;
    m.linkLayerCount = 1;
    m.targetLinkLayer = reply ? o + ArpField.THA : -1;
    m.solicited = reply;
    m.override = false;
    m.probe = isZeroIpv4At(f, o + ArpField.SPA); // RFC 5227 2.1.1
    m.probeAnswer = reply && isZeroIpv4At(f, o + ArpField.TPA); // the kernel's answer to a probe
  }

  writeLinkLayer(c: FrameContext, at: number, mac: Uint8Array, macOff: number): void {
    macCopy(c.frame, at, mac, macOff);
  }

  /**
   * Patent, response synthesizer: cluster MAC in Ethernet source and destination and in the target
   * MAC; sender and target IPs swapped; the member's dedicated MAC as sender MAC. VLAN tags of the
   * request are kept; the reply is padded to the 60-byte minimum.
   */
  synthesize(c: FrameContext, _m: DiscoveryMessage, member: MemberEntry): void {
    const f = c.frame;
    const r = c.replyFrame;
    const o = c.l3;
    const len = Math.max(o + ARP_LEN, ETH_MIN_FRAME);
    r.fill(0, 0, len);
    macCopy(r, 0, c.clusterMac, 0);
    macCopy(r, 6, c.clusterMac, 0);
    for (let i = 12; i < o; i++) r[i] = f[i]; // VLAN tags and the ARP EtherType
    for (let i = 0; i < ArpField.OPER; i++) r[o + i] = f[o + i]; // htype, ptype, hlen, plen
    writeU16(r, o + ArpField.OPER, ArpOp.REPLY);
    macCopy(r, o + ArpField.SHA, c.cluster.memberMacs, c.cluster.macAt(member));
    for (let i = 0; i < 4; i++) {
      r[o + ArpField.SPA + i] = f[o + ArpField.TPA + i];
      r[o + ArpField.TPA + i] = f[o + ArpField.SPA + i];
    }
    macCopy(r, o + ArpField.THA, c.clusterMac, 0);
    c.replyLength = len;
  }
}
