import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ts from 'typescript';
import { GOLDEN_DIR, listGoldenVectorFiles } from '../../src/testing';
import { ensureBuilt, ROOT } from '../cli/helpers';

/**
 * The package as a user gets it: `npm pack`, then the tarball installed into fresh apps in temporary
 * folders (CommonJS, ESM, TypeScript with node10, nodenext and bundler resolution, the DI-free path
 * with neither inversify nor reflect-metadata installed, apps with their own inversify 6 and 8, one
 * with an inversify outside the range). Each app runs the README's library example and the golden
 * runner, both as a library and as the installed `intracluster golden` command. Dependencies come from the npm registry (npm's cache first).
 */
const SHIPPED = listGoldenVectorFiles(GOLDEN_DIR).length;
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** The first ```ts block under "## Library": the README's library example, as written. */
const EXAMPLE = /## Library\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(README)![1];
const EXPECTED_LOG = [...EXAMPLE.matchAll(/console\.log\(.*\n\/\/ (.*)$|console\.log\(.*\/\/ (\S+?):/gm)].map(
  (m) => m[1] ?? m[2],
);

let work: string;
let tarball: string;
let files: string[];

function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      npm_config_update_notifier: 'false',
      ...env,
    },
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): string {
  const r = run(cmd, args, cwd, env);
  if (r.code !== 0)
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited with ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function app(dir: string, pkg: object, sources: Record<string, string>): string {
  const d = join(work, dir);
  mkdirSync(d, { recursive: true });
  writeFileSync(
    join(d, 'package.json'),
    JSON.stringify({ name: dir, version: '1.0.0', private: true, ...pkg }, null, 2),
  );
  for (const [name, text] of Object.entries(sources)) {
    mkdirSync(dirname(join(d, name)), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
}

/** The example's two printed lines. */
function expectExampleOutput(stdout: string): void {
  expect(stdout.trimEnd().split('\n').slice(0, 2)).toEqual(EXPECTED_LOG);
}

/** A golden run through the library, as an app writes it (CommonJS or ESM flavour). */
const goldenCjs = `const { createEngineFactory } = require('intracluster');
const { GOLDEN_DIR, runGoldenDirectory } = require('intracluster/testing');
const results = runGoldenDirectory(GOLDEN_DIR, createEngineFactory());
console.log(results.filter((r) => r.passed).length + ' passed, ' + results.filter((r) => !r.passed).length + ' failed');
`;
const goldenTs = `import { createEngineFactory } from 'intracluster';
import { GOLDEN_DIR, runGoldenDirectory, type GoldenResult } from 'intracluster/testing';
import { encodePcap } from 'intracluster/pcap';
import { emitEthernet } from 'intracluster/frame';
import { Membership } from 'intracluster/membership';
import { NdjsonProcessor } from 'intracluster/process';
const results: GoldenResult[] = runGoldenDirectory(GOLDEN_DIR, createEngineFactory());
const kinds: unknown[] = [encodePcap, emitEthernet, Membership, NdjsonProcessor];
if (kinds.some((k) => typeof k !== 'function')) throw new Error('a sub-path export is missing');
console.log(results.filter((r) => r.passed).length + ' passed, ' + results.filter((r) => !r.passed).length + ' failed');
`;

beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'intracluster-pack-'));
  // Stage the package's files (npm's own list) with dist/ files whose source still exists, so an
  // old build's leftovers in a working copy cannot enter the tarball; then pack the stage.
  const listed = JSON.parse(ok('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT))[0].files.map(
    (f: { path: string }) => f.path,
  ) as string[];
  const stage = join(work, 'stage');
  for (const f of listed) {
    const m = /^dist\/(.*)\.(js|d\.ts)$/.exec(f);
    if (m && !existsSync(join(ROOT, `${m[1]}.ts`))) continue;
    mkdirSync(dirname(join(stage, f)), { recursive: true });
    cpSync(join(ROOT, f), join(stage, f));
  }
  const packed = JSON.parse(ok('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], stage))[0];
  tarball = join(work, packed.filename);
  files = packed.files.map((f: { path: string }) => f.path);
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the tarball', () => {
  test('holds LICENSE, README, CHANGELOG, the schema, the vectors and no source maps or TypeScript sources', () => {
    for (const f of [
      'LICENSE',
      'README.md',
      'CHANGELOG.md',
      'package.json',
      'schema/golden-vector.schema.json',
      'examples/pipe_client.py',
      'dist/src/api/index.js',
      'dist/src/api/index.d.ts',
    ])
      expect(files).toContain(f);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('test/golden/') && f.endsWith('.json')).length).toBeGreaterThanOrEqual(
      SHIPPED,
    );
    expect(readFileSync(join(work, 'stage', 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  test('every relative require and import of a shipped script resolves inside the tarball', () => {
    const shipped = new Set(files);
    const dead: string[] = [];
    for (const f of files.filter((x) => /\.(js|mjs|cjs|py)$/.test(x))) {
      const text = readFileSync(join(work, 'stage', f), 'utf8');
      for (const m of text.matchAll(/require\((['"])(\.{1,2}\/[^'"]+)\1\)|from (['"])(\.{1,2}\/[^'"]+)\3/g)) {
        const spec = m[2] ?? m[4];
        const base = join(dirname(f), spec).split('\\').join('/');
        const candidates = [base, `${base}.js`, `${base}.json`, `${base}/index.js`, `${base}.node`];
        if (!candidates.some((c) => shipped.has(c)) && !/^build\//.test(base)) dead.push(`${f}: ${spec}`);
      }
    }
    expect(dead).toEqual([]);
  });

  test('package.json: no prepare script, optional peer inversify, metadata, every export has types', () => {
    const pkg = JSON.parse(readFileSync(join(work, 'stage', 'package.json'), 'utf8'));
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(pkg.peerDependencies.inversify).toBe('^6.0.1 || ^7.5.0 || ^8.0.0');
    expect(pkg.peerDependenciesMeta).toEqual({ inversify: { optional: true }, 'reflect-metadata': { optional: true } });
    expect(pkg.dependencies.inversify).toBeUndefined();
    for (const k of ['repository', 'homepage', 'bugs', 'keywords', 'license']) expect(pkg[k]).toBeTruthy();
    for (const [sub, target] of Object.entries(
      pkg.exports as Record<string, string | { types: string; default: string }>,
    )) {
      if (typeof target === 'string') continue;
      expect(files).toContain(target.types.slice(2));
      expect(files).toContain(target.default.slice(2));
      if (sub !== '.') expect(pkg.typesVersions['*'][sub.slice(2)]).toEqual([target.types.slice(2)]);
    }
  });
});

describe('installed into fresh apps', () => {
  let shared: string;

  beforeAll(() => {
    // One install, the way a user installs (scripts run), with no inversify and no reflect-metadata:
    // the apps below live in its sub-folders and resolve it from there.
    shared = app('apps', { dependencies: {} }, {});
    ok('npm', ['install', '--prefer-offline', tarball, '@types/node@20'], shared);
  }, 300_000);

  test('the DI-free install has neither inversify nor reflect-metadata', () => {
    expect(existsSync(join(shared, 'node_modules', 'intracluster', 'package.json'))).toBe(true);
    expect(existsSync(join(shared, 'node_modules', 'inversify'))).toBe(false);
    expect(existsSync(join(shared, 'node_modules', 'reflect-metadata'))).toBe(false);
  });

  test('CommonJS: the README example and the golden runner', () => {
    const js = ts.transpileModule(EXAMPLE, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const d = app('apps/cjs', {}, { 'example.js': js, 'golden.js': goldenCjs });
    expectExampleOutput(ok('node', ['example.js'], d));
    expect(ok('node', ['golden.js'], d)).toBe(`${SHIPPED} passed, 0 failed\n`);
  });

  test('ESM: the README example as written, named imports from every entry', () => {
    const d = app(
      'apps/esm',
      { type: 'module' },
      {
        'example.mjs': EXAMPLE,
        'golden.mjs': goldenTs
          .replace(', type GoldenResult', '')
          .replace(': GoldenResult[]', '')
          .replace(': unknown[]', ''),
      },
    );
    expectExampleOutput(ok('node', ['example.mjs'], d));
    expect(ok('node', ['golden.mjs'], d)).toBe(`${SHIPPED} passed, 0 failed\n`);
  });

  test.each([
    // node10 also checks every declaration file (the resolution the project's own tsconfig and
    // ts-jest use); the others check the apps against them (lib check off: half the time)
    ['node10', { module: 'commonjs', moduleResolution: 'node10', skipLibCheck: false }, {}],
    ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: true }, { type: 'module' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler', skipLibCheck: true }, { type: 'module' }],
  ])('TypeScript, %s resolution: strict type check of every sub-path, then run', (name, options, pkg) => {
    const d = app(`apps/ts-${name}`, pkg, {
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          strict: true,
          outDir: 'out',
          types: ['node'],
          lib: ['ES2022'],
          ...options,
        },
        include: ['*.ts'],
      }),
      'example.ts': EXAMPLE,
      'golden.ts': goldenTs,
    });
    ok('node', [TSC, '-p', 'tsconfig.json'], d);
    expectExampleOutput(ok('node', ['out/example.js'], d));
    expect(ok('node', ['out/golden.js'], d)).toBe(`${SHIPPED} passed, 0 failed\n`);
  });

  test('the installed CLI: golden over the shipped vectors, and a plug-in with its own vectors', () => {
    const bin = join(shared, 'node_modules', '.bin', 'intracluster');
    expect(ok(bin, ['golden'], shared)).toBe(`${SHIPPED} passed, 0 failed\n`);
    const plugin = join('node_modules', 'intracluster', 'examples', 'lldp-plugin');
    expect(ok(bin, ['golden', '--require', `./${plugin}`, join(plugin, 'golden')], shared)).toBe(
      '4 passed, 0 failed\n',
    );
  });

  test.each(['6.2.2', '8.2.3'])(
    'an app with its own inversify %s: the README container example, the golden runner, its copy used',
    (version) => {
      const d = app(
        `inversify-${version}`,
        { dependencies: { 'reflect-metadata': '0.2.2', inversify: version } },
        {
          'app.js': `require('reflect-metadata');
const { Container } = require('inversify');
const { parseConfig, Direction, Verdict } = require('intracluster');
const { defaultModules, EngineFactory, loadModules, inversifyVersion } = require('intracluster/di');
const { GOLDEN_DIR, runGoldenDirectory } = require('intracluster/testing');
const container = new Container();
loadModules(container, defaultModules);
const factory = container.get(EngineFactory);
const host1 = factory.create(parseConfig({ clusterMac: '02-bf-aa-bb-cc-dd', hosts: [{ name: 'host1', addresses: ['12.12.4.101'] }] }), 'host1');
console.log(host1.hostName, inversifyVersion().version, inversifyVersion().location);
const results = runGoldenDirectory(GOLDEN_DIR, container);
console.log(results.filter((r) => r.passed).length + ' passed, ' + results.filter((r) => !r.passed).length + ' failed');
`,
        },
      );
      ok('npm', ['install', '--prefer-offline', '--ignore-scripts', tarball], d);
      const lines = ok('node', ['app.js'], d).trimEnd().split('\n');
      expect(lines[0]).toBe(`host1 ${version} ${join(d, 'node_modules', 'inversify')}`);
      expect(lines[1]).toBe(`${SHIPPED} passed, 0 failed`);
      // one inversify in the tree: the app's
      expect(existsSync(join(d, 'node_modules', 'intracluster', 'node_modules', 'inversify'))).toBe(false);
    },
    300_000,
  );

  test('an inversify outside the range: a clear error when the DI path loads, the DI-free path unaffected', () => {
    const d = app(
      'inversify5',
      { dependencies: { 'reflect-metadata': '0.2.2', inversify: '5.1.1' } },
      {
        'app.js': `require('reflect-metadata');
try { require('intracluster/di'); } catch (e) { console.log(e.name + ': ' + e.message); }
console.log(typeof require('intracluster').createEngineFactory().create);
`,
      },
    );
    const refused = run('npm', ['install', '--prefer-offline', '--ignore-scripts', tarball], d);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/ERESOLVE|peer inversify/);
    ok('npm', ['install', '--prefer-offline', '--ignore-scripts', '--legacy-peer-deps', tarball], d);
    const lines = ok('node', ['app.js'], d).trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^InversifyVersionError: intracluster: inversify 5\.1\.1 \(.*node_modules\/inversify\) is outside the supported range \^6\.0\.1 \|\| \^7\.5\.0 \|\| \^8\.0\.0/,
    );
    expect(lines[1]).toBe('function');
  }, 300_000);
});
