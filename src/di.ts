import { ContainerModule, injectable, multiInject, optional } from 'inversify';
import { ProtocolAdapter } from './adapter';
import { Cluster } from './cluster';
import { ClusterConfig } from './config';
import { Engine } from './engine';
import { Mapping } from './mapping';

/**
 * Builds clusters and engines from every ProtocolAdapter and Mapping bound in the container.
 * A third-party adapter or mapping is one more binding; nothing in src/ changes.
 */
@injectable()
export class EngineFactory {
  constructor(
    @multiInject(ProtocolAdapter) @optional() readonly adapters: ProtocolAdapter[] = [],
    @multiInject(Mapping) @optional() readonly mappings: Mapping[] = [],
  ) {
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

/** Binds the EngineFactory. Load with the adapter and mapping modules you want. */
export const coreModule = new ContainerModule(({ bind }) => {
  bind(EngineFactory).toSelf().inSingletonScope();
});
