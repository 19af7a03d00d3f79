#!/usr/bin/env node
'use strict';
/**
 * Long runs of the frame properties of test/property (the same harness, generators and oracle as
 * `npm test`):  npm run fuzz -- --cases N [--seed S] [--kind scratch|mutants|both]
 *
 * Runs N cases (one case = one generated frame through the engines of every mode, see
 * test/property/harness.ts), in chunks of 10,000 with successive seeds, and prints the rate.
 * A failure prints the property, the engine, the frame and the seed/path that replays it, and exits 1.
 * The TypeScript sources are compiled on the fly with the project's own `typescript` (no type check:
 * `npm run typecheck` does that).
 */
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    },
  });
  module._compile(out.outputText, filename);
};

function usage(msg) {
  process.stderr.write(`fuzz: ${msg}\nusage: npm run fuzz -- --cases N [--seed S] [--kind scratch|mutants|both]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const opt = { cases: 1000000, seed: Date.now() % 2147483647, kind: 'both' };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const v = args[i + 1];
  if (a === '--help' || a === '-h') usage('long runs of the frame properties');
  if (a === '--cases') opt.cases = Number(v);
  else if (a === '--seed') opt.seed = Number(v);
  else if (a === '--kind') opt.kind = v;
  else usage(`unknown argument ${a}`);
  i++;
}
if (!Number.isInteger(opt.cases) || opt.cases < 1) usage('--cases must be a positive integer');
if (!Number.isInteger(opt.seed)) usage('--seed must be an integer');
if (!['scratch', 'mutants', 'both'].includes(opt.kind)) usage('--kind must be scratch, mutants or both');

const fc = require('fast-check');
const { Harness, frameProperties } = require(path.join(__dirname, '..', 'test', 'property', 'harness.ts'));

const h = new Harness();
const props = frameProperties(h);
const kinds = opt.kind === 'both' ? ['scratch', 'mutants'] : [opt.kind];
const CHUNK = 10000;
const t0 = process.hrtime.bigint();
let done = 0;
let chunk = 0;
let lastReport = t0;
const seconds = () => Number(process.hrtime.bigint() - t0) / 1e9;

process.stdout.write(
  `fuzz: ${opt.cases} cases (${kinds.join(' + ')}), first seed ${opt.seed}, each case through ${h.engineCount} engines twice\n`,
);
while (done < opt.cases) {
  const kind = kinds[chunk % kinds.length];
  const n = Math.min(CHUNK, opt.cases - done);
  const seed = (opt.seed + chunk) % 2147483647;
  const r = fc.check(props[kind], { numRuns: n, seed });
  if (r.failed) {
    process.stdout.write(
      `\nfuzz: FAILED after ${done + r.numRuns} cases (${kind}, seed ${r.seed}, path "${r.counterexamplePath}")\n`,
    );
    process.stdout.write(`counterexample: ${fc.stringify(r.counterexample)}\n`);
    process.stdout.write(`${r.errorInstance ? r.errorInstance.message : r.error}\n`);
    process.exit(1);
  }
  done += n;
  chunk++;
  const now = process.hrtime.bigint();
  if (now - lastReport > 5e9 || done >= opt.cases) {
    lastReport = now;
    const s = seconds();
    process.stdout.write(
      `  ${done} cases, ${Math.round(done / s)} cases/s, ${Math.round(h.observations / s)} engine answers/s\n`,
    );
  }
}
const stats = h.checkStats();
if (stats) {
  process.stdout.write(`fuzz: FAILED: ${stats}\n`);
  process.exit(1);
}
const s = seconds();
const [pass, rewrite, drop, reply] = h.verdicts;
process.stdout.write(
  `fuzz: ${done} cases in ${s.toFixed(1)} s: ${Math.round(done / s)} cases/s; ${h.observations} engine answers ` +
    `(pass ${pass}, rewrite ${rewrite}, drop ${drop}, reply ${reply}), every property held\n`,
);
