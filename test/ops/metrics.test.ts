import { spawnSync } from 'node:child_process';
import { get } from 'node:http';
import { METRICS_CONTENT_TYPE, MetricsServer, parseListen, renderMetrics } from '../../src/ops/metrics';
import { FrameTally, reasonLabel } from '../../src/ops/tally';
import { Direction, Verdict } from '../../src/verdict';
import { arpRequest, engine, statusOf } from './fixture';

/** `promtool check metrics` on a text: its exit code and output (promtool is installed by scripts/setup). */
function promtool(text: string): { code: number | null; out: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw new Error(`promtool: ${r.error.message} (scripts/setup installs it)`);
  return { code: r.status, out: (r.stdout + r.stderr).trim() };
}

function scrape(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    }).on('error', reject);
  });
}

describe('metrics', () => {
  test('parseListen: loopback by default, IPv6 in brackets, one line for a mistake', () => {
    expect(parseListen('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListen(':9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListen('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    for (const bad of ['', 'x', '127.0.0.1', '1.2.3.4:70000', '::1:80', '[::1]', 'a b:1'])
      expect(() => parseListen(bad)).toThrow(/--metrics must be HOST:PORT, \[IPV6\]:PORT or PORT/);
  });

  test('the text passes promtool check metrics, with real frame counts of an engine', () => {
    const e = engine();
    const tally = new FrameTally();
    const frames = [
      arpRequest('02-bf-c6-12-00-64', '198.18.0.11', '198.18.0.12'),
      arpRequest('02-42-00-00-00-99', '198.18.0.99', '198.18.0.11'),
    ];
    for (const [i, f] of frames.entries()) {
      const d = i === 0 ? Direction.Outbound : Direction.Inbound;
      const v = e.process(f, d);
      tally.count(d, v, e.reason);
    }
    tally.count(Direction.Inbound, Verdict.Drop, tally.heartbeatSlot);
    const text = renderMetrics(statusOf(e, tally));
    const r = promtool(text);
    expect(r).toEqual({ code: 0, out: '' });
    const frameLines = text.split('\n').filter((l) => l.startsWith('intracluster_frames_total{'));
    expect(frameLines).toHaveLength(3);
    const rows = tally.rows();
    for (const row of rows)
      expect(frameLines).toContain(
        `intracluster_frames_total{direction="${row.direction}",verdict="${row.verdict}",reason="${row.reason}"} ${row.count}`,
      );
    expect(rows.map((x) => x.reason)).toContain('heartbeat');
    expect(reasonLabel(0)).toBe('none');
    expect(text).toContain('intracluster_members 3\n');
    expect(text).toContain('intracluster_config_reloads_total{result="failed"} 1\n');
    expect(text).toContain('intracluster_config_last_reload_success 0\n');
    expect(text).toContain('intracluster_info{kind="shim",datapath="shim",host="host1"} 1\n');
  });

  test('promtool catches a broken text (the check can fail)', () => {
    expect(promtool('# TYPE x counter\nx{a="b} 1\n').code).not.toBe(0);
  });

  test('served on 127.0.0.1 at /metrics with the exposition content type; other paths 404', async () => {
    const e = engine();
    const s = await MetricsServer.listen('127.0.0.1', 0, () => statusOf(e));
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const r = await scrape(s.url);
      expect(r).toMatchObject({ status: 200, type: METRICS_CONTENT_TYPE });
      expect(r.body).toBe(renderMetrics(statusOf(e)));
      expect((await scrape(s.url.replace('/metrics', '/x'))).status).toBe(404);
    } finally {
      s.close();
    }
  });
});
