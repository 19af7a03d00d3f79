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
 * `--require` module, in order (a plug-in error is one line naming the module). With
 * `adapters: false` (the kernel datapath, whose programs are the built-in adapters compiled to
 * BPF), a plug-in that brings adapters is refused; its mappings are used.
 */
export async function factoryFromArgs(
  values: Record<string, unknown>,
  options: { adapters?: boolean; datapath?: string } = {},
): Promise<EngineFactory> {
  const specs = (values.require as string[] | undefined) ?? [];
  try {
    const plugins = await loadPlugins(specs);
    if (options.adapters === false) {
      const i = plugins.findIndex((p) => (p.adapters ?? []).length > 0);
      if (i >= 0)
        throw new CliError(
          `--require ${specs[i]}: the ${options.datapath ?? 'kernel'} datapath runs the built-in adapters only; a plug-in may add mappings here, not adapters`,
        );
    }
    return createEngineFactory({
      adapters: plugins.flatMap((p) => p.adapters ?? []),
      mappings: plugins.flatMap((p) => p.mappings ?? []),
    });
  } catch (e) {
    if (e instanceof PluginError) throw new CliError(`--require ${e.module}: ${e.reason}`);
    throw e;
  }
}

/** Loads --config and builds the engine of --host with `factory` (ConfigError on mistakes). */
export function engineFromArgs(
  configPath: string,
  host: string,
  factory: EngineFactory = createEngineFactory(),
): Engine {
  const config = loadConfigFile(configPath);
  return factory.create(config, host);
}
