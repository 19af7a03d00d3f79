import { Cluster } from '../cluster';
import { EngineStats } from '../engine';
import { Direction } from '../verdict';

/**
 * What the control plane needs of the kernel datapath (the BPF programs, their maps and the tc
 * attachment; src/datapath). Everything that touches libbpf is behind this interface.
 */
export interface AttachedDatapath {
  /** Interface and its index in this network namespace. */
  readonly ifname: string;
  readonly ifindex: number;
  /** Where the objects are pinned (null: not pinned). */
  readonly pinPath: string | null;
  /** True when this instance took over programs a previous control process left attached. */
  readonly adopted: boolean;
  /**
   * Installs a membership atomically (no frame sees half of one and half of the next). `host` null:
   * this host is not listed: every frame passes unchanged.
   */
  setCluster(cluster: Cluster, host: string | null): void;
  /** Frames by verdict and reason, from the per-CPU counters (the TypeScript engine's reason texts). */
  stats(): EngineStats;
  /** The same counters by direction, verdict and engine reason number (nonzero ones). */
  frames(): { direction: Direction; verdict: string; reason: number; count: number }[];
  /** Leaves the programs attached and pinned; closes this process's descriptors. */
  release(): void;
  /** Detaches both programs, removes the pins, closes the descriptors. */
  remove(): void;
}

export interface AttachOptions {
  ifname: string;
  /** Folder to pin under (created), or null not to pin. */
  pinPath: string | null;
  /** Programs attached passing every frame (the datapath's own cost, for the bench). */
  passAll?: boolean;
  /**
   * On adoption: the hosts, in host-index order, of the membership the previous control process
   * installed last (its state file), so strict-sources state is carried over by name.
   */
  previousMembers?: readonly string[];
}

export interface KernelBackend {
  /** '' when the datapath can run here, else one line saying what is missing. */
  problem(): string;
  /** Adopts what `pinPath` holds if it is what is attached to `ifname`, else attaches afresh (replacing any program of ours left on the hooks). */
  attach(options: AttachOptions): AttachedDatapath;
  /**
   * Removes our programs from `ifname`'s hooks (null: the interface is gone) and the pins under
   * `pinPath`; says which of the two were there.
   */
  detach(ifname: string | null, pinPath: string | null): { programs: boolean; pins: boolean };
}

let backend: KernelBackend | null = null;

/** The kernel datapath (src/datapath through src/attach/backend.ts), loaded on first use. */
export function kernelBackend(): KernelBackend {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  backend ??= (require('./backend') as typeof import('./backend')).bpfBackend;
  return backend;
}
