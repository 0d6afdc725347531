/**
 * rovd's SigV4 verification against a real client: curl 7.88's
 * `--aws-sigv4 "aws:amz:us-east-1:rovd"` (which signs host, x-amz-date and
 * the payload hash, and, before curl 8.1, the path and query verbatim) to a
 * listening fastify app with the security plugin. The refusals go over
 * the same socket: a wrong secret, a date ten minutes old and a changed
 * body (both signed by the test signer, sent by curl), an unsigned write,
 * and a write from a source (127.0.0.2) outside the policy.
 */
import Fastify from 'fastify';
import t from 'tap';
import { parseConfig } from '../../src/config/config.js';
import { NOOP_LOGGER } from '../../src/log/logger.js';
import { registerSecurity } from '../../src/http/security/plugin.js';
import { peersRequired } from '../helpers/corpus.js';
import { onPath, runBounded } from '../helpers/peers.js';
import { signRequest } from '../helpers/sigv4-signer.js';

const KEY = 'AKIAROVDCURL';
const SECRET = 'curl-secret-0123456789abcdef';

const curl = onPath('curl');
if (curl === undefined) {
  if (peersRequired()) t.fail('curl not installed: apt-get install -y curl; required because ROVD_REQUIRE_PEERS=1');
  else t.pass('needs curl', { skip: 'curl not installed: apt-get install -y curl' });
} else {
  t.test('curl --aws-sigv4 is accepted; tampered, stale, unsigned and out-of-policy writes are refused', async (t) => {
    const settings = parseConfig(
      `
http:
  auth: { keys: [{ id: ${KEY}, secret: ${SECRET} }] }
  policy:
    Version: "2012-10-17"
    Statement:
      - { Sid: reads, Effect: Allow, Principal: "*", Action: "rovd:List*", Condition: { IpAddress: { "aws:SourceIp": 127.0.0.0/8 } } }
      - { Sid: writes, Effect: Allow, Principal: [${KEY}], Action: "rovd:AckAlert", Condition: { IpAddress: { "aws:SourceIp": 127.0.0.1/32 } } }
`,
      '/cfg/rovd.yaml',
    ).http;
    const app = Fastify();
    registerSecurity(app, { settings, logger: NOOP_LOGGER });
    app.get('/v1/alerts', { config: { action: 'rovd:ListAlerts' } }, async (req) => ({ principal: req.principal, query: req.query }));
    app.post('/v1/alerts/:id/ack', { config: { action: 'rovd:AckAlert' } }, async (req) => ({ principal: req.principal, body: req.body }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    t.teardown(() => app.close());
    const port = (app.server.address() as { port: number }).port;
    const base = `http://127.0.0.1:${port}`;

    const run = async (args: string[]): Promise<{ status: number; body: Record<string, unknown> }> => {
      const { code, output } = await runBounded(curl, ['-sS', '-w', '\n%{http_code}', ...args], 15_000);
      t.equal(code, 0, `curl ${args.join(' ')}`);
      const lines = output.trimEnd().split('\n');
      const status = Number(lines.pop());
      return { status, body: JSON.parse(lines.join('\n') || '{}') as Record<string, unknown> };
    };
    const body = '{"comment":"looking into it"}';
    const sigv4 = (secret: string) => ['--aws-sigv4', 'aws:amz:us-east-1:rovd', '--user', `${KEY}:${secret}`];

    const ok = await run([...sigv4(SECRET), '-X', 'POST', '-H', 'content-type: application/json', '-d', body, `${base}/v1/alerts/a%20b/ack`]);
    t.equal(ok.status, 200, 'a signed write');
    t.same(ok.body, { principal: KEY, body: { comment: 'looking into it' } });
    const read = await run([...sigv4(SECRET), `${base}/v1/alerts?state=firing&limit=5`]);
    t.equal(read.status, 200, 'a signed read with a query (curl 7.88 signs it unsorted)');
    t.same(read.body, { principal: KEY, query: { state: 'firing', limit: '5' } });

    const refused = (r: { status: number; body: Record<string, unknown> }, reason: RegExp, what: string) => {
      t.equal(r.status, 403, `${what}: 403`);
      t.match(r.body, { error: 'AccessDenied', reason }, `${what}: ${String(r.body.reason)}`);
    };
    refused(await run([...sigv4('wrong-secret-0123456789abcdef'), '-X', 'POST', '-H', 'content-type: application/json', '-d', body, `${base}/v1/alerts/a1/ack`]), /^signature does not match$/, 'wrong secret');

    const signedBy = (time: number, signedBody: string) =>
      signRequest({ method: 'POST', url: '/v1/alerts/a1/ack', headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json' }, body: signedBody, keyId: KEY, secret: SECRET, time });
    const headerArgs = (h: Record<string, string>) => Object.entries(h).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const fresh = signedBy(Date.now(), body);
    t.equal((await run(['-X', 'POST', ...headerArgs(fresh.headers), '-d', body, `${base}/v1/alerts/a1/ack`])).status, 200, 'the test signer, sent by curl');
    refused(await run(['-X', 'POST', ...headerArgs(signedBy(Date.now() - 10 * 60_000, body).headers), '-d', body, `${base}/v1/alerts/a1/ack`]), /^request time too skewed/, 'a date ten minutes old');
    refused(await run(['-X', 'POST', ...headerArgs(fresh.headers), '-d', body.replace('it', 'It'), `${base}/v1/alerts/a1/ack`]), /^signature does not match$/, 'a changed body');
    refused(await run(['-X', 'POST', '-H', 'content-type: application/json', '-d', body, `${base}/v1/alerts/a1/ack`]), /^writes must be signed \(SigV4\)$/, 'an unsigned write');
    refused(
      await run(['--interface', '127.0.0.2', ...sigv4(SECRET), '-X', 'POST', '-H', 'content-type: application/json', '-d', body, `${base}/v1/alerts/a1/ack`]),
      /^no statement allows rovd:AckAlert for AKIAROVDCURL from 127\.0\.0\.2$/,
      'a signed write from outside the policy',
    );
  });
}
