import * as ipaddr from 'ipaddr.js';
import { Address6 } from 'ip-address';
import { ConfigError } from './errors';
import { describe, quote } from './mac';

/** An IPv4 or IPv6 address parsed at config time: canonical text plus network-order bytes. */
export interface IpAddress {
  readonly family: 4 | 6;
  /** Canonical text: dotted quad, or RFC 5952 IPv6. */
  readonly text: string;
  /** 4 or 16 bytes, network order. */
  readonly bytes: Uint8Array;
}

const REJECTED_RANGES: Record<string, string> = {
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  loopback: 'a loopback address',
  ipv4Mapped: 'an IPv4-mapped IPv6 address (write the IPv4 form)',
  reserved: '', // 240/4 and friends are usable on a lab segment; accepted
};

/**
 * Parses one unicast host address. ipaddr.js classifies it, ip-address gives IPv6 its canonical form.
 * Accepts only strict dotted-quad IPv4 (no octal, no short forms) and plain IPv6 (no zone, no prefix).
 */
export function parseHostAddress(text: unknown, key: string): IpAddress {
  if (typeof text !== 'string')
    throw new ConfigError(key, `expected an IPv4 or IPv6 address string, got ${describe(text)}`);
  // no trimming: a space around an address is a mistake to show, not to repair
  if (text.trim() !== text) throw new ConfigError(key, `${quote(text)} has a leading or trailing space`);
  const s = text;
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) {
    const a = ipaddr.IPv4.parse(s);
    rejectRange(a.range(), s, key);
    return { family: 4, text: a.toString(), bytes: Uint8Array.from(a.toByteArray()) };
  }
  if (s.includes('/')) throw new ConfigError(key, `${quote(s)} has a prefix length: give a single address`);
  if (s.includes('%')) throw new ConfigError(key, `${quote(s)} has a zone index: give the address alone`);
  if (ipaddr.IPv6.isValid(s) && Address6.isValid(s)) {
    const a = ipaddr.IPv6.parse(s);
    rejectRange(a.range(), s, key);
    // ip-address gives the RFC 5952 text; ipaddr.js the 16 bytes.
    return { family: 6, text: new Address6(s).correctForm(), bytes: Uint8Array.from(a.toByteArray()) };
  }
  throw new ConfigError(
    key,
    `${quote(s)} is not an IPv4 address (dotted quad, e.g. 198.18.0.1) or an IPv6 address (e.g. fd00::1)`,
  );
}

function rejectRange(range: string, s: string, key: string): void {
  const what = REJECTED_RANGES[range];
  if (what) throw new ConfigError(key, `${quote(s)} is ${what}, not a host's unicast address`);
}

export function addressKey(a: IpAddress): string {
  return `${a.family}:${a.text}`;
}

/** Formats 4 or 16 network-order bytes (for CLI output and tests; not on the hot path). */
export function formatAddress(bytes: ArrayLike<number>): string {
  const arr = Array.from(bytes);
  if (arr.length === 4) return ipaddr.fromByteArray(arr).toString();
  if (arr.length === 16) return ipaddr.fromByteArray(arr).toString();
  throw new RangeError(`an IP address is 4 or 16 bytes, not ${arr.length}`);
}
