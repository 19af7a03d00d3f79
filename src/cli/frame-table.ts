import { parseFrame } from '../frame/build';
import { parseArpFrame } from '../../adapters/arp/repr';
import { ArpOp } from '../../adapters/arp/arp';
import { EtherType } from '../frame/ethernet';
import { formatMac } from '../mac';

/**
 * Tables of frames like the patent's FIG. 6: one row per frame, columns sized to their content,
 * free-text notes under a row (wrapped, indented under the second column). Used by the demo; any
 * section (ARP, data frames, NDP) supplies its own columns and cell functions.
 */
export class FrameTable {
  private readonly rows: { cells: string[]; notes: string[] }[] = [];

  /** @param width terminal width: notes wrap to width - 1 (rows are as wide as their cells). */
  constructor(
    readonly columns: readonly string[],
    readonly width = 100,
  ) {}

  add(cells: readonly string[], notes: readonly string[] = []): this {
    if (cells.length !== this.columns.length)
      throw new Error(`table row has ${cells.length} cells for ${this.columns.length} columns`);
    this.rows.push({ cells: [...cells], notes: [...notes] });
    return this;
  }

  render(): string {
    const w = this.columns.map((c, i) => Math.max(c.length, ...this.rows.map((r) => r.cells[i].length)));
    const line = (cells: readonly string[]) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(w[i])))
        .join('  ')
        .trimEnd();
    const indent = w[0] + 2;
    const out = [line(this.columns), line(w.map((n) => '-'.repeat(n)))];
    for (const r of this.rows) {
      out.push(line(r.cells));
      for (const n of r.notes) out.push(...wrap(n, this.width - 1 - indent, 2).map((l) => ' '.repeat(indent) + l));
    }
    return out.join('\n') + '\n';
  }
}

/** Word-wraps `text` to `width`; continuation lines are indented by `hang` spaces. */
export function wrap(text: string, width: number, hang = 0): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const room = width - (lines.length ? hang : 0);
    if (cur && cur.length + 1 + word.length > room) {
      lines.push(cur);
      cur = word;
    } else {
      cur = cur ? `${cur} ${word}` : word;
    }
  }
  if (cur || !lines.length) lines.push(cur);
  return lines.map((l, i) => (i > 0 ? ' '.repeat(hang) + l : l));
}

/** Short names for MACs and addresses in table cells (e.g. the cluster MAC as "cluster"). */
export class Labels {
  private readonly names = new Map<string, string>();

  set(value: string, label: string): this {
    this.names.set(value.toLowerCase(), label);
    return this;
  }
  get(value: string): string {
    return this.names.get(value.toLowerCase()) ?? value;
  }
}

export const ARP_COLUMNS = [
  'row',
  'Eth dst',
  'Eth src',
  'op',
  'sender MAC',
  'sender IP',
  'target MAC',
  'target IP',
] as const;

/** FIG. 6 cells of an ARP frame: Eth dst, Eth src, op, sender MAC/IP, target MAC/IP. */
export function arpCells(row: string, frame: Uint8Array, labels: Labels): string[] {
  const { eth: p, arp: a } = parseArpFrame(frame);
  if (!a) return [row, labels.get(p.dst), labels.get(p.src), `0x${p.etherType.toString(16)}`, '', '', '', ''];
  const op = a.op === ArpOp.REQUEST ? 'req' : a.op === ArpOp.REPLY ? 'reply' : String(a.op);
  return [
    row,
    labels.get(p.dst),
    labels.get(p.src),
    op,
    labels.get(a.sha),
    labels.get(a.spa),
    labels.get(a.tha),
    labels.get(a.tpa),
  ];
}

export const IPV4_COLUMNS = ['row', 'Eth dst', 'Eth src', 'IP src', 'IP dst', 'payload'] as const;

/** FIG. 7 cells of an IPv4 frame: Ethernet addresses, IP addresses, and what it carries. */
export function ipv4Cells(row: string, frame: Uint8Array, labels: Labels, payload: string): string[] {
  const p = parseFrame(frame);
  if (p.etherType !== EtherType.IPV4 || p.l3 + 20 > frame.length)
    return [row, formatMac(frame, 0), formatMac(frame, 6), '', '', payload];
  const ip = (o: number) => Array.from(frame.subarray(p.l3 + o, p.l3 + o + 4)).join('.');
  return [row, labels.get(p.dst), labels.get(p.src), labels.get(ip(12)), labels.get(ip(16)), payload];
}
