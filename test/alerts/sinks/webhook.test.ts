/**
 * The generic webhook against a local receiver: the body's fields, the
 * Idempotency-Key and User-Agent, and the X-Rovd-Signature checked here
 * with node:crypto from the secret (a wrong secret, a changed body and an
 * old timestamp fail); config refusals.
 */
import t from 'tap';
import { createHmac } from 'node:crypto';
import { SinkConfigError } from '../../../src/alerts/sinks/sink-config-error.js';
import { signWebhook, verifyWebhookSignature } from '../../../src/alerts/sinks/webhook-signature.js';
import { WebhookSink } from '../../../src/alerts/sinks/webhook.js';
import { caught } from '../../helpers/errors.js';
import { startReceiver } from '../../helpers/receiver.js';
import { firing, T0 } from './fixtures.js';

const SECRET = 'whsec_correct-horse-battery-staple';

t.test('POSTs the notification, signed', async (t) => {
  const r = await startReceiver(t, [{ status: 204 }]);
  const now = T0 + 5000;
  const sink = new WebhookSink({ name: 'hook', url: `${r.url}/rovd`, secret: SECRET, headers: { Authorization: 'Bearer abc' }, now: () => now });
  t.equal(sink.kind, 'webhook');
  const n = firing(3);
  const result = await sink.deliver(n, new AbortController().signal);
  t.same(result, { ok: true, status: 204 });
  const req = r.requests[0]!;
  t.equal(req.path, '/rovd');
  t.equal(req.headers['idempotency-key'], n.id);
  t.match(req.headers['user-agent'], /^rovd\/\d+\.\d+\.\d+/);
  t.equal(req.headers.authorization, 'Bearer abc');

  const body = JSON.parse(req.body) as Record<string, unknown>;
  t.same(Object.keys(body).sort(), ['alerts', 'counts', 'createdAt', 'groupKey', 'groupLabels', 'id', 'severity', 'status', 'summary', 'truncated', 'type', 'version'].sort());
  t.match(body, { version: 1, id: n.id, groupKey: n.groupKey, status: 'firing', type: 'origin-hijack', severity: 'critical', counts: { firing: 3, resolved: 0 }, truncated: false, createdAt: '2026-03-01T12:00:00.000Z' });
  t.same(body.alerts, JSON.parse(JSON.stringify(n.alerts)), 'full alert snapshots');

  // The check a receiver does, written out from the documented scheme.
  const header = String(req.headers['x-rovd-signature']);
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  t.ok(m, header);
  t.equal(Number(m![1]), Math.floor(now / 1000));
  const expected = createHmac('sha256', SECRET).update(`${m![1]}.${req.body}`).digest('hex');
  t.equal(m![2], expected, 'HMAC-SHA256(secret, "t.body")');
  const wrong = createHmac('sha256', 'not-the-secret').update(`${m![1]}.${req.body}`).digest('hex');
  t.not(m![2], wrong, 'a wrong secret does not verify');

  const nowS = Math.floor(now / 1000);
  t.ok(verifyWebhookSignature(header, req.body, SECRET, nowS));
  t.notOk(verifyWebhookSignature(header, req.body, 'not-the-secret', nowS), 'wrong secret');
  t.notOk(verifyWebhookSignature(header, req.body.replace('critical', 'info'), SECRET, nowS), 'changed body');
  t.notOk(verifyWebhookSignature(header, req.body, SECRET, nowS + 301), 'too old');
  t.notOk(verifyWebhookSignature(undefined, req.body, SECRET, nowS));
  t.notOk(verifyWebhookSignature(`v1=${m![2]}`, req.body, SECRET, nowS), 'no t');
  t.ok(verifyWebhookSignature(`t=${nowS},v1=${'0'.repeat(64)},v1=${m![2]}`, req.body, SECRET, nowS), 'any v1 (rotation)');
  t.equal(signWebhook(SECRET, nowS, req.body), header);
  t.notMatch(JSON.stringify(sink), SECRET, 'the secret is not in the serialised sink');
});

t.test('without a secret there is no signature; a retry keeps the key, re-signs', async (t) => {
  const r = await startReceiver(t, [{ status: 200 }]);
  const plain = new WebhookSink({ name: 'hook', url: r.url });
  await plain.deliver(firing(1), new AbortController().signal);
  t.equal(r.requests[0]!.headers['x-rovd-signature'], undefined);
  let now = T0;
  const signed = new WebhookSink({ name: 'hook', url: r.url, secret: SECRET, now: () => now });
  const n = firing(1);
  await signed.deliver(n, new AbortController().signal);
  now += 3_600_000;
  await signed.deliver(n, new AbortController().signal);
  t.equal(r.requests[1]!.headers['idempotency-key'], r.requests[2]!.headers['idempotency-key']);
  t.not(r.requests[1]!.headers['x-rovd-signature'], r.requests[2]!.headers['x-rovd-signature'], 'fresh t');
});

t.test('config refusals name the key', async (t) => {
  t.match(caught(() => new WebhookSink({ name: 'h', url: 'not a url' })), { name: 'SinkConfigError', key: 'url' });
  t.match(caught(() => new WebhookSink({ name: 'h', url: 'ftp://x/' })), { key: 'url', message: /http: or https:/ });
  t.match(caught(() => new WebhookSink({ name: 'h', url: 'https://u:p@x/' })), { key: 'url', message: /credentials/ });
  t.match(caught(() => new WebhookSink({ name: 'h', url: 'https://x/', secret: '' })), { key: 'secret' });
  t.match(caught(() => new WebhookSink({ name: 'h', url: 'https://x/', timeoutMs: 0 })), { key: 'timeoutMs' });
  t.match(caught(() => new WebhookSink({ name: 'h', url: 'https://x/', headers: { 'Idempotency-Key': 'x' } })), { key: 'headers.Idempotency-Key' });
  t.ok(caught(() => new WebhookSink({ name: 'h', url: 'nope' })) instanceof SinkConfigError);
});
