import { BpfMap, MapType, UpdateFlag, bpfAddon, u32 } from '../../src/datapath/bpf';
import { describeKernel } from './available';

// The libbpf addon's map calls and its errors, on maps the test creates (no interface, no program).
describeKernel('libbpf addon', () => {
  test('hash map: update, lookup, delete, batch, keys, clear', () => {
    const m = BpfMap.create(MapType.Hash, 4, 8, 64, 0, 'ic_test');
    try {
      const v = new Uint8Array(8);
      expect(m.get(u32(7), v)).toBe(false);
      m.set(u32(7), Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
      expect(m.get(u32(7), v)).toBe(true);
      expect(Array.from(v)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(() => m.set(u32(7), new Uint8Array(8), UpdateFlag.NoExist)).toThrow(
        /^bpf_map_update_elem \(map fd \d+\): File exists \(EEXIST\)$/,
      );
      const keys = new Uint8Array(4 * 10);
      const values = new Uint8Array(8 * 10);
      for (let i = 0; i < 10; i++) {
        keys.set(u32(100 + i), 4 * i);
        values[8 * i] = i;
      }
      expect(m.setBatch(keys, values, 10)).toBe(10);
      expect(m.get(u32(105), v)).toBe(true);
      expect(v[0]).toBe(5);
      expect(m.keys().length).toBe(11);
      expect(m.delete(u32(7))).toBe(true);
      expect(m.delete(u32(7))).toBe(false);
      m.clear();
      expect(m.keys()).toEqual([]);
    } finally {
      m.close();
    }
  });

  test('a full map and a bad size are one-line errors with the errno name', () => {
    const m = BpfMap.create(MapType.Hash, 4, 4, 2, 0, 'ic_test_full');
    try {
      m.set(u32(1), u32(1));
      m.set(u32(2), u32(2));
      let err: (Error & { code?: string; errno?: number }) | undefined;
      try {
        m.set(u32(3), u32(3));
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).toMatch(/^bpf_map_update_elem \(map fd \d+\): Argument list too long \(E2BIG\)$/);
      expect(err?.code).toBe('E2BIG');
      expect(err?.errno).toBe(-7);
    } finally {
      m.close();
    }
    expect(() => BpfMap.create(MapType.Hash, 0, 4, 2)).toThrow(
      /^bpf_map_create type 1 key 0 value 4 entries 2: Invalid argument \(EINVAL\)$/,
    );
    expect(() => bpfAddon().objGet('/sys/fs/bpf/intracluster-no-such-pin')).toThrow(
      /^bpf_obj_get \/sys\/fs\/bpf\/intracluster-no-such-pin: No such file or directory \(ENOENT\)$/,
    );
  });

  test('map-in-map: an inner map replaced in an outer array', () => {
    const lib = bpfAddon();
    const a = BpfMap.create(MapType.Hash, 4, 4, 4, 0, 'ic_inner_a');
    const b = BpfMap.create(MapType.Hash, 4, 4, 8, 0, 'ic_inner_b');
    const outer = BpfMap.create(MapType.ArrayOfMaps, 4, 4, 2, 0, 'ic_outer', a.fd);
    try {
      outer.set(u32(0), u32(a.fd));
      const id = new Uint8Array(4);
      expect(outer.get(u32(0), id)).toBe(true);
      expect(new DataView(id.buffer).getUint32(0, true)).toBe(a.info.id);
      outer.set(u32(0), u32(b.fd));
      expect(outer.get(u32(0), id)).toBe(true);
      expect(new DataView(id.buffer).getUint32(0, true)).toBe(b.info.id);
      expect(lib.mapInfo(outer.fd).type).toBe(MapType.ArrayOfMaps);
    } finally {
      outer.close();
      a.close();
      b.close();
    }
  });
});
