/**
 * dashboards/rovd.json, the Grafana dashboard: a current schema, the
 * Prometheus data source as the `datasource` variable and the `vif`
 * variable; the panels asked for; every PromQL expression parses
 * (promtool, as recording rules in a temporary file) and reads only
 * metrics rovd exports (from a running daemon's /metrics).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { findPeer, runBounded } from '../helpers/peers.js';
import { exportedMetricNames, metricNames, withoutGrafanaVariables } from './promql.js';

interface Target {
  expr?: string;
  datasource?: { type: string; uid: string };
  format?: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
  panels?: Panel[];
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps: { value: number | null; color: string }[] } } };
}
interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  datasource?: { type: string; uid: string };
  includeAll?: boolean;
}

const dashboard = JSON.parse(await readFile(new URL('../../dashboards/rovd.json', import.meta.url), 'utf8')) as {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queried = panels.filter((p) => p.type !== 'row');
const exprs = queried.flatMap((p) => (p.targets ?? []).map((target) => ({ panel: p.title, expr: target.expr ?? '' })));
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

t.test('schema, uid, variables', async (t) => {
  t.ok(dashboard.schemaVersion >= 36, `schemaVersion ${dashboard.schemaVersion}`);
  t.equal(dashboard.uid, 'rovd');
  const ds = dashboard.templating.list.find((v) => v.name === 'datasource');
  t.match(ds, { type: 'datasource', query: 'prometheus' }, 'datasource: a variable of type datasource, Prometheus');
  const vif = dashboard.templating.list.find((v) => v.name === 'vif');
  t.match(vif, { type: 'query', datasource: DATASOURCE, includeAll: true }, 'vif: a query variable on ${datasource}');
  const q = typeof vif!.query === 'string' ? vif!.query : vif!.query.query;
  t.equal(q, 'label_values(rovd_routes, vif)');
});

t.test('every panel and query on ${datasource}; unique ids; no overlapping panels', async (t) => {
  t.ok(queried.length >= 15, `${queried.length} panels`);
  for (const p of queried) {
    t.same(p.datasource, DATASOURCE, `${p.title}: datasource \${datasource}`);
    t.ok((p.targets ?? []).length > 0, `${p.title}: has queries`);
    for (const target of p.targets ?? []) {
      t.same(target.datasource, DATASOURCE, `${p.title}: query on \${datasource}`);
      t.ok(target.expr && target.expr.trim() !== '', `${p.title}: an expression`);
    }
  }
  const ids = panels.map((p) => p.id);
  t.equal(new Set(ids).size, ids.length, 'panel ids unique');
  const cells = new Set<string>();
  for (const p of panels) {
    t.ok(p.gridPos.x + p.gridPos.w <= 24, `${p.title}: within the 24 columns`);
    for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
      for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
        const cell = `${x},${y}`;
        if (cells.has(cell)) t.fail(`${p.title} overlaps another panel at ${cell}`);
        cells.add(cell);
      }
    }
  }
});

t.test('the panels asked for', async (t) => {
  const uses = (metric: string, where?: (p: Panel) => boolean) =>
    queried.filter((p) => (where ? where(p) : true) && (p.targets ?? []).some((target) => metricNames(target.expr ?? '').includes(metric)));
  const asked: [string, string][] = [
    ['routes by state per VIF', 'rovd_routes'],
    ['alerts firing by type/severity', 'rovd_alerts_firing'],
    ['RPKI freshness', 'rovd_rpki_stale'],
    ['source last success age', 'rovd_rpki_source_last_success_timestamp_seconds'],
    ['RTR serials', 'rovd_rtr_serial'],
    ['RTR session up', 'rovd_rtr_session_up'],
    ['BMP sessions', 'rovd_bmp_sessions'],
    ['BMP message rates', 'rovd_bmp_messages_total'],
    ['prefix-limit usage', 'rovd_prefix_limit_usage_ratio'],
    ['notification failures', 'rovd_notifications_total'],
    ['outbox depth', 'rovd_outbox_pending'],
    ['dead letters', 'rovd_outbox_dead_letters'],
    ['ingest rate', 'rovd_bgp_updates_total'],
    ['ingest latency', 'rovd_update_validation_seconds_bucket'],
  ];
  for (const [what, metric] of asked) t.ok(uses(metric).length > 0, `${what}: ${metric} in ${uses(metric).map((p) => p.title).join(', ')}`);

  t.ok(exprs.some((e) => /rate\(rovd_bgp_updates_total\{[^}]*\}\[\$__rate_interval\]\)/.test(e.expr)), 'ingest: rate of rovd_bgp_updates_total');
  t.ok(exprs.some((e) => /^histogram_quantile\(0\.99, sum by \([^)]*\ble\b[^)]*\) \(rate\(rovd_update_validation_seconds_bucket/.test(e.expr)), 'latency: histogram_quantile over the buckets');
  const invalidTable = uses('rovd_routes', (p) => p.type === 'table');
  t.ok(invalidTable.some((p) => (p.targets ?? []).some((x) => /state="invalid"/.test(x.expr ?? '') && /by \(vif, afi\)/.test(x.expr ?? '') && x.format === 'table')), 'a table of invalid routes by VIF and afi');
  t.ok(uses('rovd_routes', (p) => p.type === 'stat').length > 0, 'an invalid-route count');
  t.ok(exprs.some((e) => /sum by \(type, severity\) \(rovd_alerts_firing/.test(e.expr)), 'alerts by type and severity');

  const limit = uses('rovd_prefix_limit_usage_ratio')[0]!;
  const steps = limit.fieldConfig?.defaults?.thresholds?.steps.map((s) => s.value) ?? [];
  t.same(steps, [null, 0.8, 0.95], 'prefix-limit thresholds at 0.8 and 0.95');
  t.equal(limit.fieldConfig?.defaults?.unit, 'percentunit');

  for (const e of exprs.filter((e) => /rovd_routes\b|rovd_bgp_updates_total|rovd_update_validation_seconds|rovd_prefix_limit_usage_ratio/.test(e.expr) && !/rovd_routes_stale/.test(e.expr))) {
    t.match(e.expr, /vif=~"\$vif"/, `${e.panel}: follows the vif variable`);
  }
});

t.test('every metric a panel reads is exported by rovd', async (t) => {
  const exported = await exportedMetricNames(t);
  for (const { panel, expr } of exprs) {
    const used = metricNames(expr);
    t.ok(used.length > 0, `${panel}: ${expr}`);
    for (const name of used) t.ok(exported.has(name), `${panel}: ${name} is exported`);
  }
  for (const v of dashboard.templating.list.filter((v) => v.type === 'query')) {
    const q = typeof v.query === 'string' ? v.query : v.query.query;
    const metric = /^label_values\(([a-zA-Z_:][\w:]*)\s*,/.exec(q)?.[1];
    t.ok(metric && exported.has(metric), `variable ${v.name}: ${metric} is exported`);
  }
});

t.test('every expression parses (promtool check rules)', async (t) => {
  const promtool = findPeer(t, 'promtool');
  if (!promtool) return;
  const dir = await mkdtemp(join(tmpdir(), 'rovd-dashboard-'));
  const file = join(dir, 'dashboard.rules.yml');
  const rules = exprs.map((e, i) => ({ record: `dashboard:expr_${i}`, expr: withoutGrafanaVariables(e.expr) }));
  await writeFile(file, stringify({ groups: [{ name: 'rovd-dashboard', rules }] }));
  const r = await runBounded(promtool, ['check', 'rules', file], 30_000);
  t.equal(r.code, 0, r.output);
  t.match(r.output, `SUCCESS: ${rules.length} rules found`);
});
