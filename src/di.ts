import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as inversify from 'inversify';
import { ProtocolAdapter } from './adapter';
import { EngineFactory } from './factory';
import { Mapping } from './mapping';

export { EngineFactory } from './factory';

/**
 * The inversify side of the package, kept to this file and src/container.ts. inversify and
 * reflect-metadata are peer dependencies: the application's own copy is the one used, so modules
 * from here load into the application's containers. Supported: the majors below (tested in the
 * pack-and-install test); 7.0 to 7.4 lack the synchronous `loadSync` the package relies on.
 */
export const SUPPORTED_INVERSIFY = '^6.0.1 || ^7.5.0 || ^8.0.0';

/** The installed inversify is outside SUPPORTED_INVERSIFY. */
export class InversifyVersionError extends Error {
  constructor(
    readonly version: string,
    readonly location: string,
  ) {
    super(
      `intracluster: inversify ${version} (${location}) is outside the supported range ${SUPPORTED_INVERSIFY}: ` +
        `install a supported version (npm install inversify@^7.5.0), or build engines without a container ` +
        `(createEngineFactory from "intracluster")`,
    );
    this.name = 'InversifyVersionError';
  }
}

/** Version and package folder of the inversify this module loads (what `require('inversify')` finds). */
export function inversifyVersion(): { version: string; location: string } {
  let d = dirname(require.resolve('inversify'));
  for (;;) {
    const p = join(d, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'inversify') return { version: String(pkg.version), location: d };
    }
    if (dirname(d) === d) return { version: 'unknown', location: dirname(require.resolve('inversify')) };
    d = dirname(d);
  }
}

/** True when `version` (x.y.z) is in SUPPORTED_INVERSIFY. */
export function isSupportedInversify(version: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:$|[-+])/.exec(version);
  if (!m) return false;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major === 6) return minor > 0 || patch >= 1;
  if (major === 7) return minor >= 5;
  return major === 8;
}

const installed = inversifyVersion();
if (!isSupportedInversify(installed.version)) throw new InversifyVersionError(installed.version, installed.location);

// EngineFactory itself carries no decorators (so the DI-free path needs none); its metadata for
// the container: every bound ProtocolAdapter and Mapping, none being fine.
inversify.decorate(inversify.injectable(), EngineFactory);
inversify.decorate(inversify.multiInject(ProtocolAdapter), EngineFactory, 0);
inversify.decorate(inversify.optional(), EngineFactory, 0);
inversify.decorate(inversify.multiInject(Mapping), EngineFactory, 1);
inversify.decorate(inversify.optional(), EngineFactory, 1);

/** A class with a constructor of no arguments, or an instance. */
export type Provider<T> = T | (new () => T);

export interface ModuleContents {
  /** Adapters to bind to the `ProtocolAdapter` token (instances or zero-argument classes). */
  readonly adapters?: readonly Provider<ProtocolAdapter>[];
  /** Mappings to bind to the `Mapping` token (instances or zero-argument classes). */
  readonly mappings?: readonly Provider<Mapping>[];
}

type BindFn = (id: symbol) => {
  toConstantValue(v: unknown): unknown;
  toDynamicValue(f: () => unknown): { inSingletonScope(): unknown };
};

/**
 * An inversify `ContainerModule` (of the application's inversify) binding adapters and mappings: what
 * an adapter or mapping author ships, with no import of inversify and no decorators. Classes are
 * made once per container (singleton scope); instances are bound as they are.
 */
export function defineModule(contents: ModuleContents): inversify.ContainerModule {
  const adapters = [...(contents.adapters ?? [])];
  const mappings = [...(contents.mappings ?? [])];
  // inversify 6 passes `bind` as the first argument, 7 and 8 an object holding it.
  return new inversify.ContainerModule(((first: unknown) => {
    const bind: BindFn = typeof first === 'function' ? (first as BindFn) : (first as { bind: BindFn }).bind;
    for (const a of adapters) bindOne(bind, ProtocolAdapter, a);
    for (const m of mappings) bindOne(bind, Mapping, m);
  }) as never);
}

function bindOne(bind: BindFn, token: symbol, p: unknown): void {
  if (typeof p === 'function') {
    const C = p as new () => unknown;
    bind(token)
      .toDynamicValue(() => new C())
      .inSingletonScope();
  } else bind(token).toConstantValue(p);
}

/** Binds the EngineFactory. Load with the adapter and mapping modules you want. */
export const coreModule: inversify.ContainerModule = new inversify.ContainerModule(((first: unknown) => {
  const bind = (typeof first === 'function' ? first : (first as { bind: unknown }).bind) as (id: unknown) => {
    toSelf(): { inSingletonScope(): unknown };
  };
  bind(EngineFactory).toSelf().inSingletonScope();
}) as never);

/** Loads modules into a container synchronously, with whichever of inversify's APIs it has. */
export function loadModules(container: inversify.Container, modules: readonly inversify.ContainerModule[]): void {
  const c = container as unknown as { loadSync?: (...m: unknown[]) => void; load: (...m: unknown[]) => unknown };
  if (typeof c.loadSync === 'function') {
    c.loadSync(...modules);
    return;
  }
  const r = c.load(...modules);
  if (r && typeof (r as Promise<void>).then === 'function')
    throw new Error(
      `intracluster: this inversify loads modules asynchronously only; supported: ${SUPPORTED_INVERSIFY}`,
    );
}
