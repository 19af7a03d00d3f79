import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ConfigError, createContainer, EngineFactory, parseConfig, parseConfigText } from '../../src';
import { CONFIGS } from '../property/model';
import { BIN, ROOT, ensureBuilt } from './cli';

/**
 * Robustness, config: mutated and random JSON never crashes the loader; every bad file gets exactly one
 * ConfigError, one line, `config: KEY: reason`, and KEY names the offending key of that file (a key
 * present in it, a required key missing from it, or the unknown key itself).
 */

const factory = createContainer().get(EngineFactory);
const RUNS = Number(process.env.PROPERTY_RUNS_CONFIG ?? 4000);
const SEEDS: Record<string, unknown>[] = Object.values(CONFIGS).map((c) => JSON.parse(JSON.stringify(c)));

/** Loads as the CLI does (parse + build the cluster, collisions included). Returns the error, or null. */
function load(raw: unknown): ConfigError | null {
  try {
    factory.buildCluster(parseConfig(raw));
    return null;
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw new Error(`the loader threw something other than a ConfigError: ${(e as Error)?.stack ?? String(e)}`);
  }
}

type Seg = string | number;
/** `hosts[1].mac["12.12.4.101"]` -> ['hosts', 1, 'mac', '12.12.4.101']; null when it does not parse. */
function parseKey(key: string): Seg[] | null {
  const out: Seg[] = [];
  const re = /^(?:\.?([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/;
  let rest = key;
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (!m) return null;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3]) as string);
    rest = rest.slice(m[0].length);
  }
  return out;
}
function at(o: unknown, path: Seg[]): { found: boolean; value?: unknown } {
  let v: unknown = o;
  for (const s of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, s)) return { found: false };
    v = (v as Record<string, unknown>)[s as string];
  }
  return { found: true, value: v };
}

/** The message format and "names the key", for one error on one input. Returns a problem or null. */
function checkError(e: ConfigError, raw: unknown): string | null {
  if (e.message.includes('\n')) return `more than one line: ${JSON.stringify(e.message)}`;
  if (e.key === '') return /^config: \S/.test(e.message) ? null : `bad format: ${e.message}`;
  if (!e.message.startsWith(`config: ${e.key}: `) || e.message.length <= `config: ${e.key}: `.length)
    return `message does not start with "config: ${e.key}: ": ${e.message}`;
  const path = parseKey(e.key);
  if (!path) return `key is not a path: ${e.key}`;
  if (at(raw, path).found) return null;
  // a required key that is missing from an object the input has
  const parent = at(raw, path.slice(0, -1));
  if (parent.found && typeof parent.value === 'object' && parent.value !== null) return null;
  return `names ${e.key}, which the input does not have (${e.message})`;
}

// ---- generators ----

/** Paths of every value in a JSON tree. */
function paths(o: unknown, base: Seg[] = []): Seg[][] {
  const out: Seg[][] = [base];
  if (Array.isArray(o)) o.forEach((v, i) => out.push(...paths(v, [...base, i])));
  else if (typeof o === 'object' && o !== null)
    for (const [k, v] of Object.entries(o)) out.push(...paths(v, [...base, k]));
  return out;
}
/** Own-property write (a key named "__proto__" stays a key, as JSON.parse makes it). */
function put(o: object, k: Seg, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
}
function setAt(o: unknown, path: Seg[], v: unknown): unknown {
  if (path.length === 0) return v;
  const c = Array.isArray(o) ? [...o] : { ...(o as Record<string, unknown>) };
  put(c, path[0], setAt((o as Record<string, unknown>)[path[0] as string], path.slice(1), v));
  return c;
}
function deleteAt(o: unknown, path: Seg[]): unknown {
  if (path.length === 0) return o;
  if (path.length === 1) {
    if (Array.isArray(o)) return o.filter((_, i) => i !== path[0]);
    const c = { ...(o as Record<string, unknown>) };
    delete c[path[0] as string];
    return c;
  }
  const c = Array.isArray(o) ? [...o] : { ...(o as Record<string, unknown>) };
  put(c, path[0], deleteAt((o as Record<string, unknown>)[path[0] as string], path.slice(1)));
  return c;
}
/** A path as the loader names keys: `hosts[1].addresses[0]`, `hosts[0].mac["2001:db8::1"]`. */
function keyText(path: Seg[]): string {
  return path
    .map((s, i) =>
      typeof s === 'number'
        ? `[${s}]`
        : !/^[A-Za-z_$][\w$]*$/.test(s)
          ? `[${JSON.stringify(s)}]`
          : i === 0
            ? s
            : `.${s}`,
    )
    .join('');
}
const interesting = fc.oneof(
  fc.constantFrom(
    '02-bf-aa-bb-cc-dd',
    '03-bf-00-00-00-01',
    'ff-ff-ff-ff-ff-ff',
    '00-00-00-00-00-00',
    '03-bf',
    '33-33',
    'ff-ff',
    '12.12.4.101',
    '2001:db8::101',
    '::',
    'ff02::1',
    '127.0.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '::ffff:1.2.3.4',
    'fe80::1%eth0',
    '10.0.0.0/8',
    '012.012.004.101',
    'dedicated',
    'shared',
    'ipv4-prefix',
    'ipv6-low32',
    'ipv6-xor32',
    'table',
    'no-such-mapping',
    '',
    ' ',
    'host1',
    'host2',
    '__proto__',
    'constructor',
    'a'.repeat(70),
    '💥',
    '\u0000',
  ),
  fc.string({ maxLength: 24 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

type Mut =
  | { op: 'set'; which: number; value: unknown }
  | { op: 'delete'; which: number }
  | { op: 'add'; which: number; key: string; value: unknown }
  | { op: 'dup'; which: number };
const mutArb: fc.Arbitrary<Mut> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), which: fc.nat(), value: interesting }),
  fc.record({ op: fc.constant('delete' as const), which: fc.nat() }),
  fc.record({
    op: fc.constant('add' as const),
    which: fc.nat(),
    key: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'mac', 'name', 'toString', 'hosts')),
    value: interesting,
  }),
  fc.record({ op: fc.constant('dup' as const), which: fc.nat() }),
);
function applyMut(o: unknown, m: Mut): unknown {
  const ps = paths(o);
  const p = ps[m.which % ps.length];
  switch (m.op) {
    case 'set':
      return setAt(o, p, m.value);
    case 'delete':
      return deleteAt(o, p);
    case 'add': {
      const objs = ps.filter((x) => {
        const v = at(o, x).value;
        return typeof v === 'object' && v !== null && !Array.isArray(v);
      });
      if (objs.length === 0) return o;
      const q = objs[m.which % objs.length];
      const v = at(o, q).value as Record<string, unknown>;
      const c: Record<string, unknown> = { ...v };
      put(c, m.key, m.value);
      return setAt(o, q, c);
    }
    case 'dup': {
      // append a copy of an array element (duplicate address, host name, virtual IP)
      const arrs = ps.filter((x) => Array.isArray(at(o, x).value) && (at(o, x).value as unknown[]).length > 0);
      if (arrs.length === 0) return o;
      const q = arrs[m.which % arrs.length];
      const a = at(o, q).value as unknown[];
      return setAt(o, q, [...a, a[m.which % a.length]]);
    }
  }
}

describe('config loader (fast-check)', () => {
  test(`${RUNS} mutated configs: loaded, or one ConfigError naming the key`, () => {
    fc.assert(
      fc.property(fc.nat({ max: SEEDS.length - 1 }), fc.array(mutArb, { minLength: 1, maxLength: 3 }), (s, muts) => {
        let raw: unknown = SEEDS[s];
        for (const m of muts) raw = applyMut(raw, m);
        const e = load(raw);
        if (e) {
          const bad = checkError(e, raw);
          if (bad) throw new Error(`${bad}\n  input: ${JSON.stringify(raw)}`);
        }
      }),
      { numRuns: RUNS },
    );
  });

  test(`${RUNS} wrong-type values: the error names exactly the key that was changed`, () => {
    // values of a type no key accepts at that place: a number where a string, array, object or
    // boolean is expected, and an object where anything else is
    const typed = SEEDS.flatMap((s, si) =>
      paths(s)
        .filter((p) => p.length > 0)
        .map((p) => ({ si, p, v: at(s, p).value })),
    );
    let rejected = 0;
    let tried = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: typed.length - 1 }),
        fc.oneof(fc.integer(), fc.constant(null), fc.constant([[]]), fc.constant({ x: 1 })),
        (i, value) => {
          const { si, p, v } = typed[i];
          if (
            typeof v === 'object' &&
            v !== null &&
            !Array.isArray(v) &&
            typeof value === 'object' &&
            value !== null &&
            !Array.isArray(value)
          )
            return; // object for object
          if (Array.isArray(v) && Array.isArray(value)) return;
          const raw = setAt(SEEDS[si], p, value);
          const e = load(raw);
          tried++;
          if (!e) return; // null for an optional key means "absent"
          rejected++;
          const bad = checkError(e, raw);
          if (bad) throw new Error(bad);
          // the key named is the one changed, or (an object whose keys are validated: hosts[i].mac) a key inside it
          if (e.key !== keyText(p) && !e.key.startsWith(keyText(p) + '.') && !e.key.startsWith(keyText(p) + '['))
            throw new Error(
              `changed ${keyText(p)} to ${JSON.stringify(value)}, the error names ${e.key}: ${e.message}`,
            );
        },
      ),
      { numRuns: RUNS },
    );
    expect(rejected).toBeGreaterThan(tried * 0.8);
  });

  test(`${RUNS} random JSON values: never a crash, always a ConfigError of the format`, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.dictionary(
            fc.constantFrom(
              'clusterMac',
              'hosts',
              'mode',
              'sharedMac',
              'mappings',
              'virtualIps',
              'synthesize',
              'strictSources',
              'multicastPrefix',
            ),
            fc.jsonValue(),
          ),
        ),
        (raw) => {
          const e = load(raw);
          if (e) {
            const bad = checkError(e, raw);
            if (bad) throw new Error(`${bad}\n  input: ${JSON.stringify(raw)}`);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  test(`${RUNS} mutated config texts (flipped, cut, spliced bytes): never a crash`, () => {
    const texts = SEEDS.map((s) => Buffer.from(JSON.stringify(s, null, 2)));
    fc.assert(
      fc.property(
        fc.nat({ max: texts.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat()),
        (s, edits, cut) => {
          const b = Buffer.from(texts[s]);
          for (const [pos, v] of edits) b[pos % b.length] = v;
          const text = (cut === null ? b : b.subarray(0, cut % (b.length + 1))).toString('utf8');
          let e: ConfigError | null = null;
          let raw: unknown;
          try {
            raw = JSON.parse(text);
          } catch {
            raw = undefined;
          }
          try {
            factory.buildCluster(parseConfigText(text, 'cluster.json'));
          } catch (x) {
            if (!(x instanceof ConfigError)) throw new Error(`not a ConfigError: ${(x as Error)?.stack}`);
            e = x;
          }
          if (e && raw === undefined) {
            if (
              e.key !== '' ||
              !e.message.startsWith('config: cluster.json is not valid JSON: ') ||
              e.message.includes('\n')
            )
              throw new Error(`bad JSON error: ${e.message}`);
          } else if (e) {
            const bad = checkError(e, raw);
            if (bad) throw new Error(bad);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('pathological files: deep nesting, a 16 MiB string, binary, empty, a BOM', () => {
    const deep = '['.repeat(200000) + ']'.repeat(200000);
    const cases: [string, string][] = [
      ['deep', deep],
      ['deep object', '{"hosts":' + deep + '}'],
      ['big', JSON.stringify({ clusterMac: 'x'.repeat(16 << 20), hosts: [] })],
      ['binary', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff)).toString('latin1')],
      ['empty', ''],
      ['bom', '\ufeff' + JSON.stringify(SEEDS[0])],
    ];
    for (const [what, text] of cases) {
      let e: unknown;
      try {
        factory.buildCluster(parseConfigText(text, what));
      } catch (x) {
        e = x;
      }
      expect([what, e instanceof ConfigError]).toEqual([what, true]);
      expect((e as ConfigError).message).not.toContain('\n');
      expect((e as ConfigError).message.length).toBeLessThan(400);
    }
  });
});

// Counterexamples fast-check found, kept as cases (config errors have no golden-vector form).
describe('config errors found by the properties', () => {
  test('a JSON syntax error near a newline is still one line (V8 quotes the text around the mistake)', () => {
    const text = '\u0000' + JSON.stringify(SEEDS[0], null, 2).slice(1);
    const e = (() => {
      try {
        parseConfigText(text, 'cluster.json');
      } catch (x) {
        return x as ConfigError;
      }
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect(e!.message).toMatch(/^config: cluster\.json is not valid JSON: [^\n]+$/);
  });

  test('a table key that is not an address is named as a key path: hosts[0].mac["\\""]', () => {
    const raw = setAt(SEEDS[0], ['hosts', 0, 'mac'], { '"': '' });
    const e = load(raw)!;
    expect(e.key).toBe('hosts[0].mac["\\""]');
    expect(checkError(e, raw)).toBeNull();
  });

  test('an unknown key with a dot in it is named unambiguously', () => {
    const e = load({ ...SEEDS[0], 'a.b': 1 })!;
    expect(e.key).toBe('["a.b"]');
  });

  test('a 16 MiB value is cut in the message', () => {
    const e = load({ ...SEEDS[0], clusterMac: 'x'.repeat(16 << 20) })!;
    expect(e.message).toMatch(/^config: clusterMac: "x{60}…" is not a MAC address/);
  });
});

describe('intracluster process with a bad config file', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'robust-config-'));
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each<[string, string, RegExp]>([
    ['not JSON', '{"clusterMac": "02-bf-aa-bb-cc-dd", ', /^intracluster process: config: .* is not valid JSON: /],
    [
      'multicast cluster MAC',
      JSON.stringify({ ...SEEDS[0], clusterMac: '03-bf-00-00-00-01' }),
      /^intracluster process: config: clusterMac: /,
    ],
    [
      'unknown key deep inside',
      JSON.stringify(setAt(SEEDS[0], ['hosts', 1, 'adresses'], ['12.12.4.9'])),
      /^intracluster process: config: hosts\[1\]\.adresses: unknown key/,
    ],
    [
      'address listed twice',
      JSON.stringify(setAt(SEEDS[0], ['hosts', 2, 'addresses', 0], '12.12.4.101')),
      /^intracluster process: config: hosts\[2\]\.addresses\[0\]: 12\.12\.4\.101 is listed twice/,
    ],
    [
      'binary junk',
      Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22, 0x0a, 0x80]).toString('latin1'),
      /^intracluster process: config: .* is not valid JSON: /,
    ],
  ])('%s: one line on stderr, exit 1, nothing on stdout', (_what, text, line) => {
    const file = join(dir, 'c.json');
    writeFileSync(file, text, 'latin1');
    const r = spawnSync(process.execPath, [BIN, 'process', '--config', file, '--host', 'host1'], {
      cwd: ROOT,
      input: '',
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(line);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
  });
});
