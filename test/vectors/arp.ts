/**
 * The IPv4/ARP golden vectors (test/golden/arp/*.json) and their configs
 * (test/golden/configs/{fig6,cluster3,table}.json), from typed frame descriptions.
 *
 * Every expected output is written down from the rule it illustrates (the FIG. 6 rows, rules 1 to
 * 7 of the ARP adapter), built with the Repr builders of src/frame/build.ts; the engine is never run
 * here. The tshark claims of each frame come from the same description as its bytes, and
 * test/tshark.test.ts checks that Wireshark's dissector reads them back from the bytes.
 * `npm run vectors` writes them; test/vectors.test.ts fails when the files drift.
 */
import { VlanTag, emitEthernet, ipBytes, toHex } from '../../src/frame/build';
import { ArpRepr, Ipv4Repr, emitArp, emitIcmpv4, emitUdp } from '../../adapters/arp/repr';
import { ArpOp } from '../../adapters/arp/arp';
import { EtherType } from '../../src/frame/ethernet';
import { render } from './kit';

// ---- the patent's values (FIG. 6) ----
const CLUSTER = '02-bf-aa-bb-cc-dd';
const BCAST = 'ff-ff-ff-ff-ff-ff';
const ZERO = '00-00-00-00-00-00';
const H1 = '12.12.4.101';
const H2 = '12.12.4.102';
const H3 = '12.12.4.103';
const VIP = '12.12.4.100';
const DED1 = '03-bf-0c-0c-04-65';
const DED2 = '03-bf-0c-0c-04-66';
const DED3 = '03-bf-0c-0c-04-67';
/** Table MAC of host2 in configs/table.json (the table example of docs/config.md). */
const TABLE2 = '03-bf-00-00-00-02';
// A non-member router and stations: MACs from the documentation range of RFC 7042 2.1.2.
const ROUTER = '12.12.4.1';
const ROUTER_MAC = '00-00-5e-00-53-01';
const OUTSIDER = '12.12.4.7';
const NIC1_MAC = '00-00-5e-00-53-65';

const CONFIGS: Record<string, object> = {
  'fig6.json': {
    clusterMac: CLUSTER,
    replyRewrite: 'sender', // FIG. 6 row 630: step 508 at the replier
    maskSourceMac: false, // FIG. 6 as drawn: every frame from the cluster MAC
    hosts: [
      { name: 'host1', addresses: [H1] },
      { name: 'host2', addresses: [H2] },
    ],
  },
  'cluster3.json': {
    clusterMac: CLUSTER,
    replyRewrite: 'sender', // FIG. 6 row 630: step 508 at the replier
    maskSourceMac: false, // FIG. 6 as drawn: every frame from the cluster MAC
    virtualIps: [VIP],
    hosts: [
      { name: 'host1', addresses: [H1] },
      { name: 'host2', addresses: [H2] },
      { name: 'host3', addresses: [H3] },
    ],
  },
  'cluster3-defaults.json': {
    clusterMac: CLUSTER, // every other key at its default (replyRewrite "receiver") but maskSourceMac
    maskSourceMac: false, // the Ethernet source as FIG. 6 draws it (the masking vectors: configs/mask-*.json)
    virtualIps: [VIP],
    hosts: [
      { name: 'host1', addresses: [H1] },
      { name: 'host2', addresses: [H2] },
      { name: 'host3', addresses: [H3] },
    ],
  },
  'table.json': {
    clusterMac: CLUSTER,
    replyRewrite: 'sender', // FIG. 6 row 630: step 508 at the replier
    maskSourceMac: false, // FIG. 6 as drawn: every frame from the cluster MAC
    mode: 'dedicated',
    multicastPrefix: '03-bf',
    mappings: { ipv4: 'ipv4-prefix' },
    virtualIps: [VIP],
    hosts: [
      { name: 'host1', addresses: [H1] },
      { name: 'host2', addresses: [H2], mac: TABLE2 },
    ],
  },
};

// ---- frames with their tshark claims ----
interface Frame {
  bytes: Uint8Array;
  claims: Record<string, string>;
}
interface Eth {
  dst: string;
  src: string;
  vlans?: VlanTag[];
}
interface FrameOpts {
  /** Pad to 60 bytes (default true). */
  pad?: boolean;
  /** Padding byte when not zero (a NIC that pads with garbage). */
  padByte?: number;
  /** Extra claims (flags tshark derives, like arp.isgratuitous). */
  claims?: Record<string, string>;
}

const colon = (mac: string): string => mac.replace(/-/g, ':').toLowerCase();
const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;
const CTAG = (vid: number, pcp = 0): VlanTag => ({ tpid: EtherType.VLAN, tci: (pcp << 13) | vid });
const STAG = (vid: number, pcp = 0): VlanTag => ({ tpid: EtherType.QINQ, tci: (pcp << 13) | vid });

/** Ethernet frame of `etherType` carrying `payload` (`pduLength` bytes of it belong to L3). */
function ether(eth: Eth, etherType: number, payload: Uint8Array, pduLength: number, o: FrameOpts = {}): Frame {
  const bytes = emitEthernet({ ...eth, etherType, payload, pad: o.pad !== false });
  const l3 = 14 + 4 * (eth.vlans?.length ?? 0);
  const padStart = l3 + pduLength;
  if (o.padByte !== undefined) bytes.fill(o.padByte, l3 + payload.length);
  const vlans = eth.vlans ?? [];
  const claims: Record<string, string> = {
    'frame.len': String(bytes.length),
    'eth.dst': colon(eth.dst),
    'eth.src': colon(eth.src),
    'eth.type': hex4(vlans.length ? vlans[0].tpid : etherType),
  };
  const ctags = vlans.filter((t) => t.tpid === EtherType.VLAN);
  const stags = vlans.filter((t) => t.tpid === EtherType.QINQ);
  if (ctags.length) {
    claims['vlan.id'] = ctags.map((t) => String(t.tci & 0x0fff)).join(',');
    claims['vlan.etype'] = hex4(etherType);
  }
  if (stags.length) claims['ieee8021ad.id'] = stags.map((t) => String(t.tci & 0x0fff)).join(',');
  // tshark: a trailer of zeros is "padding", anything else an undecoded "trailer"
  const pad = bytes.subarray(padStart);
  const padHex = toHex(pad);
  claims['eth.padding'] = pad.length && pad.every((b) => b === 0) ? padHex : '';
  if (pad.length && !pad.every((b) => b === 0)) claims['eth.trailer'] = padHex;
  return { bytes, claims: { ...claims, ...o.claims } };
}

/** An Ethernet/IPv4 ARP frame (RFC 826), padded to 60 bytes unless `pad: false`. */
function arp(eth: Eth, a: ArpRepr, o: FrameOpts = {}): Frame {
  const f = ether(eth, EtherType.ARP, emitArp(a), 28, o);
  Object.assign(
    f.claims,
    {
      'arp.hw.type': String(a.htype ?? 1),
      'arp.proto.type': hex4(a.ptype ?? EtherType.IPV4),
      'arp.hw.size': String(a.hlen ?? 6),
      'arp.proto.size': String(a.plen ?? 4),
      'arp.opcode': String(a.op),
      'arp.src.hw_mac': colon(a.sha),
      'arp.src.proto_ipv4': a.spa,
      'arp.dst.hw_mac': colon(a.tha),
      'arp.dst.proto_ipv4': a.tpa,
    },
    o.claims,
  );
  if ((a.ptype ?? EtherType.IPV4) !== EtherType.IPV4) {
    // not IPv4: tshark shows the protocol addresses as bytes
    delete f.claims['arp.src.proto_ipv4'];
    delete f.claims['arp.dst.proto_ipv4'];
    f.claims['arp.src.proto'] = toHex(ipBytes(a.spa));
    f.claims['arp.dst.proto'] = toHex(ipBytes(a.tpa));
  }
  return f;
}

/** IPv4 header (RFC 791 3.1), no options, DF set, with its header checksum, and its payload. */
function ipv4(src: string, dst: string, protocol: number, payload: Uint8Array, ttl = 64, ident = 0x1c46): Uint8Array {
  const b = new Uint8Array(Ipv4Repr.bufferLen() + payload.length);
  b.set(payload, Ipv4Repr.emit({ src, dst, protocol, payloadLength: payload.length, ttl, ident }, b));
  return b;
}

/** ICMP echo request (type 8) or reply (type 0), RFC 792, with its checksum. */
const icmpEcho = (type: 8 | 0, ident: number, seq: number, data: Uint8Array): Uint8Array =>
  emitIcmpv4({ type, word: ((ident << 16) | seq) >>> 0, body: data });

/** UDP datagram (RFC 768) with its checksum over the IPv4 pseudo-header. */
const udp = (src: string, dst: string, srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array =>
  emitUdp({ srcPort, dstPort, payload }, { src, dst });

const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'ascii'));

/** FIG. 7 data frame: an ICMP echo between members (18 data bytes: exactly 60 bytes untagged). */
function ping(eth: Eth, src: string, dst: string, type: 8 | 0, o: FrameOpts = {}): Frame {
  const pdu = ipv4(src, dst, 1, icmpEcho(type, 0x0700, 1, ascii('intracluster FIG.7')));
  const f = ether(eth, EtherType.IPV4, pdu, pdu.length, o);
  Object.assign(
    f.claims,
    {
      'ip.src': src,
      'ip.dst': dst,
      'ip.proto': '1',
      'icmp.type': String(type),
      'icmp.checksum.status': '1',
    },
    o.claims,
  );
  return f;
}

/** A UDP datagram between IPv4 hosts (port 7, echo). */
function udpFrame(eth: Eth, src: string, dst: string, o: FrameOpts = {}): Frame {
  const pdu = ipv4(src, dst, 17, udp(src, dst, 40007, 7, ascii('point to point')));
  const f = ether(eth, EtherType.IPV4, pdu, pdu.length, o);
  Object.assign(
    f.claims,
    { 'ip.src': src, 'ip.dst': dst, 'ip.proto': '17', 'udp.srcport': '40007', 'udp.dstport': '7' },
    o.claims,
  );
  return f;
}

/** A non-IP frame: IEEE 802 Local Experimental EtherType 1 (0x88b5). */
function experimental(eth: Eth, o: FrameOpts = {}): Frame {
  const data = ascii('non-IP payload of a cluster member');
  const f = ether(eth, 0x88b5, data, data.length, o);
  f.claims['data.data'] = toHex(f.bytes.subarray(14 + 4 * (eth.vlans?.length ?? 0)));
  f.claims['eth.padding'] = '';
  return f;
}

/** Raw bytes with claims written by hand (layouts the builders do not make). */
function raw(hex: string, claims: Record<string, string>): Frame {
  const bytes = Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
  return { bytes, claims: { 'frame.len': String(bytes.length), ...claims } };
}

// ---- vectors ----
/** Rule names of docs/rules.md. */
type Rule = string;
interface Spec {
  id: string;
  description: string;
  source: string;
  rules: Rule[];
  config: string;
  host: string;
  direction: 'inbound' | 'outbound';
  input: Frame;
  verdict: 'pass' | 'rewrite' | 'drop';
  /** rewrite: the expected output (pass: the input). */
  output?: Frame;
  reason?: string;
  malformed?: boolean;
}

const FIG6 = 'configs/fig6.json';
const C3 = 'configs/cluster3.json';
const TABLE = 'configs/table.json';
const REQ = ArpOp.REQUEST;
const REP = ArpOp.REPLY;

// FIG. 6 rows, field by field
const row600 = (o?: FrameOpts, vlans?: VlanTag[]) =>
  arp({ dst: BCAST, src: CLUSTER, vlans }, { op: REQ, sha: CLUSTER, spa: H1, tha: ZERO, tpa: H2 }, o);
const row610 = (o?: FrameOpts, vlans?: VlanTag[]) =>
  arp({ dst: BCAST, src: CLUSTER, vlans }, { op: REQ, sha: DED1, spa: H1, tha: ZERO, tpa: H2 }, o);
const row620 = (o?: FrameOpts, vlans?: VlanTag[]) =>
  arp({ dst: DED1, src: CLUSTER, vlans }, { op: REP, sha: CLUSTER, spa: H2, tha: DED1, tpa: H1 }, o);
const row630 = (o?: FrameOpts, vlans?: VlanTag[]) =>
  arp({ dst: DED1, src: CLUSTER, vlans }, { op: REP, sha: DED2, spa: H2, tha: CLUSTER, tpa: H1 }, o);
const row640 = (o?: FrameOpts, vlans?: VlanTag[]) =>
  arp({ dst: CLUSTER, src: CLUSTER, vlans }, { op: REP, sha: DED2, spa: H2, tha: CLUSTER, tpa: H1 }, o);
// FIG. 7 data frames
const step700 = (vlans?: VlanTag[]) => ping({ dst: DED2, src: CLUSTER, vlans }, H1, H2, 8);
const step702 = (vlans?: VlanTag[]) => ping({ dst: CLUSTER, src: CLUSTER, vlans }, H1, H2, 8);
const step704 = (vlans?: VlanTag[]) => ping({ dst: DED1, src: CLUSTER, vlans }, H2, H1, 0);
const step706 = (vlans?: VlanTag[]) => ping({ dst: CLUSTER, src: CLUSTER, vlans }, H2, H1, 0);

const specs: Spec[] = [
  // ---- FIG. 6 and FIG. 7 with the patent's exact addresses ----
  {
    id: '001-fig6-row600-to-610',
    description:
      "Host 2's layer rewrites Host 1's broadcast ARP request (row 600): ARP sender MAC := Host 1's dedicated MAC 03-bf-0c-0c-04-65 (row 610).",
    source: 'FIG. 6 rows 600 to 610 (step 502)',
    rules: ['arp.request-for-this-host'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: row600(),
    verdict: 'rewrite',
    output: row610(),
    reason: 'arp.step502',
  },
  {
    id: '002-fig6-row620-to-630',
    description:
      "Host 2's stack answers with the cluster MAC (row 620); its layer writes Host 2's dedicated MAC as ARP sender and the cluster MAC as ARP target (row 630).",
    source: 'FIG. 6 rows 620 to 630 (steps 506, 508)',
    rules: ['arp.reply-to-member'],
    config: FIG6,
    host: 'host2',
    direction: 'outbound',
    input: row620(),
    verdict: 'rewrite',
    output: row630(),
    reason: 'arp.step508',
  },
  {
    id: '003-fig6-row630-to-640',
    description:
      "Host 1's layer receives the reply addressed to its dedicated MAC (row 630) and sets the Ethernet destination to the cluster MAC (row 640); the ARP body is unchanged.",
    source: 'FIG. 6 rows 630 to 640 (step 510)',
    rules: ['data.dedicated-to-cluster'],
    config: FIG6,
    host: 'host1',
    direction: 'inbound',
    input: row630(),
    verdict: 'rewrite',
    output: row640(),
    reason: 'data.dedicated-to-cluster',
  },
  {
    id: '004-fig6-row600-host1-outbound',
    description:
      "Host 1's own ARP request (row 600) leaves Host 1 unaltered: the substitution happens at the receiver.",
    source: 'FIG. 6 row 600 (step 500: "passes, unaltered, out Host 1")',
    rules: ['arp.outbound-keeps-cluster-mac'],
    config: FIG6,
    host: 'host1',
    direction: 'outbound',
    input: row600(),
    verdict: 'pass',
  },
  {
    id: '005-fig7-step700-host1-outbound',
    description:
      "Host 1's stack sends a data frame (ICMP echo request) to Host 2's dedicated MAC learned from row 640, from the cluster MAC; it leaves unchanged.",
    source: 'FIG. 7 step 700',
    rules: ['data.unchanged'],
    config: FIG6,
    host: 'host1',
    direction: 'outbound',
    input: step700(),
    verdict: 'pass',
  },
  {
    id: '006-fig7-step702-host2-inbound',
    description:
      "Host 2's layer receives the data frame addressed to its dedicated MAC 03-bf-0c-0c-04-66 and sets the destination to the cluster MAC before its stack sees it.",
    source: 'FIG. 7 step 702',
    rules: ['data.dedicated-to-cluster'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: step700(),
    verdict: 'rewrite',
    output: step702(),
    reason: 'data.dedicated-to-cluster',
  },
  {
    id: '007-fig7-step704-host2-outbound',
    description:
      "Host 2's stack answers (ICMP echo reply) to Host 1's dedicated MAC 03-bf-0c-0c-04-65 learned in step 504; the frame leaves unchanged.",
    source: 'FIG. 7 step 704',
    rules: ['data.unchanged'],
    config: FIG6,
    host: 'host2',
    direction: 'outbound',
    input: step704(),
    verdict: 'pass',
  },
  {
    id: '008-fig7-step706-host1-inbound',
    description:
      "Host 1's layer receives the response addressed to its dedicated MAC and sets the destination to the cluster MAC.",
    source: 'FIG. 7 step 706',
    rules: ['data.dedicated-to-cluster'],
    config: FIG6,
    host: 'host1',
    direction: 'inbound',
    input: step704(),
    verdict: 'rewrite',
    output: step706(),
    reason: 'data.dedicated-to-cluster',
  },

  // ---- rule 1: inbound request from a member for one of H's addresses ----
  {
    id: '101-rule1-request-from-host3',
    description:
      "Three-member cluster: host3 asks for host2; host2 rewrites the ARP sender MAC to host3's dedicated MAC.",
    source: 'arp.request-for-this-host (step 502 with a third member)',
    rules: ['arp.request-for-this-host'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: arp({ dst: BCAST, src: CLUSTER }, { op: REQ, sha: CLUSTER, spa: H3, tha: ZERO, tpa: H2 }),
    verdict: 'rewrite',
    output: arp({ dst: BCAST, src: CLUSTER }, { op: REQ, sha: DED3, spa: H3, tha: ZERO, tpa: H2 }),
    reason: 'arp.step502',
  },
  {
    id: '102-rule1-unicast-refresh',
    description:
      "Linux re-validates a cached entry with a unicast request to the cached MAC (host2's dedicated MAC, target MAC zero): host2's layer sets the destination to the cluster MAC (rule 4) and the sender MAC to host1's dedicated MAC (rule 1).",
    source: 'arp.request-for-this-host and data.dedicated-to-cluster; Linux arp_solicit unicast probe (NUD_PROBE)',
    rules: ['arp.request-for-this-host', 'data.dedicated-to-cluster'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: arp({ dst: DED2, src: CLUSTER }, { op: REQ, sha: CLUSTER, spa: H1, tha: ZERO, tpa: H2 }),
    verdict: 'rewrite',
    output: arp({ dst: CLUSTER, src: CLUSTER }, { op: REQ, sha: DED1, spa: H1, tha: ZERO, tpa: H2 }),
    reason: 'arp.step502',
  },

  // ---- rule 2: any other inbound ARP from a member carrying the cluster MAC ----
  {
    id: '111-rule2-request-for-other-member',
    description:
      'host1 asks for host3; host2 sees the broadcast and still rewrites the sender MAC, so its own entry for host1 stays dedicated (RFC 826 merge rule).',
    source: 'arp.merge-hazard; verified on Linux (RFC 826 merge rule, verified on Linux)',
    rules: ['arp.merge-hazard'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: arp({ dst: BCAST, src: CLUSTER }, { op: REQ, sha: CLUSTER, spa: H1, tha: ZERO, tpa: H3 }),
    verdict: 'rewrite',
    output: arp({ dst: BCAST, src: CLUSTER }, { op: REQ, sha: DED1, spa: H1, tha: ZERO, tpa: H3 }),
    reason: 'arp.merge-hazard',
  },
  {
    id: '112-rule2-request-for-non-member',
    description:
      'host1 asks for the router (a non-member); host2 rewrites the sender MAC: the case seen breaking member-to-member traffic on Linux without it.',
    source: 'arp.merge-hazard; verified on Linux (2/2 pings, then B ARPs a non-member, then 0/2)',
    rules: ['arp.merge-hazard'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: arp({ dst: BCAST, src: CLUSTER }, { op: REQ, sha: CLUSTER, spa: H1, tha: ZERO, tpa: ROUTER }),
    verdict: 'rewrite',
    output: arp({ dst: BCAST, src: CLUSTER }, { op: REQ, sha: DED1, spa: H1, tha: ZERO, tpa: ROUTER }),
    reason: 'arp.merge-hazard',
  },
  {
    id: '113-rule2-request-for-virtual-ip',
    description:
      "host1 asks for the cluster's virtual IP; host2 rewrites the sender MAC (a request from a member, whatever the target).",
    source: 'arp.merge-hazard',
    rules: ['arp.merge-hazard'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: arp({ dst: BCAST, src: CLUSTER }, { op: REQ, sha: CLUSTER, spa: H1, tha: ZERO, tpa: VIP }),
    verdict: 'rewrite',
    output: arp({ dst: BCAST, src: CLUSTER }, { op: REQ, sha: DED1, spa: H1, tha: ZERO, tpa: VIP }),
    reason: 'arp.merge-hazard',
  },
  {
    id: '114-rule2-gratuitous-request',
    description:
      'Gratuitous ARP request from host1 (sender IP = target IP, target MAC broadcast, as `arping -U` sends it): host2 rewrites the sender MAC.',
    source: 'arp.merge-hazard (gratuitous ARP, RFC 5227 section 3)',
    rules: ['arp.merge-hazard'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: arp(
      { dst: BCAST, src: CLUSTER },
      { op: REQ, sha: CLUSTER, spa: H1, tha: BCAST, tpa: H1 },
      { claims: { 'arp.isgratuitous': '1' } },
    ),
    verdict: 'rewrite',
    output: arp(
      { dst: BCAST, src: CLUSTER },
      { op: REQ, sha: DED1, spa: H1, tha: BCAST, tpa: H1 },
      { claims: { 'arp.isgratuitous': '1' } },
    ),
    reason: 'arp.merge-hazard',
  },
  {
    id: '115-rule2-announcement',
    description:
      'RFC 5227 ARP announcement from host1 (request, sender IP = target IP, target MAC zero): host2 rewrites the sender MAC.',
    source: 'arp.merge-hazard (announcement, RFC 5227 section 2.3)',
    rules: ['arp.merge-hazard'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: arp(
      { dst: BCAST, src: CLUSTER },
      { op: REQ, sha: CLUSTER, spa: H1, tha: ZERO, tpa: H1 },
      { claims: { 'arp.isannouncement': '1', 'arp.isgratuitous': '1' } },
    ),
    verdict: 'rewrite',
    output: arp(
      { dst: BCAST, src: CLUSTER },
      { op: REQ, sha: DED1, spa: H1, tha: ZERO, tpa: H1 },
      { claims: { 'arp.isannouncement': '1', 'arp.isgratuitous': '1' } },
    ),
    reason: 'arp.merge-hazard',
  },
  {
    id: '116-rule2-gratuitous-reply',
    description:
      'Gratuitous ARP reply from host1 (broadcast, sender IP = target IP, as `arping -A` sends it): host2 rewrites the sender MAC and leaves the target MAC.',
    source: 'arp.merge-hazard (gratuitous ARP reply)',
    rules: ['arp.merge-hazard'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: arp(
      { dst: BCAST, src: CLUSTER },
      { op: REP, sha: CLUSTER, spa: H1, tha: CLUSTER, tpa: H1 },
      { claims: { 'arp.isgratuitous': '1' } },
    ),
    verdict: 'rewrite',
    output: arp(
      { dst: BCAST, src: CLUSTER },
      { op: REP, sha: DED1, spa: H1, tha: CLUSTER, tpa: H1 },
      { claims: { 'arp.isgratuitous': '1' } },
    ),
    reason: 'arp.merge-hazard',
  },
  {
    id: '117-rule2-reply-from-member',
    description:
      'A reply from host1 to host2 that still carries the cluster MAC as sender (host1 not rewriting it): host2 rewrites the sender MAC; target MAC and Ethernet header stay.',
    source: 'arp.merge-hazard (a reply from a member)',
    rules: ['arp.reply-for-this-host'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: arp({ dst: CLUSTER, src: CLUSTER }, { op: REP, sha: CLUSTER, spa: H1, tha: CLUSTER, tpa: H2 }),
    verdict: 'rewrite',
    output: arp({ dst: CLUSTER, src: CLUSTER }, { op: REP, sha: DED1, spa: H1, tha: CLUSTER, tpa: H2 }),
    reason: 'arp.step510-receiver',
  },

  // ---- rule 3: outbound reply from H to a member ----
  {
    id: '201-rule3-reply-to-host3',
    description:
      "host2's stack answers host3's request; host2's layer sets the ARP sender MAC to host2's dedicated MAC and the ARP target MAC to the cluster MAC.",
    source: 'arp.reply-to-member (step 508 with a third member)',
    rules: ['arp.reply-to-member'],
    config: C3,
    host: 'host2',
    direction: 'outbound',
    input: arp({ dst: DED3, src: CLUSTER }, { op: REP, sha: CLUSTER, spa: H2, tha: DED3, tpa: H3 }),
    verdict: 'rewrite',
    output: arp({ dst: DED3, src: CLUSTER }, { op: REP, sha: DED2, spa: H2, tha: CLUSTER, tpa: H3 }),
    reason: 'arp.step508',
  },
  {
    id: '205-default-reply-to-member-keeps-cluster-mac',
    description:
      "Vector 201 with every config key at its default (replyRewrite \"receiver\"): host2's layer writes only the cluster MAC as ARP target MAC; the sender MAC stays the cluster MAC, so this reply, flooded to every port (its destination is host3's dedicated MAC), shows no dedicated MAC to anyone. host3's layer writes host2's dedicated MAC on the way in (vector 206).",
    source: 'patent, step 508 alternative (both substitutions at the requester); docs/config.md replyRewrite',
    rules: ['arp.reply-to-member'],
    config: 'configs/cluster3-defaults.json',
    host: 'host2',
    direction: 'outbound',
    input: arp({ dst: DED3, src: CLUSTER }, { op: REP, sha: CLUSTER, spa: H2, tha: DED3, tpa: H3 }),
    verdict: 'rewrite',
    output: arp({ dst: DED3, src: CLUSTER }, { op: REP, sha: CLUSTER, spa: H2, tha: CLUSTER, tpa: H3 }),
    reason: 'arp.step508-receiver',
  },
  {
    id: '206-default-reply-at-requester',
    description:
      "Vector 205's output arriving at host3 (default config): Ethernet destination := cluster MAC (step 510) and sender MAC := host2's dedicated MAC, which gives FIG. 6 row 640's form.",
    source: 'patent, step 508 alternative; docs/rules.md arp.reply-for-this-host',
    rules: ['arp.reply-for-this-host', 'data.dedicated-to-cluster'],
    config: 'configs/cluster3-defaults.json',
    host: 'host3',
    direction: 'inbound',
    input: arp({ dst: DED3, src: CLUSTER }, { op: REP, sha: CLUSTER, spa: H2, tha: CLUSTER, tpa: H3 }),
    verdict: 'rewrite',
    output: arp({ dst: CLUSTER, src: CLUSTER }, { op: REP, sha: DED2, spa: H2, tha: CLUSTER, tpa: H3 }),
    reason: 'arp.step510-receiver',
  },
  {
    id: '202-rule3-ethernet-source-stays-cluster',
    description:
      "host1 answers host2: the ARP sender MAC becomes host1's dedicated MAC, but the Ethernet source stays the cluster MAC (never a multicast source, IEEE 802.3; tshark's eth.src.ig is 0).",
    source: 'arp.reply-to-member ("The Ethernet source stays the cluster MAC"); verified on Linux',
    rules: ['arp.reply-to-member'],
    config: FIG6,
    host: 'host1',
    direction: 'outbound',
    input: arp(
      { dst: DED2, src: CLUSTER },
      { op: REP, sha: CLUSTER, spa: H1, tha: DED2, tpa: H2 },
      { claims: { 'eth.src.ig': '0' } },
    ),
    verdict: 'rewrite',
    output: arp(
      { dst: DED2, src: CLUSTER },
      { op: REP, sha: DED1, spa: H1, tha: CLUSTER, tpa: H2 },
      { claims: { 'eth.src.ig': '0', 'eth.dst.ig': '1' } },
    ),
    reason: 'arp.step508',
  },
  {
    id: '203-rule3-reply-unpadded',
    description:
      'Row 620 as the stack hands it down, 42 bytes before any NIC padding: rewritten to row 630 at the same length.',
    source: 'arp.reply-to-member and frame.vlan-tags (step 508 on an unpadded frame)',
    rules: ['arp.reply-to-member', 'frame.padding'],
    config: FIG6,
    host: 'host2',
    direction: 'outbound',
    input: row620({ pad: false }),
    verdict: 'rewrite',
    output: row630({ pad: false }),
    reason: 'arp.step508',
  },
  {
    id: '204-rule3-multicast-source-never-emitted',
    description:
      "A frame from host2's stack with a multicast Ethernet source (its dedicated MAC, a misconfigured stack): dropped rather than emitted.",
    source:
      'arp.reply-to-member ("never emit a multicast Ethernet source"); IEEE 802.3 (a source address is never a group address)',
    rules: ['frame.multicast-source'],
    config: FIG6,
    host: 'host2',
    direction: 'outbound',
    input: arp(
      { dst: DED1, src: DED2 },
      { op: REP, sha: CLUSTER, spa: H2, tha: DED1, tpa: H1 },
      { claims: { 'eth.src.ig': '1' } },
    ),
    verdict: 'drop',
    reason: 'frame.multicast-source',
  },

  // ---- rule 4: inbound destination = a dedicated MAC ----
  {
    id: '301-rule4-udp-to-own-dedicated',
    description:
      "A UDP datagram from host3 to host2's dedicated MAC: host2's layer sets the destination to the cluster MAC.",
    source: 'data.dedicated-to-cluster (steps 702, 706 for any IPv4 data)',
    rules: ['data.dedicated-to-cluster'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: udpFrame({ dst: DED2, src: CLUSTER }, H3, H2),
    verdict: 'rewrite',
    output: udpFrame({ dst: CLUSTER, src: CLUSTER }, H3, H2),
    reason: 'data.dedicated-to-cluster',
  },
  {
    id: '302-rule4-non-ip-to-own-dedicated',
    description:
      "A non-IP frame (EtherType 0x88b5) to host2's dedicated MAC: the destination rule applies to any protocol.",
    source: 'data.dedicated-to-cluster ("Inbound frame of any protocol")',
    rules: ['data.dedicated-to-cluster'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: experimental({ dst: DED2, src: CLUSTER }),
    verdict: 'rewrite',
    output: experimental({ dst: CLUSTER, src: CLUSTER }),
    reason: 'data.dedicated-to-cluster',
  },
  {
    id: '303-rule4-ipv4-to-other-member-dropped',
    description: "A data frame for host3's dedicated MAC reaches host2 (a switch floods multicast): host2 drops it.",
    source: "data.dedicated-to-cluster (destination = another member's dedicated MAC)",
    rules: ['data.not-for-this-host'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: ping({ dst: DED3, src: CLUSTER }, H1, H3, 8),
    verdict: 'drop',
    reason: 'data.not-for-this-host',
  },
  {
    id: '304-rule4-row630-at-host3-dropped',
    description: "Row 630 is addressed to Host 1's dedicated MAC; flooded to host3, it is dropped there.",
    source: 'data.dedicated-to-cluster; FIG. 6 row 630 seen by a third member',
    rules: ['data.not-for-this-host'],
    config: C3,
    host: 'host3',
    direction: 'inbound',
    input: row630(),
    verdict: 'drop',
    reason: 'data.not-for-this-host',
  },
  {
    id: '305-rule4-non-ip-to-other-member-dropped',
    description: "A non-IP frame for host1's dedicated MAC reaching host2 is dropped.",
    source: 'data.dedicated-to-cluster',
    rules: ['data.not-for-this-host'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: experimental({ dst: DED1, src: CLUSTER }),
    verdict: 'drop',
    reason: 'data.not-for-this-host',
  },

  // ---- rule 5: everything else passes byte-identical ----
  {
    id: '401-rule5-request-from-non-member',
    description: 'The router (a non-member with its own MAC) asks for host2: unchanged.',
    source: 'arp.outbound-keeps-cluster-mac (ARP from non-members)',
    rules: ['arp.non-member'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: arp({ dst: BCAST, src: ROUTER_MAC }, { op: REQ, sha: ROUTER_MAC, spa: ROUTER, tha: ZERO, tpa: H2 }),
    verdict: 'pass',
    reason: 'arp.non-member',
  },
  {
    id: '402-rule5-non-member-with-cluster-mac',
    description:
      'A station whose IP is not a member sends the cluster MAC as sender MAC (another node of the same NLB cluster that is not listed): unchanged.',
    source: 'arp.outbound-keeps-cluster-mac (ARP from non-members; membership is by IP, step 502)',
    rules: ['arp.non-member'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: arp({ dst: BCAST, src: CLUSTER }, { op: REQ, sha: CLUSTER, spa: OUTSIDER, tha: ZERO, tpa: H2 }),
    verdict: 'pass',
    reason: 'arp.non-member',
  },
  {
    id: '403-rule5-member-ip-other-sender-mac',
    description:
      "host1's address with a sender MAC that is not the cluster MAC (its burned-in NIC MAC): unchanged (step 502 needs the cluster MAC as sender).",
    source: 'arp.outbound-keeps-cluster-mac (member IP, sender MAC other than the cluster MAC); patent field 308',
    rules: ['arp.already-dedicated'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: arp({ dst: BCAST, src: NIC1_MAC }, { op: REQ, sha: NIC1_MAC, spa: H1, tha: ZERO, tpa: H2 }),
    verdict: 'pass',
    reason: 'arp.sender-not-cluster',
  },
  {
    id: '404-rule5-member-already-dedicated',
    description:
      "A request from host1 that already carries host1's dedicated MAC as sender: unchanged (never rewritten twice).",
    source: 'arp.outbound-keeps-cluster-mac (member IP, sender MAC other than the cluster MAC)',
    rules: ['arp.already-dedicated'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: row610(),
    verdict: 'pass',
    reason: 'arp.sender-not-cluster',
  },
  {
    id: '405-rule5-probe',
    description: 'RFC 5227 probe from a member (sender IP 0.0.0.0, target MAC zero): unchanged.',
    source: 'arp.outbound-keeps-cluster-mac (ARP probes); RFC 5227 section 2.1.1',
    rules: ['arp.probe'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: arp(
      { dst: BCAST, src: CLUSTER },
      { op: REQ, sha: CLUSTER, spa: '0.0.0.0', tha: ZERO, tpa: H1 },
      { claims: { 'arp.isprobe': '1' } },
    ),
    verdict: 'pass',
    reason: 'arp.probe',
  },
  {
    id: '406-rule5-outbound-reply-to-non-member',
    description:
      'host2 answers the router: the reply keeps the cluster MAC, so a non-member never learns a dedicated MAC (RFC 1812 3.3.2).',
    source: 'arp.outbound-keeps-cluster-mac (outbound replies to non-members)',
    rules: ['arp.outbound-keeps-cluster-mac'],
    config: C3,
    host: 'host2',
    direction: 'outbound',
    input: arp({ dst: ROUTER_MAC, src: CLUSTER }, { op: REP, sha: CLUSTER, spa: H2, tha: ROUTER_MAC, tpa: ROUTER }),
    verdict: 'pass',
    reason: 'arp.reply-to-non-member',
  },
  {
    id: '407-rule5-outbound-virtual-ip-to-non-member',
    description: 'host2 answers the router for the virtual (load-balanced) IP: keeps the cluster MAC.',
    source: 'arp.outbound-keeps-cluster-mac (outbound replies whose sender IP is a virtual IP)',
    rules: ['arp.outbound-keeps-cluster-mac'],
    config: C3,
    host: 'host2',
    direction: 'outbound',
    input: arp({ dst: ROUTER_MAC, src: CLUSTER }, { op: REP, sha: CLUSTER, spa: VIP, tha: ROUTER_MAC, tpa: ROUTER }),
    verdict: 'pass',
    reason: 'arp.reply-not-own',
  },
  {
    id: '408-rule5-outbound-virtual-ip-to-member',
    description:
      "host2 answers host1 for the virtual IP: keeps the cluster MAC even towards a member (the virtual IP is the whole cluster's).",
    source: 'arp.outbound-keeps-cluster-mac (outbound replies whose sender IP is a virtual IP)',
    rules: ['arp.outbound-keeps-cluster-mac'],
    config: C3,
    host: 'host2',
    direction: 'outbound',
    input: arp({ dst: DED1, src: CLUSTER }, { op: REP, sha: CLUSTER, spa: VIP, tha: DED1, tpa: H1 }),
    verdict: 'pass',
    reason: 'arp.reply-not-own',
  },
  {
    id: '409-rule5-htype-ieee802',
    description: 'Row 600 with hardware type 6 (IEEE 802) instead of 1: not Ethernet ARP, unchanged.',
    source: 'arp.outbound-keeps-cluster-mac (htype other than 1)',
    rules: ['arp.validation'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: arp({ dst: BCAST, src: CLUSTER }, { htype: 6, op: REQ, sha: CLUSTER, spa: H1, tha: ZERO, tpa: H2 }),
    verdict: 'pass',
    reason: 'arp.layout',
  },
  {
    id: '410-rule5-ptype-not-ipv4',
    description: 'Row 600 with protocol type 0x86dd instead of 0x0800 (lengths 6 and 4 kept): unchanged.',
    source: 'arp.outbound-keeps-cluster-mac (ptype other than 0x0800)',
    rules: ['arp.validation'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: arp(
      { dst: BCAST, src: CLUSTER },
      { ptype: EtherType.IPV6, op: REQ, sha: CLUSTER, spa: H1, tha: ZERO, tpa: H2 },
    ),
    verdict: 'pass',
    reason: 'arp.layout',
  },
  {
    id: '411-rule5-hlen-8',
    description:
      'ARP with hardware length 8 (the sender and target hardware addresses are 8 bytes; sender IP 12.12.4.101): not ours, unchanged.',
    source: 'arp.outbound-keeps-cluster-mac (hlen other than 6)',
    rules: ['arp.validation'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: raw(
      'ffffffffffff 02bfaabbccdd 0806' + // Ethernet
        '0001 0800 08 04 0001' + // htype 1, ptype IPv4, hlen 8, plen 4, request
        '02bfaabbccdd0000 0c0c0465' + // sender hardware (8 bytes), sender IP
        '0000000000000000 0c0c0466' + // target hardware (8 bytes), target IP
        '0000000000000000000000000000', // padding to 60
      {
        'eth.dst': 'ff:ff:ff:ff:ff:ff',
        'eth.src': '02:bf:aa:bb:cc:dd',
        'eth.type': '0x0806',
        'arp.hw.type': '1',
        'arp.hw.size': '8',
        'arp.proto.size': '4',
        'arp.opcode': '1',
        'arp.src.hw': '02bfaabbccdd0000',
        'arp.src.proto_ipv4': H1,
        'arp.dst.proto_ipv4': H2,
        'eth.padding': '0000000000000000000000000000',
      },
    ),
    verdict: 'pass',
    reason: 'arp.layout',
  },
  {
    id: '412-rule5-plen-16',
    description: 'ARP with protocol length 16 (16-byte protocol addresses): not ours, unchanged.',
    source: 'arp.outbound-keeps-cluster-mac (plen other than 4)',
    rules: ['arp.validation'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: raw(
      'ffffffffffff 02bfaabbccdd 0806' +
        '0001 0800 06 10 0001' + // htype 1, ptype IPv4, hlen 6, plen 16, request
        '02bfaabbccdd 0c0c0465000000000000000000000000' +
        '000000000000 0c0c0466000000000000000000000000',
      {
        'eth.dst': 'ff:ff:ff:ff:ff:ff',
        'eth.src': '02:bf:aa:bb:cc:dd',
        'eth.type': '0x0806',
        'arp.hw.size': '6',
        'arp.proto.size': '16',
        'arp.opcode': '1',
        'arp.src.hw_mac': '02:bf:aa:bb:cc:dd',
        'arp.src.proto': '0c0c0465000000000000000000000000',
        'eth.padding': '',
      },
    ),
    verdict: 'pass',
    reason: 'arp.layout',
  },
  {
    id: '413-rule5-opcode-rarp-request',
    description: 'Row 600 with opcode 3 (RARP request, RFC 903) in an ARP EtherType frame: unchanged.',
    source: 'arp.outbound-keeps-cluster-mac (opcode other than 1 and 2)',
    rules: ['arp.validation'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: arp({ dst: BCAST, src: CLUSTER }, { op: 3, sha: CLUSTER, spa: H1, tha: ZERO, tpa: H2 }),
    verdict: 'pass',
    reason: 'arp.opcode',
  },
  {
    id: '414-rule5-opcode-inarp-reply',
    description: 'A reply-shaped frame from host1 with opcode 9 (InARP reply, RFC 2390): unchanged.',
    source: 'arp.outbound-keeps-cluster-mac (opcode other than 1 and 2)',
    rules: ['arp.validation'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: arp({ dst: CLUSTER, src: CLUSTER }, { op: 9, sha: CLUSTER, spa: H1, tha: CLUSTER, tpa: H2 }),
    verdict: 'pass',
    reason: 'arp.opcode',
  },
  {
    id: '415-rule5-truncated-arp',
    description: 'Row 600 cut after 20 of the 28 ARP bytes (34-byte frame): unchanged.',
    source: 'arp.outbound-keeps-cluster-mac (truncated frames)',
    rules: ['arp.validation'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: raw(
      'ffffffffffff 02bfaabbccdd 0806 0001 0800 06 04 0001 02bfaabbccdd 0c0c0465 0000',
      // tshark reads the fixed header, then stops: the addresses it cannot fully read are absent
      {
        'eth.dst': 'ff:ff:ff:ff:ff:ff',
        'eth.src': '02:bf:aa:bb:cc:dd',
        'eth.type': '0x0806',
        'arp.opcode': '1',
        'arp.hw.size': '6',
        'arp.src.hw_mac': '',
        'arp.dst.hw_mac': '',
      },
    ),
    verdict: 'pass',
    reason: 'arp.truncated',
    malformed: true,
  },
  {
    id: '416-rule5-truncated-ethernet',
    description: 'A 10-byte frame, shorter than an Ethernet header: unchanged.',
    source: 'arp.outbound-keeps-cluster-mac (truncated frames)',
    rules: ['frame.vlan-tags'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: raw('03bf0c0c0466 02bfaabb', { 'eth.dst': '', 'eth.type': '' }),
    verdict: 'pass',
    reason: 'frame.truncated',
    malformed: true,
  },
  {
    id: '417-rule5-truncated-vlan-tag',
    description:
      "An 802.1Q tag with nothing after it (16 bytes, no inner EtherType), addressed to host2's dedicated MAC: unchanged, not half-rewritten.",
    source: 'arp.outbound-keeps-cluster-mac and frame.vlan-tags (truncated frames; tagged frames)',
    rules: ['frame.vlan-tags'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: raw('03bf0c0c0466 02bfaabbccdd 8100 0064', {
      'eth.dst': '03:bf:0c:0c:04:66',
      'eth.src': '02:bf:aa:bb:cc:dd',
      'eth.type': '0x8100',
      'vlan.id': '100',
      'vlan.etype': '',
    }),
    verdict: 'pass',
    reason: 'frame.truncated',
    malformed: true,
  },
  {
    id: '418-rule5-own-address-from-wire',
    description:
      "An ARP request from the wire with host2's own address as sender IP and the cluster MAC (host2's own broadcast looped back, or a conflict): unchanged.",
    source: 'arp.outbound-keeps-cluster-mac (everything else)',
    rules: ['arp.own-address'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: arp({ dst: BCAST, src: CLUSTER }, { op: REQ, sha: CLUSTER, spa: H2, tha: ZERO, tpa: H1 }),
    verdict: 'pass',
    reason: 'arp.own-address',
  },
  {
    id: '419-rule5-outbound-announcement',
    description:
      "host2's own gratuitous ARP going out keeps the cluster MAC: non-members must only ever see the cluster MAC.",
    source: 'arp.outbound-keeps-cluster-mac (everything else); RFC 1812 3.3.2',
    rules: ['arp.outbound-keeps-cluster-mac'],
    config: C3,
    host: 'host2',
    direction: 'outbound',
    input: arp(
      { dst: BCAST, src: CLUSTER },
      { op: REQ, sha: CLUSTER, spa: H2, tha: ZERO, tpa: H2 },
      { claims: { 'arp.isannouncement': '1' } },
    ),
    verdict: 'pass',
  },
  {
    id: '420-rule5-non-member-data-to-cluster-mac',
    description: 'An IPv4 frame from the router to the cluster MAC (ordinary load-balanced traffic): unchanged.',
    source: 'arp.outbound-keeps-cluster-mac (everything else)',
    rules: ['data.unchanged'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: udpFrame({ dst: CLUSTER, src: ROUTER_MAC }, ROUTER, VIP),
    verdict: 'pass',
  },

  // ---- rule 6: padding, 802.1Q, 802.1ad ----
  {
    id: '421-probe-reply-to-cluster-broadcast',
    description:
      "host2's stack answers host1's RFC 5227 probe for host2's address: unicast to the probe's sender MAC, the cluster MAC, which a learning switch sends back out of the port it came in on. host2's layer sets the Ethernet destination to broadcast so every member (the prober among them) receives it; the payload, which carries only the cluster MAC, is unchanged.",
    source:
      'RFC 5227 2.1.1 (probe), 2.6 (broadcast replies); Linux answers a probe to its sender hardware address; docs/rules.md arp.probe-reply-to-cluster',
    rules: ['arp.probe-reply-to-cluster'],
    config: C3,
    host: 'host2',
    direction: 'outbound',
    input: arp({ dst: CLUSTER, src: CLUSTER }, { op: REP, sha: CLUSTER, spa: H2, tha: CLUSTER, tpa: '0.0.0.0' }),
    verdict: 'rewrite',
    output: arp({ dst: BCAST, src: CLUSTER }, { op: REP, sha: CLUSTER, spa: H2, tha: CLUSTER, tpa: '0.0.0.0' }),
    reason: 'arp.probe-reply-broadcast',
  },
  {
    id: '422-probe-reply-8021q',
    description: 'Vector 421 in an 802.1Q frame (VLAN 100): the same, the tag kept.',
    source: 'docs/rules.md arp.probe-reply-to-cluster, frame.vlan-tags',
    rules: ['arp.probe-reply-to-cluster', 'frame.vlan-tags'],
    config: C3,
    host: 'host2',
    direction: 'outbound',
    input: arp(
      { dst: CLUSTER, src: CLUSTER, vlans: [CTAG(100)] },
      { op: REP, sha: CLUSTER, spa: H2, tha: CLUSTER, tpa: '0.0.0.0' },
    ),
    verdict: 'rewrite',
    output: arp(
      { dst: BCAST, src: CLUSTER, vlans: [CTAG(100)] },
      { op: REP, sha: CLUSTER, spa: H2, tha: CLUSTER, tpa: '0.0.0.0' },
    ),
    reason: 'arp.probe-reply-broadcast',
  },
  {
    id: '423-probe-reply-to-non-member-unchanged',
    description:
      "host2 answers a non-member's probe: addressed to the non-member's own MAC, which the switch delivers; unchanged.",
    source: 'docs/rules.md arp.probe-reply-to-cluster (only replies to the cluster MAC)',
    rules: ['arp.probe-reply-to-cluster', 'arp.outbound-keeps-cluster-mac'],
    config: C3,
    host: 'host2',
    direction: 'outbound',
    input: arp({ dst: NIC1_MAC, src: CLUSTER }, { op: REP, sha: CLUSTER, spa: H2, tha: NIC1_MAC, tpa: '0.0.0.0' }),
    verdict: 'pass',
    reason: 'arp.reply-to-non-member',
  },
  {
    id: '424-probe-reply-broadcast-at-prober',
    description:
      "Vector 421's output arriving at host1, the prober: a reply from host2 carrying the cluster MAC, so host1's layer writes host2's dedicated MAC (RFC 826 merge hazard) and the prober sees host2's answer.",
    source: 'docs/rules.md arp.merge-hazard, arp.probe-reply-to-cluster',
    rules: ['arp.merge-hazard', 'arp.probe-reply-to-cluster'],
    config: C3,
    host: 'host1',
    direction: 'inbound',
    input: arp({ dst: BCAST, src: CLUSTER }, { op: REP, sha: CLUSTER, spa: H2, tha: CLUSTER, tpa: '0.0.0.0' }),
    verdict: 'rewrite',
    output: arp({ dst: BCAST, src: CLUSTER }, { op: REP, sha: DED2, spa: H2, tha: CLUSTER, tpa: '0.0.0.0' }),
    reason: 'arp.merge-hazard',
  },
  {
    id: '501-rule6-padding-kept',
    description:
      'Row 600 padded to 60 bytes with 0xa5 instead of zeros: rewritten to row 610 inside, padding kept byte for byte.',
    source: 'frame.vlan-tags (padded minimum-size frames); FIG. 6 rows 600 to 610',
    rules: ['arp.request-for-this-host', 'frame.padding'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: row600({ padByte: 0xa5 }),
    verdict: 'rewrite',
    output: row610({ padByte: 0xa5 }),
    reason: 'arp.step502',
  },
  {
    id: '502-rule6-8021q-row600-to-610',
    description: 'Row 600 in an 802.1Q tag (VLAN 100, priority 3): rewritten like the untagged row, tag kept.',
    source: 'frame.vlan-tags (802.1Q); FIG. 6 rows 600 to 610',
    rules: ['arp.request-for-this-host', 'frame.vlan-tags'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: row600({}, [CTAG(100, 3)]),
    verdict: 'rewrite',
    output: row610({}, [CTAG(100, 3)]),
    reason: 'arp.step502',
  },
  {
    id: '503-rule6-8021q-row620-to-630',
    description: 'Row 620 in an 802.1Q tag: rewritten to row 630, tag kept.',
    source: 'frame.vlan-tags (802.1Q); FIG. 6 rows 620 to 630',
    rules: ['arp.reply-to-member', 'frame.vlan-tags'],
    config: FIG6,
    host: 'host2',
    direction: 'outbound',
    input: row620({}, [CTAG(100)]),
    verdict: 'rewrite',
    output: row630({}, [CTAG(100)]),
    reason: 'arp.step508',
  },
  {
    id: '504-rule6-qinq-row600-to-610',
    description:
      'Row 600 double-tagged (802.1ad S-tag VLAN 10, 802.1Q C-tag VLAN 100): rewritten like the untagged row.',
    source: 'frame.vlan-tags (802.1ad QinQ); FIG. 6 rows 600 to 610',
    rules: ['arp.request-for-this-host', 'frame.vlan-tags'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: row600({}, [STAG(10), CTAG(100)]),
    verdict: 'rewrite',
    output: row610({}, [STAG(10), CTAG(100)]),
    reason: 'arp.step502',
  },
  {
    id: '505-rule6-qinq-row630-to-640',
    description: 'Row 630 double-tagged arriving at Host 1: destination set to the cluster MAC (row 640), tags kept.',
    source: 'frame.vlan-tags (802.1ad QinQ); FIG. 6 rows 630 to 640',
    rules: ['data.dedicated-to-cluster', 'frame.vlan-tags'],
    config: FIG6,
    host: 'host1',
    direction: 'inbound',
    input: row630({}, [STAG(10), CTAG(100)]),
    verdict: 'rewrite',
    output: row640({}, [STAG(10), CTAG(100)]),
  },
  {
    id: '506-rule6-qinq-step702',
    description: 'The FIG. 7 request double-tagged, at Host 2: destination set to the cluster MAC, tags kept.',
    source: 'frame.vlan-tags (802.1ad QinQ); FIG. 7 step 702',
    rules: ['data.dedicated-to-cluster', 'frame.vlan-tags'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: step700([STAG(10), CTAG(100)]),
    verdict: 'rewrite',
    output: step702([STAG(10), CTAG(100)]),
    reason: 'data.dedicated-to-cluster',
  },
  {
    id: '507-rule6-8021q-other-member-dropped',
    description: "An 802.1Q-tagged data frame for host3's dedicated MAC reaching host2: dropped like an untagged one.",
    source: 'frame.vlan-tags and data.dedicated-to-cluster',
    rules: ['data.not-for-this-host', 'frame.vlan-tags'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: ping({ dst: DED3, src: CLUSTER, vlans: [CTAG(100)] }, H1, H3, 8),
    verdict: 'drop',
    reason: 'data.not-for-this-host',
  },
  {
    id: '508-rule6-8021q-non-member-passes',
    description: 'An 802.1Q-tagged request from the router: unchanged like an untagged one.',
    source: 'frame.vlan-tags and arp.outbound-keeps-cluster-mac',
    rules: ['arp.non-member', 'frame.vlan-tags'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: arp(
      { dst: BCAST, src: ROUTER_MAC, vlans: [CTAG(100)] },
      { op: REQ, sha: ROUTER_MAC, spa: ROUTER, tha: ZERO, tpa: H2 },
    ),
    verdict: 'pass',
    reason: 'arp.non-member',
  },
  {
    id: '509-rule6-8021q-step704-outbound',
    description: 'The FIG. 7 response, 802.1Q-tagged, leaving Host 2: unchanged.',
    source: 'frame.vlan-tags and arp.outbound-keeps-cluster-mac; FIG. 7 step 704',
    rules: ['data.unchanged', 'frame.vlan-tags'],
    config: FIG6,
    host: 'host2',
    direction: 'outbound',
    input: step704([CTAG(100)]),
    verdict: 'pass',
  },

  // ---- rule 7: table mapping (config "mac") ----
  {
    id: '601-rule7-table-request-from-host2',
    description:
      "host2 has the table MAC 03-bf-00-00-00-02 in the config: host1's layer writes that MAC, not the prefix mapping's 03-bf-0c-0c-04-66, into host2's request.",
    source:
      'frame.padding (per-host table, config "mac"); patent: cluster host list expanded with a physical address per IP',
    rules: ['arp.request-for-this-host', 'mapping.table'],
    config: TABLE,
    host: 'host1',
    direction: 'inbound',
    input: arp({ dst: BCAST, src: CLUSTER }, { op: REQ, sha: CLUSTER, spa: H2, tha: ZERO, tpa: H1 }),
    verdict: 'rewrite',
    output: arp({ dst: BCAST, src: CLUSTER }, { op: REQ, sha: TABLE2, spa: H2, tha: ZERO, tpa: H1 }),
    reason: 'arp.step502',
  },
  {
    id: '602-rule7-table-reply-from-host2',
    description:
      'host2 answers host1: its layer writes its table MAC 03-bf-00-00-00-02 as ARP sender and the cluster MAC as ARP target.',
    source: 'frame.padding and arp.reply-to-member',
    rules: ['arp.reply-to-member', 'mapping.table'],
    config: TABLE,
    host: 'host2',
    direction: 'outbound',
    input: row620(),
    verdict: 'rewrite',
    output: arp({ dst: DED1, src: CLUSTER }, { op: REP, sha: TABLE2, spa: H2, tha: CLUSTER, tpa: H1 }),
    reason: 'arp.step508',
  },
  {
    id: '603-rule7-table-data-to-table-mac',
    description: "Data from host1 to host2's table MAC: host2 sets the destination to the cluster MAC.",
    source: 'frame.padding and data.dedicated-to-cluster',
    rules: ['data.dedicated-to-cluster', 'mapping.table'],
    config: TABLE,
    host: 'host2',
    direction: 'inbound',
    input: ping({ dst: TABLE2, src: CLUSTER }, H1, H2, 8),
    verdict: 'rewrite',
    output: step702(),
    reason: 'data.dedicated-to-cluster',
  },
  {
    id: '604-rule7-prefix-mac-not-dedicated',
    description:
      "With a table MAC, 03-bf-0c-0c-04-66 is nobody's dedicated MAC: a frame to it is not rewritten and passes unchanged.",
    source: 'frame.padding and arp.outbound-keeps-cluster-mac',
    rules: ['data.unchanged', 'mapping.table'],
    config: TABLE,
    host: 'host2',
    direction: 'inbound',
    input: step700(),
    verdict: 'pass',
  },
  {
    id: '605-rule7-prefix-member-beside-table',
    description:
      "host1 has no table entry: host2's layer still writes host1's prefix-mapped MAC 03-bf-0c-0c-04-65 (row 610).",
    source: 'frame.padding and arp.request-for-this-host; FIG. 6 rows 600 to 610',
    rules: ['arp.request-for-this-host', 'mapping.table'],
    config: TABLE,
    host: 'host2',
    direction: 'inbound',
    input: row600(),
    verdict: 'rewrite',
    output: row610(),
    reason: 'arp.step502',
  },
];

export function files(): Map<string, string> {
  return render('arp', specs, CONFIGS);
}
