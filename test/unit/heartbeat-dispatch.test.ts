import {
  AdapterConflictError,
  createContainer,
  Direction,
  Engine,
  EngineFactory,
  parseConfig,
  reasonId,
  Verdict,
} from '../../src';
import * as auth from '../../src/membership/auth';
import { controlPlaneOffset } from '../../src/membership/adapter';
import { FakeClock, HB_RATE, MembershipEvents } from '../../src/membership';
import { heartbeatMember, setHeartbeatHostId, signedHeartbeat } from './heartbeat-fixture';

/**
 * Heartbeats (EtherType 0x886F) go through the engine's dispatch like every other frame
 * (docs/rules.md, `heartbeat.control-plane`): the engine walks the tags once and applies
 * `frame.multicast-source`, and the membership receives what the dispatch hands the control plane,
 * at the payload offset the dispatch found. Real engines and a real Membership; a fake clock; the
 * HMAC check counted with a spy.
 */
const KEY = new TextEncoder().encode('heartbeat dispatch unit test key 012345');
const WRONG = new TextEncoder().encode('not the cluster key, dispatch test 0123');
const factory = createContainer().get(EngineFactory);

function member(clock: FakeClock) {
  const { m, engine } = heartbeatMember(clock, KEY);
  const joins: MembershipEvents['join'][] = [];
  m.on('join', (e) => joins.push(e));
  return { m, engine, joins };
}
const heartbeat = (hostId: number, sequence: bigint, key = KEY) => signedHeartbeat(hostId, sequence, key);

/** `f` with VLAN tags (TPID, VID) inserted after the Ethernet addresses, outermost first. */
function tagged(f: Uint8Array, tags: [number, number][]): Uint8Array {
  const out = new Uint8Array(f.length + 4 * tags.length);
  out.set(f.subarray(0, 12));
  tags.forEach(([tpid, vid], i) => {
    out.set([tpid >> 8, tpid & 0xff, (vid >> 8) & 0x0f, vid & 0xff], 12 + 4 * i);
  });
  out.set(f.subarray(12), 12 + 4 * tags.length);
  return out;
}

const CASES: [string, [number, number][]][] = [
  ['untagged', []],
  ['802.1Q', [[0x8100, 10]]],
  [
    '802.1ad + 802.1Q',
    [
      [0x88a8, 100],
      [0x8100, 10],
    ],
  ],
];

let clock: FakeClock;
let hmacs: jest.SpyInstance;
beforeEach(() => {
  clock = new FakeClock();
  hmacs = jest.spyOn(auth, 'verifyHeartbeat');
});
afterEach(() => hmacs.mockRestore());

describe.each(CASES)('a heartbeat, %s', (_name, tags) => {
  test('Engine.process hands it to the control plane at the payload offset its tag walk found', () => {
    const { engine } = member(clock);
    const f = tagged(heartbeat(2, 1n), tags);
    const v = engine.process(f, Direction.Inbound);
    expect([v, reasonId(engine.reason)]).toEqual([Verdict.Pass, 'heartbeat.to-control-plane']);
    expect(engine.l3Offset).toBe(14 + 4 * tags.length);
    expect(controlPlaneOffset(engine, v)).toBe(14 + 4 * tags.length);
  });

  test('reaches the manager through Engine.process: the member joins', () => {
    const { m, engine, joins } = member(clock);
    expect(m.process(tagged(heartbeat(2, 1n), tags), Direction.Inbound)).toBe(Verdict.Drop);
    expect(joins.map((e) => [e.name, e.addresses])).toEqual([['h2', ['198.18.0.2']]]);
    expect(engine.cluster.hosts.map((h) => h.name)).toEqual(['a', 'h2']);
    expect(m.stats()).toMatchObject({ received: 1, accepted: 1, dropped: {} });
    expect(reasonId(engine.reason)).toBe('heartbeat.to-control-plane');
  });

  test('with a multicast Ethernet source: dropped by the engine (frame.multicast-source), never at the manager', () => {
    const { m, engine } = member(clock);
    const f = tagged(heartbeat(2, 1n), tags);
    f[6] |= 1;
    expect(m.process(f, Direction.Inbound)).toBe(Verdict.Drop);
    expect(reasonId(engine.reason)).toBe('frame.multicast-source');
    expect(m.stats()).toMatchObject({ received: 0, accepted: 0, dropped: {} });
    expect(hmacs).not.toHaveBeenCalled();
    expect(engine.cluster.hosts.map((h) => h.name)).toEqual(['a']);
  });

  test('from the local stack: dropped by the engine (heartbeat.from-stack), never at the manager', () => {
    const { m, engine } = member(clock);
    expect(m.process(tagged(heartbeat(2, 1n), tags), Direction.Outbound)).toBe(Verdict.Drop);
    expect(reasonId(engine.reason)).toBe('heartbeat.from-stack');
    expect(m.stats()).toMatchObject({ received: 0, dropped: {} });
    expect(hmacs).not.toHaveBeenCalled();
  });

  test('10,000 forged ones under new host IDs through the engine cost at most the newcomer burst of HMACs', () => {
    const { m, engine } = member(clock);
    const base = heartbeat(1, 1n, WRONG);
    const f = tagged(base, tags);
    const p = 14 + 4 * tags.length;
    for (let i = 0; i < 10_000; i++) {
      setHeartbeatHostId(f, p, 0x1001 + i); // every cheap check passes
      if (m.process(f, Direction.Inbound) !== Verdict.Drop) throw new Error(`frame ${i} not dropped`);
    }
    expect(hmacs).toHaveBeenCalledTimes(HB_RATE.newcomerBurst);
    expect(m.stats().dropped).toEqual({
      'bad-authenticator': HB_RATE.newcomerBurst,
      'rate-limited': 10_000 - HB_RATE.newcomerBurst,
    });
    expect(reasonId(engine.reason)).toBe('heartbeat.to-control-plane');
  });
});

test('a heartbeat cut short inside its tag stack is not handed to the control plane', () => {
  const { m, engine } = member(clock);
  const f = tagged(heartbeat(2, 1n), [[0x8100, 10]]);
  m.process(f, Direction.Inbound); // the engine's last EtherType is 0x886F now
  expect(m.process(f.subarray(0, 15), Direction.Inbound)).toBe(Verdict.Pass);
  expect(reasonId(engine.reason)).toBe('frame.truncated');
  expect(m.stats().received).toBe(1);
});

test('every engine dispatches 0x886F to the heartbeat adapter: another adapter claiming it is refused', () => {
  const config = parseConfig({ clusterMac: '02-bf-aa-bb-cc-dd', hosts: [{ name: 'a', addresses: ['198.18.0.1'] }] });
  const other = { name: 'nlb', etherTypes: [0x886f], process: () => Verdict.Pass };
  const cluster = factory.buildCluster(config);
  expect(() => new Engine(cluster, 'a', [other])).toThrow(AdapterConflictError);
  expect(() => new Engine(cluster, 'a', [other])).toThrow('adapters "heartbeat" and "nlb" both claim EtherType 0x886f');
  expect(new Engine(cluster, 'a', []).adapters.map((a) => a.name)).toEqual(['heartbeat']);
});
