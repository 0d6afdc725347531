/**
 * The Alertmanager sink's body, without Alertmanager (the real one is in
 * test/peers/alertmanager.test.ts): one PostableAlert per alert, labels
 * sanitised, endsAt = now + resend validity while firing, the end time
 * once resolved; the URL keeps a route prefix.
 */
import t from 'tap';
import { AlertmanagerSink, postableAlerts, sanitizeLabelName } from '../../../src/alerts/sinks/alertmanager.js';
import { caught } from '../../helpers/errors.js';
import { startReceiver } from '../../helpers/receiver.js';
import { firing, hijackAlert, notificationOf, resolvedOf, T0 } from './fixtures.js';

t.test('labels, annotations, times', async (t) => {
  const alert = hijackAlert({}, { 'as-path': '7224 64500', '0bad': 'x', __meta: 'y', empty: '' });
  const [a] = postableAlerts(notificationOf([alert]), T0, 3_600_000, 'https://rovd.example.net');
  t.match(a, {
    labels: { alertname: 'origin-hijack', severity: 'critical', vif: 'dxvif-ffabc123', prefix: '192.0.2.0/24', origin: '64500', as_path: '7224 64500', _0bad: 'x', _meta: 'y' },
    annotations: { summary: alert.summary, description: alert.description, rovd_alert_id: alert.id },
    startsAt: new Date(T0 - 30_000).toISOString(),
    endsAt: new Date(T0 + 3_600_000).toISOString(),
    generatorURL: `https://rovd.example.net/alerts/${alert.id}`,
  });
  t.notOk('empty' in a!.labels, 'empty values dropped');
  for (const name of Object.keys(a!.labels)) t.match(name, /^[a-zA-Z_][a-zA-Z0-9_]*$/);
  t.equal(sanitizeLabelName('a.b-c'), 'a_b_c');
  t.equal(sanitizeLabelName('9x'), '_9x');

  const end = T0 + 600_000;
  const [r] = postableAlerts(resolvedOf(notificationOf([alert]), end), T0 + 700_000, 3_600_000);
  t.equal(r!.endsAt, new Date(end).toISOString(), 'resolved: its end time');
  t.notOk('generatorURL' in r!);
  const pending = hijackAlert({ startsAt: undefined, status: 'resolved', endsAt: undefined });
  const [p] = postableAlerts(notificationOf([pending]), T0, 1000);
  t.equal(p!.startsAt, new Date(pending.raisedAt).toISOString(), 'never fired: raisedAt');
  t.equal(p!.endsAt, new Date(T0).toISOString(), 'resolved without an end: now');
  const early = hijackAlert({ startsAt: T0, status: 'resolved', endsAt: T0 - 5 });
  t.equal(postableAlerts(notificationOf([early]), T0, 1000)[0]!.endsAt, new Date(T0).toISOString(), 'endsAt never before startsAt');
});

t.test('POSTs to {url}/api/v2/alerts', async (t) => {
  const r = await startReceiver(t, [{ status: 200 }]);
  let now = T0;
  const sink = new AlertmanagerSink({ name: 'am', url: `${r.url}/am`, resendValidityMs: 60_000, headers: { authorization: 'Bearer t' }, now: () => now });
  t.equal(sink.kind, 'alertmanager');
  t.same(await sink.deliver(firing(2), new AbortController().signal), { ok: true, status: 200 });
  t.equal(r.requests[0]!.path, '/am/api/v2/alerts');
  t.equal(r.requests[0]!.headers.authorization, 'Bearer t');
  const body = JSON.parse(r.requests[0]!.body) as Array<{ endsAt: string }>;
  t.equal(body.length, 2);
  t.equal(body[0]!.endsAt, new Date(T0 + 60_000).toISOString());
  now += 10_000;
  await sink.deliver(firing(2), new AbortController().signal);
  t.equal((JSON.parse(r.requests[1]!.body) as Array<{ endsAt: string }>)[0]!.endsAt, new Date(T0 + 70_000).toISOString(), 'a repeat extends it');
  t.equal(new AlertmanagerSink({ name: 'am', url: 'http://h:9093/' }).url.href, 'http://h:9093/api/v2/alerts');
  t.match(caught(() => new AlertmanagerSink({ name: 'am', url: 'http://h/', resendValidityMs: 10 })), { key: 'resendValidityMs' });
  t.match(caught(() => new AlertmanagerSink({ name: 'am', url: 'http://h/', externalUrl: 'x' })), { key: 'externalUrl' });
  t.match(caught(() => new AlertmanagerSink({ name: 'am', url: 'http://h/', headers: { 'Content-Type': 'x' } })), { key: 'headers.Content-Type' });
});
