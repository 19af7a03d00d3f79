import { REPLY_CAPACITY, reasonId, reasonText } from '../../src';
import { CLUSTER_MAC, Model, SHARED_MAC } from './model';
import {
  Icmp6,
  Ip6,
  L2,
  hex,
  macAt,
  readArp,
  readIcmp6,
  readIp4,
  readIp6,
  readL2,
  icmp6ChecksumValid,
  ndLinkLayerOptions,
} from './wire';

export const INBOUND = 0;
export const OUTBOUND = 1;
export const PASS = 0;
export const REWRITE = 1;
export const DROP = 2;
export const REPLY = 3;

/** One engine's answer to one frame, as the harness observed it. */
export interface Observation {
  model: Model;
  /** Index of the local host H in the model. */
  host: number;
  direction: number;
  input: Uint8Array;
  /** The buffer after process(): output in [0, input.length), guard bytes after. */
  output: Uint8Array;
  verdict: number;
  reason: number;
  reply: Uint8Array | null;
}

/**
 * The robustness properties, checked on one observation. Returns the first violated property as
 * text ("property: detail"), or null. The rules they encode:
 *
 * Who is the source. Inbound (from the wire, where anyone can write anything), the source is the
 * address the frame states for its sender: the ARP sender protocol address, the IPv4 or IPv6 source
 * (for NS and NA alike: RFC 4861 7.2.3/7.2.5 attach the option to the IPv6 source's cache entry or the
 * target's, and the engine may only believe a member about itself). It is a member when that address
 * is one of a *remote* member's addresses: H's own addresses arriving from the wire are a loop or a
 * forgery. Outbound, the source is H's own stack; what must be H's is the address the frame binds a
 * MAC to (ARP sender protocol address, NA target).
 *
 * Who is addressed. An outbound ARP or NDP frame is addressed to a non-member unless both its
 * target (ARP target protocol address, IPv6 destination) is a member's unicast address and its
 * Ethernet destination is one only members accept (a member's dedicated MAC, the shared MAC, the
 * cluster MAC). For ARP the Ethernet destination is what counts most: RFC 826's merge rule makes
 * every station that receives an ARP frame update an entry it already has for the sender, whatever
 * the target. For NDP a non-member's stack discards an NA for another IPv6 address, but the frame
 * still lands on its port (the live non-member test: no dedicated MAC in an ARP/NDP frame sent to it).
 */
export function checkObservation(o: Observation): string | null {
  const { model: m, host: H, direction: dir, input: inp, output: out, verdict: v } = o;
  const n = inp.length;

  if (!(v === PASS || v === REWRITE || v === DROP || v === REPLY)) return `verdict: ${v} is not a verdict`;
  if (v === DROP && (o.reason === 0 || reasonText(o.reason) === '' || reasonText(o.reason).startsWith('reason #')))
    return `reason: drop without a reason (${o.reason})`;
  for (let i = n; i < out.length; i++)
    if (out[i] !== GUARD_BYTE) return `length: byte ${i} past the frame's ${n} bytes was written`;
  if (v === PASS) {
    for (let i = 0; i < n; i++) if (out[i] !== inp[i]) return `pass: byte ${i} changed (${inp[i]} -> ${out[i]})`;
  }
  if (v === REPLY) return checkReply(o);
  if (v === DROP) return checkDrop(o);

  // ---- forwarded: pass or rewrite ----
  if (n >= 14 && (out[6] & 1) === 1) return 'multicast source: a forwarded frame has a multicast Ethernet source';
  const l2 = readL2(inp, n);
  const dstIn = n >= 6 ? macAt(inp, 0) : '';
  const dstOut = n >= 6 ? macAt(out, 0) : '';
  // rule 4 (another member's dedicated MAC: drop) for frames whose headers can be read; rule 5
  // passes truncated ones (a tag stack cut short or deeper than MAX_TAGS) byte-identical
  if (dir === INBOUND && m.mode === 'dedicated' && l2) {
    const owner = m.macHost.get(dstOut);
    if (owner !== undefined && owner !== H)
      return `not for this host: an inbound frame for host${owner + 1}'s dedicated MAC was forwarded`;
  }
  if (dir === INBOUND && m.mode === 'shared' && l2 && dstOut === m.sharedMac)
    return 'shared: an inbound frame still addressed to the shared MAC was forwarded';

  // data.other-member: with masking, IP data to the cluster MAC for another member's address is
  // that member's (a discovery message is not data: ARP, ICMPv6 133 to 137)
  if (dir === INBOUND && m.maskSourceMac && dstIn === CLUSTER_MAC) {
    const other = otherMemberData(m, H, inp, l2);
    if (other) return `other member: an inbound ${other} was forwarded`;
  }

  // egress.mask-source: a forwarded outbound frame from the cluster MAC leaves from H's masked MAC,
  // as a rewrite; with masking off, or from any other source, the source stays as the stack wrote it
  let masked = false;
  if (dir === OUTBOUND && n >= 14) {
    const srcIn = macAt(inp, 6);
    const srcOut = macAt(out, 6);
    if (m.maskSourceMac && srcIn === CLUSTER_MAC) {
      if (v === PASS) return 'mask: an outbound frame from the cluster MAC passed with that source';
      if (srcOut !== m.maskedMac(H))
        return `mask: an outbound frame from the cluster MAC left from ${srcOut}, not ${m.maskedMac(H)}`;
      masked = true;
    } else if (srcOut !== srcIn) return `mask: the Ethernet source ${srcIn} became ${srcOut}`;
  }

  const changed: number[] = [];
  for (let i = 0; i < n; i++) if (out[i] !== inp[i] && !(masked && i >= 6 && i < 12)) changed.push(i);
  if (v === PASS) return null;
  if (masked) {
    const maskReason = reasonId(o.reason) === 'egress.mask-source';
    if (changed.length === 0 && !maskReason)
      return `mask: only the source was masked, but the reason is ${reasonId(o.reason)}`;
    if (changed.length > 0 && maskReason) return 'mask: a frame rewritten by another rule got the masking reason';
  }

  // no outbound ARP/NDP frame addressed to a non-member carries a member MAC the engine wrote
  if (dir === OUTBOUND) {
    const to = toNonMember(m, inp, l2);
    if (to) {
      for (let p = 0; p + 6 <= n; p++) {
        const w = macAt(out, p);
        if ((m.memberMacs.has(w) || w === SHARED_MAC) && w !== macAt(inp, p))
          return `leak: outbound ${to} got the member MAC ${w} written at byte ${p}`;
      }
    }
  }

  // ---- rewrite: the destination rule, then the discovery rewrites ----
  if (changed.some((i) => i < 6) && dir === OUTBOUND) {
    // arp.probe-reply-to-cluster: only an ARP reply to a probe (target IP 0.0.0.0) addressed to the
    // cluster MAC, only to broadcast, nothing else changed
    const a = l2?.etherType === 0x0806 ? readArp(inp, n, l2) : null;
    const probeReply = a !== null && a.op === 2 && [0, 1, 2, 3].every((k) => inp[a.tpa + k] === 0);
    if (!probeReply || dstIn !== CLUSTER_MAC)
      return 'destination rule: an outbound frame had its Ethernet destination changed';
    if (dstOut !== 'ffffffffffff') return `probe reply: destination became ${dstOut}, not broadcast`;
    if (changed.some((i) => i >= 6))
      return `probe reply: bytes ${changed
        .filter((i) => i >= 6)
        .slice(0, 4)
        .join(',')} changed besides the destination`;
    return null;
  }
  if (changed.some((i) => i < 6)) {
    if (dstOut !== CLUSTER_MAC) return `destination rule: destination became ${dstOut}, not the cluster MAC`;
    if (m.mode === 'dedicated' && m.macHost.get(dstIn) !== H)
      return `destination rule: destination ${dstIn} is not one of H's dedicated MACs`;
    if (m.mode === 'shared') {
      if (dstIn !== m.sharedMac) return `destination rule: destination ${dstIn} is not the shared MAC`;
      const local = localDestination(o);
      if (local !== true)
        return `shared: delivered a frame whose IP destination is ${local === false ? "not H's" : 'unreadable'}`;
    }
  }
  const beyond = changed.filter((i) => i >= 6);
  if (beyond.length === 0) return null;

  const arp = readArp(inp, n, l2);
  const ip6 = readIp6(inp, n, l2);
  const icmp = readIcmp6(inp, ip6);
  if (arp) return checkArpRewrite(o, arp, beyond);
  if (ip6 && icmp && (icmp.type === 135 || icmp.type === 136)) return checkNdRewrite(o, ip6, icmp, beyond);
  return `rewrite: bytes ${beyond.slice(0, 4).join(',')} changed in a frame that is neither ARP nor NS/NA`;
}

export const GUARD_BYTE = 0xa5;

/**
 * What makes an inbound frame to the cluster MAC another member's (data.other-member): IPv4 data
 * with a readable header, or IPv6 that is not Neighbor Discovery, whose IP destination is a remote
 * member's address. "" when it is not.
 */
function otherMemberData(m: Model, H: number, f: Uint8Array, l2: L2 | null): string {
  const n = f.length;
  const ip4 = readIp4(f, n, l2);
  if (ip4) {
    const h = m.hostOf(f, ip4.dst, 4);
    return h >= 0 && h !== H ? `IPv4 frame for host${h + 1}'s ${spaText(f, ip4.dst)}` : '';
  }
  const ip6 = readIp6(f, n, l2);
  if (!ip6) return '';
  const icmp = readIcmp6(f, ip6);
  if (icmp && icmp.type >= 133 && icmp.type <= 137) return '';
  const h = m.hostOf(f, ip6.dst, 16);
  return h >= 0 && h !== H ? `IPv6 frame for host${h + 1}'s ${hex(f, ip6.dst, ip6.dst + 16)}` : '';
}

function checkDrop(o: Observation): string | null {
  const t = reasonText(o.reason);
  if (reasonId(o.reason) === 'data.other-member') {
    const { model: m, input: f } = o;
    if (!m.maskSourceMac) return 'other member: a data.other-member drop with maskSourceMac off';
    if (o.direction !== INBOUND) return "other member: an outbound frame was dropped as another member's";
    if (f.length < 14 || macAt(f, 0) !== CLUSTER_MAC)
      return 'other member: dropped a frame whose destination is not the cluster MAC';
    const l2 = readL2(f, f.length);
    const ip4 = readIp4(f, f.length, l2);
    const ip6 = readIp6(f, f.length, l2);
    const h = ip4 ? m.hostOf(f, ip4.dst, 4) : ip6 ? m.hostOf(f, ip6.dst, 16) : -1;
    if (h < 0 || h === o.host) return "other member: dropped a frame whose IP destination is no other member's";
  }
  if (/strict/i.test(t)) {
    if (!o.model.strict) return `strict: a strict-sources drop with strictSources off (${t})`;
    const l2 = readL2(o.input, o.input.length);
    if (l2?.etherType === 0x0806) return 'strict: an ARP frame was dropped by strict sources';
    const icmp = readIcmp6(o.input, readIp6(o.input, o.input.length, l2));
    if (icmp && icmp.type >= 133 && icmp.type <= 137) return 'strict: an NDP frame was dropped by strict sources';
  }
  return null;
}

/** Changes beyond the destination must be an ARP SHA/THA substitution the rules allow. */
function checkArpRewrite(o: Observation, a: ReturnType<typeof readArp> & object, beyond: number[]): string | null {
  const { model: m, host: H, direction: dir, input: inp, output: out } = o;
  for (const i of beyond) {
    const inSha = i >= a.sha && i < a.sha + 6;
    const inTha = i >= a.tha && i < a.tha + 6;
    if (!inSha && !inTha) return `arp rewrite: byte ${i} outside the sender/target MAC fields changed`;
    if (inTha && dir === INBOUND) return 'arp rewrite: an inbound target MAC changed';
  }
  const sender = m.addrAt(inp, a.spa, 4);
  if (dir === INBOUND) {
    // the source is not a member: never modified (the destination rule aside)
    if (!sender || sender.host === H)
      return `non-member source: inbound ARP from ${spaText(inp, a.spa)} (not a remote member) was modified`;
  } else {
    if (!sender || sender.host !== H)
      return `outbound arp: rewrote an ARP whose sender ${spaText(inp, a.spa)} is not H's`;
    if (a.op !== 2) return 'outbound arp: rewrote an ARP request';
  }
  if (changedIn(inp, out, a.sha)) {
    if (macAt(inp, a.sha) !== CLUSTER_MAC)
      return `arp rewrite: sender MAC ${macAt(inp, a.sha)} was not the cluster MAC`;
    if (macAt(out, a.sha) !== sender.mac)
      return `arp rewrite: sender MAC became ${macAt(out, a.sha)}, not ${sender.mac} (the MAC of ${spaText(inp, a.spa)})`;
  }
  if (changedIn(inp, out, a.tha) && macAt(out, a.tha) !== CLUSTER_MAC)
    return `arp rewrite: target MAC became ${macAt(out, a.tha)}, not the cluster MAC`;
  return null;
}

/**
 * Why an outbound ARP or NDP frame reaches non-members ("" when it reaches members only, or is neither
 * ARP nor NDP). An ARP frame whose layout is not Ethernet/IPv4 is judged by its Ethernet destination.
 */
export function toNonMember(m: Model, f: Uint8Array, l2: L2 | null): string {
  const n = f.length;
  if (!l2) return '';
  if (l2.etherType === 0x0806) {
    const a = readArp(f, n, l2);
    if (a && !m.addrAt(f, a.tpa, 4)) return `ARP to the non-member ${spaText(f, a.tpa)}`;
    const dst = macAt(f, 0);
    if (dst !== CLUSTER_MAC && !m.memberMacs.has(dst))
      return `ARP to Ethernet destination ${dst}, which non-members receive`;
    return '';
  }
  const ip6 = readIp6(f, n, l2);
  const icmp = readIcmp6(f, ip6);
  if (!ip6 || !icmp || icmp.type < 133 || icmp.type > 137) return '';
  if (!m.addrAt(f, ip6.dst, 16))
    return `NDP (type ${icmp.type}) to the non-member IPv6 destination ${hex(f, ip6.dst, ip6.dst + 16)}`;
  const dst = macAt(f, 0);
  if (dst !== CLUSTER_MAC && !m.memberMacs.has(dst))
    return `NDP (type ${icmp.type}) to Ethernet destination ${dst}, which non-members receive`;
  return '';
}

/** Changes beyond the destination must be NS SLLAO / NA TLLAO substitutions plus the checksum. */
function checkNdRewrite(o: Observation, ip6: Ip6, icmp: Icmp6, beyond: number[]): string | null {
  const { model: m, host: H, direction: dir, input: inp, output: out } = o;
  const own = icmp.type === 135 ? 1 : 2;
  const opts = ndLinkLayerOptions(inp, icmp).filter((x) => x.type === own);
  for (const i of beyond) {
    if (i === icmp.icmp + 2 || i === icmp.icmp + 3) continue;
    if (!opts.some((x) => i >= x.addr && i < x.addr + 6))
      return `nd rewrite: byte ${i} outside the ${own === 1 ? 'SLLAO' : 'TLLAO'} address and the checksum changed`;
  }
  if (icmp6ChecksumValid(inp, ip6, icmp) !== icmp6ChecksumValid(out, ip6, icmp))
    return `checksum: ICMPv6 checksum ${icmp6ChecksumValid(inp, ip6, icmp) ? 'valid' : 'invalid'} in, ${icmp6ChecksumValid(out, ip6, icmp) ? 'valid' : 'invalid'} out`;
  let who: number;
  if (dir === INBOUND && icmp.type === 136) {
    // an NA binds its target (RFC 4861 7.2.5): keyed on the target whatever the source; a target
    // the config does not list falls back to the source (an unlisted address of that member)
    const t = m.hostOf(inp, icmp.icmp + 8, 16);
    who = t >= 0 ? t : m.hostOf(inp, ip6.src, 16);
    if (who < 0 || who === H)
      return 'inbound NA whose target (or, target unlisted, source) is not a remote member was modified';
  } else if (dir === INBOUND) {
    who = m.hostOf(inp, ip6.src, 16);
    if (who < 0 || who === H)
      return 'non-member source: inbound NS whose IPv6 source is not a remote member was modified';
  } else {
    if (icmp.type !== 136) return 'outbound nd: rewrote an NS';
    if (m.hostOf(inp, icmp.icmp + 8, 16) !== H) return "outbound nd: rewrote an NA whose target is not H's";
    who = H;
  }
  const macs = m.macsOfHost(who);
  for (const x of opts) {
    if (!changedIn(inp, out, x.addr)) continue;
    if (macAt(inp, x.addr) !== CLUSTER_MAC)
      return `nd rewrite: link-layer address ${macAt(inp, x.addr)} was not the cluster MAC`;
    if (!macs.has(macAt(out, x.addr)))
      return `nd rewrite: link-layer address became ${macAt(out, x.addr)}, not a MAC of host${who + 1}`;
  }
  return null;
}

/** A reply is the response synthesizer answering H's own request for a member. */
function checkReply(o: Observation): string | null {
  const { model: m, host: H, direction: dir, input: inp } = o;
  const r = o.reply;
  if (dir !== OUTBOUND) return 'reply: a reply verdict for an inbound frame';
  if (!m.synthesize) return 'reply: a reply with synthesize off';
  if (!r || r.length < 42 || r.length > REPLY_CAPACITY) return `reply: reply length ${r?.length}`;
  if ((r[6] & 1) === 1) return 'multicast source: the reply has a multicast Ethernet source';
  if (macAt(r, 0) !== CLUSTER_MAC || macAt(r, 6) !== CLUSTER_MAC)
    return 'reply: Ethernet addresses are not the cluster MAC';
  const l2 = readL2(inp, inp.length);
  const rl2 = readL2(r, r.length);
  const arp = readArp(inp, inp.length, l2);
  if (arp) {
    const ra = readArp(r, r.length, rl2);
    if (!ra || ra.op !== 2) return 'reply: not an ARP reply';
    const t = m.addrAt(inp, arp.tpa, 4);
    if (!t || t.host === H) return 'reply: answered a request for a non-member (or for H itself)';
    if (hex(inp, arp.spa, arp.spa + 4) === '00000000') return 'reply: answered an ARP probe';
    if (macAt(r, ra.sha) !== t.mac) return `reply: sender MAC ${macAt(r, ra.sha)}, expected ${t.mac}`;
    if (macAt(r, ra.tha) !== CLUSTER_MAC) return 'reply: target MAC is not the cluster MAC';
    if (
      hex(r, ra.spa, ra.spa + 4) !== hex(inp, arp.tpa, arp.tpa + 4) ||
      hex(r, ra.tpa, ra.tpa + 4) !== hex(inp, arp.spa, arp.spa + 4)
    )
      return 'reply: addresses not swapped';
    return null;
  }
  const ip6 = readIp6(inp, inp.length, l2);
  const icmp = readIcmp6(inp, ip6);
  if (!ip6 || !icmp || icmp.type !== 135) return 'reply: answered something that is neither an ARP request nor an NS';
  if (/^0+$/.test(hex(inp, ip6.src, ip6.src + 16))) return 'reply: answered a DAD NS';
  const t = m.addrAt(inp, icmp.icmp + 8, 16);
  if (!t || t.host === H) return 'reply: answered an NS for a non-member (or for H itself)';
  const rip = readIp6(r, r.length, rl2);
  const rm = readIcmp6(r, rip);
  if (!rip || !rm || rm.type !== 136) return 'reply: not an NA';
  if (!icmp6ChecksumValid(r, rip, rm)) return 'checksum: the synthesized NA has a bad ICMPv6 checksum';
  if (r[rip.ip + 7] !== 255) return 'reply: NA hop limit is not 255';
  if ((r[rm.icmp + 4] & 0xe0) !== 0x60) return 'reply: NA flags are not S=1 O=1 R=0';
  const tll = ndLinkLayerOptions(r, rm).filter((x) => x.type === 2);
  if (tll.length !== 1 || macAt(r, tll[0].addr) !== t.mac) return "reply: TLLAO is not the member's MAC";
  return null;
}

/** Shared mode: is the frame's IP destination (ARP target, NS target, else IP destination) H's? undefined: unreadable. */
function localDestination(o: Observation): boolean | undefined {
  const { model: m, host: H, input: f } = o;
  const n = f.length;
  const l2 = readL2(f, n);
  const arp = readArp(f, n, l2);
  if (arp) return m.hostOf(f, arp.tpa, 4) === H;
  const ip4 = readIp4(f, n, l2);
  if (ip4) return m.hostOf(f, ip4.dst, 4) === H;
  const ip6 = readIp6(f, n, l2);
  if (!ip6) return undefined;
  const icmp = readIcmp6(f, ip6);
  if (icmp && icmp.type === 135) return icmp.icmp + 24 <= icmp.end ? m.hostOf(f, icmp.icmp + 8, 16) === H : undefined;
  return m.hostOf(f, ip6.dst, 16) === H;
}

function changedIn(a: Uint8Array, b: Uint8Array, o: number): boolean {
  for (let i = o; i < o + 6; i++) if (a[i] !== b[i]) return true;
  return false;
}

function spaText(f: Uint8Array, o: number): string {
  return `${f[o]}.${f[o + 1]}.${f[o + 2]}.${f[o + 3]}`;
}
