import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderMetrics } from '../../src/ops/metrics';
import { engine, statusOf } from './fixture';

/**
 * The shipped alerting rules: `promtool check rules` accepts them, and `promtool test rules` shows
 * that they fire on series with the names and labels the metrics endpoint really exposes (taken
 * from a rendered scrape) and stay quiet otherwise.
 */
const RULES = join(__dirname, '..', '..', 'packaging', 'prometheus', 'intracluster-alerts.yml');

function promtool(args: string[], cwd?: string): { code: number | null; out: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', timeout: 30_000, cwd });
  if (r.error) throw new Error(`promtool: ${r.error.message} (scripts/setup installs it)`);
  return { code: r.status, out: (r.stdout + r.stderr).trim() };
}

describe('alerting rules', () => {
  test('promtool check rules', () => {
    const r = promtool(['check', 'rules', RULES]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('SUCCESS: 7 rules found');
  });

  test('promtool test rules: each alert fires on the exposed series, and not on a healthy member', () => {
    const text = renderMetrics(statusOf(engine()));
    // the series the rules use exist in a scrape, with these labels
    for (const s of [
      'intracluster_layer_active 1',
      'intracluster_config_last_reload_success 0',
      'intracluster_members 3',
      'intracluster_write_errors_total 1',
    ])
      expect(text).toContain(`\n${s}\n`);
    expect(text).toContain('intracluster_heartbeats_refused_total{cause="not-installable"} 0');
    const dir = mkdtempSync(join(tmpdir(), 'ic-alerts-'));
    try {
      writeFileSync(
        join(dir, 'test.yml'),
        `rule_files: [${JSON.stringify(RULES)}]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - { series: 'up{job="intracluster",instance="m1"}', values: '1 1 0 0 0 0' }
      - { series: 'intracluster_layer_active{instance="m1",host="host1"}', values: '1 1 1 0 0 0' }
      - { series: 'intracluster_config_last_reload_success{instance="m1"}', values: '1 0 0 0 0 0' }
      - { series: 'intracluster_members{instance="m1"}', values: '3 3 3 2 2 2 2' }
      - { series: 'intracluster_heartbeats_refused_total{instance="m1",cause="bad-authenticator"}', values: '0 0 5 10 15 20' }
      - { series: 'intracluster_write_errors_total{instance="m1"}', values: '0 0 0 0 0 0' }
    alert_rule_test:
      - { eval_time: 1m, alertname: IntraclusterDown, exp_alerts: [] }
      - eval_time: 4m
        alertname: IntraclusterDown
        exp_alerts: [{ exp_labels: { severity: critical, job: intracluster, instance: m1 }, exp_annotations: { summary: 'intracluster on m1 is not answering (with the shim, the host is cut off)' } }]
      - eval_time: 5m
        alertname: IntraclusterLayerOff
        exp_alerts: [{ exp_labels: { severity: critical, instance: m1, host: host1 }, exp_annotations: { summary: 'host1 is not in the config in force: members cannot reach it' } }]
      - eval_time: 2m
        alertname: IntraclusterReloadFailed
        exp_alerts: [{ exp_labels: { severity: warning, instance: m1 }, exp_annotations: { summary: 'the last config reload on m1 failed: the previous membership is in force' } }]
      - eval_time: 6m
        alertname: IntraclusterMemberMissing
        exp_alerts: [{ exp_labels: { severity: warning, instance: m1 }, exp_annotations: { summary: 'm1 has 2 members in force' } }]
      - eval_time: 5m
        alertname: IntraclusterForgedHeartbeats
        exp_alerts: [{ exp_labels: { severity: warning, instance: m1, cause: bad-authenticator }, exp_annotations: { summary: 'm1 receives heartbeats refused as bad-authenticator' } }]
      - { eval_time: 5m, alertname: IntraclusterWriteErrors, exp_alerts: [] }
`,
      );
      const r = promtool(['test', 'rules', 'test.yml'], dir);
      expect(r).toMatchObject({ code: 0 });
      expect(r.out).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
