import type { Engine } from '../engine';
import { VERDICT_NAMES } from '../verdict';
import type { NdjsonCounters } from './ndjson';

/** Frame counts by verdict, then by verdict and reason, as printed by `process --stats` and `rewrite`. */
export function formatStats(
  cmd: string,
  engine: Pick<Engine, 'stats'>,
  lines?: NdjsonCounters,
  unit = 'lines',
): string {
  const s = engine.stats();
  const head = lines ? `${lines.lines} ${unit}, ${lines.errors} error ${unit}, ` : '';
  const out = [
    `intracluster ${cmd}: ${head}${s.frames} frames: ${VERDICT_NAMES.map((v) => `${v} ${s.byVerdict[v]}`).join(', ')}`,
  ];
  out.push(...reasonLines(engine));
  return out.join('\n') + '\n';
}

/** `  verdict  count  reason-id  reason` lines, widest count and id aligned. */
export function reasonLines(engine: Pick<Engine, 'stats'>): string[] {
  const rows = engine.stats().byReason;
  const w = Math.max(0, ...rows.map((r) => String(r.count).length));
  const iw = Math.max(0, ...rows.map((r) => r.reasonId.length));
  return rows.map(
    (r) => `  ${r.verdict.padEnd(7)}  ${String(r.count).padStart(w)}  ${(r.reasonId || '-').padEnd(iw)}  ${r.reason}`,
  );
}
