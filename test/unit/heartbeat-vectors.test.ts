import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Mac } from '../../src/mac';
import {
  checkHeartbeatHeader,
  decodeHeartbeat,
  encodeHeartbeatFrame,
  HB_FRAME_LEN,
  heartbeatPayloadOffset,
  signHeartbeat,
  verifyHeartbeat,
} from '../../src/membership';
import { parseHostAddress } from '../../src/address';
import { VECTOR_KEY, VectorFields } from '../vectors/heartbeat-assemble';
import { HeartbeatVector, VECTOR_CLUSTER_MAC } from '../vectors/heartbeat';

/**
 * Heartbeat golden vectors (docs/heartbeat.md, "Vectors"): our own format, one JSON object per line,
 * because heartbeats are consumed, not rewritten, so the engine's vector format (verdict + output
 * frame) does not fit. Frames come from an independent writer (test/vectors/heartbeat-assemble.ts);
 * `npm run vectors` writes the file and test/vectors.test.ts checks it matches its case list.
 */
const FILE = join(__dirname, '../golden/heartbeat/vectors.jsonl');

const vectors: HeartbeatVector[] = readFileSync(FILE, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));

const key = new TextEncoder().encode(VECTOR_KEY);
const clusterMac = Mac.parse(VECTOR_CLUSTER_MAC).bytes;

/** The receiver's pipeline (as Membership runs it): cheap checks, HMAC, then the full decode. */
function receive(frame: Uint8Array): { reason: string; detail?: string } | { fields: VectorFields } {
  const off = heartbeatPayloadOffset(frame, frame.length);
  if (off < 0) return { reason: 'not-heartbeat' };
  const p = frame.subarray(off);
  const head = checkHeartbeatHeader(p, clusterMac);
  if (head) return { reason: head };
  if (!verifyHeartbeat(p, key)) return { reason: 'bad-authenticator' };
  const d = decodeHeartbeat(p);
  if (!d.ok) return { reason: d.reason, detail: d.detail };
  const h = d.heartbeat;
  return {
    fields: {
      hostId: h.hostId,
      name: h.name,
      sequence: h.sequence.toString(),
      periodMs: h.periodMs,
      clusterMac: Mac.fromBytes(h.clusterMac).toString(),
      clusterIp: Array.from(h.clusterIp).join('.'),
      addresses: h.addresses.map((a) => [a.family, a.text]),
    },
  };
}

describe('heartbeat vectors file', () => {
  test('valid and invalid vectors are both present, names unique', () => {
    expect(vectors.filter((v) => 'fields' in v.expect).length).toBeGreaterThanOrEqual(4);
    expect(vectors.filter((v) => 'reason' in v.expect).length).toBeGreaterThanOrEqual(20);
    expect(new Set(vectors.map((v) => v.name)).size).toBe(vectors.length);
  });
});

describe.each(vectors.map((v) => [v.name, v] as const))('vector %s', (_name, v) => {
  const frame = Uint8Array.from(Buffer.from(v.frame, 'hex'));
  test(`receiver reads: ${'reason' in v.expect ? v.expect.reason : 'valid'}`, () => {
    const r = receive(frame);
    if ('reason' in v.expect && 'reason' in r) {
      expect(r.reason).toBe(v.expect.reason);
      // the decoder's detail must name the field the vector breaks
      if (v.expect.detail !== undefined) expect(r.detail).toContain(v.expect.detail);
      else expect(r.detail).toBeUndefined();
    } else expect(r).toEqual(v.expect);
  });
  if ('fields' in v.expect) {
    const f = v.expect.fields;
    test('the encoder writes the same bytes (at a non-zero offset in a 0xa5-filled buffer)', () => {
      const out = new Uint8Array(HB_FRAME_LEN + 20).fill(0xa5);
      const n = encodeHeartbeatFrame(
        {
          hostId: f.hostId,
          name: f.name,
          sequence: BigInt(f.sequence),
          periodMs: f.periodMs,
          clusterMac: Mac.parse(f.clusterMac).bytes,
          clusterIp: Uint8Array.from(f.clusterIp.split('.').map(Number)),
          addresses: f.addresses.map(([, t]) => parseHostAddress(t, 'vector')),
        },
        out,
        7,
      );
      expect(n).toBe(HB_FRAME_LEN);
      signHeartbeat(out.subarray(7 + 14, 7 + n), key);
      expect(Buffer.from(out.subarray(7, 7 + n)).toString('hex')).toBe(v.frame);
      expect(out[6]).toBe(0xa5);
      expect(out[7 + n]).toBe(0xa5);
    });
  }
});
