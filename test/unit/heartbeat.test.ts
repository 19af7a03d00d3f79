import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { parseHostAddress } from '../../src/address';
import { FrameError } from '../../src/errors';
import {
  HB_FRAME_LEN,
  HB_PAYLOAD_LEN,
  Heartbeat,
  checkHeartbeatHeader,
  decodeHeartbeat,
  encodeHeartbeatFrame,
  heartbeatPayloadOffset,
  signHeartbeat,
  sourceMac,
  verifyHeartbeat,
} from '../../src/membership';

const key = new TextEncoder().encode('heartbeat unit test key 0123456789');
const hb: Heartbeat = {
  hostId: 0x0a0b0c0d,
  name: 'host1',
  sequence: 0x0102030405060708n,
  periodMs: 1000,
  clusterMac: Uint8Array.of(0x02, 0xbf, 0xaa, 0xbb, 0xcc, 0xdd),
  clusterIp: Uint8Array.of(12, 12, 4, 100),
  addresses: [parseHostAddress('2001:db8::65', 'a'), parseHostAddress('12.12.4.101', 'b')],
};

function signed(h: Heartbeat = hb): Uint8Array {
  const f = new Uint8Array(HB_FRAME_LEN);
  encodeHeartbeatFrame(h, f);
  signHeartbeat(f.subarray(14), key);
  return f;
}

// The first 200 bytes of the frame of `hb`, one field per line (docs/heartbeat.md).
const HEAD = [
  'ffffffffffff', // Ethernet destination: broadcast
  '02000a0b0c0d', // Ethernet source: 02-00 + host ID
  '886f', // EtherType: MS NLB heartbeat
  'bf01dec0', // 0 signature 0xC0DE01BF, little-endian
  '00014349', // 4 version 0x49430100 LE ("1.0", "IC")
  '0d0c0b0a', // 8 unique host ID LE
  '0c0c0464', // 12 cluster IP 12.12.4.100
  '0c0c0465', // 16 host IP: first IPv4 of the list
  '00'.repeat(24), // 20 NLB convergence fields: zero
  '49434842', // 44 "ICHB"
  '01', // 48 extension version
  '00', // 49 flags
  '05', // 50 name length
  '02', // 51 address count
  '0102030405060708', // 52 sequence, big-endian
  '000003e8', // 60 period 1000 ms
  '02bfaabbccdd', // 64 cluster MAC
  '0000', // 70 reserved
  '686f737431' + '00'.repeat(59), // 72 name "host1", zero padded to 64
  '06' + '20010db8000000000000000000000065', // 136 IPv6 2001:db8::65
  '04' + '0c0c0465', // 153 IPv4 12.12.4.101
].join('');

describe('heartbeat frame: construct', () => {
  test('fields at the documented offsets; zeros up to the authenticator; HMAC-SHA256 of payload[0..1464)', () => {
    const f = signed();
    const hex = Buffer.from(f).toString('hex');
    expect(hex.slice(0, HEAD.length)).toBe(HEAD);
    expect(f.length).toBe(1510);
    expect(f.subarray(14 + 158, 14 + 1464).every((b) => b === 0)).toBe(true);
    const mac = createHmac('sha256', key)
      .update(f.subarray(14, 14 + 1464))
      .digest();
    expect(Buffer.from(f.subarray(14 + 1464)).equals(mac)).toBe(true);
  });
  test('source is never a group address, for every host ID byte pattern', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 0xffffffff }), (id) => (sourceMac(id)[0] & 1) === 0));
  });
  test('the encoder refuses what it cannot encode (FrameError, not a bad frame)', () => {
    const bad: Partial<Heartbeat>[] = [
      { hostId: 0 },
      { hostId: 2 ** 32 },
      { name: 'no spaces' },
      { name: 'x'.repeat(64) },
      { addresses: [] },
      { addresses: Array.from({ length: 65 }, (_, i) => parseHostAddress(`198.18.1.${i + 1}`, 'x')) },
      { sequence: 0n },
      { sequence: 1n << 64n },
      { periodMs: 9 },
      { clusterMac: new Uint8Array(5) },
    ];
    for (const b of bad) expect(() => encodeHeartbeatFrame({ ...hb, ...b })).toThrow(FrameError);
    expect(() => encodeHeartbeatFrame(hb, new Uint8Array(HB_FRAME_LEN - 1))).toThrow(FrameError);
  });
});

describe('heartbeat frame: deconstruct', () => {
  test('decode(encode(x)) = x', () => {
    const d = decodeHeartbeat(signed().subarray(14));
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.heartbeat.hostId).toBe(hb.hostId);
    expect(d.heartbeat.name).toBe('host1');
    expect(d.heartbeat.sequence).toBe(hb.sequence);
    expect(d.heartbeat.periodMs).toBe(1000);
    expect(Array.from(d.heartbeat.clusterMac)).toEqual(Array.from(hb.clusterMac));
    expect(Array.from(d.heartbeat.clusterIp)).toEqual([12, 12, 4, 100]);
    expect(d.heartbeat.addresses.map((a) => a.text)).toEqual(['2001:db8::65', '12.12.4.101']);
  });
  test('the payload is found after VLAN tags', () => {
    const f = signed();
    const tagged = new Uint8Array(f.length + 4);
    tagged.set(f.subarray(0, 12), 0);
    tagged.set([0x81, 0x00, 0x00, 0x05], 12);
    tagged.set(f.subarray(12), 16);
    expect(heartbeatPayloadOffset(tagged, tagged.length)).toBe(18);
    expect(verifyHeartbeat(tagged.subarray(18), key)).toBe(true);
    expect(heartbeatPayloadOffset(f, 13)).toBe(-1);
    f[13] = 0x6e; // EtherType 0x886E
    expect(heartbeatPayloadOffset(f, f.length)).toBe(-1);
  });
  test('every truncation and every extension is refused by length, never by an exception', () => {
    const p = signed().subarray(14);
    for (let n = 0; n < HB_PAYLOAD_LEN; n++) {
      const d = decodeHeartbeat(p.subarray(0, n));
      expect(d.ok ? 'ok' : d.reason).toBe('truncated');
      expect(checkHeartbeatHeader(p.subarray(0, n))).toBe('truncated');
      expect(verifyHeartbeat(p.subarray(0, n), key)).toBe(false);
    }
    for (const extra of [1, 2, 100, 9000]) {
      const big = new Uint8Array(HB_PAYLOAD_LEN + extra);
      big.set(p);
      const d = decodeHeartbeat(big);
      expect(d.ok ? 'ok' : d.reason).toBe('oversized');
      expect(verifyHeartbeat(big, key)).toBe(false);
    }
  });
  test('flipping any single bit of the payload fails authentication', () => {
    const p = signed().subarray(14);
    for (let i = 0; i < HB_PAYLOAD_LEN; i++) {
      const bit = 1 << (i % 8);
      p[i] ^= bit;
      if (verifyHeartbeat(p, key)) throw new Error(`byte ${i} bit ${bit} flipped and still authentic`);
      p[i] ^= bit;
    }
    expect(verifyHeartbeat(p, key)).toBe(true);
  });
  test('another key fails authentication', () => {
    expect(verifyHeartbeat(signed().subarray(14), new TextEncoder().encode('heartbeat unit test key 0123456788'))).toBe(
      false,
    );
  });
  test('junk never throws: random payloads of any length, and random bytes over a valid frame', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 1600 }), (b) => {
        const d = decodeHeartbeat(b);
        verifyHeartbeat(b, key);
        checkHeartbeatHeader(b, hb.clusterMac);
        return d.ok === false || b.length === HB_PAYLOAD_LEN;
      }),
      { numRuns: 300 },
    );
    const base = signed().subarray(14);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: HB_PAYLOAD_LEN - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (edits) => {
          const p = Uint8Array.from(base);
          for (const [i, v] of edits) p[i] = v;
          const d = decodeHeartbeat(p);
          return typeof d.ok === 'boolean';
        },
      ),
      { numRuns: 500 },
    );
  });
});
