import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The vectors shipped with the package (`test/golden`), found from this module's location both in
 * the sources (src/testing) and in the build (dist/src/testing).
 */
export const GOLDEN_DIR: string = findGoldenDir(__dirname);

function findGoldenDir(from: string): string {
  for (let d = from; ; d = dirname(d)) {
    const candidate = join(d, 'test', 'golden');
    if (existsSync(join(d, 'package.json')) && existsSync(candidate)) return candidate;
    if (dirname(d) === d) return join(from, '..', '..', 'test', 'golden');
  }
}
