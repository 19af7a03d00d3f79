import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { UsageError } from '../errors';
import type { InstanceStatus } from './status';

/**
 * Prometheus metrics of a running instance, in the text exposition format 0.0.4 (checked by
 * `promtool check metrics` in the tests), rendered from the same status `intracluster status` shows,
 * so the two never disagree. Served at `http://HOST:PORT/metrics`; loopback unless a host is given.
 */

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string>;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

class Exposition {
  private readonly lines: string[] = [];
  family(name: string, type: 'counter' | 'gauge', help: string, samples: [Labels, number][]): void {
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const l = Object.entries(labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      this.lines.push(`${name}${l ? `{${l}}` : ''} ${formatValue(value)}`);
    }
  }
  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** The metrics text for one status. */
export function renderMetrics(s: InstanceStatus): string {
  const x = new Exposition();
  x.family(
    'intracluster_info',
    'gauge',
    'The running instance: kind (shim or attach), datapath in use, host name. Always 1.',
    [[{ kind: s.kind, datapath: s.datapath, host: s.host }, 1]],
  );
  x.family(
    'intracluster_frames_total',
    'counter',
    'Frames decided by the cluster layer, by direction (inbound: wire to stack), verdict and reason id.',
    s.frames.map((f) => [{ direction: f.direction, verdict: f.verdict, reason: f.reason }, f.count]),
  );
  x.family(
    'intracluster_layer_active',
    'gauge',
    '1 while the cluster layer decides frames; 0 while relaying unchanged (relay mode, or this host not in the config).',
    [[{}, s.layer ? 1 : 0]],
  );
  x.family('intracluster_members', 'gauge', 'Members in the membership in force, this host included.', [
    [{}, s.members.length],
  ]);
  x.family('intracluster_member_addresses', 'gauge', 'Member addresses in the membership in force.', [
    [{}, s.members.reduce((n, m) => n + m.addresses.length, 0)],
  ]);
  x.family('intracluster_strict_sources_enabled', 'gauge', '1 when strict sources is on.', [
    [{}, s.strictSources.enabled ? 1 : 0],
  ]);
  x.family(
    'intracluster_strict_sources_discovered_members',
    'gauge',
    'Members a discovery exchange completed with (strict sources).',
    [[{}, s.strictSources.discovered.length]],
  );
  const hb = s.heartbeat;
  x.family('intracluster_heartbeats_sent_total', 'counter', 'Heartbeats this host sent.', [[{}, hb?.sent ?? 0]]);
  x.family(
    'intracluster_heartbeat_send_errors_total',
    'counter',
    'Heartbeats this host could not send (wire side down).',
    [[{}, hb?.sendErrors ?? 0]],
  );
  x.family('intracluster_heartbeats_received_total', 'counter', 'Heartbeat frames received (EtherType 0x886F).', [
    [{}, hb?.received ?? 0],
  ]);
  x.family(
    'intracluster_heartbeats_accepted_total',
    'counter',
    'Valid heartbeats that refreshed, admitted or changed a member.',
    [[{}, hb?.accepted ?? 0]],
  );
  const refused: [Labels, number][] = Object.entries(hb?.dropped ?? {}).map(([cause, n]) => [{ cause }, n]);
  refused.push([{ cause: 'not-installable' }, hb?.refused ?? 0]);
  x.family(
    'intracluster_heartbeats_refused_total',
    'counter',
    'Heartbeats refused, by cause (dropped before admission, or authentic but not installable: dedicated MAC collision, no mapping).',
    refused,
  );
  x.family('intracluster_membership_changes_total', 'counter', 'Membership changes from heartbeats, by event.', [
    [{ event: 'join' }, hb?.joins ?? 0],
    [{ event: 'change' }, hb?.changes ?? 0],
    [{ event: 'leave' }, hb?.leaves ?? 0],
  ]);
  x.family(
    'intracluster_config_reloads_total',
    'counter',
    'Config reloads (SIGHUP), by result: done (applied) or failed (the previous config stays).',
    [
      [{ result: 'done' }, s.config.reloads.done],
      [{ result: 'failed' }, s.config.reloads.failed],
    ],
  );
  x.family(
    'intracluster_config_last_reload_success',
    'gauge',
    '0 when the last reload failed (the previous config is in force), else 1.',
    [[{}, s.config.lastReload && !s.config.lastReload.ok ? 0 : 1]],
  );
  if (s.config.loadedAt !== null)
    x.family(
      'intracluster_config_loaded_timestamp_seconds',
      'gauge',
      'When the config in force was loaded (seconds since 1970).',
      [[{}, s.config.loadedAt / 1000]],
    );
  x.family(
    'intracluster_write_errors_total',
    'counter',
    'Frames the datapath could not write (interface down, queue full): lost as on a wire.',
    [[{}, s.writeErrors]],
  );
  const datapath = Object.entries(s.counters).map(([counter, n]): [Labels, number] => [
    { counter: counter.replace(/ /g, '-') },
    n,
  ]);
  x.family(
    'intracluster_datapath_events_total',
    'counter',
    "The datapath's own counters (shim: frames per side, replies, drops, relayed, errors).",
    datapath,
  );
  x.family('intracluster_start_time_seconds', 'gauge', 'When the instance started (seconds since 1970).', [
    [{}, s.startedAt / 1000],
  ]);
  return x.text();
}

/** `HOST:PORT`, `[IPV6]:PORT`, or `PORT` / `:PORT` (loopback, 127.0.0.1). Port 0 picks a free one. */
export function parseListen(text: string, option = '--metrics'): { host: string; port: number } {
  let host = '127.0.0.1';
  let portText: string | undefined;
  let m: RegExpExecArray | null;
  if ((m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(text))) [host, portText] = [m[1], m[2]];
  else if ((m = /^([A-Za-z0-9.-]*):(\d{1,5})$/.exec(text))) [host, portText] = [m[1] || host, m[2]];
  else if (/^\d{1,5}$/.test(text)) portText = text;
  const port = portText === undefined ? NaN : +portText;
  if (!(port >= 0 && port <= 65535))
    throw new UsageError(`${option} must be HOST:PORT, [IPV6]:PORT or PORT (then 127.0.0.1), got "${text}"`);
  return { host, port };
}

export class MetricsServer {
  private constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
  ) {}

  get url(): string {
    const h = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${h}:${this.port}/metrics`;
  }

  /** Listens on host:port; `status` is called per scrape. Rejects with the bind error (e.g. EADDRINUSE). */
  static async listen(host: string, port: number, status: () => InstanceStatus): Promise<MetricsServer> {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('see /metrics\n');
        return;
      }
      let body: string;
      try {
        body = renderMetrics(status());
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(e as Error).message}\n`);
        return;
      }
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    server.keepAliveTimeout = 5000;
    server.headersTimeout = 10000;
    server.requestTimeout = 10000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => undefined);
    return new MetricsServer(server, host, (server.address() as AddressInfo).port);
  }

  close(): void {
    this.server.closeAllConnections?.();
    this.server.close();
  }
}
