/**
 * test/golden/frame/*.json: rules of the core that key on the Ethernet header alone, whatever the
 * protocol (docs/rules.md, Frame). Heartbeats first: a frame of EtherType 0x886F (after any tags)
 * that the local stack sends is dropped (`heartbeat.from-stack`): only the cluster layer sends
 * heartbeats, and it sends them past the engine (the shim writes them to the wire side, the kernel
 * datapath's control plane past tc egress). Inbound ones pass to the control plane
 * (`heartbeat.to-control-plane`): the shim hands them to its membership layer, the kernel datapath's
 * packet socket reads them after tc ingress.
 * Expected results are written here from the rules; the engine is never run.
 */
import { VlanTag, emitEthernet } from '../../src/frame/build';
import { EtherType } from '../../src/frame/ethernet';
import { VECTOR_KEY, VectorFields, assemble } from './heartbeat-assemble';
import { CLUSTER, CTAG, Frame, Spec, colon, render } from './kit';

const C3 = 'configs/cluster3-defaults.json';
const BCAST = 'ff-ff-ff-ff-ff-ff';

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

/** host1's heartbeat (docs/heartbeat.md), as the layer sends it, signed under the vector key. */
const host1: VectorFields = {
  hostId: 0x0c0c0465,
  name: 'host1',
  sequence: '1700000000000000',
  periodMs: 1000,
  clusterMac: CLUSTER,
  clusterIp: '12.12.4.100',
  addresses: [[4, '12.12.4.101']],
};
const HEARTBEAT = assemble(host1, VECTOR_KEY);
/** The heartbeat's own source MAC (02-00-<host ID>). */
const HB_SRC = '02-00-0c-0c-04-65';

/** A frame of EtherType 0x886F carrying `payload` behind `vlans`, with its tshark claims. */
function heartbeatFrame(src: string, payload: Uint8Array, vlans: VlanTag[] = []): Frame {
  const bytes = emitEthernet({ dst: BCAST, src, etherType: EtherType.NLB_HEARTBEAT, vlans, payload });
  const claims: Record<string, string> = {
    'frame.len': String(bytes.length),
    'eth.dst': colon(BCAST),
    'eth.src': colon(src),
    'eth.type': hex4(vlans.length ? vlans[0].tpid : EtherType.NLB_HEARTBEAT),
  };
  if (vlans.length) {
    claims['vlan.id'] = vlans.map((t) => String(t.tci & 0x0fff)).join(',');
    // tshark lists the EtherType after each tag: the next tag's TPID, then 0x886F
    claims['vlan.etype'] = vlans
      .map((_, i) => hex4(i + 1 < vlans.length ? vlans[i + 1].tpid : EtherType.NLB_HEARTBEAT))
      .join(',');
  }
  return { bytes, claims };
}

const payload = HEARTBEAT.subarray(14);
const tags = (n: number) => Array.from({ length: n }, (_, i) => CTAG(100 + i));
const SRC = 'docs/heartbeat.md (only the cluster layer sends heartbeats); IEEE 802.1Q-2018 9.4 for the tags';

export const specs: Spec[] = [
  {
    id: '001-heartbeat-from-stack-dropped',
    description:
      "host1's stack sends a heartbeat (a well-formed, signed one, as a replay of a recorded frame): dropped; it would reach the other members as if from host1's layer.",
    source: SRC,
    rules: ['heartbeat.from-stack'],
    config: C3,
    host: 'host1',
    direction: 'outbound',
    input: heartbeatFrame(HB_SRC, payload),
    verdict: 'drop',
    reason: 'heartbeat.from-stack',
  },
  {
    id: '002-heartbeat-from-stack-cluster-mac-source',
    description:
      'The same heartbeat from the cluster MAC (what a process on the host that writes raw frames sends): dropped; the rule keys on the EtherType, not the source.',
    source: SRC,
    rules: ['heartbeat.from-stack'],
    config: C3,
    host: 'host1',
    direction: 'outbound',
    input: heartbeatFrame(CLUSTER, payload),
    verdict: 'drop',
    reason: 'heartbeat.from-stack',
  },
  {
    id: '003-heartbeat-from-stack-short-dropped',
    description:
      'A frame of EtherType 0x886F from the stack with 20 bytes of payload (no heartbeat at all): dropped as well; the rule reads no payload.',
    source: SRC,
    rules: ['heartbeat.from-stack'],
    config: C3,
    host: 'host1',
    direction: 'outbound',
    input: heartbeatFrame(CLUSTER, payload.subarray(0, 20)),
    verdict: 'drop',
    reason: 'heartbeat.from-stack',
    malformed: true, // Wireshark's MS NLB dissector: too short for a heartbeat, by design
  },
  {
    id: '004-heartbeat-from-stack-8021q-dropped',
    description: 'A heartbeat from the stack behind an 802.1Q tag: dropped (the EtherType after the tags counts).',
    source: SRC,
    rules: ['heartbeat.from-stack', 'frame.vlan-tags'],
    config: C3,
    host: 'host1',
    direction: 'outbound',
    input: heartbeatFrame(HB_SRC, payload, [CTAG(100)]),
    verdict: 'drop',
    reason: 'heartbeat.from-stack',
  },
  {
    id: '005-heartbeat-from-stack-8-tags-dropped',
    description: 'A heartbeat from the stack behind 8 stacked 802.1Q tags, the most the layer walks: dropped.',
    source: SRC,
    rules: ['heartbeat.from-stack', 'frame.vlan-tags'],
    config: C3,
    host: 'host1',
    direction: 'outbound',
    input: heartbeatFrame(HB_SRC, payload, tags(8)),
    verdict: 'drop',
    reason: 'heartbeat.from-stack',
  },
  {
    id: '006-heartbeat-from-stack-9-tags-passes',
    description:
      'A heartbeat from the stack behind 9 stacked tags, one more than the layer walks: the EtherType is not read, the frame passes untouched (no receiver walks that deep either).',
    source: SRC,
    rules: ['frame.vlan-tags'],
    config: C3,
    host: 'host1',
    direction: 'outbound',
    input: heartbeatFrame(HB_SRC, payload, tags(9)),
    verdict: 'pass',
    reason: 'frame.truncated',
  },
  {
    id: '007-heartbeat-inbound-passes',
    description:
      "host1's heartbeat arriving at host2 from the wire: passes unchanged to the control plane (the shim hands it to its membership layer at the payload offset the dispatch found; the kernel datapath's packet socket reads it after tc ingress; the stack has no handler for 0x886F).",
    source: SRC,
    rules: ['heartbeat.control-plane'],
    config: C3,
    host: 'host2',
    direction: 'inbound',
    input: heartbeatFrame(HB_SRC, payload),
    verdict: 'pass',
    reason: 'heartbeat.to-control-plane',
  },
];

export function files(): Map<string, string> {
  return render('frame', specs, {});
}
