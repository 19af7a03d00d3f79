import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { ClusterConfig, parseConfig } from '../config';
import { ConfigError } from '../errors';
import { isReasonId } from '../verdict';
import { BEFORE_KEYS, EXPECT_KEYS, TOP_KEYS, TSHARK_KEYS, VERDICTS } from './schema';

/**
 * Golden vectors: one frame, one host's cluster layer, one expected verdict, as a data file
 * (docs/golden-vectors.md). Every `*.json` under a vector directory is one vector, except files
 * under a folder named `configs`, which hold cluster configs shared by many vectors.
 */

export type GoldenVerdict = 'pass' | 'rewrite' | 'drop' | 'reply';
export type GoldenDirection = 'inbound' | 'outbound';
/** Frames a vector claims tshark fields for. */
export type GoldenFrameRole = 'input' | 'output' | 'reply';

/** Fields as `tshark -T fields -e FIELD` prints them; "" claims the field is absent. */
export type TsharkFields = Readonly<Record<string, string>>;

export interface GoldenTshark {
  readonly input?: TsharkFields;
  readonly output?: TsharkFields;
  readonly reply?: TsharkFields;
  /** The frames are malformed by design (truncated): tshark may report a malformed packet. */
  readonly malformed: boolean;
}

export interface GoldenBefore {
  readonly direction: GoldenDirection;
  readonly input: Uint8Array;
}

export interface GoldenExpect {
  readonly verdict: GoldenVerdict;
  /** pass and rewrite: the bytes forwarded (for pass, always the input). */
  readonly output?: Uint8Array;
  /** reply: the frame handed back to the local stack. */
  readonly reply?: Uint8Array;
  /** The stable id of the reason the engine must give (`arp.step502`, docs/rules.md), matched exactly. */
  readonly reason?: string;
}

export interface GoldenVector {
  /** Absolute path of the vector file. */
  readonly file: string;
  /** Path relative to the directory it was loaded from (for test names and messages). */
  readonly path: string;
  readonly name: string;
  readonly description: string;
  readonly source: string;
  readonly rules: readonly string[];
  /** The config file it names (absolute path), or "inline". */
  readonly configSource: string;
  readonly config: ClusterConfig;
  readonly host: string;
  readonly before: readonly GoldenBefore[];
  readonly direction: GoldenDirection;
  readonly input: Uint8Array;
  readonly expect: GoldenExpect;
  readonly tshark?: GoldenTshark;
}

/** A malformed vector: names the file and the key. */
export class GoldenVectorError extends Error {
  constructor(
    readonly file: string,
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${file}: ${key ? `${key}: ` : ''}${reason}`);
    this.name = 'GoldenVectorError';
  }
}

const CONFIGS_DIR = 'configs';

/** Every vector file under `dir` (recursively, sorted), skipping `configs` folders. */
export function listGoldenVectorFiles(dir: string): string[] {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new GoldenVectorError(root, '', 'is not a directory of golden vectors');
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== CONFIGS_DIR) walk(p);
      } else if (e.isFile() && e.name.endsWith('.json')) {
        out.push(p);
      }
    }
  };
  walk(root);
  return out;
}

/**
 * Loads and validates every vector under `dir`. Config paths are resolved against `dir` first,
 * then against each folder from the vector's own up to `dir`'s parents, so a subdirectory
 * (`test/golden/arp`) loads on its own too. Throws GoldenVectorError on the first bad file.
 */
export function loadGoldenVectors(dir: string): GoldenVector[] {
  const root = resolve(dir);
  const configs = new Map<string, ClusterConfig>();
  const names = new Map<string, string>();
  const vectors = listGoldenVectorFiles(root).map((file) => {
    const v = loadGoldenVectorFile(file, root, configs);
    const other = names.get(v.name);
    if (other !== undefined) throw new GoldenVectorError(file, 'name', `"${v.name}" is also the name of ${other}`);
    names.set(v.name, file);
    return v;
  });
  return vectors;
}

/** Loads one vector file; `root` is the directory config paths are resolved against first. */
export function loadGoldenVectorFile(
  file: string,
  root = dirname(file),
  configCache = new Map<string, ClusterConfig>(),
): GoldenVector {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new GoldenVectorError(file, '', `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new GoldenVectorError(file, '', `not valid JSON: ${(e as Error).message}`);
  }
  return parseGoldenVector(raw, file, root, configCache);
}

/** Validates a parsed vector object. `file` names it in errors and fixes its expected `name`. */
export function parseGoldenVector(
  raw: unknown,
  file: string,
  root = dirname(file),
  configCache = new Map<string, ClusterConfig>(),
): GoldenVector {
  const fail = (key: string, reason: string): never => {
    throw new GoldenVectorError(file, key, reason);
  };
  const o = object(raw, '', TOP_KEYS, fail);

  const name = text(o.name, 'name', fail);
  const stem = basename(file, '.json');
  if (name !== stem) fail('name', `"${name}" must equal the file name without .json ("${stem}")`);
  const description = text(o.description, 'description', fail);
  const source = text(o.source, 'source', fail);
  if (!Array.isArray(o.rules) || o.rules.length === 0)
    fail('rules', 'expected a non-empty array of rule names, e.g. ["arp.request-for-this-host"] (docs/rules.md)');
  const rules = (o.rules as unknown[]).map((r, i) => text(r, `rules[${i}]`, fail));

  const { config, configSource } = resolveConfig(o.config, file, root, configCache, fail);
  const host = text(o.host, 'host', fail);
  if (!config.hosts.some((h) => h.name === host))
    fail('host', `"${host}" is not a host of the config (hosts: ${config.hosts.map((h) => h.name).join(', ')})`);

  const before =
    o.before === undefined
      ? []
      : Array.isArray(o.before)
        ? o.before
        : fail('before', 'expected an array of {"direction", "input"}');
  const beforeFrames = (before as unknown[]).map((b, i): GoldenBefore => {
    const k = `before[${i}]`;
    const bo = object(b, k, BEFORE_KEYS, fail);
    return { direction: direction(bo.direction, `${k}.direction`, fail), input: hex(bo.input, `${k}.input`, fail) };
  });

  const dir = direction(o.direction, 'direction', fail);
  const input = hex(o.input, 'input', fail);

  const e = object(o.expect, 'expect', EXPECT_KEYS, fail);
  if (typeof e.verdict !== 'string' || !VERDICTS.includes(e.verdict))
    fail('expect.verdict', `must be one of ${VERDICTS.join(', ')}, got ${show(e.verdict)}`);
  const verdict = e.verdict as GoldenVerdict;
  const output = e.output === undefined ? undefined : hex(e.output, 'expect.output', fail);
  const reply = e.reply === undefined ? undefined : hex(e.reply, 'expect.reply', fail);
  const reason = e.reason === undefined ? undefined : text(e.reason, 'expect.reason', fail);
  if (reason !== undefined && !isReasonId(reason))
    fail('expect.reason', `must be a stable reason id such as "arp.step502" (docs/rules.md), got ${show(reason)}`);
  if (verdict === 'pass' && output && !bytesEqual(output, input))
    fail('expect.output', 'a pass vector forwards its input byte for byte: output must equal input (or be left out)');
  if (verdict === 'rewrite') {
    if (!output) fail('expect.output', 'is required for verdict rewrite');
    else if (output.length !== input.length)
      fail(
        'expect.output',
        `a rewrite keeps the frame's length: output has ${output.length} bytes, input ${input.length}`,
      );
  }
  if ((verdict === 'drop' || verdict === 'reply') && output)
    fail('expect.output', `not allowed for verdict ${verdict} (nothing is forwarded)`);
  if (verdict === 'reply' && !reply) fail('expect.reply', 'is required for verdict reply');
  if (verdict !== 'reply' && reply) fail('expect.reply', `only for verdict reply, not ${verdict}`);

  let tshark: GoldenTshark | undefined;
  if (o.tshark !== undefined) {
    const t = object(o.tshark, 'tshark', TSHARK_KEYS, fail);
    if (t.malformed !== undefined && typeof t.malformed !== 'boolean')
      fail('tshark.malformed', `expected true or false, got ${show(t.malformed)}`);
    tshark = {
      input: t.input === undefined ? undefined : fields(t.input, 'tshark.input', fail),
      output: t.output === undefined ? undefined : fields(t.output, 'tshark.output', fail),
      reply: t.reply === undefined ? undefined : fields(t.reply, 'tshark.reply', fail),
      malformed: t.malformed === true,
    };
    if (tshark.output && verdict !== 'pass' && verdict !== 'rewrite')
      fail('tshark.output', `verdict ${verdict} forwards no frame to claim fields of`);
    if (tshark.reply && verdict !== 'reply') fail('tshark.reply', `verdict ${verdict} has no reply frame`);
  }

  return {
    file,
    path: relative(root, file).split(sep).join('/'),
    name,
    description,
    source,
    rules,
    configSource,
    config,
    host,
    before: beforeFrames,
    direction: dir,
    input,
    expect: { verdict, output: verdict === 'pass' ? (output ?? input) : output, reply, reason },
    tshark,
  };
}

/** The bytes of a frame role of a vector (output of a pass vector is its input), or undefined. */
export function goldenFrame(v: GoldenVector, role: GoldenFrameRole): Uint8Array | undefined {
  if (role === 'input') return v.input;
  if (role === 'output') return v.expect.output;
  return v.expect.reply;
}

type Fail = (key: string, reason: string) => never;

function resolveConfig(
  c: unknown,
  file: string,
  root: string,
  cache: Map<string, ClusterConfig>,
  fail: Fail,
): { config: ClusterConfig; configSource: string } {
  if (typeof c === 'object' && c !== null && !Array.isArray(c))
    return { config: validConfig(c, 'config', fail), configSource: 'inline' };
  if (typeof c !== 'string' || c.length === 0)
    return fail('config', `expected a path like "configs/fig6.json" or an inline config object, got ${show(c)}`);
  const candidates = [join(root, c)];
  for (let d = dirname(file); ; d = dirname(d)) {
    candidates.push(join(d, c));
    if (dirname(d) === d) break;
  }
  const path = candidates.find((p) => existsSync(p) && statSync(p).isFile());
  if (!path) return fail('config', `"${c}" not found (looked in ${root} and the folders above ${dirname(file)})`);
  const cached = cache.get(path);
  if (cached) return { config: cached, configSource: path };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return fail('config', `${path} is not valid JSON: ${(e as Error).message}`);
  }
  const config = validConfig(raw, `config (${path})`, fail);
  cache.set(path, config);
  return { config, configSource: path };
}

function validConfig(raw: unknown, key: string, fail: Fail): ClusterConfig {
  try {
    return parseConfig(raw);
  } catch (e) {
    if (e instanceof ConfigError) return fail(e.key ? `${key}: ${e.key}` : key, e.reason);
    throw e;
  }
}

function object(v: unknown, key: string, allowed: readonly string[], fail: Fail): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return fail(key || '(top level)', `expected an object, got ${show(v)}`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) fail(key ? `${key}.${k}` : k, `unknown key (known: ${allowed.join(', ')})`);
  }
  return o;
}

function text(v: unknown, key: string, fail: Fail): string {
  if (typeof v !== 'string' || v.trim().length === 0) return fail(key, `expected a non-empty string, got ${show(v)}`);
  return v;
}

function direction(v: unknown, key: string, fail: Fail): GoldenDirection {
  if (v !== 'inbound' && v !== 'outbound')
    return fail(key, `must be "inbound" (wire to stack) or "outbound" (stack to wire), got ${show(v)}`);
  return v;
}

function hex(v: unknown, key: string, fail: Fail): Uint8Array {
  if (typeof v !== 'string') return fail(key, `expected a hex string, got ${show(v)}`);
  if (v.length % 2 !== 0) fail(key, `odd number of hex digits (${v.length})`);
  const bad = /[^0-9a-fA-F]/.exec(v);
  if (bad) fail(key, `"${bad[0]}" at position ${bad.index} is not a hex digit`);
  return Uint8Array.from(Buffer.from(v, 'hex'));
}

function fields(v: unknown, key: string, fail: Fail): TsharkFields {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return fail(key, `expected an object of tshark field names to values, got ${show(v)}`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k)) fail(`${key}.${k}`, 'is not a tshark field name');
    if (typeof val !== 'string')
      fail(`${key}.${k}`, `expected the value as tshark prints it (a string), got ${show(val)}`);
    out[k] = val as string;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
