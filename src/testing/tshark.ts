import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePcap } from '../pcap/writer';
import { GoldenResult } from './runner';
import { GoldenFrameRole, TsharkFields } from './vector';

/**
 * Wireshark's dissectors as a second reader of the frames of a run: every vector's input and the
 * frames the implementation actually produced (output, reply) go into one pcap, one tshark reads it,
 * and each field the vector claims (`tshark.input`, `.output`, `.reply`) must read back exactly;
 * no frame may be malformed unless the vector says `"malformed": true`. Vectors without a `tshark`
 * section are not checked.
 */
export class TsharkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TsharkError';
  }
}

interface Ref {
  index: number;
  role: GoldenFrameRole;
  bytes: Uint8Array;
  claims: TsharkFields;
}

/** Failures found by tshark, per index of `results` (absent: nothing found). Throws TsharkError when tshark cannot run. */
export function tsharkCheck(results: readonly GoldenResult[], tshark = 'tshark'): Map<number, string[]> {
  const refs: Ref[] = [];
  results.forEach((r, index) => {
    const t = r.vector.tshark;
    if (!t) return;
    refs.push({ index, role: 'input', bytes: r.vector.input, claims: t.input ?? {} });
    if (r.output) refs.push({ index, role: 'output', bytes: r.output, claims: t.output ?? {} });
    if (r.reply) refs.push({ index, role: 'reply', bytes: r.reply, claims: t.reply ?? {} });
  });
  const found = new Map<number, string[]>();
  if (refs.length === 0) return found;
  const fields = [...new Set(['frame.number', '_ws.malformed', ...refs.flatMap((f) => Object.keys(f.claims))])];
  const dir = mkdtempSync(join(tmpdir(), 'intracluster-tshark-'));
  try {
    const pcap = join(dir, 'golden.pcap');
    writeFileSync(pcap, encodePcap(refs.map((f) => f.bytes)));
    const args = [
      '-n',
      '-r',
      pcap,
      '-T',
      'fields',
      '-E',
      'header=n',
      '-E',
      'separator=/t',
      '-E',
      'quote=n',
      '-E',
      'occurrence=a',
      '-E',
      'aggregator=,',
    ];
    for (const f of fields) args.push('-e', f);
    const r = spawnSync(tshark, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.error)
      throw new TsharkError(
        (r.error as NodeJS.ErrnoException).code === 'ENOENT'
          ? `${tshark} not found (install Wireshark's tshark)`
          : r.error.message,
      );
    if (r.status !== 0) {
      const said = r.stderr
        .split('\n')
        .filter((l) => l.trim() && !/^Running as user "root"/.test(l))
        .join(' ');
      throw new TsharkError(`${tshark} exited with ${r.status ?? r.signal}: ${said}`);
    }
    const lines = r.stdout.split('\n').filter((l) => l.length > 0);
    if (lines.length !== refs.length)
      throw new TsharkError(`${tshark} printed ${lines.length} lines for ${refs.length} frames`);
    lines.forEach((line, i) => {
      const values = line.split('\t');
      const read = new Map(fields.map((f, j) => [f, values[j] ?? '']));
      const ref = refs[i];
      const add = (msg: string) => {
        const list = found.get(ref.index) ?? [];
        list.push(`tshark, ${ref.role} frame: ${msg}`);
        found.set(ref.index, list);
      };
      if (!results[ref.index].vector.tshark!.malformed && read.get('_ws.malformed')) add('malformed packet');
      for (const [field, want] of Object.entries(ref.claims)) {
        const got = read.get(field) ?? '';
        if (got !== want) add(`${field}: expected "${want}", read "${got}"`);
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return found;
}
