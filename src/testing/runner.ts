import { ClusterConfig } from '../config';
import { EngineFactory } from '../factory';
import { Direction, reasonId, reasonText, verdictName } from '../verdict';
import { hexDiff, hexDump } from './hexdiff';
import { GoldenVector, bytesEqual, loadGoldenVectors } from './vector';

/** What the runner needs of an engine (`Engine` has it). */
export interface GoldenEngine {
  process(frame: Uint8Array, direction: Direction, length?: number): number;
  readonly reason: number;
  readonly replyFrame: Uint8Array;
  readonly replyLength: number;
}

/** Anything that makes an engine for one host of a config (`EngineFactory` is one). */
export interface GoldenEngineFactory {
  create(config: ClusterConfig, hostName: string): GoldenEngine;
}

/** An inversify Container (or anything with `get`) that has `EngineFactory` bound. */
export interface GoldenContainer {
  get(serviceIdentifier: typeof EngineFactory): unknown;
}

/** Where engines come from: your container of adapters, or an engine factory. */
export type GoldenTarget = GoldenEngineFactory | GoldenContainer;

export interface GoldenResult {
  readonly vector: GoldenVector;
  readonly name: string;
  readonly path: string;
  readonly passed: boolean;
  /** Verdict the engine gave (undefined when no engine could be made). */
  readonly verdict?: string;
  /** Reason text the engine gave. */
  readonly reason: string;
  /** The forwarded bytes (pass, rewrite). */
  readonly output?: Uint8Array;
  /** The reply frame (reply). */
  readonly reply?: Uint8Array;
  /** One line per failed check. */
  readonly failures: readonly string[];
  /** Readable report: the vector, the failed checks and hex dumps with differing bytes marked. */
  readonly message: string;
}

export interface GoldenRunOptions {
  /**
   * Check `expect.reason`, a stable reason id (default true). Reason ids belong to the adapters that
   * give them; turn this off to run the suite against adapters of your own with other reasons.
   */
  checkReason?: boolean;
  /**
   * "kernel": run each vector through the kernel datapath's BPF programs (BPF_PROG_TEST_RUN, needs
   * root and the programs built; docs/kernel.md) instead of the target's engines. The programs
   * implement the built-in adapters, so the target is not asked for engines. Default "engine".
   */
  datapath?: 'engine' | 'kernel';
}

let kernelFactory: GoldenEngineFactory | undefined;

/** The kernel datapath, loaded once per process for every vector run with `datapath: "kernel"`. */
function kernelEngines(): GoldenEngineFactory {
  if (!kernelFactory) {
    // loaded lazily: only this datapath needs the libbpf addon
    const { KernelDatapath } = require('../datapath/kernel') as typeof import('../datapath/kernel');
    kernelFactory = KernelDatapath.open();
  }
  return kernelFactory;
}

/** Bytes of sentinel around the frame: an engine that writes outside [0, length) is caught. */
const GUARD = 8;
const GUARD_BYTE = 0xa5;

/** The engine factory of a target (a container is asked for `EngineFactory`). */
export function goldenFactory(target: GoldenTarget): GoldenEngineFactory {
  if (target && typeof (target as GoldenEngineFactory).create === 'function') return target as GoldenEngineFactory;
  if (target && typeof (target as GoldenContainer).get === 'function') {
    const hint = 'load coreModule (or defaultModules) from "intracluster" into it';
    let f: unknown;
    try {
      f = (target as GoldenContainer).get(EngineFactory);
    } catch (e) {
      throw new Error(`the container has no EngineFactory (${(e as Error).message.split('\n')[0]}): ${hint}`);
    }
    if (f && typeof (f as GoldenEngineFactory).create === 'function') return f as GoldenEngineFactory;
    throw new Error(`the container gave no EngineFactory: ${hint}`);
  }
  throw new Error('expected an inversify Container with EngineFactory bound, or an EngineFactory');
}

/**
 * Runs one vector: a fresh engine for the vector's host, the `before` frames, then the input.
 * Checks the verdict; for pass that the frame is unchanged; for rewrite the output bytes; for
 * reply the reply bytes; the reason id; and that nothing was written outside the frame.
 */
export function runGoldenVector(
  vector: GoldenVector,
  target: GoldenTarget,
  options: GoldenRunOptions = {},
): GoldenResult {
  const failures: string[] = [];
  let engine: GoldenEngine;
  try {
    engine = (options.datapath === 'kernel' ? kernelEngines() : goldenFactory(target)).create(
      vector.config,
      vector.host,
    );
  } catch (e) {
    return result(
      vector,
      [`cannot make an engine for host "${vector.host}": ${(e as Error).message}`],
      [],
      undefined,
      '',
    );
  }

  for (const [i, b] of vector.before.entries()) {
    const f = Uint8Array.from(b.input);
    try {
      engine.process(f, toDirection(b.direction), f.length);
    } catch (e) {
      return result(vector, [`before[${i}]: the engine threw: ${(e as Error).message}`], [], undefined, '');
    }
  }

  // The frame sits at a non-zero offset of a larger buffer, guard bytes on both sides; the
  // engine gets the view from the frame's start with room after it and the frame's length.
  const len = vector.input.length;
  const buf = new Uint8Array(GUARD + len + GUARD).fill(GUARD_BYTE);
  buf.set(vector.input, GUARD);
  const frame = buf.subarray(GUARD, GUARD + len + GUARD);
  let v: number;
  try {
    v = engine.process(frame, toDirection(vector.direction), len);
  } catch (e) {
    return result(vector, [`the engine threw: ${(e as Error).message}`], [], undefined, '');
  }
  const verdict = verdictName(v);
  const reason = reasonText(engine.reason);
  const actual = Uint8Array.from(frame.subarray(0, len));

  for (let i = 0; i < buf.length; i++) {
    if (i >= GUARD && i < GUARD + len) continue;
    if (buf[i] !== GUARD_BYTE) {
      failures.push(`the engine wrote outside the frame: frame offset ${i - GUARD} (frame length ${len})`);
      break;
    }
  }
  const reply = verdict === 'reply' ? Uint8Array.from(engine.replyFrame.subarray(0, engine.replyLength)) : undefined;
  return judgeGoldenVector(
    vector,
    { verdict, reason, reasonId: reasonId(engine.reason), frame: actual, reply },
    options,
    failures,
  );
}

/** What an implementation did with a vector's input: from an engine, or read off a pipe. */
export interface GoldenObserved {
  /** `pass`, `rewrite`, `drop`, `reply` (anything else fails). */
  readonly verdict: string;
  /** The reason text ("" if none). */
  readonly reason: string;
  /** The reason's stable id, where the implementation gives one. */
  readonly reasonId?: string;
  /** The frame after processing (pass, rewrite). */
  readonly frame?: Uint8Array;
  /** The reply frame (reply). */
  readonly reply?: Uint8Array;
}

/**
 * Checks an observed outcome against a vector: the verdict; for pass that the frame is byte for byte
 * the input; for rewrite the output bytes; for reply the reply bytes; the reason id.
 * `failures` are checks that already failed (they are reported first).
 */
export function judgeGoldenVector(
  vector: GoldenVector,
  observed: GoldenObserved,
  options: GoldenRunOptions = {},
  failures: string[] = [],
): GoldenResult {
  failures = [...failures];
  const dumps: string[] = [];
  const { verdict, reason, reasonId: id } = observed;
  const ex = vector.expect;
  if (verdict !== ex.verdict)
    failures.push(`verdict: expected ${ex.verdict}, got ${verdict} (reason: ${reason || 'none'})`);
  // reasons match by stable id, exactly (docs/rules.md), never by a piece of their text
  if (ex.reason !== undefined && options.checkReason !== false && id !== ex.reason)
    failures.push(
      `reason: expected ${ex.reason}, got ${id === undefined ? 'no reason id' : id || 'none'}${reason ? ` ("${reason}")` : ''}`,
    );

  let output: Uint8Array | undefined;
  let reply: Uint8Array | undefined;
  if (verdict === 'pass' || verdict === 'rewrite') output = observed.frame ?? new Uint8Array(0);
  if (verdict === 'reply') reply = observed.reply ?? new Uint8Array(0);

  if ((ex.verdict === 'pass' || ex.verdict === 'rewrite') && output) {
    const want = ex.verdict === 'pass' ? vector.input : ex.output!;
    if (!bytesEqual(output, want)) {
      failures.push(
        ex.verdict === 'pass'
          ? 'output: a pass must leave the frame byte-identical, but bytes changed'
          : 'output: bytes differ from the expected output',
      );
      dumps.push(
        `output (${ex.verdict === 'pass' ? 'expected = input' : 'expected'} vs actual):\n${hexDiff(want, output)}`,
      );
    }
  } else if (ex.verdict === 'reply' && reply) {
    if (!bytesEqual(reply, ex.reply!)) {
      failures.push(`reply: bytes differ from the expected reply (${reply.length} vs ${ex.reply!.length} bytes)`);
      dumps.push(`reply (expected vs actual):\n${hexDiff(ex.reply!, reply)}`);
    }
  }
  if (failures.length > 0 && dumps.length === 0) dumps.push(`input:\n${hexDump(vector.input)}`);
  return result(vector, failures, dumps, verdict, reason, output, reply);
}

/** A result for a vector no outcome could be observed for (no engine, a command that failed). */
export function failedGoldenVector(vector: GoldenVector, failure: string): GoldenResult {
  return result(vector, [failure], [], undefined, '');
}

/** Loads every vector under `dir` and runs each one; one result per vector, in file order. */
export function runGoldenDirectory(dir: string, target: GoldenTarget, options: GoldenRunOptions = {}): GoldenResult[] {
  const vectors = loadGoldenVectors(dir);
  return vectors.map((v) => runGoldenVector(v, target, options));
}

/** One line per vector and the full message of each failure. */
export function formatGoldenResults(results: readonly GoldenResult[]): string {
  const failed = results.filter((r) => !r.passed);
  const lines = results.map((r) => `${r.passed ? 'ok  ' : 'FAIL'} ${r.path}`);
  lines.push(`${results.length - failed.length} of ${results.length} golden vectors passed`);
  for (const r of failed) lines.push('', r.message);
  return lines.join('\n');
}

function toDirection(d: 'inbound' | 'outbound'): Direction {
  return d === 'inbound' ? Direction.Inbound : Direction.Outbound;
}

function result(
  vector: GoldenVector,
  failures: string[],
  dumps: string[],
  verdict: string | undefined,
  reason: string,
  output?: Uint8Array,
  reply?: Uint8Array,
): GoldenResult {
  const head = [
    `golden vector ${vector.path} (${vector.name}): ${vector.description}`,
    `  source: ${vector.source}; host ${vector.host}, ${vector.direction}; config ${vector.configSource}`,
    `  expected ${vector.expect.verdict}${vector.expect.reason ? ` (reason ${vector.expect.reason})` : ''}, got ${verdict ?? 'no verdict'}${reason ? ` (reason: ${reason})` : ''}`,
  ];
  const message =
    failures.length === 0 ? head[0] + ': ok' : [...head, ...failures.map((f) => `  - ${f}`), ...dumps].join('\n');
  return {
    vector,
    name: vector.name,
    path: vector.path,
    passed: failures.length === 0,
    verdict,
    reason,
    output,
    reply,
    failures,
    message,
  };
}

/** `r` with more failed checks (from another reader of its frames, such as tshark). */
export function withGoldenFailures(r: GoldenResult, extra: readonly string[]): GoldenResult {
  if (extra.length === 0) return r;
  if (r.passed)
    return result(r.vector, [...extra], [`input:\n${hexDump(r.vector.input)}`], r.verdict, r.reason, r.output, r.reply);
  const lines = r.message.split('\n');
  const at = lines.findIndex((l, i) => i > 2 && !l.startsWith('  - '));
  lines.splice(at < 0 ? lines.length : at, 0, ...extra.map((f) => `  - ${f}`));
  return { ...r, failures: [...r.failures, ...extra], message: lines.join('\n') };
}
