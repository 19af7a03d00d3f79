// Builds the N-API addons (npm's `install` script, so `npm ci` builds them):
//   native/tap.c -> build/native/tap.node   TAP devices (the shim, the live tests)
//   native/bpf.c -> build/native/bpf.node   libbpf (the kernel datapath), linked with -lbpf
// Compiles with the system C compiler against Node's own headers (N-API, no node-gyp or Python needed).
// Never fails the install: a library user who only embeds the engine needs neither, so a missing
// compiler, header or library prints one line per addon; the commands that need it say so again.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

const ADDONS = [
  { name: 'tap', needs: 'only "intracluster shim" and the live tests need it', libs: [] },
  {
    name: 'bpf',
    needs: 'only the kernel datapath needs it; install libbpf-dev (Debian) for it',
    libs: ['-lbpf'],
    header: 'bpf/libbpf.h',
  },
];

/** Builds one addon; returns null or the one-line reason it was not built. */
function build({ name, libs, header }) {
  if (process.platform !== 'linux') return `it is Linux-only (this is ${process.platform})`;
  // Node's headers: <prefix>/include/node next to the running node binary, or npm's nodedir.
  const candidates = [path.resolve(path.dirname(process.execPath), '..', 'include', 'node')];
  if (process.env.npm_config_nodedir) candidates.push(path.join(process.env.npm_config_nodedir, 'include', 'node'));
  const include = candidates.find(
    (d) => fs.existsSync(path.join(d, 'node_api.h')) && fs.existsSync(path.join(d, 'uv.h')),
  );
  if (!include) return `node_api.h and uv.h not found in ${candidates.join(' or ')}`;
  if (header && !['/usr/include', '/usr/local/include'].some((d) => fs.existsSync(path.join(d, header))))
    return `<${header}> not found`;
  const cc = process.env.CC || 'cc';
  const out = path.join(root, 'build', 'native', `${name}.node`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const src = path.join(__dirname, `${name}.c`);
  const args = [
    '-O2',
    '-Wall',
    '-Wextra',
    '-Wno-unused-parameter',
    '-fPIC',
    '-shared',
    `-DNODE_GYP_MODULE_NAME=${name}`,
    '-DNAPI_VERSION=8',
    `-I${include}`,
    '-o',
    out + '.tmp',
    src,
    ...libs,
  ];
  const r = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) return `${cc}: ${r.error.code === 'ENOENT' ? 'no C compiler (install gcc)' : r.error.message}`;
  if (r.status !== 0) return `${cc} exited with ${r.status}`;
  fs.renameSync(out + '.tmp', out);
  return null;
}

const only = process.argv.slice(2);
for (const addon of ADDONS) {
  if (only.length > 0 && !only.includes(addon.name)) continue;
  const problem = build(addon);
  if (problem)
    process.stderr.write(`intracluster: ${addon.name.toUpperCase()} addon not built: ${problem} (${addon.needs})\n`);
}
