import { ByteKeyTable } from '../../src';

describe('ByteKeyTable', () => {
  test('finds every key at any offset in a frame and nothing else', () => {
    const t = new ByteKeyTable(4, 1000);
    for (let i = 0; i < 1000; i++) expect(t.set([198, 18, i >> 8, i & 0xff], i)).toBe(-1);
    expect(t.size).toBe(1000);
    const frame = new Uint8Array(64).fill(0xa5);
    for (let i = 0; i < 1000; i++) {
      frame.set([198, 18, i >> 8, i & 0xff], 27);
      expect(t.get(frame, 27)).toBe(i);
    }
    frame.set([198, 19, 0, 1], 27);
    expect(t.get(frame, 27)).toBe(-1);
  });
  test('set returns the value already stored for a key', () => {
    const t = new ByteKeyTable(6, 2);
    expect(t.set([3, 0xbf, 1, 2, 3, 4], 0)).toBe(-1);
    expect(t.set([3, 0xbf, 1, 2, 3, 4], 1)).toBe(0);
  });
  test('16-byte keys that differ only in the last byte', () => {
    const t = new ByteKeyTable(16, 256);
    const k = new Uint8Array(16);
    for (let i = 0; i < 256; i++) {
      k[15] = i;
      t.set(k, i);
    }
    for (let i = 0; i < 256; i++) {
      k[15] = i;
      expect(t.get(k, 0)).toBe(i);
    }
  });
  test('rejects wrong key lengths, negative values, overfilling', () => {
    const t = new ByteKeyTable(4, 1);
    expect(() => t.set([1, 2, 3], 0)).toThrow(/4 bytes/);
    expect(() => t.set([1, 2, 3, 4], -1)).toThrow(/>= 0/);
    // sized for 1 key: 8 slots, at most half of them used
    for (let i = 0; i < 4; i++) t.set([1, 2, 3, i], i);
    expect(t.size).toBe(4);
    expect(() => t.set([1, 2, 3, 9], 9)).toThrow(/full/);
  });
});

describe('ByteKeyTable slots with room for the caller (member entries)', () => {
  test('larger slots, shared storage: every key found, slotFor is where set puts a new key', () => {
    for (const keyLength of [4, 6, 16, 5]) {
      const cap = ByteKeyTable.capacityFor(300);
      const shared = new Int32Array(cap * 8 * 2);
      const a = new ByteKeyTable(keyLength, 300, 8, shared.subarray(0, cap * 8));
      const b = new ByteKeyTable(keyLength, 300, 8, shared.subarray(cap * 8));
      expect(a.stride).toBe(8);
      const key = (i: number, t: number) =>
        Uint8Array.from({ length: keyLength }, (_, j) =>
          j === 0 ? t : j === keyLength - 1 ? i & 0xff : j === keyLength - 2 ? i >> 8 : 7,
        );
      for (let i = 0; i < 300; i++) {
        const slot = a.slotFor(key(i, 1));
        expect(a.set(key(i, 1), slot)).toBe(-1);
        b.set(key(i, 2), 1000 + i);
        shared[slot * 8 + 7] = i; // the caller's part of the slot
      }
      for (let i = 0; i < 300; i++) {
        const slot = a.get(key(i, 1), 0);
        expect(shared[slot * 8 + 7]).toBe(i);
        expect(b.get(key(i, 2), 0)).toBe(1000 + i);
        expect(a.get(key(i, 2), 0)).toBe(-1);
        expect(b.get(key(i, 1), 0)).toBe(-1);
      }
    }
  });
  test('rejects storage of the wrong size', () => {
    expect(() => new ByteKeyTable(4, 10, 8, new Int32Array(10))).toThrow(/slots must be 256 ints/);
  });
});
