/**
 * The package root, `intracluster`: what an application needs to embed the engine without any
 * container (createEngineFactory) and to write adapters, mappings and plug-ins. Everything else is
 * in a sub-path: `intracluster/di` (inversify modules), `/frame` (wire views and frame builders),
 * `/pcap` (capture files), `/membership` (heartbeats), `/process` (the `process` pipe formats),
 * `/testing` (golden vectors, test doubles).
 */
export { Engine, Counter } from '../engine';
export type { EngineStats } from '../engine';
export { EngineFactory } from '../factory';
export { createEngineFactory, defaultAdapters, defaultMappings } from '../defaults';
export type { EngineFactoryOptions } from '../defaults';
export {
  Verdict,
  Direction,
  defineReason,
  reasonText,
  reasonId,
  reasonById,
  reasonTable,
  verdictName,
  directionName,
  parseDirection,
} from '../verdict';
export { parseConfig, parseConfigText, loadConfigFile } from '../config';
export type { ClusterConfig, HostConfig, ClusterMode, HeartbeatConfig } from '../config';
export { ConfigError, FrameError, UnknownHostError } from '../errors';
export { Mac, formatMac } from '../mac';
export { parseHostAddress, formatAddress } from '../address';
export type { IpAddress } from '../address';
export { Cluster } from '../cluster';
export type { ClusterHost, ClusterAddress } from '../cluster';
export { ProtocolAdapter, FrameContext, DISCOVERY_EXEMPT, REPLY_CAPACITY, AdapterConflictError } from '../adapter';
export type { AdapterClaim } from '../adapter';
export { DiscoveryKind, DiscoveryMessage } from '../discovery';
export type { DiscoveryCodec, DiscoveryReasons } from '../discovery';
export type { MemberEntry } from '../cluster';
export { Mapping } from '../mapping';
export { ArpAdapter, ArpReason } from '../../adapters/arp';
export { NdpAdapter, NdpReason } from '../../adapters/ndp';
export {
  builtinMappings,
  Ipv4PrefixMapping,
  Ipv6Low32Mapping,
  Ipv6Xor32Mapping,
  Ipv6Hash32Mapping,
  TableMapping,
} from '../../mappings';
export { definePlugin, loadPlugin, loadPlugins, PluginError } from '../plugin';
export type { IntraclusterPlugin } from '../plugin';
