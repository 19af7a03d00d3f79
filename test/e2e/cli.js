#!/usr/bin/env node
// The CLI as built for the live tests by global-setup.ts (build/e2e, fresh from this tree's sources).
'use strict';
require('../../build/e2e/src/cli/main')
  .main(process.argv.slice(2))
  .then((code) => (process.exitCode = code));
