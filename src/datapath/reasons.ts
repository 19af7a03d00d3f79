import { readFileSync } from 'node:fs';
import { defineReason } from '../verdict';
import { REASONS_FILE } from './bpf';

/**
 * The reason numbers of the BPF programs, translated to the engine's. native/build-bpf.js writes
 * build/bpf/reasons.h (compiled into the programs) and build/bpf/reasons.json from the TypeScript
 * reason registry; here every kernel reason is found again in the registry of this process by its
 * stable id (defineReason gives the number of a known id, and registers a reason this process has
 * not loaded yet), and an id whose text differs here refuses the programs instead of miscounting.
 */
export interface KernelReasons {
  /** Reasons the programs know (REASON_COUNT): kernel numbers are 0 .. count-1. */
  readonly count: number;
  /** Engine reason number for each kernel reason number. */
  readonly toEngine: Uint16Array;
  /** The C name of each kernel reason number (reasons.h). */
  readonly names: readonly string[];
}

interface ReasonsFile {
  count: number;
  reasons: { name: string; n: number; id: string; text: string }[];
}

/** Loads and checks the table; throws one line naming the first reason that does not match. */
export function loadKernelReasons(file: string = REASONS_FILE): KernelReasons {
  let table: ReasonsFile;
  try {
    table = JSON.parse(readFileSync(file, 'utf8')) as ReasonsFile;
  } catch (e) {
    throw new Error(
      `kernel datapath: cannot read ${file}: ${(e as Error).message.split('\n')[0]} (run "node native/build-bpf.js")`,
    );
  }
  const toEngine = new Uint16Array(table.count);
  const names: string[] = new Array<string>(table.count).fill('');
  for (const r of table.reasons) {
    if (!(r.n >= 0 && r.n < table.count))
      throw new Error(`kernel datapath: ${file}: ${r.name} = ${r.n} is outside 0 .. ${table.count - 1}`);
    let n = 0;
    try {
      if (r.n !== 0) n = defineReason(r.id, r.text);
    } catch {
      throw new Error(
        `kernel datapath: the BPF programs were built against another reason registry (reason "${r.id}" has another text here): rebuild them (npm run build)`,
      );
    }
    toEngine[r.n] = n;
    names[r.n] = r.name;
  }
  return { count: table.count, toEngine, names };
}
