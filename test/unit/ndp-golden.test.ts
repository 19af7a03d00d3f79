import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContainer, encodePcap, EngineFactory } from '../../src';
import { GOLDEN_DIR, GoldenVector, describeGoldenVectors, loadGoldenVectors } from '../../src/testing';

/**
 * The IPv6/NDP and modes vectors (written by test/vectors, drift-checked by test/vectors.test.ts):
 * every vector passes through the default container, and every tshark claim (checksum status
 * included) is what Wireshark's dissector reads from the bytes.
 */

const factory = createContainer().get(EngineFactory);
const dirs = ['ndp', 'modes'].map((d) => join(GOLDEN_DIR, d));
const vectors: GoldenVector[] = dirs.flatMap((d) =>
  describeGoldenVectors(d, factory, { title: `golden vectors in test/golden/${d.split('/').pop()}` }),
);

describe('rule coverage', () => {
  test.each([
    'ndp.solicitation-for-this-host',
    'ndp.solicitation-hazard',
    'ndp.advertisement-to-member',
    'ndp.override-hazard',
    'data.dedicated-to-cluster',
    'ndp.checksum-update',
    'ndp.validation',
    'ndp.link-layer-options',
    'ipv6.extension-headers',
    'ipv6.payload-length',
    'ndp.non-member',
    'ndp.outbound-keeps-cluster-mac',
    'mapping.ipv6-xor32',
    'mapping.ipv6-hash32',
    'shared.ip-filter',
    'synthesizer.answer-locally',
    'strict.discovery-first',
  ])('%s has vectors', (rule) => {
    expect(vectors.filter((v) => v.rules.includes(rule)).length).toBeGreaterThan(0);
  });
});

describe('tshark reads every claimed field from the bytes', () => {
  type Role = 'input' | 'output' | 'reply';
  const frames: { v: GoldenVector; role: Role; bytes: Uint8Array; claims: Record<string, string> }[] = [];
  for (const v of loadGoldenVectors(GOLDEN_DIR).filter(
    (x) => x.path.startsWith('ndp/') || x.path.startsWith('modes/'),
  )) {
    const t = v.tshark;
    if (!t) continue;
    const bytes: Record<Role, Uint8Array | undefined> = {
      input: v.input,
      output: v.expect.output,
      reply: v.expect.reply,
    };
    for (const role of ['input', 'output', 'reply'] as Role[]) {
      const c = t[role];
      const b = bytes[role];
      if (c && b) frames.push({ v, role, bytes: b, claims: { ...c } });
    }
  }
  const fields = [...new Set(frames.flatMap((f) => Object.keys(f.claims)))].sort();
  let rows: string[][] = [];

  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'ndp-tshark-'));
    try {
      const pcap = join(dir, 'frames.pcap');
      writeFileSync(pcap, encodePcap(frames.map((f) => f.bytes)));
      const args = ['-n', '-r', pcap, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
      for (const f of [...fields, '_ws.malformed']) args.push('-e', f);
      const out = execFileSync('tshark', args, {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 64 << 20,
      });
      rows = out
        .split('\n')
        .filter((l, i, a) => i < a.length - 1 || l !== '')
        .map((l) => l.split('\t'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('claims are there for every NDP frame, checksum status included', () => {
    expect(frames.length).toBeGreaterThan(100);
    for (const f of frames) {
      if (f.claims['icmpv6.type'] === '135' || f.claims['icmpv6.type'] === '136')
        expect([f.v.name, f.role, f.claims['icmpv6.checksum.status']]).toEqual([
          f.v.name,
          f.role,
          expect.stringMatching(/^[01]$/),
        ]);
    }
  });

  test('every frame', () => {
    expect(rows.length).toBe(frames.length);
    const problems: string[] = [];
    frames.forEach((f, i) => {
      const row = rows[i];
      for (const [k, want] of Object.entries(f.claims)) {
        const got = row[fields.indexOf(k)] ?? '';
        if (got !== want) problems.push(`${f.v.name} ${f.role}: ${k} claimed "${want}", tshark read "${got}"`);
      }
      const malformed = (row[fields.length] ?? '') !== '';
      if (malformed && !f.v.tshark?.malformed)
        problems.push(`${f.v.name} ${f.role}: tshark reports a malformed packet the vector does not admit`);
    });
    expect(problems).toEqual([]);
  });
});
