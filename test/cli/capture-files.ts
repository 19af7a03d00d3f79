/**
 * Capture files built byte by byte from the specs (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng),
 * independent of src/pcap, for the reader's and the CLI's tests.
 */

export interface Endian {
  le: boolean;
}

function u16(v: number, e: Endian): Buffer {
  const b = Buffer.alloc(2);
  if (e.le) b.writeUInt16LE(v);
  else b.writeUInt16BE(v);
  return b;
}
function u32(v: number, e: Endian): Buffer {
  const b = Buffer.alloc(4);
  if (e.le) b.writeUInt32LE(v >>> 0);
  else b.writeUInt32BE(v >>> 0);
  return b;
}
function pad4(b: Uint8Array): Buffer {
  const n = (4 - (b.length % 4)) % 4;
  return Buffer.concat([Buffer.from(b), Buffer.alloc(n)]);
}

/** Classic pcap: 24-byte header then 16-byte record headers (ts_sec, ts_frac, incl_len, orig_len). */
export function pcapFile(
  records: { sec: number; frac: number; data: Uint8Array; orig?: number }[],
  opts: { le?: boolean; nsec?: boolean; linkType?: number } = {},
): Buffer {
  const e = { le: opts.le ?? true };
  const parts = [
    u32(opts.nsec ? 0xa1b23c4d : 0xa1b2c3d4, e),
    u16(2, e),
    u16(4, e),
    u32(0, e),
    u32(0, e),
    u32(262144, e),
    u32(opts.linkType ?? 1, e),
  ];
  for (const r of records)
    parts.push(
      u32(r.sec, e),
      u32(r.frac, e),
      u32(r.data.length, e),
      u32(r.orig ?? r.data.length, e),
      Buffer.from(r.data),
    );
  return Buffer.concat(parts);
}

/** A pcapng block: type, total length, body (padded), total length. */
export function block(type: number, body: Uint8Array, e: Endian): Buffer {
  const b = pad4(body);
  const len = b.length + 12;
  return Buffer.concat([u32(type, e), u32(len, e), b, u32(len, e)]);
}

export function option(code: number, value: Uint8Array, e: Endian): Buffer {
  return Buffer.concat([u16(code, e), u16(value.length, e), pad4(value)]);
}
export function endOfOptions(e: Endian): Buffer {
  return Buffer.concat([u16(0, e), u16(0, e)]);
}

export function shb(e: Endian, options: Buffer[] = []): Buffer {
  const body = Buffer.concat([
    u32(0x1a2b3c4d, e),
    u16(1, e),
    u16(0, e),
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    ...options,
    ...(options.length ? [endOfOptions(e)] : []),
  ]);
  // the SHB type is a palindrome: same bytes in both orders
  return block(0x0a0d0d0a, body, e);
}

export function idb(
  e: Endian,
  linkType = 1,
  opts: { tsresol?: number; snaplen?: number; tsoffset?: bigint; name?: string } = {},
): Buffer {
  const options: Buffer[] = [];
  if (opts.name) options.push(option(2, Buffer.from(opts.name), e));
  if (opts.tsresol !== undefined) options.push(option(9, Buffer.from([opts.tsresol]), e));
  if (opts.tsoffset !== undefined) {
    const v = Buffer.alloc(8);
    if (e.le) v.writeBigInt64LE(opts.tsoffset);
    else v.writeBigInt64BE(opts.tsoffset);
    options.push(option(14, v, e));
  }
  if (options.length) options.push(endOfOptions(e));
  return block(1, Buffer.concat([u16(linkType, e), u16(0, e), u32(opts.snaplen ?? 0, e), ...options]), e);
}

/** Enhanced Packet Block; `ts` in the interface's units. */
export function epb(
  e: Endian,
  iface: number,
  ts: bigint,
  data: Uint8Array,
  orig = data.length,
  comment?: string,
): Buffer {
  const options = comment ? [option(1, Buffer.from(comment), e), endOfOptions(e)] : [];
  return block(
    6,
    Buffer.concat([
      u32(iface, e),
      u32(Number(ts >> 32n), e),
      u32(Number(ts & 0xffffffffn), e),
      u32(data.length, e),
      u32(orig, e),
      pad4(data),
      ...options,
    ]),
    e,
  );
}

/** Simple Packet Block (interface 0, no timestamp). */
export function spb(e: Endian, data: Uint8Array, orig = data.length): Buffer {
  return block(3, Buffer.concat([u32(orig, e), pad4(data)]), e);
}

/** Name Resolution Block with one IPv4 record: a block the reader must skip. */
export function nrb(e: Endian): Buffer {
  const rec = Buffer.concat([Buffer.from([12, 12, 4, 101]), Buffer.from('host1\0')]);
  return block(4, Buffer.concat([u16(1, e), u16(rec.length, e), pad4(rec), u16(0, e), u16(0, e)]), e);
}
