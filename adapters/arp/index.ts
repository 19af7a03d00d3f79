import { ContainerModule } from 'inversify';
import { ProtocolAdapter } from '../../src/adapter';
import { ArpAdapter } from './arp-adapter';

export { ArpAdapter, ArpReason } from './arp-adapter';

/** Binds the IPv4/ARP adapter. Load it into any container that has the core module. */
export const arpModule = new ContainerModule(({ bind }) => {
  bind<ProtocolAdapter>(ProtocolAdapter).to(ArpAdapter).inSingletonScope();
});
