import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_DIR } from '../src/testing';
import { VECTOR_SETS } from './vectors';

/**
 * Drift: every file a generator of test/vectors writes must be on disk byte for byte, and a generated
 * folder holds nothing else. Compared in memory; `npm run vectors` rewrites the files.
 */
const onDisk = (rel: string): string | undefined => (existsSync(join(GOLDEN_DIR, rel)) ? readFileSync(join(GOLDEN_DIR, rel), 'utf8') : undefined);

/** "path: line N: disk `...`, generator `...`" for the first differing line. */
function drift(rel: string, want: string): string | undefined {
  const got = onDisk(rel);
  if (got === undefined) return `${rel}: missing (the generator writes it)`;
  if (got === want) return undefined;
  const a = got.split('\n');
  const b = want.split('\n');
  const n = a.findIndex((l, i) => l !== b[i]);
  const line = n < 0 ? a.length : n;
  const cut = (s: string | undefined) => (s === undefined ? '(end of file)' : s.length > 100 ? `${s.slice(0, 100)}…` : s);
  return `${rel}: line ${line + 1}: on disk ${cut(a[line])}, generator writes ${cut(b[line])}`;
}

describe('generated vectors match their generators (npm run vectors)', () => {
  test.each(VECTOR_SETS.map((s) => [s.dir, s] as const))('%s', (dir, set) => {
    const files = set.files();
    expect(files.size).toBeGreaterThan(0);
    const problems = [...files].map(([rel, text]) => drift(rel, text)).filter((p): p is string => p !== undefined);
    const extra = readdirSync(join(GOLDEN_DIR, dir)).filter((f) => f !== 'README.md' && !files.has(`${dir}/${f}`));
    problems.push(...extra.map((f) => `${dir}/${f}: on disk, but the generator does not write it`));
    expect(problems).toEqual([]);
  });

});
