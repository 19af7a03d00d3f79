#!/usr/bin/env node
// Rough cost of the live shim (docs/live.md): a bulk TCP transfer member to member through two
// shims (the test bed, dedicated mode), against the same transfer over a bridge with no shim.
// Needs root and a build (`npm run build`). Usage: node native/bench-live.js [MiB] [runs]
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { Bed } = require('../dist/src/live/bed');

const MIB = +(process.argv[2] || 64);
const RUNS = +(process.argv[3] || 3);

const SINK = `
const net = require('net');
net.createServer((c) => { let n = 0; c.on('data', (d) => (n += d.length)); c.on('end', () => c.end(String(n))); })
  .listen(7008, '::', () => process.stdout.write('listening\\n'));
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`;
const SOURCE = `
const net = require('net');
const [host, mib] = process.argv.slice(1);
const chunk = Buffer.alloc(1 << 20, 0x5a);
const t0 = process.hrtime.bigint();
const c = net.connect({ host, port: 7008 }, () => {
  let left = +mib;
  const pump = () => { while (left > 0) { left--; if (!c.write(chunk)) return c.once('drain', pump); } c.end(); };
  pump();
});
let reply = '';
c.on('data', (d) => (reply += d));
c.on('end', () => { const s = Number(process.hrtime.bigint() - t0) / 1e9; process.stdout.write(JSON.stringify({ bytes: +reply, seconds: s }) + '\\n'); });
c.on('error', (e) => { process.stdout.write(JSON.stringify({ error: e.message }) + '\\n'); process.exit(1); });`;

function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (+f[11] + +f[12]) / 100; // utime + stime, clock ticks of 1/100 s
}

async function transfer(fromNs, toNs, addr) {
  const sink = spawn('ip', ['netns', 'exec', toNs, process.execPath, '-e', SINK], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise((r) => sink.stdout.once('data', r));
  try {
    const out = execFileSync('ip', ['netns', 'exec', fromNs, process.execPath, '-e', SOURCE, addr, String(MIB)], {
      encoding: 'utf8',
      timeout: 120000,
    });
    return JSON.parse(out);
  } finally {
    sink.kill();
  }
}

async function withShims() {
  const bed = await Bed.create({ mode: 'dedicated' });
  try {
    const [h1, h2] = bed.members;
    const pids = bed.shims.map((s) => s.pid);
    const results = [];
    for (let i = 0; i < RUNS; i++) {
      const cpu0 = pids.map(cpuSeconds);
      const r = await transfer(h1.ns, h2.ns, h2.ipv4);
      const cpu = pids.map((p, j) => cpuSeconds(p) - cpu0[j]);
      results.push({ ...r, cpu });
    }
    await bed.stopShims();
    return { results, reports: bed.shimReports };
  } finally {
    await bed.destroy();
  }
}

async function withoutShims() {
  const id = `ic-${process.pid}-${Math.floor(Math.random() * 65536)
    .toString(16)
    .padStart(4, '0')}`;
  const ns = [`${id}-sw`, `${id}-m1`, `${id}-m2`];
  try {
    for (const n of ns) execFileSync('ip', ['netns', 'add', n]);
    const ip = (n, ...a) => execFileSync('ip', ['-n', n, ...a]);
    ip(ns[0], 'link', 'add', 'br0', 'type', 'bridge');
    ip(ns[0], 'link', 'set', 'br0', 'up');
    [1, 2].forEach((i) => {
      ip(ns[0], 'link', 'add', `p${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns[i]);
      ip(ns[0], 'link', 'set', `p${i}`, 'master', 'br0', 'up');
      ip(ns[i], 'addr', 'add', `198.18.1.${i}/24`, 'dev', 'eth0');
      ip(ns[i], 'link', 'set', 'eth0', 'up');
    });
    // veth offloads (TSO/GSO) would send 64 KiB super-frames; TAPs without IFF_VNET_HDR cannot.
    [1, 2].forEach((i) =>
      execFileSync('ip', [
        'netns',
        'exec',
        ns[i],
        'sh',
        '-c',
        'command -v ethtool >/dev/null && ethtool -K eth0 tso off gso off gro off || true',
      ]),
    );
    const results = [];
    for (let i = 0; i < RUNS; i++) results.push(await transfer(ns[1], ns[2], '198.18.1.2'));
    return results;
  } finally {
    for (const n of ns) execFileSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
  }
}

(async () => {
  const mbps = (r) => (r.bytes / r.seconds / 1e6).toFixed(0);
  const base = await withoutShims();
  console.log(`bridge, no shim: ${base.map(mbps).join(', ')} MB/s (${MIB} MiB, ${RUNS} runs)`);
  const s = await withShims();
  console.log(`two shims (dedicated mode): ${s.results.map(mbps).join(', ')} MB/s`);
  const frames = s.reports.map((r) => r.shim['from stack'] + r.shim['from wire']);
  const cpu = s.results.reduce((acc, r) => acc.map((x, j) => x + r.cpu[j]), [0, 0, 0]);
  cpu.forEach((c, j) =>
    console.log(
      `  shim host${j + 1}: ${frames[j]} frames, ${c.toFixed(2)} s CPU, ${((c / frames[j]) * 1e6).toFixed(1)} us/frame`,
    ),
  );
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
