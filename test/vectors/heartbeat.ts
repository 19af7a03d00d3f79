import { VECTOR_KEY, VectorFields, assemble, resign } from './heartbeat-assemble';

/**
 * The heartbeat vectors: test/golden/heartbeat/vectors.jsonl, one JSON object per line, is written
 * from this list by `npm run vectors` (test/vectors.test.ts fails when the file and this list
 * disagree). Expected results are written here by hand.
 * Addresses 12.12.4.x and 2001:db8:: are for byte vectors only.
 */
export const VECTOR_CLUSTER_MAC = '02-bf-aa-bb-cc-dd';

export interface VectorCase {
  name: string;
  description: string;
  frame: Buffer;
  /** the decoded fields (valid vectors) */
  fields?: VectorFields;
  /** the drop reason (invalid vectors), as the receiver's pipeline gives it */
  reason?: string;
  /** for "malformed": a substring of the decoder's detail, naming the field at fault */
  detail?: string;
}

const host1: VectorFields = {
  hostId: 0x0c0c0465,
  name: 'host1',
  sequence: '1700000000000000',
  periodMs: 1000,
  clusterMac: VECTOR_CLUSTER_MAC,
  clusterIp: '12.12.4.100',
  addresses: [[4, '12.12.4.101']],
};
const host2: VectorFields = {
  hostId: 4000000002,
  name: 'host2.example',
  sequence: '1700000000123456',
  periodMs: 250,
  clusterMac: VECTOR_CLUSTER_MAC,
  clusterIp: '12.12.4.100',
  addresses: [
    [6, '2001:db8::66'],
    [4, '12.12.4.102'],
    [6, '2001:db8:0:1::102'],
  ],
};
const v6only: VectorFields = {
  hostId: 0xffffffff,
  name: 'h3',
  sequence: '18446744073709551615',
  periodMs: 60000,
  clusterMac: VECTOR_CLUSTER_MAC,
  clusterIp: '0.0.0.0',
  addresses: [[6, '2001:db8::3']],
};
const many: VectorFields = {
  hostId: 7,
  name: 'x'.repeat(63),
  sequence: '1',
  periodMs: 10,
  clusterMac: VECTOR_CLUSTER_MAC,
  clusterIp: '12.12.4.100',
  addresses: Array.from({ length: 64 }, (_, i) => [6, `2001:db8::${(i + 1).toString(16)}`] as [6, string]),
};

/** A copy of a valid frame changed by `f`, re-signed so only the change is wrong. */
function mutate(fields: VectorFields, f: (payload: Buffer) => void, sign = true): Buffer {
  const b = assemble(fields);
  f(b.subarray(14));
  return sign ? resign(b) : b;
}

export const CASES: VectorCase[] = [
  {
    name: '001-ipv4',
    description: 'one IPv4 address: NLB host IP = that address',
    frame: assemble(host1),
    fields: host1,
  },
  {
    name: '002-mixed',
    description: 'IPv6 first, then IPv4, then IPv6: NLB host IP = the first IPv4 address; host ID above 2^31',
    frame: assemble(host2),
    fields: host2,
  },
  {
    name: '003-ipv6-only',
    description: 'IPv6 only: NLB host IP and cluster IP 0.0.0.0; largest host ID, sequence and period',
    frame: assemble(v6only),
    fields: v6only,
  },
  {
    name: '004-limits',
    description: '64 addresses (the limit) and a 63-character name; smallest sequence and period',
    frame: assemble(many),
    fields: many,
  },

  {
    name: '101-truncated',
    description: 'payload cut to 1495 bytes',
    frame: assemble(host1).subarray(0, 1509),
    reason: 'truncated',
  },
  {
    name: '102-truncated-nlb-header',
    description: 'only the 20-byte NLB common header',
    frame: assemble(host1).subarray(0, 34),
    reason: 'truncated',
  },
  {
    name: '103-oversized',
    description: 'payload of 1497 bytes',
    frame: Buffer.concat([assemble(host1), Buffer.alloc(1)]),
    reason: 'oversized',
  },
  {
    name: '104-foreign-nlb',
    description: 'a Microsoft NLB heartbeat (version 2.4, no extension)',
    frame: mutate(
      host1,
      (p) => {
        p.writeUInt32LE(0x0204, 4);
        p.fill(0, 20);
      },
      false,
    ),
    reason: 'not-intracluster',
  },
  {
    name: '105-bad-magic',
    description: 'extension magic "ICHC"',
    frame: mutate(host1, (p) => p.write('ICHC', 44, 'latin1')),
    reason: 'not-intracluster',
  },
  {
    name: '106-other-cluster',
    description: 'authentic for cluster MAC 02-bf-00-00-00-01',
    frame: assemble({ ...host1, clusterMac: '02-bf-00-00-00-01' }),
    reason: 'other-cluster',
  },
  {
    name: '107-flipped-sequence',
    description: 'one bit of the sequence flipped after signing',
    frame: mutate(host1, (p) => (p[59] ^= 1), false),
    reason: 'bad-authenticator',
  },
  {
    name: '108-wrong-key',
    description: 'signed under another key',
    frame: assemble(host1, VECTOR_KEY + '!'),
    reason: 'bad-authenticator',
  },
  {
    name: '109-flipped-authenticator',
    description: 'last byte of the HMAC flipped',
    frame: mutate(host1, (p) => (p[1495] ^= 0x80), false),
    reason: 'bad-authenticator',
  },
  {
    name: '110-name-empty',
    description: 'name length 0',
    frame: mutate(host1, (p) => {
      p.fill(0, 50, 51).fill(0, 72, 77);
    }),
    reason: 'malformed',
    detail: 'name length 0',
  },
  {
    name: '111-name-64',
    description: 'name length 64',
    frame: mutate(host1, (p) => p.writeUInt8(64, 50)),
    reason: 'malformed',
    detail: 'name length 64',
  },
  {
    name: '112-name-char',
    description: 'name "host/"',
    frame: mutate(host1, (p) => p.write('host/', 72, 'latin1')),
    reason: 'malformed',
    detail: 'not a host name',
  },
  {
    name: '113-family-5',
    description: 'address family 5',
    frame: mutate(host1, (p) => p.writeUInt8(5, 136)),
    reason: 'malformed',
    detail: 'family 5',
  },
  {
    name: '114-count-0',
    description: 'no address',
    frame: mutate(host1, (p) => {
      p.writeUInt8(0, 51);
      p.fill(0, 136, 141).fill(0, 16, 20);
    }),
    reason: 'malformed',
    detail: 'address count 0',
  },
  {
    name: '115-count-65',
    description: 'address count 65',
    frame: mutate(host1, (p) => p.writeUInt8(65, 51)),
    reason: 'malformed',
    detail: 'address count 65',
  },
  {
    name: '116-count-beyond-list',
    description: 'address count 2, one entry: the second reads family 0',
    frame: mutate(host1, (p) => p.writeUInt8(2, 51)),
    reason: 'malformed',
    detail: 'address 1: family 0',
  },
  {
    name: '117-trailing-byte',
    description: 'a non-zero byte after the address list',
    frame: mutate(host1, (p) => p.writeUInt8(1, 1463)),
    reason: 'malformed',
    detail: 'byte 1463',
  },
  {
    name: '118-host-ip-mismatch',
    description: 'NLB host IP 12.12.4.102, list says 12.12.4.101',
    frame: mutate(host1, (p) => p.writeUInt8(102, 19)),
    reason: 'malformed',
    detail: 'NLB host IP',
  },
  {
    name: '119-period-5',
    description: 'period 5 ms',
    frame: mutate(host1, (p) => p.writeUInt32BE(5, 60)),
    reason: 'malformed',
    detail: 'period 5 ms',
  },
  {
    name: '120-multicast-address',
    description: 'address 224.0.0.1',
    frame: mutate({ ...host1, addresses: [[4, '224.0.0.1']] }, () => undefined),
    reason: 'malformed',
    detail: 'multicast',
  },
  {
    name: '121-duplicate-address',
    description: 'the same address twice',
    frame: mutate(
      {
        ...host1,
        addresses: [
          [4, '12.12.4.101'],
          [4, '12.12.4.101'],
        ],
      },
      () => undefined,
    ),
    reason: 'malformed',
    detail: 'listed twice',
  },
  {
    name: '122-nlb-convergence',
    description: 'NLB convergence state 1 (bytes 20..43 must be zero)',
    frame: mutate(host1, (p) => p.writeUInt16LE(1, 24)),
    reason: 'malformed',
    detail: 'convergence byte 24',
  },
  {
    name: '123-host-id-0',
    description: 'host ID 0',
    frame: mutate(host1, (p) => p.writeUInt32LE(0, 8)),
    reason: 'malformed',
    detail: 'host ID 0',
  },
  {
    name: '124-sequence-0',
    description: 'sequence 0',
    frame: mutate(host1, (p) => p.writeBigUInt64BE(0n, 52)),
    reason: 'malformed',
    detail: 'sequence 0',
  },
  {
    name: '125-flags',
    description: 'flags 0x01',
    frame: mutate(host1, (p) => p.writeUInt8(1, 49)),
    reason: 'malformed',
    detail: 'flags',
  },
  {
    name: '126-loopback',
    description: 'address 127.0.0.1',
    frame: mutate({ ...host1, addresses: [[4, '127.0.0.1']] }, () => undefined),
    reason: 'malformed',
    detail: 'loopback',
  },
];

/** One line of vectors.jsonl. */
export interface HeartbeatVector {
  name: string;
  description: string;
  frame: string;
  expect: { fields: VectorFields } | { reason: string; detail?: string };
}

export function heartbeatVectors(): HeartbeatVector[] {
  return CASES.map((c) => ({
    name: c.name,
    description: c.description,
    frame: c.frame.toString('hex'),
    expect: c.fields
      ? { fields: c.fields }
      : c.detail
        ? { reason: c.reason!, detail: c.detail }
        : { reason: c.reason! },
  }));
}

export function files(): Map<string, string> {
  return new Map([
    [
      'heartbeat/vectors.jsonl',
      heartbeatVectors()
        .map((v) => JSON.stringify(v))
        .join('\n') + '\n',
    ],
  ]);
}
