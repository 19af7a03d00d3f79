#!/usr/bin/env node
// The CLI as built for the live tests by global-setup.ts (build/e2e/<pid>, fresh from this tree's
// sources; the folder comes in INTRACLUSTER_E2E_BUILD, inherited from the test process).
'use strict';
const path = require('node:path');
const dir = process.env.INTRACLUSTER_E2E_BUILD || path.join(__dirname, '..', '..', 'build', 'e2e');
require(path.join(dir, 'src', 'cli', 'main'))
  .main(process.argv.slice(2))
  .then((code) => (process.exitCode = code));
