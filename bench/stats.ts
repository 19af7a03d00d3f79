import { spawnSync } from 'node:child_process';

/** Median, min and max of a series of runs (the form every figure in results.json takes). */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function spread(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], runs: s.length };
}

/** 12345678 -> "12.35 M", 523000 -> "523.0 k". */
export function si(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(1);
}

export function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** Runs `node script ...args` and parses the last line it prints as JSON; a failure is `what: <its error line>`. */
export function runChild<T>(what: string, script: string, args: string[]): T {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  if (r.status !== 0) {
    // the child's error line, not the Node.js version line printed after its stack trace
    const lines = r.stderr.trim().split('\n');
    throw new Error(`${what}: ${lines.filter((l) => /^\w*Error\b/.test(l)).pop() ?? lines.pop()}`);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}
