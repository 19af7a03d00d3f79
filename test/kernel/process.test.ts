import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { NdjsonProcessor } from '../../src/cli/ndjson';
import { loadConfigFile } from '../../src/config';
import { createEngineFactory } from '../../src/defaults';
import { GOLDEN_DIR, loadGoldenVectors } from '../../src/testing';
import { describeKernel } from './available';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'intracluster.js');

function run(args: string[], input: Buffer): { code: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'process', ...args], {
    input,
    cwd: ROOT,
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

// `intracluster process --datapath kernel`: the NDJSON and binary contracts through the BPF
// programs answer every golden vector's frames (their `before` frames first) line for line as the
// engine does, in one process per config and host.
describeKernel('intracluster process --datapath kernel', () => {
  const groups = new Map<string, { config: string; host: string; lines: string[]; records: Buffer[] }>();
  for (const v of loadGoldenVectors(GOLDEN_DIR)) {
    if (v.configSource === 'inline') continue;
    const key = `${v.configSource}\0${v.host}`;
    const g = groups.get(key) ?? { config: v.configSource, host: v.host, lines: [], records: [] };
    groups.set(key, g);
    for (const f of [...v.before, { direction: v.direction, input: v.input }]) {
      g.lines.push(JSON.stringify({ direction: f.direction, frame: Buffer.from(f.input).toString('hex') }));
      const head = Buffer.from([f.direction === 'inbound' ? 0 : 1, 0, f.input.length >> 8, f.input.length & 0xff]);
      g.records.push(head, Buffer.from(f.input));
    }
  }

  test('NDJSON: the same answer lines as the engine for every golden vector frame', () => {
    let lines = 0;
    for (const g of groups.values()) {
      const input = Buffer.from(g.lines.join('\n') + '\n');
      // the engine's answers in-process (the same processor the CLI runs), the kernel's from the CLI
      const chunks: Buffer[] = [];
      const p = new NdjsonProcessor(
        createEngineFactory().create(loadConfigFile(g.config), g.host),
        (b) => chunks.push(Buffer.from(b)) > 0,
      );
      p.push(input);
      p.end();
      p.flush();
      const kernel = run(['--config', g.config, '--host', g.host, '--datapath', 'kernel'], input);
      expect([kernel.code, kernel.stderr]).toEqual([0, '']);
      expect(kernel.stdout.toString().split('\n')).toEqual(Buffer.concat(chunks).toString().split('\n'));
      lines += g.lines.length;
    }
    expect(lines).toBeGreaterThan(150);
  });

  test('binary format and --stats: the same bytes and counts as the engine', () => {
    const g = [...groups.values()].sort((a, b) => b.records.length - a.records.length)[0];
    const input = Buffer.concat(g.records);
    const engine = run(['--config', g.config, '--host', g.host, '--format', 'binary', '--stats'], input);
    const kernel = run(
      ['--config', g.config, '--host', g.host, '--format', 'binary', '--stats', '--datapath', 'kernel'],
      input,
    );
    expect(kernel.code).toBe(0);
    expect(kernel.stdout.equals(engine.stdout)).toBe(true);
    expect(kernel.stderr).toBe(engine.stderr);
  });

  test('a wrong --datapath is one line', () => {
    const r = run(['--config', 'x', '--host', 'y', '--datapath', 'ebpf'], Buffer.alloc(0));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'intracluster process: --datapath must be "engine" or "kernel", got "ebpf" (see: intracluster process --help)\n',
    );
  });
});
