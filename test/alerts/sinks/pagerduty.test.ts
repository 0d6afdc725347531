/**
 * The PagerDuty sink against a local receiver: trigger and resolve events
 * checked against the Events API v2 schema (required fields, enums,
 * lengths), dedup_key = groupKey, 202 success, 400 permanent, 429 with
 * Retry-After retryable; the routing key never in an error.
 */
import t, { type Test } from 'tap';
import { dedupKeyOf, PAGERDUTY_EVENTS_URL, PagerDutySink, pagerDutyEvent } from '../../../src/alerts/sinks/pagerduty.js';
import { caught } from '../../helpers/errors.js';
import { startReceiver } from '../../helpers/receiver.js';
import { firing, resolvedOf } from './fixtures.js';

const KEY = 'R0123456789abcdefABCDEF012345678';

/** https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ and .../resolve-events/ */
function checkEventsV2(t: Test, e: Record<string, unknown>): void {
  t.equal(typeof e.routing_key, 'string');
  t.equal((e.routing_key as string).length, 32, 'routing_key is a 32-character integration key');
  t.ok(['trigger', 'acknowledge', 'resolve'].includes(e.event_action as string), 'event_action enum');
  if (e.dedup_key !== undefined) t.ok(typeof e.dedup_key === 'string' && e.dedup_key.length >= 1 && e.dedup_key.length <= 255, 'dedup_key <= 255');
  if (e.event_action === 'resolve') {
    t.same(Object.keys(e).sort(), ['dedup_key', 'event_action', 'routing_key'], 'resolve carries only routing_key, event_action, dedup_key');
    return;
  }
  const p = e.payload as Record<string, unknown>;
  t.ok(p && typeof p === 'object', 'payload required for trigger');
  t.ok(typeof p.summary === 'string' && p.summary.length >= 1 && p.summary.length <= 1024, 'summary 1..1024');
  t.ok(typeof p.source === 'string' && p.source.length >= 1, 'source required');
  t.ok(['critical', 'error', 'warning', 'info'].includes(p.severity as string), 'severity enum');
  if (p.timestamp !== undefined) t.ok(!Number.isNaN(Date.parse(p.timestamp as string)) && /T.*Z$/.test(p.timestamp as string), 'timestamp ISO 8601');
  for (const k of ['component', 'group', 'class']) if (p[k] !== undefined) t.type(p[k], 'string', `${k} is a string`);
  if (p.custom_details !== undefined) t.type(p.custom_details, 'object');
  const allowed = new Set(['summary', 'source', 'severity', 'timestamp', 'component', 'group', 'class', 'custom_details']);
  for (const k of Object.keys(p)) t.ok(allowed.has(k), `payload.${k} is in the schema`);
  const top = new Set(['routing_key', 'event_action', 'dedup_key', 'payload', 'images', 'links', 'client', 'client_url']);
  for (const k of Object.keys(e)) t.ok(top.has(k), `${k} is in the schema`);
  if (e.links !== undefined) for (const l of e.links as Array<Record<string, unknown>>) t.type(l.href, 'string');
  t.ok(Buffer.byteLength(JSON.stringify(e)) <= 512 * 1024, 'under 512 KB');
}

t.test('trigger then resolve on one incident', async (t) => {
  const r = await startReceiver(t, [{ status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"x"}' }]);
  const sink = new PagerDutySink({ name: 'pd', routingKey: KEY, url: `${r.url}/v2/enqueue`, source: 'rovd.example.net', clientUrl: 'https://rovd.example.net/' });
  t.equal(sink.kind, 'pagerduty');
  const n = firing(3);
  t.same(await sink.deliver(n, new AbortController().signal), { ok: true, status: 202 });
  t.same(await sink.deliver(resolvedOf(n), new AbortController().signal), { ok: true, status: 202 });
  const [trigger, resolve] = r.requests.map((q) => JSON.parse(q.body) as Record<string, unknown>);
  t.equal(r.requests[0]!.path, '/v2/enqueue');
  checkEventsV2(t, trigger!);
  checkEventsV2(t, resolve!);
  t.match(trigger, {
    routing_key: KEY,
    event_action: 'trigger',
    dedup_key: n.groupKey,
    payload: { source: 'rovd.example.net', severity: 'critical', timestamp: '2026-03-01T12:00:00.000Z', component: 'vif dxvif-ffabc123', class: 'origin-hijack', custom_details: { notification: n.id, firing: 3, alerts: [{ line: /^198\.51\.0\.0\/32 · origin AS64500/ }] } },
    client: /^rovd\//,
    client_url: 'https://rovd.example.net/',
    links: [{ href: 'https://rovd.example.net/', text: 'rovd' }],
  });
  t.same(resolve, { routing_key: KEY, event_action: 'resolve', dedup_key: n.groupKey });
});

t.test('limits: summary, dedup_key, 512 KB', async (t) => {
  const big = firing(200, { summary: 's'.repeat(5000), groupKey: 'g'.repeat(300), groupLabels: { type: 'origin-hijack', region: 'eu-west-1' } });
  const withDescription = { ...big, alerts: big.alerts.map((a) => ({ ...a, description: 'd'.repeat(10_000) })) };
  const e = pagerDutyEvent(withDescription, { routingKey: KEY, source: 'h', maxAlerts: 200 }) as unknown as Record<string, unknown>;
  checkEventsV2(t, e);
  const p = e.payload as { summary: string; group: string; component?: string; custom_details: { alerts: unknown[]; truncated: boolean } };
  t.equal(p.summary.length, 1024);
  t.equal(p.group, 'eu-west-1');
  t.equal(p.component, undefined, 'no vif, no router: no component');
  t.ok(p.custom_details.alerts.length < 200, `${p.custom_details.alerts.length} alerts listed`);
  t.equal(p.custom_details.truncated, true);
  t.equal(e.dedup_key, dedupKeyOf('g'.repeat(300)));
  t.match(e.dedup_key, /^sha256:[0-9a-f]{64}$/);
  t.equal(dedupKeyOf('short'), 'short');
  const router = pagerDutyEvent(firing(1, { groupLabels: { type: 'bmp-session-down', router: 'edge1' } }), { routingKey: KEY, source: 'h' });
  t.match(router, { payload: { component: 'router edge1' } });
});

t.test('outcomes; the routing key never in an error; config refusals', async (t) => {
  const r = await startReceiver(t, [
    { status: 400, body: '{"status":"invalid event","message":"Event object is invalid","errors":["Length of \'routing_key\' is incorrect"]}' },
    { status: 429, headers: { 'retry-after': '30' } },
  ]);
  const sink = new PagerDutySink({ name: 'pd', routingKey: KEY, url: r.url });
  const bad = await sink.deliver(firing(1), new AbortController().signal);
  t.match(bad, { ok: false, retryable: false, status: 400, error: /invalid event/ });
  t.match(await sink.deliver(firing(1), new AbortController().signal), { ok: false, retryable: true, status: 429, retryAfterMs: 30_000 });
  t.notMatch(JSON.stringify(bad), KEY);
  t.match(caught(() => new PagerDutySink({ name: 'pd', routingKey: 'short' })), { name: 'SinkConfigError', key: 'routingKey' });
  t.match(caught(() => new PagerDutySink({ name: 'pd', routingKey: KEY, clientUrl: 'nope' })), { key: 'clientUrl' });
  t.equal(new PagerDutySink({ name: 'pd', routingKey: KEY }).url.href, PAGERDUTY_EVENTS_URL);
});
