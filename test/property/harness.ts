import fc from 'fast-check';
import { Counter, Engine, reasonText } from '../../src';
import { MutantSpec, ScratchSpec, buildMutant, buildScratch, mutantArb, scratchArb } from './arbitraries';
import { GUARD_BYTE, Observation, checkObservation } from './oracle';
import { LOCAL_HOSTS, MODELS, Model, newEngine } from './model';
import { DISCOVERY, loadSeeds } from './seeds';
import { hex, sameBytes } from './wire';

/**
 * Runs one generated frame through the engines of every mode (MODELS x LOCAL_HOSTS) in one
 * direction, and checks every property on every answer. A "case" is one frame; each case makes
 * MODELS.length * LOCAL_HOSTS.length observations, each processed twice (see `twin`).
 *
 * Engines of stateless modes live for the whole run (their counters keep adding up over thousands
 * of frames); strict-sources engines are made fresh for each case and first fed the case's `before`
 * frames, so a failing case replays alone.
 */

const GUARD = 16;

interface Slot {
  model: Model;
  host: number;
  hostName: string;
  engine: Engine;
  /** Verdicts counted by the harness, for comparison with the engine's own counters. */
  seen: number[];
}

export interface FrameCase {
  frame: Uint8Array;
  direction: 0 | 1;
  /** Indices into DISCOVERY, fed first to the (fresh) strict engines. */
  before: number[];
  /** Bytes placed after the frame in the twin run (the engine must neither read nor write them). */
  tail: Uint8Array;
}

export class Harness {
  private readonly slots: Slot[] = [];
  /** Observations made (frames x engines, the twin runs not counted). */
  observations = 0;
  cases = 0;
  readonly verdicts = [0, 0, 0, 0];

  constructor() {
    for (const model of MODELS) {
      for (const hostName of LOCAL_HOSTS) {
        const host = model.hostNames.indexOf(hostName);
        this.slots.push({ model, host, hostName, engine: newEngine(model, hostName), seen: [0, 0, 0, 0] });
      }
    }
  }

  /** Engines each case goes through (models x local hosts). */
  get engineCount(): number {
    return this.slots.length;
  }

  /** Returns null, or the first property violated, with the engine it was seen on. */
  run(c: FrameCase): string | null {
    this.cases++;
    for (const s of this.slots) {
      if (s.model.strict) {
        s.engine = newEngine(s.model, s.hostName);
        s.seen = [0, 0, 0, 0];
        for (const i of c.before) {
          const d = DISCOVERY[i % DISCOVERY.length];
          const bad = this.one(s, d.frame, d.direction, c.tail);
          if (bad) return `${bad}\n  on a "before" frame ${hex(d.frame)} (${d.direction ? 'outbound' : 'inbound'})`;
        }
      }
      const bad = this.one(s, c.frame, c.direction, c.tail);
      if (bad) return bad;
    }
    return null;
  }

  private one(s: Slot, frame: Uint8Array, direction: 0 | 1, tail: Uint8Array): string | null {
    const where = () =>
      `[${s.model.name} engine of ${s.hostName}, ${direction ? 'outbound' : 'inbound'}] frame ${hex(frame)}`;
    const n = frame.length;
    const buf = new Uint8Array(n + GUARD).fill(GUARD_BYTE);
    buf.set(frame);
    let verdict: number;
    try {
      verdict = s.engine.process(buf, direction, n);
    } catch (e) {
      return `never throws: process() threw ${(e as Error)?.stack ?? e} ${where()}`;
    }
    const reason = s.engine.reason;
    const rt = reasonText(reason);
    this.reasons.set(rt, (this.reasons.get(rt) ?? 0) + 1);
    const reply = verdict === 3 ? s.engine.replyFrame.slice(0, s.engine.replyLength) : null;
    this.observations++;
    this.verdicts[verdict] = (this.verdicts[verdict] ?? 0) + 1;
    s.seen[verdict] = (s.seen[verdict] ?? 0) + 1;
    const o: Observation = {
      model: s.model,
      host: s.host,
      direction,
      input: frame,
      output: buf,
      verdict,
      reason,
      reply,
    };
    const bad = checkObservation(o);
    if (bad)
      return `${bad}\n  ${where()}\n  verdict ${verdict}, output ${hex(buf, 0, n)}${reply ? `, reply ${hex(reply)}` : ''}`;

    // twin: the same frame followed by other bytes must get the same answer (bytes past `length`
    // are neither read nor written). Safe on strict engines: a frame that marks a discovery is
    // never gated by strict sources, and a gated one marks nothing.
    const twin = new Uint8Array(n + tail.length);
    twin.set(frame);
    twin.set(tail, n);
    let v2: number;
    try {
      v2 = s.engine.process(twin, direction, n);
    } catch (e) {
      return `never throws: process() threw on the twin run ${(e as Error)?.stack ?? e} ${where()}`;
    }
    s.seen[v2] = (s.seen[v2] ?? 0) + 1;
    if (v2 !== verdict || s.engine.reason !== reason)
      return `bytes past length: verdict/reason ${verdict}/${reason} became ${v2}/${s.engine.reason} when other bytes follow the frame ${where()}`;
    if (!sameBytes(twin, buf, n))
      return `bytes past length: output differs when other bytes follow the frame ${where()}`;
    if (!sameBytes(twin.subarray(n), tail, tail.length))
      return `bytes past length: the engine wrote past the frame ${where()}`;
    if (reply && (s.engine.replyLength !== reply.length || !sameBytes(s.engine.replyFrame, reply, reply.length)))
      return `bytes past length: reply differs when other bytes follow ${where()}`;

    // counters add up: in = pass + rewrite + drop + reply, and match what was seen
    const k = s.engine.counters;
    if (k[Counter.In] !== k[Counter.Pass] + k[Counter.Rewrite] + k[Counter.Drop] + k[Counter.Reply])
      return `counters: in ${k[Counter.In]} != pass + rewrite + drop + reply (${k.join(',')}) ${where()}`;
    if (
      k[Counter.Pass] !== s.seen[0] ||
      k[Counter.Rewrite] !== s.seen[1] ||
      k[Counter.Drop] !== s.seen[2] ||
      k[Counter.Reply] !== s.seen[3]
    )
      return `counters: engine counts ${Array.from(k).join(',')}, harness saw ${s.seen.join(',')} ${where()}`;
    return null;
  }

  /** How often each reason text was given, over every engine (persistent ones; strict ones per case). */
  readonly reasons = new Map<string, number>();

  /** engine.stats() of every engine: frames = sum by verdict = sum by reason. */
  checkStats(): string | null {
    for (const s of this.slots) {
      const st = s.engine.stats();
      const byVerdict = Object.values(st.byVerdict).reduce((a, b) => a + b, 0);
      const byReason = st.byReason.reduce((a, r) => a + r.count, 0);
      if (st.frames !== byVerdict || st.frames !== byReason)
        return `stats: ${s.model.name}/${s.hostName}: frames ${st.frames}, by verdict ${byVerdict}, by reason ${byReason}`;
      for (const [name, n] of Object.entries(st.byVerdict)) {
        const r = st.byReason.filter((x) => x.verdict === name).reduce((a, x) => a + x.count, 0);
        if (r !== n) return `stats: ${s.model.name}/${s.hostName}: ${name} ${n}, its reasons add up to ${r}`;
      }
    }
    return null;
  }
}

const caseParts = {
  direction: fc.constantFrom(0 as const, 1 as const),
  before: fc.oneof(
    { arbitrary: fc.constant([] as number[]), weight: 2 },
    { arbitrary: fc.array(fc.nat({ max: DISCOVERY.length - 1 }), { minLength: 1, maxLength: 3 }), weight: 1 },
  ),
  tail: fc.uint8Array({ minLength: 1, maxLength: 24 }),
};

export const scratchCaseArb: fc.Arbitrary<{ spec: ScratchSpec; direction: 0 | 1; before: number[]; tail: Uint8Array }> =
  fc.record({ spec: scratchArb, ...caseParts });

export function mutantCaseArb(
  seeds: readonly Uint8Array[],
): fc.Arbitrary<{ spec: MutantSpec; direction: 0 | 1; before: number[]; tail: Uint8Array }> {
  return fc.record({ spec: mutantArb(seeds.length), ...caseParts });
}

/** The frame properties as fast-check properties over one harness (shared by jest and scripts/fuzz.ts). */
export function frameProperties(h: Harness, seeds: readonly Uint8Array[] = loadSeeds()) {
  return {
    scratch: fc.property(scratchCaseArb, (c) => {
      const bad = h.run({ frame: buildScratch(c.spec), direction: c.direction, before: c.before, tail: c.tail });
      if (bad) throw new Error(bad);
    }),
    mutants: fc.property(mutantCaseArb(seeds), (c) => {
      const bad = h.run({ frame: buildMutant(seeds, c.spec), direction: c.direction, before: c.before, tail: c.tail });
      if (bad) throw new Error(bad);
    }),
  };
}
