import { createHmac } from 'node:crypto';
import { EthernetHeaderRepr } from '../../src/frame/build';
import { formatMac } from '../../src/mac';

/**
 * An independent writer of heartbeat frames, straight from the byte table of docs/heartbeat.md
 * (Node Buffer methods, no code of src/membership), so the vectors check the encoder and decoder
 * against a second implementation rather than against themselves. Only the Ethernet header comes
 * from the shared frame builders.
 */
export interface VectorFields {
  hostId: number;
  name: string;
  /** decimal text (JSON has no 64-bit integers) */
  sequence: string;
  periodMs: number;
  clusterMac: string;
  clusterIp: string;
  /** [family, text] */
  addresses: [4 | 6, string][];
}

export const VECTOR_KEY = 'intracluster test vector key - not a secret';

function ipBytes(family: 4 | 6, text: string): Buffer {
  if (family === 4) return Buffer.from(text.split('.').map(Number));
  // expand "::" by hand
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), 2 * i));
  return b;
}

/** The 1510-byte frame: Ethernet header, 1496-byte payload, HMAC under `key` (unless `sign` is false). */
export function assemble(f: VectorFields, key = VECTOR_KEY, sign = true): Buffer {
  const b = Buffer.alloc(1510);
  // Ethernet: broadcast destination; source 02-00-<host ID big-endian>; EtherType 0x886F
  const src = Buffer.alloc(6);
  src.writeUInt8(0x02, 0);
  src.writeUInt32BE(f.hostId, 2);
  EthernetHeaderRepr.emit({ dst: 'ff-ff-ff-ff-ff-ff', src: formatMac(src), etherType: 0x886f }, b, 0);
  const p = b.subarray(14);
  p.writeUInt32LE(0xc0de01bf, 0); // signature
  p.writeUInt32LE(0x49430100, 4); // version "IC" 1.0
  p.writeUInt32LE(f.hostId, 8); // unique host ID
  ipBytes(4, f.clusterIp).copy(p, 12);
  const first4 = f.addresses.find(([fam]) => fam === 4);
  if (first4) ipBytes(4, first4[1]).copy(p, 16); // host IP
  // 20..43: NLB convergence fields, zero
  p.write('ICHB', 44, 'latin1');
  p.writeUInt8(1, 48); // extension version
  p.writeUInt8(0, 49); // flags
  p.writeUInt8(f.name.length, 50);
  p.writeUInt8(f.addresses.length, 51);
  p.writeBigUInt64BE(BigInt(f.sequence), 52);
  p.writeUInt32BE(f.periodMs, 60);
  Buffer.from(f.clusterMac.replace(/[-:]/g, ''), 'hex').copy(p, 64);
  // 70..71 reserved
  p.write(f.name, 72, 'latin1');
  let off = 136;
  for (const [fam, text] of f.addresses) {
    p.writeUInt8(fam, off);
    ipBytes(fam, text).copy(p, off + 1);
    off += fam === 4 ? 5 : 17;
  }
  if (sign) createHmac('sha256', key).update(p.subarray(0, 1464)).digest().copy(p, 1464);
  return b;
}

/** Re-signs a payload after a mutation (for vectors that must fail a check after the HMAC). */
export function resign(frame: Buffer, key = VECTOR_KEY): Buffer {
  const p = frame.subarray(14);
  if (p.length >= 1496) createHmac('sha256', key).update(p.subarray(0, 1464)).digest().copy(p, 1464);
  return frame;
}
