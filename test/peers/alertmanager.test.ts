/**
 * rovd's Alertmanager sink against a real prometheus-alertmanager: a
 * firing origin-hijack notification posted by the sink reaches the test's
 * webhook receiver through Alertmanager as `firing` with rovd's labels;
 * the resolved notification then reaches it as `resolved`. Then the same
 * through the whole daemon: a hijack announced over BMP, then the right
 * origin again. Skipped when
 * Alertmanager is not installed (failed under ROVD_REQUIRE_PEERS=1).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig } from '../../src/config/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { BGP_UPDATE, bgp, bmp, cat, openBody, peerUpBody, perPeer, updateBody } from '../bmp/helpers/build.js';
import { AlertmanagerSink } from '../../src/alerts/sinks/alertmanager.js';
import { Alertmanager } from '../helpers/alertmanager.js';
import { startReceiver } from '../helpers/receiver.js';
import { hijackAlert, notificationOf, resolvedOf } from '../alerts/sinks/fixtures.js';
import { startWithRouter } from '../helpers/daemon-router.js';

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

t.test('the whole pipeline: a hijack seen over BMP fires and resolves through Alertmanager', async (t) => {
  const hook = await startReceiver(t, [{ status: 200 }]);
  const am = await Alertmanager.start(t, { webhookUrl: `${hook.url}/hook` });
  if (!am) return;
  const dir = await mkdtemp(join(tmpdir(), 'rovd-am-pipeline-'));
  const config = parseConfig(
    `
bmp: { listen: "127.0.0.1:0", allow: [127.0.0.0/8], decodeThread: false }   # in-thread: no decoder thread start under the test loader
vifs:
  - { id: dxvif-am1, type: public, router: 127.0.0.1, peers: [{ address: 169.254.0.1, asn: 7224 }] }
ownPrefixes:
  - { prefix: 198.51.100.0/24, origins: [64500] }
detection:
  unexpectedPrefix: { enabled: false }
  rpkiStale: { enabled: false, whileStale: alert }   # no VRP source in this test
alerts:
  holdDown: { fireSeconds: 0, resolveSeconds: 0 }
  grouping: { waitSeconds: 0, intervalSeconds: 1 }
  sinks: [{ name: am, type: alertmanager, url: "${am.url}" }]
store: { dir: state }
`,
    join(dir, 'rovd.yaml'),
  );
  const daemon = new Daemon({ config, summaryIntervalMs: 0, alertTickMs: 20 });
  const { router } = await startWithRouter(t, daemon);
  const peer = { address: '169.254.0.1', asn: 7224, bgpId: '10.0.0.1' };
  const announce = (asPath: number[]) => bmp(0, cat(perPeer(peer), bgp(BGP_UPDATE, updateBody({ nlri: ['198.51.100.0/24'], asPath }))));
  router.write(cat(bmp(3, cat(perPeer(peer), peerUpBody(openBody({ asn: 65000 }), openBody({ asn: 7224 })))), announce([7224, 64666])));

  const fail = (err: Error) => {
    throw new Error(`${err.message}\n${am.logs}`);
  };
  const [first] = await hook.waitFor(1, 20_000).catch(fail);
  const firing = JSON.parse(first!.body) as AmWebhook;
  t.equal(firing.status, 'firing');
  t.match(firing.alerts[0], { status: 'firing', labels: { alertname: 'origin-hijack', severity: 'critical', prefix: '198.51.100.0/24', origin: 'AS64666', vif: 'dxvif-am1' } });

  router.write(announce([7224, 64500]));
  const requests = await hook.waitFor(2, 20_000).catch(fail);
  const last = JSON.parse(requests.at(-1)!.body) as AmWebhook;
  t.equal(last.status, 'resolved');
  t.match(last.alerts[0], { status: 'resolved', labels: { alertname: 'origin-hijack', origin: 'AS64666' } });
  await until(() => daemon.outbox!.stats().pending === 0);
  t.equal(daemon.outbox!.stats().sinks.am!.delivered, 2, 'both notifications delivered once');
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
