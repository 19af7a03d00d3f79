import { ContainerModule } from 'inversify';
import { Mapping } from '../src/mapping';
import { Ipv4PrefixMapping } from './ipv4-prefix';
import { TableMapping } from './table';

export { Ipv4PrefixMapping } from './ipv4-prefix';
export { TableMapping } from './table';

/** Every built-in mapping, as classes (for containers and for tests without DI). */
export const builtinMappings = [Ipv4PrefixMapping, TableMapping] as const;

/** Binds the built-in IP-to-MAC mappings to the Mapping token. */
export const mappingsModule = new ContainerModule(({ bind }) => {
  for (const M of builtinMappings) bind<Mapping>(Mapping).to(M).inSingletonScope();
});
