// `npx intracluster` from the repository root needs the package's own bin in node_modules/.bin;
// npm links the bins of dependencies only, so `npm run build` links ours after building.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const binDir = path.join(root, 'node_modules', '.bin');
if (!fs.existsSync(path.join(root, 'node_modules'))) process.exit(0); // installed as a dependency: npm links it
fs.mkdirSync(binDir, { recursive: true });
const link = path.join(binDir, 'intracluster');
try {
  fs.unlinkSync(link);
} catch {
  /* absent */
}
fs.symlinkSync(path.join('..', '..', 'bin', 'intracluster.js'), link);
