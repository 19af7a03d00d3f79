#!/usr/bin/env node
// Stands in for systemctl in the operations-doc test (no systemd runs there). Runs a unit the way
// systemd would for what the shipped units use: the [Service] section's EnvironmentFile, ExecStart
// (specifier %i, ${VAR} as one word, $VAR split at whitespace), CapabilityBoundingSet (through
// setpriv --bounding-set) and NoNewPrivileges (setpriv --no-new-privs), with a clean environment,
// RuntimeDirectory created; "started" once the service logged "ready:" (bounded wait).
// Every path of the unit, and every argument of ExecStart that names a file under /etc, is taken
// under $FAKE_SYSTEMD_ROOT (as if that were the root). Commands: daemon-reload,
// enable --now / start, disable --now / stop, reload (ExecReload's SIGHUP), restart.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');

const root = process.env.FAKE_SYSTEMD_ROOT;
if (!root) fail('FAKE_SYSTEMD_ROOT is not set');
const args = process.argv.slice(2).filter((a) => a !== '--now' && a !== '-q');
const now = process.argv.includes('--now');
const [cmd, unitArg] = args;

function fail(msg) {
  process.stderr.write(`fake systemctl: ${msg}\n`);
  process.exit(1);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function unitNames(arg) {
  const unit = arg.endsWith('.service') ? arg : `${arg}.service`;
  const m = /^([^@]+)@([^.]*)\.service$/.exec(unit);
  if (!m) fail(`only template instances are supported, got ${unit}`);
  return { unit, template: `${m[1]}@.service`, instance: m[2] };
}

function parseUnit(file, instance) {
  const text = fs.readFileSync(file, 'utf8');
  const keys = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const s = /^\[(.+)\]$/.exec(line);
    if (s) {
      section = s[1];
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (kv && section === 'Service') (keys[kv[1]] = keys[kv[1]] || []).push(kv[2].replace(/%i/g, instance));
  }
  return keys;
}

function readEnvFile(file) {
  const env = {};
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const kv = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!kv) fail(`${file}: not KEY=VALUE: ${line}`);
    env[kv[1]] = kv[2].replace(/^"(.*)"$/, '$1');
  }
  return env;
}

function expand(execStart, env) {
  const words = [];
  for (const w of execStart.split(/\s+/).filter(Boolean)) {
    const split = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(w);
    if (split) words.push(...(env[split[1]] || '').split(/\s+/).filter(Boolean));
    else words.push(w.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, k) => env[k] || ''));
  }
  return words;
}

const state = (unit) => path.join(root, 'run', `${unit}.pid`);
const logFile = (unit) => path.join(root, 'log', `${unit}.log`);

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function start(arg) {
  const { unit, template, instance } = unitNames(arg);
  const keys = parseUnit(path.join(root, 'etc/systemd/system', template), instance);
  const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
  if (process.env.INTRACLUSTER_E2E_BUILD) env.INTRACLUSTER_E2E_BUILD = process.env.INTRACLUSTER_E2E_BUILD;
  for (const f of keys.EnvironmentFile || []) Object.assign(env, readEnvFile(path.join(root, f.replace(/^-/, ''))));
  for (const d of keys.RuntimeDirectory || []) {
    fs.mkdirSync(path.join(root, 'run', d), { recursive: true, mode: 0o755 });
    env.INTRACLUSTER_RUN_DIR = path.join(root, 'run', d); // the shim's /run/intracluster
  }
  const argv = expand(keys.ExecStart[0], env).map((w, i) => (i > 0 && w.startsWith('/etc/') ? path.join(root, w) : w));
  const exe = path.join(root, argv[0]);
  try {
    fs.accessSync(exe, fs.constants.X_OK);
  } catch {
    fail(`${unit}: ExecStart ${argv[0]} is not executable under ${root}`);
  }
  const caps = (keys.CapabilityBoundingSet || []).join(' ').split(/\s+/).filter(Boolean);
  const setpriv = [
    '--bounding-set',
    ['-all', ...caps.map((c) => '+' + c.replace(/^CAP_/, '').toLowerCase())].join(','),
  ];
  if ((keys.NoNewPrivileges || [])[0] === 'yes') setpriv.unshift('--no-new-privs');
  fs.mkdirSync(path.join(root, 'log'), { recursive: true });
  fs.mkdirSync(path.join(root, 'run'), { recursive: true });
  const out = fs.openSync(logFile(unit), 'a');
  const child = spawn('setpriv', [...setpriv, '--', exe, ...argv.slice(1)], {
    detached: true,
    stdio: ['ignore', out, out],
    env,
  });
  fs.writeFileSync(state(unit), String(child.pid));
  let exited = null;
  child.on('exit', (code, sig) => (exited = code ?? sig));
  child.unref();
  for (let i = 0; i < 200; i++) {
    const log = fs.readFileSync(logFile(unit), 'utf8');
    if (/ready:/.test(log)) return;
    if (exited !== null) fail(`${unit}: exited (${exited}) before ready:\n${log}`);
    await sleep(100);
  }
  fail(`${unit}: no "ready:" within 20 s:\n${fs.readFileSync(logFile(unit), 'utf8')}`);
}

async function stop(arg) {
  const { unit } = unitNames(arg);
  if (!fs.existsSync(state(unit))) return;
  const pid = +fs.readFileSync(state(unit), 'utf8');
  if (alive(pid)) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  fs.rmSync(state(unit), { force: true });
}

function reload(arg) {
  const { unit } = unitNames(arg);
  const pid = +fs.readFileSync(state(unit), 'utf8');
  process.kill(pid, 'SIGHUP');
}

(async () => {
  if (cmd === 'daemon-reload') return;
  if (!unitArg) fail(`${cmd}: which unit?`);
  if ((cmd === 'enable' && now) || cmd === 'start') return start(unitArg);
  if (cmd === 'enable') return;
  if ((cmd === 'disable' && now) || cmd === 'stop') return stop(unitArg);
  if (cmd === 'disable') return;
  if (cmd === 'reload') return reload(unitArg);
  if (cmd === 'restart') return stop(unitArg).then(() => start(unitArg));
  fail(`unsupported command ${cmd}`);
})().catch((e) => fail(e.message));
