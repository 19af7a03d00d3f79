import 'reflect-metadata';
import { loadConfigFile } from '../config';
import { createContainer } from '../container';
import { EngineFactory } from '../di';
import { Engine } from '../engine';

/** Loads --config and builds the engine of --host with the default container (ConfigError on mistakes). */
export function engineFromArgs(configPath: string, host: string): Engine {
  const config = loadConfigFile(configPath);
  return createContainer().get(EngineFactory).create(config, host);
}
