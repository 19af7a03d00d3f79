import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContainer, Direction, EngineFactory, reasonById, reasonId, reasonTable, verdictName } from '../../src';
import { GOLDEN_DIR, loadGoldenVectors } from '../../src/testing';

/**
 * docs/rules.md is the one list of rules and reasons: every reason the code defines is in its table
 * with the same text and a rule of the page, every rule a vector cites is on the page, and every
 * vector's verdict is one the table allows for the reason the engine gives.
 */
const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'rules.md'), 'utf8');
const rules = new Set(
  [...doc.matchAll(/^### (.+)$/gm)].flatMap((m) => [...m[1].matchAll(/`([a-z0-9.-]+)`/g)].map((x) => x[1])),
);
const rows = [...doc.matchAll(/^\| `([a-z0-9.-]+)` \| ([a-z, ]+) \| `([a-z0-9.-]+)` \| (.+) \|$/gm)].map((m) => ({
  id: m[1],
  verdicts: m[2].split(', '),
  rule: m[3],
  text: m[4],
}));
const byId = new Map(rows.map((r) => [r.id, r]));

describe('docs/rules.md', () => {
  test('names rules and lists reasons', () => {
    expect(rules.size).toBeGreaterThan(40);
    expect(rows.length).toBe(byId.size);
  });

  test('every reason the code defines is in the table, with its text and a rule of the page', () => {
    const defined = reasonTable().filter((r) => !r.id.startsWith('local-experimental.'));
    expect(defined.map((r) => ({ id: r.id, text: r.text }))).toEqual(
      defined.map((r) => ({ id: r.id, text: byId.get(r.id)?.text })),
    );
    for (const r of rows) expect({ id: r.id, rule: rules.has(r.rule) }).toEqual({ id: r.id, rule: true });
  });

  test('every reason in the table exists in the code', () => {
    expect(rows.filter((r) => reasonById(r.id) < 0).map((r) => r.id)).toEqual([]);
  });

  test('every rule a vector cites is on the page; every vector verdict is allowed for its reason', () => {
    const factory = createContainer().get(EngineFactory);
    const unknown: string[] = [];
    const wrong: string[] = [];
    for (const v of loadGoldenVectors(GOLDEN_DIR)) {
      for (const r of v.rules) if (!rules.has(r)) unknown.push(`${v.path}: ${r}`);
      const e = factory.create(v.config, v.host);
      for (const b of v.before) {
        const f = Uint8Array.from(b.input);
        e.process(f, b.direction === 'inbound' ? Direction.Inbound : Direction.Outbound, f.length);
      }
      const f = Uint8Array.from(v.input);
      const verdict = verdictName(
        e.process(f, v.direction === 'inbound' ? Direction.Inbound : Direction.Outbound, f.length),
      );
      const row = byId.get(reasonId(e.reason));
      if (!row || !row.verdicts.includes(verdict)) wrong.push(`${v.path}: ${verdict} with ${reasonId(e.reason)}`);
    }
    expect(unknown).toEqual([]);
    expect(wrong).toEqual([]);
  });

  test('every rule has a reason or a vector (or is a config-time or out-of-engine rule)', () => {
    const cited = new Set([...rows.map((r) => r.rule), ...loadGoldenVectors(GOLDEN_DIR).flatMap((v) => v.rules)]);
    const elsewhere = ['mapping.ipv4-prefix'];
    expect([...rules].filter((r) => !cited.has(r) && !elsewhere.includes(r))).toEqual([]);
  });
});
