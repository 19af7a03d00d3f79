import 'reflect-metadata';

export { Mac, macEquals, macCopy, formatMac } from './mac';
export { ConfigError, FrameError, UsageError } from './errors';
export { ByteKeyTable } from './table';
export {
  Verdict,
  Direction,
  Reason,
  defineReason,
  reasonText,
  reasonId,
  reasonById,
  reasonTable,
  verdictName,
  directionName,
  parseDirection,
} from './verdict';
export { parseConfig, parseConfigText, loadConfigFile, checkDedicatedMac } from './config';
export type { ClusterConfig, HostConfig, ClusterMode } from './config';
export { parseHostAddress, formatAddress } from './address';
export type { IpAddress } from './address';
export { Cluster } from './cluster';
export type { ClusterHost, ClusterAddress } from './cluster';
export { Mapping } from './mapping';
export { ProtocolAdapter, FrameContext, DISCOVERY_EXEMPT, REPLY_CAPACITY, AdapterConflictError } from './adapter';
export type { AdapterClaim } from './adapter';
export { DiscoveryKind, DiscoveryMessage, decideDiscovery } from './discovery';
export type { DiscoveryCodec, DiscoveryReasons } from './discovery';
export type { MemberEntry } from './cluster';
export { Engine, Counter } from './engine';
export type { EngineStats } from './engine';
export { EngineFactory } from './factory';
export { createEngineFactory, defaultAdapters, defaultMappings } from './defaults';
export type { EngineFactoryOptions } from './defaults';
export { coreModule, defineModule, loadModules, SUPPORTED_INVERSIFY, InversifyVersionError } from './di';
export { createContainer, defaultModules, arpModule, ndpModule, mappingsModule } from './container';
export * from './frame/ethernet';
export * from '../adapters/arp/arp';
export * from '../adapters/arp/ipv4';
export * from '../adapters/ndp/ipv6';
export * from '../adapters/ndp/icmpv6';
export { ArpAdapter, ArpReason } from '../adapters/arp';
export { NdpAdapter, NdpReason } from '../adapters/ndp';
export {
  builtinMappings,
  Ipv4PrefixMapping,
  Ipv6Low32Mapping,
  Ipv6Xor32Mapping,
  Ipv6Hash32Mapping,
  TableMapping,
} from '../mappings';
export * from './frame/build';
export * from './frame/checksum';
export * from '../adapters/arp/repr';
export * from '../adapters/ndp/repr';
export * from './pcap/writer';
export * from './membership';
export type { HeartbeatConfig } from './config';
export { HEARTBEAT_DEFAULTS } from './config';
