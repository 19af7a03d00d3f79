/**
 * The IPv6 Neighbor Discovery golden vectors (test/golden/ndp/*.json) and their configs
 * (test/golden/configs/ipv6-*.json), from typed frame descriptions. Every expected output is
 * written down from the rule it illustrates and built with the Repr builders; the engine is never
 * run here. `npm run vectors` writes them; test/vectors.test.ts fails when the files drift.
 */
import { NaFlag, NdOption } from '../../adapters/ndp/icmpv6';
import { ipBytes } from '../../src/frame/build';
import { EthHeaderRepr } from '../../src/frame/build';
import { Ipv6Repr, NdOptionRepr, NdRepr } from '../../adapters/ndp/repr';
import {
  CLUSTER,
  CTAG,
  DED,
  Frame,
  LL,
  NA,
  NS,
  OTHER_MAC,
  ROUTER_MAC,
  Spec,
  V4,
  V6,
  colon,
  icmp6,
  nd,
  patch,
  ping6,
  render,
  solicited,
  withDst,
} from './kit';

const D = 'configs/ipv6-dedicated.json';
const XOR = 'configs/ipv6-xor32.json';
const HASH = 'configs/ipv6-hash32.json';
const TABLE = 'configs/ipv6-table.json';
const TABLE_H1 = '03-bf-00-00-00-11';

export const CONFIGS: Record<string, object> = {
  'ipv6-dedicated.json': {
    clusterMac: CLUSTER,
    replyRewrite: 'sender', // vectors 101, 102: step 508 analogue at the replier
    maskSourceMac: false, // every frame from the cluster MAC, as FIG. 6 draws it
    virtualIps: [V4.vip, V6.vip],
    hosts: [
      { name: 'host1', addresses: [V4.h1, V6.h1, V6.h1b] },
      { name: 'host2', addresses: [V4.h2, V6.h2] },
      { name: 'host3', addresses: [V4.h3, V6.h3] },
    ],
  },
  'ipv6-defaults.json': {
    clusterMac: CLUSTER, // every other key at its default (replyRewrite "receiver") but maskSourceMac
    maskSourceMac: false, // the Ethernet source as FIG. 6 draws it (the masking vectors: configs/mask-*.json)
    virtualIps: [V4.vip, V6.vip],
    hosts: [
      { name: 'host1', addresses: [V4.h1, V6.h1, V6.h1b] },
      { name: 'host2', addresses: [V4.h2, V6.h2] },
      { name: 'host3', addresses: [V4.h3, V6.h3] },
    ],
  },
  'ipv6-xor32.json': {
    clusterMac: CLUSTER,
    mappings: { ipv6: 'ipv6-xor32' },
    hosts: [
      { name: 'host1', addresses: [V6.h1] },
      { name: 'host2', addresses: [V6.h2] },
    ],
  },
  'ipv6-hash32.json': {
    clusterMac: CLUSTER,
    mappings: { ipv6: 'ipv6-hash32' },
    hosts: [
      { name: 'host1', addresses: [V6.h1] },
      { name: 'host2', addresses: [V6.h2] },
    ],
  },
  'ipv6-table.json': {
    clusterMac: CLUSTER,
    hosts: [
      { name: 'host1', addresses: [V6.h1], mac: { [V6.h1]: TABLE_H1 } },
      { name: 'host2', addresses: [V6.h2] },
    ],
  },
};

const sllao = (mac: string): NdOptionRepr => ({ type: NdOption.SOURCE_LL, mac });
const tllao = (mac: string): NdOptionRepr => ({ type: NdOption.TARGET_LL, mac });
const NONCE: NdOptionRepr = { type: NdOption.NONCE, body: Uint8Array.of(0x4e, 0x6f, 0x6e, 0x63, 0x65, 0x21) };
const SO = NaFlag.SOLICITED | NaFlag.OVERRIDE;
/** Hop-by-Hop header with one PadN option (RFC 8200 4.2): 8 bytes. */
const HBH = Uint8Array.of(0, 0, 1, 4, 0, 0, 0, 0);

/** A multicast NS from `src` for `target`, to the target's solicited-node address. */
function mcastNs(
  src: string,
  target: string,
  options: NdOptionRepr[],
  o: {
    eth?: Partial<EthHeaderRepr>;
    ip?: Partial<Ipv6Repr>;
    nd?: Partial<NdRepr>;
    trailer?: Uint8Array;
    claims?: Record<string, string | undefined>;
  } = {},
): Frame {
  const s = solicited(target);
  return nd(
    { dst: s.mac, src: CLUSTER, ...o.eth },
    { src, dst: s.ip, ...o.ip },
    { type: NS, target, options, ...o.nd },
    { trailer: o.trailer, claims: o.claims },
  );
}

/** The Done-when NS: 2001:db8::101 asks for 2001:db8::102 with the cluster MAC as SLLAO. */
const doneWhen = (mac: string, checksum?: 'bad'): Frame => mcastNs(V6.h1, V6.h2, [sllao(mac)], { nd: { checksum } });

/** An NA from `src` to `dst` for `target`. */
function na(
  eth: EthHeaderRepr,
  src: string,
  dst: string,
  target: string,
  flags: number,
  options: NdOptionRepr[],
  o: { ip?: Partial<Ipv6Repr>; nd?: Partial<NdRepr>; claims?: Record<string, string | undefined> } = {},
): Frame {
  return nd(eth, { src, dst, ...o.ip }, { type: NA, flags, target, options, ...o.nd }, { claims: o.claims });
}
const ALL_NODES = { ip: 'ff02::1', mac: '33-33-00-00-00-01' };

export const specs: Spec[] = [
  // ---- ndp rules, NS from a member (step 502 analogue), and the Done-when frame ----
  {
    id: '001-ns-done-when-sllao-rewritten',
    description:
      "Done-when frame: host1 (2001:db8::101) asks for host2 (2001:db8::102) with the cluster MAC as SLLAO; host2's layer writes host1's dedicated MAC 03-bf-00-00-01-01, checksum updated (RFC 1624) and correct.",
    source: 'ndp rules (NS from a member); patent step 502 (FIG. 5), RFC 4861 7.2.3',
    rules: ['ndp.solicitation-for-this-host', 'ndp.checksum-update'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: doneWhen(CLUSTER),
    verdict: 'rewrite',
    output: doneWhen(DED.h1),
    reason: 'ndp.step502',
  },
  {
    id: '002-ns-done-when-bad-checksum-passes',
    description:
      'The Done-when frame with its ICMPv6 checksum broken: fails RFC 4861 7.1.1, passes byte-identical and keeps its bad checksum (tshark status 0 in and out).',
    source: 'ndp rules (validation: bad checksum)',
    rules: ['ndp.validation'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: doneWhen(CLUSTER, 'bad'),
    verdict: 'pass',
    reason: 'ndp.checksum',
  },
  {
    id: '003-ns-for-other-member',
    description:
      "host1's NS for host3 seen by host2 (solicited-node multicast reaches every member): the SLLAO still gets host1's dedicated MAC, so host2 never keeps a cluster-MAC entry for host1.",
    source: 'ndp rules (NS from a member, whatever the target); verified on Linux (Override hazard)',
    rules: ['ndp.solicitation-hazard'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.h3, [sllao(CLUSTER)]),
    verdict: 'rewrite',
    output: mcastNs(V6.h1, V6.h3, [sllao(DED.h1)]),
    reason: 'ndp.ns-hazard',
  },
  {
    id: '004-ns-for-non-member',
    description: "host1's NS for the router (a non-member) seen by host2: SLLAO := host1's dedicated MAC.",
    source: 'ndp rules (NS from a member, whatever the target)',
    rules: ['ndp.solicitation-hazard'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.router, [sllao(CLUSTER)]),
    verdict: 'rewrite',
    output: mcastNs(V6.h1, V6.router, [sllao(DED.h1)]),
    reason: 'ndp.ns-hazard',
  },
  {
    id: '005-ns-unicast-nud-to-dedicated-mac',
    description:
      "host1's unicast NS (neighbour unreachability detection) to host2's dedicated MAC: Ethernet destination := cluster MAC and SLLAO := host1's dedicated MAC, one checksum update.",
    source: 'ndp rules (NS from a member; IPv6 destination rule); RFC 4861 7.3.1',
    rules: ['ndp.solicitation-for-this-host', 'data.dedicated-to-cluster'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: nd(
      { dst: DED.h2, src: CLUSTER },
      { src: V6.h1, dst: V6.h2 },
      { type: NS, target: V6.h2, options: [sllao(CLUSTER)] },
    ),
    verdict: 'rewrite',
    output: nd(
      { dst: CLUSTER, src: CLUSTER },
      { src: V6.h1, dst: V6.h2 },
      { type: NS, target: V6.h2, options: [sllao(DED.h1)] },
    ),
    reason: 'ndp.step502',
  },
  {
    id: '006-ns-from-second-address',
    description:
      "host1's NS from its second address 2001:db8::1:101: the SLLAO gets the dedicated MAC of that address, 03-bf-00-01-01-01 (one dedicated MAC per address).",
    source: 'ndp rules and IPv6 mappings (a host with several addresses has a dedicated MAC per address)',
    rules: ['ndp.solicitation-for-this-host', 'mapping.ipv6-low32'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1b, V6.h2, [sllao(CLUSTER)]),
    verdict: 'rewrite',
    output: mcastNs(V6.h1b, V6.h2, [sllao(DED.h1b)]),
    reason: 'ndp.step502',
  },
  {
    id: '007-ns-member-for-virtual-ip',
    description:
      "host1's NS for the virtual IP 2001:db8::100 (which host2 also owns): the SLLAO describes host1's source address, not the target, so it is rewritten; host2's stack would otherwise store host1 -> cluster MAC (docs/ipv6.md).",
    source: 'ndp rules (NS from a member, whatever the target); docs/ipv6.md (virtual IPs)',
    rules: ['ndp.solicitation-hazard'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.vip, [sllao(CLUSTER)]),
    verdict: 'rewrite',
    output: mcastNs(V6.h1, V6.vip, [sllao(DED.h1)]),
    reason: 'ndp.ns-hazard',
  },
  {
    id: '008-ns-sllao-already-dedicated',
    description: 'An NS from host1 whose SLLAO is already a dedicated MAC: unchanged.',
    source: 'ndp rules (only the cluster MAC is replaced)',
    rules: ['ndp.already-dedicated'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.h2, [sllao(DED.h1)]),
    verdict: 'pass',
    reason: 'ndp.sender-not-cluster',
  },
  {
    id: '009-ns-without-sllao',
    description: 'An NS from host1 without SLLAO (allowed, RFC 4861 4.3): nothing to rewrite, unchanged.',
    source: 'ndp rules; RFC 4861 4.3',
    rules: ['ndp.already-dedicated'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.h2, []),
    verdict: 'pass',
    reason: 'ndp.sender-not-cluster',
  },
  {
    id: '010-ns-non-member-with-cluster-mac',
    description:
      'An NS from a non-member address (2001:db8::7) carrying the cluster MAC: the source address decides, unchanged.',
    source: 'ndp rules (everything from non-members passes)',
    rules: ['ndp.non-member'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.outsider, V6.h2, [sllao(CLUSTER)], { eth: { src: OTHER_MAC } }),
    verdict: 'pass',
    reason: 'ndp.non-member',
  },
  {
    id: '011-ns-from-router',
    description: "The router's NS for host2 with its own MAC: unchanged.",
    source: 'ndp rules (everything from non-members passes)',
    rules: ['ndp.non-member'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.router, V6.h2, [sllao(ROUTER_MAC)], { eth: { src: ROUTER_MAC } }),
    verdict: 'pass',
    reason: 'ndp.non-member',
  },
  {
    id: '012-ns-own-address-from-wire',
    description:
      "An NS from the wire with host2's own address as source (its own multicast looped back, or an address conflict): unchanged.",
    source: 'ndp rules (the member is another host)',
    rules: ['ndp.own-address'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h2, V6.h3, [sllao(CLUSTER)]),
    verdict: 'pass',
    reason: 'ndp.own-address',
  },
  {
    id: '013-ns-from-virtual-ip',
    description: 'An NS whose source is the virtual IP: the virtual IP keeps the cluster MAC, unchanged.',
    source: 'ndp rules (NS/NA for virtual IPs pass)',
    rules: ['ndp.virtual-ip'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.vip, V6.h2, [sllao(CLUSTER)]),
    verdict: 'pass',
    reason: 'ndp.virtual-source',
  },
  {
    id: '014-ns-dad-passes',
    description:
      "host1's Duplicate Address Detection NS for 2001:db8::101 (source ::, no SLLAO, nonce option): not a resolution between members, unchanged.",
    source: 'ndp rules (DAD NS passes); RFC 4862 5.4.2, RFC 7527',
    rules: ['ndp.dad'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs('::', V6.h1, [NONCE], { claims: { 'icmpv6.opt.nonce': '4e6f6e636521' } }),
    verdict: 'pass',
    reason: 'ndp.dad',
  },

  // ---- options, extension headers, framing ----
  {
    id: '015-ns-nonce-and-unknown-option-kept',
    description:
      'An NS from host1 with a nonce, the SLLAO and an unknown option type 253: the SLLAO is rewritten, the other options kept byte for byte.',
    source: 'ndp rules (other options walked over and kept); RFC 4861 4.6, 7.1.1 (unknown options ignored)',
    rules: ['ndp.solicitation-for-this-host', 'ndp.link-layer-options'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.h2, [NONCE, sllao(CLUSTER), { type: 253, body: Uint8Array.of(1, 2, 3, 4, 5, 6) }], {
      claims: { 'icmpv6.opt.nonce': '4e6f6e636521' },
    }),
    verdict: 'rewrite',
    output: mcastNs(V6.h1, V6.h2, [NONCE, sllao(DED.h1), { type: 253, body: Uint8Array.of(1, 2, 3, 4, 5, 6) }], {
      claims: { 'icmpv6.opt.nonce': '4e6f6e636521' },
    }),
    reason: 'ndp.step502',
  },
  {
    id: '016-ns-duplicated-sllao',
    description:
      'An NS from host1 with three SLLAOs (cluster MAC, another MAC, cluster MAC): every one carrying the cluster MAC is rewritten, the other is kept (stacks differ on which one they believe).',
    source: 'ndp rules (duplicated SLLAO: decided in docs/ipv6.md)',
    rules: ['ndp.solicitation-for-this-host', 'ndp.link-layer-options'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.h2, [sllao(CLUSTER), sllao(OTHER_MAC), sllao(CLUSTER)]),
    verdict: 'rewrite',
    output: mcastNs(V6.h1, V6.h2, [sllao(DED.h1), sllao(OTHER_MAC), sllao(DED.h1)]),
    reason: 'ndp.step502',
  },
  {
    id: '017-ns-after-hop-by-hop-header',
    description:
      'An NS from host1 behind a Hop-by-Hop header (PadN): the header is walked over and the SLLAO rewritten at its real offset.',
    source: 'ndp rules (hop-by-hop extension header walked over); RFC 8200 4.3',
    rules: ['ndp.solicitation-for-this-host', 'ipv6.extension-headers'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.h2, [sllao(CLUSTER)], {
      ip: { hopByHop: HBH },
      claims: { 'ipv6.nxt': '0', 'ipv6.hopopts.nxt': '58' },
    }),
    verdict: 'rewrite',
    output: mcastNs(V6.h1, V6.h2, [sllao(DED.h1)], {
      ip: { hopByHop: HBH },
      claims: { 'ipv6.nxt': '0', 'ipv6.hopopts.nxt': '58' },
    }),
    reason: 'ndp.step502',
  },
  {
    id: '018-ns-8021q',
    description: 'The Done-when NS in an 802.1Q tag (VLAN 100): rewritten at the offsets after the tag, tag kept.',
    source: 'ndp rules; frame.vlan-tags (tagged frames)',
    rules: ['ndp.solicitation-for-this-host'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.h2, [sllao(CLUSTER)], { eth: { vlans: [CTAG(100)] } }),
    verdict: 'rewrite',
    output: mcastNs(V6.h1, V6.h2, [sllao(DED.h1)], { eth: { vlans: [CTAG(100)] } }),
    reason: 'ndp.step502',
  },
  {
    id: '019-ns-trailer-after-payload-kept',
    description:
      'The Done-when NS followed by 3 bytes of trailer (0xa5; with 4 or more tshark takes the last 4 for an FCS): the ICMPv6 message ends where the IPv6 payload length says, the SLLAO is rewritten, the checksum is right and the trailer kept.',
    source: 'ndp rules (payload length, not frame length)',
    rules: ['ndp.solicitation-for-this-host', 'ipv6.payload-length'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.h2, [sllao(CLUSTER)], { trailer: new Uint8Array(3).fill(0xa5) }),
    verdict: 'rewrite',
    output: mcastNs(V6.h1, V6.h2, [sllao(DED.h1)], { trailer: new Uint8Array(3).fill(0xa5) }),
    reason: 'ndp.step502',
  },
  {
    id: '020-ns-sllao-not-ethernet-size',
    description:
      'An NS from host1 whose SLLAO is 16 bytes long (length 2) starting with the cluster MAC: not a 6-byte Ethernet address, unchanged.',
    source: 'ndp rules; RFC 2464 8 (Ethernet link-layer option is 8 octets)',
    rules: ['ndp.validation', 'ndp.link-layer-options'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(
      V6.h1,
      V6.h2,
      [{ type: NdOption.SOURCE_LL, body: Uint8Array.of(0x02, 0xbf, 0xaa, 0xbb, 0xcc, 0xdd, 0, 0, 0, 0, 0, 0, 0, 0) }],
      { claims: { 'icmpv6.opt.linkaddr': undefined, 'icmpv6.opt.length': '2' } },
    ),
    verdict: 'pass',
    reason: 'ndp.lla-length',
  },
  {
    id: '021-ns-after-destination-options-header',
    description:
      'An NS from host1 behind a Destination Options header (next header 60): only Hop-by-Hop is walked, so the frame is not ours and passes unchanged.',
    source: 'ndp rules (extension headers: walk over or pass, never misread); RFC 8200 4.1',
    rules: ['ipv6.extension-headers'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: patch(mcastNs(V6.h1, V6.h2, [sllao(CLUSTER)], { ip: { hopByHop: HBH } }), 14 + 6, [60], {
      'ipv6.nxt': '60',
      'ipv6.dstopts.nxt': '58',
    }),
    verdict: 'pass',
    reason: 'ipv6.extension',
  },

  // ---- ndp rules, NA from this host to a member (step 508 analogue) ----
  {
    id: '101-na-to-member-step508',
    description:
      "host2's solicited NA to host1 (after host1's NS, vector 001): TLLAO := host2's dedicated MAC 03-bf-00-00-01-02, checksum right. The NDP form of FIG. 6 rows 620 to 630.",
    source: 'ndp rules (outbound NA to a member); patent step 508',
    rules: ['ndp.advertisement-to-member', 'ndp.checksum-update'],
    config: D,
    host: 'host2',
    direction: 'outbound',
    input: na({ dst: DED.h1, src: CLUSTER }, V6.h2, V6.h1, V6.h2, SO, [tllao(CLUSTER)]),
    verdict: 'rewrite',
    output: na({ dst: DED.h1, src: CLUSTER }, V6.h2, V6.h1, V6.h2, SO, [tllao(DED.h2)]),
    reason: 'ndp.step508',
  },
  {
    id: '108-default-na-to-member-keeps-cluster-mac',
    description:
      "Vector 101 with every config key at its default (replyRewrite \"receiver\"): host2's NA to host1 leaves with the cluster MAC in its TLLAO, so the flooded NA shows no dedicated MAC; host1's layer writes host2's dedicated MAC on the way in (vector 109).",
    source: 'patent, step 508 alternative; docs/config.md replyRewrite',
    rules: ['ndp.advertisement-to-member'],
    config: 'configs/ipv6-defaults.json',
    host: 'host2',
    direction: 'outbound',
    input: na({ dst: DED.h1, src: CLUSTER }, V6.h2, V6.h1, V6.h2, SO, [tllao(CLUSTER)]),
    verdict: 'pass',
    reason: 'ndp.step508-receiver',
  },
  {
    id: '109-default-na-at-requester',
    description:
      "Vector 108 arriving at host1 (default config): Ethernet destination := cluster MAC and TLLAO := host2's dedicated MAC, checksum updated.",
    source: 'patent, step 508 alternative; docs/rules.md ndp.override-hazard',
    rules: ['ndp.override-hazard', 'data.dedicated-to-cluster', 'ndp.checksum-update'],
    config: 'configs/ipv6-defaults.json',
    host: 'host1',
    direction: 'inbound',
    input: na({ dst: DED.h1, src: CLUSTER }, V6.h2, V6.h1, V6.h2, SO, [tllao(CLUSTER)]),
    verdict: 'rewrite',
    output: na({ dst: CLUSTER, src: CLUSTER }, V6.h2, V6.h1, V6.h2, SO, [tllao(DED.h2)]),
    reason: 'ndp.override-hazard',
  },
  {
    id: '102-na-to-member-second-address',
    description:
      "host2's NA to host1's second address 2001:db8::1:101: any address of a member makes it a member, TLLAO := host2's dedicated MAC.",
    source: 'ndp rules (IPv6 destination is a member)',
    rules: ['ndp.advertisement-to-member'],
    config: D,
    host: 'host2',
    direction: 'outbound',
    input: na({ dst: DED.h1b, src: CLUSTER }, V6.h2, V6.h1b, V6.h2, SO, [tllao(CLUSTER)]),
    verdict: 'rewrite',
    output: na({ dst: DED.h1b, src: CLUSTER }, V6.h2, V6.h1b, V6.h2, SO, [tllao(DED.h2)]),
    reason: 'ndp.step508',
  },
  {
    id: '103-na-to-non-member-keeps-cluster-mac',
    description:
      "host2's NA to the router: keeps the cluster MAC, a non-member never learns a dedicated MAC (RFC 1812 3.3.2 reasoning).",
    source: 'ndp rules (IPv6 destination must be a member)',
    rules: ['ndp.outbound-keeps-cluster-mac'],
    config: D,
    host: 'host2',
    direction: 'outbound',
    input: na({ dst: ROUTER_MAC, src: CLUSTER }, V6.h2, V6.router, V6.h2, SO, [tllao(CLUSTER)]),
    verdict: 'pass',
    reason: 'ndp.na-to-non-member',
  },
  {
    id: '104-na-unsolicited-all-nodes-keeps-cluster-mac',
    description:
      "host2's unsolicited NA (Override) to all-nodes: non-members hear it too, so it keeps the cluster MAC; members' layers rewrite it inbound (vector 201).",
    source: 'ndp rules (IPv6 destination must be a member); RFC 4861 7.2.6',
    rules: ['ndp.outbound-keeps-cluster-mac'],
    config: D,
    host: 'host2',
    direction: 'outbound',
    input: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h2, ALL_NODES.ip, V6.h2, NaFlag.OVERRIDE, [tllao(CLUSTER)]),
    verdict: 'pass',
    reason: 'ndp.na-to-non-member',
  },
  {
    id: '105-na-for-virtual-ip-to-member',
    description:
      "host2 answers host1 for the virtual IP: the virtual IP is the whole cluster's, so the TLLAO keeps the cluster MAC even towards a member.",
    source: 'ndp rules (NS/NA for virtual IPs pass)',
    rules: ['ndp.outbound-keeps-cluster-mac'],
    config: D,
    host: 'host2',
    direction: 'outbound',
    input: na({ dst: DED.h1, src: CLUSTER }, V6.vip, V6.h1, V6.vip, SO, [tllao(CLUSTER)]),
    verdict: 'pass',
    reason: 'ndp.na-not-own',
  },
  {
    id: '106-na-without-tllao',
    description:
      "host2's NA to host1 without TLLAO (allowed in answer to a unicast NS, RFC 4861 7.2.4): nothing to rewrite.",
    source: 'ndp rules',
    rules: ['ndp.outbound-keeps-cluster-mac'],
    config: D,
    host: 'host2',
    direction: 'outbound',
    input: na({ dst: DED.h1, src: CLUSTER }, V6.h2, V6.h1, V6.h2, SO, []),
    verdict: 'pass',
    reason: 'ndp.outbound-unchanged',
  },
  {
    id: '107-na-to-member-bad-checksum',
    description: 'Vector 101 with its checksum broken: fails validation, leaves unchanged with its bad checksum.',
    source: 'ndp rules (validation: bad checksum)',
    rules: ['ndp.validation'],
    config: D,
    host: 'host2',
    direction: 'outbound',
    input: na({ dst: DED.h1, src: CLUSTER }, V6.h2, V6.h1, V6.h2, SO, [tllao(CLUSTER)], { nd: { checksum: 'bad' } }),
    verdict: 'pass',
    reason: 'ndp.checksum',
  },

  // ---- ndp rules, NA from a member (Override hazard) ----
  {
    id: '201-na-unsolicited-override-from-member',
    description:
      "host1's unsolicited NA (Override, to all-nodes) with the cluster MAC: host2's layer writes host1's dedicated MAC, so host2's entry for host1 is not overridden with the cluster MAC.",
    source: 'ndp rules (inbound NA from a member); RFC 4861 7.2.5, 7.2.6; verified on Linux (Override hazard)',
    rules: ['ndp.override-hazard', 'ndp.checksum-update'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h1, ALL_NODES.ip, V6.h1, NaFlag.OVERRIDE, [tllao(CLUSTER)]),
    verdict: 'rewrite',
    output: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h1, ALL_NODES.ip, V6.h1, NaFlag.OVERRIDE, [tllao(DED.h1)]),
    reason: 'ndp.override-hazard',
  },
  {
    id: '202-na-solicited-to-link-local',
    description:
      "host1's solicited NA to host2's link-local address (not in the config, so host1's layer left the cluster MAC): host2's layer writes host1's dedicated MAC.",
    source: 'ndp rules (inbound NA from a member)',
    rules: ['ndp.override-hazard'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: na({ dst: CLUSTER, src: CLUSTER }, V6.h1, LL.h2, V6.h1, SO, [tllao(CLUSTER)]),
    verdict: 'rewrite',
    output: na({ dst: CLUSTER, src: CLUSTER }, V6.h1, LL.h2, V6.h1, SO, [tllao(DED.h1)]),
    reason: 'ndp.override-hazard',
  },
  {
    id: '203-na-target-second-address',
    description:
      "host1's NA for its second address 2001:db8::1:101: the TLLAO describes the target, so it gets that address's dedicated MAC 03-bf-00-01-01-01.",
    source: "ndp rules (inbound NA: dedicated MAC of the target when it is one of the member's)",
    rules: ['ndp.override-hazard', 'mapping.ipv6-low32'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h1, ALL_NODES.ip, V6.h1b, NaFlag.OVERRIDE, [tllao(CLUSTER)]),
    verdict: 'rewrite',
    output: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h1, ALL_NODES.ip, V6.h1b, NaFlag.OVERRIDE, [tllao(DED.h1b)]),
    reason: 'ndp.override-hazard',
  },
  {
    id: '204-na-target-not-listed-uses-source',
    description:
      "host1's NA for its link-local fe80::101 (not in the config), sent from 2001:db8::101: the dedicated MAC of the source address, which host1's layer accepts like any of its own.",
    source: 'ndp rules (inbound NA: else the source address; decided in docs/ipv6.md)',
    rules: ['ndp.override-hazard'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h1, ALL_NODES.ip, LL.h1, NaFlag.OVERRIDE, [tllao(CLUSTER)]),
    verdict: 'rewrite',
    output: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h1, ALL_NODES.ip, LL.h1, NaFlag.OVERRIDE, [tllao(DED.h1)]),
    reason: 'ndp.override-hazard',
  },
  {
    id: '205-na-target-of-other-member',
    description:
      "An NA from host1 advertising host3's address with the cluster MAC: the NA binds its target (RFC 4861 7.2.5), so the TLLAO gets host3's dedicated MAC and host2's entry for host3 is not overridden with the cluster MAC.",
    source: "RFC 4861 7.2.5 (the entry updated is the target's); docs/rules.md ndp.override-hazard",
    rules: ['ndp.override-hazard'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h1, ALL_NODES.ip, V6.h3, NaFlag.OVERRIDE, [tllao(CLUSTER)]),
    verdict: 'rewrite',
    output: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h1, ALL_NODES.ip, V6.h3, NaFlag.OVERRIDE, [tllao(DED.h3)]),
    reason: 'ndp.override-hazard',
  },
  {
    id: '206-na-target-virtual-ip',
    description: 'An NA from host1 for the virtual IP: the virtual IP keeps the cluster MAC, unchanged.',
    source: 'ndp rules (NS/NA for virtual IPs pass)',
    rules: ['ndp.virtual-ip'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h1, ALL_NODES.ip, V6.vip, NaFlag.OVERRIDE, [tllao(CLUSTER)]),
    verdict: 'pass',
    reason: 'ndp.virtual-target',
  },
  {
    id: '207-na-step510-analogue',
    description:
      "Vector 101's output arriving at host1: Ethernet destination := cluster MAC, TLLAO 03-bf-00-00-01-02 kept. The NDP form of FIG. 6 rows 630 to 640.",
    source: 'patent step 510; ndp rules (IPv6 destination rule)',
    rules: ['data.dedicated-to-cluster'],
    config: D,
    host: 'host1',
    direction: 'inbound',
    input: na({ dst: DED.h1, src: CLUSTER }, V6.h2, V6.h1, V6.h2, SO, [tllao(DED.h2)]),
    verdict: 'rewrite',
    output: na({ dst: CLUSTER, src: CLUSTER }, V6.h2, V6.h1, V6.h2, SO, [tllao(DED.h2)]),
    reason: 'data.dedicated-to-cluster',
  },
  {
    id: '208-na-from-router',
    description: "The router's NA: unchanged.",
    source: 'ndp rules (everything from non-members passes)',
    rules: ['ndp.non-member'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: na({ dst: CLUSTER, src: ROUTER_MAC }, V6.router, V6.h2, V6.router, NaFlag.ROUTER | SO, [tllao(ROUTER_MAC)]),
    verdict: 'pass',
    reason: 'ndp.non-member',
  },
  {
    id: '209-na-from-own-address',
    description: "host2's own unsolicited NA looped back from the wire: unchanged.",
    source: 'ndp rules (the member is another host)',
    rules: ['ndp.own-address'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h2, ALL_NODES.ip, V6.h2, NaFlag.OVERRIDE, [tllao(CLUSTER)]),
    verdict: 'pass',
    reason: 'ndp.own-address',
  },
  {
    id: '210-na-duplicated-tllao',
    description: "host1's unsolicited NA with the TLLAO twice, both the cluster MAC: both rewritten.",
    source: 'ndp rules (duplicated TLLAO: decided in docs/ipv6.md)',
    rules: ['ndp.override-hazard', 'ndp.link-layer-options'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h1, ALL_NODES.ip, V6.h1, NaFlag.OVERRIDE, [
      tllao(CLUSTER),
      tllao(CLUSTER),
    ]),
    verdict: 'rewrite',
    output: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h1, ALL_NODES.ip, V6.h1, NaFlag.OVERRIDE, [
      tllao(DED.h1),
      tllao(DED.h1),
    ]),
    reason: 'ndp.override-hazard',
  },
  {
    id: '211-na-from-non-member-for-member',
    description:
      "A non-member's unsolicited NA (Override, to all-nodes, its own IPv6 source and MAC) advertising host1's address with the cluster MAC: Linux would apply it to host2's entry for host1; the TLLAO gets host1's dedicated MAC.",
    source:
      'RFC 4861 7.2.5 (an NA with Override updates the entry for its target, whatever its source); docs/rules.md ndp.override-hazard',
    rules: ['ndp.override-hazard'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: na({ dst: ALL_NODES.mac, src: OTHER_MAC }, V6.outsider, ALL_NODES.ip, V6.h1, NaFlag.OVERRIDE, [
      tllao(CLUSTER),
    ]),
    verdict: 'rewrite',
    output: na({ dst: ALL_NODES.mac, src: OTHER_MAC }, V6.outsider, ALL_NODES.ip, V6.h1, NaFlag.OVERRIDE, [
      tllao(DED.h1),
    ]),
    reason: 'ndp.override-hazard',
  },
  {
    id: '212-na-from-virtual-ip-for-member',
    description:
      "An NA from the virtual IP advertising host1's second address with the cluster MAC: keyed on the target, it gets that address's dedicated MAC.",
    source: 'RFC 4861 7.2.5; docs/rules.md ndp.override-hazard',
    rules: ['ndp.override-hazard'],
    config: D,
    host: 'host3',
    direction: 'inbound',
    input: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.vip, ALL_NODES.ip, V6.h1b, NaFlag.OVERRIDE, [tllao(CLUSTER)]),
    verdict: 'rewrite',
    output: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.vip, ALL_NODES.ip, V6.h1b, NaFlag.OVERRIDE, [tllao(DED.h1b)]),
    reason: 'ndp.override-hazard',
  },
  {
    id: '213-na-from-non-member-for-own-address',
    description:
      "A non-member's NA advertising host2's own address with the cluster MAC, at host2: not a binding host2 keeps (its stack sees its own MAC), unchanged.",
    source: 'RFC 4861 7.2.5; docs/rules.md ndp.override-hazard',
    rules: ['ndp.override-hazard', 'ndp.own-address'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: na({ dst: ALL_NODES.mac, src: OTHER_MAC }, V6.outsider, ALL_NODES.ip, V6.h2, NaFlag.OVERRIDE, [
      tllao(CLUSTER),
    ]),
    verdict: 'pass',
    reason: 'ndp.own-address',
  },
  {
    id: '214-na-from-non-member-own-mac-for-member',
    description:
      "A non-member's NA advertising host1's address with its own MAC (a claim on the address, not the cluster MAC): not the layer's to rewrite, unchanged.",
    source: 'RFC 4861 7.2.5; docs/rules.md ndp.override-hazard (only the cluster MAC is replaced)',
    rules: ['ndp.override-hazard', 'ndp.already-dedicated'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: na({ dst: ALL_NODES.mac, src: OTHER_MAC }, V6.outsider, ALL_NODES.ip, V6.h1, NaFlag.OVERRIDE, [
      tllao(OTHER_MAC),
    ]),
    verdict: 'pass',
    reason: 'ndp.sender-not-cluster',
  },

  // ---- ndp rules, RFC 4861 7.1.1 / 7.1.2 validation failures: each passes unchanged ----
  {
    id: '301-invalid-hop-limit-64',
    description: 'The Done-when NS with hop limit 64 (it crossed a router): invalid, unchanged, checksum still good.',
    source: 'RFC 4861 7.1.1 (hop limit 255)',
    rules: ['ndp.validation'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.h2, [sllao(CLUSTER)], { ip: { hopLimit: 64 } }),
    verdict: 'pass',
    reason: 'ndp.hop-limit',
  },
  {
    id: '302-invalid-code-1',
    description: 'The Done-when NS with ICMP code 1: invalid, unchanged.',
    source: 'RFC 4861 7.1.1 (ICMP code 0)',
    rules: ['ndp.validation'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.h2, [sllao(CLUSTER)], { nd: { code: 1 } }),
    verdict: 'pass',
    reason: 'ndp.code',
  },
  {
    id: '303-invalid-icmp-length-20',
    description: 'An NS of 20 bytes (the target cut after 12 bytes), checksum right over those 20: invalid, unchanged.',
    source: 'RFC 4861 7.1.1 (ICMP length 24 or more)',
    rules: ['ndp.validation'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: icmp6(
      { dst: solicited(V6.h2).mac, src: CLUSTER },
      { src: V6.h1, dst: solicited(V6.h2).ip },
      { type: NS, body: Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0) },
    ),
    verdict: 'pass',
    reason: 'ndp.short',
    malformed: true,
  },
  {
    id: '304-invalid-option-length-zero',
    description: 'The Done-when NS with the SLLAO length set to 0: invalid, unchanged.',
    source: 'RFC 4861 7.1.1 (all options have a length greater than zero)',
    rules: ['ndp.validation'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.h2, [{ ...sllao(CLUSTER), length: 0 }], {
      claims: { 'icmpv6.opt.linkaddr': undefined, 'icmpv6.opt.length': '0' },
    }),
    verdict: 'pass',
    reason: 'ndp.option-length',
    malformed: true,
  },
  {
    id: '305-invalid-option-past-end',
    description: 'The Done-when NS with the SLLAO length set to 2 (16 bytes) where only 8 remain: invalid, unchanged.',
    source: 'RFC 4861 7.1.1 (options inside the packet)',
    rules: ['ndp.validation'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.h2, [{ ...sllao(CLUSTER), length: 2 }], {
      claims: { 'icmpv6.opt.linkaddr': undefined, 'icmpv6.opt.length': '2' },
    }),
    verdict: 'pass',
    reason: 'ndp.option-length',
    malformed: true,
  },
  {
    id: '306-invalid-dad-ns-with-sllao',
    description: 'An NS from :: carrying an SLLAO with the cluster MAC: invalid, unchanged.',
    source: 'RFC 4861 7.1.1 (source :: means no SLLAO)',
    rules: ['ndp.validation'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs('::', V6.h1, [sllao(CLUSTER)]),
    verdict: 'pass',
    reason: 'ndp.unspecified-with-sllao',
  },
  {
    id: '307-invalid-dad-ns-to-all-nodes',
    description: 'An NS from :: sent to all-nodes instead of a solicited-node address: invalid, unchanged.',
    source: 'RFC 4861 7.1.1 (source :: means a solicited-node destination)',
    rules: ['ndp.validation'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: nd(
      { dst: ALL_NODES.mac, src: CLUSTER },
      { src: '::', dst: ALL_NODES.ip },
      { type: NS, target: V6.h1, options: [NONCE] },
      { claims: { 'icmpv6.opt.nonce': '4e6f6e636521' } },
    ),
    verdict: 'pass',
    reason: 'ndp.unspecified-not-solicited-node',
  },
  {
    id: '308-invalid-multicast-target',
    description: 'An NS from host1 whose target is ff02::1: invalid, unchanged.',
    source: 'RFC 4861 7.1.1 (target not multicast)',
    rules: ['ndp.validation'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: nd(
      { dst: ALL_NODES.mac, src: CLUSTER },
      { src: V6.h1, dst: ALL_NODES.ip },
      { type: NS, target: ALL_NODES.ip, options: [sllao(CLUSTER)] },
    ),
    verdict: 'pass',
    reason: 'ndp.multicast-target',
  },
  {
    id: '309-invalid-na-multicast-solicited',
    description: "host1's NA to all-nodes with the Solicited flag set and the cluster MAC: invalid, unchanged.",
    source: 'RFC 4861 7.1.2 (multicast destination means S = 0)',
    rules: ['ndp.validation'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h1, ALL_NODES.ip, V6.h1, SO, [tllao(CLUSTER)]),
    verdict: 'pass',
    reason: 'ndp.multicast-solicited',
  },
  {
    id: '310-invalid-na-bad-checksum',
    description: 'Vector 201 with its checksum broken: invalid, unchanged, still bad.',
    source: 'RFC 4861 7.1.2 (valid checksum)',
    rules: ['ndp.validation'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h1, ALL_NODES.ip, V6.h1, NaFlag.OVERRIDE, [tllao(CLUSTER)], {
      nd: { checksum: 'bad' },
    }),
    verdict: 'pass',
    reason: 'ndp.checksum',
  },
  {
    id: '311-invalid-na-hop-limit-1',
    description: 'Vector 201 with hop limit 1: invalid, unchanged.',
    source: 'RFC 4861 7.1.2 (hop limit 255)',
    rules: ['ndp.validation'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: na({ dst: ALL_NODES.mac, src: CLUSTER }, V6.h1, ALL_NODES.ip, V6.h1, NaFlag.OVERRIDE, [tllao(CLUSTER)], {
      ip: { hopLimit: 1 },
    }),
    verdict: 'pass',
    reason: 'ndp.hop-limit',
  },
  {
    id: '312-payload-length-past-frame',
    description:
      'The Done-when NS with payload length 40 where the frame holds 32 bytes of payload: not ours, unchanged.',
    source: 'ndp rules (a payload length running past the frame: pass)',
    rules: ['ipv6.payload-length'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.h2, [sllao(CLUSTER)], { ip: { payloadLength: 40 }, claims: { 'ipv6.plen': '40' } }),
    verdict: 'pass',
    reason: 'ipv6.truncated',
  },
  {
    id: '313-hop-by-hop-past-payload',
    description: 'An NS behind a Hop-by-Hop header whose length (200) runs past the payload: never misread, unchanged.',
    source: 'ndp rules (extension headers never misread); RFC 8200 4.3',
    rules: ['ipv6.extension-headers'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: mcastNs(V6.h1, V6.h2, [sllao(CLUSTER)], {
      ip: { hopByHop: Uint8Array.of(0, 200, 1, 4, 0, 0, 0, 0) },
      claims: {
        'ipv6.nxt': '0',
        'icmpv6.type': '',
        'icmpv6.code': '',
        'icmpv6.checksum': '',
        'icmpv6.checksum.status': '',
        'icmpv6.nd.ns.target_address': '',
        'icmpv6.opt.type': '',
        'icmpv6.opt.linkaddr': '',
      },
    }),
    verdict: 'pass',
    reason: 'ipv6.extension',
    malformed: true,
  },

  // ---- other ICMPv6 and IPv6 data ----
  {
    id: '401-rs-from-member-passes',
    description:
      "host1's Router Solicitation with the cluster MAC as SLLAO: not NS/NA (only routers read it), unchanged.",
    source: 'ndp rules (RS/RA/Redirect pass)',
    rules: ['ndp.other-messages'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: icmp6(
      { dst: '33-33-00-00-00-02', src: CLUSTER },
      { src: V6.h1, dst: 'ff02::2' },
      { type: 133, body: Uint8Array.of(1, 1, 0x02, 0xbf, 0xaa, 0xbb, 0xcc, 0xdd) },
      { claims: { 'icmpv6.opt.linkaddr': colon(CLUSTER) } },
    ),
    verdict: 'pass',
    reason: 'ndp.not-ns-na',
  },
  {
    id: '402-ra-from-router-passes',
    description: "The router's Router Advertisement with its SLLAO: unchanged.",
    source: 'ndp rules (RS/RA/Redirect pass)',
    rules: ['ndp.other-messages'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: icmp6(
      { dst: ALL_NODES.mac, src: ROUTER_MAC },
      { src: LL.router, dst: ALL_NODES.ip },
      {
        type: 134,
        word: 0x40000708,
        body: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01),
      },
      { claims: { 'icmpv6.opt.linkaddr': colon(ROUTER_MAC) } },
    ),
    verdict: 'pass',
    reason: 'ndp.not-ns-na',
  },
  {
    id: '403-redirect-passes',
    description: 'A Redirect from the router to host2 naming host1, with a TLLAO: unchanged.',
    source: 'ndp rules (RS/RA/Redirect pass)',
    rules: ['ndp.other-messages'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: icmp6(
      { dst: CLUSTER, src: ROUTER_MAC },
      { src: LL.router, dst: V6.h2 },
      { type: 137, body: Uint8Array.from([...addr(V6.h1), ...addr(V6.h1), 2, 1, 0x02, 0xbf, 0xaa, 0xbb, 0xcc, 0xdd]) },
      { claims: { 'icmpv6.opt.linkaddr': colon(CLUSTER) } },
    ),
    verdict: 'pass',
    reason: 'ndp.not-ns-na',
  },
  {
    id: '404-ipv6-data-from-router-to-cluster-mac',
    description:
      'An ICMPv6 echo from the router to host2 on the cluster MAC (ordinary load-balanced traffic): unchanged.',
    source: 'ndp rules (IPv6 data frames)',
    rules: ['data.unchanged'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: ping6({ dst: CLUSTER, src: ROUTER_MAC }, V6.router, V6.h2),
    verdict: 'pass',
    reason: 'ipv6.data',
  },
  {
    id: '501-ipv6-data-to-own-dedicated-mac',
    description:
      "host1's echo request to host2's dedicated MAC: Ethernet destination := cluster MAC before host2's stack sees it (FIG. 7 step 702 for IPv6).",
    source: 'ndp rules (IPv6 data: same destination rule as IPv4); patent step 702',
    rules: ['data.dedicated-to-cluster'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: ping6({ dst: DED.h2, src: CLUSTER }, V6.h1, V6.h2),
    verdict: 'rewrite',
    output: ping6({ dst: CLUSTER, src: CLUSTER }, V6.h1, V6.h2),
    reason: 'data.dedicated-to-cluster',
  },
  {
    id: '502-ipv6-data-to-other-member-dropped',
    description:
      "An echo for host3's dedicated MAC reaching host2 (multicast frames reach every port): not for this host, dropped.",
    source: "ndp rules (IPv6 data: another member's dedicated MAC is dropped)",
    rules: ['data.not-for-this-host'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: ping6({ dst: DED.h3, src: CLUSTER }, V6.h1, V6.h3),
    verdict: 'drop',
    reason: 'data.not-for-this-host',
  },
  {
    id: '503-ipv6-data-to-own-second-dedicated-mac',
    description:
      "host2's echo to host1's second address, on that address's dedicated MAC 03-bf-00-01-01-01: host1 sets the cluster MAC.",
    source: 'ndp rules and IPv6 mappings (one dedicated MAC per address)',
    rules: ['data.dedicated-to-cluster', 'mapping.ipv6-low32'],
    config: D,
    host: 'host1',
    direction: 'inbound',
    input: ping6({ dst: DED.h1b, src: CLUSTER }, V6.h2, V6.h1b),
    verdict: 'rewrite',
    output: ping6({ dst: CLUSTER, src: CLUSTER }, V6.h2, V6.h1b),
    reason: 'data.dedicated-to-cluster',
  },

  // ---- IPv6 mappings, mappings ----
  {
    id: '601-mapping-xor32',
    description:
      'With mappings.ipv6 = ipv6-xor32 the Done-when NS gets SLLAO 03-bf-20-01-0c-b9 (0x20010db8 ^ 0x00000101).',
    source: 'IPv6 mappings (ipv6-xor32)',
    rules: ['ndp.solicitation-for-this-host', 'mapping.ipv6-xor32'],
    config: XOR,
    host: 'host2',
    direction: 'inbound',
    input: doneWhen(CLUSTER),
    verdict: 'rewrite',
    output: doneWhen('03-bf-20-01-0c-b9'),
    reason: 'ndp.step502',
  },
  {
    id: '602-mapping-hash32',
    description:
      'With mappings.ipv6 = ipv6-hash32 the Done-when NS gets SLLAO 03-bf-4a-58-8d-b1 (FNV-1a 32 of the 16 address bytes).',
    source: 'IPv6 mappings (a hash mapping; docs/ipv6.md)',
    rules: ['ndp.solicitation-for-this-host', 'mapping.ipv6-hash32'],
    config: HASH,
    host: 'host2',
    direction: 'inbound',
    input: doneWhen(CLUSTER),
    verdict: 'rewrite',
    output: doneWhen('03-bf-4a-58-8d-b1'),
    reason: 'ndp.step502',
  },
  {
    id: '603-mapping-table',
    description:
      'host1 has the table MAC 03-bf-00-00-00-11 for 2001:db8::101 in the config: the Done-when NS gets that MAC.',
    source: 'IPv6 mappings (table, per-address "mac"); patent: cluster host list with a physical address per IP',
    rules: ['ndp.solicitation-for-this-host', 'mapping.table'],
    config: TABLE,
    host: 'host2',
    direction: 'inbound',
    input: doneWhen(CLUSTER),
    verdict: 'rewrite',
    output: doneWhen(TABLE_H1),
    reason: 'ndp.step502',
  },
  {
    id: '604-mapping-xor32-data',
    description: "Data to host2's ipv6-xor32 dedicated MAC 03-bf-20-01-0c-ba: host2 sets the cluster MAC.",
    source: 'IPv6 mappings (ipv6-xor32); patent step 702',
    rules: ['data.dedicated-to-cluster', 'mapping.ipv6-xor32'],
    config: XOR,
    host: 'host2',
    direction: 'inbound',
    input: ping6({ dst: '03-bf-20-01-0c-ba', src: CLUSTER }, V6.h1, V6.h2),
    verdict: 'rewrite',
    output: withDst(ping6({ dst: '03-bf-20-01-0c-ba', src: CLUSTER }, V6.h1, V6.h2), CLUSTER),
    reason: 'data.dedicated-to-cluster',
  },
];

function addr(a: string): number[] {
  return Array.from(ipBytes(a));
}

export function files(): Map<string, string> {
  return render('ndp', specs, CONFIGS);
}
