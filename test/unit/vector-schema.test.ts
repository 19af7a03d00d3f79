import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GOLDEN_DIR,
  GOLDEN_SCHEMA,
  formatGoldenVector,
  listGoldenVectorFiles,
  loadGoldenVectors,
  parseGoldenVector,
  writeGoldenVector,
} from '../../src/testing';
import type { GoldenVectorSpec } from '../../src/testing';

/**
 * The JSON Schema of the vector format (schema/golden-vector.schema.json) against the shipped vectors
 * and the loader, and the vector writer against the shipped files. The validator below covers the
 * keywords the schema uses; an unknown keyword fails the test, so it cannot skip a rule silently.
 */
type Schema = Record<string, unknown>;
const KNOWN = new Set([
  '$schema',
  '$id',
  'title',
  'description',
  'type',
  'additionalProperties',
  'required',
  'properties',
  'items',
  'minItems',
  'minLength',
  'pattern',
  'enum',
  'oneOf',
  '$ref',
  '$defs',
]);

function validate(schema: Schema, v: unknown, at = '', root: Schema = schema): string[] {
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) throw new Error(`validator does not know keyword ${k}`);
  if (schema.$ref)
    return validate(
      (root.$defs as Record<string, Schema>)[(schema.$ref as string).replace('#/$defs/', '')],
      v,
      at,
      root,
    );
  const errs: string[] = [];
  const type = schema.type as string | undefined;
  const isObj = typeof v === 'object' && v !== null && !Array.isArray(v);
  if (type === 'object' && !isObj) return [`${at}: not an object`];
  if (type === 'array' && !Array.isArray(v)) return [`${at}: not an array`];
  if (type === 'string' && typeof v !== 'string') return [`${at}: not a string`];
  if (type === 'boolean' && typeof v !== 'boolean') return [`${at}: not a boolean`];
  if (schema.enum && !(schema.enum as unknown[]).includes(v))
    errs.push(`${at}: not one of ${(schema.enum as unknown[]).join(', ')}`);
  if (typeof v === 'string') {
    if (schema.minLength !== undefined && v.length < (schema.minLength as number)) errs.push(`${at}: too short`);
    if (schema.pattern && !new RegExp(schema.pattern as string).test(v))
      errs.push(`${at}: does not match ${schema.pattern}`);
  }
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < (schema.minItems as number)) errs.push(`${at}: too few items`);
    if (schema.items) v.forEach((x, i) => errs.push(...validate(schema.items as Schema, x, `${at}[${i}]`, root)));
  }
  if (schema.oneOf) {
    const ok = (schema.oneOf as Schema[]).filter((s) => validate(s, v, at, root).length === 0).length;
    if (ok !== 1) errs.push(`${at}: matches ${ok} of oneOf`);
  }
  if (isObj) {
    const o = v as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in o)) errs.push(`${at}.${r}: required`);
    for (const [k, x] of Object.entries(o)) {
      if (props[k]) errs.push(...validate(props[k], x, `${at}.${k}`, root));
      else if (schema.additionalProperties === false) errs.push(`${at}.${k}: not allowed`);
      else if (typeof schema.additionalProperties === 'object')
        errs.push(...validate(schema.additionalProperties as Schema, x, `${at}.${k}`, root));
    }
  }
  return errs;
}

const files = listGoldenVectorFiles(GOLDEN_DIR);
const raw = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
const bytes = (h: unknown) => Uint8Array.from(Buffer.from(h as string, 'hex'));

test.each(files.map((f) => [f.slice(GOLDEN_DIR.length + 1), f]))('%s is valid under the schema', (_name, file) => {
  expect(validate(GOLDEN_SCHEMA as unknown as Schema, raw(file))).toEqual([]);
});

test.each([
  ['an unknown top-level key', { foo: 1 }, /foo: unknown key/, /\.foo: not allowed/],
  [
    'an unknown verdict',
    { expect: { verdict: 'forward' } },
    /expect\.verdict: must be one of pass, rewrite, drop, reply/,
    /\.expect\.verdict: not one of/,
  ],
  ['odd hex', { input: 'abc' }, /input: odd number of hex digits/, /\.input: does not match/],
  ['a bad direction', { direction: 'sideways' }, /direction: must be "inbound"/, /\.direction: not one of/],
  ['an unknown tshark key', { tshark: { inputs: {} } }, /tshark\.inputs: unknown key/, /\.tshark\.inputs: not allowed/],
])('schema and loader both refuse %s', (_what, patch, loaderSays, schemaSays) => {
  const file = files[0];
  const v = { ...raw(file), ...patch };
  expect(() => parseGoldenVector(v, file, GOLDEN_DIR)).toThrow(loaderSays);
  expect(validate(GOLDEN_SCHEMA as unknown as Schema, v).join('\n')).toMatch(schemaSays);
});

test('the writer reproduces every shipped vector file byte for byte, and its files load back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'golden-writer-'));
  try {
    for (const v of loadGoldenVectors(GOLDEN_DIR)) {
      const r = raw(v.file);
      const e = r.expect as Record<string, unknown>;
      const spec: GoldenVectorSpec = {
        name: v.name,
        description: v.description,
        source: v.source,
        rules: v.rules,
        config: r.config as string | object,
        host: v.host,
        before: v.before,
        direction: v.direction,
        input: v.input,
        expect: {
          verdict: v.expect.verdict,
          output: e.output === undefined ? undefined : bytes(e.output),
          reply: v.expect.reply,
          reason: v.expect.reason,
        },
        tshark: r.tshark as GoldenVectorSpec['tshark'],
      };
      expect(formatGoldenVector(spec)).toBe(readFileSync(v.file, 'utf8'));
      const back = writeGoldenVector(dir, spec, GOLDEN_DIR);
      expect(back.input).toEqual(v.input);
      expect(back.expect).toEqual(v.expect);
      expect(back.config).toEqual(v.config);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the writer refuses what the loader would, and writes nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'golden-writer-'));
  try {
    const spec: GoldenVectorSpec = {
      name: 'x',
      description: 'a rewrite without output',
      source: 'test',
      rules: ['test'],
      config: { clusterMac: '02-bf-aa-bb-cc-dd', hosts: [{ name: 'h', addresses: ['12.12.4.101'] }] },
      host: 'h',
      direction: 'inbound',
      input: new Uint8Array(60),
      expect: { verdict: 'rewrite' },
    };
    expect(() => writeGoldenVector(dir, spec)).toThrow(/expect\.output: is required for verdict rewrite/);
    expect(() => readFileSync(join(dir, 'x.json'))).toThrow();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
