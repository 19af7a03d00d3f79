import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CaptureError, CaptureReader, MAX_CAPTURED_LENGTH } from '../../src/pcap/reader';
import { Endian, epb, idb, nrb, pcapFile, shb, spb } from '../cli/capture-files';
import { BIN, ROOT, ensureBuilt } from './cli';

/**
 * Robustness, capture files: generated pcap and pcapng files (both byte orders, several sections,
 * EPB/SPB, skipped blocks, options), cut at random points and corrupted at random bytes. A cut
 * inside a record gives a CaptureError naming that record's offset exactly; a cut at a record
 * boundary is a shorter, valid file; a corruption gives records or a CaptureError with an offset in
 * the file, never another exception and never a hang (the record count is bounded by the size).
 */

const RUNS = Number(process.env.PROPERTY_RUNS_CAPTURE ?? 3000);

interface Built {
  bytes: Buffer;
  /** Offsets where a cut leaves a valid file (file start excluded: an empty file is not a capture). */
  boundaries: number[];
  /** For each byte offset: the offset of the record or block it belongs to. */
  owner: (at: number) => number;
  /** Packets a whole read returns. */
  packets: Uint8Array[];
}

const frameArb = fc.uint8Array({ minLength: 0, maxLength: 200 });

const pcapArb = fc
  .record({ le: fc.boolean(), nsec: fc.boolean(), frames: fc.array(frameArb, { minLength: 1, maxLength: 8 }) })
  .map(({ le, nsec, frames }): Built => {
    const bytes = pcapFile(
      frames.map((data, k) => ({ sec: k, frac: k, data })),
      { le, nsec },
    );
    const starts = [0];
    let o = 24;
    for (const f of frames) {
      starts.push(o);
      o += 16 + f.length;
    }
    // the 24-byte header is the first "record"; a cut inside it is an error at offset 0
    return { bytes, boundaries: [...starts.slice(1), o], owner: ownerOf(starts), packets: frames };
  });

type BlockSpec =
  | { t: 'epb'; data: Uint8Array; comment: boolean }
  | { t: 'spb'; data: Uint8Array }
  | { t: 'nrb' }
  | { t: 'idb' };
const blockArb: fc.Arbitrary<BlockSpec> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('epb' as const), data: frameArb, comment: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ t: fc.constant('spb' as const), data: frameArb }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('nrb' as const) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('idb' as const) }), weight: 1 },
);
const sectionArb = fc.record({
  le: fc.boolean(),
  tsresol: fc.constantFrom(6, 9, 0x83),
  blocks: fc.array(blockArb, { minLength: 1, maxLength: 6 }),
});
const pcapngArb = fc.array(sectionArb, { minLength: 1, maxLength: 3 }).map((sections): Built => {
  const parts: Buffer[] = [];
  const packets: Uint8Array[] = [];
  for (const s of sections) {
    const e: Endian = { le: s.le };
    parts.push(shb(e), idb(e, 1, { tsresol: s.tsresol }));
    for (const b of s.blocks) {
      if (b.t === 'epb') {
        parts.push(epb(e, 0, 12345n, b.data, b.data.length, b.comment ? 'fuzz' : undefined));
        packets.push(b.data);
      } else if (b.t === 'spb') {
        parts.push(spb(e, b.data));
        packets.push(b.data);
      } else if (b.t === 'nrb') parts.push(nrb(e));
      else parts.push(idb(e, 1));
    }
  }
  const starts: number[] = [];
  let o = 0;
  for (const p of parts) {
    starts.push(o);
    o += p.length;
  }
  return { bytes: Buffer.concat(parts), boundaries: [...starts.slice(1), o], owner: ownerOf(starts), packets };
});

function ownerOf(starts: number[]): (at: number) => number {
  return (at) => {
    let k = 0;
    while (k + 1 < starts.length && starts[k + 1] <= at) k++;
    return starts[k];
  };
}

interface ReadOutcome {
  packets: Uint8Array[];
  error?: CaptureError;
}
/** Reads every record, copying frames; throws on anything that is not a CaptureError, or on too many records. */
function readAll(open: () => CaptureReader, size: number): ReadOutcome {
  const packets: Uint8Array[] = [];
  let r: CaptureReader | undefined;
  try {
    r = open();
    let last = -1;
    for (let rec = r.next(); rec; rec = r.next()) {
      if (packets.length > size / 12 + 1)
        throw new Error(
          `more records (${packets.length}) than a ${size}-byte file can hold: a loop that does not advance`,
        );
      if (rec.offset <= last || rec.offset >= size)
        throw new Error(`record offsets not increasing inside the file: ${last} then ${rec.offset}`);
      if (rec.frame.length > MAX_CAPTURED_LENGTH) throw new Error(`a frame of ${rec.frame.length} bytes`);
      last = rec.offset;
      packets.push(Uint8Array.from(rec.frame));
    }
    return { packets };
  } catch (e) {
    if (e instanceof CaptureError) return { packets, error: e };
    throw e;
  } finally {
    r?.close();
  }
}

function errorOffset(e: CaptureError): number {
  const m = /\(at byte offset (\d+)\)$/.exec(e.message);
  if (!m) throw new Error(`a CaptureError without "(at byte offset N)": ${e.message}`);
  if (Number(m[1]) !== e.offset) throw new Error(`message offset ${m[1]} but .offset ${e.offset}`);
  return e.offset!;
}

const fileArb = fc.oneof(pcapArb, pcapngArb);

describe('capture readers (fast-check)', () => {
  test(`${RUNS} whole files read back every packet`, () => {
    fc.assert(
      fc.property(fileArb, (f) => {
        const o = readAll(() => CaptureReader.fromBytes(f.bytes), f.bytes.length);
        if (o.error) throw o.error;
        if (
          o.packets.length !== f.packets.length ||
          o.packets.some((p, i) => Buffer.compare(Buffer.from(p), Buffer.from(f.packets[i])) !== 0)
        )
          throw new Error('packets differ');
      }),
      { numRuns: RUNS },
    );
  });

  test(`${RUNS} truncations: a cut inside a record is an error at that record's offset; at a boundary, fewer packets`, () => {
    fc.assert(
      fc.property(fileArb, fc.nat(), (f, c) => {
        const cut = c % f.bytes.length; // 0 .. length-1: something is always missing
        const o = readAll(() => CaptureReader.fromBytes(f.bytes.subarray(0, cut)), cut);
        if (f.boundaries.includes(cut)) {
          if (o.error) throw new Error(`cut at boundary ${cut}: ${o.error.message}`);
          return;
        }
        if (!o.error)
          throw new Error(
            `cut at ${cut} (inside the record at ${f.owner(cut)}): read ${o.packets.length} packets without an error`,
          );
        const at = errorOffset(o.error);
        if (at !== f.owner(cut))
          throw new Error(
            `cut at ${cut}: error names offset ${at}, the record starts at ${f.owner(cut)}: ${o.error.message}`,
          );
        // every packet before the bad record was read, intact
        o.packets.forEach((p, i) => {
          if (Buffer.compare(Buffer.from(p), Buffer.from(f.packets[i])) !== 0)
            throw new Error(`packet ${i} differs before the cut`);
        });
      }),
      { numRuns: RUNS },
    );
  });

  test(`${RUNS} corruptions (1 to 6 bytes): packets or a CaptureError inside the file, nothing else`, () => {
    fc.assert(
      fc.property(
        fileArb,
        fc.array(
          fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(0, 0xff, 0x7f, 0x80, 0x0c), fc.integer({ min: 0, max: 255 }))),
          { minLength: 1, maxLength: 6 },
        ),
        (f, edits) => {
          const b = Buffer.from(f.bytes);
          for (const [at, v] of edits) b[at % b.length] = v;
          const o = readAll(() => CaptureReader.fromBytes(b), b.length);
          if (o.error) {
            const at = errorOffset(o.error);
            if (at < 0 || at > b.length) throw new Error(`error offset ${at} outside a ${b.length}-byte file`);
            if (o.error.message.length > 300 || o.error.message.includes('\n'))
              throw new Error(`not one clear line: ${o.error.message}`);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('capture files on disk (read through the bounded window)', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'robust-capture-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('100 cuts of a 3 MiB pcapng file: the same offsets as in memory, across window borders', () => {
    const e: Endian = { le: false };
    const parts = [shb(e), idb(e, 1)];
    for (let k = 0; k < 4000; k++)
      parts.push(
        k % 5 ? epb(e, 0, BigInt(k), Buffer.alloc(600 + (k % 300), k & 0xff)) : spb(e, Buffer.alloc(61 + (k % 50), 7)),
      );
    const whole = Buffer.concat(parts);
    const path = join(dir, 'cut.pcapng');
    fc.assert(
      fc.property(fc.nat({ max: whole.length - 1 }), (cut) => {
        writeFileSync(path, whole.subarray(0, cut));
        const disk = readAll(() => CaptureReader.open(path), cut);
        const mem = readAll(() => CaptureReader.fromBytes(whole.subarray(0, cut)), cut);
        if (disk.packets.length !== mem.packets.length)
          throw new Error(`cut ${cut}: ${disk.packets.length} packets from disk, ${mem.packets.length} from memory`);
        if ((disk.error?.message ?? '') !== (mem.error?.message ?? ''))
          throw new Error(`cut ${cut}: "${disk.error?.message}" vs "${mem.error?.message}"`);
      }),
      { numRuns: 100 },
    );
  });

  test('intracluster rewrite on a truncated capture: one line naming the offset, exit 1, no output file', () => {
    ensureBuilt();
    const cfg = join(dir, 'c.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        clusterMac: '02-bf-aa-bb-cc-dd',
        hosts: [
          { name: 'host1', addresses: ['12.12.4.101'] },
          { name: 'host2', addresses: ['12.12.4.102'] },
        ],
      }),
    );
    const frames = Array.from({ length: 3 }, (_, k) => ({ sec: k, frac: 0, data: Buffer.alloc(60, k) }));
    const input = join(dir, 'in.pcap');
    const output = join(dir, 'out.pcap');
    writeFileSync(input, pcapFile(frames).subarray(0, 24 + 76 + 30)); // cut inside the second record (offset 100)
    const r = spawnSync(
      process.execPath,
      [BIN, 'rewrite', '--config', cfg, '--host', 'host1', '--direction', 'inbound', input, output],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(/record truncated.*\(at byte offset 100\)/);
    expect(existsSync(output)).toBe(false);
  }, 180_000);
});
