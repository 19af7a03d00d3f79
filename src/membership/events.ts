import type { HeartbeatDropReason } from './format';

/** A member as the events describe it. */
export interface MemberInfo {
  /** NLB unique host ID; 0 for an initial member (`staticHosts: false`) not heard from yet. */
  readonly hostId: number;
  readonly name: string;
  /** Canonical address texts. */
  readonly addresses: readonly string[];
}

export interface MembershipEvents {
  /** A member was admitted on its first valid heartbeat; the engine already has it. */
  join: MemberInfo & { readonly at: number };
  /** A member's heartbeat carried other addresses (or another name); the engine already has them. */
  change: MemberInfo & { readonly at: number; readonly previous: MemberInfo };
  /** A member missed `missed` heartbeats (timeout) or was displaced by a local reconfiguration. */
  leave: MemberInfo & { readonly at: number; readonly reason: 'timeout' | 'reconfigured'; readonly silentMs: number };
  /**
   * An authentic heartbeat whose member cannot be installed (dedicated MAC collision, no mapping):
   * the member is not admitted or keeps its previous addresses. Emitted once per host ID and reason.
   */
  refused: MemberInfo & { readonly at: number; readonly reason: string };
  /**
   * Heartbeats were dropped and counted; membership did not change. Sampled: emitted for the 1st,
   * 10th, 100th... drop of each reason (`count`), so a flood costs no event per frame.
   */
  dropped: {
    readonly at: number;
    readonly reason: HeartbeatDropReason;
    readonly text: string;
    readonly detail: string;
    readonly hostId?: number;
    readonly count: number;
  };
}

export type MembershipEventName = keyof MembershipEvents;
type Listener<K extends MembershipEventName> = (event: MembershipEvents[K]) => void;

/**
 * A typed emitter, EventEmitter-like (on, once, off). Listeners run synchronously; one that throws
 * does not stop the others nor the layer: its error is rethrown on a microtask (uncaught, as a
 * listener bug should be), after the layer's state is consistent.
 */
export class MembershipEmitter {
  private readonly listeners = new Map<MembershipEventName, Array<(e: never) => void>>();

  on<K extends MembershipEventName>(name: K, fn: Listener<K>): this {
    const l = this.listeners.get(name) ?? [];
    l.push(fn as (e: never) => void);
    this.listeners.set(name, l);
    return this;
  }
  once<K extends MembershipEventName>(name: K, fn: Listener<K>): this {
    const w: Listener<K> = (e) => {
      this.off(name, w);
      fn(e);
    };
    return this.on(name, w);
  }
  off<K extends MembershipEventName>(name: K, fn: Listener<K>): this {
    const l = this.listeners.get(name);
    if (l) {
      const i = l.indexOf(fn as (e: never) => void);
      if (i >= 0) l.splice(i, 1);
    }
    return this;
  }
  listenerCount(name: MembershipEventName): number {
    return this.listeners.get(name)?.length ?? 0;
  }
  protected emit<K extends MembershipEventName>(name: K, event: MembershipEvents[K]): void {
    const l = this.listeners.get(name);
    if (!l) return;
    for (const fn of [...l]) {
      try {
        (fn as Listener<K>)(event);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}
