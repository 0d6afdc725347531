import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildAlerts } from '../../src/config/alerts-config.js';
import { parseConfig } from '../../src/config/config.js';
import { configErrorOf as err } from '../helpers/config-error.js';


t.test('defaults: Alertmanager-like timers, no sinks, memory store', async (t) => {
  const c = parseConfig('{}', '/cfg/rovd.yaml');
  t.same(c.alerts.holdDown, { fireMs: 30_000, resolveMs: 300_000, byType: {} });
  t.same(c.alerts.grouping, { groupBy: ['type', 'vif', 'origin'], groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 14_400_000, maxAlertsPerNotification: 20 });
  t.same(c.alerts.retention, { resolvedMs: 86_400_000, maxResolved: 50_000 });
  t.same(c.alerts.delivery, { maxAttempts: 12, maxAgeMs: 86_400_000, backoffBaseMs: 1000, backoffCapMs: 300_000 });
  t.same(c.alerts.sinks, []);
  t.equal(c.store.dir, undefined);
  t.equal(parseConfig('store: { dir: state }', '/cfg/rovd.yaml').store.dir, '/cfg/state', 'relative to the config file');
});

t.test('every sink type, secrets inline, from a file and from the environment; routes and default sinks', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-alerts-config-'));
  await writeFile(join(dir, 'pd.key'), 'R0UT1NGKEY0123456789abcdef012345\n');
  const yaml = `
alerts:
  holdDown: { fireSeconds: 0, resolveSeconds: 60, byType: { session-down: { fireSeconds: 10 } } }
  grouping: { by: [type, vif], waitSeconds: 5, intervalSeconds: 60, repeatSeconds: 0, maxAlerts: 5 }
  retention: { resolvedHours: 2, maxResolved: 10 }
  delivery: { maxAttempts: 3, maxAgeHours: 1, backoffBaseSeconds: 2, backoffCapSeconds: 30 }
  sinks:
    - { name: hook, type: webhook, url: "https://hooks.example.net/rovd", secretEnv: ROVD_TEST_SECRET, headers: { X-Team: net }, timeoutSeconds: 5, concurrency: 2 }
    - { name: chat, type: slack, urlEnv: ROVD_TEST_SLACK, maxAlerts: 8 }
    - { name: pager, type: pagerduty, routingKeyFile: pd.key, source: rovd-1 }
    - { name: am, type: alertmanager, url: "http://127.0.0.1:9093", resendValiditySeconds: 600 }
  routes:
    - { match: '{severity="critical"}', sinks: [pager], continue: true }
  defaultSinks: [hook, chat, am]
`;
  const path = join(dir, 'rovd.yaml');
  const env = { ROVD_TEST_SECRET: 'a-secret-of-some-length', ROVD_TEST_SLACK: 'https://hooks.slack.com/services/T/B/X' };
  const { parseDocument } = await import('yaml');
  const a = buildAlerts(parseDocument(yaml).toJS() as Record<string, unknown>, path, () => t.fail('no error') as never, env);
  t.same(a.holdDown, { fireMs: 0, resolveMs: 60_000, byType: { 'session-down': { fireMs: 10_000 } } });
  t.same(a.grouping, { groupBy: ['type', 'vif'], groupWaitMs: 5000, groupIntervalMs: 60_000, repeatIntervalMs: 0, maxAlertsPerNotification: 5 });
  t.same(a.retention, { resolvedMs: 7_200_000, maxResolved: 10 });
  t.same(a.delivery, { maxAttempts: 3, maxAgeMs: 3_600_000, backoffBaseMs: 2000, backoffCapMs: 30_000 });
  t.match(a.sinks[0], { name: 'hook', type: 'webhook', url: 'https://hooks.example.net/rovd', secret: 'a-secret-of-some-length', headers: { 'X-Team': 'net' }, timeoutMs: 5000, concurrency: 2 });
  t.match(a.sinks[1], { name: 'chat', type: 'slack', url: 'https://hooks.slack.com/services/T/B/X', maxAlerts: 8 });
  t.match(a.sinks[2], { name: 'pager', type: 'pagerduty', routingKey: 'R0UT1NGKEY0123456789abcdef012345', source: 'rovd-1' });
  t.match(a.sinks[3], { name: 'am', type: 'alertmanager', url: 'http://127.0.0.1:9093', resendValidityMs: 600_000 });
  t.same(a.routes, [{ match: '{severity="critical"}', sinks: ['pager'], continue: true }]);
  t.same(a.defaultSinks, ['hook', 'chat', 'am']);

  const lone = parseConfig('alerts:\n  sinks: [{ name: only, type: webhook, url: "http://127.0.0.1:1/x" }]\n', '/cfg/r.yaml');
  t.same(lone.alerts.defaultSinks, ['only'], 'no routes and no defaults: every sink');
});

t.test('mistakes name the key and what was expected', async (t) => {
  t.match(err('alerts:\n  sinks: [{ name: a, type: slack, url: "https://x.example/", routingKey: k }]\n'), /alerts\.sinks\[0\]\.routingKey: not a setting of slack sinks/);
  t.match(err('alerts:\n  sinks: [{ name: a, type: pagerduty }]\n'), /alerts\.sinks\[0\]: a pagerduty sink needs routingKey \(or routingKeyFile, routingKeyEnv\)/);
  t.match(err('alerts:\n  sinks: [{ name: a, type: pagerduty, routingKey: k, routingKeyEnv: K }]\n'), /alerts\.sinks\[0\]\.routingKeyEnv: give routingKey one way only/);
  t.match(err('alerts:\n  sinks: [{ name: a, type: webhook, url: "https://x.example/", secretEnv: ROVD_SURELY_UNSET_VAR }]\n'), /secretEnv: the environment variable ROVD_SURELY_UNSET_VAR is not set/);
  t.match(err('alerts:\n  sinks: [{ name: a, type: webhook, url: "https://x.example/", secretFile: nope.key }]\n'), /secretFile: cannot read \/cfg\/nope\.key: ENOENT/);
  t.match(err('alerts:\n  sinks: [{ name: a, type: webhook, url: "ftp://x" }]\n'), /alerts\.sinks\[0\]\.url: expected an http:\/\/ or https:\/\/ URL/);
  t.match(err('alerts:\n  sinks: [{ name: a, type: webhook, url: "https://x.example/", secret: short }]\n'), /secret: expected a secret of at least 16 characters/);
  t.match(err('alerts:\n  sinks: [{ name: a, type: webhook, url: "https://x.example/" }, { name: a, type: webhook, url: "https://y.example/" }]\n'), /alerts\.sinks\[1\]\.name: the sink name "a" is used twice/);
  t.match(err('alerts:\n  routes: [{ sinks: [ghost] }]\n'), /alerts\.routes\[0\]\.sinks\[0\]: expected the name of a sink in alerts\.sinks \(none defined\), got "ghost"/);
  t.match(err('alerts:\n  holdDown: { byType: { hijack: { fireSeconds: 1 } } }\n'), /alerts\.holdDown\.byType\.hijack: expected an alert type/);
  t.match(err('alerts:\n  grouping: { maxAlerts: 0 }\n'), /alerts\.grouping\.maxAlerts: expected an integer from 1 to 1000/);
  t.match(err('alerts:\n  sinks: [{ name: a, type: teams }]\n'), /alerts\.sinks\[0\]\.type: expected one of "webhook", "slack", "pagerduty", "alertmanager"/);
});
