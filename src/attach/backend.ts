import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster } from '../cluster';
import { EngineStats } from '../engine';
import { Direction, VERDICT_NAMES, reasonId, reasonText } from '../verdict';
import { BpfAddon, BpfObject, TcPoint, bpfAddon, kernelDatapathProblem, u32 } from '../datapath/bpf';
import { CONFIG_SIZE, KernelMaps, MAP_NAMES } from '../datapath/maps';
import { KernelReasons, loadKernelReasons } from '../datapath/reasons';
import { AttachOptions, AttachedDatapath, KernelBackend } from './kernel';

/**
 * Where the programs sit on the tc hooks: one filter of ours per hook, always at this handle and
 * priority, so a later attach finds (and replaces) what an earlier one left, and `detach` removes
 * ours only. Other filters on the same hooks (Cilium, a firewall) keep running: pass and rewrite
 * return TC_ACT_UNSPEC, which hands the frame to the next filter.
 */
export const TC_HANDLE = 0x1c;
export const TC_PRIORITY = 0x1c;

const PROGRAMS = [
  { name: 'ingress', point: TcPoint.Ingress },
  { name: 'egress', point: TcPoint.Egress },
] as const;

/** Maps the control plane writes and reads (pinned, and adopted by pin); the programs hold the rest. */
const PINNED_MAPS = [
  MAP_NAMES.state,
  MAP_NAMES.config,
  MAP_NAMES.members4,
  MAP_NAMES.members6,
  MAP_NAMES.macs,
  MAP_NAMES.strict,
  MAP_NAMES.counters,
];
const progPin = (dir: string, name: string) => join(dir, `prog_${name}`);
const mapPin = (dir: string, name: string) => join(dir, `map_${name}`);

function ifindexOf(lib: BpfAddon, ifname: string): number {
  const i = lib.ifIndex(ifname);
  if (!i) throw Object.assign(new Error(`no such device: ${ifname}`), { code: 'ENODEV', syscall: 'if_nametoindex' });
  return i;
}

/** Program ids of our filters on `ifindex` (0: none). */
function attachedIds(lib: BpfAddon, ifindex: number): number[] {
  return PROGRAMS.map((p) => lib.tcQuery(ifindex, p.point, TC_HANDLE, TC_PRIORITY));
}

/** Pinned program ids under `dir` (null when a pin is missing or unreadable). */
function pinnedIds(lib: BpfAddon, dir: string): number[] | null {
  const ids: number[] = [];
  for (const p of PROGRAMS) {
    const path = progPin(dir, p.name);
    if (!existsSync(path)) return null;
    try {
      const fd = lib.objGet(path);
      try {
        ids.push(lib.progInfo(fd).id);
      } finally {
        lib.closeFd(fd);
      }
    } catch {
      return null;
    }
  }
  return ids;
}

function removePins(lib: BpfAddon, dir: string | null): boolean {
  if (!dir || !existsSync(dir)) return false;
  for (const f of readdirSync(dir)) lib.unpin(join(dir, f));
  try {
    rmdirSync(dir);
  } catch {
    /* not empty: something of someone else's */
  }
  return true;
}

class Attached implements AttachedDatapath {
  private done = false;
  private maps: KernelMaps;
  private readonly reasons: KernelReasons = loadKernelReasons();

  constructor(
    private readonly lib: BpfAddon,
    readonly ifname: string,
    readonly ifindex: number,
    readonly pinPath: string | null,
    readonly adopted: boolean,
    private readonly fds: (name: string) => number,
    private readonly owned: { object: BpfObject | null; fds: number[] },
  ) {
    this.maps = new KernelMaps(lib, fds);
  }

  /** Adoption: strict-sources state of the running generation, by the previous membership's host names. */
  adoptDiscovery(names: readonly string[]): boolean {
    return this.maps.adoptDiscovery(names);
  }

  setCluster(cluster: Cluster, host: string | null): void {
    if (host !== null) return this.maps.install(cluster, host);
    // not a member: a generation without a valid config (every frame passes), switched to at once
    const g = 1 - this.maps.generation;
    this.lib.mapUpdate(this.fds(MAP_NAMES.config), u32(g), new Uint8Array(CONFIG_SIZE));
    this.lib.mapUpdate(this.fds(MAP_NAMES.state), u32(0), u32(g));
    this.maps.close();
    this.maps = new KernelMaps(this.lib, this.fds);
  }

  stats(): EngineStats {
    const byVerdict: Record<string, number> = {};
    VERDICT_NAMES.forEach((name) => (byVerdict[name] = 0));
    const byKey = new Map<string, EngineStats['byReason'][number]>();
    let frames = 0;
    for (const f of this.frames()) {
      byVerdict[f.verdict] = (byVerdict[f.verdict] ?? 0) + f.count;
      const key = `${f.verdict}\0${f.reason}`;
      const row = byKey.get(key);
      if (row) row.count += f.count;
      else
        byKey.set(key, {
          verdict: f.verdict,
          reason: f.reason === 0 ? '(none)' : reasonText(f.reason),
          reasonId: f.reason === 0 ? '' : reasonId(f.reason),
          count: f.count,
        });
      frames += f.count;
    }
    return { frames, byVerdict, byReason: [...byKey.values()] };
  }

  frames(): { direction: Direction; verdict: string; reason: number; count: number }[] {
    const n = this.reasons.count;
    const out: { direction: Direction; verdict: string; reason: number; count: number }[] = [];
    this.maps.counters(n).forEach((c, k) => {
      if (c === 0) return;
      const dv = Math.floor(k / n);
      out.push({
        direction: dv >= 4 ? Direction.Outbound : Direction.Inbound,
        verdict: VERDICT_NAMES[dv & 3],
        reason: this.reasons.toEngine[k % n],
        count: c,
      });
    });
    return out;
  }

  release(): void {
    if (this.done) return;
    this.done = true;
    this.close();
  }

  remove(): void {
    if (this.done) return;
    this.done = true;
    for (const p of PROGRAMS) {
      try {
        this.lib.tcDetach(this.ifindex, p.point, TC_HANDLE, TC_PRIORITY);
      } catch {
        /* already gone (interface deleted, or detached by hand) */
      }
    }
    removeEmptyClsact(this.lib, this.ifname, this.ifindex);
    removePins(this.lib, this.pinPath);
    this.close();
  }

  private close(): void {
    this.maps.close();
    this.owned.object?.close();
    for (const fd of this.owned.fds) this.lib.closeFd(fd);
  }
}

/**
 * Removes the clsact qdisc when no filter is left on either of its hooks (one `tc` call per hook,
 * at detach only): what this layer added goes, someone else's filters and qdisc stay.
 */
function removeEmptyClsact(lib: BpfAddon, ifname: string, ifindex: number): void {
  for (const hook of ['ingress', 'egress']) {
    const r = spawnSync('tc', ['filter', 'show', 'dev', ifname, hook], { encoding: 'utf8', timeout: 10_000 });
    if (r.error || r.status !== 0 || r.stdout.trim() !== '') return;
  }
  try {
    lib.tcHookDestroy(ifindex, TcPoint.Both);
  } catch {
    /* gone already */
  }
}

/** The kernel datapath through the libbpf addon (src/datapath). */
export const bpfBackend: KernelBackend = {
  problem: () => kernelDatapathProblem(),

  attach(o: AttachOptions): AttachedDatapath {
    const lib = bpfAddon();
    const ifindex = ifindexOf(lib, o.ifname);
    const dir = o.pinPath;
    // adopt: the pinned programs are exactly the ones on the hooks (not pass-all: that starts clean)
    if (dir && !o.passAll) {
      const pinned = pinnedIds(lib, dir);
      const attached = attachedIds(lib, ifindex);
      if (
        pinned &&
        pinned.every((id, i) => id !== 0 && id === attached[i]) &&
        PINNED_MAPS.every((m) => existsSync(mapPin(dir, m)))
      ) {
        const fds = new Map<string, number>();
        try {
          for (const m of PINNED_MAPS) fds.set(m, lib.objGet(mapPin(dir, m)));
          const dp = new Attached(lib, o.ifname, ifindex, dir, true, (name) => fds.get(name)!, {
            object: null,
            fds: [...fds.values()],
          });
          if (o.previousMembers) dp.adoptDiscovery(o.previousMembers);
          return dp;
        } catch (e) {
          for (const fd of fds.values()) lib.closeFd(fd);
          throw e;
        }
      }
    }
    // attach afresh, replacing whatever of ours is on the hooks (a kept datapath whose pins are gone)
    const object = BpfObject.open();
    try {
      const dp = new Attached(lib, o.ifname, ifindex, dir, false, (name) => object.mapFd(name), { object, fds: [] });
      lib.tcHookCreate(ifindex, TcPoint.Ingress);
      lib.tcHookCreate(ifindex, TcPoint.Egress);
      for (const p of PROGRAMS) lib.tcAttach(ifindex, p.point, object.programFd(p.name), TC_HANDLE, TC_PRIORITY, true);
      if (dir) {
        removePins(lib, dir);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        for (const p of PROGRAMS) lib.pin(object.programFd(p.name), progPin(dir, p.name));
        for (const m of PINNED_MAPS) lib.pin(object.mapFd(m), mapPin(dir, m));
      }
      return dp;
    } catch (e) {
      object.close();
      throw e;
    }
  },

  detach(ifname: string | null, pinPath: string | null): { programs: boolean; pins: boolean } {
    const lib = bpfAddon();
    let programs = false;
    if (ifname) {
      const ifindex = ifindexOf(lib, ifname);
      const ids = attachedIds(lib, ifindex);
      PROGRAMS.forEach((p, i) => {
        if (ids[i] === 0) return;
        lib.tcDetach(ifindex, p.point, TC_HANDLE, TC_PRIORITY);
        programs = true;
      });
      if (programs) removeEmptyClsact(lib, ifname, ifindex);
    }
    return { programs, pins: removePins(lib, pinPath) };
  },
};
