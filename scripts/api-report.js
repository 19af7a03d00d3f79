#!/usr/bin/env node
// The API report: one api/<entry>.api.md per entry point of package.json "exports", written by
// @microsoft/api-extractor from the built declarations (dist/), so the public surface changes only
// on purpose. `node scripts/api-report.js` checks (exit 1 and the differing entries when a report is
// out of date); `--update` rewrites the reports after an intended change. Needs `npm run build` first.
// `--docs DIR` also writes each entry's doc model (DIR/<entry>.api.json, the input of api-documenter).
// `--reports DIR` compares with (or writes) the reports in DIR instead of api/; `--entry SUB` (e.g.
// `./pcap`, repeatable) limits the run to those entry points.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const update = args.includes('--update');
const docsAt = args.indexOf('--docs');
const docs = docsAt >= 0 ? path.resolve(args[docsAt + 1] || '') : null;
const reportsAt = args.indexOf('--reports');
const reports = reportsAt >= 0 ? path.resolve(args[reportsAt + 1] || '') : path.join(root, 'api');
const shownReports = path.relative(root, reports).startsWith('..') ? reports : path.relative(root, reports);
const only = args.flatMap((a, i) => (a === '--entry' ? [args[i + 1]] : []));

let Extractor, ExtractorConfig;
try {
  ({ Extractor, ExtractorConfig } = require('@microsoft/api-extractor'));
} catch {
  process.stderr.write('api-report: @microsoft/api-extractor is not installed: run "npm ci"\n');
  process.exit(1);
}

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const entries = Object.entries(pkg.exports)
  .filter(([, t]) => typeof t === 'object' && t.types)
  .filter(([sub]) => only.length === 0 || only.includes(sub))
  .map(([sub, t]) => ({
    name: sub === '.' ? pkg.name : `${pkg.name}-${sub.slice(2).replace(/\//g, '-')}`,
    sub,
    dts: path.join(root, t.types),
  }));

if (update) fs.mkdirSync(reports, { recursive: true });
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'api-report-'));
const stale = [];
try {
  for (const e of entries) {
    if (!fs.existsSync(e.dts)) {
      process.stderr.write(`api-report: ${path.relative(root, e.dts)} is missing: run "npm run build"\n`);
      process.exit(1);
    }
    const config = ExtractorConfig.prepare({
      configObject: {
        projectFolder: root,
        mainEntryPointFilePath: e.dts,
        compiler: {
          overrideTsconfig: {
            compilerOptions: {
              target: 'ES2022',
              module: 'commonjs',
              moduleResolution: 'node10',
              lib: ['ES2022'],
              types: ['node'],
              strict: true,
              skipLibCheck: true,
            },
            files: [e.dts],
          },
        },
        apiReport: { enabled: true, reportFileName: `${e.name}.api.md`, reportFolder: reports, reportTempFolder: temp },
        docModel: { enabled: docs !== null, apiJsonFilePath: path.join(docs || temp, `${e.name}.api.json`) },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        newlineKind: 'lf',
        messages: {
          compilerMessageReporting: { default: { logLevel: 'warning' } },
          extractorMessageReporting: { default: { logLevel: 'none' } },
          tsdocMessageReporting: { default: { logLevel: 'none' } },
        },
      },
      configObjectFullPath: undefined,
      packageJsonFullPath: path.join(root, 'package.json'),
    });
    // the report names the entry point as a user imports it
    config.packageName = e.sub === '.' ? pkg.name : `${pkg.name}/${e.sub.slice(2)}`;
    const messages = [];
    const result = Extractor.invoke(config, {
      localBuild: update,
      messageCallback: (m) => {
        if (m.logLevel === 'warning' || m.logLevel === 'error') messages.push(m.formattedMessage ?? m.text);
        m.handled = true;
      },
    });
    for (const m of messages)
      if (!/changed the API signature|report file was missing/.test(m))
        process.stderr.write(`api-report: ${e.sub}: ${m}\n`);
    if (!result.succeeded || result.apiReportChanged) {
      stale.push(e);
      if (!update)
        process.stderr.write(
          lineDiff(path.join(reports, `${e.name}.api.md`), path.join(temp, `${e.name}.api.md`), e.sub),
        );
    }
  }
} finally {
  fs.rmSync(temp, { recursive: true, force: true });
}
/** The lines only in the committed report (-) and only in the new one (+), at most 20. */
function lineDiff(committed, now, sub) {
  const a = fs.existsSync(committed) ? fs.readFileSync(committed, 'utf8').split('\n') : [];
  const b = fs.existsSync(now) ? fs.readFileSync(now, 'utf8').split('\n') : [];
  const inA = new Set(a);
  const inB = new Set(b);
  const lines = [
    ...a.filter((l) => !inB.has(l)).map((l) => `- ${l}`),
    ...b.filter((l) => !inA.has(l)).map((l) => `+ ${l}`),
  ];
  const shown = lines
    .slice(0, 20)
    .map((l) => `api-report: ${sub}: ${l}\n`)
    .join('');
  return shown + (lines.length > 20 ? `api-report: ${sub}: ... ${lines.length - 20} more lines\n` : '');
}

if (stale.length > 0 && !update) {
  process.stderr.write(
    `api-report: the public API differs from ${shownReports}/ for ${stale.map((e) => (e.sub === '.' ? pkg.name : `${pkg.name}/${e.sub.slice(2)}`)).join(', ')}: ` +
      'if the change is intended, run "node scripts/api-report.js --update" and commit api/\n',
  );
  process.exit(1);
}
process.stdout.write(
  `api-report: ${entries.length} entry points ${update ? 'written to' : 'match'} ${shownReports}/\n`,
);
