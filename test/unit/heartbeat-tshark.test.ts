import { parseHostAddress } from '../../src/address';
import { formatMac } from '../../src/mac';
import { HB_FRAME_LEN, Heartbeat, encodeHeartbeatFrame, signHeartbeat } from '../../src/membership';
import { TsharkError, tsharkFields } from '../../src/testing';
import { CASES } from '../vectors/heartbeat';

/**
 * Wireshark's msnlb dissector as an independent reader of our heartbeats: the NLB fields it decodes
 * (signature, version, unique host ID, cluster IP, host IP) must equal what we encoded, the whole
 * 1496-byte payload must dissect without a malformed mark, and a truncated one must be marked.
 */
const FIELDS = [
  'frame.len',
  'eth.dst',
  'eth.src',
  'eth.type',
  'msnlb.signature',
  'msnlb.version',
  'msnlb.unique_host_id',
  'msnlb.cluster_ip',
  'msnlb.host_ip',
  'msnlb.my_host_ip',
  '_ws.malformed',
];

const key = new TextEncoder().encode('heartbeat tshark test key 0123456789');
const mk = (hostId: number, clusterIp: number[], addrs: string[], name = 'h1'): Heartbeat => ({
  hostId,
  name,
  sequence: 1700000000000000n + BigInt(hostId),
  periodMs: 1000,
  clusterMac: Uint8Array.of(0x02, 0xbf, 0xc6, 0x12, 0x00, 0x64),
  clusterIp: Uint8Array.from(clusterIp),
  addresses: addrs.map((a) => parseHostAddress(a, 'test')),
});
const encoded: Heartbeat[] = [
  mk(1, [198, 18, 0, 100], ['198.18.0.1']),
  mk(0x7fffffff, [198, 18, 0, 100], ['fd00::2', '198.18.0.2', '198.18.0.22'], 'member-2'),
  mk(0x80000000, [0, 0, 0, 0], ['fd00::3']),
  mk(0xfffffffe, [12, 12, 4, 100], ['12.12.4.101', '2001:db8::65']),
];

interface Row {
  what: string;
  bytes: Uint8Array;
  expect?: Record<string, string>;
  malformed: boolean;
}
const rows: Row[] = [];
for (const h of encoded) {
  const f = new Uint8Array(HB_FRAME_LEN);
  encodeHeartbeatFrame(h, f);
  signHeartbeat(f.subarray(14), key);
  const first4 = h.addresses.find((a) => a.family === 4);
  rows.push({
    what: `encoded host ID ${h.hostId}`,
    bytes: f,
    malformed: false,
    expect: {
      'frame.len': '1510',
      'eth.dst': 'ff:ff:ff:ff:ff:ff',
      'eth.src': formatMac(
        [0x02, 0x00, h.hostId >>> 24, (h.hostId >>> 16) & 0xff, (h.hostId >>> 8) & 0xff, h.hostId & 0xff],
        0,
        ':',
      ),
      'eth.type': '0x886f',
      'msnlb.signature': '0xc0de01bf',
      'msnlb.version': String(0x49430100),
      'msnlb.unique_host_id': String(h.hostId),
      'msnlb.cluster_ip': Array.from(h.clusterIp).join('.'),
      'msnlb.host_ip': first4 ? first4.text : '0.0.0.0',
      'msnlb.my_host_ip': '0',
    },
  });
}
for (const c of CASES) {
  const f = c.fields;
  rows.push({
    what: `vector ${c.name}`,
    bytes: c.frame,
    malformed: c.frame.length < HB_FRAME_LEN,
    expect: f && {
      'msnlb.signature': '0xc0de01bf',
      'msnlb.unique_host_id': String(f.hostId),
      'msnlb.cluster_ip': f.clusterIp,
      'msnlb.host_ip': f.addresses.find(([fam]) => fam === 4)?.[1] ?? '0.0.0.0',
    },
  });
}

let read: Record<string, string>[] = [];
let error: Error | undefined;

beforeAll(() => {
  try {
    read = tsharkFields(
      rows.map((r) => r.bytes),
      FIELDS,
    );
  } catch (e) {
    if (!(e instanceof TsharkError)) throw e;
    error = e.notFound ? new Error('tshark not found: run scripts/setup') : e;
  }
});

test('tshark reads one line per frame', () => {
  if (error) throw error;
  expect(read.length).toBe(rows.length);
});

describe.each(rows.map((r, i) => [r.what, i] as const))('%s', (_what, i) => {
  const row = rows[i];
  test(
    row.malformed ? 'tshark marks the truncated payload malformed' : 'the msnlb dissector reads the whole payload',
    () => {
      if (error) throw error;
      expect(read[i]['_ws.malformed'] !== '').toBe(row.malformed);
    },
  );
  if (row.expect) {
    test('msnlb fields read back as encoded', () => {
      if (error) throw error;
      const got: Record<string, string> = {};
      for (const k of Object.keys(row.expect!)) got[k] = read[i][k];
      expect(got).toEqual(row.expect);
    });
  }
});
