/**
 * The operators' files in infra/ hold: the alert rules and the Prometheus configuration pass
 * promtool (and the alerts' unit tests) when promtool is installed (CI installs it), every metric
 * the dashboards and rules name is one the code registers, and the dashboards are Grafana JSON
 * with panels that query something.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const infra = join(root, 'infra');
const METRIC_SOURCES = ['packages/service-kit/src/metrics.ts', 'packages/events/src/metrics.ts'];

/** The metric names the code registers (`name: 'crm_...'` in its metric definitions) and the series Prometheus derives from them. */
function registeredSeries(): Set<string> {
  const names = METRIC_SOURCES.flatMap((file) =>
    [...readFileSync(join(root, file), 'utf8').matchAll(/name:\s*'([a-z_:][a-z0-9_:]*)'/g)].map((m) => m[1] as string),
  );
  const histograms = METRIC_SOURCES.flatMap((file) =>
    [...readFileSync(join(root, file), 'utf8').matchAll(/new Histogram\(\{\s*name:\s*'([a-z0-9_]+)'/g)].map((m) => m[1] as string),
  );
  return new Set([...names, ...histograms.flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`])]);
}

/** Names of `crm_` series in a PromQL expression (label names and values stay out: they follow `{`/`,` and `=`). */
function metricsIn(expr: string): string[] {
  return [...expr.replace(/"[^"]*"/g, '""').matchAll(/\b(crm_[a-z0-9_]+)\b/g)].map((m) => m[1] as string);
}

const promtool = process.env.PATH?.split(delimiter)
  .map((dir) => join(dir, 'promtool'))
  .find((p) => existsSync(p));

const dashboards = readdirSync(join(infra, 'grafana/dashboards')).filter((f) => f.endsWith('.json'));

interface Panel {
  type: string;
  title?: string;
  gridPos?: unknown;
  targets?: { expr?: string; refId?: string }[];
  panels?: Panel[];
}

describe('operators’ views (infra/grafana, infra/prometheus)', () => {
  const series = registeredSeries();

  it('reads the metrics the code registers', () => {
    expect(series).toContain('crm_graphql_operations_total');
    expect(series).toContain('crm_outbox_lag_seconds');
    expect(series).toContain('crm_graphql_operation_duration_seconds_bucket');
  });

  it.each(dashboards)('%s is Grafana dashboard JSON whose panels query metrics the code registers', (file) => {
    const dashboard = JSON.parse(readFileSync(join(infra, 'grafana/dashboards', file), 'utf8')) as {
      uid?: string;
      title?: string;
      schemaVersion?: number;
      panels?: Panel[];
    };
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.title).toBeTruthy();
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(30);
    const panels = (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(5);
    for (const panel of panels) {
      expect(panel.gridPos, panel.title).toBeTruthy();
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.refId, panel.title).toBeTruthy();
        const named = metricsIn(target.expr ?? '');
        expect(named.length + (target.expr?.includes('up{') ? 1 : 0), `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
        for (const metric of named) expect(series.has(metric), `${panel.title}: ${metric} is not registered by the code`).toBe(true);
      }
    }
  });

  it('the alert rules name only metrics the code registers', () => {
    const rules = readFileSync(join(infra, 'prometheus/alerts.yml'), 'utf8');
    const exprs = [...rules.matchAll(/expr:\s*(?:>-\s*\n((?:\s{10,}.*\n)+)|(.*))/g)].map((m) => (m[1] ?? m[2] ?? '').trim());
    expect(exprs.length).toBeGreaterThanOrEqual(6);
    for (const expr of exprs) for (const metric of metricsIn(expr)) expect(series.has(metric), `${metric} in ${expr}`).toBe(true);
    for (const alert of ['CrmOutboxLagHigh', 'CrmDeadLetters', 'CrmJobMissedBusinessDate', 'CrmNotReady', 'CrmHighErrorRate'])
      expect(rules).toContain(`alert: ${alert}`);
  });

  it.skipIf(!promtool)('promtool accepts the rules, their unit tests and the Prometheus configuration', () => {
    const run = (...args: string[]) => execFileSync(promtool as string, args, { cwd: join(infra, 'prometheus'), encoding: 'utf8', stdio: 'pipe' });
    expect(run('check', 'rules', 'alerts.yml')).toContain('SUCCESS');
    expect(run('test', 'rules', 'alerts.test.yml')).toContain('SUCCESS');
    // Syntax only: the rule file and the token are container paths (docker-compose.yml mounts them).
    expect(run('check', 'config', '--syntax-only', 'prometheus.yml')).toContain('SUCCESS');
  });
});
