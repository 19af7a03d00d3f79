import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { KEY_FILE_LIMIT, readRegularFile } from '../bounded-file';
import { HeartbeatConfig } from '../config';
import { ConfigError } from '../errors';
import { HB_AUTH_LEN, HB_PAYLOAD_LEN, HbField } from './format';

/** Shortest cluster key accepted (128 bits); `openssl rand -hex 32` gives 64 bytes of text. */
export const MIN_KEY_BYTES = 16;

/**
 * Fills the authenticator: HMAC-SHA256 (RFC 2104, FIPS 180-4) under the cluster key over payload
 * bytes 0..1463, which hold the cluster MAC (the cluster's identity), the host ID, the sequence and
 * every address. `payload` is the 1496 bytes after the EtherType.
 */
export function signHeartbeat(payload: Uint8Array, key: Uint8Array): void {
  const mac = createHmac('sha256', key).update(payload.subarray(0, HbField.AUTH)).digest();
  payload.set(mac, HbField.AUTH);
}

/** True when the authenticator matches (constant-time comparison). Never throws. */
export function verifyHeartbeat(payload: Uint8Array, key: Uint8Array): boolean {
  if (payload.length !== HB_PAYLOAD_LEN) return false;
  const mac = createHmac('sha256', key).update(payload.subarray(0, HbField.AUTH)).digest();
  return timingSafeEqual(mac, payload.subarray(HbField.AUTH, HbField.AUTH + HB_AUTH_LEN));
}

/**
 * Reads the cluster key named by the config: the bytes of `keyFile` (one trailing newline removed,
 * so `openssl rand -hex 32 > key` works), or the value of the environment variable `keyEnv`. The
 * key bytes are used as they are (no hex decoding). ConfigError for a missing, short, empty or
 * world-readable key file, and for one that is not a regular file of at most KEY_FILE_LIMIT bytes.
 */
export function loadClusterKey(hb: HeartbeatConfig, env: NodeJS.ProcessEnv = process.env): Uint8Array {
  let key: Uint8Array;
  let where: string;
  if (hb.keyFile !== undefined) {
    where = 'heartbeat.keyFile';
    // a regular file of at most KEY_FILE_LIMIT bytes, read without blocking (not /dev/zero, not a FIFO)
    const { bytes, stat: st } = readRegularFile(hb.keyFile, KEY_FILE_LIMIT, where, 'the key file');
    if ((st.mode & 0o004) !== 0)
      throw new ConfigError(
        where,
        `${hb.keyFile} is readable by every user: chmod o-r it (the cluster key lets anyone forge heartbeats)`,
      );
    key = stripNewline(bytes);
  } else if (hb.keyEnv !== undefined) {
    where = 'heartbeat.keyEnv';
    const v = env[hb.keyEnv];
    if (v === undefined || v.length === 0)
      throw new ConfigError(where, `environment variable ${hb.keyEnv} is not set or empty`);
    key = stripNewline(Buffer.from(v, 'utf8'));
  } else {
    throw new ConfigError('heartbeat', 'names no key (keyFile or keyEnv)');
  }
  if (key.length < MIN_KEY_BYTES)
    throw new ConfigError(
      where,
      `the cluster key is ${key.length} bytes; at least ${MIN_KEY_BYTES} are required (e.g. openssl rand -hex 32)`,
    );
  return Uint8Array.from(key);
}

function stripNewline(b: Uint8Array): Uint8Array {
  let n = b.length;
  if (n > 0 && b[n - 1] === 0x0a) n--;
  if (n > 0 && b[n - 1] === 0x0d) n--;
  return b.subarray(0, n);
}

/** Default unique host ID: the first 4 bytes of SHA-256("intracluster host id\0" + name), never 0. */
export function defaultHostId(name: string): number {
  const d = createHash('sha256').update(`intracluster host id\0${name}`).digest();
  return d.readUInt32BE(0) || 1;
}
