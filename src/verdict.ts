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
const reasonByText = new Map<string, number>();

/**
 * Registers a reason text once (at module load) and returns its number. Adapters written by third
 * parties register their own. The same text always gets the same number.
 */
export function defineReason(text: string): number {
  const known = reasonByText.get(text);
  if (known !== undefined) return known;
  const id = reasonTexts.length;
  reasonTexts.push(text);
  reasonByText.set(text, id);
  return id;
}

export function reasonText(id: number): string {
  return reasonTexts[id] ?? `reason #${id}`;
}

export function reasonCount(): number {
  return reasonTexts.length;
}

/** Reasons the core itself gives. Adapters define theirs next to their code. */
export const Reason = {
  None: 0,
  TruncatedEthernet: defineReason('truncated Ethernet header or VLAN tag stack'),
  NoAdapter: defineReason('no adapter for this EtherType'),
  NotForThisHost: defineReason("not for this host: destination is another member's dedicated MAC"),
  DedicatedToCluster: defineReason('destination is a dedicated MAC of this host: set to the cluster MAC (steps 510, 702, 706)'),
  SharedToCluster: defineReason('destination is the shared MAC and the IP destination is this host: set to the cluster MAC'),
  SharedNotLocal: defineReason('not for this host: shared MAC, IP destination is not one of this host\'s addresses'),
  SharedUndetermined: defineReason('shared MAC, but no IP destination could be read: dropped'),
  StrictNoDiscovery: defineReason('strict sources: no discovery exchange completed with the sender yet'),
  StrictUnknownSender: defineReason('strict sources: sender is not a cluster member'),
  AdapterError: defineReason('internal error in a protocol adapter: dropped rather than forwarded half-rewritten'),
  BadLength: defineReason('length outside the buffer'),
  MulticastSource: defineReason('outbound frame with a multicast Ethernet source: dropped (never emitted)'),
} as const;
