/**
 * `intracluster/membership`: cluster membership from authenticated heartbeats (docs/heartbeat.md):
 * the wire format and its constants, signing, the membership manager and its events.
 */
export * from '../membership/format';
export { signHeartbeat, verifyHeartbeat, loadClusterKey, defaultHostId, MIN_KEY_BYTES } from '../membership/auth';
export { systemClock } from '../membership/clock';
export type { Clock } from '../membership/clock';
export { MembershipEmitter } from '../membership/events';
export type { MemberInfo, MembershipEvents, MembershipEventName } from '../membership/events';
export { SequenceSource, ReplayGuard } from '../membership/sequence';
export { Membership } from '../membership/manager';
export { HeartbeatAdapter, HeartbeatReason, controlPlaneOffset } from '../membership/adapter';
export type { MembershipOptions, MembershipEngine, MembershipStats } from '../membership/manager';
export { startShimMembership, logMembershipEvents } from '../membership/shim-hook';
export type { ShimMembershipOptions } from '../membership/shim-hook';
export { HEARTBEAT_DEFAULTS, HEARTBEAT_LIMITS } from '../config';
