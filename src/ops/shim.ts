import type { ShimRunner } from '../live/runner';
import { ShimCounter } from '../live/shim';
import type { ReloadRecord } from './instance';
import { InstanceStatus, clusterMembers, colonMac, heartbeatStatus } from './status';
import { FrameTally } from './tally';

export interface ShimStatusContext {
  startedAt: number;
  reloads: ReloadRecord;
  tally: FrameTally;
  /** Network namespace the stack TAP lives in (`--stack-netns`), null when unknown (the shim's own). */
  stackNetns: string | null;
  /** The stack TAP's name there, when it is known to differ from the name the shim opened. */
  stackDev?: string | null;
}

/** A running shim's status (for the control socket and the metrics). Allocates; never per frame. */
export function shimStatus(runner: ShimRunner, ctx: ShimStatusContext): InstanceStatus {
  const shim = runner.shim;
  const engine = shim.engine;
  const cfg = engine?.cluster.config;
  const ms = runner.membership?.stats();
  const counters = shim.counterRecord();
  return {
    version: 1,
    kind: 'shim',
    pid: process.pid,
    datapath: 'shim',
    host: runner.host,
    startedAt: ctx.startedAt,
    devices: [
      { role: 'stack', name: shim.stack.name },
      { role: 'wire', name: shim.wire.name },
    ],
    stack: { netns: ctx.stackNetns, dev: ctx.stackDev ?? shim.stack.name },
    config: {
      path: runner.options.configPath ?? null,
      loadedAt: runner.options.relay ? null : ctx.reloads.loadedAt,
      reloads: { done: ctx.reloads.done, failed: ctx.reloads.failed },
      lastReload: ctx.reloads.last,
    },
    layer: engine !== null,
    mode: cfg ? cfg.mode : null,
    synthesize: cfg?.synthesize ?? false,
    replyRewrite: cfg ? cfg.replyRewrite : null,
    clusterMac: cfg ? colonMac(cfg.clusterMac) : null,
    sharedMac: cfg?.sharedMac ? colonMac(cfg.sharedMac) : null,
    members: engine ? clusterMembers(engine.cluster, runner.host, ms?.members) : [],
    strictSources: engine ? engine.strictSourcesState() : { enabled: false, discovered: [] },
    heartbeat: ms ? heartbeatStatus(ms, runner.membership!.periodMs) : null,
    frames: ctx.tally.rows(),
    counters,
    writeErrors: shim.counters[ShimCounter.WriteErrors],
  };
}
