import { IpAddress, formatAddress, parseHostAddress } from '../address';
import { ConfigError, FrameError } from '../errors';
import { ETH_HEADER_LEN, EtherType, etherTypeOffset, readU16, writeU16 } from '../frame/ethernet';

/**
 * The heartbeat frame (docs/heartbeat.md has the byte table). Ethernet II, EtherType 0x886F, a
 * payload of exactly 1496 bytes: the size of Microsoft NLB's membership heartbeat, so Wireshark's
 * `msnlb` dissector reads the whole frame without running off its end. Bytes 0..19 are NLB's common
 * header (signature, version, unique host ID, cluster IP, host IP; little-endian as NLB writes them,
 * addresses in network order); 20..43 are NLB's convergence fields, zero; from 44 our extension
 * (network byte order): sequence, period, cluster MAC, name, address list; zeros; at 1464 the
 * HMAC-SHA256 of bytes 0..1463. Offsets below are from the start of the payload.
 */
export const HbField = {
  // NLB common header (Wireshark packet-msnlb.c: dissect_msnlb)
  SIGNATURE: 0, // u32 LE, 0xC0DE01BF = NLB cluster membership heartbeat
  VERSION: 4, // u32 LE
  HOST_ID: 8, // u32 LE, NLB "unique host ID"
  CLUSTER_IP: 12, // 4 bytes, network order
  HOST_IP: 16, // 4 bytes, network order (NLB "dedicated IP")
  NLB_FIXED: 20, // 24 bytes: my/default host id, convergence state, port rule count, host code, packets handled, teaming, reserved
  // intracluster extension
  EXT_MAGIC: 44, // u32 BE "ICHB"
  EXT_VERSION: 48, // u8
  FLAGS: 49, // u8, zero
  NAME_LEN: 50, // u8
  ADDR_COUNT: 51, // u8
  SEQUENCE: 52, // u64 BE
  PERIOD_MS: 60, // u32 BE
  CLUSTER_MAC: 64, // 6 bytes
  RESERVED: 70, // 2 bytes, zero
  NAME: 72, // 64 bytes, ASCII, zero padded
  ADDRESSES: 136, // ADDR_COUNT x (family u8 = 4 | 6, then 4 | 16 bytes); zeros after the list
  AUTH: 1464, // 32 bytes HMAC-SHA256 over payload[0 .. AUTH)
} as const;

/** Payload length: NLB's membership heartbeat (20 + 24 + 33*4 + 4*33*8 + 33*4 + 33*4). */
export const HB_PAYLOAD_LEN = 1496;
export const HB_AUTH_LEN = 32;
/** An untagged heartbeat frame. */
export const HB_FRAME_LEN = ETH_HEADER_LEN + HB_PAYLOAD_LEN;
export const HB_SIGNATURE = 0xc0de01bf;
/** NLB-style version: "1.0" in Wireshark (bits 15..8 major, 7..0 minor); 0x4943 ("IC") above marks our format. */
export const HB_VERSION = 0x49430100;
export const HB_EXT_MAGIC = 0x49434842; // "ICHB"
export const HB_EXT_VERSION = 1;
export const HB_NAME_MAX = 63;
/** Fits (AUTH - ADDRESSES) / 17 = 78 IPv6 entries; 64 is the limit we promise. */
export const HB_MAX_ADDRESSES = 64;
export const HB_PERIOD_LIMITS = [10, 60000] as const;
export const BROADCAST_MAC = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
const HOST_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Why a heartbeat was dropped. Codes are stable (counters, events, vectors); texts are for logs. */
export const HB_DROP_TEXT = {
  truncated: 'truncated: shorter than the 1496-byte heartbeat payload',
  oversized: 'oversized: longer than the 1496-byte heartbeat payload',
  'not-intracluster':
    'not an intracluster heartbeat (NLB signature, version or extension magic differ: another NLB speaker?)',
  malformed: 'malformed: a field is out of range (name, address list, period, sequence, padding)',
  'other-cluster': 'for another cluster: cluster MAC differs from ours',
  'bad-authenticator':
    'bad authenticator: HMAC-SHA256 under the cluster key does not match (forged, corrupted, or another key)',
  replayed: 'replayed or old: sequence number not above the last one accepted from this host ID',
  'own-host-id': "carries this member's own host ID (a loop, or another member configured with the same ID)",
  'address-claimed': 'claims an address of another member, of this member or a virtual IP',
  'name-claimed': 'claims the name of another member',
  'source-mismatch': 'Ethernet source is not the one its host ID sends from (02-00 + host ID): forged',
  'rate-limited':
    'over the authentication budget of its host ID (or of never-seen host IDs): dropped before the HMAC (a flood)',
} as const;
export type HeartbeatDropReason = keyof typeof HB_DROP_TEXT;

/** A heartbeat's content (the Repr). */
export interface Heartbeat {
  /** NLB unique host ID: 1 .. 2^32-1, unique in the cluster. */
  readonly hostId: number;
  /** Member name (the config's host-name rule). */
  readonly name: string;
  /** Strictly increasing per host ID across restarts (docs/heartbeat.md: boot ms * 1000 + counter). */
  readonly sequence: bigint;
  readonly periodMs: number;
  readonly clusterMac: Uint8Array;
  /** NLB "cluster IP": the first IPv4 virtual IP, or 0.0.0.0. Informational. */
  readonly clusterIp: Uint8Array;
  /** The member's unicast addresses, IPv4 and IPv6, in its config order. */
  readonly addresses: readonly IpAddress[];
}

export type DecodeResult =
  | { readonly ok: true; readonly heartbeat: Heartbeat }
  | { readonly ok: false; readonly reason: HeartbeatDropReason; readonly detail: string };

function u32le(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}
function putU32le(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}
function u32be(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
function putU32be(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/**
 * Offset of the heartbeat payload in an Ethernet frame (after any VLAN tags), or -1 when the frame
 * is not EtherType 0x886F. For captures and tools: the datapaths take the offset from the engine's
 * dispatch (`Engine.l3Offset`), which walks the tags once.
 */
export function heartbeatPayloadOffset(frame: Uint8Array, length: number): number {
  const et = etherTypeOffset(frame, length);
  if (et < 0 || readU16(frame, et) !== EtherType.NLB_HEARTBEAT) return -1;
  return et + 2;
}

/**
 * The cheap checks, before any HMAC is computed: length, NLB signature and version, extension magic
 * and version, cluster MAC. Returns null or the drop reason. No allocation.
 */
export function checkHeartbeatHeader(p: Uint8Array, clusterMac?: Uint8Array): HeartbeatDropReason | null {
  return checkHeartbeatHeaderAt(p, 0, p.length, clusterMac);
}

/** `checkHeartbeatHeader` on the payload at b[off .. end), in place (no view is made). */
export function checkHeartbeatHeaderAt(
  b: Uint8Array,
  off: number,
  end: number,
  clusterMac?: Uint8Array,
): HeartbeatDropReason | null {
  const n = end - off;
  if (n < HB_PAYLOAD_LEN) return 'truncated';
  if (n > HB_PAYLOAD_LEN) return 'oversized';
  if (u32le(b, off + HbField.SIGNATURE) !== HB_SIGNATURE || u32le(b, off + HbField.VERSION) !== HB_VERSION)
    return 'not-intracluster';
  if (u32be(b, off + HbField.EXT_MAGIC) !== HB_EXT_MAGIC || b[off + HbField.EXT_VERSION] !== HB_EXT_VERSION)
    return 'not-intracluster';
  if (clusterMac) {
    for (let i = 0; i < 6; i++) if (b[off + HbField.CLUSTER_MAC + i] !== clusterMac[i]) return 'other-cluster';
  }
  return null;
}

/** NLB unique host ID of the payload at b[off..] (u32 LE), read in place. */
export function heartbeatHostIdAt(b: Uint8Array, off: number): number {
  return u32le(b, off + HbField.HOST_ID);
}

/** Whether the Ethernet source at frame[6..12) is `sourceMac(hostId)`, compared in place. */
export function isHeartbeatSourceOf(frame: Uint8Array, hostId: number): boolean {
  return (
    frame[6] === 0x02 &&
    frame[7] === 0x00 &&
    frame[8] === hostId >>> 24 &&
    frame[9] === ((hostId >>> 16) & 0xff) &&
    frame[10] === ((hostId >>> 8) & 0xff) &&
    frame[11] === (hostId & 0xff)
  );
}

/** High and low 32 bits of the sequence of the payload at b[off..] (u64 BE), read in place. */
export function heartbeatSequenceHighAt(b: Uint8Array, off: number): number {
  return u32be(b, off + HbField.SEQUENCE);
}
export function heartbeatSequenceLowAt(b: Uint8Array, off: number): number {
  return u32be(b, off + HbField.SEQUENCE + 4);
}

/**
 * Decodes a heartbeat payload (frame bytes after the EtherType, exactly 1496 of them). Bounds-checked;
 * never throws: junk gives `{ ok: false, reason, detail }`. Does not check the authenticator
 * (`verifyHeartbeat`) nor the sequence (the receiver's state).
 */
export function decodeHeartbeat(p: Uint8Array): DecodeResult {
  const bad = (reason: HeartbeatDropReason, detail: string): DecodeResult => ({ ok: false, reason, detail });
  const head = checkHeartbeatHeader(p);
  if (head === 'truncated' || head === 'oversized')
    return bad(head, `payload is ${p.length} bytes, a heartbeat has ${HB_PAYLOAD_LEN}`);
  if (head) return bad(head, 'signature, version or extension magic differ');
  const hostId = u32le(p, HbField.HOST_ID);
  if (hostId === 0) return bad('malformed', 'host ID 0');
  for (let i = HbField.NLB_FIXED; i < HbField.EXT_MAGIC; i++)
    if (p[i] !== 0) return bad('malformed', `NLB convergence byte ${i} is not zero`);
  if (p[HbField.FLAGS] !== 0 || p[HbField.RESERVED] !== 0 || p[HbField.RESERVED + 1] !== 0)
    return bad('malformed', 'flags or reserved bytes are not zero');
  const periodMs = u32be(p, HbField.PERIOD_MS);
  if (periodMs < HB_PERIOD_LIMITS[0] || periodMs > HB_PERIOD_LIMITS[1])
    return bad('malformed', `period ${periodMs} ms outside ${HB_PERIOD_LIMITS[0]}..${HB_PERIOD_LIMITS[1]}`);
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const sequence = dv.getBigUint64(HbField.SEQUENCE);
  if (sequence === 0n) return bad('malformed', 'sequence 0');
  const clusterMac = p.slice(HbField.CLUSTER_MAC, HbField.CLUSTER_MAC + 6);
  if ((clusterMac[0] & 1) === 1) return bad('malformed', 'cluster MAC is a group address');

  const nameLen = p[HbField.NAME_LEN];
  if (nameLen === 0 || nameLen > HB_NAME_MAX) return bad('malformed', `name length ${nameLen}`);
  let name = '';
  for (let i = 0; i < nameLen; i++) name += String.fromCharCode(p[HbField.NAME + i]);
  if (!HOST_NAME_RE.test(name)) return bad('malformed', 'name is not a host name (letters, digits, ".", "_", "-")');
  for (let i = HbField.NAME + nameLen; i < HbField.ADDRESSES; i++)
    if (p[i] !== 0) return bad('malformed', 'name padding is not zero');

  const count = p[HbField.ADDR_COUNT];
  if (count === 0 || count > HB_MAX_ADDRESSES)
    return bad('malformed', `address count ${count} (1..${HB_MAX_ADDRESSES})`);
  const addresses: IpAddress[] = [];
  const seen = new Set<string>();
  let off: number = HbField.ADDRESSES;
  for (let i = 0; i < count; i++) {
    const fam = p[off];
    const len = fam === 4 ? 4 : fam === 6 ? 16 : 0;
    if (len === 0) return bad('malformed', `address ${i}: family ${fam} (4 or 6)`);
    if (off + 1 + len > HbField.AUTH) return bad('malformed', `address ${i} runs into the authenticator`);
    const text = formatAddress(p.subarray(off + 1, off + 1 + len));
    let a: IpAddress;
    try {
      a = parseHostAddress(text, 'heartbeat');
    } catch (e) {
      return bad('malformed', `address ${i}: ${e instanceof ConfigError ? e.reason : String(e)}`);
    }
    if (seen.has(a.text)) return bad('malformed', `address ${a.text} listed twice`);
    seen.add(a.text);
    addresses.push(a);
    off += 1 + len;
  }
  for (let i = off; i < HbField.AUTH; i++)
    if (p[i] !== 0) return bad('malformed', `byte ${i} after the address list is not zero`);
  // NLB's host IP field repeats the first IPv4 address, so captures read right in Wireshark.
  const first4 = addresses.find((a) => a.family === 4);
  for (let i = 0; i < 4; i++)
    if (p[HbField.HOST_IP + i] !== (first4 ? first4.bytes[i] : 0))
      return bad('malformed', 'NLB host IP is not the first IPv4 address of the list');
  const clusterIp = p.slice(HbField.CLUSTER_IP, HbField.CLUSTER_IP + 4);
  return { ok: true, heartbeat: { hostId, name, sequence, periodMs, clusterMac, clusterIp, addresses } };
}

/**
 * Writes a heartbeat frame into out[offset ..): broadcast destination, source `sourceMac(hostId)`,
 * EtherType 0x886F, payload with the authenticator left zero (`signHeartbeat` fills it). Returns the
 * frame length. Throws FrameError for a heartbeat that cannot be encoded (a caller's mistake).
 */
export function encodeHeartbeatFrame(
  hb: Heartbeat,
  out: Uint8Array = new Uint8Array(HB_FRAME_LEN),
  offset = 0,
): number {
  if (offset < 0 || offset + HB_FRAME_LEN > out.length)
    throw new FrameError('heartbeat', 'buffer too small', offset, HB_FRAME_LEN, out.length - offset);
  if (!Number.isInteger(hb.hostId) || hb.hostId < 1 || hb.hostId > 0xffffffff)
    throw new FrameError('heartbeat', `host ID ${hb.hostId} outside 1..4294967295`);
  if (!HOST_NAME_RE.test(hb.name)) throw new FrameError('heartbeat', `"${hb.name}" is not a host name`);
  if (hb.addresses.length === 0 || hb.addresses.length > HB_MAX_ADDRESSES)
    throw new FrameError('heartbeat', `${hb.addresses.length} addresses (1..${HB_MAX_ADDRESSES})`);
  if (!(hb.sequence > 0n && hb.sequence < 1n << 64n))
    throw new FrameError('heartbeat', `sequence ${hb.sequence} outside 1..2^64-1`);
  if (!Number.isInteger(hb.periodMs) || hb.periodMs < HB_PERIOD_LIMITS[0] || hb.periodMs > HB_PERIOD_LIMITS[1])
    throw new FrameError('heartbeat', `period ${hb.periodMs} ms`);
  if (hb.clusterMac.length !== 6 || hb.clusterIp.length !== 4)
    throw new FrameError('heartbeat', 'cluster MAC is 6 bytes, cluster IP 4');
  const f = out.subarray(offset, offset + HB_FRAME_LEN);
  f.fill(0);
  f.set(BROADCAST_MAC, 0);
  f.set(sourceMac(hb.hostId), 6);
  writeU16(f, 12, EtherType.NLB_HEARTBEAT);
  const p = f.subarray(ETH_HEADER_LEN);
  putU32le(p, HbField.SIGNATURE, HB_SIGNATURE);
  putU32le(p, HbField.VERSION, HB_VERSION);
  putU32le(p, HbField.HOST_ID, hb.hostId);
  p.set(hb.clusterIp, HbField.CLUSTER_IP);
  const first4 = hb.addresses.find((a) => a.family === 4);
  if (first4) p.set(first4.bytes, HbField.HOST_IP);
  putU32be(p, HbField.EXT_MAGIC, HB_EXT_MAGIC);
  p[HbField.EXT_VERSION] = HB_EXT_VERSION;
  p[HbField.NAME_LEN] = hb.name.length;
  p[HbField.ADDR_COUNT] = hb.addresses.length;
  new DataView(p.buffer, p.byteOffset, p.byteLength).setBigUint64(HbField.SEQUENCE, hb.sequence);
  putU32be(p, HbField.PERIOD_MS, hb.periodMs);
  p.set(hb.clusterMac, HbField.CLUSTER_MAC);
  for (let i = 0; i < hb.name.length; i++) p[HbField.NAME + i] = hb.name.charCodeAt(i);
  let off: number = HbField.ADDRESSES;
  for (const a of hb.addresses) {
    p[off] = a.family;
    p.set(a.bytes, off + 1);
    off += 1 + a.bytes.length;
  }
  if (off > HbField.AUTH) throw new FrameError('heartbeat', 'address list does not fit');
  return HB_FRAME_LEN;
}

/**
 * Ethernet source of a member's heartbeats: 02-00 + the host ID (big-endian). Locally administered,
 * never a group address (IEEE 802.3), and one per member, like NLB's source masking (02-<host>-<IP>),
 * so a learning switch never learns the cluster MAC on a port from heartbeats.
 */
export function sourceMac(hostId: number): Uint8Array {
  return Uint8Array.of(
    0x02,
    0x00,
    (hostId >>> 24) & 0xff,
    (hostId >>> 16) & 0xff,
    (hostId >>> 8) & 0xff,
    hostId & 0xff,
  );
}
