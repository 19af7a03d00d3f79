/**
 * The golden vectors of shared mode, the response synthesizer and strict sources
 * (test/golden/modes/*.json; IPv4 and IPv6) and their configs (test/golden/configs/modes-*.json).
 * Expected outputs and replies are written down from the rules and built with the Repr builders;
 * the engine is never run here. `npm run vectors` writes them.
 */
import { ArpOp } from '../../src/frame/arp';
import { EthHeaderRepr } from '../../src/frame/build';
import { NaFlag, NdOption } from '../../src/frame/icmpv6';
import {
  BCAST, CLUSTER, CTAG, DED, Frame, LL, NA, NS, ROUTER_MAC, SHARED, Spec, V4, V6, ZERO,
  arp, nd, ping4, ping6, render, solicited,
} from './kit';

const hosts = [
  { name: 'host1', addresses: [V4.h1, V6.h1] },
  { name: 'host2', addresses: [V4.h2, V6.h2] },
  { name: 'host3', addresses: [V4.h3, V6.h3] },
];
const base = { clusterMac: CLUSTER, virtualIps: [V4.vip, V6.vip], hosts };

export const CONFIGS: Record<string, object> = {
  'modes-shared.json': { ...base, mode: 'shared', sharedMac: SHARED, replyRewrite: 'sender' }, // 102, 108: step 508 writes the shared MAC
  'modes-synthesize.json': { ...base, synthesize: true },
  'modes-shared-synthesize.json': { ...base, mode: 'shared', sharedMac: SHARED, synthesize: true },
  'modes-strict.json': { ...base, strictSources: true },
  'modes-strict-synthesize.json': { ...base, strictSources: true, synthesize: true },
  'modes-shared-strict.json': { ...base, mode: 'shared', sharedMac: SHARED, strictSources: true },
};
const SH = 'configs/modes-shared.json';
const SY = 'configs/modes-synthesize.json';
const SHSY = 'configs/modes-shared-synthesize.json';
const ST = 'configs/modes-strict.json';
const STSY = 'configs/modes-strict-synthesize.json';
const SHST = 'configs/modes-shared-strict.json';

const SO = NaFlag.SOLICITED | NaFlag.OVERRIDE;
const sllao = (mac: string) => ({ type: NdOption.SOURCE_LL, mac });
const tllao = (mac: string) => ({ type: NdOption.TARGET_LL, mac });
const ALL_NODES = { ip: 'ff02::1', mac: '33-33-00-00-00-01' };

// ---- frames ----
/** ARP request from `spa` for `tpa` as a Linux stack sends it (target MAC zero), broadcast. */
const arpRequest = (spa: string, tpa: string, sha = CLUSTER, vlans?: EthHeaderRepr['vlans']): Frame =>
  arp({ dst: BCAST, src: CLUSTER, vlans }, { op: ArpOp.REQUEST, sha, spa, tha: ZERO, tpa });
const arpReply = (dst: string, sha: string, spa: string, tha: string, tpa: string): Frame => arp({ dst, src: CLUSTER }, { op: ArpOp.REPLY, sha, spa, tha, tpa });
/** A multicast NS from `src` for `target`. */
function ns(src: string, target: string, mac: string | null, o: { vlans?: EthHeaderRepr['vlans']; checksum?: 'bad' } = {}): Frame {
  const s = solicited(target);
  return nd({ dst: s.mac, src: CLUSTER, vlans: o.vlans }, { src, dst: s.ip }, { type: NS, target, options: mac ? [sllao(mac)] : [], checksum: o.checksum });
}
/** A unicast NS (neighbour unreachability detection) on Ethernet destination `dst`. */
const nsUnicast = (dst: string, src: string, target: string, mac: string): Frame =>
  nd({ dst, src: CLUSTER }, { src, dst: target }, { type: NS, target, options: [sllao(mac)] });
/** A solicited NA from `src` (its own address as target) to `dst`. */
const naSolicited = (ethDst: string, src: string, dst: string, mac: string, vlans?: EthHeaderRepr['vlans']): Frame =>
  nd({ dst: ethDst, src: CLUSTER, vlans }, { src, dst }, { type: NA, flags: SO, target: src, options: [tllao(mac)] });

export const specs: Spec[] = [
  // ---- issue 3 §3: shared-multicast mode ----
  { id: '101-shared-arp-request-from-member', description: "Shared mode: host1's ARP request (FIG. 6 row 600) at host2: sender MAC := the shared MAC 03-bf-00-00-00-01 instead of a dedicated one.",
    source: 'issue 3 §3 (ARP from members still substituted, with sharedMac); FIG. 6 row 600, step 502', rules: ['arp.request-for-this-host', 'shared.ip-filter'], config: SH, host: 'host2', direction: 'inbound',
    input: arpRequest(V4.h1, V4.h2), verdict: 'rewrite', output: arpRequest(V4.h1, V4.h2, SHARED), reason: 'arp.step502' },
  { id: '102-shared-arp-reply-to-member', description: "Shared mode: host2's reply to host1 (to the shared MAC it learned): sender MAC := shared MAC, target MAC := cluster MAC.",
    source: 'issue 3 §3; FIG. 6 rows 620 to 630 (step 508)', rules: ['arp.reply-to-member', 'shared.ip-filter'], config: SH, host: 'host2', direction: 'outbound',
    input: arpReply(SHARED, CLUSTER, V4.h2, SHARED, V4.h1), verdict: 'rewrite', output: arpReply(SHARED, SHARED, V4.h2, CLUSTER, V4.h1), reason: 'arp.step508' },
  { id: '103-shared-arp-reply-delivered-to-target', description: "Shared mode: host2's reply on the shared MAC reaches host1, its ARP target: destination := cluster MAC, payload unchanged (FIG. 6 row 640 with the shared MAC).",
    source: 'issue 3 §3 (delivered when the ARP target IP is this host\'s); step 510', rules: ['shared.ip-filter'], config: SH, host: 'host1', direction: 'inbound',
    input: arpReply(SHARED, SHARED, V4.h2, CLUSTER, V4.h1), verdict: 'rewrite', output: arpReply(CLUSTER, SHARED, V4.h2, CLUSTER, V4.h1), reason: 'shared.to-cluster' },
  { id: '104-shared-arp-reply-for-other-dropped', description: 'Shared mode: the same reply reaching host3 (the shared MAC is multicast: every member gets it): its ARP target is not host3, dropped.',
    source: 'issue 3 §3 (otherwise dropped with a reason)', rules: ['shared.ip-filter'], config: SH, host: 'host3', direction: 'inbound',
    input: arpReply(SHARED, SHARED, V4.h2, CLUSTER, V4.h1), verdict: 'drop', reason: 'shared.not-for-this-host' },
  { id: '105-shared-ipv4-data-delivered', description: "Shared mode: host1's echo to host2 on the shared MAC, at host2: destination := cluster MAC.",
    source: 'issue 3 §3 (IPv4 destination is this host\'s)', rules: ['shared.ip-filter'], config: SH, host: 'host2', direction: 'inbound',
    input: ping4({ dst: SHARED, src: CLUSTER }, V4.h1, V4.h2), verdict: 'rewrite', output: ping4({ dst: CLUSTER, src: CLUSTER }, V4.h1, V4.h2), reason: 'shared.to-cluster' },
  { id: '106-shared-ipv4-data-for-other-dropped', description: 'Shared mode: the same echo at host3: dropped.',
    source: 'issue 3 §3', rules: ['shared.ip-filter'], config: SH, host: 'host3', direction: 'inbound',
    input: ping4({ dst: SHARED, src: CLUSTER }, V4.h1, V4.h2), verdict: 'drop', reason: 'shared.not-for-this-host' },
  { id: '107-shared-ns-from-member', description: "Shared mode: host1's multicast NS for host2: SLLAO := shared MAC, checksum right.",
    source: 'issue 3 §3 (NDP from members still substituted, with sharedMac)', rules: ['ndp.solicitation-for-this-host', 'shared.ip-filter'], config: SH, host: 'host2', direction: 'inbound',
    input: ns(V6.h1, V6.h2, CLUSTER), verdict: 'rewrite', output: ns(V6.h1, V6.h2, SHARED), reason: 'ndp.step502' },
  { id: '108-shared-na-to-member', description: "Shared mode: host2's solicited NA to host1: TLLAO := shared MAC.",
    source: 'issue 3 §3; step 508 analogue', rules: ['ndp.advertisement-to-member', 'shared.ip-filter'], config: SH, host: 'host2', direction: 'outbound',
    input: naSolicited(SHARED, V6.h2, V6.h1, CLUSTER), verdict: 'rewrite', output: naSolicited(SHARED, V6.h2, V6.h1, SHARED), reason: 'ndp.step508' },
  { id: '109-shared-na-delivered-to-destination', description: "Shared mode: host2's NA on the shared MAC at host1 (IPv6 destination): destination := cluster MAC, TLLAO kept.",
    source: 'issue 3 §3 (IPv6 destination is this host\'s)', rules: ['shared.ip-filter'], config: SH, host: 'host1', direction: 'inbound',
    input: naSolicited(SHARED, V6.h2, V6.h1, SHARED), verdict: 'rewrite', output: naSolicited(CLUSTER, V6.h2, V6.h1, SHARED), reason: 'shared.to-cluster' },
  { id: '110-shared-na-for-other-dropped', description: 'Shared mode: the same NA at host3: dropped.',
    source: 'issue 3 §3', rules: ['shared.ip-filter'], config: SH, host: 'host3', direction: 'inbound',
    input: naSolicited(SHARED, V6.h2, V6.h1, SHARED), verdict: 'drop', reason: 'shared.not-for-this-host' },
  { id: '111-shared-ns-unicast-for-target', description: "Shared mode: host1's unicast NS on the shared MAC whose target is host2: destination := cluster MAC and SLLAO := shared MAC.",
    source: 'issue 3 §3 (the NS target decides); RFC 4861 7.3.1', rules: ['ndp.solicitation-for-this-host', 'shared.ip-filter'], config: SH, host: 'host2', direction: 'inbound',
    input: nsUnicast(SHARED, V6.h1, V6.h2, CLUSTER), verdict: 'rewrite', output: nsUnicast(CLUSTER, V6.h1, V6.h2, SHARED), reason: 'ndp.step502' },
  { id: '112-shared-ns-unicast-for-other-dropped', description: 'Shared mode: the same NS at host3 (target host2): dropped before any rewrite.',
    source: 'issue 3 §3', rules: ['shared.ip-filter'], config: SH, host: 'host3', direction: 'inbound',
    input: nsUnicast(SHARED, V6.h1, V6.h2, CLUSTER), verdict: 'drop', reason: 'shared.not-for-this-host' },
  { id: '113-shared-ipv6-data-delivered', description: "Shared mode: host1's IPv6 echo to host2 on the shared MAC: destination := cluster MAC.",
    source: 'issue 3 §3 (IPv6 destination is this host\'s)', rules: ['shared.ip-filter'], config: SH, host: 'host2', direction: 'inbound',
    input: ping6({ dst: SHARED, src: CLUSTER }, V6.h1, V6.h2), verdict: 'rewrite', output: ping6({ dst: CLUSTER, src: CLUSTER }, V6.h1, V6.h2), reason: 'shared.to-cluster' },
  { id: '114-shared-ipv6-data-for-other-dropped', description: 'Shared mode: the same IPv6 echo at host3: dropped.',
    source: 'issue 3 §3', rules: ['shared.ip-filter'], config: SH, host: 'host3', direction: 'inbound',
    input: ping6({ dst: SHARED, src: CLUSTER }, V6.h1, V6.h2), verdict: 'drop', reason: 'shared.not-for-this-host' },
  { id: '115-shared-ipv6-truncated-dropped', description: 'Shared mode: a frame on the shared MAC with EtherType IPv6 and only 20 bytes of header: no destination to read, dropped.',
    source: 'issue 3 §3 (otherwise dropped with a reason)', rules: ['shared.ip-filter'], config: SH, host: 'host2', direction: 'inbound',
    input: { bytes: ping6({ dst: SHARED, src: CLUSTER }, V6.h1, V6.h2).bytes.subarray(0, 34), claims: { 'frame.len': '34', 'eth.dst': '03:bf:00:00:00:01', 'eth.type': '0x86dd', 'ipv6.dst': '' } },
    verdict: 'drop', reason: 'shared.undetermined', malformed: true },
  { id: '116-shared-dedicated-mac-is-nobodys', description: "Shared mode has no dedicated MACs: an echo to what would be host2's dedicated MAC is not touched.",
    source: 'issue 3 §3 (every member uses the one shared MAC in place of a dedicated one)', rules: ['data.unchanged', 'shared.ip-filter'], config: SH, host: 'host2', direction: 'inbound',
    input: ping6({ dst: DED.h2, src: CLUSTER }, V6.h1, V6.h2), verdict: 'pass' },
  { id: '117-shared-non-member-ns-passes', description: "Shared mode: the router's NS for host2: unchanged.",
    source: 'issue 3 §3 and §1 (non-members pass)', rules: ['ndp.non-member', 'shared.ip-filter'], config: SH, host: 'host2', direction: 'inbound',
    input: nd({ dst: solicited(V6.h2).mac, src: ROUTER_MAC }, { src: V6.router, dst: solicited(V6.h2).ip }, { type: NS, target: V6.h2, options: [sllao(ROUTER_MAC)] }), verdict: 'pass', reason: 'ndp.non-member' },

  // ---- issue 3 §4: response synthesizer ----
  { id: '201-synth-arp-request-answered', description: "Synthesizer: host1's stack asks for host2 (row 600); host1's layer answers it with FIG. 6 row 640 (cluster MAC in both Ethernet fields and the target MAC, host2's dedicated MAC as sender), nothing goes to the wire.",
    source: 'issue 3 §4; patent: response synthesizer ("a response packet, of the type depicted in row 640")', rules: ['synthesizer.answer-locally'], config: SY, host: 'host1', direction: 'outbound',
    input: arpRequest(V4.h1, V4.h2), verdict: 'reply', reply: arpReply(CLUSTER, DED.v4h2, V4.h2, CLUSTER, V4.h1), reason: 'arp.synthesized' },
  { id: '202-synth-arp-probe-not-answered', description: "Synthesizer: host1's RFC 5227 probe for host2's address (sender IP 0.0.0.0) is not answered: it goes to the wire unchanged.",
    source: 'issue 3 §4 (probes not answered); RFC 5227 2.1.1', rules: ['arp.outbound-keeps-cluster-mac', 'synthesizer.answer-locally'], config: SY, host: 'host1', direction: 'outbound',
    input: arpRequest('0.0.0.0', V4.h2), verdict: 'pass' },
  { id: '203-synth-arp-request-for-non-member', description: "Synthesizer: host1's request for the router is not a member's address: unchanged.",
    source: 'issue 3 §4 (only members\' addresses)', rules: ['arp.outbound-keeps-cluster-mac', 'synthesizer.answer-locally'], config: SY, host: 'host1', direction: 'outbound',
    input: arpRequest(V4.h1, V4.router), verdict: 'pass' },
  { id: '204-synth-arp-request-for-virtual-ip', description: "Synthesizer: a request for the virtual IP is not answered (the virtual IP is not a member's dedicated address).",
    source: 'issue 3 §4', rules: ['arp.outbound-keeps-cluster-mac', 'synthesizer.answer-locally'], config: SY, host: 'host1', direction: 'outbound',
    input: arpRequest(V4.h1, V4.vip), verdict: 'pass' },
  { id: '205-synth-ns-answered', description: "Synthesizer: host1's stack solicits host2; host1's layer answers with a solicited NA (S=1, O=1, R=0, hop limit 255) from 2001:db8::102 to 2001:db8::101, TLLAO 03-bf-00-00-01-02, cluster MAC both ways, valid checksum.",
    source: 'issue 3 §4 (NA form); RFC 4861 7.2.4', rules: ['synthesizer.answer-locally'], config: SY, host: 'host1', direction: 'outbound',
    input: ns(V6.h1, V6.h2, CLUSTER), verdict: 'reply', reply: naSolicited(CLUSTER, V6.h2, V6.h1, DED.h2), reason: 'ndp.synthesized' },
  { id: '206-synth-ns-from-link-local', description: "Synthesizer: an NS from host1's link-local fe80::101 is answered to fe80::101 (the NA goes to the NS's source).",
    source: 'issue 3 §4 (destination = the NS\'s source)', rules: ['synthesizer.answer-locally'], config: SY, host: 'host1', direction: 'outbound',
    input: ns(LL.h1, V6.h2, CLUSTER), verdict: 'reply', reply: naSolicited(CLUSTER, V6.h2, LL.h1, DED.h2), reason: 'ndp.synthesized' },
  { id: '207-synth-dad-ns-not-answered', description: "Synthesizer: host1's DAD NS (source ::) for a member's address is never answered: it goes to the wire unchanged.",
    source: 'issue 3 §4 (DAD NS never answered); RFC 4862 5.4', rules: ['ndp.dad', 'synthesizer.answer-locally'], config: SY, host: 'host1', direction: 'outbound',
    input: ns('::', V6.h2, null), verdict: 'pass', reason: 'ndp.dad' },
  { id: '208-synth-ns-for-non-member', description: "Synthesizer: an NS for the router: unchanged.",
    source: 'issue 3 §4 (only members\' addresses)', rules: ['ndp.outbound-keeps-cluster-mac', 'synthesizer.answer-locally'], config: SY, host: 'host1', direction: 'outbound',
    input: ns(V6.h1, V6.router, CLUSTER), verdict: 'pass' },
  { id: '209-synth-ns-8021q', description: 'Synthesizer: an 802.1Q-tagged NS (VLAN 100) is answered with an NA in the same tag.',
    source: 'issue 3 §4; issue 2 rule 6 (tagged frames)', rules: ['synthesizer.answer-locally'], config: SY, host: 'host1', direction: 'outbound',
    input: ns(V6.h1, V6.h2, CLUSTER, { vlans: [CTAG(100)] }), verdict: 'reply', reply: naSolicited(CLUSTER, V6.h2, V6.h1, DED.h2, [CTAG(100)]), reason: 'ndp.synthesized' },
  { id: '210-synth-invalid-ns-not-answered', description: 'Synthesizer: an NS with a bad checksum is not a valid NS (RFC 4861 7.1.1): not answered, unchanged.',
    source: 'issue 3 §4 and §1 (validation)', rules: ['ndp.validation', 'synthesizer.answer-locally'], config: SY, host: 'host1', direction: 'outbound',
    input: ns(V6.h1, V6.h2, CLUSTER, { checksum: 'bad' }), verdict: 'pass', reason: 'ndp.checksum' },
  { id: '211-synth-shared-ns', description: 'Synthesizer in shared mode: the NA carries the shared MAC as TLLAO.',
    source: 'issue 3 §3 and §4', rules: ['synthesizer.answer-locally', 'shared.ip-filter'], config: SHSY, host: 'host1', direction: 'outbound',
    input: ns(V6.h1, V6.h2, CLUSTER), verdict: 'reply', reply: naSolicited(CLUSTER, V6.h2, V6.h1, SHARED), reason: 'ndp.synthesized' },
  { id: '212-synth-shared-arp', description: 'Synthesizer in shared mode: the ARP reply carries the shared MAC as sender MAC.',
    source: 'issue 3 §3 and §4', rules: ['synthesizer.answer-locally', 'shared.ip-filter'], config: SHSY, host: 'host1', direction: 'outbound',
    input: arpRequest(V4.h1, V4.h2), verdict: 'reply', reply: arpReply(CLUSTER, SHARED, V4.h2, CLUSTER, V4.h1), reason: 'arp.synthesized' },

  // ---- issue 3 §5: strict sources ----
  { id: '301-strict-ipv4-data-before-discovery-dropped', description: "Strict sources: host1's echo on host2's dedicated MAC before any ARP exchange between them: dropped.",
    source: 'issue 3 §5', rules: ['strict.discovery-first'], config: ST, host: 'host2', direction: 'inbound',
    input: ping4({ dst: DED.v4h2, src: CLUSTER }, V4.h1, V4.h2), verdict: 'drop', reason: 'strict.no-discovery' },
  { id: '302-strict-ipv4-data-after-arp-exchange', description: "Strict sources: after host1's request (row 600 in) and host2's reply (row 620 out, step 508), the same echo is delivered.",
    source: 'issue 3 §5; FIG. 6 rows 600 and 620', rules: ['data.dedicated-to-cluster', 'strict.discovery-first'], config: ST, host: 'host2', direction: 'inbound',
    before: [{ direction: 'inbound', frame: arpRequest(V4.h1, V4.h2) }, { direction: 'outbound', frame: arpReply(DED.v4h1, CLUSTER, V4.h2, DED.v4h1, V4.h1) }],
    input: ping4({ dst: DED.v4h2, src: CLUSTER }, V4.h1, V4.h2), verdict: 'rewrite', output: ping4({ dst: CLUSTER, src: CLUSTER }, V4.h1, V4.h2), reason: 'data.dedicated-to-cluster' },
  { id: '303-strict-ipv4-data-after-own-request-answered', description: "Strict sources: host2 asked host1 and got host1's reply on its dedicated MAC (row 630 form, step 510): host1's echo is then delivered.",
    source: 'issue 3 §5; FIG. 6 rows 630 to 640', rules: ['data.dedicated-to-cluster', 'strict.discovery-first'], config: ST, host: 'host2', direction: 'inbound',
    before: [{ direction: 'outbound', frame: arpRequest(V4.h2, V4.h1) }, { direction: 'inbound', frame: arpReply(DED.v4h2, DED.v4h1, V4.h1, CLUSTER, V4.h2) }],
    input: ping4({ dst: DED.v4h2, src: CLUSTER }, V4.h1, V4.h2), verdict: 'rewrite', output: ping4({ dst: CLUSTER, src: CLUSTER }, V4.h1, V4.h2), reason: 'data.dedicated-to-cluster' },
  { id: '304-strict-arp-never-dropped', description: "Strict sources: host1's ARP reply on host2's dedicated MAC with no exchange yet is not dropped (discovery is exempt): destination := cluster MAC.",
    source: 'issue 3 §5 (ARP/NDP never dropped by this rule)', rules: ['data.dedicated-to-cluster', 'strict.discovery-first'], config: ST, host: 'host2', direction: 'inbound',
    input: arpReply(DED.v4h2, DED.v4h1, V4.h1, CLUSTER, V4.h2), verdict: 'rewrite', output: arpReply(CLUSTER, DED.v4h1, V4.h1, CLUSTER, V4.h2), reason: 'data.dedicated-to-cluster' },
  { id: '305-strict-ipv6-data-before-discovery-dropped', description: "Strict sources: host1's IPv6 echo on host2's dedicated MAC before any NS/NA exchange: dropped.",
    source: 'issue 3 §5', rules: ['strict.discovery-first'], config: ST, host: 'host2', direction: 'inbound',
    input: ping6({ dst: DED.h2, src: CLUSTER }, V6.h1, V6.h2), verdict: 'drop', reason: 'strict.no-discovery' },
  { id: '306-strict-ipv6-data-after-ns-na-exchange', description: "Strict sources: after host1's NS (in) and host2's NA to host1 (out, step 508 analogue), host1's IPv6 echo is delivered.",
    source: 'issue 3 §5', rules: ['data.dedicated-to-cluster', 'strict.discovery-first'], config: ST, host: 'host2', direction: 'inbound',
    before: [{ direction: 'inbound', frame: ns(V6.h1, V6.h2, CLUSTER) }, { direction: 'outbound', frame: naSolicited(DED.h1, V6.h2, V6.h1, CLUSTER) }],
    input: ping6({ dst: DED.h2, src: CLUSTER }, V6.h1, V6.h2), verdict: 'rewrite', output: ping6({ dst: CLUSTER, src: CLUSTER }, V6.h1, V6.h2), reason: 'data.dedicated-to-cluster' },
  { id: '307-strict-ipv6-data-after-own-ns-answered', description: "Strict sources: host2 solicited host1 and got host1's solicited NA with host1's dedicated MAC (step 510 analogue): host1's echo is delivered.",
    source: 'issue 3 §5', rules: ['data.dedicated-to-cluster', 'strict.discovery-first'], config: ST, host: 'host2', direction: 'inbound',
    before: [{ direction: 'outbound', frame: ns(V6.h2, V6.h1, CLUSTER) }, { direction: 'inbound', frame: naSolicited(DED.h2, V6.h1, V6.h2, DED.h1) }],
    input: ping6({ dst: DED.h2, src: CLUSTER }, V6.h1, V6.h2), verdict: 'rewrite', output: ping6({ dst: CLUSTER, src: CLUSTER }, V6.h1, V6.h2), reason: 'data.dedicated-to-cluster' },
  { id: '308-strict-ndp-never-dropped', description: "Strict sources: host1's unicast NS on host2's dedicated MAC with no exchange yet: not dropped; destination := cluster MAC, SLLAO := host1's dedicated MAC.",
    source: 'issue 3 §5 (ARP/NDP never dropped by this rule)', rules: ['ndp.solicitation-for-this-host', 'strict.discovery-first'], config: ST, host: 'host2', direction: 'inbound',
    input: nsUnicast(DED.h2, V6.h1, V6.h2, CLUSTER), verdict: 'rewrite', output: nsUnicast(CLUSTER, V6.h1, V6.h2, DED.h1), reason: 'ndp.step502' },
  { id: '309-strict-non-member-sender-dropped', description: "Strict sources: an echo from the router's address on host2's dedicated MAC: the sender is not a member, dropped.",
    source: 'issue 3 §5', rules: ['strict.discovery-first'], config: ST, host: 'host2', direction: 'inbound',
    input: ping6({ dst: DED.h2, src: ROUTER_MAC }, V6.router, V6.h2), verdict: 'drop', reason: 'strict.unknown-sender' },
  { id: '310-strict-exchange-is-per-member', description: "Strict sources: host2 completed an exchange with host1 only; host3's echo is still dropped.",
    source: 'issue 3 §5 (per member)', rules: ['strict.discovery-first'], config: ST, host: 'host2', direction: 'inbound',
    before: [{ direction: 'inbound', frame: ns(V6.h1, V6.h2, CLUSTER) }, { direction: 'outbound', frame: naSolicited(DED.h1, V6.h2, V6.h1, CLUSTER) }],
    input: ping6({ dst: DED.h2, src: CLUSTER }, V6.h3, V6.h2), verdict: 'drop', reason: 'strict.no-discovery' },
  { id: '311-strict-cluster-mac-traffic-untouched', description: "Strict sources only filters intracluster frames: host1's echo on the cluster MAC (not intracluster) passes.",
    source: 'issue 3 §5 (destination = a dedicated MAC or sharedMac)', rules: ['data.unchanged', 'strict.discovery-first'], config: ST, host: 'host2', direction: 'inbound',
    input: ping6({ dst: CLUSTER, src: CLUSTER }, V6.h1, V6.h2), verdict: 'pass' },
  { id: '312-strict-unsolicited-na-is-no-exchange', description: "Strict sources: host1's unsolicited NA (rewritten by host2's layer) is not an exchange with host2: host1's echo is still dropped.",
    source: 'issue 3 §5; docs/ipv6.md (when a member counts as discovered)', rules: ['strict.discovery-first'], config: ST, host: 'host2', direction: 'inbound',
    before: [{ direction: 'inbound', frame: nd({ dst: ALL_NODES.mac, src: CLUSTER }, { src: V6.h1, dst: ALL_NODES.ip }, { type: NA, flags: NaFlag.OVERRIDE, target: V6.h1, options: [tllao(CLUSTER)] }) }],
    input: ping6({ dst: DED.h2, src: CLUSTER }, V6.h1, V6.h2), verdict: 'drop', reason: 'strict.no-discovery' },
  { id: '313-strict-after-synthesized-na', description: "Strict sources with the synthesizer: host2's NS for host1 answered locally counts as the exchange; host1's echo is delivered.",
    source: 'issue 3 §4 and §5; docs/ipv6.md', rules: ['data.dedicated-to-cluster', 'strict.discovery-first', 'synthesizer.answer-locally'], config: STSY, host: 'host2', direction: 'inbound',
    before: [{ direction: 'outbound', frame: ns(V6.h2, V6.h1, CLUSTER) }],
    input: ping6({ dst: DED.h2, src: CLUSTER }, V6.h1, V6.h2), verdict: 'rewrite', output: ping6({ dst: CLUSTER, src: CLUSTER }, V6.h1, V6.h2), reason: 'data.dedicated-to-cluster' },
  { id: '314-strict-after-synthesized-arp', description: "Strict sources with the synthesizer: host2's ARP request for host1 answered locally counts as the exchange; host1's IPv4 echo is delivered.",
    source: 'issue 3 §4 and §5', rules: ['data.dedicated-to-cluster', 'strict.discovery-first', 'synthesizer.answer-locally'], config: STSY, host: 'host2', direction: 'inbound',
    before: [{ direction: 'outbound', frame: arpRequest(V4.h2, V4.h1) }],
    input: ping4({ dst: DED.v4h2, src: CLUSTER }, V4.h1, V4.h2), verdict: 'rewrite', output: ping4({ dst: CLUSTER, src: CLUSTER }, V4.h1, V4.h2), reason: 'data.dedicated-to-cluster' },
  { id: '315-strict-shared-before-discovery-dropped', description: "Strict sources in shared mode: host1's echo on the shared MAC for host2, no exchange yet: dropped.",
    source: 'issue 3 §3 and §5', rules: ['strict.discovery-first', 'shared.ip-filter'], config: SHST, host: 'host2', direction: 'inbound',
    input: ping6({ dst: SHARED, src: CLUSTER }, V6.h1, V6.h2), verdict: 'drop', reason: 'strict.no-discovery' },
  { id: '316-strict-shared-after-exchange', description: 'Strict sources in shared mode: after the NS/NA exchange the same echo is delivered.',
    source: 'issue 3 §3 and §5', rules: ['shared.ip-filter', 'strict.discovery-first'], config: SHST, host: 'host2', direction: 'inbound',
    before: [{ direction: 'inbound', frame: ns(V6.h1, V6.h2, CLUSTER) }, { direction: 'outbound', frame: naSolicited(SHARED, V6.h2, V6.h1, CLUSTER) }],
    input: ping6({ dst: SHARED, src: CLUSTER }, V6.h1, V6.h2), verdict: 'rewrite', output: ping6({ dst: CLUSTER, src: CLUSTER }, V6.h1, V6.h2), reason: 'shared.to-cluster' },
];

export function files(): Map<string, string> {
  return render('modes', specs, CONFIGS);
}

