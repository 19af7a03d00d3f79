/**
 * `npm run vectors`: writes every generated vector set under test/golden and removes the files of a
 * generated folder that its generator no longer makes. Review the result with `git diff test/golden`.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { VECTOR_SETS, generatedFiles } from './index';

/** The repository root: the first folder above this file (source or build) with package.json and test/golden. */
function repositoryRoot(): string {
  for (let d = __dirname; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json')) && existsSync(join(d, 'test', 'golden'))) return d;
    if (dirname(d) === d) throw new Error(`no repository root above ${__dirname}`);
  }
}

function main(): void {
  const golden = join(repositoryRoot(), 'test', 'golden');
  const files = generatedFiles();
  let written = 0;
  let removed = 0;
  for (const set of VECTOR_SETS) {
    const d = join(golden, set.dir);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) {
      if (!files.has(`${set.dir}/${f}`) && f !== 'README.md') {
        unlinkSync(join(d, f));
        removed++;
      }
    }
  }
  for (const [path, text] of files) {
    const p = join(golden, path);
    if (existsSync(p) && readFileSync(p, 'utf8') === text) continue;
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    written++;
  }
  const counts = VECTOR_SETS.map(
    (s) => `${s.dir} ${[...files.keys()].filter((p) => p.startsWith(`${s.dir}/`)).length}`,
  ).join(', ');
  console.log(
    `vectors: ${files.size} generated files (${counts}, configs ${[...files.keys()].filter((p) => p.startsWith('configs/')).length}); ${written} written, ${removed} removed`,
  );
}

main();
