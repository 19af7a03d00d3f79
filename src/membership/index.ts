export * from './format';
export { signHeartbeat, verifyHeartbeat, loadClusterKey, defaultHostId, MIN_KEY_BYTES } from './auth';
export { Clock, systemClock, FakeClock } from './clock';
export { MembershipEmitter } from './events';
export type { MemberInfo, MembershipEvents, MembershipEventName } from './events';
export { SequenceSource, ReplayGuard } from './sequence';
export { Membership } from './manager';
export type { MembershipOptions, MembershipEngine, MembershipStats } from './manager';
