#!/usr/bin/env node
'use strict';
let cli;
try {
  cli = require('../dist/src/cli/main');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND') {
    process.stderr.write('intracluster: not built yet: run "npm run build" in the package folder\n');
    process.exit(70);
  }
  throw e;
}
// Exit once stdout has drained, so piped output is never cut short.
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
