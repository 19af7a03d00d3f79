/**
 * Open-addressing hash table keyed by fixed-length byte strings (4-byte IPv4, 6-byte MAC,
 * 16-byte IPv6 addresses), mapping each key to a non-negative int.
 *
 * `get` reads the key straight out of a frame at an offset: O(1), no allocation, no strings.
 * Built at config time; a membership change builds a new table.
 */
export class ByteKeyTable {
  private readonly keys: Uint8Array;
  private readonly vals: Int32Array;
  private readonly mask: number;
  private count = 0;

  constructor(
    readonly keyLength: number,
    expected: number,
  ) {
    let cap = 8;
    while (cap < expected * 2 + 2) cap <<= 1; // load factor <= 0.5
    this.mask = cap - 1;
    this.keys = new Uint8Array(cap * keyLength);
    this.vals = new Int32Array(cap).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  /** Inserts key -> value (value >= 0). Returns the value already stored for key, or -1 if it was new. */
  set(key: ArrayLike<number>, value: number): number {
    if (value < 0) throw new RangeError('ByteKeyTable values must be >= 0');
    if (this.count * 2 + 2 > this.mask + 1) throw new RangeError('ByteKeyTable is full: size it for the expected key count');
    const k = Uint8Array.from(key as ArrayLike<number>);
    if (k.length !== this.keyLength) throw new RangeError(`key must be ${this.keyLength} bytes`);
    let slot = this.hash(k, 0) & this.mask;
    for (;;) {
      const v = this.vals[slot];
      if (v < 0) {
        this.keys.set(k, slot * this.keyLength);
        this.vals[slot] = value;
        this.count++;
        return -1;
      }
      if (this.equalAt(slot, k, 0)) return v;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The value for the key stored at buf[off .. off+keyLength), or -1. */
  get(buf: Uint8Array, off: number): number {
    let slot = this.hash(buf, off) & this.mask;
    for (;;) {
      const v = this.vals[slot];
      if (v < 0) return -1;
      if (this.equalAt(slot, buf, off)) return v;
      slot = (slot + 1) & this.mask;
    }
  }

  private hash(buf: Uint8Array, off: number): number {
    // FNV-1a, 32-bit
    let h = 0x811c9dc5 | 0;
    const n = this.keyLength;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ buf[off + i], 0x01000193);
    // final avalanche (murmur3 fmix32) so low bits spread for sequential addresses
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    // 30 bits: always a small integer, never a heap number (capacity is far below 2^30)
    return h & 0x3fffffff;
  }

  private equalAt(slot: number, buf: Uint8Array, off: number): boolean {
    const n = this.keyLength;
    const base = slot * n;
    const keys = this.keys;
    for (let i = 0; i < n; i++) if (keys[base + i] !== buf[off + i]) return false;
    return true;
  }
}
