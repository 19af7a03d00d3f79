import { ARP_LEN, ArpField } from '../../adapters/arp/arp';
import { etherTypeOffset, readU16 } from '../frame/ethernet';
import { EtherType } from '../frame/ethernet';

/**
 * Hex dumps of an expected and an actual frame with the differing bytes marked, in the manner of
 * gopacket's round-trip tests: rows of 16 bytes, `-` expected, `+` actual, `^^` under each byte
 * that differs, then the differing ranges named by field (Ethernet, VLAN tags, ARP).
 */
export function hexDiff(
  expected: Uint8Array,
  actual: Uint8Array,
  labels: [string, string] = ['expected', 'actual'],
): string {
  const n = Math.max(expected.length, actual.length);
  const lines: string[] = [
    `      ${hexRow(
      Uint8Array.from({ length: 16 }, (_, i) => i),
      0,
      16,
    )}`,
  ];
  lines.push(`- ${labels[0]} (${expected.length} bytes)`, `+ ${labels[1]} (${actual.length} bytes)`);
  const diff: number[] = [];
  for (let row = 0; row < n; row += 16) {
    const end = Math.min(row + 16, n);
    let marks = '';
    let any = false;
    for (let i = row; i < end; i++) {
      const d = i >= expected.length || i >= actual.length || expected[i] !== actual[i];
      if (d) {
        diff.push(i);
        any = true;
      }
      marks += d ? '^^ ' : '   ';
    }
    const off = row.toString(16).padStart(4, '0');
    if (!any) {
      lines.push(`${off}  ${hexRow(expected, row, end)}`);
    } else {
      lines.push(`${off} -${hexRow(expected, row, end)}`);
      lines.push(`${off} +${hexRow(actual, row, end)}`);
      lines.push(`      ${marks.trimEnd()}`);
    }
  }
  if (diff.length === 0) lines.push('(identical)');
  else
    lines.push(
      `differing bytes: ${describeRanges(ranges(diff), expected.length >= actual.length ? expected : actual)}`,
    );
  return lines.join('\n');
}

/** A hex dump without marks (for a frame that has nothing to compare with). */
export function hexDump(b: Uint8Array): string {
  const lines: string[] = [];
  for (let row = 0; row < b.length; row += 16)
    lines.push(`${row.toString(16).padStart(4, '0')}  ${hexRow(b, row, Math.min(row + 16, b.length))}`);
  return lines.join('\n') || '(empty)';
}

function hexRow(b: ArrayLike<number>, start: number, end: number): string {
  const parts: string[] = [];
  for (let i = start; i < end; i++) parts.push(i < b.length ? (b[i] & 0xff).toString(16).padStart(2, '0') : '..');
  return parts.join(' ');
}

function ranges(offsets: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const o of offsets) {
    const last = out[out.length - 1];
    if (last && last[1] === o - 1) last[1] = o;
    else out.push([o, o]);
  }
  return out;
}

function describeRanges(rs: [number, number][], frame: Uint8Array): string {
  const fields = frameFields(frame);
  return rs
    .map(([a, b]) => {
      const where = a === b ? `0x${a.toString(16)}` : `0x${a.toString(16)}-0x${b.toString(16)}`;
      const names = [...new Set(fields.filter((f) => f.start <= b && a < f.end).map((f) => f.name))];
      return names.length ? `${where} (${names.join(', ')})` : where;
    })
    .join(', ');
}

interface FieldSpan {
  name: string;
  start: number;
  end: number;
}

/** Named byte ranges of an Ethernet frame, for naming where two frames differ. */
export function frameFields(f: Uint8Array): FieldSpan[] {
  const out: FieldSpan[] = [
    { name: 'Ethernet destination', start: 0, end: 6 },
    { name: 'Ethernet source', start: 6, end: 12 },
  ];
  const et = etherTypeOffset(f, f.length);
  if (et < 0) return out;
  for (let o = 12; o < et; o += 4) out.push({ name: `VLAN tag ${(o - 12) / 4 + 1}`, start: o, end: o + 4 });
  out.push({ name: 'EtherType', start: et, end: et + 2 });
  const l3 = et + 2;
  if (
    readU16(f, et) === EtherType.ARP &&
    l3 + ARP_LEN <= f.length &&
    f[l3 + ArpField.HLEN] === 6 &&
    f[l3 + ArpField.PLEN] === 4
  ) {
    const arp: [string, number, number][] = [
      ['ARP htype', ArpField.HTYPE, 2],
      ['ARP ptype', ArpField.PTYPE, 2],
      ['ARP hlen', ArpField.HLEN, 1],
      ['ARP plen', ArpField.PLEN, 1],
      ['ARP opcode', ArpField.OPER, 2],
      ['ARP sender MAC', ArpField.SHA, 6],
      ['ARP sender IP', ArpField.SPA, 4],
      ['ARP target MAC', ArpField.THA, 6],
      ['ARP target IP', ArpField.TPA, 4],
    ];
    for (const [name, off, len] of arp) out.push({ name, start: l3 + off, end: l3 + off + len });
    out.push({ name: 'padding', start: l3 + ARP_LEN, end: Math.max(f.length, l3 + ARP_LEN) });
  } else {
    out.push({ name: `L3 payload (offset 0x${l3.toString(16)})`, start: l3, end: Math.max(f.length, l3) });
  }
  return out;
}
