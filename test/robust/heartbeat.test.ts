import fc from 'fast-check';
import { createContainer, Direction, EngineFactory, parseConfig, Verdict } from '../../src';
import { parseHostAddress } from '../../src/address';
import { Engine } from '../../src/engine';
import {
  FakeClock,
  HB_FRAME_LEN,
  HbField,
  Membership,
  encodeHeartbeatFrame,
  signHeartbeat,
} from '../../src/membership';
import { TPIDS, u16 } from '../property/wire';

/**
 * Robustness, heartbeats: forged, replayed, truncated and oversized heartbeat frames change nothing.
 * Member a hears member b (so b is a member), then gets one generated frame: a heartbeat a already
 * accepted (a replay), or an authentic one it has not seen (b's next, or a newcomer c's), made
 * inauthentic by at least one change to the signed payload or its length, then maybe re-tagged; or
 * 0x886F junk. Afterwards a's engine holds the very same Cluster object, a emitted no join, change,
 * leave or refused event, the frame was consumed (verdict drop) and counted as dropped.
 */

const RUNS = Number(process.env.PROPERTY_RUNS_HEARTBEAT ?? 1000);
const CLUSTER = '02-bf-aa-bb-cc-dd';
const KEY = new TextEncoder().encode('robustness test cluster key 0123456789');
const OTHER_KEY = new TextEncoder().encode('a key that is not the cluster key 0123456');
const P = 1000;
const factory = createContainer().get(EngineFactory);

interface Node {
  m: Membership;
  engine: Engine;
  events: string[];
  sent: Uint8Array[];
}

function node(clock: FakeClock, name: string, addresses: string[], deliver: (f: Uint8Array) => void): Node {
  const config = parseConfig({
    clusterMac: CLUSTER,
    virtualIps: ['198.18.0.100'],
    hosts: [{ name, addresses }],
    heartbeat: { keyEnv: 'UNUSED', periodMs: P },
  });
  const engine = factory.create(config, name);
  const n: Node = { engine, events: [], sent: [] } as unknown as Node;
  n.m = new Membership({
    config,
    hostName: name,
    key: KEY,
    engine,
    factory,
    clock,
    send: (f, len) => {
      const frame = f.slice(0, len);
      n.sent.push(frame);
      deliver(frame);
    },
  });
  for (const t of ['join', 'change', 'leave', 'refused'] as const) n.m.on(t, () => n.events.push(t));
  return n;
}

/** a and b on one wire, b heard by a for a few periods. */
function pair() {
  const clock = new FakeClock();
  const nodes: Node[] = [];
  const a = node(clock, 'a', ['198.18.0.1', 'fd00::1'], (f) => nodes[1]?.m.process(f.slice(), Direction.Inbound));
  const b = node(clock, 'b', ['198.18.0.2', 'fd00::2'], (f) => nodes[0]?.m.process(f.slice(), Direction.Inbound));
  nodes.push(a, b);
  a.m.start();
  b.m.start();
  clock.advance(3.5 * P);
  a.events.length = 0;
  return { a, b, clock };
}

/** An authentic heartbeat nobody has seen: b's next one (higher sequence), or a newcomer c's. */
function authentic(who: 'b' | 'c', bHostId: number): Uint8Array {
  const f = new Uint8Array(HB_FRAME_LEN);
  encodeHeartbeatFrame(
    {
      hostId: who === 'b' ? bHostId : 77,
      name: who,
      sequence: 9_000_000_000_000_000n,
      periodMs: P,
      clusterMac: Uint8Array.of(0x02, 0xbf, 0xaa, 0xbb, 0xcc, 0xdd),
      clusterIp: Uint8Array.of(198, 18, 0, 100),
      addresses: (who === 'b' ? ['198.18.0.2', 'fd00::2'] : ['198.18.0.3']).map((x) => parseHostAddress(x, 'test')),
    },
    f,
  );
  signHeartbeat(f.subarray(14), KEY);
  return f;
}

type Forgery =
  | { f: 'flip'; at: number; bit: number } // anywhere in the signed payload or the authenticator
  | { f: 'field'; field: keyof typeof HbField; value: number }
  | { f: 'truncate'; to: number }
  | { f: 'extend'; bytes: Uint8Array }
  | { f: 'resign'; flip: number }; // change the payload and sign it with a key that is not the cluster's
const forgeryArb: fc.Arbitrary<Forgery> = fc.oneof(
  fc.record({ f: fc.constant('flip' as const), at: fc.nat({ max: 1495 }), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    f: fc.constant('field' as const),
    field: fc.constantFrom(...(Object.keys(HbField) as (keyof typeof HbField)[])),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ f: fc.constant('truncate' as const), to: fc.nat({ max: 1495 }) }),
  fc.record({ f: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ f: fc.constant('resign' as const), flip: fc.nat({ max: 1463 }) }),
);
type Wrap =
  | { w: 'none' }
  | { w: 'tags'; tags: number[] }
  | { w: 'src'; mac: Uint8Array }
  | { w: 'dst'; mac: Uint8Array };
const wrapArb: fc.Arbitrary<Wrap> = fc.oneof(
  { arbitrary: fc.constant({ w: 'none' as const }), weight: 3 },
  {
    arbitrary: fc.record({
      w: fc.constant('tags' as const),
      tags: fc.array(fc.constantFrom(...TPIDS), { minLength: 1, maxLength: 3 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      w: fc.constant('src' as const),
      mac: fc.uint8Array({ minLength: 6, maxLength: 6 }).map((m) => ((m[0] &= 0xfe), m)),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ w: fc.constant('dst' as const), mac: fc.uint8Array({ minLength: 6, maxLength: 6 }) }),
    weight: 1,
  },
);

function forge(f: Uint8Array, x: Forgery): Uint8Array {
  const p0 = 14;
  switch (x.f) {
    case 'flip': {
      const b = f.slice();
      b[p0 + x.at] ^= 1 << x.bit;
      return b;
    }
    case 'field': {
      const b = f.slice();
      const at = p0 + HbField[x.field];
      b[at] = b[at] === x.value ? x.value ^ 0xff : x.value;
      return b;
    }
    case 'truncate':
      return f.slice(0, p0 + x.to);
    case 'extend': {
      const b = new Uint8Array(f.length + x.bytes.length);
      b.set(f);
      b.set(x.bytes, f.length);
      return b;
    }
    case 'resign': {
      const b = f.slice();
      if (b.length < p0 + 1496) return b; // cut already: nothing to sign
      b[p0 + x.flip] ^= 0x01;
      signHeartbeat(b.subarray(p0, p0 + 1496), OTHER_KEY);
      return b;
    }
  }
}

function wrap(f: Uint8Array, w: Wrap): Uint8Array {
  if (w.w === 'none') return f;
  if (w.w === 'src' || w.w === 'dst') {
    const b = f.slice();
    b.set(w.mac, w.w === 'src' ? 6 : 0);
    return b;
  }
  const b = new Uint8Array(f.length + 4 * w.tags.length);
  b.set(f.subarray(0, 12));
  w.tags.forEach((t, i) => {
    b[12 + 4 * i] = t >>> 8;
    b[13 + 4 * i] = t & 0xff;
    b[15 + 4 * i] = i + 1;
  });
  b.set(f.subarray(12), 12 + 4 * w.tags.length);
  return b;
}

function dropCount(m: Membership): number {
  return Object.values(m.stats().dropped).reduce((s, n) => s + (n ?? 0), 0);
}

type Base = { k: 'replay'; which: number } | { k: 'fresh'; who: 'b' | 'c' } | { k: 'junk'; bytes: Uint8Array };
const baseArb: fc.Arbitrary<Base> = fc.oneof(
  fc.record({ k: fc.constant('replay' as const), which: fc.nat() }),
  fc.record({ k: fc.constant('fresh' as const), who: fc.constantFrom('b' as const, 'c' as const) }),
  fc.record({
    k: fc.constant('junk' as const),
    bytes: fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 1490, maxLength: 1502 })),
  }),
);

describe('heartbeats that change nothing (fast-check)', () => {
  test(`${RUNS} forged, replayed, truncated and oversized heartbeats`, () => {
    fc.assert(
      fc.property(baseArb, fc.array(forgeryArb, { maxLength: 3 }), wrapArb, (base, forgeries, w) => {
        const { a, b } = pair();
        const before = a.engine.cluster;
        if (!before.hosts.some((h) => h.name === 'b')) throw new Error('setup: b did not join');
        let f: Uint8Array;
        if (base.k === 'replay') {
          f = b.sent[base.which % b.sent.length];
          for (const x of forgeries) f = forge(f, x);
        } else if (base.k === 'fresh') {
          // an authentic frame must be changed at least once to be a forgery
          f = authentic(base.who, b.m.hostId);
          for (const x of forgeries.length ? forgeries : [{ f: 'flip', at: 100, bit: 0 } as Forgery]) f = forge(f, x);
          if (
            Buffer.compare(Buffer.from(f.subarray(14)), Buffer.from(authentic(base.who, b.m.hostId).subarray(14))) === 0
          )
            return; // the flips undid each other
        } else {
          f = new Uint8Array(14 + base.bytes.length);
          f.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 9, 0x88, 0x6f]);
          f.set(base.bytes, 14);
        }
        f = wrap(f, w);
        const drops = dropCount(a.m);
        const v = a.m.process(f, Direction.Inbound, f.length);
        if (a.engine.cluster !== before)
          throw new Error(`membership changed: ${a.engine.cluster.hosts.map((h) => h.name).join(',')}`);
        if (a.events.length) throw new Error(`events: ${a.events.join(', ')}`);
        let et = 12;
        while (et + 2 <= f.length && TPIDS.includes(u16(f, et))) et += 4;
        if (et + 2 <= f.length && u16(f, et) === 0x886f && et <= 12 + 4 * 8) {
          if (v !== Verdict.Drop) throw new Error(`a heartbeat frame got verdict ${v}: it must be consumed`);
          if (dropCount(a.m) !== drops + 1) throw new Error(`dropped count went from ${drops} to ${dropCount(a.m)}`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test('control: the same authentic frames, untouched, are accepted (so the property above can fail)', () => {
    const { a, b } = pair();
    const before = a.engine.cluster;
    expect(a.m.process(authentic('b', b.m.hostId), Direction.Inbound)).toBe(Verdict.Drop);
    expect(a.engine.cluster).toBe(before); // b's refresh: same addresses
    expect(a.m.process(authentic('c', b.m.hostId), Direction.Inbound)).toBe(Verdict.Drop);
    expect(a.events).toEqual(['join']);
    expect(a.engine.cluster.hosts.map((h) => h.name).sort()).toEqual(['a', 'b', 'c']);
  });
});
