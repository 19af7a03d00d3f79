import type { ReloadRecord } from '../ops/instance';
import { InstanceStatus, clusterMembers, colonMac, heartbeatStatus } from '../ops/status';
import { FrameCount, reasonLabel } from '../ops/tally';
import { directionName, reasonText } from '../verdict';
import type { AttachRunner } from './runner';

export interface AttachStatusContext {
  startedAt: number;
  reloads: ReloadRecord;
}

/**
 * A running attach's status (control socket, metrics): the membership in force, heartbeat state,
 * and the BPF programs' per-CPU counters by direction, verdict and reason. Allocates; never per frame.
 */
export function attachStatus(runner: AttachRunner, ctx: AttachStatusContext): InstanceStatus {
  const { cluster, config, path } = runner.configInForce;
  const ms = runner.membership?.stats();
  const dp = runner.datapath;
  const layer = runner.isMember;
  const cfg = cluster?.config ?? config;
  const frames: FrameCount[] = dp.frames().map((f) => ({
    direction: directionName(f.direction) as 'inbound' | 'outbound',
    verdict: f.verdict,
    reason: reasonLabel(f.reason),
    text: f.reason === 0 ? '' : reasonText(f.reason),
    count: f.count,
  }));
  const report = runner.report();
  return {
    version: 1,
    kind: 'attach',
    pid: process.pid,
    datapath: 'kernel',
    host: runner.host,
    startedAt: ctx.startedAt,
    devices: [{ role: 'dev', name: runner.options.dev }],
    stack: { netns: null, dev: runner.options.dev },
    config: {
      path: path || null,
      loadedAt: runner.options.passAll ? null : ctx.reloads.loadedAt,
      reloads: { done: ctx.reloads.done, failed: ctx.reloads.failed },
      lastReload: ctx.reloads.last,
    },
    layer,
    mode: cfg && layer ? cfg.mode : null,
    synthesize: (layer && cfg?.synthesize) ?? false,
    replyRewrite: cfg && layer ? cfg.replyRewrite : null,
    clusterMac: cfg ? colonMac(cfg.clusterMac) : null,
    sharedMac: cfg?.sharedMac ? colonMac(cfg.sharedMac) : null,
    members: cluster && layer ? clusterMembers(cluster, runner.host, ms?.members) : [],
    strictSources: { enabled: (layer && cfg?.strictSources) ?? false, discovered: [] },
    heartbeat: ms ? heartbeatStatus(ms, runner.membership!.periodMs) : null,
    frames,
    counters: {
      'heartbeat frames received': report.heartbeats.received,
      'heartbeat socket read errors': report.heartbeats.readErrors,
      'heartbeats of unknown hosts over budget': report.heartbeats.unknownOverBudget,
      adopted: dp.adopted ? 1 : 0,
    },
    writeErrors: ms?.sendErrors ?? 0,
  };
}
