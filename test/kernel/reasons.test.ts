import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reasonById, reasonId } from '../../src';
import { REASONS_FILE } from '../../src/datapath/bpf';
import { loadKernelReasons } from '../../src/datapath/reasons';
import { describeKernel } from './available';

// build/bpf/reasons.h and reasons.json come from the reason registry: the programs' numbers map to
// the engine's by stable id, and a table whose text differs from the registry is refused.
describeKernel('kernel reason numbers', () => {
  test('every kernel reason maps to the engine reason of the same id', () => {
    const r = loadKernelReasons();
    const table = JSON.parse(readFileSync(REASONS_FILE, 'utf8')) as { reasons: { n: number; id: string }[] };
    expect(table.reasons.length).toBeGreaterThan(50);
    for (const row of table.reasons) {
      if (row.n === 0) continue;
      expect(reasonId(r.toEngine[row.n])).toBe(row.id);
      expect(r.toEngine[row.n]).toBe(reasonById(row.id));
    }
  });

  test('programs built against another registry are refused in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ic-reasons-'));
    try {
      const table = JSON.parse(readFileSync(REASONS_FILE, 'utf8')) as { reasons: { id: string; text: string }[] };
      const row = table.reasons.find((x) => x.id === 'arp.step502')!;
      row.text = 'another text';
      const file = join(dir, 'reasons.json');
      writeFileSync(file, JSON.stringify(table));
      expect(() => loadKernelReasons(file)).toThrow(
        /^kernel datapath: the BPF programs were built against another reason registry \(reason "arp.step502" has another text here\): rebuild them \(npm run build\)$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
