import { ConfigError } from './errors';

const MAC_RE =
  /^([0-9a-fA-F]{2})([-:])([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})\2([0-9a-fA-F]{2})$/;
const PREFIX_RE = /^([0-9a-fA-F]{2})[-:]([0-9a-fA-F]{2})$/;

/** A 48-bit IEEE 802 MAC address (config-time value; the hot path works on raw bytes). */
export class Mac {
  private constructor(readonly bytes: Uint8Array) {}

  /** Parses `02-bf-aa-bb-cc-dd` or `02:bf:aa:bb:cc:dd`. `key` names the config key in errors. */
  static parse(text: unknown, key = 'mac'): Mac {
    if (typeof text !== 'string')
      throw new ConfigError(key, `expected a MAC address string like "02-bf-aa-bb-cc-dd", got ${describe(text)}`);
    if (text.trim() !== text) throw new ConfigError(key, `${quote(text)} has a leading or trailing space`);
    const m = MAC_RE.exec(text);
    if (!m)
      throw new ConfigError(
        key,
        `${quote(text)} is not a MAC address (expected six hex bytes separated by "-" or ":", e.g. "02-bf-aa-bb-cc-dd")`,
      );
    return new Mac(Uint8Array.from([m[1], m[3], m[4], m[5], m[6], m[7]].map((h) => parseInt(h, 16))));
  }

  static fromBytes(bytes: ArrayLike<number>, offset = 0): Mac {
    const b = new Uint8Array(6);
    for (let i = 0; i < 6; i++) b[i] = bytes[offset + i] & 0xff;
    return new Mac(b);
  }

  /** Parses a 2-byte prefix such as `03-bf`. */
  static parsePrefix(text: unknown, key = 'multicastPrefix'): Uint8Array {
    if (typeof text !== 'string')
      throw new ConfigError(key, `expected a 2-byte prefix string like "03-bf", got ${describe(text)}`);
    if (text.trim() !== text) throw new ConfigError(key, `${quote(text)} has a leading or trailing space`);
    const m = PREFIX_RE.exec(text);
    if (!m) throw new ConfigError(key, `${quote(text)} is not a 2-byte MAC prefix (expected e.g. "03-bf")`);
    return Uint8Array.of(parseInt(m[1], 16), parseInt(m[2], 16));
  }

  /** I/G bit: the least significant bit of the first octet (IEEE 802-2014 8.2). */
  get isMulticast(): boolean {
    return (this.bytes[0] & 1) === 1;
  }
  get isBroadcast(): boolean {
    return this.bytes.every((b) => b === 0xff);
  }
  get isZero(): boolean {
    return this.bytes.every((b) => b === 0);
  }
  equals(other: Mac): boolean {
    return macEquals(this.bytes, 0, other.bytes, 0);
  }
  /** `03-bf-0c-0c-04-65` (the patent's notation). */
  toString(sep = '-'): string {
    return formatMac(this.bytes, 0, sep);
  }
}

/** Compares 6 bytes in place; no allocation. */
export function macEquals(a: Uint8Array, ao: number, b: Uint8Array, bo: number): boolean {
  return (
    a[ao] === b[bo] &&
    a[ao + 1] === b[bo + 1] &&
    a[ao + 2] === b[bo + 2] &&
    a[ao + 3] === b[bo + 3] &&
    a[ao + 4] === b[bo + 4] &&
    a[ao + 5] === b[bo + 5]
  );
}

/** Copies 6 bytes in place; no allocation (unlike `set(subarray(...))`). */
export function macCopy(dst: Uint8Array, dOff: number, src: Uint8Array, sOff: number): void {
  dst[dOff] = src[sOff];
  dst[dOff + 1] = src[sOff + 1];
  dst[dOff + 2] = src[sOff + 2];
  dst[dOff + 3] = src[sOff + 3];
  dst[dOff + 4] = src[sOff + 4];
  dst[dOff + 5] = src[sOff + 5];
}

export function formatMac(b: ArrayLike<number>, off = 0, sep = '-'): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push((b[off + i] ?? 0).toString(16).padStart(2, '0'));
  return parts.join(sep);
}

/** A user's string in an error message: JSON-quoted (one line, control bytes escaped), cut at 60 characters. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? text.slice(0, 60) + '…' : text);
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
