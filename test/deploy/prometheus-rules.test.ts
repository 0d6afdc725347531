/**
 * config/prometheus/rovd.rules.yml: promtool accepts it (`check rules`)
 * and its unit tests pass (`test rules` on rovd.rules.test.yml); every
 * alert has a unit test that sees it fire, a severity and its
 * annotations; every metric the rules read is one rovd exports (read from
 * a running daemon) or one the file records.
 *
 * promtool is Debian's prometheus package: skipped with a message when it
 * is missing, failed then under ROVD_REQUIRE_PEERS=1.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { findPeer, runBounded } from '../helpers/peers.js';
import { exportedMetricNames, metricNames } from './promql.js';

const DIR = fileURLToPath(new URL('../../config/prometheus/', import.meta.url));
const RULES = join(DIR, 'rovd.rules.yml');
const TESTS = join(DIR, 'rovd.rules.test.yml');

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (parseYaml(await readFile(RULES, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const unitTests = parseYaml(await readFile(TESTS, 'utf8')) as {
  rule_files: string[];
  tests: { name: string; alert_rule_test?: { alertname: string; eval_time: string; exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[] }[] }[];
};

t.test('promtool check rules', async (t) => {
  const promtool = findPeer(t, 'promtool');
  if (!promtool) return;
  const r = await runBounded(promtool, ['check', 'rules', RULES], 30_000);
  t.equal(r.code, 0, r.output);
  t.match(r.output, `SUCCESS: ${rules.length} rules found`);
});

t.test('promtool test rules', async (t) => {
  const promtool = findPeer(t, 'promtool');
  if (!promtool) return;
  const r = await runBounded(promtool, ['test', 'rules', TESTS], 60_000);
  t.equal(r.code, 0, r.output);
  t.match(r.output, /SUCCESS/);
});

t.test('the alerts asked for, each with a severity, annotations and a unit test that sees it fire', async (t) => {
  const alerts = rules.filter((r) => r.alert !== undefined);
  t.same(
    alerts.map((a) => a.alert).sort(),
    ['RovdBmpSessionDown', 'RovdDirectConnectApiFailing', 'RovdDirectConnectBgpDown', 'RovdDown', 'RovdInvalidRoutes', 'RovdNoBmpSessions', 'RovdNotificationsDeadLettered', 'RovdPrefixLimitCritical', 'RovdPrefixLimitNear', 'RovdRpkiStale'],
  );
  t.same(unitTests.rule_files, ['rovd.rules.yml'], 'the unit tests load the rules file beside them');
  const cases = unitTests.tests.flatMap((g) => g.alert_rule_test ?? []);
  for (const a of alerts) {
    t.ok(['critical', 'warning'].includes(a.labels?.severity ?? ''), `${a.alert}: severity ${a.labels?.severity}`);
    t.ok(a.annotations?.summary && a.annotations.description, `${a.alert}: summary and description`);
    const firing = cases.filter((c) => c.alertname === a.alert && c.exp_alerts.length > 0);
    t.ok(firing.length > 0, `${a.alert}: a unit test expects it to fire`);
    t.ok(cases.some((c) => c.alertname === a.alert && c.exp_alerts.length === 0), `${a.alert}: a unit test expects it not to fire (yet)`);
    for (const c of firing) {
      for (const e of c.exp_alerts) {
        t.equal(e.exp_labels.severity, a.labels?.severity, `${a.alert} at ${c.eval_time}: labels checked`);
        t.same(Object.keys(e.exp_annotations).sort(), Object.keys(a.annotations ?? {}).sort(), `${a.alert} at ${c.eval_time}: every annotation checked`);
      }
    }
  }
  const thresholds = (name: string) => rules.find((r) => r.alert === name)!.expr;
  t.match(thresholds('RovdPrefixLimitNear'), />= 0\.8\b/, 'prefix limit warning at 0.8');
  t.match(thresholds('RovdPrefixLimitCritical'), />= 0\.95\b/, 'prefix limit critical at 0.95');
});

t.test('every metric the rules read is exported by rovd or recorded here', async (t) => {
  const exported = await exportedMetricNames(t);
  const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
  for (const r of rules) {
    const used = metricNames(r.expr);
    t.ok(used.length > 0, `${r.alert ?? r.record}: reads ${used.join(', ')}`);
    for (const name of used) t.ok(exported.has(name) || recorded.has(name), `${r.alert ?? r.record}: ${name} is exported by rovd${recorded.has(name) ? ' (recorded here)' : ''}`);
  }
  for (const r of rules.filter((r) => r.record)) t.match(r.record!, /^[a-z_]+:rovd_[a-z_]+:[a-z0-9_]+$/, `${r.record}: level:metric:operations`);
});
