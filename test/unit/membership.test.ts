import { ArpOp, arpFrame, createContainer, Direction, EngineFactory, parseConfig, reasonId, Verdict } from '../../src';
import { Engine } from '../../src/engine';
import {
  FakeClock,
  HB_FRAME_LEN,
  Heartbeat,
  Membership,
  MembershipEvents,
  encodeHeartbeatFrame,
  signHeartbeat,
} from '../../src/membership';
import { parseHostAddress } from '../../src/address';

/**
 * Membership from heartbeats through real engines, on a fake wire and a fake clock: every member's
 * heartbeat is handed to every other member's `process` at once, so join, change and leave times
 * are exact multiples of the schedule, in periods (P = 1000 ms, N = 5 missed).
 */
const CLUSTER = '02-bf-aa-bb-cc-dd';
const P = 1000;
const KEY = new TextEncoder().encode('membership unit test key 0123456789');
const factory = createContainer().get(EngineFactory);

type Ev = { [K in keyof MembershipEvents]: { type: K } & MembershipEvents[K] }[keyof MembershipEvents];

interface Node {
  name: string;
  m: Membership;
  engine: Engine;
  events: Ev[];
  /** on the wire (receives and sends) */
  up: boolean;
}

class Wire {
  readonly nodes: Node[] = [];
  /** every heartbeat put on the wire, in order, with its sender */
  readonly captured: { from: string; frame: Uint8Array }[] = [];
  constructor(readonly clock: FakeClock) {}

  add(
    name: string,
    addresses: string[],
    extra: {
      hosts?: unknown[];
      heartbeat?: object;
      virtualIps?: string[];
      key?: Uint8Array;
      strictSources?: boolean;
    } = {},
  ): Node {
    const config = parseConfig({
      clusterMac: CLUSTER,
      virtualIps: extra.virtualIps ?? [],
      strictSources: extra.strictSources ?? false,
      hosts: [{ name, addresses }, ...(extra.hosts ?? [])],
      heartbeat: { keyEnv: 'UNUSED', periodMs: P, ...extra.heartbeat },
    });
    const engine = factory.create(config, name);
    const node = { name, engine, events: [] as Ev[], up: true } as Node;
    node.m = new Membership({
      config,
      hostName: name,
      key: extra.key ?? KEY,
      engine,
      factory,
      clock: this.clock,
      send: (f, n) => {
        if (!node.up) return;
        const frame = f.slice(0, n);
        this.captured.push({ from: name, frame });
        this.inject(frame, node);
      },
    });
    for (const type of ['join', 'change', 'leave', 'refused', 'dropped'] as const)
      node.m.on(type, (e) => node.events.push({ type, ...e } as Ev));
    this.nodes.push(node);
    return node;
  }

  /** Delivers a frame to every node on the wire except `except`. */
  inject(frame: Uint8Array, except?: Node): void {
    for (const n of this.nodes)
      if (n !== except && n.up) expect(n.m.process(frame.slice(), Direction.Inbound)).toBe(Verdict.Drop);
  }
}

const names = (n: Node) => n.engine.cluster.hosts.map((h) => h.name);
const of = (n: Node, type: Ev['type']) => n.events.filter((e) => e.type === type);

/** ARP request from `ip` (sender MAC = cluster MAC) as a member's stack sends it (FIG. 6 row 600). */
function arpFrom(ip: string, target: string): Uint8Array {
  return arpFrame(
    { dst: 'ff-ff-ff-ff-ff-ff', src: CLUSTER },
    { op: ArpOp.REQUEST, sha: CLUSTER, spa: ip, tha: '00-00-00-00-00-00', tpa: target },
  );
}
/** The ARP sender MAC `engine` hands its stack for that request: the dedicated MAC if `ip` is a member (step 502). */
function learnedMac(engine: Engine, ip: string, target: string): string {
  const f = arpFrom(ip, target);
  engine.process(f, Direction.Inbound);
  return Buffer.from(f.subarray(22, 28)).toString('hex');
}

function forged(
  h: Partial<Omit<Heartbeat, 'addresses'>> & { name: string; addresses: string[] },
  key = KEY,
): Uint8Array {
  const f = new Uint8Array(HB_FRAME_LEN);
  encodeHeartbeatFrame(
    {
      hostId: 99,
      sequence: 9_000_000_000_000_000n,
      periodMs: P,
      clusterMac: Uint8Array.of(0x02, 0xbf, 0xaa, 0xbb, 0xcc, 0xdd),
      clusterIp: new Uint8Array(4),
      ...h,
      addresses: h.addresses.map((a) => parseHostAddress(a, 'test')),
    },
    f,
  );
  signHeartbeat(f.subarray(14), key);
  return f;
}

let clock: FakeClock;
let wire: Wire;
beforeEach(() => {
  clock = new FakeClock();
  wire = new Wire(clock);
});

describe('join', () => {
  test('members that start knowing nobody find each other within one period, and the engines rewrite at once', () => {
    const a = wire.add('a', ['198.18.0.1', 'fd00::1']);
    const b = wire.add('b', ['198.18.0.2']);
    b.up = false; // b's layer is not running yet
    a.m.start(); // heartbeats of a at 0, 1000, 2000...
    clock.advance(300);
    expect(learnedMac(a.engine, '198.18.0.2', '198.18.0.1')).toBe('02bfaabbccdd'); // b unknown: passes
    b.up = true;
    b.m.start(); // first heartbeat of b at 300: a admits b at once
    expect(of(a, 'join')).toEqual([
      { type: 'join', hostId: b.m.hostId, name: 'b', addresses: ['198.18.0.2'], at: 300 },
    ]);
    expect(names(a)).toEqual(['a', 'b']);
    expect(learnedMac(a.engine, '198.18.0.2', '198.18.0.1')).toBe('03bfc6120002');
    expect(of(b, 'join')).toEqual([]);
    clock.advance(700); // a's heartbeat at 1000
    expect(of(b, 'join')).toEqual([
      { type: 'join', hostId: a.m.hostId, name: 'a', addresses: ['198.18.0.1', 'fd00::1'], at: 1000 },
    ]);
    expect(learnedMac(b.engine, '198.18.0.1', '198.18.0.2')).toBe('03bfc6120001');
    // join latency after b started: 0 periods at a, 0.7 periods at b (≤ 1 period)
    expect((of(b, 'join')[0].at - 300) / P).toBeLessThanOrEqual(1);
    // steady state: no further events, heartbeats accepted
    clock.advance(10 * P);
    expect(a.events.map((e) => e.type)).toEqual(['join']);
    expect(b.events.map((e) => e.type)).toEqual(['join']);
    expect(a.m.stats().accepted).toBe(11); // b's heartbeats at 300, 1300, ..., 10300
  });

  test('three members: each sees the two others', () => {
    const ns = ['198.18.0.1', '198.18.0.2', '198.18.0.3'].map((ip, i) => wire.add(`m${i + 1}`, [ip]));
    ns.forEach((n, i) => {
      clock.advance(100 * i);
      n.m.start();
    });
    clock.advance(P);
    for (const n of ns) expect(names(n).sort()).toEqual(['m1', 'm2', 'm3']);
  });
});

describe('change', () => {
  test('a member whose address changes is reached at the new one at once; the old one is no longer rewritten', () => {
    const a = wire.add('a', ['198.18.0.1']);
    const b = wire.add('b', ['198.18.0.2']);
    a.m.start();
    b.m.start();
    clock.advance(2500);
    expect(learnedMac(a.engine, '198.18.0.2', '198.18.0.1')).toBe('03bfc6120002');
    // b's operator changes its address (SIGHUP): b sends at once
    b.m.reconfigure(
      parseConfig({
        clusterMac: CLUSTER,
        hosts: [{ name: 'b', addresses: ['198.18.0.12'] }],
        heartbeat: { keyEnv: 'UNUSED', periodMs: P },
      }),
    );
    expect(of(a, 'change')).toEqual([
      {
        type: 'change',
        hostId: b.m.hostId,
        name: 'b',
        addresses: ['198.18.0.12'],
        at: 2500,
        previous: { hostId: b.m.hostId, name: 'b', addresses: ['198.18.0.2'] },
      },
    ]);
    expect(learnedMac(a.engine, '198.18.0.12', '198.18.0.1')).toBe('03bfc612000c');
    expect(learnedMac(a.engine, '198.18.0.2', '198.18.0.1')).toBe('02bfaabbccdd');
    clock.advance(10 * P);
    expect(of(a, 'leave')).toEqual([]);
  });
});

describe('leave', () => {
  test('a stopped member leaves after N = 5 missed periods (+ half a period), not before; rewriting for it stops', () => {
    const a = wire.add('a', ['198.18.0.1']);
    const b = wire.add('b', ['198.18.0.2']);
    a.m.start();
    clock.advance(200);
    b.m.start(); // b sends at 200, 1200, 2200
    clock.advance(2500); // t = 2700
    b.m.stop();
    b.up = false;
    clock.advance(7699 - 2700); // 5.5 periods after the last heartbeat (2200) is 7700
    expect(of(a, 'leave')).toEqual([]);
    expect(names(a)).toEqual(['a', 'b']);
    clock.advance(1);
    expect(of(a, 'leave')).toEqual([
      {
        type: 'leave',
        hostId: b.m.hostId,
        name: 'b',
        addresses: ['198.18.0.2'],
        at: 7700,
        reason: 'timeout',
        silentMs: 5500,
      },
    ]);
    expect(names(a)).toEqual(['a']);
    expect(learnedMac(a.engine, '198.18.0.2', '198.18.0.1')).toBe('02bfaabbccdd');
    expect(a.m.stats().leaves).toBe(1);
  });

  test('missed and period are configurable; the sender period carried in the heartbeat sets the deadline', () => {
    const a = wire.add('a', ['198.18.0.1'], { heartbeat: { missed: 3 } });
    const b = wire.add('b', ['198.18.0.2'], { heartbeat: { periodMs: 200 } });
    a.m.start();
    b.m.start(); // b at 0, 200, 400
    clock.advance(450);
    b.up = false;
    b.m.stop();
    clock.advance(400 + 3.5 * 200 - 450 - 1);
    expect(of(a, 'leave')).toEqual([]);
    clock.advance(1);
    expect(of(a, 'leave').map((e) => e.at)).toEqual([400 + 700]);
  });

  test('a restarted member (new process, same name and host ID) is accepted again: its sequence starts higher', () => {
    const a = wire.add('a', ['198.18.0.1']);
    const b = wire.add('b', ['198.18.0.2']);
    a.m.start();
    b.m.start();
    clock.advance(3 * P);
    b.m.stop();
    wire.nodes.splice(wire.nodes.indexOf(b), 1);
    clock.advance(1);
    const b2 = wire.add('b', ['198.18.0.2']);
    b2.m.start();
    expect(a.m.stats().dropped).toEqual({});
    expect(of(a, 'join').length).toBe(1); // never left: the restart is a refresh
    clock.advance(10 * P);
    expect(of(a, 'leave')).toEqual([]);
  });
});

describe('heartbeats that change nothing', () => {
  function pair() {
    const a = wire.add('a', ['198.18.0.1'], { virtualIps: ['198.18.0.100'] });
    const b = wire.add('b', ['198.18.0.2']);
    a.m.start();
    b.m.start();
    clock.advance(1500);
    a.events.length = 0;
    return { a, b, before: a.engine.cluster };
  }
  function unchanged(a: Node, before: unknown, reason: string, count = 1): void {
    expect(a.engine.cluster).toBe(before);
    expect(a.events.filter((e) => e.type !== 'dropped')).toEqual([]);
    expect(a.m.stats().dropped).toEqual({ [reason]: count });
    // sampled: the 1st, 10th, 100th... of a reason
    expect(of(a, 'dropped').map((e) => e.type === 'dropped' && e.reason)).toEqual(
      Array(String(count).length).fill(reason),
    );
  }

  test('forged: right format, wrong key', () => {
    const { a, before } = pair();
    wire.inject(
      forged({ name: 'c', addresses: ['198.18.0.3'] }, new TextEncoder().encode('not the cluster key, 0123456789')),
    );
    unchanged(a, before, 'bad-authenticator');
  });
  test('forged: a valid heartbeat of b with a changed address, without the key', () => {
    const { a, b, before } = pair();
    const f = wire.captured
      .filter((c) => c.from === 'b')
      .at(-1)!
      .frame.slice();
    f[14 + 136 + 4] = 99; // 198.18.0.2 -> 198.18.0.99
    f[14 + 52] = 0x7f; // a sequence above b's, or it is dropped as replayed before any HMAC
    wire.inject(f);
    unchanged(a, before, 'bad-authenticator');
    expect(a.engine.cluster.hosts.find((h) => h.name === 'b')).toBeDefined();
    void b;
  });
  test('replayed: the last heartbeat of b again, and an older one', () => {
    const { a, before } = pair();
    const bs = wire.captured.filter((c) => c.from === 'b');
    wire.inject(bs.at(-1)!.frame);
    wire.inject(bs[0].frame);
    unchanged(a, before, 'replayed', 2);
  });
  test('replayed after the member left: it does not come back', () => {
    const { a, b, before } = pair();
    b.up = false;
    b.m.stop();
    clock.advance(10 * P);
    expect(names(a)).toEqual(['a']);
    const after = a.engine.cluster;
    a.events.length = 0;
    wire.inject(wire.captured.filter((c) => c.from === 'b').at(-1)!.frame);
    unchanged(a, after, 'replayed');
    void before;
  });
  test('truncated and oversized', () => {
    const { a, before } = pair();
    const f = wire.captured.filter((c) => c.from === 'b').at(-1)!.frame;
    wire.inject(f.subarray(0, HB_FRAME_LEN - 1));
    unchanged(a, before, 'truncated');
    const big = new Uint8Array(HB_FRAME_LEN + 4);
    big.set(f);
    wire.inject(big);
    expect(a.m.stats().dropped).toEqual({ truncated: 1, oversized: 1 });
    expect(a.engine.cluster).toBe(before);
  });
  test("authentic but claiming another member's address, this member's address, a virtual IP, a name in use, our host ID", () => {
    const { a, b, before } = pair();
    wire.inject(forged({ hostId: 3, name: 'c', addresses: ['198.18.0.3', '198.18.0.2'] }));
    wire.inject(forged({ hostId: 4, name: 'd', addresses: ['198.18.0.1'] }));
    wire.inject(forged({ hostId: 5, name: 'e', addresses: ['198.18.0.100'] }));
    wire.inject(forged({ hostId: 6, name: 'b', addresses: ['198.18.0.6'] }));
    wire.inject(forged({ hostId: 7, name: 'a', addresses: ['198.18.0.7'] }));
    wire.inject(forged({ hostId: a.m.hostId, name: 'f', addresses: ['198.18.0.8'] }));
    expect(a.engine.cluster).toBe(before);
    expect(a.events.filter((e) => e.type !== 'dropped')).toEqual([]);
    expect(a.m.stats().dropped).toEqual({ 'address-claimed': 3, 'name-claimed': 2, 'own-host-id': 1 });
    expect(learnedMac(a.engine, '198.18.0.2', '198.18.0.1')).toBe('03bfc6120002');
    void b;
  });
  test('another cluster; a multicast Ethernet source and 0x886F from the local stack, dropped by the engine', () => {
    const { a, before } = pair();
    wire.inject(
      forged({ hostId: 3, name: 'c', addresses: ['198.18.0.3'], clusterMac: Uint8Array.of(2, 0xbf, 0, 0, 0, 1) }),
    );
    const m = forged({ hostId: 4, name: 'd', addresses: ['198.18.0.4'] });
    m[6] = 0x03;
    wire.inject(m);
    expect(reasonId(a.engine.reason)).toBe('frame.multicast-source');
    expect(a.m.process(forged({ hostId: 5, name: 'e', addresses: ['198.18.0.5'] }), Direction.Outbound)).toBe(
      Verdict.Drop,
    );
    expect(reasonId(a.engine.reason)).toBe('heartbeat.from-stack');
    expect(a.engine.cluster).toBe(before);
    expect(a.m.stats().dropped).toEqual({ 'other-cluster': 1 });
  });
  test('dropped heartbeats are not signs of life: a member whose heartbeats are all forged away still leaves', () => {
    const { a, b } = pair();
    b.up = false;
    b.m.stop();
    for (let i = 0; i < 8; i++) {
      clock.advance(P);
      wire.inject(
        forged(
          { hostId: b.m.hostId, name: 'b', addresses: ['198.18.0.2'] },
          new TextEncoder().encode('not the cluster key, 0123456789'),
        ),
      );
    }
    expect(names(a)).toEqual(['a']);
  });
});

describe('refused: dedicated MAC collision', () => {
  test('a member whose address maps to a dedicated MAC already in use is not admitted; the others keep working; logged once', () => {
    const a = wire.add('a', ['198.18.0.1']);
    const b = wire.add('b', ['198.18.0.2']);
    // fd00::c612:2 -> ipv6-low32 -> 03-bf-c6-12-00-02, b's dedicated MAC
    const c = wire.add('c', ['fd00::c612:2']);
    a.m.start();
    b.m.start();
    clock.advance(100);
    c.m.start();
    clock.advance(3 * P);
    expect(names(a)).toEqual(['a', 'b']);
    const refused = of(a, 'refused');
    expect(refused.length).toBe(1);
    expect(refused[0]).toMatchObject({ name: 'c', hostId: c.m.hostId, addresses: ['fd00::c612:2'], at: 100 });
    expect(refused[0].type === 'refused' && refused[0].reason).toMatch(/03-bf-c6-12-00-02 collides/);
    expect(a.m.stats().refused).toBe(4); // c's heartbeats at 100, 1100, 2100, 3100
    expect(learnedMac(a.engine, '198.18.0.2', '198.18.0.1')).toBe('03bfc6120002');
  });
});

describe('static hosts', () => {
  test('staticHosts (default): listed hosts are permanent beside live ones; a heartbeat cannot take their name or address', () => {
    const a = wire.add('a', ['198.18.0.1'], { hosts: [{ name: 's', addresses: ['198.18.0.50'] }] });
    const b = wire.add('b', ['198.18.0.2']);
    a.m.start();
    b.m.start();
    clock.advance(20 * P);
    expect(names(a)).toEqual(['a', 's', 'b']);
    wire.inject(forged({ hostId: 3, name: 's', addresses: ['198.18.0.3'] }));
    wire.inject(forged({ hostId: 4, name: 'd', addresses: ['198.18.0.50'] }));
    expect(a.m.stats().dropped).toEqual({ 'name-claimed': 1, 'address-claimed': 1 });
    expect(learnedMac(a.engine, '198.18.0.50', '198.18.0.1')).toBe('03bfc6120032');
  });
  test('staticHosts false: listed hosts are initial members, kept by their heartbeats, dropped without them', () => {
    const hosts = [
      { name: 'b', addresses: ['198.18.0.2'] },
      { name: 'gone', addresses: ['198.18.0.9'] },
    ];
    const a = wire.add('a', ['198.18.0.1'], { hosts, heartbeat: { staticHosts: false } });
    const b = wire.add('b', ['198.18.0.2']);
    expect(names(a)).toEqual(['a', 'b', 'gone']);
    a.m.start();
    b.m.start();
    clock.advance(10 * P);
    expect(names(a)).toEqual(['a', 'b']);
    expect(of(a, 'join')).toEqual([]); // b was adopted, not joined
    expect(of(a, 'leave')).toEqual([
      {
        type: 'leave',
        hostId: 0,
        name: 'gone',
        addresses: ['198.18.0.9'],
        at: 5500,
        reason: 'timeout',
        silentMs: 5500,
      },
    ]);
    expect(a.m.liveMembers()).toEqual([{ hostId: b.m.hostId, name: 'b', addresses: ['198.18.0.2'] }]);
  });
});

describe('reconfigure and engine delegation', () => {
  test('non-heartbeat frames go to the engine unchanged in meaning', () => {
    const a = wire.add('a', ['198.18.0.1'], { hosts: [{ name: 's', addresses: ['198.18.0.50'] }] });
    const f1 = arpFrom('198.18.0.50', '198.18.0.1');
    const f2 = Uint8Array.from(f1);
    const bare = factory.create(a.engine.cluster.config, 'a');
    expect(a.m.process(f1, Direction.Inbound)).toBe(bare.process(f2, Direction.Inbound));
    expect(Buffer.from(f1).equals(Buffer.from(f2))).toBe(true);
  });
  test('a local reconfiguration that takes a live member\'s address displaces it (leave "reconfigured")', () => {
    const a = wire.add('a', ['198.18.0.1']);
    const b = wire.add('b', ['198.18.0.2']);
    a.m.start();
    b.m.start();
    clock.advance(P / 2);
    a.m.reconfigure(
      parseConfig({
        clusterMac: CLUSTER,
        hosts: [
          { name: 'a', addresses: ['198.18.0.1'] },
          { name: 's', addresses: ['198.18.0.2'] },
        ],
        heartbeat: { keyEnv: 'UNUSED', periodMs: P },
      }),
    );
    expect(of(a, 'leave')).toMatchObject([{ name: 'b', reason: 'reconfigured' }]);
    expect(names(a)).toEqual(['a', 's']);
  });
  test('an invalid reconfiguration changes nothing', () => {
    const a = wire.add('a', ['198.18.0.1']);
    const before = a.engine.cluster;
    expect(() =>
      a.m.reconfigure(
        parseConfig({
          clusterMac: CLUSTER,
          hosts: [{ name: 'z', addresses: ['198.18.0.1'] }],
          heartbeat: { keyEnv: 'UNUSED' },
        }),
      ),
    ).toThrow(/"a" is not a host/);
    expect(a.engine.cluster).toBe(before);
  });
  test('a listener that throws does not stop the layer', async () => {
    const a = wire.add('a', ['198.18.0.1']);
    const b = wire.add('b', ['198.18.0.2']);
    const errors: unknown[] = [];
    const orig = queueMicrotask;
    (globalThis as { queueMicrotask: typeof queueMicrotask }).queueMicrotask = (fn) => {
      try {
        fn();
      } catch (e) {
        errors.push(e);
      }
    };
    try {
      a.m.on('join', () => {
        throw new Error('listener bug');
      });
      a.m.start();
      b.m.start();
      expect(names(a)).toEqual(['a', 'b']);
      expect(of(a, 'join').length).toBe(1);
      expect(errors).toEqual([new Error('listener bug')]);
    } finally {
      (globalThis as { queueMicrotask: typeof queueMicrotask }).queueMicrotask = orig;
    }
  });
  test('heartbeats are sent every period with rising sequence numbers; stop sends no more', () => {
    const a = wire.add('a', ['198.18.0.1']);
    a.m.start();
    clock.advance(4 * P);
    a.m.stop();
    clock.advance(4 * P);
    const seqs = wire.captured.map((c) => Buffer.from(c.frame).readBigUInt64BE(14 + 52));
    expect(seqs.length).toBe(5); // 0, 1000, 2000, 3000, 4000
    expect(seqs.map((s) => s - seqs[0])).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(seqs[0]).toBe(BigInt(clock.wallMs() - 8 * P) * 1000n);
    expect(clock.pending).toBe(0);
  });
});
