import {
  ArpOp,
  ClusterConfig,
  Direction,
  Engine,
  EngineFactory,
  EtherType,
  Icmpv6Type,
  NaFlag,
  NdOption,
  Verdict,
  arpFrame,
  createContainer,
  emitEthernet,
  ipv6Frame,
  ipv6MulticastMac,
  ndFrame,
  parseConfig,
  solicitedNode,
} from '../src';

/**
 * The frames and clusters the benchmarks run. Everything here is built once, before any timing, with
 * the library's own Repr builders (byte vectors only: no address here is ever put on an interface).
 *
 * Member i has IPv4 198.18.x.y and IPv6 fd00::c612:xxyy (i = x*256 + y, both in 198.18.0.0/15), so
 * ipv4-prefix and ipv6-low32 give it one dedicated MAC 03-bf-c6-12-xx-yy. The local host is member 1.
 */
export const CLUSTER_MAC = '02-bf-aa-bb-cc-dd';
export const SHARED_MAC = '03-bf-00-00-00-01';
const ROUTER_MAC = '02-00-5e-00-01-01';
export const LOCAL = 1;
/** A member other than the local host, as the source of traffic that is not for us. */
const OTHER = 0;

export function memberV4(i: number): string {
  return `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}
export function memberV6(i: number): string {
  return `fd00::c6${(18 + (i >> 16)).toString(16).padStart(2, '0')}:${(i & 0xffff).toString(16)}`;
}
export function dedicatedMac(i: number): string {
  return ['03', 'bf', 'c6', (18 + (i >> 16)).toString(16), ((i >> 8) & 255).toString(16), (i & 255).toString(16)]
    .map((h) => h.padStart(2, '0'))
    .join('-');
}

/**
 * The config file (JSON) of a cluster of `members` members m0, m1, ... With replyRewrite "sender"
 * (FIG. 6 as drawn, the default before "receiver"): the outbound ARP reply and NA scenarios time the
 * step-508 rewrite of the sender MAC / TLLAO (the NA with its RFC 1624 checksum update), the same
 * work in builds before and after that default changed, so old and new builds compare. Source-MAC
 * masking off for the same reason, and because it numbers at most 255 hosts (it adds one 6-byte
 * compare, and a copy on outbound frames from the cluster MAC).
 */
export function clusterConfigJson(members: number, mode: 'dedicated' | 'shared' = 'dedicated'): object {
  if (members > 131072) throw new RangeError('at most 131072 members fit 198.18.0.0/15');
  const hosts = [];
  for (let i = 0; i < members; i++) hosts.push({ name: `m${i}`, addresses: [memberV4(i), memberV6(i)] });
  return mode === 'shared'
    ? { clusterMac: CLUSTER_MAC, mode, sharedMac: SHARED_MAC, replyRewrite: 'sender', maskSourceMac: false, hosts }
    : { clusterMac: CLUSTER_MAC, replyRewrite: 'sender', maskSourceMac: false, hosts };
}

export function clusterConfig(members: number, mode: 'dedicated' | 'shared' = 'dedicated'): ClusterConfig {
  return parseConfig(clusterConfigJson(members, mode));
}

/** One benchmark workload: `count` frames laid out in one buffer, each with its direction. */
export interface FrameSet {
  /** Concatenated frames as built (the pristine copy; the bench restores from it). */
  pristine: Uint8Array;
  offsets: Int32Array;
  lengths: Int32Array;
  directions: Uint8Array;
  /** Verdict each frame must get (checked before timing, so a bench never measures the wrong path). */
  verdicts: Uint8Array;
}

/** Deterministic PRNG (mulberry32): the same frames on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A TCP segment (IPv4 header + 20-byte TCP header, no payload: a minimum-size frame). */
function ipv4Tcp(src: string, dst: string): Uint8Array {
  const p = new Uint8Array(40);
  p[0] = 0x45;
  p[3] = 40;
  p[8] = 64;
  p[9] = 6;
  src.split('.').forEach((b, i) => (p[12 + i] = Number(b)));
  dst.split('.').forEach((b, i) => (p[16 + i] = Number(b)));
  p[32] = 0x50; // TCP data offset 5
  p[33] = 0x10; // ACK
  return p;
}

/** One frame of a kind, between the local host and member `peer` (a non-member for the pass kinds). */
export type FrameKind =
  | 'pass-tcp-in'
  | 'pass-tcp-out'
  | 'pass-ipv6-in'
  | 'data-in'
  | 'data-out'
  | 'data-other-member'
  | 'arp-request-in'
  | 'arp-reply-out'
  | 'arp-non-member'
  | 'ns-in'
  | 'na-out'
  | 'shared-in';

export function buildFrame(
  kind: FrameKind,
  peer: number,
  r: () => number,
): { frame: Uint8Array; dir: Direction; verdict: Verdict } {
  const outsider = `203.0.113.${1 + Math.floor(r() * 250)}`;
  switch (kind) {
    case 'pass-tcp-in':
      return {
        frame: emitEthernet({
          dst: CLUSTER_MAC,
          src: ROUTER_MAC,
          etherType: EtherType.IPV4,
          payload: ipv4Tcp(outsider, memberV4(LOCAL)),
        }),
        dir: Direction.Inbound,
        verdict: Verdict.Pass,
      };
    case 'pass-tcp-out':
      return {
        frame: emitEthernet({
          dst: ROUTER_MAC,
          src: CLUSTER_MAC,
          etherType: EtherType.IPV4,
          payload: ipv4Tcp(memberV4(LOCAL), outsider),
        }),
        dir: Direction.Outbound,
        verdict: Verdict.Pass,
      };
    case 'pass-ipv6-in':
      return {
        frame: ipv6Frame(
          { dst: CLUSTER_MAC, src: ROUTER_MAC },
          { src: '2001:db8:ffff::1', dst: memberV6(LOCAL), hopLimit: 64 },
          6,
          new Uint8Array(20),
        ),
        dir: Direction.Inbound,
        verdict: Verdict.Pass,
      };
    case 'data-in': // step 702: to our dedicated MAC
      return {
        frame: emitEthernet({
          dst: dedicatedMac(LOCAL),
          src: CLUSTER_MAC,
          etherType: EtherType.IPV4,
          payload: ipv4Tcp(memberV4(peer), memberV4(LOCAL)),
        }),
        dir: Direction.Inbound,
        verdict: Verdict.Rewrite,
      };
    case 'data-out':
      return {
        frame: emitEthernet({
          dst: dedicatedMac(peer),
          src: CLUSTER_MAC,
          etherType: EtherType.IPV4,
          payload: ipv4Tcp(memberV4(LOCAL), memberV4(peer)),
        }),
        dir: Direction.Outbound,
        verdict: Verdict.Pass,
      };
    case 'data-other-member': // flooded frame for another member's dedicated MAC
      return {
        frame: emitEthernet({
          dst: dedicatedMac(peer),
          src: CLUSTER_MAC,
          etherType: EtherType.IPV4,
          payload: ipv4Tcp(memberV4(OTHER), memberV4(peer)),
        }),
        dir: Direction.Inbound,
        verdict: Verdict.Drop,
      };
    case 'arp-request-in': // step 502
      return {
        frame: arpFrame(
          { dst: 'ff-ff-ff-ff-ff-ff', src: CLUSTER_MAC },
          { op: ArpOp.REQUEST, sha: CLUSTER_MAC, spa: memberV4(peer), tha: '00-00-00-00-00-00', tpa: memberV4(LOCAL) },
        ),
        dir: Direction.Inbound,
        verdict: Verdict.Rewrite,
      };
    case 'arp-reply-out': // step 508
      return {
        frame: arpFrame(
          { dst: dedicatedMac(peer), src: CLUSTER_MAC },
          { op: ArpOp.REPLY, sha: CLUSTER_MAC, spa: memberV4(LOCAL), tha: dedicatedMac(peer), tpa: memberV4(peer) },
        ),
        dir: Direction.Outbound,
        verdict: Verdict.Rewrite,
      };
    case 'arp-non-member':
      return {
        frame: arpFrame(
          { dst: 'ff-ff-ff-ff-ff-ff', src: ROUTER_MAC },
          { op: ArpOp.REQUEST, sha: ROUTER_MAC, spa: outsider, tha: '00-00-00-00-00-00', tpa: memberV4(LOCAL) },
        ),
        dir: Direction.Inbound,
        verdict: Verdict.Pass,
      };
    case 'ns-in': {
      // step 502 analogue: NS from a member for us, SLLAO = cluster MAC (checksum validated, then updated)
      const dst = solicitedNode(memberV6(LOCAL));
      return {
        frame: ndFrame(
          { dst: ipv6MulticastMac(dst), src: CLUSTER_MAC },
          { src: memberV6(peer), dst },
          {
            type: Icmpv6Type.NEIGHBOR_SOLICITATION,
            target: memberV6(LOCAL),
            options: [{ type: NdOption.SOURCE_LL, mac: CLUSTER_MAC }],
          },
        ),
        dir: Direction.Inbound,
        verdict: Verdict.Rewrite,
      };
    }
    case 'na-out': // step 508 analogue: our solicited NA to a member, TLLAO = cluster MAC
      return {
        frame: ndFrame(
          { dst: dedicatedMac(peer), src: CLUSTER_MAC },
          { src: memberV6(LOCAL), dst: memberV6(peer) },
          {
            type: Icmpv6Type.NEIGHBOR_ADVERTISEMENT,
            flags: NaFlag.SOLICITED | NaFlag.OVERRIDE,
            target: memberV6(LOCAL),
            options: [{ type: NdOption.TARGET_LL, mac: CLUSTER_MAC }],
          },
        ),
        dir: Direction.Outbound,
        verdict: Verdict.Rewrite,
      };
    case 'shared-in': // shared mode: the shared MAC, kept only when the IP destination is ours
      return {
        frame: emitEthernet({
          dst: SHARED_MAC,
          src: CLUSTER_MAC,
          etherType: EtherType.IPV4,
          payload: ipv4Tcp(memberV4(OTHER), memberV4(peer)),
        }),
        dir: Direction.Inbound,
        verdict: peer === LOCAL ? Verdict.Rewrite : Verdict.Drop,
      };
  }
}

/**
 * The realistic mix (per 100 frames): what one member of a web farm sees, mostly client traffic with
 * some intracluster traffic and a trickle of discovery.
 */
export const MIX: readonly [FrameKind, number][] = [
  ['pass-tcp-in', 40],
  ['pass-tcp-out', 30],
  ['pass-ipv6-in', 5],
  ['data-in', 12],
  ['data-out', 6],
  ['data-other-member', 2],
  ['arp-request-in', 1],
  ['arp-reply-out', 1],
  ['arp-non-member', 1],
  ['ns-in', 1],
  ['na-out', 1],
];

/** A set of `count` frames of the given kinds (weights), peers drawn uniformly from all other members. */
export function frameSet(
  kinds: readonly [FrameKind, number][],
  members: number,
  count: number,
  seed: number,
  peerOf?: (r: () => number, otherMember: () => number) => number,
  /** Peers only among these members (default: any member but the local host). */
  peers?: readonly number[],
): FrameSet {
  const r = prng(seed);
  const total = kinds.reduce((n, [, w]) => n + w, 0);
  const frames: { frame: Uint8Array; dir: Direction; verdict: Verdict }[] = [];
  const randomPeer = () => {
    if (peers) return peers[Math.floor(r() * peers.length)];
    const p = Math.floor(r() * (members - 1));
    return p >= LOCAL ? p + 1 : p; // any member but the local host
  };
  for (let i = 0; i < count; i++) {
    let pick = r() * total;
    let kind = kinds[0][0];
    for (const [k, w] of kinds) {
      if (pick < w) {
        kind = k;
        break;
      }
      pick -= w;
    }
    frames.push(buildFrame(kind, peerOf ? peerOf(r, randomPeer) : randomPeer(), r));
  }
  const offsets = new Int32Array(count);
  const lengths = new Int32Array(count);
  let size = 0;
  frames.forEach((f, i) => {
    offsets[i] = size;
    lengths[i] = f.frame.length;
    size += (f.frame.length + 63) & ~63; // each frame on its own cache lines, as a ring of receive buffers
  });
  const pristine = new Uint8Array(size);
  frames.forEach((f, i) => pristine.set(f.frame, offsets[i]));
  return {
    pristine,
    offsets,
    lengths,
    directions: Uint8Array.from(frames, (f) => f.dir),
    verdicts: Uint8Array.from(frames, (f) => f.verdict),
  };
}

const factory = () => createContainer().get(EngineFactory);
export function engineFor(config: ClusterConfig): Engine {
  return factory().create(config, `m${LOCAL}`);
}
