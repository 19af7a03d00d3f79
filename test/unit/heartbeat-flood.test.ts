import { Direction, Verdict } from '../../src';
import * as auth from '../../src/membership/auth';
import { FakeClock, HB_RATE } from '../../src/membership';
import { heartbeatMember, setHeartbeatHostId, signedHeartbeat } from './heartbeat-fixture';

/**
 * Heartbeat floods: what a forged or replayed heartbeat costs is bounded before the HMAC. The cheap
 * checks (length, signature, cluster, host ID, Ethernet source, sequence above the last accepted)
 * come first, then a token bucket per host ID (and one for all host IDs never authenticated) bounds
 * the HMACs. Counted with a spy on the HMAC check and a fake clock that does not move unless told:
 * no timing in the test.
 */
const KEY = new TextEncoder().encode('heartbeat flood unit test key 0123456789');
const WRONG = new TextEncoder().encode('not the cluster key, flood test 0123456');
const member = (clock: FakeClock) => heartbeatMember(clock, KEY);
const heartbeat = (hostId: number, sequence: bigint, key = KEY, name?: string, ip?: string) =>
  signedHeartbeat(hostId, sequence, key, name, ip);

let clock: FakeClock;
let hmacs: jest.SpyInstance;
beforeEach(() => {
  clock = new FakeClock();
  hmacs = jest.spyOn(auth, 'verifyHeartbeat');
});
afterEach(() => hmacs.mockRestore());

test('100,000 forged heartbeats under random host IDs cost at most the newcomer burst of HMACs', () => {
  const { m } = member(clock);
  const f = heartbeat(1, 1n, WRONG);
  let id = 0x1000;
  for (let i = 0; i < 100_000; i++) {
    // a new host ID, its source MAC and a fresh sequence each time: every cheap check passes
    setHeartbeatHostId(f, 14, ++id);
    if (m.process(f, Direction.Inbound) !== Verdict.Drop) throw new Error(`frame ${i} not dropped`);
  }
  expect(hmacs).toHaveBeenCalledTimes(HB_RATE.newcomerBurst);
  expect(m.stats().dropped).toEqual({
    'bad-authenticator': HB_RATE.newcomerBurst,
    'rate-limited': 100_000 - HB_RATE.newcomerBurst,
  });
  // one second later the budget is back: a genuine newcomer joins
  clock.advance(1000);
  m.process(heartbeat(7, 5n), Direction.Inbound);
  expect(m.liveMembers().map((x) => x.name)).toEqual(['h7']);
});

test('replayed heartbeats of a member cost no HMAC at all', () => {
  const { m } = member(clock);
  const genuine = heartbeat(7, 1000n);
  m.process(genuine.slice(), Direction.Inbound);
  expect(m.liveMembers().map((x) => x.name)).toEqual(['h7']);
  hmacs.mockClear();
  const older = heartbeat(7, 999n);
  for (let i = 0; i < 50_000; i++) m.process(i % 2 ? genuine : older, Direction.Inbound);
  expect(hmacs).not.toHaveBeenCalled();
  expect(m.stats().dropped).toEqual({ replayed: 50_000 });
});

test("forged heartbeats naming a member's host ID are bounded by that member's own budget", () => {
  const { m } = member(clock);
  m.process(heartbeat(7, 1000n), Direction.Inbound);
  hmacs.mockClear();
  let seq = 2000n;
  for (let i = 0; i < 10_000; i++) m.process(heartbeat(7, seq++, WRONG), Direction.Inbound);
  expect(hmacs).toHaveBeenCalledTimes(HB_RATE.burst);
  clock.advance(1000); // one period: perPeriod more tokens
  for (let i = 0; i < 10_000; i++) m.process(heartbeat(7, seq++, WRONG), Direction.Inbound);
  expect(hmacs).toHaveBeenCalledTimes(HB_RATE.burst + HB_RATE.perPeriod);
  expect(m.stats().dropped).toEqual({
    'bad-authenticator': HB_RATE.burst + HB_RATE.perPeriod,
    'rate-limited': 20_000 - HB_RATE.burst - HB_RATE.perPeriod,
  });
  // the member is still there and its next genuine heartbeat is accepted
  clock.advance(1000);
  m.process(heartbeat(7, seq++), Direction.Inbound);
  expect(m.stats().accepted).toBe(2);
});

test('a member whose host ID is flooded is held while the flood lasts (its own heartbeats may be among the unverified), then leaves', () => {
  const { m } = member(clock);
  m.start();
  m.process(heartbeat(7, 1000n), Direction.Inbound);
  let seq = 2000n;
  // 20 periods of forgeries naming host ID 7 and nothing genuine: well past missed (5) periods
  for (let t = 0; t < 20; t++) {
    for (let i = 0; i < 200; i++) m.process(heartbeat(7, seq++, WRONG), Direction.Inbound);
    clock.advance(1000);
  }
  expect(m.liveMembers().map((x) => x.name)).toEqual(['h7']);
  clock.advance(6000); // the flood stopped: missed + 1/2 periods later it is gone
  expect(m.liveMembers()).toEqual([]);
  m.stop();
});

test('cheap refusals before any HMAC: source MAC not of the host ID, our own host ID, host ID 0', () => {
  const { m } = member(clock);
  const wrongSource = heartbeat(7, 1n);
  wrongSource[11] ^= 1;
  const own = heartbeat(m.hostId, 1n);
  const zero = heartbeat(7, 1n);
  zero.fill(0, 14 + 8, 14 + 12);
  for (let i = 0; i < 1000; i++) for (const f of [wrongSource, own, zero]) m.process(f, Direction.Inbound);
  expect(hmacs).not.toHaveBeenCalled();
  expect(m.stats().dropped).toEqual({ 'source-mismatch': 1000, 'own-host-id': 1000, malformed: 1000 });
});
