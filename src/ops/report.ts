import type { EngineStats } from '../engine';
import type { MembershipStats } from '../membership/manager';

/** The exit report's membership line (shim and attach). */
export function membershipLine(m: MembershipStats): string {
  const dropped =
    Object.entries(m.dropped)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'none';
  return `  membership: host ID ${m.hostId}, sent ${m.sent} (${m.sendErrors} unsent), received ${m.received}, accepted ${m.accepted}, joins ${m.joins}, changes ${m.changes}, leaves ${m.leaves}, refused ${m.refused}; dropped: ${dropped}`;
}

/** The exit report's engine lines: frames by verdict, then one line per verdict and reason. */
export function engineLines(title: string, e: EngineStats): string[] {
  const lines = [
    `  ${title}: ${e.frames} frames: ` +
      Object.entries(e.byVerdict)
        .map(([k, n]) => `${k} ${n}`)
        .join(', '),
  ];
  for (const x of e.byReason) lines.push(`    ${String(x.count).padStart(8)}  ${x.verdict.padEnd(7)}  ${x.reason}`);
  return lines;
}
