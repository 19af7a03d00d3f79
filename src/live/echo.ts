/**
 * Small TCP echo server and client run with `node -e` inside network namespaces (no files, no
 * dependencies). The client sends `bytes` random bytes, half-closes, reads the echo and checks it
 * byte for byte; it prints one JSON line. Both exit when their stdin closes (they die with the bed).
 */

export const ECHO_PORT = 7007;

export const ECHO_SERVER = `
const net = require('net');
const server = net.createServer((c) => { c.on('error', () => c.destroy()); c.pipe(c); });
server.on('error', (e) => { process.stderr.write('echo server: ' + e.message + '\\n'); process.exit(1); });
server.listen(+process.argv[1], '::', () => process.stdout.write('listening\\n'));
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
`;

export const ECHO_CLIENT = `
const net = require('net');
const crypto = require('crypto');
const [host, port, bytes, ms] = process.argv.slice(1);
const data = crypto.randomBytes(+bytes);
const chunks = [];
let received = 0, done = false;
const out = (r) => { if (done) return; done = true; process.stdout.write(JSON.stringify(Object.assign({ sent: data.length, received }, r)) + '\\n'); process.exit(0); };
setTimeout(() => out({ ok: false, error: 'no complete echo within ' + ms + ' ms' }), +ms);
const c = net.connect({ host, port: +port });
c.on('connect', () => c.end(data));
c.on('data', (d) => { chunks.push(d); received += d.length; });
c.on('end', () => { const echo = Buffer.concat(chunks); out({ ok: echo.equals(data), error: echo.equals(data) ? undefined : 'echo differs from what was sent' }); });
c.on('error', (e) => out({ ok: false, error: e.code || e.message }));
`;

export interface EchoResult {
  ok: boolean;
  sent: number;
  received: number;
  error?: string;
}
