/**
 * The API as `rovd run` serves it (startApi): over a real socket, with the
 * security plugin from the config's `http` section. A signed write is
 * accepted and attributed to its key; an unsigned write, a bad signature
 * and a read the policy does not allow are refused with 403 and a reason;
 * /metrics wants its bearer token; security headers are on.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig } from '../../src/config/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { startApi } from '../../src/http/serve.js';
import { NOOP_LOGGER } from '../../src/log/logger.js';
import { signRequest } from '../helpers/sigv4-signer.js';

const KEY = { id: 'AKIDROVDTEST0001', secret: 'rovd-test-secret-key-0123456789abcdef' };

t.test('signed writes, refused ones, the policy, the metrics token', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-serve-'));
  await writeFile(join(dir, 'vrps.json'), JSON.stringify({ roas: [{ asn: 'AS7224', prefix: '10.0.0.0/8', maxLength: 16, ta: 'test' }] }));
  await writeFile(join(dir, 'token'), 'scrape-token-0123456789\n');
  const config = parseConfig(
    `
rpki: { files: [vrps.json] }
bmp: { listen: "127.0.0.1:0" }
vifs:
  - { id: dxvif-a1, type: private, router: 192.0.2.1, peers: [{ address: 169.254.0.1, asn: 7224 }] }
alerts: { holdDown: { fireSeconds: 0, resolveSeconds: 0 } }
http:
  listen: "127.0.0.1:0"
  auth:
    region: eu-west-1
    keys: [{ id: ${KEY.id}, secret: ${KEY.secret} }]
  policy:
    Version: "2012-10-17"
    Statement:
      - { Sid: reads, Effect: Allow, Principal: "*", Action: ["rovd:Get*", "rovd:List*"], Condition: { IpAddress: { "aws:SourceIp": ["127.0.0.0/8"] } } }
      - { Sid: writes, Effect: Allow, Principal: { AWS: [${KEY.id}] }, Action: ["rovd:PostAnnouncements", "rovd:AckAlert"] }
      - { Sid: no-status, Effect: Deny, Principal: "*", Action: "rovd:GetStatus" }
  metrics: { bearerTokenFile: token }
`,
    join(dir, 'rovd.yaml'),
  );
  const daemon = new Daemon({ config, summaryIntervalMs: 0 });
  await daemon.start();
  const api = await startApi(daemon, config.http, NOOP_LOGGER);
  t.teardown(async () => {
    await api.close();
    await daemon.stop();
  });
  const host = new URL(api.url).host;

  const read = await fetch(`${api.url}/api/v1/validity/AS7224/10.0.0.0/16`);
  t.equal(read.status, 200, 'anonymous read from loopback');
  t.equal(read.headers.get('x-content-type-options'), 'nosniff');
  t.equal(read.headers.get('cache-control'), 'no-store');

  const body = `${JSON.stringify({ action: 'announce', vif: 'dxvif-a1', prefix: '10.1.0.0/24', asPath: [7224] })}\n`;
  const post = (headers: Record<string, string>, payload = body) => fetch(`${api.url}/api/v1/announcements`, { method: 'POST', headers, body: payload });
  const signed = signRequest({ method: 'POST', url: '/api/v1/announcements', headers: { host, 'content-type': 'application/x-ndjson' }, body, keyId: KEY.id, secret: KEY.secret, region: 'eu-west-1', time: Date.now() });
  const ok = await post(signed.headers);
  t.equal(ok.status, 200, 'a signed write is accepted');
  t.same(await ok.json(), { announced: 1, replaced: 0, withdrawn: 0, unchanged: 0 });
  t.equal(daemon.rib.count(), 1);

  const unsigned = await post({ 'content-type': 'application/x-ndjson' });
  t.equal(unsigned.status, 403);
  t.match(await unsigned.json(), { error: 'AccessDenied', reason: /writes must be signed/ });
  const wrong = signRequest({ method: 'POST', url: '/api/v1/announcements', headers: { host, 'content-type': 'application/x-ndjson' }, body, keyId: KEY.id, secret: 'not-the-secret-0000000000000000', region: 'eu-west-1', time: Date.now() });
  const bad = await post(wrong.headers);
  t.equal(bad.status, 403);
  t.match(await bad.json(), { reason: /signature does not match/ });
  const tampered = await post(signed.headers, body.replace('10.1.0.0/24', '10.2.0.0/24'));
  t.equal(tampered.status, 403, 'a changed body');
  t.equal(daemon.rib.count(), 1, 'nothing refused was applied');

  // Who acknowledged is the key that signed.
  await new Promise((r) => setTimeout(r, 1200));
  const alert = daemon.alerts.alerts({ type: 'rpki-invalid' })[0]!;
  const ackBody = JSON.stringify({ comment: 'on it' });
  const ack = signRequest({ method: 'POST', url: `/api/v1/alerts/${alert.id}/ack`, headers: { host, 'content-type': 'application/json' }, body: ackBody, keyId: KEY.id, secret: KEY.secret, region: 'eu-west-1', time: Date.now() });
  const acked = await fetch(`${api.url}/api/v1/alerts/${alert.id}/ack`, { method: 'POST', headers: ack.headers, body: ackBody });
  t.equal(acked.status, 200);
  t.match(((await acked.json()) as { acknowledged: object }).acknowledged, { by: KEY.id, comment: 'on it' });

  const status = await fetch(`${api.url}/api/v1/status`);
  t.equal(status.status, 403);
  t.match(await status.json(), { reason: /denied by statement "no-status"/ });
  const silence = await fetch(`${api.url}/api/v1/silences`, { method: 'POST', headers: signRequest({ method: 'POST', url: '/api/v1/silences', headers: { host, 'content-type': 'application/json' }, body: '{}', keyId: KEY.id, secret: KEY.secret, region: 'eu-west-1', time: Date.now() }).headers, body: '{}' });
  t.equal(silence.status, 403, 'a signed write the policy does not allow');

  t.equal((await fetch(`${api.url}/metrics`)).status, 401);
  t.equal((await fetch(`${api.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
  const metrics = await fetch(`${api.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
  t.equal(metrics.status, 200);
  t.match(await metrics.text(), /rovd_routes\{/);
  t.equal((await fetch(`${api.url}/healthz`)).status, 200, 'health needs no action');

  // A reload (SIGHUP) swaps the keys and the policy of the running server.
  const next = parseConfig(
    `http:\n  listen: "127.0.0.1:0"\n  auth: { region: eu-west-1, keys: [{ id: AKIDROVDTEST0002, secret: another-secret-0123456789abcdef }] }\n  policy: { Version: "2012-10-17", Statement: [{ Effect: Deny, Principal: "*", Action: "rovd:GetValidity" }, { Effect: Allow, Principal: "*", Action: "rovd:List*" }] }\n`,
    join(dir, 'rovd.yaml'),
  ).http;
  api.updateSecurity(next);
  const denied = await fetch(`${api.url}/api/v1/validity/AS7224/10.0.0.0/16`);
  t.equal(denied.status, 403, 'the new policy applies at once');
  t.equal((await fetch(`${api.url}/api/v1/vifs`)).status, 200);
  const oldKey = signRequest({ method: 'POST', url: '/api/v1/announcements', headers: { host, 'content-type': 'application/x-ndjson' }, body, keyId: KEY.id, secret: KEY.secret, region: 'eu-west-1', time: Date.now() });
  t.match(await (await post(oldKey.headers)).json(), { reason: /unknown access key id/ }, 'a key removed by the reload is refused');
});
