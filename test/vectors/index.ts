/**
 * Every generated vector set, in one place. `npm run vectors` writes what `generatedFiles()`
 * returns (test/vectors/write.ts); test/vectors.test.ts fails when a file on disk differs from it.
 * Folders of test/golden that no generator owns hold hand-written vectors and say so in a README.
 */
import { files as arp } from './arp';
import { files as found } from './found';
import { files as frame } from './frame';
import { files as heartbeat } from './heartbeat';
import { files as limits } from './limits';
import { files as mask } from './mask';
import { files as modes } from './modes';
import { files as ndp } from './ndp';

/** A generated set: the folder of test/golden it owns and the files it writes there. */
export interface VectorSet {
  readonly dir: string;
  readonly files: () => Map<string, string>;
}

export const VECTOR_SETS: readonly VectorSet[] = [
  { dir: 'arp', files: arp },
  { dir: 'ndp', files: ndp },
  { dir: 'modes', files: modes },
  { dir: 'found', files: found },
  { dir: 'heartbeat', files: heartbeat },
  { dir: 'limits', files: limits },
  { dir: 'frame', files: frame },
  { dir: 'mask', files: mask },
];

/**
 * Path relative to test/golden -> exact text, for every file a generator writes (vectors and the
 * shared configs). Throws when two generators write the same path with different text.
 */
export function generatedFiles(): Map<string, string> {
  const out = new Map<string, string>();
  for (const set of VECTOR_SETS) {
    for (const [path, text] of set.files()) {
      if (!path.startsWith(`${set.dir}/`) && !path.startsWith('configs/'))
        throw new Error(`the ${set.dir} generator writes ${path}, outside its folder`);
      const other = out.get(path);
      if (other !== undefined && other !== text) throw new Error(`two generators write ${path} differently`);
      out.set(path, text);
    }
  }
  return out;
}
