import {
  createContainer,
  Direction,
  Engine,
  EngineFactory,
  Icmpv6Type,
  icmpv6Frame,
  NaFlag,
  ndFrame,
  NdOption,
  parseConfig,
  Verdict,
} from '../../src';
import { expectNoAllocationPerFrame } from './alloc-measure';

/**
 * "A frame-processing call allocates nothing", for the NDP adapter: after warm-up, N calls per
 * scenario run with no garbage collection and the used heap grows by less than one byte per 100
 * frames (alloc-measure.ts).
 */
const CLUSTER = '02-bf-aa-bb-cc-dd';
const D1 = '03-bf-00-00-01-01';
const D2 = '03-bf-00-00-01-02';
const hosts = [
  { name: 'host1', addresses: ['2001:db8::101'] },
  { name: 'host2', addresses: ['2001:db8::102'] },
  { name: 'host3', addresses: ['2001:db8::103'] },
];
const factory = createContainer().get(EngineFactory);
const dedicated2 = factory.create(parseConfig({ clusterMac: CLUSTER, hosts, replyRewrite: 'sender' }), 'host2');
const synth1 = factory.create(
  parseConfig({ clusterMac: CLUSTER, hosts, synthesize: true, strictSources: true }),
  'host1',
);
const shared2 = factory.create(
  parseConfig({ clusterMac: CLUSTER, hosts, mode: 'shared', sharedMac: '03-bf-00-00-00-01' }),
  'host2',
);

const sn = { dst: '33-33-ff-00-01-02', src: CLUSTER };
const nsIn = ndFrame(
  sn,
  { src: '2001:db8::101', dst: 'ff02::1:ff00:102' },
  {
    type: Icmpv6Type.NEIGHBOR_SOLICITATION,
    target: '2001:db8::102',
    options: [
      { type: NdOption.NONCE, body: new Uint8Array(6) },
      { type: NdOption.SOURCE_LL, mac: CLUSTER },
    ],
  },
);
const nsBad = ndFrame(
  sn,
  { src: '2001:db8::101', dst: 'ff02::1:ff00:102' },
  {
    type: Icmpv6Type.NEIGHBOR_SOLICITATION,
    target: '2001:db8::102',
    options: [{ type: NdOption.SOURCE_LL, mac: CLUSTER }],
    checksum: 'bad',
  },
);
const naOut = ndFrame(
  { dst: D1, src: CLUSTER },
  { src: '2001:db8::102', dst: '2001:db8::101' },
  {
    type: Icmpv6Type.NEIGHBOR_ADVERTISEMENT,
    flags: NaFlag.SOLICITED | NaFlag.OVERRIDE,
    target: '2001:db8::102',
    options: [{ type: NdOption.TARGET_LL, mac: CLUSTER }],
  },
);
const nsOut1 = ndFrame(
  sn,
  { src: '2001:db8::101', dst: 'ff02::1:ff00:102' },
  {
    type: Icmpv6Type.NEIGHBOR_SOLICITATION,
    target: '2001:db8::102',
    options: [{ type: NdOption.SOURCE_LL, mac: CLUSTER }],
  },
);
const echo = (dst: string, src: string, to: string) =>
  icmpv6Frame({ dst, src: CLUSTER }, { src, dst: to, hopLimit: 64 }, { type: 128, body: new Uint8Array(16) });

const scenarios: [string, Engine, Direction, Uint8Array, Verdict][] = [
  ['NS from a member: SLLAO rewrite', dedicated2, Direction.Inbound, nsIn, Verdict.Rewrite],
  ['NS with a bad checksum: checksum verified, pass', dedicated2, Direction.Inbound, nsBad, Verdict.Pass],
  ['NA to a member: TLLAO rewrite', dedicated2, Direction.Outbound, naOut, Verdict.Rewrite],
  [
    'IPv6 data to own dedicated MAC',
    dedicated2,
    Direction.Inbound,
    echo(D2, '2001:db8::101', '2001:db8::102'),
    Verdict.Rewrite,
  ],
  ['synthesized NA', synth1, Direction.Outbound, nsOut1, Verdict.Reply],
  [
    'strict: IPv6 data after discovery',
    synth1,
    Direction.Inbound,
    echo(D1, '2001:db8::102', '2001:db8::101'),
    Verdict.Rewrite,
  ],
  [
    'shared MAC filtered by IPv6 destination',
    shared2,
    Direction.Inbound,
    echo('03-bf-00-00-00-01', '2001:db8::101', '2001:db8::103'),
    Verdict.Drop,
  ],
];

test.each(scenarios)('%s allocates nothing per frame', (_name, engine, dir, template, verdict) =>
  expectNoAllocationPerFrame(engine, dir, template, verdict, 100_000, 300_000),
);
