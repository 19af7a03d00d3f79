import { ContainerModule } from 'inversify';
import { ProtocolAdapter } from '../../src/adapter';
import { NdpAdapter } from './ndp-adapter';

export { NdpAdapter, NdpReason } from './ndp-adapter';

/** Binds the IPv6/Neighbor Discovery adapter. Load it into any container that has the core module. */
export const ndpModule = new ContainerModule(({ bind }) => {
  bind<ProtocolAdapter>(ProtocolAdapter).to(NdpAdapter).inSingletonScope();
});
