import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { Direction, Verdict, parseConfig, reasonText } from '../../src';
import { CLUSTER, ROW, ROOT, hex } from './helpers';

/**
 * The code in README.md ("Library") and docs/architecture.md ("Adding an adapter or a mapping") is
 * type-checked and run as written (with `from 'intracluster'` and its sub-paths pointing at their entry points in src/api and src/testing), so the docs cannot
 * drift from the code.
 */

/** The ```ts blocks between `heading` and the next heading of the same or a higher level. */
function snippets(file: string, heading: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const start = text.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`${file}: no heading "${heading}"`);
  const level = heading.match(/^#+/)![0].length;
  const rest = text.slice(start + heading.length);
  const end = rest.search(new RegExp(`\\n#{1,${level}} `));
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const VIRTUAL = join(ROOT, 'test', 'cli', '__doc_snippet__.ts');

function typeErrors(code: string): string[] {
  const cfg = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(cfg.config, ts.sys, ROOT);
  const host = ts.createCompilerHost({ ...options, noEmit: true });
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...more) =>
    name === VIRTUAL ? ts.createSourceFile(name, code, lang) : getSourceFile(name, lang, ...more);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === VIRTUAL || fileExists(name);
  const program = ts.createProgram([VIRTUAL], { ...options, noEmit: true }, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === VIRTUAL)
    .map(
      (d) =>
        `${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
}

/** Type-checks and runs a snippet; returns the names it exports and what it logged. */
function run(code: string, names: string[]): { exports: Record<string, unknown>; logs: string[] } {
  const src =
    code
      .replace(/from 'intracluster'/g, "from '../../src/api'")
      .replace(/from 'intracluster\/testing'/g, "from '../../src/testing'")
      .replace(/from 'intracluster\/(\w+)'/g, "from '../../src/api/$1'") +
    `\nmodule.exports = { ${names.join(', ')} };\n`;
  expect(typeErrors(src)).toEqual([]);
  const js = ts.transpileModule(src, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
    },
  }).outputText;
  const logs: string[] = [];
  const mod = { exports: {} as Record<string, unknown> };
  const fakeConsole = { log: (...a: unknown[]) => logs.push(a.join(' ')) };
  new Function('require', 'module', 'exports', 'console', js)(require, mod, mod.exports, fakeConsole);
  return { exports: mod.exports, logs };
}

describe('README.md, Library', () => {
  const [first, second] = snippets('README.md', '## Library');

  test('two examples', () => {
    expect([first, second].every((s) => typeof s === 'string')).toBe(true);
  });

  test('process a frame: FIG. 6 row 600 becomes row 610, and the printed lines are the ones shown', () => {
    const { exports, logs } = run(first, ['frame', 'verdict']);
    expect(exports.verdict).toBe(Verdict.Rewrite);
    expect(hex(exports.frame as Buffer)).toBe(hex(ROW[610]));
    // what the README says is printed: the comment under each console.log
    const shown = [...first.matchAll(/console\.log\(.*\n\/\/ (.*)$|console\.log\(.*\/\/ (\S+?):/gm)].map(
      (m) => m[1] ?? m[2],
    );
    expect(logs).toEqual(shown);
    expect(logs[1]).toBe('03bf0c0c0465');
  });

  test('defaultModules of intracluster/di in your own container', () => {
    const { exports } = run(second, ['factory', 'host1']);
    const host1 = exports.host1 as { process(f: Uint8Array, d: number): number; hostName: string };
    expect(host1.hostName).toBe('host1');
    const f = Uint8Array.from(ROW[600]);
    // row 600 leaves host1 with its masked source (maskSourceMac, default on), the payload as it was
    expect(host1.process(f, Direction.Outbound)).toBe(Verdict.Rewrite);
    expect(hex(f.subarray(6, 12))).toBe('0201aabbccdd');
    expect(hex(f.subarray(12))).toBe(hex(ROW[600].subarray(12)));
  });
});

describe('docs/architecture.md, a third-party adapter and mapping', () => {
  const [code] = snippets('docs/architecture.md', '### Adding an adapter or a mapping without touching `src/`');

  test.each(['factory', 'fromContainer'])('bound next to the built-in ones, without touching src/ (%s)', (name) => {
    const { exports } = run(code, ['factory', 'fromContainer']);
    const factory = exports[name] as {
      create(c: unknown, h: string): { process(f: Uint8Array, d: number): number; reason: number };
      buildCluster(c: unknown): { addresses: { mac: { toString(): string } }[] };
    };
    const config = parseConfig({
      clusterMac: CLUSTER,
      mappings: { ipv4: 'ipv4-low16' },
      hosts: [{ name: 'host1', addresses: ['12.12.4.101'] }],
    });
    expect(factory.buildCluster(config).addresses[0].mac.toString()).toBe('03-bf-04-65-04-65');
    const engine = factory.create(config, 'host1');
    const exp = new Uint8Array(60);
    exp.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x32, 0x88, 0xb6]);
    expect(engine.process(exp, Direction.Inbound)).toBe(Verdict.Drop);
    expect(reasonText(engine.reason)).toMatch(/local experimental EtherType from the wire/);
    // the built-in adapters are still there
    expect(engine.process(Uint8Array.from(ROW[600]), Direction.Inbound)).toBe(Verdict.Pass); // host1's own address: unchanged
  });
});
