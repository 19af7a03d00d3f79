import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProtocolAdapter } from './adapter';
import type { Mapping } from './mapping';

/**
 * A plug-in: what a module named by `--require MODULE` (or loaded with `loadPlugin`) gives the
 * engines the CLI builds: adapter and mapping instances, added beside the built-in ones.
 *
 * The module exports it as its default export (`module.exports = definePlugin({...})` or
 * `export default definePlugin({...})`), or exports `adapters` and/or `mappings` by name.
 * Reasons the adapters give are registered with `defineReason` when the module loads.
 */
export interface IntraclusterPlugin {
  /** Protocol adapters (instances), each claiming what no other adapter claims. */
  readonly adapters?: readonly ProtocolAdapter[];
  /** IP-to-MAC mappings (instances), usable by name in config `mappings`. */
  readonly mappings?: readonly Mapping[];
}

/** Identity with a type check: `module.exports = definePlugin({ adapters: [new MyAdapter()] })`. */
export function definePlugin(plugin: IntraclusterPlugin): IntraclusterPlugin {
  return plugin;
}

/** A plug-in module that cannot be found, fails to load, or exports no plug-in. */
export class PluginError extends Error {
  constructor(
    /** The module as it was named. */
    readonly module: string,
    readonly reason: string,
  ) {
    super(`plug-in "${module}": ${reason}`);
    this.name = 'PluginError';
  }
}

/**
 * Loads one plug-in module. `spec` is a path (absolute, or starting with `.`, resolved against
 * `cwd`) or a package name resolved from `cwd`'s node_modules, as `node --require` does. CommonJS
 * and ES modules both load.
 */
export async function loadPlugin(spec: string, cwd: string = process.cwd()): Promise<IntraclusterPlugin> {
  let file: string;
  try {
    const req = createRequire(join(resolve(cwd), 'noop.js'));
    file = req.resolve(isAbsolute(spec) || spec.startsWith('.') ? resolve(cwd, spec) : spec);
  } catch {
    throw new PluginError(spec, `cannot find the module (from ${resolve(cwd)})`);
  }
  let ns: Record<string, unknown>;
  try {
    ns = await loadModule(file);
  } catch (e) {
    throw new PluginError(spec, `failed to load: ${(e as Error)?.message?.split('\n')[0] ?? String(e)}`);
  }
  return checkPlugin(spec, pickPlugin(ns));
}

/**
 * CommonJS through `require`; an ES module (`.mjs`, or `"type": "module"`) through a real dynamic
 * import, which TypeScript's CommonJS output would otherwise turn into `require`.
 */
async function loadModule(file: string): Promise<Record<string, unknown>> {
  if (!file.endsWith('.mjs')) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const m: unknown = require(file);
      return { default: m, ...(m && typeof m === 'object' ? (m as Record<string, unknown>) : {}) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException)?.code !== 'ERR_REQUIRE_ESM') throw e;
    }
  }
  const dynamicImport = new Function('url', 'return import(url)') as (url: string) => Promise<Record<string, unknown>>;
  return dynamicImport(pathToFileURL(file).href);
}

/** Loads every plug-in, in order. */
export async function loadPlugins(
  specs: readonly string[],
  cwd: string = process.cwd(),
): Promise<IntraclusterPlugin[]> {
  const out: IntraclusterPlugin[] = [];
  for (const s of specs) out.push(await loadPlugin(s, cwd));
  return out;
}

function pickPlugin(ns: Record<string, unknown>): unknown {
  const named = (o: unknown): boolean => !!o && typeof o === 'object' && ('adapters' in o || 'mappings' in o);
  if (named(ns)) return { adapters: ns.adapters, mappings: ns.mappings };
  const d = ns.default as Record<string, unknown> | undefined;
  if (named(d)) return d;
  // a CommonJS module whose exports object holds the plug-in under `default` (compiled `export default`)
  if (d && named(d.default)) return d.default;
  return d;
}

function checkPlugin(spec: string, p: unknown): IntraclusterPlugin {
  if (!p || typeof p !== 'object' || (!('adapters' in p) && !('mappings' in p)))
    throw new PluginError(
      spec,
      'exports no plug-in: export "adapters" and/or "mappings" (arrays of instances), or a default export holding them',
    );
  const { adapters, mappings } = p as { adapters?: unknown; mappings?: unknown };
  const list = (v: unknown, what: string, ok: (x: Record<string, unknown>) => boolean, shape: string): unknown[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new PluginError(spec, `"${what}" must be an array of instances`);
    v.forEach((x, i) => {
      if (typeof x === 'function')
        throw new PluginError(
          spec,
          `${what}[${i}] is a class: export an instance (new ${(x as { name?: string }).name || 'It'}())`,
        );
      if (!x || typeof x !== 'object' || !ok(x as Record<string, unknown>))
        throw new PluginError(spec, `${what}[${i}] is not ${shape}`);
    });
    return v;
  };
  const a = list(
    adapters,
    'adapters',
    (x) => typeof x.name === 'string' && (typeof x.process === 'function' || typeof x.decode === 'function'),
    'a ProtocolAdapter (name, process or decode)',
  );
  const m = list(
    mappings,
    'mappings',
    (x) => typeof x.name === 'string' && typeof x.map === 'function' && Array.isArray(x.families),
    'a Mapping (name, families, map)',
  );
  return { adapters: a as ProtocolAdapter[], mappings: m as Mapping[] };
}
