/**
 * The whole pipeline as `rovd run` wires it: BMP from a router over
 * loopback into the station, the RIB, detection, the alert engine, the
 * outbox and real HTTP sinks (a local receiver). One scenario per
 * detection: it fires, it is grouped, hold-down swallows a flap, and it
 * resolves.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parseConfig } from '../../src/config/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { verifyWebhookSignature } from '../../src/alerts/sinks/webhook-signature.js';
import { BGP_UPDATE, bgp, bmp, cat, openBody, peerUpBody, perPeer, u8, updateBody } from '../bmp/helpers/build.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { until } from '../helpers/until.js';
import { startWithRouter } from '../helpers/daemon-router.js';

const SECRET = 'pipeline-test-secret-0123456789';
const PEER = { address: '169.254.0.1', asn: 7224, bgpId: '10.0.0.1' };
const TGW = { address: '169.254.9.1', asn: 7224, bgpId: '10.0.0.9' };
type PeerFields = typeof PEER;

const peerUp = (p: PeerFields = PEER) => bmp(3, cat(perPeer(p), peerUpBody(openBody({ asn: 65000 }), openBody({ asn: 7224 }))));
const update = (nlri: string[], asPath: number[], withdrawn: string[] = [], p: PeerFields = PEER) => bmp(0, cat(perPeer(p), bgp(BGP_UPDATE, updateBody({ nlri, asPath, withdrawn }))));
const peerDown = (p: PeerFields = PEER) => bmp(2, cat(perPeer(p), u8(2), Buffer.from([0, 0])));

interface WebhookBody {
  id: string;
  status: 'firing' | 'resolved';
  type: string;
  severity: string;
  counts: { firing: number; resolved: number };
  truncated: boolean;
  summary: string;
  alerts: { labels: Record<string, string>; status: string; evidence: Record<string, unknown> }[];
}

interface Pipeline {
  daemon: Daemon;
  hook: Receiver;
  router: Socket;
  bmpPort: number;
  dir: string;
  /** Webhook notifications received so far, parsed (signature checked). */
  notifications(): WebhookBody[];
  waitNotifications(n: number, what: string): Promise<WebhookBody[]>;
}

async function pipeline(t: Test, alerts = 'holdDown: { fireSeconds: 0, resolveSeconds: 0 }\n  grouping: { waitSeconds: 0, intervalSeconds: 1, maxAlerts: 5 }', extra = ''): Promise<Pipeline> {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-pipeline-'));
  await writeFile(join(dir, 'vrps.json'), JSON.stringify({ roas: [{ asn: 'AS7224', prefix: '10.0.0.0/8', maxLength: 16, ta: 'test' }] }));
  const hook = await startReceiver(t);
  const yaml = `
rpki: { files: [vrps.json] }
bmp: { listen: "127.0.0.1:0", allow: [127.0.0.0/8], decodeThread: false }   # in-thread: no decoder thread start under the test loader
store: { dir: state }
vifs:
  - id: dxvif-t1
    type: private
    router: 127.0.0.1
    peers: [{ address: ${PEER.address}, asn: 7224 }]
    awsPrefixes: [10.0.0.0/8]
  - id: dxvif-t2
    type: transit
    router: 127.0.0.1
    peers: [{ address: ${TGW.address}, asn: 7224 }]
    receivedLimit: 4
ownPrefixes:
  - { prefix: 10.20.0.0/16, origins: [7224] }
alerts:
  ${alerts}
  sinks:
    - { name: hook, type: webhook, url: "${hook.url}/hook", secret: ${SECRET} }
${extra}`;
  const config = parseConfig(yaml, join(dir, 'rovd.yaml'));
  const daemon = new Daemon({ config, summaryIntervalMs: 0, alertTickMs: 20, detectionTickMs: 50 });
  const { router, bmpPort } = await startWithRouter(t, daemon);
  const parse = (): WebhookBody[] =>
    hook.requests.map((r) => {
      if (!verifyWebhookSignature(r.headers['x-rovd-signature'] as string, r.body, SECRET, Math.floor(Date.now() / 1000))) throw new Error('bad webhook signature');
      return JSON.parse(r.body) as WebhookBody;
    });
  return {
    daemon,
    hook,
    router,
    bmpPort,
    dir,
    notifications: parse,
    async waitNotifications(n, what) {
      await until(() => hook.requests.length >= n, what);
      return parse();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('rpki-invalid: fires with its VRPs, signed, and resolves on withdraw', async (t) => {
  const p = await pipeline(t);
  p.router.write(cat(peerUp(), update(['10.1.1.0/24'], [7224])));
  const [fired] = await p.waitNotifications(1, 'firing');
  t.match(fired, { status: 'firing', type: 'rpki-invalid', severity: 'critical', counts: { firing: 1 } });
  t.match(fired!.alerts[0]!.labels, { prefix: '10.1.1.0/24', origin: 'AS7224', vif: 'dxvif-t1', reason: 'length' });
  t.same(fired!.alerts[0]!.evidence.unmatchedLength, [{ asn: 'AS7224', prefix: '10.0.0.0/8', maxLength: 16 }]);
  t.match(p.hook.requests[0]!.headers, { 'idempotency-key': fired!.id });
  t.equal(p.daemon.alerts.alerts({ status: 'firing' }).length, 1, 'queryable');

  p.router.write(update([], [], ['10.1.1.0/24']));
  const [, resolved] = await p.waitNotifications(2, 'resolved');
  t.match(resolved, { status: 'resolved', type: 'rpki-invalid', counts: { firing: 0, resolved: 1 } });
  t.equal(p.daemon.alerts.alerts({ status: 'resolved' }).length, 1);
  await until(() => p.daemon.outbox!.stats().pending === 0, 'outbox drained');
});

t.test('own prefix hijack and unexpected prefix fire; the right origin resolves the hijack', async (t) => {
  const p = await pipeline(t);
  p.router.write(cat(peerUp(), update(['10.20.0.0/16'], [7224, 64666]), update(['172.16.0.0/16'], [7224])));
  const got = await p.waitNotifications(3, 'three groups');
  const types = got.map((n) => n.type).sort();
  t.same(types, ['origin-hijack', 'rpki-invalid', 'unexpected-prefix'], 'the hijack is RPKI-invalid too (the VRP names AS7224)');
  t.match(got.find((n) => n.type === 'origin-hijack')!.alerts[0]!.labels, { prefix: '10.20.0.0/16', origin: 'AS64666', severity: 'critical' });
  t.match(got.find((n) => n.type === 'unexpected-prefix')!.alerts[0]!.labels, { prefix: '172.16.0.0/16', reason: 'outside-aws-ranges' });
  p.router.write(update(['10.20.0.0/16'], [7224]));
  const after = await p.waitNotifications(5, 'hijack and invalid resolved');
  t.same(after.slice(3).map((n) => `${n.status} ${n.type}`).sort(), ['resolved origin-hijack', 'resolved rpki-invalid']);
});

t.test('grouping: a burst of 60 invalid routes from one origin on one VIF is one notification', async (t) => {
  const p = await pipeline(t, 'holdDown: { fireSeconds: 0, resolveSeconds: 0 }\n  grouping: { waitSeconds: 1, intervalSeconds: 1, maxAlerts: 5 }');
  const nlri = Array.from({ length: 60 }, (_, i) => `10.2.${i}.0/24`);
  p.router.write(cat(peerUp(), update(nlri.slice(0, 30), [7224]), update(nlri.slice(30), [7224])));
  const [n] = await p.waitNotifications(1, 'one grouped notification');
  await sleep(300);
  t.equal(p.hook.requests.length, 1, 'not 60');
  t.match(n, { status: 'firing', type: 'rpki-invalid', counts: { firing: 60 }, truncated: true });
  t.equal(n!.alerts.length, 5, 'lists the first maxAlerts');
  t.equal(p.daemon.alerts.alerts({ type: 'rpki-invalid' }).length, 60, 'every member queryable');
});

t.test('hold-down: a flap shorter than fireSeconds pages nobody; a lasting one fires once', async (t) => {
  const p = await pipeline(t, 'holdDown: { fireSeconds: 1, resolveSeconds: 1 }\n  grouping: { waitSeconds: 0, intervalSeconds: 1 }');
  p.router.write(cat(peerUp(), update(['10.3.0.0/24'], [7224])));
  await sleep(200);
  p.router.write(update([], [], ['10.3.0.0/24']));
  await sleep(1500);
  t.equal(p.hook.requests.length, 0, 'flap swallowed');
  p.router.write(update(['10.3.0.0/24'], [7224]));
  await p.waitNotifications(1, 'fires after the hold-down');
  // Withdrawn and back inside the resolve hold-down: no resolved, no second firing.
  p.router.write(update([], [], ['10.3.0.0/24']));
  await sleep(300);
  p.router.write(update(['10.3.0.0/24'], [7224]));
  await sleep(1500);
  t.equal(p.hook.requests.length, 1, 'the flap while firing is one alert, one page');
  t.equal(p.daemon.alerts.alerts({ type: 'rpki-invalid' })[0]!.raises, 2, 'two raises in this episode (the swallowed flap was its own)');
});

t.test('session-down on Peer Down resolves on Peer Up; prefix-limit pressure on a transit VIF', async (t) => {
  const p = await pipeline(t);
  p.router.write(cat(peerUp(), peerDown()));
  const [down] = await p.waitNotifications(1, 'session down');
  t.match(down, { status: 'firing', type: 'session-down' });
  t.match(down!.alerts[0]!.labels, { vif: 'dxvif-t1', peer: PEER.address });
  p.router.write(peerUp());
  const [, up] = await p.waitNotifications(2, 'session back');
  t.match(up, { status: 'resolved', type: 'session-down' });

  p.router.write(cat(peerUp(TGW), update(['10.5.0.0/16', '10.6.0.0/16', '10.7.0.0/16', '10.8.0.0/16'], [7224], [], TGW)));
  const got = await p.waitNotifications(3, 'prefix limit');
  t.match(got[2], { status: 'firing', type: 'prefix-limit', severity: 'critical' });
  t.match(got[2]!.alerts[0]!.labels, { vif: 'dxvif-t2', direction: 'received', afi: 'ipv4' });
});

t.test('a VRP file edit makes a held route invalid: fires after revalidation, resolves when the VRP returns', async (t) => {
  const p = await pipeline(t);
  p.router.write(cat(peerUp(), update(['10.9.0.0/16'], [7224])));
  await until(() => p.daemon.rib.count() === 1, 'route held');
  await writeFile(join(p.dir, 'vrps.json'), JSON.stringify({ roas: [{ asn: 'AS64999', prefix: '10.0.0.0/8', maxLength: 16, ta: 'test' }] }));
  const [n] = await p.waitNotifications(1, 'invalid after the edit');
  t.match(n, { status: 'firing', type: 'rpki-invalid' });
  t.match(n!.summary, /10\.9\.0\.0\/16/);
  t.match(n!.alerts[0]!.labels, { reason: 'as' });
  await writeFile(join(p.dir, 'vrps.json'), JSON.stringify({ roas: [{ asn: 'AS7224', prefix: '10.0.0.0/8', maxLength: 16, ta: 'test' }] }));
  const got = await p.waitNotifications(2, 'resolved after the VRP returns');
  t.match(got[1], { status: 'resolved' });
});

t.test('flood: 10,000 invalid prefixes from one origin on one VIF are one notification per sink', async (t) => {
  const slack = await startReceiver(t);
  const pager = await startReceiver(t, [{ status: 202, body: '{"status":"success"}' }]);
  const p = await pipeline(
    t,
    'holdDown: { fireSeconds: 0, resolveSeconds: 0 }\n  grouping: { waitSeconds: 2, intervalSeconds: 60, maxAlerts: 10 }',
    `    - { name: chat, type: slack, url: "${slack.url}/services/T/B/X" }\n    - { name: pager, type: pagerduty, routingKey: R0UT1NGKEY0123456789abcdef012345, url: "${pager.url}/v2/enqueue" }\n`.replace(/^/, ''),
  );
  const nlri = Array.from({ length: 10_000 }, (_, i) => `10.${100 + (i >> 8)}.${i & 255}.0/24`);
  const started = performance.now();
  const chunks: Buffer[] = [peerUp()];
  for (let i = 0; i < nlri.length; i += 250) chunks.push(update(nlri.slice(i, i + 250), [7224, 64666]));
  p.router.write(cat(...chunks));
  await until(() => p.daemon.rib.count() === 10_000, '10,000 routes held', 30_000);
  const ingestMs = performance.now() - started;
  await until(() => p.daemon.alerts.alerts({ type: 'rpki-invalid' }).length === 10_000, 'every route an alert', 30_000);
  const [n] = await p.waitNotifications(1, 'the grouped webhook notification');
  await slack.waitFor(1);
  await pager.waitFor(1);
  await sleep(500);
  t.equal(p.hook.requests.length, 1, 'one webhook notification');
  t.equal(slack.requests.length, 1, 'one Slack message');
  t.equal(pager.requests.length, 1, 'one PagerDuty event');
  t.match(n, { status: 'firing', type: 'rpki-invalid', counts: { firing: 10_000 }, truncated: true });
  t.equal(n!.alerts.length, 10);
  t.match(JSON.parse(slack.requests[0]!.body).text, /10,000|10000/);
  t.match(JSON.parse(pager.requests[0]!.body), { event_action: 'trigger', payload: { severity: 'critical' } });
  t.comment(`10,000 invalid routes ingested (BMP → RIB → detection → engine) in ${ingestMs.toFixed(0)} ms`);
});

t.test('bmp-session-down when the router goes away, resolved when it reconnects; sub-prefix hijack; a lost ROA', async (t) => {
  const p = await pipeline(t);
  p.router.write(cat(peerUp(), update(['10.20.128.0/17'], [7224, 64666]), update(['10.30.0.0/16'], [7224])));
  const got = await p.waitNotifications(2, 'sub-prefix hijack (and invalid)');
  t.ok(got.some((n) => n.type === 'subprefix-hijack' && n.alerts[0]!.labels.reason === 'origin'), 'sub-prefix hijack with a foreign origin');

  // The ROA covering 10.30.0.0/16 goes away: valid → not-found.
  await writeFile(join(p.dir, 'vrps.json'), JSON.stringify({ roas: [{ asn: 'AS7224', prefix: '10.20.0.0/16', maxLength: 16, ta: 'test' }] }));
  await until(() => p.notifications().some((n) => n.type === 'rpki-vrp-removed'), 'rpki-vrp-removed');
  const removed = p.notifications().find((n) => n.type === 'rpki-vrp-removed')!;
  t.match(removed.alerts[0]!.labels, { prefix: '10.30.0.0/16' });
  t.same(removed.alerts[0]!.evidence.removed, [{ asn: 'AS7224', prefix: '10.0.0.0/8', maxLength: 16 }]);

  p.router.destroy();
  await until(() => p.notifications().some((n) => n.type === 'bmp-session-down' && n.status === 'firing'), 'bmp-session-down');
  const again = connect(p.bmpPort, '127.0.0.1');
  t.teardown(() => again.destroy());
  await until(() => p.notifications().some((n) => n.type === 'bmp-session-down' && n.status === 'resolved'), 'bmp-session-down resolved');
});
