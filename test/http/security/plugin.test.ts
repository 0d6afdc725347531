/**
 * The security plugin in a small fastify app (a read, a write, an
 * announcements route, /metrics, /healthz and a route that forgot its
 * action), configured through the real config parser: signed and unsigned
 * requests, each refusal with its status and reason, the /metrics guard,
 * the rate limit, body limits, raw bodies and security headers.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import t from 'tap';
import { parseConfig } from '../../../src/config/config.js';
import type { HttpSettings } from '../../../src/config/http-config.js';
import { NOOP_LOGGER } from '../../../src/log/logger.js';
import { registerSecurity } from '../../../src/http/security/plugin.js';
import { signRequest } from '../../helpers/sigv4-signer.js';

const KEY = 'AKIAROVDOPS';
const SECRET = 'ops-secret-0123456789abcdef';
const NOW = Date.UTC(2026, 0, 15, 10, 0, 0);

const settingsOf = (yaml: string): HttpSettings => parseConfig(yaml, '/cfg/rovd.yaml').http;

const POLICY_YAML = `
http:
  auth:
    keys: [{ id: ${KEY}, secret: ${SECRET} }, { id: AKIAROVDDEV, secret: dev-secret-0123456789abcdef }]
  policy:
    Version: "2012-10-17"
    Statement:
      - { Sid: deny-office, Effect: Deny, Principal: "*", Action: "rovd:*", Condition: { IpAddress: { "aws:SourceIp": 198.51.100.0/24 } } }
      - { Sid: reads, Effect: Allow, Principal: "*", Action: ["rovd:List*", "rovd:Get*"], Condition: { IpAddress: { "aws:SourceIp": [127.0.0.0/8, 192.0.2.0/24] } } }
      - { Sid: ops, Effect: Allow, Principal: { AWS: ${KEY} }, Action: "rovd:*" }
  rateLimit: { perSecond: 1000, burst: 1000 }
  maxBodyBytes: 1024
  announcementsMaxBodyBytes: 4096
`;

async function appWith(settings: HttpSettings, now: () => number = () => NOW): Promise<FastifyInstance> {
  const app = Fastify();
  registerSecurity(app, { settings, logger: NOOP_LOGGER, now });
  app.addContentTypeParser('application/x-ndjson', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.get('/v1/alerts', { config: { action: 'rovd:ListAlerts' } }, async (req) => ({ principal: req.principal }));
  app.post('/v1/alerts/:id/ack', { config: { action: 'rovd:AckAlert' } }, async (req) => ({ principal: req.principal, body: req.body, raw: req.rawBody?.toString('utf8') }));
  app.post('/v1/announcements', { config: { action: 'rovd:PostAnnouncements' } }, async (req) => ({ principal: req.principal, bytes: (req.body as Buffer).length }));
  app.get('/metrics', { config: { action: 'rovd:GetMetrics' } }, async () => 'rovd_up 1\n');
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/v1/forgot', async () => ({ leaked: true }));
  await app.ready();
  return app;
}

function signedAck(body: string, over: { secret?: string; time?: number; keyId?: string } = {}) {
  const s = signRequest({
    method: 'POST',
    url: '/v1/alerts/a1/ack',
    headers: { host: 'localhost:80', 'content-type': 'application/json' },
    body,
    keyId: over.keyId ?? KEY,
    secret: over.secret ?? SECRET,
    time: over.time ?? NOW,
  });
  return { method: 'POST' as const, url: '/v1/alerts/a1/ack', headers: s.headers, payload: body };
}

t.test('signed and unsigned requests through the policy', async (t) => {
  const app = await appWith(settingsOf(POLICY_YAML));
  t.teardown(() => app.close());
  const body = '{"comment":"on it"}';

  const ok = await app.inject(signedAck(body));
  t.equal(ok.statusCode, 200);
  t.same(ok.json(), { principal: KEY, body: { comment: 'on it' }, raw: body }, 'principal, parsed body and raw body');

  const read = await app.inject({ url: '/v1/alerts' });
  t.equal(read.statusCode, 200);
  t.same(read.json(), { principal: 'anonymous' });
  const signedRead = signRequest({ method: 'GET', url: '/v1/alerts', headers: { host: 'localhost:80' }, keyId: KEY, secret: SECRET, time: NOW });
  t.same((await app.inject({ url: '/v1/alerts', headers: signedRead.headers })).json(), { principal: KEY }, 'a signed read');

  const refused = async (inject: InjectOptions, reason: string | RegExp, what: string) => {
    const r = await app.inject(inject);
    t.equal(r.statusCode, 403, `${what}: 403`);
    t.equal(r.json().error, 'AccessDenied');
    t.match(r.json().reason, reason, `${what}: ${r.json().reason}`);
    t.equal(r.json().message, r.json().reason);
    t.notMatch(r.body, SECRET);
  };
  await refused(signedAck(body, { secret: 'not-the-secret-0123456789' }), /^signature does not match$/, 'wrong secret');
  await refused(signedAck(body, { time: NOW - 10 * 60_000 }), /^request time too skewed/, 'ten-minute-old date');
  await refused({ ...signedAck(body), payload: '{"comment":"on It"}' }, /^signature does not match$/, 'changed body');
  await refused({ method: 'POST', url: '/v1/alerts/a1/ack', payload: body, headers: { 'content-type': 'application/json' } }, /^writes must be signed \(SigV4\)$/, 'unsigned write');
  await refused({ url: '/v1/alerts', remoteAddress: '203.0.113.7' }, 'no statement allows rovd:ListAlerts for anonymous from 203.0.113.7', 'read from outside');
  await refused({ ...signedAck(body), remoteAddress: '198.51.100.9' }, 'denied by statement "deny-office"', 'signed write from the denied range');
  await refused(signedAck(body, { keyId: 'AKIAROVDDEV', secret: 'dev-secret-0123456789abcdef' }), 'no statement allows rovd:AckAlert for AKIAROVDDEV from 127.0.0.1', 'a key without the grant');
  await refused(signedAck(body, { keyId: 'AKIAWHO' }), 'unknown access key id', 'unknown key');
  await refused({ url: '/v1/alerts', headers: { authorization: 'Basic b3BzOm9wcw==' } }, /unsupported Authorization scheme/, 'Basic auth');
  await refused({ url: '/v1/forgot' }, 'the route declares no action', 'a route without an action (fail closed)');
  t.equal((await app.inject({ url: '/healthz', remoteAddress: '203.0.113.7' })).statusCode, 200, '/healthz is open');
  t.equal((await app.inject({ url: '/nowhere' })).statusCode, 404, 'no route: 404');
});

t.test('security headers', async (t) => {
  const app = await appWith(settingsOf(POLICY_YAML));
  t.teardown(() => app.close());
  for (const url of ['/v1/alerts', '/v1/forgot', '/nowhere']) {
    const r = await app.inject({ url });
    t.equal(r.headers['x-content-type-options'], 'nosniff', url);
    t.equal(r.headers['cache-control'], 'no-store', url);
    t.equal(r.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'", url);
    t.equal(r.headers['referrer-policy'], 'no-referrer', url);
    t.equal(r.headers['strict-transport-security'], undefined, `${url}: no HSTS over plain HTTP`);
  }
});

t.test('body limits: the announcements route takes the larger one', async (t) => {
  const app = await appWith(settingsOf(POLICY_YAML));
  t.teardown(() => app.close());
  const big = `{"comment":"${'x'.repeat(2000)}"}`;
  t.equal((await app.inject(signedAck(big))).statusCode, 413, 'over maxBodyBytes');
  const lines = `${'{"prefix":"192.0.2.0/24","asn":64500}\n'.repeat(60)}`;
  const s = signRequest({ method: 'POST', url: '/v1/announcements', headers: { host: 'localhost:80', 'content-type': 'application/x-ndjson' }, body: lines, keyId: KEY, secret: SECRET, time: NOW });
  const r = await app.inject({ method: 'POST', url: '/v1/announcements', headers: s.headers, payload: lines });
  t.equal(r.statusCode, 200, `${lines.length} NDJSON bytes under announcementsMaxBodyBytes`);
  t.same(r.json(), { principal: KEY, bytes: lines.length });
});

t.test('/metrics guard: bearer token and source ranges', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-metrics-guard-'));
  await writeFile(join(dir, 'token'), 'scrape-token-0123456789\n');
  const app = await appWith(settingsOf(`http: { metrics: { bearerTokenFile: ${join(dir, 'token')}, allow: [192.0.2.0/24, "2001:db8::/32"] } }`));
  t.teardown(() => app.close());
  const get = (headers: Record<string, string>, remoteAddress = '192.0.2.10') => app.inject({ url: '/metrics', headers, remoteAddress });
  const missing = await get({});
  t.equal(missing.statusCode, 401);
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="rovd"');
  t.equal(missing.json().reason, 'bearer token missing');
  const wrong = await get({ authorization: 'Bearer scrape-token-012345678' });
  t.equal(wrong.statusCode, 401);
  t.equal(wrong.json().reason, 'bearer token does not match');
  t.equal((await get({ authorization: 'Bearer scrape-token-0123456789' }, '203.0.113.1')).statusCode, 403, 'outside the ranges');
  const ok = await get({ authorization: 'Bearer scrape-token-0123456789' });
  t.equal(ok.statusCode, 200);
  t.equal(ok.body, 'rovd_up 1\n');
  t.equal((await get({ authorization: 'Bearer scrape-token-0123456789' }, '2001:db8::9')).statusCode, 200, 'IPv6 scraper');

  const policyOnly = await appWith(settingsOf('{}'));
  t.teardown(() => policyOnly.close());
  t.equal((await policyOnly.inject({ url: '/metrics' })).statusCode, 200, 'no guard: the default policy allows loopback');
  t.equal((await policyOnly.inject({ url: '/metrics', remoteAddress: '192.0.2.10' })).statusCode, 403, 'no guard: the default policy refuses others');
});

t.test('rate limit per source: 429 with Retry-After, refilled by the clock', async (t) => {
  let now = NOW;
  const app = await appWith(settingsOf('http: { rateLimit: { perSecond: 2, burst: 3 } }'), () => now);
  t.teardown(() => app.close());
  const codes: number[] = [];
  for (let i = 0; i < 4; i++) codes.push((await app.inject({ url: '/v1/alerts' })).statusCode);
  t.same(codes, [200, 200, 200, 429]);
  const limited = await app.inject({ url: '/v1/alerts' });
  t.equal(limited.headers['retry-after'], '1');
  t.equal(limited.json().error, 'TooManyRequests');
  t.equal((await app.inject({ url: '/v1/alerts', remoteAddress: '::1' })).statusCode, 200, 'another source has its own bucket');
  now += 500;
  t.equal((await app.inject({ url: '/v1/alerts' })).statusCode, 200, 'one token back after 500 ms');
  t.equal((await app.inject({ url: '/v1/alerts' })).statusCode, 429);
});

t.test('HSTS over TLS, and a route naming an unknown action fails at startup', async (t) => {
  const s = settingsOf('{}');
  const app = await appWith({ ...s, tls: { certFile: '/x', keyFile: '/y', caFile: undefined, requireClientCert: false } });
  t.teardown(() => app.close());
  t.equal((await app.inject({ url: '/v1/alerts' })).headers['strict-transport-security'], 'max-age=31536000');
  const bad = Fastify();
  registerSecurity(bad, { settings: s, logger: NOOP_LOGGER });
  t.throws(() => bad.get('/x', { config: { action: 'rovd:ListAlert' } }, async () => ''), /config\.action "rovd:ListAlert" is not an action/);
  await bad.close();
});
