import { AdapterClaim, AdapterConflictError, DISCOVERY_EXEMPT, FrameContext, ProtocolAdapter } from './adapter';
import { DiscoveryKind, decideDiscovery } from './discovery';
import { Cluster } from './cluster';
import { UnknownHostError } from './errors';
import { ETH_HEADER_LEN, EtherType, etherTypeOffset, isMulticastMacAt, readU16 } from './frame/ethernet';
import { macCopy, macEquals } from './mac';
import { HeartbeatAdapter } from './membership/adapter';
import { Direction, Reason, Verdict, VERDICT_NAMES, reasonCount, reasonId, reasonText } from './verdict';

/** A codec adapter (decode, writeLinkLayer, synthesize, reasons all present). */
type DiscoveryAdapter = ProtocolAdapter &
  Required<Pick<ProtocolAdapter, 'decode' | 'writeLinkLayer' | 'synthesize' | 'reasons'>>;

function isCodec(a: ProtocolAdapter): a is DiscoveryAdapter {
  return (
    typeof a.decode === 'function' &&
    typeof a.writeLinkLayer === 'function' &&
    typeof a.synthesize === 'function' &&
    a.reasons !== undefined
  );
}

/** A claim, prepared for dispatch: `types` is a 256-entry membership table of upper-layer types. */
interface NarrowClaim {
  readonly adapter: ProtocolAdapter;
  readonly ipProtocol: number;
  readonly types: Uint8Array | null;
  readonly match: ((ctx: FrameContext) => boolean) | null;
}

/** What dispatch finds for one EtherType: the adapter of the whole EtherType, then narrower claims. */
interface Route {
  base: ProtocolAdapter | undefined;
  codec: DiscoveryAdapter | undefined;
  readonly claims: NarrowClaim[];
  /** The codec answers `dataReason` and no narrower claim reads the decode: data may skip it. */
  lean: boolean;
}

function narrowClaim(adapter: ProtocolAdapter, c: AdapterClaim): NarrowClaim {
  let types: Uint8Array | null = null;
  if (c.upperTypes !== undefined && c.upperTypes.length > 0) {
    types = new Uint8Array(256);
    for (const t of c.upperTypes) types[t & 0xff] = 1;
  }
  return {
    adapter,
    ipProtocol: c.match !== undefined ? -1 : (c.ipProtocol ?? -1),
    types: c.match !== undefined ? null : types,
    match: c.match ?? null,
  };
}

function hex4(t: number): string {
  return `0x${t.toString(16).padStart(4, '0')}`;
}

function selectorText(etherType: number, ipProtocol: number, type: number): string {
  return `EtherType ${hex4(etherType)}${ipProtocol >= 0 ? `, IP protocol ${ipProtocol}` : ''}${type >= 0 ? `, type ${type}` : ''}`;
}

/** Index of `Engine.counters`. */
export const Counter = { In: 0, Pass: 1, Rewrite: 2, Drop: 3, Reply: 4 } as const;

export interface EngineStats {
  frames: number;
  byVerdict: Record<string, number>;
  /** `reasonId`: the stable id (docs/rules.md); `reason`: its text. */
  byReason: { verdict: string; reason: string; reasonId: string; count: number }[];
}

/**
 * One host's cluster layer (patent: the NLB layer 404/410 between NIC and TCP/IP stack).
 * `process` decides one frame, rewriting it in place; it never throws and allocates nothing.
 */
export class Engine {
  /**
   * Counts as [low 30 bits, high] pairs of small integers: slots 0..4 are `Counter`, then one per
   * (verdict, reason). Smi-only arithmetic, so no tier of V8 allocates a heap number to count a frame.
   */
  private readonly tally: Int32Array;
  private readonly reasonSlots: number;
  private readonly ctx = new FrameContext();
  private readonly byEtherType = new Map<number, Route>();
  /**
   * Direct-mapped by the EtherType's low byte in front of `byEtherType` (the Map lookup was ~4 of the
   * ~30 ns of a pass-through frame): the route when `dispatchType` holds that exact EtherType.
   */
  private readonly dispatchType = new Int32Array(256).fill(-1);
  private readonly dispatchRoute: (Route | undefined)[] = new Array(256).fill(undefined);
  private dedicated = true;
  /** Dedicated mode without strict sources: only the masking rule may read a data frame's addresses. */
  private addressFree = false;
  /** `adapters` with the heartbeat family first: every engine dispatches EtherType 0x886F to it. */
  readonly adapters: readonly ProtocolAdapter[];

  /** AdapterConflictError when two adapters claim the same EtherType or the same narrower selector. */
  constructor(cluster: Cluster, hostName: string, adapters: readonly ProtocolAdapter[]) {
    this.adapters = [new HeartbeatAdapter(), ...adapters];
    const route = (t: number): Route => {
      let r = this.byEtherType.get(t);
      if (!r) {
        r = { base: undefined, codec: undefined, claims: [], lean: false };
        this.byEtherType.set(t, r);
        if (this.dispatchType[t & 0xff] < 0) {
          this.dispatchType[t & 0xff] = t;
          this.dispatchRoute[t & 0xff] = r;
        }
      }
      return r;
    };
    for (const a of this.adapters) {
      for (const t of a.etherTypes) {
        const r = route(t);
        if (r.base) throw new AdapterConflictError(r.base.name, a.name, `EtherType ${hex4(t)}`);
        r.base = a;
        r.codec = isCodec(a) ? a : undefined;
      }
    }
    for (const a of this.adapters) {
      for (const claim of a.claims ?? []) {
        const r = route(claim.etherType);
        const n = narrowClaim(a, claim);
        if (n.ipProtocol >= 0 && !r.codec)
          throw new Error(
            `adapter "${a.name}" claims IP protocol ${n.ipProtocol} inside EtherType ${hex4(claim.etherType)}, but no adapter decodes that EtherType`,
          );
        for (const o of r.claims) {
          if (o.match || n.match || o.ipProtocol !== n.ipProtocol) continue;
          const overlap =
            o.types === null || n.types === null ? -1 : o.types.findIndex((x, i) => x === 1 && n.types![i] === 1);
          if (o.types === null || n.types === null || overlap >= 0)
            throw new AdapterConflictError(
              o.adapter.name,
              a.name,
              selectorText(claim.etherType, n.ipProtocol, o.types === null || n.types === null ? -1 : overlap),
            );
        }
        r.claims.push(n);
      }
    }
    for (const r of this.byEtherType.values())
      r.lean = r.codec !== undefined && typeof r.codec.dataReason === 'function' && r.claims.length === 0;
    this.reasonSlots = reasonCount() + 64;
    this.tally = new Int32Array(2 * (5 + 4 * this.reasonSlots));
    this.setCluster(cluster, hostName);
  }

  /** The local host's name. */
  get hostName(): string {
    return this.ctx.cluster.hosts[this.ctx.localHost].name;
  }
  get cluster(): Cluster {
    return this.ctx.cluster;
  }
  /** Reason for the last verdict (see `reasonText`). */
  get reason(): number {
    return this.ctx.reason;
  }
  /** The frame of the last Reply verdict: replyFrame[0 .. replyLength). Overwritten by the next call. */
  get replyFrame(): Uint8Array {
    return this.ctx.replyFrame;
  }
  get replyLength(): number {
    return this.ctx.replyLength;
  }
  /** EtherType of the last frame after its tags (a heartbeat's is 0x886F), as dispatch found it; -1 before. */
  get etherType(): number {
    return this.ctx.etherType;
  }
  /** Offset of the last frame's L3 header (a heartbeat's payload), after the tags dispatch walked. */
  get l3Offset(): number {
    return this.ctx.l3;
  }

  /**
   * Installs a new membership (config reload, heartbeat join/change/leave). Strict-sources state is
   * kept for members still present (by name) and forgotten for the others.
   */
  setCluster(cluster: Cluster, hostName = this.ctx.cluster ? this.hostName : ''): void {
    const local = cluster.hostIndex(hostName);
    if (local < 0)
      throw new UnknownHostError(
        hostName,
        cluster.hosts.map((h) => h.name),
      );
    const c = this.ctx;
    const discovered = new Uint8Array(cluster.hosts.length);
    if (c.cluster) {
      c.cluster.hosts.forEach((h) => {
        const j = cluster.hostIndex(h.name);
        if (j >= 0 && c.discovered[h.index]) discovered[j] = 1;
      });
    }
    const cfg = cluster.config;
    c.cluster = cluster;
    c.localHost = local;
    c.clusterMac.set(cfg.clusterMac.bytes);
    c.sharedMac = cfg.mode === 'shared' && cfg.sharedMac ? Uint8Array.from(cfg.sharedMac.bytes) : null;
    c.synthesize = cfg.synthesize;
    c.strictSources = cfg.strictSources;
    c.replyRewriteAtSender = cfg.replyRewrite !== 'receiver';
    // once per membership: the frame path copies these 6 bytes, never computes them
    c.maskSourceMac = cfg.maskSourceMac === true;
    if (c.maskSourceMac) c.maskedMac.set(cluster.maskedSourceMac(local).bytes);
    else c.maskedMac.fill(0);
    c.discovered = discovered;
    this.dedicated = cfg.mode === 'dedicated';
    this.addressFree = this.dedicated && !c.strictSources;
  }

  /**
   * Decides one frame. `frame[0 .. length)` is the Ethernet frame without FCS, rewritten in place
   * when the verdict is Rewrite. Never throws: a `length` outside the buffer is Drop with reason
   * `engine.bad-length`, a `direction` other than Inbound (0) or Outbound (1) is Drop with reason
   * `engine.bad-direction`.
   */
  process(frame: Uint8Array, direction: Direction, length: number = frame.length): Verdict {
    const c = this.ctx;
    c.reason = Reason.None;
    c.replyLength = 0;
    c.etherType = -1; // until dispatch finds it: no stale EtherType for a frame cut short
    let v: Verdict;
    if (!(length >= 0 && length <= frame.length)) {
      c.reason = Reason.BadLength;
      v = Verdict.Drop;
    } else if (direction !== Direction.Inbound && direction !== Direction.Outbound) {
      c.reason = Reason.BadDirection;
      v = Verdict.Drop;
    } else {
      c.frame = frame;
      c.length = length;
      c.direction = direction;
      try {
        v = this.decide(c);
        if (c.maskSourceMac && direction === Direction.Outbound) v = this.maskSource(c, v);
      } catch {
        c.reason = Reason.AdapterError;
        v = Verdict.Drop;
      }
    }
    this.bump(Counter.In);
    this.bump(1 + v);
    if (c.reason < this.reasonSlots) this.bump(5 + v * this.reasonSlots + c.reason);
    return v;
  }

  private bump(slot: number): void {
    const t = this.tally;
    const lo = t[2 * slot] + 1;
    if (lo === 0x40000000) {
      t[2 * slot] = 0;
      t[2 * slot + 1]++;
    } else t[2 * slot] = lo;
  }

  private count(slot: number): number {
    return this.tally[2 * slot + 1] * 0x40000000 + this.tally[2 * slot];
  }

  /** Frames in, pass, rewrite, drop, reply (index with `Counter`); in = pass + rewrite + drop + reply. A snapshot. */
  get counters(): Float64Array {
    return Float64Array.from([0, 1, 2, 3, 4], (i) => this.count(i));
  }

  private decide(c: FrameContext): Verdict {
    const f = c.frame;
    // IEEE 802.3: a source address is never a group address. Never emit one, never deliver one,
    // whatever follows the addresses (a tag stack cut short or too deep included).
    if (c.length >= ETH_HEADER_LEN && isMulticastMacAt(f, 6)) {
      c.reason = Reason.MulticastSource;
      return Verdict.Drop;
    }
    const et = etherTypeOffset(f, c.length);
    if (et < 0) {
      c.reason = Reason.TruncatedEthernet;
      return Verdict.Pass;
    }
    c.etherTypeOffset = et;
    c.etherType = readU16(f, et);
    c.l3 = et + 2;
    const route =
      this.dispatchType[c.etherType & 0xff] === c.etherType
        ? this.dispatchRoute[c.etherType & 0xff]
        : this.byEtherType.get(c.etherType);
    let adapter: ProtocolAdapter | undefined;
    let codec: DiscoveryAdapter | undefined;
    if (route !== undefined) {
      adapter = route.base;
      codec = route.codec;
      // the family's codec decodes the frame once: shared mode, strict sources, the claims and the
      // policy all read what it found
      if (codec !== undefined) {
        // data no rule reads the addresses of (a pass-through or step-702 frame): the reason only
        const data =
          route.lean &&
          this.addressFree &&
          !(c.maskSourceMac && c.direction === Direction.Inbound && macEquals(f, 0, c.clusterMac, 0))
            ? codec.dataReason!(c)
            : -1;
        if (data >= 0) {
          this.noDecode(c);
          c.decodeReason = data;
        } else codec.decode(c);
      } else this.noDecode(c);
      if (route.claims.length > 0) {
        const n = this.narrow(route.claims, c);
        if (n !== undefined) {
          adapter = n;
          codec = undefined;
        }
      }
    } else this.noDecode(c);
    let rewritten = false;

    if (c.direction === Direction.Inbound) {
      // data.other-member: with masking every member receives the non-members' frames to the
      // cluster MAC; IP data for another member's address is that member's (keyed on the IP
      // destination the decode found; discovery messages follow their own rules)
      if (
        c.maskSourceMac &&
        c.destinationAddress >= 0 &&
        !c.discoveryFrame &&
        (c.etherType === EtherType.IPV4 || c.etherType === EtherType.IPV6) &&
        macEquals(f, 0, c.clusterMac, 0) &&
        c.remoteHost(c.cluster.member(f, c.destinationAddress, c.addressLength)) >= 0
      ) {
        c.reason = Reason.OtherMember;
        return Verdict.Drop;
      }
      if (this.dedicated) {
        // steps 510, 702, 706: our dedicated MAC -> cluster MAC; another member's -> not ours
        const h = c.cluster.hostOfMac(f, 0);
        if (h >= 0) {
          if (h !== c.localHost) {
            c.reason = Reason.NotForThisHost;
            return Verdict.Drop;
          }
          if (!this.toLocalStack(c, adapter, Reason.DedicatedToCluster)) return Verdict.Drop;
          rewritten = true;
        }
      } else if (c.sharedMac !== null && macEquals(f, 0, c.sharedMac, 0)) {
        // shared mode: one intracluster MAC for all; filter by IP destination
        const local =
          adapter !== undefined && adapter.localDestination !== undefined
            ? adapter.localDestination(c)
            : this.localDestination(c);
        if (local === 0) {
          c.reason = Reason.SharedNotLocal;
          return Verdict.Drop;
        }
        if (local < 0) {
          c.reason = Reason.SharedUndetermined;
          return Verdict.Drop;
        }
        if (!this.toLocalStack(c, adapter, Reason.SharedToCluster)) return Verdict.Drop;
        rewritten = true;
      }
    }

    const coreReason = c.reason;
    let v: Verdict = Verdict.Pass;
    if (codec !== undefined) {
      if (c.msg.kind !== DiscoveryKind.Other) v = decideDiscovery(c, c.msg, codec);
      else c.reason = c.decodeReason;
    } else if (adapter !== undefined && adapter.process !== undefined) {
      v = adapter.process(c);
    } else if (!rewritten) {
      c.reason = Reason.NoAdapter;
    }
    if (v === Verdict.Pass && rewritten) {
      c.reason = coreReason;
      v = Verdict.Rewrite;
    }
    return v;
  }

  /**
   * egress.mask-source: a frame the stack sends from the cluster MAC (forwarded: pass or rewrite)
   * leaves from the local host's masked MAC, so a learning switch never learns the cluster MAC. A
   * frame passed until now becomes a rewrite with this rule's reason; a rewritten one keeps its
   * rule's. Keyed on the Ethernet source, whatever follows it (a cut-short tag stack included).
   */
  private maskSource(c: FrameContext, v: Verdict): Verdict {
    if (v !== Verdict.Pass && v !== Verdict.Rewrite) return v;
    if (c.length < ETH_HEADER_LEN || !macEquals(c.frame, 6, c.clusterMac, 0)) return v;
    macCopy(c.frame, 6, c.maskedMac, 0);
    if (v === Verdict.Pass) c.reason = Reason.MaskSource;
    return Verdict.Rewrite;
  }

  /** No codec for this EtherType: nothing decoded. */
  private noDecode(c: FrameContext): void {
    c.msg.kind = DiscoveryKind.Other;
    c.decodeReason = Reason.NoAdapter;
    c.sourceAddress = -1;
    c.destinationAddress = -1;
    c.discoveryFrame = false;
    c.ipProtocol = -1;
    c.upperType = -1;
  }

  /** The first narrower claim that matches what the decode found, or undefined. */
  private narrow(claims: readonly NarrowClaim[], c: FrameContext): ProtocolAdapter | undefined {
    for (let i = 0; i < claims.length; i++) {
      const n = claims[i];
      if (n.match !== null) {
        if (n.match(c)) return n.adapter;
      } else if (
        n.ipProtocol < 0 ||
        (n.ipProtocol === c.ipProtocol && (n.types === null || (c.upperType >= 0 && n.types[c.upperType] === 1)))
      )
        return n.adapter;
    }
    return undefined;
  }

  /** Shared mode from the decode: 1 when the destination address is one of ours, 0 not, -1 unreadable. */
  private localDestination(c: FrameContext): number {
    if (c.destinationAddress < 0) return -1;
    return c.isLocalMember(c.cluster.member(c.frame, c.destinationAddress, c.addressLength)) ? 1 : 0;
  }

  /** Strict sources from the decode: as ProtocolAdapter.sourceMember. */
  private sourceMember(c: FrameContext): number {
    if (c.discoveryFrame) return DISCOVERY_EXEMPT;
    if (c.sourceAddress < 0) return -1;
    return c.remoteHost(c.cluster.member(c.frame, c.sourceAddress, c.addressLength));
  }

  /**
   * A frame for this host's intracluster MAC: strict sources first (false: drop, reason set), then
   * destination := cluster MAC so the stack, still in unicast mode, accepts it.
   */
  private toLocalStack(c: FrameContext, adapter: ProtocolAdapter | undefined, reason: number): boolean {
    if (c.strictSources && !this.strictAllows(c, adapter)) return false;
    macCopy(c.frame, 0, c.clusterMac, 0);
    c.reason = reason;
    return true;
  }

  /** Strict sources: sets the reason and returns false when the frame must be dropped. */
  private strictAllows(c: FrameContext, adapter: ProtocolAdapter | undefined): boolean {
    const s =
      adapter !== undefined && adapter.sourceMember !== undefined ? adapter.sourceMember(c) : this.sourceMember(c);
    if (s === DISCOVERY_EXEMPT) return true;
    if (s < 0) {
      c.reason = Reason.StrictUnknownSender;
      return false;
    }
    if (c.discovered[s] !== 1) {
      c.reason = Reason.StrictNoDiscovery;
      return false;
    }
    return true;
  }

  /** Strict sources: whether on, and the members a discovery exchange completed with (allocates; for status). */
  strictSourcesState(): { enabled: boolean; discovered: string[] } {
    const c = this.ctx;
    return {
      enabled: c.strictSources,
      discovered: c.cluster.hosts.filter((h) => c.discovered[h.index] === 1).map((h) => h.name),
    };
  }

  /** Counters as a plain object (for the CLI and logs; allocates, not for the hot path). */
  stats(): EngineStats {
    const byVerdict: Record<string, number> = {};
    VERDICT_NAMES.forEach((n, i) => (byVerdict[n] = this.count(1 + i)));
    const byReason: EngineStats['byReason'] = [];
    for (let v = 0; v < 4; v++) {
      for (let r = 0; r < this.reasonSlots; r++) {
        const n = this.count(5 + v * this.reasonSlots + r);
        if (n > 0)
          byReason.push({
            verdict: VERDICT_NAMES[v],
            reason: r === 0 ? '(none)' : reasonText(r),
            reasonId: r === 0 ? '' : reasonId(r),
            count: n,
          });
      }
    }
    return { frames: this.count(Counter.In), byVerdict, byReason };
  }
}
