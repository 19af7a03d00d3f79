import { Engine } from '../src';
import { Workload, allocatedDuring, calibrate, measure, runPasses, runRefills } from './engine';
import { FrameKind, LOCAL, MIX, clusterConfig, engineFor, frameSet } from './scenarios';
import { Spread, now, spread } from './stats';

/** The engine scenarios, in table order. */
export const SCENARIOS: {
  id: string;
  title: string;
  mode: 'dedicated' | 'shared';
  kinds: readonly [FrameKind, number][];
  peer?: (r: () => number, other: () => number) => number;
}[] = [
  { id: 'pass-through', title: 'pass-through, non-member IPv4 TCP', mode: 'dedicated', kinds: [['pass-tcp-in', 1]] },
  { id: 'data-rewrite', title: 'inbound data rewrite (step 702)', mode: 'dedicated', kinds: [['data-in', 1]] },
  {
    id: 'arp-request',
    title: 'inbound ARP request rewrite (step 502)',
    mode: 'dedicated',
    kinds: [['arp-request-in', 1]],
  },
  { id: 'arp-reply', title: 'outbound ARP reply rewrite (step 508)', mode: 'dedicated', kinds: [['arp-reply-out', 1]] },
  { id: 'ns-rewrite', title: 'inbound NS rewrite + checksum', mode: 'dedicated', kinds: [['ns-in', 1]] },
  { id: 'na-rewrite', title: 'outbound NA rewrite + checksum', mode: 'dedicated', kinds: [['na-out', 1]] },
  // half for us (rewrite), half for another member (drop)
  {
    id: 'shared-filter',
    title: 'shared mode, IP filtering',
    mode: 'shared',
    kinds: [['shared-in', 1]],
    peer: (r, other) => (r() < 0.5 ? LOCAL : other()),
  },
  { id: 'mix', title: 'realistic mix', mode: 'dedicated', kinds: MIX },
];

export const MEMBER_COUNTS = [3, 1000, 100000];
/** Frames per workload: a ring of receive buffers, peers spread over the whole membership. */
export const FRAMES_PER_SET = 8192;
/** The two peers of the local host (member 1) in a 3-member cluster. */
const TWO_PEERS = [0, 2];

export interface EngineResult {
  scenario: string;
  title: string;
  members: number;
  /**
   * How many different members the frames come from or go to: all of them but the local host (each
   * frame a random one: tables far larger than the cache are read cold), or 2 (the 3-member case's
   * peers in a large table: the lookup itself, without the cache misses).
   */
  peers: number;
  /** Frames per second (wall clock), median/min/max over the runs. */
  framesPerSecond: Spread;
  /** Nanoseconds per frame (wall clock). */
  nsPerFrame: Spread;
  /** Nanoseconds per frame from the process's CPU time (robust against other load on the machine). */
  cpuNsPerFrame: Spread;
  /** The refill memcpy per frame, subtracted above (harness cost, not the engine's). */
  refillNsPerFrame: number;
  /** Frames processed in the timed runs, bytes the V8 heap grew by (GCs included), collections. */
  frames: number;
  allocatedBytes: number;
  bytesPerFrame: number;
  gcs: number;
}

interface Cell {
  scenario: (typeof SCENARIOS)[number];
  members: number;
  peers: number;
  w: Workload;
  reps: number;
  wall: number[];
  cpu: number[];
  refill: number[];
  frames: number;
  bytes: number;
  gcs: number;
}

/**
 * Runs every scenario at every member count. All cells are warmed up first (so the JIT sees every
 * frame kind, as a real engine does), then measured in interleaved rounds, so a burst of load from
 * elsewhere spreads over all cells instead of spoiling one.
 */
export function runEngineSuite(opts: {
  runs: number;
  seconds: number;
  members: number[];
  log: (s: string) => void;
}): EngineResult[] {
  const cells: Cell[] = [];
  for (const members of opts.members) {
    const t0 = now();
    const engines: Record<string, Engine> = {};
    const engine = (mode: 'dedicated' | 'shared') => (engines[mode] ??= engineFor(clusterConfig(members, mode)));
    for (const two of members > 3 && members === Math.max(...opts.members) ? [false, true] : [false]) {
      for (const s of SCENARIOS) {
        const set = frameSet(s.kinds, members, FRAMES_PER_SET, 7 + members, s.peer, two ? TWO_PEERS : undefined);
        const w = new Workload(`${s.id}/${members}${two ? '/2 peers' : ''}`, engine(s.mode), set);
        w.check();
        cells.push({
          scenario: s,
          members,
          peers: two ? TWO_PEERS.length : members - 1,
          w,
          reps: 0,
          wall: [],
          cpu: [],
          refill: [],
          frames: 0,
          bytes: 0,
          gcs: 0,
        });
      }
    }
    opts.log(`engine: ${members} members built and checked in ${(now() - t0).toFixed(1)} s`);
  }
  for (const c of cells) calibrate(c.w, opts.seconds); // warm-up, every kind
  for (const c of cells) c.reps = calibrate(c.w, opts.seconds);
  for (let round = 0; round < opts.runs; round++) {
    for (const c of cells) {
      let t = { wall: 0, cpu: 0 };
      const a = allocatedDuring(() => (t = measure(runPasses, c.w, c.reps)));
      const refill = measure(runRefills, c.w, c.reps);
      const n = c.reps * c.w.frames;
      c.wall.push((t.wall - refill.wall) / n);
      c.cpu.push((t.cpu - refill.cpu) / n);
      c.refill.push(refill.wall / n);
      c.frames += n;
      c.bytes += a.bytes;
      c.gcs += a.gcs;
    }
    opts.log(`engine: round ${round + 1}/${opts.runs}`);
  }
  return cells.map((c) => {
    const ns = spread(c.wall.map((s) => s * 1e9));
    return {
      scenario: c.scenario.id,
      title: c.scenario.title,
      members: c.members,
      peers: c.peers,
      framesPerSecond: spread(c.wall.map((s) => 1 / s)),
      nsPerFrame: ns,
      cpuNsPerFrame: spread(c.cpu.map((s) => s * 1e9)),
      refillNsPerFrame: spread(c.refill.map((s) => s * 1e9)).median,
      frames: c.frames,
      allocatedBytes: c.bytes,
      bytesPerFrame: c.bytes / c.frames,
      gcs: c.gcs,
    };
  });
}

/**
 * A long run of the realistic mix at the largest membership with nothing else going on: the heap
 * statistics across it (growth plus everything the collector freed) give the bytes per frame.
 */
export function runAllocation(
  frames: number,
  members: number,
): { frames: number; allocatedBytes: number; bytesPerFrame: number; gcs: number } {
  const w = new Workload(
    `alloc/${members}`,
    engineFor(clusterConfig(members)),
    frameSet(MIX, members, FRAMES_PER_SET, 99, undefined),
  );
  w.check();
  calibrate(w, 0.2);
  const reps = Math.ceil(frames / w.frames);
  const a = allocatedDuring(() => runPasses(w, reps));
  return { frames: reps * w.frames, allocatedBytes: a.bytes, bytesPerFrame: a.bytes / (reps * w.frames), gcs: a.gcs };
}
