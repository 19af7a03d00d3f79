/**
 * test/golden/found/*.json: every failure the property tests (test/property) found, as a golden
 * vector (docs/golden-vectors.md). Each entry says which property failed and on which
 * counterexample; its expected verdict and output come from the rule the fix restores, written out
 * here, never from running the engine. tshark claims are read from the bytes by the property tests'
 * own reader (test/property/wire.ts) and checked by test/tshark.test.ts against Wireshark's reading.
 * `npm run vectors` writes them.
 */
import { CONFIGS } from '../property/model';
import {
  bytesOf,
  hex,
  macAt,
  macText,
  readArp,
  readIcmp6,
  readIp6,
  readL2,
  icmp6ChecksumValid,
  ndLinkLayerOptions,
} from '../property/wire';
import { json } from './kit';
import * as ipaddr from 'ipaddr.js';
import { VlanTag, emitEthernet, toHex } from '../../src/frame/build';
import { EtherType } from '../../src/frame/ethernet';
import { Icmpv6Type, NdOption } from '../../adapters/ndp/icmpv6';
import { arpFrame, emitArp } from '../../adapters/arp/repr';
import { ndFrame } from '../../adapters/ndp/repr';

interface Found {
  name: string;
  description: string;
  /** The property that failed, the counterexample, and the rule that decides the expected answer. */
  source: string;
  rules: string[];
  config: string | Record<string, unknown>;
  host: string;
  direction: 'inbound' | 'outbound';
  input: string;
  verdict: 'pass' | 'rewrite' | 'drop' | 'reply';
  /** For rewrite: the expected output. */
  output?: string;
  reason: string;
  malformed?: boolean;
}

const CLUSTER = '02-bf-aa-bb-cc-dd';
const mac = (h: string) => macText(h);
const ip4 = (h: string) => bytesOf(h).join('.');
const ip6 = (h: string) => ipaddr.fromByteArray(Array.from(bytesOf(h))).toString();

/** An Ethernet/IPv4 ARP frame, padded to 60 bytes, addresses given as hex. */
const arp = (dst: string, op: number, sha: string, spa: string, tha: string, tpa: string, vlans: VlanTag[] = []) =>
  toHex(
    arpFrame(
      { dst: mac(dst), src: CLUSTER, vlans },
      { op, sha: mac(sha), spa: ip4(spa), tha: mac(tha), tpa: ip4(tpa) },
    ),
  );
const ctags = (n: number): VlanTag[] => Array.from({ length: n }, () => ({ tpid: EtherType.VLAN, tci: 0 }));

/** Ethernet + IPv6 + NA (hop limit 255) with one TLLAO and a correct checksum, addresses given as hex. */
const na = (dst: string, src6: string, dst6: string, target: string, flags: number, tllao: string) =>
  toHex(
    ndFrame(
      { dst: mac(dst), src: CLUSTER },
      { src: ip6(src6), dst: ip6(dst6) },
      {
        type: Icmpv6Type.NEIGHBOR_ADVERTISEMENT,
        flags,
        target: ip6(target),
        options: [{ type: NdOption.TARGET_LL, mac: tllao }],
      },
    ),
  );

export const FOUND: Found[] = [
  {
    name: 'found-001-arp-reply-to-forged-sender-mac',
    description:
      "A non-member forged an ARP request claiming host1's IP with its own MAC as sender; host2's stack answers to that MAC. The reply is for a member by IP but reaches the non-member, so it keeps the cluster MAC.",
    source:
      'property "no outbound ARP addressed to a non-member carries a dedicated MAC" (RFC 826 merge rule: every receiver of an ARP frame updates its entry for the sender); found on a reply to Ethernet destination 03-bf-0c-0c-04-65 in shared mode, generalised here to the forgery',
    rules: ['arp.reply-members-only'],
    config: 'configs/cluster3.json',
    host: 'host2',
    direction: 'outbound',
    input: arp('020000000009', 2, '02bfaabbccdd', '0c0c0466', '020000000009', '0c0c0465'),
    verdict: 'pass',
    reason: 'arp.reply-seen-by-non-members',
  },
  {
    name: 'found-002-arp-reply-to-member-broadcast',
    description:
      "host2's stack answers host1 with a broadcast Ethernet destination (a request forged with sender MAC ff-ff-ff-ff-ff-ff): every non-member receives it, so it keeps the cluster MAC.",
    source: 'property "no outbound ARP addressed to a non-member carries a dedicated MAC" (RFC 826 merge rule)',
    rules: ['arp.reply-members-only'],
    config: 'configs/cluster3.json',
    host: 'host2',
    direction: 'outbound',
    input: arp('ffffffffffff', 2, '02bfaabbccdd', '0c0c0466', 'ffffffffffff', '0c0c0465'),
    verdict: 'pass',
    reason: 'arp.reply-seen-by-non-members',
  },
  {
    name: 'found-003-shared-arp-reply-to-unused-multicast',
    description:
      'Shared mode: a reply to host1 sent to a multicast MAC that is not the shared MAC (03-bf-0c-0c-04-65, which nobody in this cluster uses) keeps the cluster MAC: only the shared MAC, a member MAC or the cluster MAC reach members only.',
    source:
      'property "no outbound ARP addressed to a non-member carries a dedicated or shared MAC", counterexample as fast-check shrank it (seed 895924324)',
    rules: ['arp.reply-members-only', 'shared.ip-filter'],
    config: { ...CONFIGS.shared, maskSourceMac: false },
    host: 'host2',
    direction: 'outbound',
    input: arp('03bf0c0c0465', 2, '02bfaabbccdd', '0c0c0466', '03bf0c0c0465', '0c0c0465'),
    verdict: 'pass',
    reason: 'arp.reply-seen-by-non-members',
  },
  {
    name: 'found-004-multicast-source-behind-deep-tags',
    description:
      'A frame with a multicast Ethernet source and nine 802.1Q tags (one more than the engine walks) was passed to the stack; a group address is never a source, whatever follows it: dropped.',
    source:
      'property "no output frame has a multicast Ethernet source", counterexample as fast-check shrank it; IEEE 802.3 (a source address is never a group address), arp.reply-to-member',
    rules: ['frame.multicast-source'],
    config: 'configs/cluster3.json',
    host: 'host1',
    direction: 'inbound',
    input: toHex(
      emitEthernet({
        dst: mac('000000000000'),
        src: mac('210000000000'),
        vlans: ctags(9),
        etherType: EtherType.ARP,
        payload: emitArp({ op: 1, sha: CLUSTER, spa: '0.0.0.0', tha: mac('000000000000'), tpa: '12.12.4.101' }),
      }),
    ),
    verdict: 'drop',
    reason: 'frame.multicast-source',
  },
  {
    name: 'found-005-multicast-source-truncated-tag-outbound',
    description:
      "host2's stack sends a frame with its dedicated MAC as Ethernet source and an 802.1Q tag cut short: dropped, not emitted (the truncated-frame pass-through must not carry a multicast source to the wire).",
    source:
      'property "no output frame has a multicast Ethernet source" (the same hole as found-004, outbound); arp.reply-to-member',
    rules: ['frame.multicast-source'],
    config: 'configs/cluster3.json',
    host: 'host2',
    direction: 'outbound',
    input: 'ffffffffffff' + '03bf0c0c0466' + '81000064', // raw: the tag is cut after its TCI
    verdict: 'drop',
    reason: 'frame.multicast-source',
    malformed: true,
  },
  {
    name: 'found-006-na-reply-to-unused-multicast-table',
    description:
      "Table mode: host2's NA for 2001:db8::102 to host1's address, sent to 03-bf-00-00-01-01, a multicast MAC no member uses here (host1's table MAC is 03-bf-00-00-01-11): non-members receive it, so the TLLAO keeps the cluster MAC.",
    source:
      'property "no outbound NDP addressed to a non-member carries a dedicated MAC" (Ethernet destination reaching non-members; the live non-member test), counterexample as fast-check found it',
    rules: ['ndp.advertisement-members-only'],
    config: { ...CONFIGS.table, maskSourceMac: false },
    host: 'host2',
    direction: 'outbound',
    input: na(
      '03bf00000101',
      '20010db8000000000000000000000102',
      '20010db8000000000000000000000101',
      '20010db8000000000000000000000102',
      0x60,
      CLUSTER,
    ),
    verdict: 'pass',
    reason: 'ndp.na-seen-by-non-members',
  },
  {
    name: 'found-007-na-reply-to-forged-sllao',
    description:
      "A non-member forged an NS from host1's address with its own MAC in the SLLAO; host2's stack answers that MAC. The NA is for a member by IPv6 address but lands on the non-member's port, so its TLLAO keeps the cluster MAC.",
    source: 'property "no outbound NDP addressed to a non-member carries a dedicated MAC", the NDP form of found-001',
    rules: ['ndp.advertisement-members-only'],
    config: { ...CONFIGS.dedicated, maskSourceMac: false },
    host: 'host2',
    direction: 'outbound',
    input: na(
      '020000000009',
      '20010db8000000000000000000000102',
      '20010db8000000000000000000000101',
      '20010db8000000000000000000000102',
      0x60,
      CLUSTER,
    ),
    verdict: 'pass',
    reason: 'ndp.na-seen-by-non-members',
  },
];

// ---- tshark claims, read from the bytes ----

const colon = (h: string) => h.match(/../g)!.join(':');
const dotted = (b: Uint8Array, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

function claims(h: string): Record<string, string> {
  const b = bytesOf(h);
  const n = b.length;
  const c: Record<string, string> = { 'frame.len': String(n) };
  if (n < 14) return c;
  c['eth.dst'] = colon(macAt(b, 0));
  c['eth.src'] = colon(macAt(b, 6));
  const l2 = readL2(b, n);
  if (!l2 || l2.tags > 0) return c;
  c['eth.type'] = `0x${l2.etherType.toString(16).padStart(4, '0')}`;
  const a = readArp(b, n, l2);
  if (a) {
    c['arp.opcode'] = String(a.op);
    c['arp.src.hw_mac'] = colon(macAt(b, a.sha));
    c['arp.src.proto_ipv4'] = dotted(b, a.spa);
    c['arp.dst.hw_mac'] = colon(macAt(b, a.tha));
    c['arp.dst.proto_ipv4'] = dotted(b, a.tpa);
  }
  const ip6 = readIp6(b, n, l2);
  const m = readIcmp6(b, ip6);
  if (ip6 && m && m.end - m.icmp >= 4) {
    c['icmpv6.type'] = String(m.type);
    c['icmpv6.checksum'] = `0x${hex(b, m.icmp + 2, m.icmp + 4)}`;
    c['icmpv6.checksum.status'] = icmp6ChecksumValid(b, ip6, m) ? '1' : '0';
    if (m.type === 135 || m.type === 136)
      c['icmpv6.opt.linkaddr'] = ndLinkLayerOptions(b, m)
        .map((x) => colon(macAt(b, x.addr)))
        .join(',');
  }
  return c;
}

function vectorJson(f: Found): object {
  const output = f.verdict === 'pass' ? f.input : f.output;
  return {
    name: f.name,
    description: f.description,
    source: f.source,
    rules: f.rules,
    config: f.config,
    host: f.host,
    direction: f.direction,
    input: f.input,
    expect: { verdict: f.verdict, ...(output ? { output } : {}), reason: f.reason },
    tshark: {
      input: claims(f.input),
      ...(output ? { output: claims(output) } : {}),
      ...(f.malformed ? { malformed: true } : {}),
    },
  };
}

export function files(): Map<string, string> {
  return new Map(FOUND.map((f) => [`found/${f.name}.json`, json(vectorJson(f))]));
}
