/** Live operation on Linux: TAP access, the shim, the namespace test bed and the live demo (docs/live.md). */
export { Tap, loadTapAddon, tapAddonProblem } from './tap';
export { Shim, ShimCounter, SHIM_COUNTER_NAMES } from './shim';
export { ShimRunner, formatShimReport } from './runner';
export type { ShimRunOptions, ShimReport } from './runner';
export {
  Bed,
  Capture,
  BED_MODES,
  MEMBERS,
  NON_MEMBER,
  CLUSTER_MAC,
  SHARED_MAC,
  bedConfig,
  canRunLive,
  cleanupStale,
  listNamespaces,
} from './bed';
export type { BedHost, BedHostPlan, BedMode, BedOptions, NeighEntry, PingResult } from './bed';
export { runLiveDemo } from './demo';
export type { LiveDemoIo, LiveDemoOptions } from './demo';
