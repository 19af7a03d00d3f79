/**
 * test/golden/limits/*.json: frames on both sides of every bound the kernel datapath's verifier
 * forces (docs/rules.md, Limits), so the engine and the BPF programs are held to the same answer at
 * the edge: the tag stack (8 walked, a tag the receive path moves into the skb's metadata included;
 * one more passes untouched) and the ND option walk (no bound below what a frame holds). Expected
 * bytes come from the rules, written out here; the engine is never run.
 */
import { VlanTag } from '../../src/frame/build';
import { EtherType } from '../../src/frame/ethernet';
import { ArpOp } from '../../adapters/arp/arp';
import { NdOptionRepr } from '../../adapters/ndp/repr';
import { BCAST, CLUSTER, CTAG, DED, Frame, NS, Spec, V6, ZERO, arp, nd, patch, render, solicited } from './kit';

const FIG6 = 'configs/fig6.json';
const D = 'configs/ipv6-dedicated.json';
const H1 = '12.12.4.101';
const H2 = '12.12.4.102';
const STAG = (vid: number): VlanTag => ({ tpid: EtherType.QINQ, tci: vid });
const OLD_STAG = (vid: number): VlanTag => ({ tpid: EtherType.QINQ_OLD, tci: vid });
const ctags = (n: number, first?: VlanTag): VlanTag[] => [
  ...(first ? [first] : []),
  ...Array.from({ length: first ? n - 1 : n }, (_, i) => CTAG(100 + i)),
];

/** tshark reads an 802.1ad S-tag as ieee8021ad.id, the 802.1Q tags after it as vlan.id. */
function tagClaims(f: Frame, vlans: VlanTag[]): Frame {
  const stags = vlans.filter((t) => t.tpid === EtherType.QINQ);
  if (stags.length === 0) return f;
  const rest = vlans.filter((t) => t.tpid !== EtherType.QINQ);
  return patch(f, 0, [], {
    'ieee8021ad.id': stags.map((t) => String(t.tci & 0x0fff)).join(','),
    'vlan.id': rest.map((t) => String(t.tci & 0x0fff)).join(','),
  });
}

/** FIG. 6 row 600 (host1 asks for host2) with `vlans`, and row 610 (host2's layer wrote host1's dedicated MAC). */
const row600 = (vlans: VlanTag[]): Frame =>
  tagClaims(
    arp({ dst: BCAST, src: CLUSTER, vlans }, { op: ArpOp.REQUEST, sha: CLUSTER, spa: H1, tha: ZERO, tpa: H2 }),
    vlans,
  );
const row610 = (vlans: VlanTag[]): Frame =>
  tagClaims(
    arp({ dst: BCAST, src: CLUSTER, vlans }, { op: ArpOp.REQUEST, sha: DED.v4h1, spa: H1, tha: ZERO, tpa: H2 }),
    vlans,
  );

/** host1's NS for host2 with `filler` unknown options (type 253, RFC 4727 experimental) before its SLLAO. */
function nsWithOptions(filler: number, sllao: string): Frame {
  const options: NdOptionRepr[] = [];
  for (let i = 0; i < filler; i++) options.push({ type: 253, body: Uint8Array.of(i & 0xff, 0, 0, 0, 0, 0) });
  options.push({ type: 1, mac: sllao });
  const sn = solicited(V6.h2);
  return nd({ dst: sn.mac, src: CLUSTER }, { src: V6.h1, dst: sn.ip }, { type: NS, target: V6.h2, options });
}

const SRC =
  'IEEE 802.1Q-2018 9.4 and IEEE 802.1ad (stacked tags); the kernel receive path moves the outer 802.1Q or 802.1ad tag into the skb metadata before tc ingress';

export const specs: Spec[] = [
  {
    id: '001-tags-8-inbound',
    description:
      'Row 600 behind 8 stacked 802.1Q tags, the most the layer walks: rewritten to row 610, tags kept. On the kernel datapath the outer tag is in the skb metadata and 7 are in the packet.',
    source: SRC,
    rules: ['frame.vlan-tags', 'arp.request-for-this-host'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: row600(ctags(8)),
    verdict: 'rewrite',
    output: row610(ctags(8)),
    reason: 'arp.step502',
  },
  {
    id: '002-tags-9-inbound',
    description: 'Row 600 behind 9 stacked 802.1Q tags, one more than the layer walks: passes untouched.',
    source: SRC,
    rules: ['frame.vlan-tags'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: row600(ctags(9)),
    verdict: 'pass',
    reason: 'frame.truncated',
  },
  {
    id: '003-tags-8-qinq-inbound',
    description: 'Row 600 behind an 802.1ad S-tag and 7 802.1Q C-tags (8 in all): rewritten to row 610, tags kept.',
    source: SRC,
    rules: ['frame.vlan-tags', 'arp.request-for-this-host'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: row600(ctags(8, STAG(10))),
    verdict: 'rewrite',
    output: row610(ctags(8, STAG(10))),
    reason: 'arp.step502',
  },
  {
    id: '004-tags-9-qinq-inbound',
    description: 'Row 600 behind an 802.1ad S-tag and 8 802.1Q C-tags (9 in all): passes untouched.',
    source: SRC,
    rules: ['frame.vlan-tags'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: row600(ctags(9, STAG(10))),
    verdict: 'pass',
    reason: 'frame.truncated',
  },
  {
    id: '005-tags-8-old-stag-inbound',
    description:
      'Row 600 behind a pre-standard 0x9100 S-tag and 7 802.1Q tags (8 in all; the receive path leaves a 0x9100 tag in the packet): rewritten to row 610.',
    source: SRC,
    rules: ['frame.vlan-tags', 'arp.request-for-this-host'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: row600(ctags(8, OLD_STAG(10))),
    verdict: 'rewrite',
    output: row610(ctags(8, OLD_STAG(10))),
    reason: 'arp.step502',
  },
  {
    id: '006-tags-9-old-stag-inbound',
    description: 'Row 600 behind a 0x9100 S-tag and 8 802.1Q tags (9 in all): passes untouched.',
    source: SRC,
    rules: ['frame.vlan-tags'],
    config: FIG6,
    host: 'host2',
    direction: 'inbound',
    input: row600(ctags(9, OLD_STAG(10))),
    verdict: 'pass',
    reason: 'frame.truncated',
  },
  {
    id: '007-tags-8-outbound',
    description:
      "host1's own request behind 8 802.1Q tags going out (on egress every tag is in the packet): unchanged, its sender MAC stays the cluster MAC.",
    source: SRC,
    rules: ['frame.vlan-tags', 'arp.outbound-keeps-cluster-mac'],
    config: FIG6,
    host: 'host1',
    direction: 'outbound',
    input: row600(ctags(8)),
    verdict: 'pass',
  },
  {
    id: '008-tags-9-outbound',
    description: "host1's own request behind 9 802.1Q tags going out: passes untouched.",
    source: SRC,
    rules: ['frame.vlan-tags'],
    config: FIG6,
    host: 'host1',
    direction: 'outbound',
    input: row600(ctags(9)),
    verdict: 'pass',
    reason: 'frame.truncated',
  },
  {
    id: '101-ns-150-options',
    description:
      "host1's NS for host2 with 150 unknown options before its SLLAO (a 1,262-byte message): every option is walked, the SLLAO gets host1's dedicated MAC, checksum updated (RFC 1624).",
    source:
      'RFC 4861 4.6 (options), 7.1.1 (every option has a length above 0 and lies inside the message); the kernel walks options under bpf_loop with a bound above any IPv6 payload',
    rules: ['ndp.solicitation-for-this-host', 'ndp.validation', 'ndp.checksum-update'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: nsWithOptions(150, CLUSTER),
    verdict: 'rewrite',
    output: nsWithOptions(150, DED.h1),
    reason: 'ndp.step502',
  },
  {
    id: '102-ns-178-options',
    description:
      "host1's NS for host2 with 178 unknown options before its SLLAO, filling a 1,500-byte IPv6 packet: the SLLAO, the last option, gets host1's dedicated MAC.",
    source: 'RFC 4861 4.6 and 7.1.1; RFC 2464 (1,500-byte Ethernet MTU)',
    rules: ['ndp.solicitation-for-this-host', 'ndp.validation', 'ndp.checksum-update'],
    config: D,
    host: 'host2',
    direction: 'inbound',
    input: nsWithOptions(178, CLUSTER),
    verdict: 'rewrite',
    output: nsWithOptions(178, DED.h1),
    reason: 'ndp.step502',
  },
];

export function files(): Map<string, string> {
  return render('limits', specs, {});
}
