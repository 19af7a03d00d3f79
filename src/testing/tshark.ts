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
  constructor(
    message: string,
    /** tshark itself was not found (ENOENT). */
    readonly notFound = false,
    /** What tshark said on stderr (its "Running as user root" notice left out). */
    readonly stderr = '',
  ) {
    super(message);
    this.name = 'TsharkError';
  }
}

export interface TsharkFieldsOptions {
  /** The tshark to run (default `tshark`, from PATH). */
  readonly tshark?: string;
  /** Where to write the capture, kept afterwards for Wireshark; default a temporary file, removed. */
  readonly pcap?: string;
}

/**
 * One tshark run over one pcap of `frames`: for each frame, field -> value as `tshark -T fields`
 * prints it ("" when absent; several occurrences joined by ","). `frame.number` is checked to
 * follow the frames. Throws TsharkError when tshark is missing, fails or prints other lines.
 */
export function tsharkFields(
  frames: readonly Uint8Array[],
  fields: readonly string[],
  options: TsharkFieldsOptions = {},
): Record<string, string>[] {
  const tshark = options.tshark ?? 'tshark';
  const all = fields.includes('frame.number') ? fields : ['frame.number', ...fields];
  const dir = options.pcap ? undefined : mkdtempSync(join(tmpdir(), 'intracluster-tshark-'));
  try {
    const pcap = options.pcap ?? join(dir!, 'frames.pcap');
    writeFileSync(pcap, encodePcap(frames));
    const args = ['-n', '-r', pcap, '-T', 'fields', '-E', 'header=n', '-E', 'separator=/t', '-E', 'quote=n'];
    args.push('-E', 'occurrence=a', '-E', 'aggregator=,');
    for (const f of all) args.push('-e', f);
    const r = spawnSync(tshark, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.error) {
      const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new TsharkError(missing ? `${tshark} not found (install Wireshark's tshark)` : r.error.message, missing);
    }
    const said = r.stderr
      .split('\n')
      .filter((l) => l.trim() && !/^Running as user "root"/.test(l))
      .join('\n');
    if (r.status !== 0)
      throw new TsharkError(`${tshark} exited with ${r.status ?? r.signal}: ${said.replace(/\n/g, ' ')}`, false, said);
    const lines = r.stdout.split('\n').filter((l) => l.length > 0);
    if (lines.length !== frames.length)
      throw new TsharkError(`${tshark} printed ${lines.length} lines for ${frames.length} frames`, false, said);
    return lines.map((line, i) => {
      const values = line.split('\t');
      const read: Record<string, string> = {};
      all.forEach((f, j) => (read[f] = values[j] ?? ''));
      if (read['frame.number'] !== String(i + 1))
        throw new TsharkError(`${tshark} line ${i + 1} is frame ${read['frame.number']}`, false, said);
      return read;
    });
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
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
  tsharkFields(
    refs.map((f) => f.bytes),
    fields,
    { tshark },
  ).forEach((read, i) => {
    const ref = refs[i];
    const add = (msg: string) => {
      const list = found.get(ref.index) ?? [];
      list.push(`tshark, ${ref.role} frame: ${msg}`);
      found.set(ref.index, list);
    };
    if (!results[ref.index].vector.tshark!.malformed && read['_ws.malformed']) add('malformed packet');
    for (const [field, want] of Object.entries(ref.claims)) {
      const got = read[field] ?? '';
      if (got !== want) add(`${field}: expected "${want}", read "${got}"`);
    }
  });
  return found;
}
