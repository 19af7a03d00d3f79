import { Container, ContainerModule } from 'inversify';
import { ArpAdapter } from '../adapters/arp/arp-adapter';
import { NdpAdapter } from '../adapters/ndp/ndp-adapter';
import { builtinMappings } from '../mappings';
import { coreModule, defineModule, loadModules } from './di';

/** Binds the IPv4/ARP adapter. Load it into any container that has the core module. */
export const arpModule: ContainerModule = defineModule({ adapters: [ArpAdapter] });
/** Binds the IPv6/Neighbor Discovery adapter. */
export const ndpModule: ContainerModule = defineModule({ adapters: [NdpAdapter] });
/** Binds the built-in IP-to-MAC mappings to the Mapping token. */
export const mappingsModule: ContainerModule = defineModule({ mappings: [...builtinMappings] });

/** The built-in modules: core, mappings, and one module per protocol adapter. */
export const defaultModules: readonly ContainerModule[] = [coreModule, mappingsModule, arpModule, ndpModule];

/**
 * Composition root with inversify: a container with the built-in modules plus `extra` (your own
 * adapters or mappings, e.g. from `defineModule`). Applications with their own container load
 * `defaultModules` into it instead (`loadModules(container, defaultModules)` works on every
 * supported inversify).
 */
export function createContainer(...extra: ContainerModule[]): Container {
  const container = new Container();
  loadModules(container, [...defaultModules, ...extra]);
  return container;
}
