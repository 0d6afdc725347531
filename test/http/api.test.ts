/**
 * Contract tests for every endpoint of the API (without the security
 * plugin: test/http/security/ covers that): answers, their shapes, and the
 * error shapes for bad input. A real Daemon holds the state; routes come in
 * through POST /api/v1/announcements, the same pipeline as BMP.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { parseConfig } from '../../src/config/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { buildApiServer } from '../../src/http/server.js';

async function api(t: Test): Promise<{ app: FastifyInstance; daemon: Daemon }> {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-api-'));
  await writeFile(
    join(dir, 'vrps.json'),
    JSON.stringify({
      roas: [
        { asn: 'AS7224', prefix: '10.0.0.0/8', maxLength: 16, ta: 'test' },
        { asn: 'AS64500', prefix: '203.0.113.0/24', maxLength: 24, ta: 'test' },
      ],
    }),
  );
  const config = parseConfig(
    `
rpki: { files: [vrps.json] }
bmp: { listen: "127.0.0.1:0" }
store: { dir: state }
vifs:
  - { id: dxvif-a1, type: private, region: us-east-1, router: 192.0.2.1, peers: [{ address: 169.254.0.1, asn: 7224 }], awsPrefixes: [10.0.0.0/8], prefixLimit: 10 }
  - { id: dxvif-b2, type: public, router: 192.0.2.1, peers: [{ address: 169.254.1.1, asn: 7224 }] }
alerts:
  holdDown: { fireSeconds: 0, resolveSeconds: 0 }
`,
    join(dir, 'rovd.yaml'),
  );
  const daemon = new Daemon({ config, summaryIntervalMs: 0, alertTickMs: 20 });
  await daemon.start();
  const app = await buildApiServer({ daemon, version: '0.0.0-test', metrics: { contentType: 'text/plain; version=0.0.4', render: async () => 'rovd_test 1\n' } });
  t.teardown(async () => {
    await app.close();
    await daemon.stop();
  });
  return { app, daemon };
}

const ndjson = (lines: object[]) => ({ method: 'POST' as const, url: '/api/v1/announcements', headers: { 'content-type': 'application/x-ndjson' }, payload: lines.map((l) => JSON.stringify(l)).join('\n') + '\n' });

t.test('validity: one route and a batch, Routinator shape; bad ASN, prefix and batch are 400s', async (t) => {
  const { app } = await api(t);
  const one = await app.inject({ url: '/api/v1/validity/AS7224/10.1.0.0/24' });
  t.equal(one.statusCode, 200);
  const body = one.json();
  t.match(body.validated_route, { route: { origin_asn: 'AS7224', prefix: '10.1.0.0/24' }, validity: { state: 'invalid', reason: 'length', VRPs: { unmatched_length: [{ asn: 'AS7224', prefix: '10.0.0.0/8', max_length: 16 }] } } });
  t.match(body.validated_route.validity.description, /authorised only up to \/16/);
  t.ok(Date.parse(body.generatedTime) > 0);
  t.match((await app.inject({ url: '/api/v1/validity/64500/203.0.113.0/24' })).json().validated_route.validity, { state: 'valid' });
  t.match((await app.inject({ url: '/api/v1/validity/AS1/2001:db8::/32' })).json().validated_route.validity, { state: 'not-found' });

  const batch = await app.inject({ method: 'POST', url: '/api/v1/validity', payload: { routes: [{ asn: 'AS7224', prefix: '10.0.0.0/16' }, { asn: 64501, prefix: '203.0.113.0/24' }] } });
  t.equal(batch.statusCode, 200);
  t.same(batch.json().validated_routes.map((r: { validated_route: { validity: { state: string } } }) => r.validated_route.validity.state), ['valid', 'invalid']);

  const bad = async (req: InjectOptions, message: RegExp) => {
    const r = await app.inject(req);
    t.equal(r.statusCode, 400, String(message));
    t.match(r.json(), { error: 'BadRequest', message });
  };
  await bad({ url: '/api/v1/validity/ASX/10.0.0.0/8' }, /params\/asn: "ASX" is not an AS number/);
  await bad({ url: '/api/v1/validity/AS1/10.0.0.1/8' }, /params\/prefix: "10\.0\.0\.1\/8" is not a prefix/);
  await bad({ method: 'POST', url: '/api/v1/validity', payload: { routes: Array.from({ length: 1001 }, () => ({ asn: 1, prefix: '10.0.0.0/8' })) } }, /body\/routes must NOT have more than 1000 items/);
  await bad({ method: 'POST', url: '/api/v1/validity', payload: { routes: [{ asn: 1, prefix: '10.0.0.0/8', extra: 1 }] } }, /must NOT have additional properties/);
  await bad({ method: 'POST', url: '/api/v1/validity', payload: { routes: [{ asn: 'x', prefix: '10.0.0.0/8' }] } }, /body\/routes\/0\/asn/);
  const nf = await app.inject({ url: '/api/v1/nothing' });
  t.equal(nf.statusCode, 404);
  t.same(nf.json(), { error: 'NotFound', message: 'no route GET /api/v1/nothing' });
});

t.test('announcements feed the RIB and detection; routes, VIFs and alerts are listed and filtered', async (t) => {
  const { app, daemon } = await api(t);
  const r = await app.inject(
    ndjson([
      { action: 'announce', vif: 'dxvif-a1', prefix: '10.1.0.0/16', asPath: [7224] },
      { action: 'announce', vif: 'dxvif-a1', prefix: '10.2.0.0/24', asPath: '7224 64511', communities: ['7224:8100', 'NO_EXPORT'] },
      { action: 'announce', vif: 'dxvif-a1', prefix: '172.16.0.0/16', asPath: [7224] },
      { action: 'announce', vif: 'dxvif-b2', prefix: '52.94.0.0/22', asPath: [7224, 16509], communities: ['NO_EXPORT'] },
    ]),
  );
  t.same(r.json(), { announced: 4, replaced: 0, withdrawn: 0, unchanged: 0 });
  t.equal(daemon.rib.count(), 4);

  const all = (await app.inject({ url: '/api/v1/routes' })).json();
  t.equal(all.items.length, 4);
  t.notOk(all.next);
  const inv = (await app.inject({ url: '/api/v1/routes?state=invalid' })).json().items;
  t.same(inv.map((x: { prefix: string }) => x.prefix), ['10.2.0.0/24']);
  t.match(inv[0], { vif: 'dxvif-a1', router: '192.0.2.1', peer: '169.254.0.1', rib: 'adj-rib-in-pre', direction: 'received', origin: 'AS64511', asPath: '7224 64511', communities: ['7224:8100', '65535:65281'], state: 'invalid', stale: false });
  t.same((await app.inject({ url: '/api/v1/routes?prefix=10.0.0.0/8&match=covered' })).json().items.map((x: { prefix: string }) => x.prefix).sort(), ['10.1.0.0/16', '10.2.0.0/24']);
  t.same((await app.inject({ url: '/api/v1/routes?prefix=10.1.2.0/24&match=covering' })).json().items.map((x: { prefix: string }) => x.prefix), ['10.1.0.0/16']);
  t.same((await app.inject({ url: '/api/v1/routes?prefix=10.1.0.0/16' })).json().items.length, 1, 'exact by default');
  t.same((await app.inject({ url: '/api/v1/routes?vif=dxvif-b2' })).json().items.map((x: { prefix: string }) => x.prefix), ['52.94.0.0/22']);
  t.same((await app.inject({ url: '/api/v1/routes?origin=AS16509' })).json().items.length, 1);
  const p1 = (await app.inject({ url: '/api/v1/routes?limit=3' })).json();
  t.equal(p1.items.length, 3);
  const p2 = (await app.inject({ url: `/api/v1/routes?limit=3&cursor=${p1.next}` })).json();
  t.equal(p2.items.length, 1);
  t.notOk(p2.next);
  t.match((await app.inject({ url: '/api/v1/routes?limit=0' })).json(), { error: 'BadRequest', message: /querystring\/limit must be >= 1/ });
  t.match((await app.inject({ url: '/api/v1/routes?cursor=!!' })).json(), { error: 'BadRequest' });
  t.match((await app.inject({ url: '/api/v1/routes?cursor=eHl6' })).json(), { error: 'BadRequest', message: /not a cursor/ });
  t.match((await app.inject({ url: '/api/v1/routes?prefix=banana' })).json(), { error: 'BadRequest', message: /querystring\/prefix/ });
  t.match((await app.inject({ url: '/api/v1/routes?state=bogus' })).json(), { error: 'BadRequest', message: /querystring\/state must be equal to one of the allowed values/ });

  const vifs = (await app.inject({ url: '/api/v1/vifs' })).json().items;
  t.same(vifs.map((v: { id: string }) => v.id), ['dxvif-a1', 'dxvif-b2']);
  const a1 = (await app.inject({ url: '/api/v1/vifs/dxvif-a1' })).json();
  t.match(a1, { id: 'dxvif-a1', type: 'private', region: 'us-east-1', prefixLimit: 10, awsPrefixes: ['10.0.0.0/8'], tables: [{ peer: '169.254.0.1', rib: 'adj-rib-in-pre', ipv4: { valid: 1, invalid: 1, notFound: 1 } }] });
  t.equal((await app.inject({ url: '/api/v1/vifs/dxvif-zz9' })).statusCode, 404);
  t.equal((await app.inject({ url: '/api/v1/vifs/not-a-vif' })).statusCode, 400);

  // Alerts: the invalid route and the prefix outside the VIF's AWS ranges.
  await new Promise((res) => setTimeout(res, 100));
  const alerts = (await app.inject({ url: '/api/v1/alerts?status=firing' })).json();
  t.same(alerts.items.map((a: { type: string }) => a.type).sort(), ['rpki-invalid', 'unexpected-prefix']);
  t.equal(alerts.total, 2);
  const invalid = alerts.items.find((a: { type: string }) => a.type === 'rpki-invalid');
  t.match(invalid, { severity: 'critical', status: 'firing', labels: { prefix: '10.2.0.0/24', vif: 'dxvif-a1' }, evidence: { vrpSet: /^bafyrei[a-z2-7]{52}$/, details: { generation: 1 } }, asPath: [7224, 64511], silencedBy: [], acknowledged: null });
  t.same((await app.inject({ url: '/api/v1/alerts?type=unexpected-prefix' })).json().items.length, 1);
  t.same((await app.inject({ url: '/api/v1/alerts?vif=dxvif-b2' })).json().items.length, 0);
  t.match((await app.inject({ url: '/api/v1/alerts?type=hijack' })).json(), { error: 'BadRequest' });
  t.match((await app.inject({ url: `/api/v1/alerts/${invalid.id}` })).json(), { id: invalid.id, type: 'rpki-invalid' });
  t.equal((await app.inject({ url: '/api/v1/alerts/0123456789abcdef' })).statusCode, 404);
  t.equal((await app.inject({ url: '/api/v1/alerts/xyz' })).statusCode, 400);

  const ack = await app.inject({ method: 'POST', url: `/api/v1/alerts/${invalid.id}/ack`, payload: { comment: 'looking' } });
  t.equal(ack.statusCode, 200);
  t.match(ack.json().acknowledged, { by: 'anonymous', comment: 'looking' });

  // Withdraw: resolved; a resolved alert cannot be acknowledged.
  t.same((await app.inject(ndjson([{ action: 'withdraw', vif: 'dxvif-a1', prefix: '10.2.0.0/24' }, { action: 'withdraw', vif: 'dxvif-a1', prefix: '10.9.0.0/24' }]))).json(), { announced: 0, replaced: 0, withdrawn: 1, unchanged: 1 });
  await new Promise((res) => setTimeout(res, 100));
  t.equal((await app.inject({ url: `/api/v1/alerts/${invalid.id}` })).json().status, 'resolved');
  const late = await app.inject({ method: 'POST', url: `/api/v1/alerts/${invalid.id}/ack`, payload: {} });
  t.equal(late.statusCode, 409);
  t.match(late.json(), { error: 'Conflict', message: /only firing alerts/ });
});

t.test('announcements are all or nothing, with line numbers', async (t) => {
  const { app, daemon } = await api(t);
  const r = await app.inject({
    method: 'POST',
    url: '/api/v1/announcements',
    headers: { 'content-type': 'application/x-ndjson' },
    payload: [
      JSON.stringify({ action: 'announce', vif: 'dxvif-a1', prefix: '10.1.0.0/16', asPath: [7224] }),
      '{oops',
      JSON.stringify({ action: 'announce', vif: 'dxvif-nope', prefix: '10.1.0.0/16' }),
      JSON.stringify({ action: 'jump', vif: 'dxvif-a1', prefix: '10.1.0.0/16' }),
      JSON.stringify({ action: 'announce', vif: 'dxvif-a1', prefix: '10.1.0.1/16' }),
      JSON.stringify({ action: 'announce', vif: 'dxvif-a1', prefix: '10.1.0.0/16', communities: ['x'] }),
      JSON.stringify({ action: 'announce', vif: 'dxvif-a1', prefix: '10.1.0.0/16', color: 'red' }),
      JSON.stringify({ action: 'announce', vif: 'dxvif-a1', prefix: '10.1.0.0/16', direction: 'sideways' }),
      JSON.stringify({ action: 'announce', vif: 'dxvif-a1', prefix: '10.1.0.0/16', asPath: 'x y' }),
    ].join('\n'),
  });
  t.equal(r.statusCode, 400);
  const body = r.json();
  t.match(body, { error: 'BadRequest', message: /8 bad line\(s\); nothing was applied \(first: line 2: not JSON/ });
  t.same(body.lines.map((l: { line: number }) => l.line), [2, 3, 4, 5, 6, 7, 8, 9]);
  t.match(body.lines[1].message, /vif: expected the id of a configured VIF/);
  t.equal(daemon.rib.count(), 0, 'nothing applied');
  const advertised = await app.inject(ndjson([{ action: 'announce', vif: 'dxvif-a1', prefix: '10.1.0.0/16', asPath: [], direction: 'advertised' }]));
  t.same(advertised.json(), { announced: 1, replaced: 0, withdrawn: 0, unchanged: 0 });
  t.equal((await app.inject({ url: '/api/v1/routes' })).json().items[0].rib, 'adj-rib-out-pre');
  const wrongType = await app.inject({ method: 'POST', url: '/api/v1/announcements', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
  t.equal(wrongType.statusCode, 415);
  t.match(wrongType.json(), { error: 'UnsupportedMediaType' });
});

t.test('what-if: routes whose state a VRP change would change', async (t) => {
  const { app, daemon } = await api(t);
  await app.inject(
    ndjson([
      { action: 'announce', vif: 'dxvif-a1', prefix: '10.1.0.0/16', asPath: [7224] },
      { action: 'announce', vif: 'dxvif-a1', prefix: '10.2.0.0/24', asPath: [7224] },
      { action: 'announce', vif: 'dxvif-b2', prefix: '203.0.113.0/24', asPath: [7224, 64500] },
    ]),
  );
  await daemon.vrpSets.idle();
  const remove = await app.inject({ method: 'POST', url: '/api/v1/whatif', payload: { remove: [{ asn: 'AS7224', prefix: '10.0.0.0/8', maxLength: 16 }] } });
  t.equal(remove.statusCode, 200);
  const w = remove.json();
  t.match(w, { vrpSet: daemon.vrpSets.id(1), added: 0, removed: 1, affectedPrefixes: ['10.0.0.0/8'], visited: 2, changed: 2 });
  t.match(w.vrpSet, /^bafyrei[a-z2-7]{52}$/, 'the CID of the set compared against');
  t.same(w.changes.map((c: { route: { prefix: string }; from: string; to: string }) => `${c.route.prefix} ${c.from}->${c.to}`).sort(), ['10.1.0.0/16 valid->not-found', '10.2.0.0/24 invalid->not-found']);
  const add = (await app.inject({ method: 'POST', url: '/api/v1/whatif', payload: { add: [{ asn: 7224, prefix: '10.2.0.0/16', maxLength: 24 }], vif: 'dxvif-a1' } })).json();
  t.match(add, { added: 1, removed: 0, changed: 1, changes: [{ route: { prefix: '10.2.0.0/24' }, from: 'invalid', to: 'valid' }] });
  const whole = (await app.inject({ method: 'POST', url: '/api/v1/whatif', payload: { vrps: [{ asn: 'AS64501', prefix: '203.0.113.0/24' }], limit: 1 } })).json();
  t.match(whole, { added: 1, removed: 2, changed: 3 });
  t.equal(whole.changes.length, 1, 'limited');
  t.match((await app.inject({ method: 'POST', url: '/api/v1/whatif', payload: {} })).json(), { error: 'BadRequest', message: /give add and\/or remove, or vrps/ });
  t.match((await app.inject({ method: 'POST', url: '/api/v1/whatif', payload: { vrps: [], add: [] } })).json(), { error: 'BadRequest', message: /not both/ });
  t.match((await app.inject({ method: 'POST', url: '/api/v1/whatif', payload: { add: [{ asn: 1, prefix: '10.0.0.0/8', maxLength: 4 }] } })).json(), { error: 'BadRequest', message: /body\/add\/0/ });
});

t.test('silences: create, list, hide from notifications, expire; bad matchers are 400s', async (t) => {
  const { app } = await api(t);
  const endsAt = new Date(Date.now() + 3_600_000).toISOString();
  const created = await app.inject({ method: 'POST', url: '/api/v1/silences', payload: { matchers: '{type="rpki-invalid", origin="AS64511"}', endsAt, comment: 'known leak' } });
  t.equal(created.statusCode, 201);
  const s = created.json();
  t.match(s, { matchers: ['type="rpki-invalid"', 'origin="AS64511"'], createdBy: 'anonymous', comment: 'known leak', state: 'active' });
  await app.inject(ndjson([{ action: 'announce', vif: 'dxvif-a1', prefix: '10.2.0.0/24', asPath: [7224, 64511] }]));
  await new Promise((res) => setTimeout(res, 100));
  const a = (await app.inject({ url: '/api/v1/alerts?type=rpki-invalid' })).json().items[0];
  t.same(a.silencedBy, [s.id], 'visible, marked silenced');
  t.same((await app.inject({ url: '/api/v1/silences' })).json().items.map((x: { id: string }) => x.id), [s.id]);
  const gone = await app.inject({ method: 'DELETE', url: `/api/v1/silences/${s.id}` });
  t.equal(gone.statusCode, 200);
  t.equal(gone.json().state, 'expired');
  t.equal((await app.inject({ method: 'DELETE', url: '/api/v1/silences/nope' })).statusCode, 404);
  t.match((await app.inject({ method: 'POST', url: '/api/v1/silences', payload: { matchers: '{type=~"("}', endsAt } })).json(), { error: 'BadRequest', message: /body\/matchers/ });
  t.match((await app.inject({ method: 'POST', url: '/api/v1/silences', payload: { matchers: '{type="x"}', endsAt: '2001-01-01T00:00:00Z' } })).json(), { error: 'BadRequest', message: /endsAt must be after/ });
  t.match((await app.inject({ method: 'POST', url: '/api/v1/silences', payload: { matchers: '{type="x"}' } })).json(), { error: 'BadRequest', message: /must have required property 'endsAt'/ });
});

t.test('status, health, readiness, metrics and the OpenAPI document', async (t) => {
  const { app, daemon } = await api(t);
  t.same((await app.inject({ url: '/healthz' })).json(), { status: 'ok' });
  const ready = await app.inject({ url: '/readyz' });
  t.equal(ready.statusCode, 200);
  t.match(ready.json(), { status: 'ready', checks: { vrps: { ok: true }, rpkiFresh: { ok: true }, store: { ok: true }, bmp: { ok: true } } });
  const status = (await app.inject({ url: '/api/v1/status' })).json();
  t.match(status, { version: '0.0.0-test', rpki: { vrps: 2, generation: 1, stale: false }, bmp: { listening: true }, routes: { valid: 0 }, outbox: { pending: 0 } });
  t.ok(status.uptimeSeconds >= 0);
  const metrics = await app.inject({ url: '/metrics' });
  t.equal(metrics.body, 'rovd_test 1\n');
  t.match(metrics.headers['content-type'], /text\/plain/);
  const doc = (await app.inject({ url: '/docs/json' })).json();
  t.equal(doc.openapi, '3.0.3');
  t.ok(Object.keys(doc.paths).some((p) => p.startsWith('/api/v1/validity/{asn}/')), 'documented: the validity look-up');
  for (const path of ['/api/v1/validity', '/api/v1/routes', '/api/v1/vifs', '/api/v1/vifs/{id}', '/api/v1/alerts', '/api/v1/alerts/{id}', '/api/v1/alerts/{id}/ack', '/api/v1/silences', '/api/v1/silences/{id}', '/api/v1/whatif', '/api/v1/announcements', '/api/v1/status', '/healthz', '/readyz']) {
    t.ok(doc.paths[path], `documented: ${path}`);
  }
  t.equal((await app.inject({ url: '/docs' })).statusCode < 400, true, 'the UI is served');
  await daemon.stop();
  const notReady = await app.inject({ url: '/readyz' });
  t.equal(notReady.statusCode, 503);
  t.match(notReady.json().checks.bmp, { ok: false });
});
