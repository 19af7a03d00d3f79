import { Ipv4PrefixMapping } from './ipv4-prefix';
import { Ipv6Hash32Mapping } from './ipv6-hash32';
import { Ipv6Low32Mapping } from './ipv6-low32';
import { Ipv6Xor32Mapping } from './ipv6-xor32';
import { TableMapping } from './table';

export { Ipv4PrefixMapping } from './ipv4-prefix';
export { Ipv6Low32Mapping } from './ipv6-low32';
export { Ipv6Xor32Mapping } from './ipv6-xor32';
export { Ipv6Hash32Mapping } from './ipv6-hash32';
export { TableMapping } from './table';

/** Every built-in mapping, as classes (for containers and for tests without DI). */
export const builtinMappings = [
  Ipv4PrefixMapping,
  Ipv6Low32Mapping,
  Ipv6Xor32Mapping,
  Ipv6Hash32Mapping,
  TableMapping,
] as const;
