import { readFileSync } from 'node:fs';
import { reasonCount, reasonText } from '../verdict';
import { REASONS_FILE } from './bpf';

/**
 * The reason numbers of the BPF programs, translated to the engine's. native/build-bpf.js writes
 * build/bpf/reasons.h (compiled into the programs) and build/bpf/reasons.json from the TypeScript
 * reason registry; here every kernel reason is found again in the registry of this process, by its
 * text, so a program built against another registry is refused instead of miscounted.
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
  reasons: { name: string; n: number; text: string }[];
}

/** Loads and checks the table; throws one line naming the first reason that does not match. */
export function loadKernelReasons(file: string = REASONS_FILE): KernelReasons {
  let table: ReasonsFile;
  try {
    table = JSON.parse(readFileSync(file, 'utf8')) as ReasonsFile;
  } catch (e) {
    throw new Error(`kernel datapath: cannot read ${file}: ${(e as Error).message.split('\n')[0]} (run "node native/build-bpf.js")`);
  }
  const byText = new Map<string, number>();
  for (let n = 1; n < reasonCount(); n++) byText.set(reasonText(n), n);
  const toEngine = new Uint16Array(table.count);
  const names: string[] = new Array<string>(table.count).fill('');
  for (const r of table.reasons) {
    if (!(r.n >= 0 && r.n < table.count)) throw new Error(`kernel datapath: ${file}: ${r.name} = ${r.n} is outside 0 .. ${table.count - 1}`);
    const n = r.n === 0 ? 0 : byText.get(r.text);
    if (n === undefined) throw new Error(`kernel datapath: the BPF programs were built against another reason registry (${r.name} "${r.text}" is unknown here): rebuild them (node native/build-bpf.js)`);
    toEngine[r.n] = n;
    names[r.n] = r.name;
  }
  return { count: table.count, toEngine, names };
}
