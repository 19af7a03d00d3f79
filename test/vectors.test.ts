import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_DIR } from '../src/testing';
import { VECTOR_SETS, generatedFiles } from './vectors';

/**
 * Drift: every file a generator of test/vectors writes must be on disk byte for byte, and a generated
 * folder holds nothing else. Compared in memory; `npm run vectors` rewrites the files. Folders and
 * configs no generator owns are hand-written and must say so in the README.md of their folder.
 */
const generated = generatedFiles();
const onDisk = (rel: string): string | undefined =>
  existsSync(join(GOLDEN_DIR, rel)) ? readFileSync(join(GOLDEN_DIR, rel), 'utf8') : undefined;

/** "path: line N: disk `...`, generator `...`" for the first differing line. */
function drift(rel: string, want: string): string | undefined {
  const got = onDisk(rel);
  if (got === undefined) return `${rel}: missing (the generator writes it)`;
  if (got === want) return undefined;
  const a = got.split('\n');
  const b = want.split('\n');
  const n = a.findIndex((l, i) => l !== b[i]);
  const line = n < 0 ? a.length : n;
  const cut = (s: string | undefined) =>
    s === undefined ? '(end of file)' : s.length > 100 ? `${s.slice(0, 100)}…` : s;
  return `${rel}: line ${line + 1}: on disk ${cut(a[line])}, generator writes ${cut(b[line])}`;
}

const handWritten = (dir: string): string => {
  const p = join(GOLDEN_DIR, dir, 'README.md');
  return existsSync(p) ? readFileSync(p, 'utf8') : '';
};

describe('generated vectors match their generators (npm run vectors)', () => {
  test.each(VECTOR_SETS.map((s) => [s.dir, s] as const))('%s', (dir, set) => {
    const files = set.files();
    expect(files.size).toBeGreaterThan(0);
    const problems = [...files].map(([rel, text]) => drift(rel, text)).filter((p): p is string => p !== undefined);
    const extra = readdirSync(join(GOLDEN_DIR, dir)).filter((f) => f !== 'README.md' && !files.has(`${dir}/${f}`));
    problems.push(...extra.map((f) => `${dir}/${f}: on disk, but the generator does not write it`));
    expect(problems).toEqual([]);
  });

  test('every other folder and config is hand-written and says so', () => {
    const owned = new Set(VECTOR_SETS.map((s) => s.dir));
    const others = readdirSync(GOLDEN_DIR).filter(
      (d) => statSync(join(GOLDEN_DIR, d)).isDirectory() && !owned.has(d) && d !== 'configs',
    );
    const problems = others
      .filter((d) => !/hand-written/i.test(handWritten(d)))
      .map((d) => `${d}/: no generator owns it and no README.md says it is hand-written`);
    const configsReadme = handWritten('configs');
    for (const f of readdirSync(join(GOLDEN_DIR, 'configs')).filter((x) => x.endsWith('.json'))) {
      if (!generated.has(`configs/${f}`) && !configsReadme.includes(f))
        problems.push(`configs/${f}: no generator writes it and configs/README.md does not list it as hand-written`);
    }
    expect(problems).toEqual([]);
  });
});
