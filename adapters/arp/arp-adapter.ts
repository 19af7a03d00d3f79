import { DISCOVERY_EXEMPT, FrameContext, ProtocolAdapter } from '../../src/adapter';
import { ArpCheck, ArpField, ArpOp, ARP_LEN, arpCheck, isZeroIpv4At } from '../../src/frame/arp';
import { ETH_MIN_FRAME, EtherType, readU16, writeU16 } from '../../src/frame/ethernet';
import { Ipv4Field, ipv4Check } from '../../src/frame/ipv4';
import { macCopy, macEquals } from '../../src/mac';
import { Direction, Verdict, defineReason } from '../../src/verdict';

/** Reasons of the ARP adapter (patent step numbers where the method names them). */
export const ArpReason = {
  Step502: defineReason('arp.step502', 'step 502: ARP request from a member for this host: sender MAC := member\'s dedicated MAC'),
  MemberClusterSender: defineReason('arp.merge-hazard', 'ARP from a member with the cluster MAC as sender: sender MAC := member\'s dedicated MAC (RFC 826 merge hazard)'),
  Step508: defineReason('arp.step508', 'step 508: ARP reply to a member: sender MAC := this host\'s dedicated MAC, target MAC := cluster MAC'),
  Step508Receiver: defineReason('arp.step508-receiver', 'step 508, replyRewrite "receiver": ARP reply to a member: target MAC := cluster MAC; sender MAC stays the cluster MAC for the member\'s layer'),
  Step510Receiver: defineReason('arp.step510-receiver', 'ARP reply from a member for this host with the cluster MAC as sender: sender MAC := member\'s dedicated MAC (RFC 826 merge hazard; with replyRewrite "receiver", both substitutions at the requester)'),
  Synthesized: defineReason('arp.synthesized', 'response synthesizer: ARP request for a member answered locally'),
  Truncated: defineReason('arp.truncated', 'ARP: truncated'),
  Layout: defineReason('arp.layout', 'ARP: not Ethernet/IPv4 (htype, ptype, hlen or plen): not ours'),
  Opcode: defineReason('arp.opcode', 'ARP: opcode other than request or reply: not ours'),
  Probe: defineReason('arp.probe', 'ARP probe (sender IP 0.0.0.0, RFC 5227): not ours'),
  NonMember: defineReason('arp.non-member', 'ARP from a non-member: unchanged'),
  OwnAddress: defineReason('arp.own-address', 'inbound ARP claiming one of this host\'s own addresses: unchanged'),
  SenderNotCluster: defineReason('arp.sender-not-cluster', 'ARP from a member whose sender MAC is not the cluster MAC: unchanged'),
  OutboundNotOwn: defineReason('arp.reply-not-own', 'outbound ARP reply for an address that is not this host\'s dedicated address (virtual IP or other): keeps the cluster MAC'),
  OutboundToNonMember: defineReason('arp.reply-to-non-member', 'outbound ARP reply to a non-member: keeps the cluster MAC'),
  OutboundSeenByNonMembers: defineReason('arp.reply-seen-by-non-members', 'outbound ARP reply to a member, but to an Ethernet destination non-members receive (broadcast, a non-member\'s MAC): keeps the cluster MAC (RFC 826 merge rule)'),
  OutboundUnchanged: defineReason('arp.outbound-unchanged', 'outbound ARP: nothing to rewrite'),
  ProbeReplyBroadcast: defineReason('arp.probe-reply-broadcast', 'outbound ARP reply to a probe (target IP 0.0.0.0, RFC 5227) addressed to the cluster MAC: Ethernet destination := broadcast, so every member receives it; payload unchanged'),
  Ipv4Data: defineReason('ipv4.data', 'IPv4 data: no rewrite'),
} as const;

const CHECK_REASON = [0, ArpReason.Truncated, ArpReason.Layout, ArpReason.Opcode];

/**
 * IPv4 adapter: ARP (EtherType 0x0806) discovery rewriting per FIG. 5 and 6, and what the core needs
 * of IPv4 data frames (0x0800) for shared-mode filtering and strict sources.
 */
export class ArpAdapter implements ProtocolAdapter {
  readonly name = 'arp';
  readonly etherTypes = [EtherType.ARP, EtherType.IPV4];

  process(c: FrameContext): Verdict {
    if (c.etherType !== EtherType.ARP) {
      c.reason = ArpReason.Ipv4Data;
      return Verdict.Pass;
    }
    const chk = arpCheck(c.frame, c.l3, c.length);
    if (chk !== ArpCheck.OK) {
      c.reason = CHECK_REASON[chk];
      return Verdict.Pass;
    }
    return c.direction === Direction.Inbound ? this.inbound(c) : this.outbound(c);
  }

  /** Steps 502 (request for us) and the RFC 826 hazard (any other ARP from a member). */
  private inbound(c: FrameContext): Verdict {
    const f = c.frame;
    const o = c.l3;
    if (isZeroIpv4At(f, o + ArpField.SPA)) return this.keep(c, ArpReason.Probe);
    const a = c.cluster.memberIpv4(f, o + ArpField.SPA);
    if (a < 0) return this.keep(c, ArpReason.NonMember);
    const m = c.remoteHost(a);
    if (m < 0) return this.keep(c, ArpReason.OwnAddress);
    const forUs = c.isLocalMember(c.cluster.memberIpv4(f, o + ArpField.TPA));
    if (!macEquals(f, o + ArpField.SHA, c.clusterMac, 0)) {
      // step 510: the member's layer already wrote its dedicated MAC: the exchange is complete
      if (forUs && readU16(f, o + ArpField.OPER) === ArpOp.REPLY && macEquals(f, o + ArpField.SHA, c.cluster.memberMacs, c.cluster.macAt(a))) c.markDiscovered(m);
      return this.keep(c, ArpReason.SenderNotCluster);
    }
    macCopy(f, o + ArpField.SHA, c.cluster.memberMacs, c.cluster.macAt(a));
    const op = readU16(f, o + ArpField.OPER);
    if (forUs && op === ArpOp.REPLY) {
      // the replier left the cluster MAC (replyRewrite "receiver"): this completes the exchange
      c.markDiscovered(m);
      c.reason = ArpReason.Step510Receiver;
    } else c.reason = forUs && op === ArpOp.REQUEST ? ArpReason.Step502 : ArpReason.MemberClusterSender;
    return Verdict.Rewrite;
  }

  /** Step 508 (our reply to a member) and the response synthesizer. */
  private outbound(c: FrameContext): Verdict {
    const f = c.frame;
    const o = c.l3;
    const op = readU16(f, o + ArpField.OPER);
    if (op === ArpOp.REPLY) {
      // arp.probe-reply-to-cluster: the prober's sender MAC is the cluster MAC, which a switch sends
      // back out of the port it came in on; broadcast reaches the prober (RFC 5227 2.6)
      if (isZeroIpv4At(f, o + ArpField.TPA) && macEquals(f, 0, c.clusterMac, 0)) {
        for (let i = 0; i < 6; i++) f[i] = 0xff;
        c.reason = ArpReason.ProbeReplyBroadcast;
        return Verdict.Rewrite;
      }
      const own = c.cluster.memberIpv4(f, o + ArpField.SPA);
      if (!c.isLocalMember(own)) return this.keep(c, ArpReason.OutboundNotOwn);
      if (!macEquals(f, o + ArpField.SHA, c.clusterMac, 0)) return this.keep(c, ArpReason.OutboundUnchanged);
      const to = c.cluster.memberIpv4(f, o + ArpField.TPA);
      const m = c.remoteHost(to);
      if (m < 0) return this.keep(c, ArpReason.OutboundToNonMember);
      // RFC 826 merge rule: every station receiving this frame updates its entry for us, whatever the
      // target. A reply to a member sent where non-members receive it (a request forged with a
      // member's IP and the forger's MAC, say) keeps the cluster MAC.
      if (!c.destinationReachesMembersOnly(to)) return this.keep(c, ArpReason.OutboundSeenByNonMembers);
      c.markDiscovered(m);
      if (!c.replyRewriteAtSender) {
        // the patent's alternative: the requester's layer writes our dedicated MAC (inbound rule),
        // so this reply, flooded to every port, carries no dedicated MAC at all
        if (macEquals(f, o + ArpField.THA, c.clusterMac, 0)) return this.keep(c, ArpReason.Step508Receiver);
        macCopy(f, o + ArpField.THA, c.clusterMac, 0);
        c.reason = ArpReason.Step508Receiver;
        return Verdict.Rewrite;
      }
      macCopy(f, o + ArpField.SHA, c.cluster.memberMacs, c.cluster.macAt(own));
      macCopy(f, o + ArpField.THA, c.clusterMac, 0);
      c.reason = ArpReason.Step508;
      return Verdict.Rewrite;
    }
    if (c.synthesize && !isZeroIpv4At(f, o + ArpField.SPA)) {
      const t = c.cluster.memberIpv4(f, o + ArpField.TPA);
      const m = c.remoteHost(t);
      if (m >= 0) {
        this.synthesize(c, t);
        c.markDiscovered(m);
        c.reason = ArpReason.Synthesized;
        return Verdict.Reply;
      }
    }
    return this.keep(c, ArpReason.OutboundUnchanged);
  }

  /**
   * Patent, response synthesizer: cluster MAC in Ethernet source and destination and in the target
   * MAC; sender and target IPs swapped; the member's dedicated MAC as sender MAC. VLAN tags of the
   * request are kept; the reply is padded to the 60-byte minimum.
   */
  private synthesize(c: FrameContext, member: number): void {
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


  private keep(c: FrameContext, reason: number): Verdict {
    c.reason = reason;
    return Verdict.Pass;
  }

  localDestination(c: FrameContext): number {
    const f = c.frame;
    if (c.etherType === EtherType.ARP) {
      if (arpCheck(f, c.l3, c.length) !== ArpCheck.OK) return -1;
      return c.isLocalMember(c.cluster.memberIpv4(f, c.l3 + ArpField.TPA)) ? 1 : 0;
    }
    if (!ipv4Check(f, c.l3, c.length)) return -1;
    return c.isLocalMember(c.cluster.memberIpv4(f, c.l3 + Ipv4Field.DST)) ? 1 : 0;
  }

  sourceMember(c: FrameContext): number {
    if (c.etherType === EtherType.ARP) return DISCOVERY_EXEMPT;
    if (!ipv4Check(c.frame, c.l3, c.length)) return -1;
    return c.remoteHost(c.cluster.memberIpv4(c.frame, c.l3 + Ipv4Field.SRC));
  }
}
