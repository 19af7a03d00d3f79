import fc from 'fast-check';
import { Engine, createContainer, EngineFactory, parseConfig, reasonText } from '../../src';
import { KernelEngine } from '../../src/datapath/kernel';
import { KernelDatapath } from '../../src/datapath/kernel';
import { buildMutant, buildScratch } from '../property/arbitraries';
import { mutantCaseArb, scratchCaseArb } from '../property/harness';
import { CONFIGS, LOCAL_HOSTS, MODELS, Model } from '../property/model';
import { DISCOVERY, loadSeeds } from '../property/seeds';
import { hex } from '../property/wire';
import { describeKernel } from './available';

/**
 * The kernel datapath against the TypeScript engine: generated frames (test/property's generators,
 * half built from scratch, half mutants of the golden vectors and rule seeds) through the engine and
 * through the BPF programs (BPF_PROG_TEST_RUN, batched) in every mode and for two local hosts, in
 * both directions. Every answer must agree: verdict, reason, the forwarded bytes, the reply bytes.
 * Strict-sources engines start each frame fresh on both sides and first see the frame's `before`
 * discovery frames (compared too). DIFFERENTIAL_FRAMES (default 100,000 frames per mode) and
 * DIFFERENTIAL_SEED replay a run.
 */
const FRAMES = Number(process.env.DIFFERENTIAL_FRAMES ?? 100_000);
const SEED = Number(process.env.DIFFERENTIAL_SEED ?? Math.floor(Math.random() * 0x7fffffff));

/**
 * The property test's modes (maskSourceMac at its default, on), both reply forms set explicitly
 * (whatever the default), and masking off in dedicated and shared mode.
 */
const MODES: Model[] = [
  ...MODELS,
  new Model('maskOff', { ...CONFIGS.dedicated, maskSourceMac: false }),
  new Model('maskOffShared', { ...CONFIGS.shared, maskSourceMac: false }),
  new Model('replySender', { ...CONFIGS.dedicated, replyRewrite: 'sender' }),
  new Model('replyReceiverSynthStrict', {
    ...CONFIGS.dedicated,
    replyRewrite: 'receiver',
    synthesize: true,
    strictSources: true,
  }),
];

interface Case {
  frame: Uint8Array;
  direction: 0 | 1;
  before: number[];
}

function generate(n: number, seed: number): Case[] {
  const seeds = loadSeeds();
  const half = Math.ceil(n / 2);
  const scratch = fc.sample(scratchCaseArb, { numRuns: half, seed });
  const mutants = fc.sample(mutantCaseArb(seeds), { numRuns: n - half, seed: seed + 1 });
  return [
    ...scratch.map((c) => ({ frame: buildScratch(c.spec), direction: c.direction, before: c.before })),
    ...mutants.map((c) => ({ frame: buildMutant(seeds, c.spec), direction: c.direction, before: c.before })),
  ];
}

interface Answer {
  verdict: number;
  reason: number;
  bytes: Uint8Array;
}

function engineAnswer(e: Engine, frame: Uint8Array, direction: 0 | 1): Answer {
  const f = Uint8Array.from(frame);
  const verdict = e.process(f, direction, f.length);
  return { verdict, reason: e.reason, bytes: verdict === 3 ? e.replyFrame.slice(0, e.replyLength) : f };
}

function same(a: Answer, b: Answer): boolean {
  if (a.verdict !== b.verdict || a.reason !== b.reason || a.bytes.length !== b.bytes.length) return false;
  if (a.verdict === 2) return true;
  for (let i = 0; i < a.bytes.length; i++) if (a.bytes[i] !== b.bytes[i]) return false;
  return true;
}

const show = (a: Answer) =>
  `${['pass', 'rewrite', 'drop', 'reply'][a.verdict] ?? a.verdict} "${reasonText(a.reason)}"${a.verdict === 2 ? '' : ` ${hex(a.bytes)}`}`;

describeKernel('differential: the BPF programs against the engine', () => {
  test(`${FRAMES} generated frames per mode (${MODES.length} modes x ${LOCAL_HOSTS.length} hosts), seed ${SEED}`, () => {
    const t0 = Date.now();
    const cases = generate(FRAMES, SEED);
    const tGen = Date.now() - t0;
    const factory = createContainer().get(EngineFactory);
    const mismatches: string[] = [];
    let compared = 0;
    let notRun = 0;
    const reasons = new Set<number>();
    const verdicts = [0, 0, 0, 0];
    let tKernel = 0;
    for (const model of MODES) {
      const cluster = factory.buildCluster(parseConfig(model.raw));
      for (const host of LOCAL_HOSTS) {
        const datapath = KernelDatapath.open();
        try {
          const kernel = datapath.create(cluster, host);
          const where = (c: Case, what: string) =>
            `[${model.name} on ${host}, ${c.direction ? 'outbound' : 'inbound'}${what}] frame ${hex(c.frame)}`;
          const check = (
            engine: Engine,
            k: KernelEngine,
            c: Case,
            frame: Uint8Array,
            direction: 0 | 1,
            kernelBytes: Uint8Array,
            kv: number,
            what: string,
          ) => {
            const want = engineAnswer(engine, frame, direction);
            const got: Answer = {
              verdict: kv,
              reason: k.reason,
              bytes: kv === 3 ? k.replyFrame.slice(0, k.replyLength) : kernelBytes,
            };
            if (!k.lastRan) {
              notRun++;
              return;
            }
            compared++;
            verdicts[kv]++;
            reasons.add(k.reason);
            if (!same(want, got) && mismatches.length < 8)
              mismatches.push(`${where(c, what)}\n    engine: ${show(want)}\n    kernel: ${show(got)}`);
          };
          const t1 = Date.now();
          if (!model.strict) {
            const engine = new Engine(cluster, host, factory.adapters);
            const frames = cases.map((c) => Uint8Array.from(c.frame));
            kernel.processMany(
              frames,
              cases.map((c) => c.direction),
              (i, v) => check(engine, kernel, cases[i], cases[i].frame, cases[i].direction, frames[i], v, ''),
            );
          } else {
            // every case starts afresh on both sides (a new engine; strict_reset in the batch) and
            // first sees its discovery frames
            const seq: { c: Case; frame: Uint8Array; direction: 0 | 1; what: string }[] = [];
            const resets: number[] = [];
            for (const c of cases) {
              c.before.forEach((b, j) => {
                const d = DISCOVERY[b % DISCOVERY.length];
                seq.push({ c, frame: d.frame, direction: d.direction, what: `, before[${j}]` });
                resets.push(j === 0 ? 1 : 0);
              });
              seq.push({ c, frame: c.frame, direction: c.direction, what: '' });
              resets.push(c.before.length === 0 ? 1 : 0);
            }
            const frames = seq.map((x) => Uint8Array.from(x.frame));
            let engine = new Engine(cluster, host, factory.adapters);
            kernel.processMany(
              frames,
              seq.map((x) => x.direction),
              (i, v) => {
                if (resets[i] === 1) engine = new Engine(cluster, host, factory.adapters);
                check(engine, kernel, seq[i].c, seq[i].frame, seq[i].direction, frames[i], v, seq[i].what);
              },
              undefined,
              resets,
            );
          }
          tKernel += Date.now() - t1;
        } finally {
          datapath.close();
        }
      }
    }
    const seconds = (ms: number) => (ms / 1000).toFixed(1);
    process.stderr.write(
      `differential: ${FRAMES} frames x ${MODES.length} modes x ${LOCAL_HOSTS.length} hosts: ${compared} answers compared (pass ${verdicts[0]}, rewrite ${verdicts[1]}, drop ${verdicts[2]}, reply ${verdicts[3]}; ${reasons.size} reasons), ${notRun} frames the kernel never hands to tc; generation ${seconds(tGen)} s, engine + kernel ${seconds(tKernel)} s; seed ${SEED}\n`,
    );
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(0.95 * FRAMES * MODES.length * LOCAL_HOSTS.length);
    expect(verdicts.every((n) => n > 0)).toBe(true);
  }, 900_000);
});
