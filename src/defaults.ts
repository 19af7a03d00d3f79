import type { ProtocolAdapter } from './adapter';
import { ArpAdapter } from '../adapters/arp/arp-adapter';
import { NdpAdapter } from '../adapters/ndp/ndp-adapter';
import { EngineFactory } from './factory';
import type { Mapping } from './mapping';
import { builtinMappings } from '../mappings';

/**
 * The DI-free composition root: the built-in adapters and mappings as plain instances, and an
 * `EngineFactory` made of them plus any of your own. No container, no decorators, no inversify.
 */

/** Fresh instances of the built-in protocol adapters (IPv4/ARP, IPv6/Neighbor Discovery). */
export function defaultAdapters(): ProtocolAdapter[] {
  return [new ArpAdapter(), new NdpAdapter()];
}

/** Fresh instances of the built-in IP-to-MAC mappings. */
export function defaultMappings(): Mapping[] {
  return builtinMappings.map((M) => new M());
}

export interface EngineFactoryOptions {
  /** Adapters beside the built-in ones (or instead of them, with `builtins: false`). */
  readonly adapters?: readonly ProtocolAdapter[];
  /** Mappings beside the built-in ones (or instead of them, with `builtins: false`). */
  readonly mappings?: readonly Mapping[];
  /** Include the built-in adapters and mappings (default true). */
  readonly builtins?: boolean;
}

/** An `EngineFactory` of the built-in adapters and mappings plus yours, without a container. */
export function createEngineFactory(options: EngineFactoryOptions = {}): EngineFactory {
  const builtins = options.builtins !== false;
  return new EngineFactory(
    [...(builtins ? defaultAdapters() : []), ...(options.adapters ?? [])],
    [...(builtins ? defaultMappings() : []), ...(options.mappings ?? [])],
  );
}
