import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { GoldenDirection, GoldenVector, GoldenVerdict, TsharkFields, parseGoldenVector } from './vector';

/** A vector to write: frames as bytes, the rest as in the file (docs/golden-vectors.md). */
export interface GoldenVectorSpec {
  readonly name: string;
  readonly description: string;
  readonly source: string;
  readonly rules: readonly string[];
  /** A config path (relative to the directory the vector is loaded from) or an inline config object. */
  readonly config: string | object;
  readonly host: string;
  readonly before?: readonly { readonly direction: GoldenDirection; readonly input: Uint8Array }[];
  readonly direction: GoldenDirection;
  readonly input: Uint8Array;
  readonly expect: {
    readonly verdict: GoldenVerdict;
    readonly output?: Uint8Array;
    readonly reply?: Uint8Array;
    readonly reason?: string;
  };
  readonly tshark?: {
    readonly input?: TsharkFields;
    readonly output?: TsharkFields;
    readonly reply?: TsharkFields;
    readonly malformed?: boolean;
  };
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** The JSON text of a vector file: keys in the schema's order, hex frames, two-space indent, final newline. */
export function formatGoldenVector(spec: GoldenVectorSpec): string {
  const v: Record<string, unknown> = {
    name: spec.name,
    description: spec.description,
    source: spec.source,
    rules: [...spec.rules],
    config: spec.config,
    host: spec.host,
  };
  if (spec.before && spec.before.length > 0)
    v.before = spec.before.map((b) => ({ direction: b.direction, input: hex(b.input) }));
  v.direction = spec.direction;
  v.input = hex(spec.input);
  const e: Record<string, unknown> = { verdict: spec.expect.verdict };
  if (spec.expect.output) e.output = hex(spec.expect.output);
  if (spec.expect.reply) e.reply = hex(spec.expect.reply);
  if (spec.expect.reason !== undefined) e.reason = spec.expect.reason;
  v.expect = e;
  if (spec.tshark) {
    const t: Record<string, unknown> = {};
    for (const k of ['input', 'output', 'reply'] as const) if (spec.tshark[k]) t[k] = spec.tshark[k];
    if (spec.tshark.malformed) t.malformed = true;
    v.tshark = t;
  }
  return JSON.stringify(v, null, 2) + '\n';
}

/**
 * Writes `spec` as `<dir>/<name>.json` after checking it with the loader (so nothing is written that
 * the runner would refuse: a GoldenVectorError names the key). Config paths resolve against `root`
 * (default `dir`), as when the directory is loaded. Returns the loaded vector.
 */
export function writeGoldenVector(dir: string, spec: GoldenVectorSpec, root: string = dir): GoldenVector {
  const file = join(resolve(dir), `${spec.name}.json`);
  const text = formatGoldenVector(spec);
  const vector = parseGoldenVector(JSON.parse(text), file, resolve(root));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return vector;
}
