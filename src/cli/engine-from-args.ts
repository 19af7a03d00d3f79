import { loadConfigFile } from '../config';
import { createEngineFactory } from '../defaults';
import { Engine } from '../engine';
import { EngineFactory } from '../factory';
import { PluginError, loadPlugins } from '../plugin';
import { CliError } from './command';

/** The `--require MODULE` option (repeatable) of every command that builds an engine. */
export const requireOption = { require: { type: 'string', multiple: true } } as const;

/** Help text for `--require`, the same in every command. */
export const REQUIRE_HELP = `  --require MODULE     load a plug-in (adapters, mappings) before building the engine; repeatable.
                       MODULE is a path or a package name, resolved from the current folder
                       (see docs/cli.md, "Plug-ins")`;

/**
 * The engine factory of a command: the built-in adapters and mappings plus those of every
 * `--require` module, in order (a plug-in error is one line naming the module).
 */
export async function factoryFromArgs(values: Record<string, unknown>): Promise<EngineFactory> {
  const specs = (values.require as string[] | undefined) ?? [];
  try {
    const plugins = await loadPlugins(specs);
    return createEngineFactory({ adapters: plugins.flatMap((p) => p.adapters ?? []), mappings: plugins.flatMap((p) => p.mappings ?? []) });
  } catch (e) {
    if (e instanceof PluginError) throw new CliError(`--require ${e.module}: ${e.reason}`);
    throw e;
  }
}

/** Loads --config and builds the engine of --host with `factory` (ConfigError on mistakes). */
export function engineFromArgs(configPath: string, host: string, factory: EngineFactory = createEngineFactory()): Engine {
  const config = loadConfigFile(configPath);
  return factory.create(config, host);
}
