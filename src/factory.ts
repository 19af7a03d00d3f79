import type { ProtocolAdapter } from './adapter';
import { Cluster } from './cluster';
import type { ClusterConfig } from './config';
import { Engine } from './engine';
import type { Mapping } from './mapping';

/**
 * Builds clusters and engines from a set of protocol adapters and IP-to-MAC mappings. Plain code:
 * `new EngineFactory(adapters, mappings)` needs no container (the DI-free path); with inversify,
 * `coreModule` binds it so that it receives every bound `ProtocolAdapter` and `Mapping`.
 */
export class EngineFactory {
  readonly adapters: readonly ProtocolAdapter[];
  readonly mappings: readonly Mapping[];

  constructor(adapters: readonly ProtocolAdapter[] = [], mappings: readonly Mapping[] = []) {
    this.adapters = adapters ?? [];
    this.mappings = mappings ?? [];
  }

  /** The cluster host list for a config (ConfigError on unknown mappings or colliding MACs). */
  buildCluster(config: ClusterConfig): Cluster {
    return Cluster.build(config, this.mappings);
  }

  /** The cluster layer of host `hostName` (ConfigError if it is not a member). */
  create(config: ClusterConfig | Cluster, hostName: string): Engine {
    const cluster = config instanceof Cluster ? config : this.buildCluster(config);
    return new Engine(cluster, hostName, this.adapters);
  }
}
