/**
 * The golden vectors of source-MAC masking (test/golden/mask/*.json; IPv4 and IPv6) and their
 * configs (test/golden/configs/mask-*.json): egress.mask-source and data.other-member
 * (docs/rules.md). Masked MACs are written out here from the form docs/config.md gives (02, the
 * host number, bytes 2 to 5 of the cluster MAC), never read from the engine; every byte comes from
 * the Repr builders. `npm run vectors` writes them.
 */
import { ArpOp } from '../../adapters/arp/arp';
import { NdOption } from '../../adapters/ndp/icmpv6';
import {
  BCAST,
  CLUSTER,
  CTAG,
  DED,
  Frame,
  HOSTS,
  NA,
  NS,
  ROUTER_MAC,
  SO,
  Spec,
  V4,
  V6,
  ZERO,
  arp,
  nd,
  ping4,
  ping6,
  render,
  solicited,
} from './kit';

export const CONFIGS: Record<string, object> = {
  // every key but the ones below at its default: maskSourceMac is on
  'mask-defaults.json': { clusterMac: CLUSTER, virtualIps: [V4.vip, V6.vip], hosts: HOSTS },
  'mask-off.json': { clusterMac: CLUSTER, maskSourceMac: false, virtualIps: [V4.vip, V6.vip], hosts: HOSTS },
};
const ON = 'configs/mask-defaults.json';
const OFF = 'configs/mask-off.json';

/** Masked source MACs of configs/mask-*.json: 02, host number, bytes 2 to 5 of 02-bf-aa-bb-cc-dd. */
const MASKED = { h1: '02-01-aa-bb-cc-dd', h2: '02-02-aa-bb-cc-dd', h3: '02-03-aa-bb-cc-dd' };

const REQ = ArpOp.REQUEST;
const REP = ArpOp.REPLY;

const arpRequest = (src: string, spa: string, tpa: string): Frame =>
  arp({ dst: BCAST, src }, { op: REQ, sha: CLUSTER, spa, tha: ZERO, tpa });
const nsFrom = (src: string, from: string, target: string): Frame => {
  const s = solicited(target);
  return nd(
    { dst: s.mac, src },
    { src: from, dst: s.ip },
    { type: NS, target, options: [{ type: NdOption.SOURCE_LL, mac: CLUSTER }] },
  );
};
const naTo = (src: string, ethDst: string, from: string, to: string): Frame =>
  nd(
    { dst: ethDst, src },
    { src: from, dst: to },
    { type: NA, flags: SO, target: from, options: [{ type: NdOption.TARGET_LL, mac: CLUSTER }] },
  );

const MASK = 'egress.mask-source';
const OTHER = 'data.other-member';

export const specs: Spec[] = [
  // ---- egress.mask-source ----
  {
    id: '101-mask-data-to-member',
    description:
      "host2's stack pings host1 (step 700: to host1's dedicated MAC, from the cluster MAC): the frame leaves from host2's masked MAC 02-02-aa-bb-cc-dd (02, host number 2, the cluster MAC's bytes 2 to 5), so a learning switch never learns the cluster MAC on host2's port. Nothing else changes.",
    source: "docs/rules.md egress.mask-source (NLB's source-MAC masking); FIG. 7 step 700",
    rules: [MASK, 'data.unchanged'],
    config: ON,
    host: 'host2',
    direction: 'outbound',
    input: ping4({ dst: DED.v4h1, src: CLUSTER }, V4.h2, V4.h1),
    verdict: 'rewrite',
    output: ping4({ dst: DED.v4h1, src: MASKED.h2 }, V4.h2, V4.h1),
    reason: MASK,
  },
  {
    id: '102-mask-data-to-non-member',
    description:
      "host2's stack answers a router (a non-member): the frame leaves from host2's masked MAC; the router's replies still go to the cluster MAC, which the switch, never having learned it, floods to every member.",
    source: 'docs/rules.md egress.mask-source',
    rules: [MASK, 'data.unchanged'],
    config: ON,
    host: 'host2',
    direction: 'outbound',
    input: ping4({ dst: ROUTER_MAC, src: CLUSTER }, V4.h2, V4.router),
    verdict: 'rewrite',
    output: ping4({ dst: ROUTER_MAC, src: MASKED.h2 }, V4.h2, V4.router),
    reason: MASK,
  },
  {
    id: '103-mask-ipv6-data',
    description:
      "host2's stack pings host1 over IPv6 (to host1's dedicated MAC): the source becomes host2's masked MAC.",
    source: 'docs/rules.md egress.mask-source',
    rules: [MASK, 'data.unchanged'],
    config: ON,
    host: 'host2',
    direction: 'outbound',
    input: ping6({ dst: DED.h1, src: CLUSTER }, V6.h2, V6.h1),
    verdict: 'rewrite',
    output: ping6({ dst: DED.h1, src: MASKED.h2 }, V6.h2, V6.h1),
    reason: MASK,
  },
  {
    id: '104-mask-host-number',
    description:
      "The same ping from host1 and host3: each member's masked MAC carries its own host number (its 1-based place in the config's host list), so each leaves from its own source: host3 from 02-03-aa-bb-cc-dd.",
    source: 'docs/config.md maskSourceMac (the form)',
    rules: [MASK],
    config: ON,
    host: 'host3',
    direction: 'outbound',
    input: ping4({ dst: DED.v4h1, src: CLUSTER }, V4.h3, V4.h1),
    verdict: 'rewrite',
    output: ping4({ dst: DED.v4h1, src: MASKED.h3 }, V4.h3, V4.h1),
    reason: MASK,
  },
  {
    id: '105-mask-host1',
    description: 'Vector 104 from host1 to host3: host1 leaves from 02-01-aa-bb-cc-dd.',
    source: 'docs/config.md maskSourceMac (the form)',
    rules: [MASK],
    config: ON,
    host: 'host1',
    direction: 'outbound',
    input: ping4({ dst: DED.v4h3, src: CLUSTER }, V4.h1, V4.h3),
    verdict: 'rewrite',
    output: ping4({ dst: DED.v4h3, src: MASKED.h1 }, V4.h1, V4.h3),
    reason: MASK,
  },
  {
    id: '106-mask-arp-request-payload-keeps-cluster-mac',
    description:
      "host2's ARP request for host1, broadcast: the Ethernet source becomes host2's masked MAC; the ARP sender MAC stays the cluster MAC, the binding non-members must keep.",
    source:
      'docs/rules.md egress.mask-source (ARP and ND payloads keep the cluster MAC), arp.outbound-keeps-cluster-mac',
    rules: [MASK, 'arp.outbound-keeps-cluster-mac'],
    config: ON,
    host: 'host2',
    direction: 'outbound',
    input: arpRequest(CLUSTER, V4.h2, V4.h1),
    verdict: 'rewrite',
    output: arpRequest(MASKED.h2, V4.h2, V4.h1),
    reason: MASK,
  },
  {
    id: '107-mask-arp-reply-to-member-keeps-rule-reason',
    description:
      "host2's reply to host1's request (default replyRewrite \"receiver\"): the discovery rule writes the target MAC := cluster MAC and keeps its reason; masking also sets the Ethernet source to host2's masked MAC. The sender MAC stays the cluster MAC.",
    source: "docs/rules.md arp.reply-to-member, egress.mask-source (a rewritten frame keeps its rule's reason)",
    rules: ['arp.reply-to-member', MASK],
    config: ON,
    host: 'host2',
    direction: 'outbound',
    input: arp({ dst: DED.v4h1, src: CLUSTER }, { op: REP, sha: CLUSTER, spa: V4.h2, tha: DED.v4h1, tpa: V4.h1 }),
    verdict: 'rewrite',
    output: arp({ dst: DED.v4h1, src: MASKED.h2 }, { op: REP, sha: CLUSTER, spa: V4.h2, tha: CLUSTER, tpa: V4.h1 }),
    reason: 'arp.step508-receiver',
  },
  {
    id: '108-mask-arp-reply-to-non-member',
    description:
      "host2's ARP reply to a router: the payload keeps the cluster MAC as sender MAC (the router learns only the cluster MAC); only the Ethernet source is masked.",
    source: 'docs/rules.md egress.mask-source, arp.outbound-keeps-cluster-mac',
    rules: [MASK, 'arp.outbound-keeps-cluster-mac'],
    config: ON,
    host: 'host2',
    direction: 'outbound',
    input: arp(
      { dst: ROUTER_MAC, src: CLUSTER },
      { op: REP, sha: CLUSTER, spa: V4.h2, tha: ROUTER_MAC, tpa: V4.router },
    ),
    verdict: 'rewrite',
    output: arp(
      { dst: ROUTER_MAC, src: MASKED.h2 },
      { op: REP, sha: CLUSTER, spa: V4.h2, tha: ROUTER_MAC, tpa: V4.router },
    ),
    reason: MASK,
  },
  {
    id: '109-mask-probe-reply-keeps-rule-reason',
    description:
      "host2's answer to an RFC 5227 probe, addressed to the cluster MAC: arp.probe-reply-to-cluster sets the destination to broadcast (its reason stays), masking sets the source; the payload is unchanged.",
    source: 'docs/rules.md arp.probe-reply-to-cluster, egress.mask-source',
    rules: ['arp.probe-reply-to-cluster', MASK],
    config: ON,
    host: 'host2',
    direction: 'outbound',
    input: arp({ dst: CLUSTER, src: CLUSTER }, { op: REP, sha: CLUSTER, spa: V4.h2, tha: CLUSTER, tpa: '0.0.0.0' }),
    verdict: 'rewrite',
    output: arp({ dst: BCAST, src: MASKED.h2 }, { op: REP, sha: CLUSTER, spa: V4.h2, tha: CLUSTER, tpa: '0.0.0.0' }),
    reason: 'arp.probe-reply-broadcast',
  },
  {
    id: '110-mask-ns-payload-keeps-cluster-mac',
    description:
      "host2's NS for host1 (to the solicited-node group): the Ethernet source becomes host2's masked MAC; the SLLAO keeps the cluster MAC and the ICMPv6 checksum, which does not cover the Ethernet header, is unchanged.",
    source: 'docs/rules.md egress.mask-source, ndp.outbound-keeps-cluster-mac',
    rules: [MASK, 'ndp.outbound-keeps-cluster-mac'],
    config: ON,
    host: 'host2',
    direction: 'outbound',
    input: nsFrom(CLUSTER, V6.h2, V6.h1),
    verdict: 'rewrite',
    output: nsFrom(MASKED.h2, V6.h2, V6.h1),
    reason: MASK,
  },
  {
    id: '111-mask-na-to-member',
    description:
      'host2\'s solicited NA to host1 (replyRewrite "receiver": the TLLAO keeps the cluster MAC, a pass of ndp.advertisement-to-member): only the source is masked, so the verdict becomes rewrite with the masking reason.',
    source: 'docs/rules.md ndp.advertisement-to-member, egress.mask-source (a pass that only gets its source masked)',
    rules: ['ndp.advertisement-to-member', MASK],
    config: ON,
    host: 'host2',
    direction: 'outbound',
    input: naTo(CLUSTER, DED.h1, V6.h2, V6.h1),
    verdict: 'rewrite',
    output: naTo(MASKED.h2, DED.h1, V6.h2, V6.h1),
    reason: MASK,
  },
  {
    id: '112-mask-8021q',
    description: 'Vector 102 in an 802.1Q frame (VLAN 100): the source is masked, the tag kept.',
    source: 'docs/rules.md egress.mask-source, frame.vlan-tags',
    rules: [MASK, 'frame.vlan-tags'],
    config: ON,
    host: 'host2',
    direction: 'outbound',
    input: ping4({ dst: ROUTER_MAC, src: CLUSTER, vlans: [CTAG(100)] }, V4.h2, V4.router),
    verdict: 'rewrite',
    output: ping4({ dst: ROUTER_MAC, src: MASKED.h2, vlans: [CTAG(100)] }, V4.h2, V4.router),
    reason: MASK,
  },
  {
    id: '113-mask-other-source-unchanged',
    description:
      'An outbound frame whose Ethernet source is not the cluster MAC (a frame the host bridges or sends from another MAC) passes unchanged: the rule keys on the cluster MAC as source.',
    source: 'docs/rules.md egress.mask-source (keys on the Ethernet source)',
    rules: [MASK, 'data.unchanged'],
    config: ON,
    host: 'host2',
    direction: 'outbound',
    input: ping4({ dst: ROUTER_MAC, src: '02-00-5e-00-53-02' }, V4.h2, V4.router),
    verdict: 'pass',
    reason: 'ipv4.data',
  },

  // ---- data.other-member ----
  {
    id: '201-other-member-ipv4-dropped',
    description:
      "A router pings host1 at the cluster MAC. With masking the switch floods the cluster MAC, so host2 receives it too: its IPv4 destination is host1's address, so host2's layer drops it and host2's stack never sees, answers or forwards host1's traffic.",
    source: 'docs/rules.md data.other-member',
    rules: [OTHER],
    config: ON,
    host: 'host2',
    direction: 'inbound',
    input: ping4({ dst: CLUSTER, src: ROUTER_MAC }, V4.router, V4.h1),
    verdict: 'drop',
    reason: OTHER,
  },
  {
    id: '202-other-member-ipv6-dropped',
    description: 'Vector 201 over IPv6: a router pings host1 at the cluster MAC; host2 drops it.',
    source: 'docs/rules.md data.other-member',
    rules: [OTHER],
    config: ON,
    host: 'host2',
    direction: 'inbound',
    input: ping6({ dst: CLUSTER, src: ROUTER_MAC }, V6.router, V6.h1),
    verdict: 'drop',
    reason: OTHER,
  },
  {
    id: '203-other-member-8021q-dropped',
    description: 'Vector 201 in an 802.1Q frame (VLAN 100): dropped the same.',
    source: 'docs/rules.md data.other-member, frame.vlan-tags',
    rules: [OTHER, 'frame.vlan-tags'],
    config: ON,
    host: 'host2',
    direction: 'inbound',
    input: ping4({ dst: CLUSTER, src: ROUTER_MAC, vlans: [CTAG(100)] }, V4.router, V4.h1),
    verdict: 'drop',
    reason: OTHER,
  },
  {
    id: '204-local-ipv4-passes',
    description: "The router's ping for host2's own address at host2: passes unchanged, as without masking.",
    source: "docs/rules.md data.other-member (the local host's addresses pass), data.unchanged",
    rules: [OTHER, 'data.unchanged'],
    config: ON,
    host: 'host2',
    direction: 'inbound',
    input: ping4({ dst: CLUSTER, src: ROUTER_MAC }, V4.router, V4.h2),
    verdict: 'pass',
    reason: 'ipv4.data',
  },
  {
    id: '205-local-ipv6-passes',
    description: "The router's IPv6 ping for host2's own address at host2: passes unchanged.",
    source: 'docs/rules.md data.other-member, data.unchanged',
    rules: [OTHER, 'data.unchanged'],
    config: ON,
    host: 'host2',
    direction: 'inbound',
    input: ping6({ dst: CLUSTER, src: ROUTER_MAC }, V6.router, V6.h2),
    verdict: 'pass',
    reason: 'ipv6.data',
  },
  {
    id: '206-virtual-ip-passes',
    description:
      'A client to the virtual (load-balanced) IPv4 address at the cluster MAC: every member passes it to its stack, as in unicast cluster mode.',
    source: 'docs/rules.md data.other-member (virtual IPs pass)',
    rules: [OTHER, 'data.unchanged'],
    config: ON,
    host: 'host2',
    direction: 'inbound',
    input: ping4({ dst: CLUSTER, src: ROUTER_MAC }, V4.router, V4.vip),
    verdict: 'pass',
    reason: 'ipv4.data',
  },
  {
    id: '207-virtual-ipv6-passes',
    description: 'Vector 206 over IPv6: a client to the virtual IPv6 address passes.',
    source: 'docs/rules.md data.other-member (virtual IPs pass)',
    rules: [OTHER, 'data.unchanged'],
    config: ON,
    host: 'host2',
    direction: 'inbound',
    input: ping6({ dst: CLUSTER, src: ROUTER_MAC }, V6.router, V6.vip),
    verdict: 'pass',
    reason: 'ipv6.data',
  },
  {
    id: '208-non-member-destination-passes',
    description:
      "A frame to the cluster MAC for an address no member owns (IPv4) passes: it is no other member's, and the stack decides (it forwards or drops it as without the layer).",
    source: 'docs/rules.md data.other-member (non-member destinations pass)',
    rules: [OTHER, 'data.unchanged'],
    config: ON,
    host: 'host2',
    direction: 'inbound',
    input: ping4({ dst: CLUSTER, src: ROUTER_MAC }, V4.router, V4.outsider),
    verdict: 'pass',
    reason: 'ipv4.data',
  },
  {
    id: '209-non-member-ipv6-destination-passes',
    description: 'Vector 208 over IPv6.',
    source: 'docs/rules.md data.other-member (non-member destinations pass)',
    rules: [OTHER, 'data.unchanged'],
    config: ON,
    host: 'host2',
    direction: 'inbound',
    input: ping6({ dst: CLUSTER, src: ROUTER_MAC }, V6.router, V6.outsider),
    verdict: 'pass',
    reason: 'ipv6.data',
  },
  {
    id: '210-discovery-for-other-member-not-dropped',
    description:
      "A router's unicast NS (neighbour unreachability detection) for host1's address, sent to the cluster MAC, at host2: a discovery message, not data, so data.other-member leaves it to the Neighbor Discovery rules (a non-member's NS passes unchanged).",
    source: 'docs/rules.md data.other-member (not a discovery message), ndp.non-member',
    rules: [OTHER, 'ndp.non-member'],
    config: ON,
    host: 'host2',
    direction: 'inbound',
    input: nd(
      { dst: CLUSTER, src: ROUTER_MAC },
      { src: V6.router, dst: V6.h1 },
      { type: NS, target: V6.h1, options: [{ type: NdOption.SOURCE_LL, mac: ROUTER_MAC }] },
    ),
    verdict: 'pass',
    reason: 'ndp.non-member',
  },
  {
    id: '211-arp-for-other-member-not-dropped',
    description:
      "A router's unicast ARP request for host1's address, sent to the cluster MAC, at host2: ARP is discovery, never dropped by data.other-member (a non-member's ARP passes unchanged).",
    source: 'docs/rules.md data.other-member (not a discovery message), arp.non-member',
    rules: [OTHER, 'arp.non-member'],
    config: ON,
    host: 'host2',
    direction: 'inbound',
    input: arp({ dst: CLUSTER, src: ROUTER_MAC }, { op: REQ, sha: ROUTER_MAC, spa: V4.router, tha: ZERO, tpa: V4.h1 }),
    verdict: 'pass',
    reason: 'arp.non-member',
  },

  // ---- masking off ----
  {
    id: '301-off-data-leaves-from-cluster-mac',
    description:
      'Vector 102 with "maskSourceMac": false: the frame leaves from the cluster MAC, unchanged (a learning switch then learns the cluster MAC on this port).',
    source: 'docs/config.md maskSourceMac',
    rules: [MASK, 'data.unchanged'],
    config: OFF,
    host: 'host2',
    direction: 'outbound',
    input: ping4({ dst: ROUTER_MAC, src: CLUSTER }, V4.h2, V4.router),
    verdict: 'pass',
    reason: 'ipv4.data',
  },
  {
    id: '302-off-other-member-data-passes',
    description:
      'Vector 201 with "maskSourceMac": false: a frame to the cluster MAC for host1 passes at host2 (without masking the switch delivers it to one member port only; the stack drops it).',
    source: 'docs/config.md maskSourceMac',
    rules: [OTHER, 'data.unchanged'],
    config: OFF,
    host: 'host2',
    direction: 'inbound',
    input: ping4({ dst: CLUSTER, src: ROUTER_MAC }, V4.router, V4.h1),
    verdict: 'pass',
    reason: 'ipv4.data',
  },
  {
    id: '303-off-na-to-member-passes',
    description:
      'Vector 111 with "maskSourceMac": false: the NA passes unchanged (ndp.advertisement-to-member, form "receiver").',
    source: 'docs/config.md maskSourceMac, docs/rules.md ndp.advertisement-to-member',
    rules: [MASK, 'ndp.advertisement-to-member'],
    config: OFF,
    host: 'host2',
    direction: 'outbound',
    input: naTo(CLUSTER, DED.h1, V6.h2, V6.h1),
    verdict: 'pass',
    reason: 'ndp.step508-receiver',
  },
];

export function files(): Map<string, string> {
  return render('mask', specs, CONFIGS);
}
