/**
 * `intracluster/frame`: wire views (field offsets, bounds-checked readers) and the frame builders
 * (`Repr` objects emitted to bytes and parsed back), for tests, generators and tools.
 */
export * from '../frame/ethernet';
export * from '../../adapters/arp/arp';
export * from '../../adapters/arp/ipv4';
export * from '../../adapters/ndp/ipv6';
export * from '../../adapters/ndp/icmpv6';
export * from '../frame/build';
export * from '../frame/checksum';
export * from '../../adapters/arp/repr';
export * from '../../adapters/ndp/repr';
export { ND_OPTIONS_OFFSET, ndOptions } from '../../adapters/ndp/options';
export type { NdOptionView } from '../../adapters/ndp/options';
export { macEquals, macCopy } from '../mac';
