import { createContainer, EngineFactory, parseConfig } from '../../src';

const factory = createContainer().get(EngineFactory);
const hex = (b: number) => b.toString(16).padStart(2, '0');

/** Frame-like buffer with the address bytes at an odd offset. */
function at(bytes: Uint8Array, off = 13): Uint8Array {
  const buf = new Uint8Array(off + bytes.length + 3).fill(0xa5);
  buf.set(bytes, off);
  return buf;
}

describe('Cluster member entries: host index and dedicated MAC next to the key', () => {
  for (const mode of ['dedicated', 'shared'] as const) {
    test(`${mode} mode: every address gives its host, its MAC and its address index`, () => {
      const hosts = Array.from({ length: 1500 }, (_, i) => ({
        name: `host${i}`,
        addresses: [
          `198.18.${i >> 8}.${i & 0xff}`,
          `fd00::${i.toString(16)}`,
          ...(i % 3 === 0 ? [`198.19.${i >> 8}.${i & 0xff}`] : []),
        ],
        ...(mode === 'dedicated' && i % 7 === 0
          ? { mac: { [`198.18.${i >> 8}.${i & 0xff}`]: `03-bf-00-ee-${hex(i >> 8)}-${hex(i & 0xff)}` } }
          : {}),
      }));
      const c = factory.buildCluster(
        parseConfig({
          clusterMac: '02-bf-aa-bb-cc-dd',
          maskSourceMac: false, // 1500 hosts: more than masking numbers
          mode,
          ...(mode === 'shared' ? { sharedMac: '03-bf-00-00-00-01' } : {}),
          hosts,
        }),
      );
      expect(c.addresses.length).toBe(1500 * 2 + 500);
      for (const a of c.addresses) {
        const buf = at(a.ip.bytes);
        const e = a.ip.family === 4 ? c.memberIpv4(buf, 13) : c.memberIpv6(buf, 13);
        expect(e).toBeGreaterThanOrEqual(0);
        expect(c.hostOf(e)).toBe(a.host);
        expect([...c.memberMacs.subarray(c.macAt(e), c.macAt(e) + 6)]).toEqual([...a.mac.bytes]);
        expect(c.member(buf, 13, a.ip.family === 4 ? 4 : 16)).toBe(e);
      }
      const none4 = at(Uint8Array.of(198, 18, 200, 1));
      const none6 = at(Uint8Array.of(0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff));
      expect(c.memberIpv4(none4, 13)).toBe(-1);
      expect(c.member(none4, 13, 4)).toBe(-1);
      expect(c.memberIpv6(none6, 13)).toBe(-1);
      expect(c.member(none6, 13, 16)).toBe(-1);
    });
  }
});
