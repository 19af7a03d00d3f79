// Builds native/tap.c into build/native/tap.node (npm's `install` script, so `npm ci` builds it).
// Compiles with the system C compiler against Node's own headers (N-API, no node-gyp or Python needed).
// Never fails the install: a library user who only embeds the engine needs no TAP access, so a missing
// compiler or header prints one line; `intracluster shim` and the live tests then say what is missing.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const src = path.join(__dirname, 'tap.c');
const out = path.join(root, 'build', 'native', 'tap.node');

function warn(msg) {
  process.stderr.write(`intracluster: TAP addon not built: ${msg} (only "intracluster shim" and the live tests need it)\n`);
  process.exit(0);
}

if (process.platform !== 'linux') warn(`TAP devices are Linux-only (this is ${process.platform})`);
// Node's headers: <prefix>/include/node next to the running node binary, or npm's nodedir.
const candidates = [path.resolve(path.dirname(process.execPath), '..', 'include', 'node')];
if (process.env.npm_config_nodedir) candidates.push(path.join(process.env.npm_config_nodedir, 'include', 'node'));
const include = candidates.find((d) => fs.existsSync(path.join(d, 'node_api.h')) && fs.existsSync(path.join(d, 'uv.h')));
if (!include) warn(`node_api.h and uv.h not found in ${candidates.join(' or ')}`);
const cc = process.env.CC || 'cc';
fs.mkdirSync(path.dirname(out), { recursive: true });
const args = ['-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', '-fPIC', '-shared', '-DNODE_GYP_MODULE_NAME=tap', '-DNAPI_VERSION=8', `-I${include}`, '-o', out + '.tmp', src];
const r = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
if (r.error) warn(`${cc}: ${r.error.code === 'ENOENT' ? 'no C compiler (install gcc)' : r.error.message}`);
if (r.status !== 0) warn(`${cc} exited with ${r.status}`);
fs.renameSync(out + '.tmp', out);
