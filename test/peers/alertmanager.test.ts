/**
 * rovd's Alertmanager sink against a real prometheus-alertmanager: a
 * firing origin-hijack notification posted by the sink reaches the test's
 * webhook receiver through Alertmanager as `firing` with rovd's labels;
 * the resolved notification then reaches it as `resolved`. Skipped when
 * Alertmanager is not installed (failed under ROVD_REQUIRE_PEERS=1).
 */
import t from 'tap';
import { AlertmanagerSink } from '../../src/alerts/sinks/alertmanager.js';
import { Alertmanager } from '../helpers/alertmanager.js';
import { startReceiver } from '../helpers/receiver.js';
import { hijackAlert, notificationOf, resolvedOf } from '../alerts/sinks/fixtures.js';

interface AmWebhook {
  readonly version: string;
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly alerts: ReadonlyArray<{ status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string }>;
}

t.test('firing, then resolved, through Alertmanager', async (t) => {
  const hook = await startReceiver(t, [{ status: 200 }]);
  const am = await Alertmanager.start(t, { webhookUrl: `${hook.url}/hook` });
  if (!am) return;
  const sink = new AlertmanagerSink({ name: 'am', url: am.url, resendValidityMs: 3_600_000, externalUrl: 'http://rovd.test' });

  // Times near now: Alertmanager drops alerts resolved long ago.
  const now = Date.now();
  const alert = hijackAlert({ raisedAt: now - 10_000, startsAt: now - 5000, lastRaisedAt: now - 1000 }, { origin: '64511' });
  const fire = notificationOf([alert], { createdAt: now });
  const result = await sink.deliver(fire, new AbortController().signal);
  t.same(result, { ok: true, status: 200 }, 'Alertmanager accepted the alert');

  const [first] = await hook.waitFor(1, 20_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${am.logs}`);
  });
  const firing = JSON.parse(first!.body) as AmWebhook;
  t.equal(firing.status, 'firing');
  t.equal(firing.alerts.length, 1);
  t.match(firing.alerts[0], {
    status: 'firing',
    labels: { alertname: 'origin-hijack', severity: 'critical', prefix: '192.0.2.0/24', origin: '64511', vif: 'dxvif-ffabc123', router: 'edge1', peer: '169.254.0.1' },
    annotations: { summary: alert.summary, rovd_alert_id: alert.id },
  });

  const end = Date.now();
  const resolved = await sink.deliver(resolvedOf(fire, end), new AbortController().signal);
  t.same(resolved, { ok: true, status: 200 });
  const requests = await hook.waitFor(2, 20_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${am.logs}`);
  });
  const last = JSON.parse(requests.at(-1)!.body) as AmWebhook;
  t.equal(last.status, 'resolved');
  t.match(last.alerts[0], { status: 'resolved', labels: { alertname: 'origin-hijack', origin: '64511' } });
  t.equal(Date.parse(last.alerts[0]!.endsAt), end, 'endsAt is the resolve time');
});
