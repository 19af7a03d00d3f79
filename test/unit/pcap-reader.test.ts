import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureError, CaptureReader } from '../../src/pcap/reader';
import { encodePcap } from '../../src/pcap/writer';
import { block, epb, idb, nrb, pcapFile, shb, spb } from '../cli/capture-files';

const LE = { le: true };
const BE = { le: false };

/** Distinct frames: byte i of frame k is (k * 7 + i) & 0xff. */
function frame(k: number, len = 60): Uint8Array {
  return Uint8Array.from({ length: len }, (_, i) => (k * 7 + i) & 0xff);
}

function readAll(r: CaptureReader) {
  const out: { frame: string; orig: number; sec: number; ns: number; iface: number; offset: number; sub: boolean }[] =
    [];
  for (const rec of r)
    out.push({
      frame: Buffer.from(rec.frame).toString('hex'),
      orig: rec.originalLength,
      sec: rec.seconds,
      ns: rec.nanoseconds,
      iface: rec.interfaceId,
      offset: rec.offset,
      sub: rec.subMicrosecond,
    });
  return out;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

describe('classic pcap', () => {
  test.each([
    ['little-endian, microseconds', { le: true, nsec: false }],
    ['big-endian, microseconds', { le: false, nsec: false }],
    ['little-endian, nanoseconds', { le: true, nsec: true }],
    ['big-endian, nanoseconds', { le: false, nsec: true }],
  ])('%s', (_, opts) => {
    const f0 = frame(0);
    const f1 = frame(1, 61);
    const file = pcapFile(
      [
        { sec: 1700000000, frac: opts.nsec ? 123456789 : 123456, data: f0 },
        { sec: 1700000001, frac: opts.nsec ? 5 : 999999, data: f1, orig: 1514 },
      ],
      opts,
    );
    const r = CaptureReader.fromBytes(file);
    expect(r.format).toBe('pcap');
    expect(readAll(r)).toEqual([
      {
        frame: hex(f0),
        orig: 60,
        sec: 1700000000,
        ns: opts.nsec ? 123456789 : 123456000,
        iface: 0,
        offset: 24,
        sub: opts.nsec,
      },
      {
        frame: hex(f1),
        orig: 1514,
        sec: 1700000001,
        ns: opts.nsec ? 5 : 999999000,
        iface: 0,
        offset: 24 + 16 + 60,
        sub: opts.nsec,
      },
    ]);
  });

  test('reads what src/pcap/writer.ts writes', () => {
    const frames = [frame(3), frame(4, 100), frame(5, 14)];
    const r = CaptureReader.fromBytes(encodePcap(frames, 1_000_000_000_000));
    expect(readAll(r).map((x) => x.frame)).toEqual(frames.map(hex));
  });

  test('a file without records has no packets', () => {
    expect(readAll(CaptureReader.fromBytes(pcapFile([])))).toEqual([]);
  });

  test('non-Ethernet link type: clear error naming it', () => {
    expect(() => CaptureReader.fromBytes(pcapFile([], { linkType: 113 }))).toThrow(
      /link type 113 \(LINUX_SLL\) is not supported: only Ethernet/,
    );
  });

  test('FCS bits in the link type field: the FCS is stripped', () => {
    const f = frame(9, 64);
    const file = pcapFile([{ sec: 1, frac: 0, data: f }], { linkType: 1 | 0x04000000 | (2 << 28) }); // 2 words = 4 bytes
    expect(readAll(CaptureReader.fromBytes(file))[0].frame).toBe(hex(f.subarray(0, 60)));
  });

  test('truncated packet data: error with the offset of the record', () => {
    const file = pcapFile([
      { sec: 1, frac: 0, data: frame(0) },
      { sec: 2, frac: 0, data: frame(1) },
    ]);
    const cut = file.subarray(0, file.length - 10);
    const r = CaptureReader.fromBytes(cut);
    expect(r.next()).not.toBeNull();
    expect(() => r.next()).toThrow(
      new CaptureError('pcap', 'record truncated: 60 bytes of packet data announced, 50 present', 100),
    );
  });

  test('truncated record header and file header', () => {
    const file = pcapFile([{ sec: 1, frac: 0, data: frame(0) }]);
    const r = CaptureReader.fromBytes(Buffer.concat([file, Buffer.alloc(7)]));
    r.next();
    expect(() => r.next()).toThrow(/record header truncated: 7 of 16 bytes \(at byte offset 100\)/);
    expect(() => CaptureReader.fromBytes(file.subarray(0, 20))).toThrow(
      /file header truncated: 20 of 24 bytes \(at byte offset 0\)/,
    );
    expect(() => CaptureReader.fromBytes(Buffer.alloc(2))).toThrow(/too short/);
    expect(() => CaptureReader.fromBytes(Buffer.from('hello world, not a capture'))).toThrow(
      /not a pcap or pcapng file/,
    );
  });

  test('corrupt captured length: error, not a 4 GB allocation', () => {
    const file = pcapFile([{ sec: 1, frac: 0, data: frame(0) }]);
    file.writeUInt32LE(0x7fffffff, 24 + 8);
    expect(() => CaptureReader.fromBytes(file).next()).toThrow(
      /record claims 2147483647 captured bytes .*\(at byte offset 24\)/,
    );
  });
});

describe('pcapng', () => {
  test.each([
    ['little-endian', LE],
    ['big-endian', BE],
  ])('%s: SHB, IDB (tsresol), EPB, SPB, unknown blocks skipped', (_, e) => {
    const f = [frame(0), frame(1, 61), frame(2, 70)];
    const file = Buffer.concat([
      shb(e),
      idb(e, 1, { tsresol: 9, name: 'eth0', snaplen: 65535 }), // nanoseconds
      nrb(e),
      epb(e, 0, 1700000000123456789n, f[0], 60, 'first'),
      block(0x00000bad, Buffer.from('custom block the reader does not know'), e),
      spb(e, f[1]),
      idb(e, 1), // default resolution: microseconds
      epb(e, 1, 1700000002000001n, f[2], 1514),
    ]);
    const r = CaptureReader.fromBytes(file);
    expect(r.format).toBe('pcapng');
    const got = readAll(r);
    expect(got.map((x) => x.frame)).toEqual(f.map(hex));
    expect(got.map((x) => [x.sec, x.ns, x.iface, x.orig, x.sub])).toEqual([
      [1700000000, 123456789, 0, 60, true],
      [0, 0, 0, 61, true],
      [1700000002, 1000, 1, 1514, false],
    ]);
    expect(r.skippedBlocks).toBe(2);
    expect(r.interfaceCount).toBe(2);
  });

  test('binary tsresol and if_tsoffset', () => {
    const e = LE;
    const file = Buffer.concat([
      shb(e),
      idb(e, 1, { tsresol: 0x80 | 10, tsoffset: 100n }),
      epb(e, 0, 5n * 1024n + 512n, frame(0)),
    ]);
    const [rec] = readAll(CaptureReader.fromBytes(file));
    expect([rec.sec, rec.ns]).toEqual([105, 500000000]);
  });

  test('several sections, the second in the other byte order; interface ids restart', () => {
    const file = Buffer.concat([
      shb(LE),
      idb(LE),
      epb(LE, 0, 1n, frame(0)),
      shb(BE),
      idb(BE),
      epb(BE, 0, 2n, frame(1)),
    ]);
    expect(readAll(CaptureReader.fromBytes(file)).map((x) => x.frame)).toEqual([hex(frame(0)), hex(frame(1))]);
  });

  test('packet of an interface with a non-Ethernet link type: clear error', () => {
    const file = Buffer.concat([shb(LE), idb(LE, 113), epb(LE, 0, 0n, frame(0))]);
    const off = shb(LE).length + idb(LE, 113).length;
    expect(() => readAll(CaptureReader.fromBytes(file))).toThrow(
      new CaptureError(
        'pcapng',
        'interface 0: link type 113 (LINUX_SLL) is not supported: only Ethernet (link type 1) frames can be rewritten',
        off,
      ),
    );
  });

  test('packet of an undefined interface', () => {
    const file = Buffer.concat([shb(LE), idb(LE), epb(LE, 3, 0n, frame(0))]);
    expect(() => readAll(CaptureReader.fromBytes(file))).toThrow(/refers to interface 3, but the section defines 1/);
  });

  test('truncated block: error with its offset', () => {
    const head = Buffer.concat([shb(LE), idb(LE), epb(LE, 0, 0n, frame(0))]);
    const file = Buffer.concat([head, epb(LE, 0, 0n, frame(1))]);
    const r = CaptureReader.fromBytes(file.subarray(0, file.length - 5));
    r.next();
    expect(() => r.next()).toThrow(
      new RegExp(`block truncated: 92 bytes announced, 87 present \\(at byte offset ${head.length}\\)`),
    );
  });

  test('block lengths that would stall or overrun a reader: errors', () => {
    const head = Buffer.concat([shb(LE), idb(LE)]);
    const zero = Buffer.alloc(12); // type 0, length 0: a naive loop would never advance
    expect(() => readAll(CaptureReader.fromBytes(Buffer.concat([head, zero])))).toThrow(/block length 0 is invalid/);
    const odd = epb(LE, 0, 0n, frame(0));
    odd.writeUInt32LE(90, 4);
    expect(() => readAll(CaptureReader.fromBytes(Buffer.concat([head, odd])))).toThrow(/block length 90 is invalid/);
    const mismatch = epb(LE, 0, 0n, frame(0));
    mismatch.writeUInt32LE(88, mismatch.length - 4);
    expect(() => readAll(CaptureReader.fromBytes(Buffer.concat([head, mismatch])))).toThrow(
      /does not match its trailing copy 88/,
    );
    const capTooBig = epb(LE, 0, 0n, frame(0));
    capTooBig.writeUInt32LE(200, 20);
    expect(() => readAll(CaptureReader.fromBytes(Buffer.concat([head, capTooBig])))).toThrow(
      /packet data of 200 bytes runs past the end of its 92-byte block/,
    );
  });

  test('bad byte-order magic', () => {
    const s = shb(LE);
    s.writeUInt32LE(0x12345678, 8);
    expect(() => CaptureReader.fromBytes(s)).toThrow(/bad byte-order magic/);
  });
});

describe('robustness', () => {
  test('every truncation of a pcap and a pcapng file ends in records or a CaptureError, never a hang', () => {
    const files = [
      pcapFile([0, 1, 2].map((k) => ({ sec: k, frac: 0, data: frame(k) }))),
      Buffer.concat([
        shb(BE),
        idb(BE, 1, { tsresol: 9 }),
        nrb(BE),
        epb(BE, 0, 1n, frame(0), 60, 'c'),
        spb(BE, frame(1)),
      ]),
    ];
    for (const file of files) {
      for (let cut = 0; cut < file.length; cut++) {
        let n = 0;
        try {
          const r = CaptureReader.fromBytes(file.subarray(0, cut));
          while (r.next()) if (++n > 10) throw new Error('too many records');
        } catch (e) {
          expect(e).toBeInstanceOf(CaptureError);
        }
      }
    }
  });

  test('every single-byte corruption of a pcapng file ends in records or a CaptureError', () => {
    const file = Buffer.concat([shb(LE), idb(LE, 1, { tsresol: 6 }), epb(LE, 0, 1n, frame(0)), spb(LE, frame(1))]);
    for (let i = 0; i < file.length; i++) {
      for (const v of [0x00, 0xff, 0x07]) {
        const bad = Buffer.from(file);
        bad[i] = v;
        try {
          const r = CaptureReader.fromBytes(bad);
          let n = 0;
          while (r.next()) if (++n > 10) throw new Error('too many records');
        } catch (e) {
          expect(e).toBeInstanceOf(CaptureError);
        }
      }
    }
  });
});

describe('files on disk', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'intracluster-pcap-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a file larger than the read window (records across window borders)', () => {
    const frames = Array.from({ length: 30000 }, (_, k) => frame(k, 60 + (k % 37)));
    const path = join(dir, 'big.pcap');
    writeFileSync(path, pcapFile(frames.map((data, k) => ({ sec: k, frac: 0, data }))));
    const r = CaptureReader.open(path);
    let k = 0;
    for (const rec of r) {
      if (hex(rec.frame) !== hex(frames[k])) throw new Error(`frame ${k} differs`);
      k++;
    }
    r.close();
    expect(k).toBe(frames.length);
  });

  test('pcapng and nanosecond pcap written by editcap (Wireshark) read back the same frames and times', () => {
    const frames = [frame(0), frame(1, 99), frame(2)];
    const src = join(dir, 'src.pcap');
    writeFileSync(src, pcapFile(frames.map((data, k) => ({ sec: 1700000000 + k, frac: 250000 * k, data }))));
    const expected = readAll(
      CaptureReader.fromBytes(pcapFile(frames.map((data, k) => ({ sec: 1700000000 + k, frac: 250000 * k, data })))),
    );
    for (const [fmt, name] of [
      ['pcapng', 'out.pcapng'],
      ['nsecpcap', 'out.nsec.pcap'],
    ]) {
      const out = join(dir, name);
      execFileSync('editcap', ['-F', fmt, src, out]);
      const r = CaptureReader.open(out);
      const got = readAll(r);
      r.close();
      expect(got.map((x) => [x.frame, x.sec, x.ns])).toEqual(expected.map((x) => [x.frame, x.sec, x.ns]));
    }
  });
});
