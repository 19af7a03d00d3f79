/**
 * Fibonacci hashing (Knuth, TAOCP 6.4): the slot is the top bits of the FNV word hash times
 * 2^32/phi, so every key bit reaches the slot in one multiply (the final mix of the hash).
 */
const FIB = 0x9e3779b1 | 0;

/**
 * Open-addressing hash table keyed by fixed-length byte strings (4-byte IPv4, 6-byte MAC,
 * 16-byte IPv6 addresses), mapping each key to a non-negative int.
 *
 * `get` reads the key straight out of a frame at an offset: O(1), no allocation, no strings.
 * Built at config time; a membership change builds a new table.
 *
 * Keys are handled as big-endian 32-bit words (the last one zero-padded): the hash mixes one word per
 * multiply and the compare is one int per word, 4 steps for an IPv6 address instead of 16. A slot
 * holds the key words and the value side by side (`stride` ints, a power of two), so a lookup in a
 * table far larger than the cache (100,000 members) costs one cache line, not one for the key and
 * one for the value. A caller may ask for larger slots and keep more of what a lookup needs in the
 * rest of the slot: Cluster keeps each member's host index and dedicated MAC there.
 */
export class ByteKeyTable {
  /** Per slot: key words, then the value (-1: empty), then the caller's part (or padding) up to `stride`. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** 32 - log2(slots): the slot is the top bits of the final multiply. */
  private readonly shift: number;
  private readonly words: number;
  /** The straight-line lookup for this key length and stride: 1, 2 or 4 key words; 0: the generic loop. */
  private readonly path: number;
  /** Ints per slot, a power of two. */
  readonly stride: number;
  private count = 0;

  /** Slots of a table sized for `expected` keys (load factor <= 0.5). */
  static capacityFor(expected: number): number {
    let cap = 8;
    while (cap < expected * 2 + 2) cap <<= 1;
    return cap;
  }

  /**
   * `slotInts`: at least this many ints per slot. `slots`: the memory to use, capacityFor(expected) *
   * stride ints, so that several tables can share one array (by default a new one).
   */
  constructor(
    readonly keyLength: number,
    expected: number,
    slotInts = 0,
    slots?: Int32Array,
  ) {
    if (!(keyLength > 0)) throw new RangeError('ByteKeyTable key length must be > 0');
    const cap = ByteKeyTable.capacityFor(expected);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
    this.words = (keyLength + 3) >> 2;
    let stride = 2;
    while (stride < this.words + 1 || stride < slotInts) stride <<= 1;
    this.stride = stride;
    const w = this.words;
    this.path = w === 1 || (w === 2 && stride === 4) || (w === 4 && stride === 8) ? w : 0;
    if (slots && slots.length !== cap * stride) throw new RangeError(`ByteKeyTable slots must be ${cap * stride} ints`);
    this.slots = slots ?? new Int32Array(cap * stride);
    for (let i = 0; i < cap; i++) this.slots[i * stride + this.words] = -1;
  }

  get size(): number {
    return this.count;
  }

  /** Inserts key -> value (value >= 0). Returns the value already stored for key, or -1 if it was new. */
  set(key: ArrayLike<number>, value: number): number {
    if (value < 0) throw new RangeError('ByteKeyTable values must be >= 0');
    if (this.count * 2 + 2 > this.mask + 1)
      throw new RangeError('ByteKeyTable is full: size it for the expected key count');
    const k = Uint8Array.from(key as ArrayLike<number>);
    if (k.length !== this.keyLength) throw new RangeError(`key must be ${this.keyLength} bytes`);
    const existing = this.get(k, 0);
    if (existing >= 0) return existing;
    const slot = this.slotFor(k);
    for (let j = 0; j < this.words; j++) this.slots[slot * this.stride + j] = this.word(k, 0, j);
    this.slots[slot * this.stride + this.words] = value;
    this.count++;
    return -1;
  }

  /** The slot `set` puts a key that is not in the table in (config time, not per frame). */
  slotFor(key: ArrayLike<number>): number {
    let slot = this.slotOf(Uint8Array.from(key), 0);
    while (this.slots[slot * this.stride + this.words] >= 0) slot = (slot + 1) & this.mask;
    return slot;
  }

  /** The value for the key stored at buf[off .. off+keyLength), or -1. */
  get(buf: Uint8Array, off: number): number {
    // One small straight-line path per key length the cluster uses, the IPv4 one written here: the
    // JIT inlines this method into each caller, and what it inlines competes for one budget per
    // optimized function (docs/performance.md). The generic loop for any other length.
    const w = this.path;
    if (w === 1) {
      const t = this.slots;
      const s = this.stride;
      const w0 = (buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3];
      for (
        let slot = Math.imul(Math.imul(0x811c9dc5 ^ w0, 0x01000193), FIB) >>> this.shift;
        ;
        slot = (slot + 1) & this.mask
      ) {
        const v = t[s * slot + 1];
        if (v < 0 || t[s * slot] === w0) return v;
      }
    }
    return w === 4 ? this.get4(buf, off) : w === 2 ? this.get2(buf, off) : this.getN(buf, off);
  }

  /** MAC keys, stride 4; slot: [key, key, value, -]. */
  private get2(buf: Uint8Array, off: number): number {
    const t = this.slots;
    const w0 = (buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3];
    const w1 = (buf[off + 4] << 24) | (buf[off + 5] << 16);
    for (
      let slot = Math.imul(Math.imul(Math.imul(0x811c9dc5 ^ w0, 0x01000193) ^ w1, 0x01000193), FIB) >>> this.shift;
      ;
      slot = (slot + 1) & this.mask
    ) {
      const b = 4 * slot;
      const v = t[b + 2];
      if (v < 0 || (t[b] === w0 && t[b + 1] === w1)) return v;
    }
  }

  /** IPv6 keys, stride 8; slot: [key x4, value, ...]. (V8 inlines it only while it stays under 460 bytes of bytecode.) */
  private get4(buf: Uint8Array, off: number): number {
    const t = this.slots;
    const w0 = (buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3];
    const w1 = (buf[off + 4] << 24) | (buf[off + 5] << 16) | (buf[off + 6] << 8) | buf[off + 7];
    const w2 = (buf[off + 8] << 24) | (buf[off + 9] << 16) | (buf[off + 10] << 8) | buf[off + 11];
    const w3 = (buf[off + 12] << 24) | (buf[off + 13] << 16) | (buf[off + 14] << 8) | buf[off + 15];
    let h = Math.imul(0x811c9dc5 ^ w0, 0x01000193);
    h = Math.imul(h ^ w1, 0x01000193);
    h = Math.imul(h ^ w2, 0x01000193);
    h = Math.imul(h ^ w3, 0x01000193);
    for (let slot = Math.imul(h, FIB) >>> this.shift; ; slot = (slot + 1) & this.mask) {
      const b = 8 * slot;
      const v = t[b + 4];
      if (v < 0 || (t[b] === w0 && t[b + 1] === w1 && t[b + 2] === w2 && t[b + 3] === w3)) return v;
    }
  }

  private getN(buf: Uint8Array, off: number): number {
    for (let slot = this.slotOf(buf, off); ; slot = (slot + 1) & this.mask) {
      const v = this.slots[slot * this.stride + this.words];
      if (v < 0 || this.equalAt(slot, buf, off)) return v;
    }
  }

  /** Word j of the key at buf[off..]: 4 bytes big-endian, zero past the key's end. */
  private word(buf: Uint8Array, off: number, j: number): number {
    const n = this.keyLength - 4 * j;
    const p = off + 4 * j;
    if (n >= 4) return (buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3];
    let w = 0;
    for (let i = 0; i < 4; i++) w = (w << 8) | (i < n ? buf[p + i] : 0);
    return w;
  }

  /** Home slot (the generic path; the same hash as the straight-line paths of `get`). */
  private slotOf(buf: Uint8Array, off: number): number {
    // FNV-1a over 32-bit words
    let h = 0x811c9dc5 | 0;
    for (let j = 0; j < this.words; j++) h = Math.imul(h ^ this.word(buf, off, j), 0x01000193);
    return Math.imul(h, FIB) >>> this.shift;
  }

  private equalAt(slot: number, buf: Uint8Array, off: number): boolean {
    const n = this.words;
    const b = slot * this.stride;
    for (let j = 0; j < n; j++) if (this.slots[b + j] !== this.word(buf, off, j)) return false;
    return true;
  }
}
