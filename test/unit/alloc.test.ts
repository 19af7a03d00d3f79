import { expectNoAllocationPerFrame } from './alloc-measure';
import {
  arpFrame,
  ArpOp,
  createContainer,
  Direction,
  Engine,
  EngineFactory,
  EtherType,
  emitEthernet,
  parseConfig,
  Verdict,
} from '../../src';

/**
 * "A frame-processing call allocates nothing": after warm-up, N calls per scenario run with no
 * garbage collection at all and the used heap grows by less than one byte per 100 frames. One
 * 16-byte object per frame would show as >= N*16 bytes of growth or as scavenges, in every round.
 */
const CLUSTER = '02-bf-aa-bb-cc-dd';
const H1 = '03-bf-0c-0c-04-65';
const H2 = '03-bf-0c-0c-04-66';
const hosts = [
  { name: 'host1', addresses: ['12.12.4.101'] },
  { name: 'host2', addresses: ['12.12.4.102'] },
  { name: 'host3', addresses: ['12.12.4.103'] },
];
const factory = createContainer().get(EngineFactory);
const dedicated2 = factory.create(parseConfig({ clusterMac: CLUSTER, hosts }), 'host2');
const synth1 = factory.create(
  parseConfig({ clusterMac: CLUSTER, hosts, synthesize: true, strictSources: true }),
  'host1',
);
const shared2 = factory.create(
  parseConfig({ clusterMac: CLUSTER, hosts, mode: 'shared', sharedMac: '03-bf-00-00-00-01' }),
  'host2',
);

function ipv4(src: number[], dst: number[]): Uint8Array {
  const p = new Uint8Array(40);
  p[0] = 0x45;
  p[3] = 40;
  p[8] = 64;
  p[9] = 6;
  p.set(src, 12);
  p.set(dst, 16);
  return p;
}
const scenarios: [string, Engine, Direction, Uint8Array, Verdict][] = [
  [
    'step 502 ARP request rewrite',
    dedicated2,
    Direction.Inbound,
    arpFrame(
      { dst: 'ff-ff-ff-ff-ff-ff', src: CLUSTER },
      { op: ArpOp.REQUEST, sha: CLUSTER, spa: '12.12.4.101', tha: '00-00-00-00-00-00', tpa: '12.12.4.102' },
    ),
    Verdict.Rewrite,
  ],
  [
    'step 508 ARP reply rewrite',
    dedicated2,
    Direction.Outbound,
    arpFrame(
      { dst: H1, src: CLUSTER },
      { op: ArpOp.REPLY, sha: CLUSTER, spa: '12.12.4.102', tha: H1, tpa: '12.12.4.101' },
    ),
    Verdict.Rewrite,
  ],
  [
    'step 702 data to dedicated MAC, QinQ',
    dedicated2,
    Direction.Inbound,
    emitEthernet({
      dst: H2,
      src: CLUSTER,
      vlans: [
        { tpid: 0x88a8, tci: 5 },
        { tpid: 0x8100, tci: 7 },
      ],
      etherType: EtherType.IPV4,
      payload: ipv4([12, 12, 4, 101], [12, 12, 4, 102]),
    }),
    Verdict.Rewrite,
  ],
  [
    'data to another member: drop',
    dedicated2,
    Direction.Inbound,
    emitEthernet({
      dst: H1,
      src: CLUSTER,
      etherType: EtherType.IPV4,
      payload: ipv4([12, 12, 4, 103], [12, 12, 4, 101]),
    }),
    Verdict.Drop,
  ],
  [
    'non-member pass',
    dedicated2,
    Direction.Inbound,
    emitEthernet({
      dst: CLUSTER,
      src: '02-00-00-00-00-09',
      etherType: EtherType.IPV4,
      payload: ipv4([198, 18, 0, 9], [12, 12, 4, 102]),
    }),
    Verdict.Pass,
  ],
  ['truncated frame', dedicated2, Direction.Inbound, new Uint8Array(10), Verdict.Pass],
  [
    'synthesized ARP reply',
    synth1,
    Direction.Outbound,
    arpFrame(
      { dst: 'ff-ff-ff-ff-ff-ff', src: CLUSTER },
      { op: ArpOp.REQUEST, sha: CLUSTER, spa: '12.12.4.101', tha: '00-00-00-00-00-00', tpa: '12.12.4.102' },
    ),
    Verdict.Reply,
  ],
  [
    'strict: data after discovery',
    synth1,
    Direction.Inbound,
    emitEthernet({
      dst: H1,
      src: CLUSTER,
      etherType: EtherType.IPV4,
      payload: ipv4([12, 12, 4, 102], [12, 12, 4, 101]),
    }),
    Verdict.Rewrite,
  ],
  [
    'shared MAC filtered by IP',
    shared2,
    Direction.Inbound,
    emitEthernet({
      dst: '03-bf-00-00-00-01',
      src: CLUSTER,
      etherType: EtherType.IPV4,
      payload: ipv4([12, 12, 4, 101], [12, 12, 4, 103]),
    }),
    Verdict.Drop,
  ],
];

test.each(scenarios)('%s allocates nothing per frame', (_name, engine, dir, template, verdict) =>
  expectNoAllocationPerFrame(engine, dir, template, verdict),
);
