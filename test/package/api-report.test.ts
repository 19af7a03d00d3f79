import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from '../cli/helpers';

/**
 * The API report (api/*.api.md, written by @microsoft/api-extractor from the built declarations):
 * the public surface of every entry point of package.json "exports" must be what the committed
 * reports say, so it changes only on purpose (`npm run api:update`, then commit api/).
 */
const SCRIPT = join(ROOT, 'scripts', 'api-report.js');
const run = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' });

beforeAll(() => ensureBuilt());

test('every entry point matches its committed report', () => {
  const r = run();
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(
    `api-report: ${Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).exports).filter((k) => k !== './package.json' && !k.endsWith('.json')).length} entry points match api/\n`,
  );
  expect(r.status).toBe(0);
}, 300_000);

test('a changed surface fails and shows the difference', () => {
  const dir = mkdtempSync(join(tmpdir(), 'api-report-'));
  try {
    cpSync(join(ROOT, 'api'), dir, { recursive: true });
    const file = join(dir, 'intracluster-pcap.api.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^export function encodePcap.*\n/m, ''));
    const r = run('--reports', dir, '--entry', './pcap');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^api-report: \.\/pcap: \+ export function encodePcap\(/m);
    expect(r.stderr).toMatch(
      /the public API differs from .* for intracluster\/pcap: if the change is intended, run "node scripts\/api-report\.js --update" and commit api\//,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
