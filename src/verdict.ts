/**
 * What the engine decided for one frame. Numbers, so the hot path returns without allocating.
 * - Pass: forward the frame byte-identical.
 * - Rewrite: forward the frame, changed in place (same length).
 * - Drop: do not forward; `reason` says why.
 * - Reply: do not forward; hand `engine.replyFrame[0 .. replyLength)` back to the local stack.
 */
export const Verdict = { Pass: 0, Rewrite: 1, Drop: 2, Reply: 3 } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

export const VERDICT_NAMES: readonly string[] = ['pass', 'rewrite', 'drop', 'reply'];

export function verdictName(v: number): string {
  return VERDICT_NAMES[v] ?? 'unknown';
}

/** Direction of a frame: inbound = wire to the local stack; outbound = local stack to wire. */
export const Direction = { Inbound: 0, Outbound: 1 } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

export function parseDirection(text: unknown): Direction | undefined {
  if (text === 'inbound') return Direction.Inbound;
  if (text === 'outbound') return Direction.Outbound;
  return undefined;
}
export function directionName(d: Direction): 'inbound' | 'outbound' {
  return d === Direction.Inbound ? 'inbound' : 'outbound';
}

const reasonTexts: string[] = [''];
const reasonIds: string[] = [''];
const numberById = new Map<string, number>();

/** A stable reason id: lower case, dot-separated words of letters, digits and dashes (`arp.step502`). */
const REASON_ID_RE = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/;

/**
 * Registers a reason once (at module load) and returns its number, the value the hot path carries.
 * `id` is the stable identifier (counters, logs, vectors and the `process` output use it, as Linux
 * uses `enum skb_drop_reason`); `text` says it in words for a reader. Third-party adapters register
 * their own under their own prefix. The same id with the same text returns the same number; the same
 * id with another text is a programming error (throws, at load time, never per frame).
 */
export function defineReason(id: string, text: string): number {
  if (!REASON_ID_RE.test(id))
    throw new Error(`reason id ${JSON.stringify(id)} is not of the form "family.name" (lower case, digits, dashes)`);
  const known = numberById.get(id);
  if (known !== undefined) {
    if (reasonTexts[known] !== text)
      throw new Error(`reason id "${id}" is already defined with another text: ${JSON.stringify(reasonTexts[known])}`);
    return known;
  }
  const n = reasonTexts.length;
  reasonTexts.push(text);
  reasonIds.push(id);
  numberById.set(id, n);
  return n;
}

/** The text of reason number `n`. */
export function reasonText(n: number): string {
  return reasonTexts[n] ?? `reason #${n}`;
}

/** The stable id of reason number `n` ('' for 0, no reason). */
export function reasonId(n: number): string {
  return reasonIds[n] ?? `reason.${n}`;
}

/** True when `id` has the form of a stable reason id (`family.name`: lower case, digits, dashes). */
export function isReasonId(id: string): boolean {
  return REASON_ID_RE.test(id);
}

/** The number of the reason with stable id `id`, or -1. */
export function reasonById(id: string): number {
  return numberById.get(id) ?? -1;
}

export function reasonCount(): number {
  return reasonTexts.length;
}

/** Every defined reason, in number order (documentation, tests, the `process` reason records). */
export function reasonTable(): { n: number; id: string; text: string }[] {
  return reasonTexts.slice(1).map((text, i) => ({ n: i + 1, id: reasonIds[i + 1], text }));
}

/** Reasons the core itself gives (docs/rules.md). Adapters define theirs next to their code. */
export const Reason = {
  None: 0,
  TruncatedEthernet: defineReason('frame.truncated', 'truncated Ethernet header or VLAN tag stack'),
  NoAdapter: defineReason('frame.no-adapter', 'no adapter for this EtherType'),
  NotForThisHost: defineReason(
    'data.not-for-this-host',
    "not for this host: destination is another member's dedicated MAC",
  ),
  DedicatedToCluster: defineReason(
    'data.dedicated-to-cluster',
    'destination is a dedicated MAC of this host: set to the cluster MAC (steps 510, 702, 706)',
  ),
  SharedToCluster: defineReason(
    'shared.to-cluster',
    'destination is the shared MAC and the IP destination is this host: set to the cluster MAC',
  ),
  SharedNotLocal: defineReason(
    'shared.not-for-this-host',
    "not for this host: shared MAC, IP destination is not one of this host's addresses",
  ),
  SharedUndetermined: defineReason('shared.undetermined', 'shared MAC, but no IP destination could be read: dropped'),
  StrictNoDiscovery: defineReason(
    'strict.no-discovery',
    'strict sources: no discovery exchange completed with the sender yet',
  ),
  StrictUnknownSender: defineReason('strict.unknown-sender', 'strict sources: sender is not a cluster member'),
  AdapterError: defineReason(
    'engine.adapter-error',
    'internal error in a protocol adapter: dropped rather than forwarded half-rewritten',
  ),
  BadLength: defineReason('engine.bad-length', 'length outside the buffer'),
  BadDirection: defineReason('engine.bad-direction', 'direction is neither inbound (0) nor outbound (1): dropped'),
  MulticastSource: defineReason(
    'frame.multicast-source',
    'multicast Ethernet source (IEEE 802.3: a source address is never a group address): dropped, in either direction',
  ),
  HeartbeatFromStack: defineReason(
    'heartbeat.from-stack',
    'heartbeat (EtherType 0x886F) sent by the local stack: only the cluster layer sends heartbeats; dropped',
  ),
  OtherMember: defineReason(
    'data.other-member',
    "maskSourceMac: IP data to the cluster MAC whose IP destination is another member's address: not for this host, dropped",
  ),
  MaskSource: defineReason(
    'egress.mask-source',
    "maskSourceMac: Ethernet source := this host's masked MAC (02, host number, cluster MAC bytes 2 to 5), so a switch never learns the cluster MAC",
  ),
} as const;
