import 'reflect-metadata';
import { Container, ContainerModule } from 'inversify';
import { arpModule } from '../adapters/arp';
import { ndpModule } from '../adapters/ndp';
import { mappingsModule } from '../mappings';
import { coreModule } from './di';

/** The built-in modules: core, mappings, and one module per protocol adapter. */
export const defaultModules: readonly ContainerModule[] = [coreModule, mappingsModule, arpModule, ndpModule];

/**
 * Composition root: a container with the built-in modules plus `extra` (your own adapters or mappings).
 * Embedding applications with their own container load `defaultModules` into it instead.
 */
export function createContainer(...extra: ContainerModule[]): Container {
  const container = new Container();
  container.loadSync(...defaultModules, ...extra);
  return container;
}
