/**
 * One signed AWS JSON 1.1 request, against the fake Direct Connect
 * endpoint (which checks every signature with rovd's SigV4 verifier):
 * - the request is POST / with the documented Content-Type and
 *   X-Amz-Target, and its signature verifies; session credentials sign
 *   x-amz-security-token;
 * - a wrong secret is refused as AWS refuses it, and the client reports
 *   InvalidSignatureException with the request id and does not retry; an
 *   unknown key is UnrecognizedClientException;
 * - every form AWS uses to name an error (`__type` with and without a
 *   namespace, `x-amzn-ErrorType` with a suffix, `Message`, no body at all)
 *   gives the short code, and Retry-After is read;
 * - a slow answer is a Timeout, retried, then an error after maxAttempts;
 * - the regional endpoint, including China's domain.
 */
import t, { type Test } from 'tap';
import { AwsApiError } from '../../src/aws/aws-api-error.js';
import { DirectConnectClient } from '../../src/aws/direct-connect-client.js';
import { AwsJsonClient, directConnectEndpoint, makeAgents } from '../../src/aws/json-protocol.js';
import { RequestBudget } from '../../src/aws/request-budget.js';
import { NOOP_LOGGER } from '../../src/log/logger.js';
import { FAKE_KEY_ID, FAKE_REGION, FAKE_SECRET, FakeDirectConnect, awsError } from '../helpers/fake-direct-connect.js';

const ROUTES = [{ cidr: '192.0.2.0/24', routeDirection: 'accepted', addressFamily: 'ipv4', asPath: [{ pathType: 'seq', path: [65000] }] }];

async function startFake(t: Test, options: Parameters<typeof FakeDirectConnect.start>[0] = {}): Promise<FakeDirectConnect> {
  const fake = await FakeDirectConnect.start(options);
  t.teardown(() => fake.close());
  fake.setRoutes('dxvif-ffabc001', ROUTES);
  return fake;
}

function jsonClient(t: Test, fake: FakeDirectConnect, credentials = { accessKeyId: FAKE_KEY_ID, secretAccessKey: FAKE_SECRET } as { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, timeoutMs = 2000): AwsJsonClient {
  const agents = makeAgents(undefined);
  t.teardown(() => {
    agents.http.destroy();
    agents.https.destroy();
  });
  return new AwsJsonClient({ region: FAKE_REGION, credentials: async () => credentials, endpoint: fake.url, timeoutMs, agents });
}

const listRoutes = { virtualInterfaceId: 'dxvif-ffabc001', maxResults: 100 };

t.test('a signed request as the protocol documents it, verified by the fake', async (t) => {
  const fake = await startFake(t);
  const client = jsonClient(t, fake);
  const { body, requestId } = await client.call('ListVirtualInterfaceRoutes', listRoutes);
  t.same(body, { virtualInterfaceId: 'dxvif-ffabc001', routes: ROUTES });
  t.match(requestId, /^[0-9a-f-]{36}$/, 'x-amzn-RequestId is returned');
  const [request] = fake.requests;
  t.equal(request!.signatureRefusal, undefined, 'the signature verified');
  t.equal(request!.headers['content-type'], 'application/x-amz-json-1.1');
  t.equal(request!.headers['x-amz-target'], 'OvertureService.ListVirtualInterfaceRoutes');
  t.match(request!.headers.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDFAKEDIRECTCONNECT\/\d{8}\/us-east-1\/directconnect\/aws4_request, SignedHeaders=[^,]*x-amz-target/);
  t.same(request!.body, listRoutes);
});

t.test('session credentials: x-amz-security-token is sent and signed; without it the key is refused', async (t) => {
  const fake = await startFake(t, { keys: { ASIAFAKESESSION: { secret: 'session-secret', sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' } } });
  const withToken = jsonClient(t, fake, { accessKeyId: 'ASIAFAKESESSION', secretAccessKey: 'session-secret', sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' });
  await withToken.call('ListVirtualInterfaceRoutes', listRoutes);
  t.equal(fake.requests[0]!.headers['x-amz-security-token'], 'FwoGZXIvYXdzEXAMPLETOKEN');
  t.match(fake.requests[0]!.headers.authorization, /SignedHeaders=[^,]*x-amz-security-token/);
  const withoutToken = jsonClient(t, fake, { accessKeyId: 'ASIAFAKESESSION', secretAccessKey: 'session-secret' });
  await t.rejects(withoutToken.call('ListVirtualInterfaceRoutes', listRoutes), { code: 'UnrecognizedClientException', httpStatus: 403 });
});

t.test('a wrong secret: InvalidSignatureException with the request id, and no retry', async (t) => {
  const fake = await startFake(t);
  const err = await jsonClient(t, fake, { accessKeyId: FAKE_KEY_ID, secretAccessKey: 'not-the-secret' })
    .call('ListVirtualInterfaceRoutes', listRoutes)
    .catch((e: unknown) => e);
  t.ok(err instanceof AwsApiError);
  const apiError = err as AwsApiError;
  t.match(apiError, { code: 'InvalidSignatureException', httpStatus: 403, retryable: false, operation: 'ListVirtualInterfaceRoutes' });
  t.match(apiError.requestId, /^[0-9a-f-]{36}$/);
  t.ok(apiError.message.includes(apiError.requestId!), 'the message names the request id');
  t.match(apiError.message, /ListVirtualInterfaceRoutes/);
  t.equal(fake.requests[0]!.signatureRefusal, 'signature does not match');

  const outcomes: string[] = [];
  const client = new DirectConnectClient({
    region: FAKE_REGION,
    credentials: async () => ({ accessKeyId: FAKE_KEY_ID, secretAccessKey: 'not-the-secret' }),
    endpoint: fake.url,
    budget: new RequestBudget({ requestsPerSecond: 100, burst: 100 }),
    timeoutMs: 2000,
    maxAttempts: 4,
    logger: NOOP_LOGGER,
    onCall: (_operation, outcome) => outcomes.push(outcome),
  });
  t.teardown(() => client.close());
  const before = fake.requestCount;
  await t.rejects(client.listVirtualInterfaceRoutes('dxvif-ffabc001'), { code: 'InvalidSignatureException' });
  await t.rejects(client.describeConnections(), { code: 'InvalidSignatureException' }, 'the SDK path too');
  t.equal(fake.requestCount - before, 2, 'one request each: not retried');
  t.same(outcomes, ['error', 'error']);
});

t.test('an unknown access key: UnrecognizedClientException', async (t) => {
  const fake = await startFake(t);
  await t.rejects(jsonClient(t, fake, { accessKeyId: 'AKIDNOBODY', secretAccessKey: FAKE_SECRET }).call('ListVirtualInterfaceRoutes', listRoutes), {
    code: 'UnrecognizedClientException',
    httpStatus: 403,
    retryable: false,
  });
});

t.test('error codes in every form AWS writes them', async (t) => {
  const fake = await startFake(t);
  const client = jsonClient(t, fake);
  const cases: { reply: { status: number; body: string; headers?: Record<string, string> }; code: string; detail: RegExp; retryable: boolean; retryAfterMs?: number }[] = [
    { reply: awsError(400, 'com.amazonaws.directconnect#DirectConnectClientException', 'Virtual interface dxvif-x does not exist'), code: 'DirectConnectClientException', detail: /does not exist/, retryable: false },
    { reply: awsError(400, 'ThrottlingException', 'Rate exceeded'), code: 'ThrottlingException', detail: /Rate exceeded/, retryable: true },
    {
      reply: { status: 400, body: '{"message":"Rate exceeded"}', headers: { 'x-amzn-ErrorType': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/' } },
      code: 'ThrottlingException',
      detail: /Rate exceeded/,
      retryable: true,
    },
    { reply: { status: 500, body: '{"__type":"DirectConnectServerException","Message":"Internal error"}' }, code: 'DirectConnectServerException', detail: /Internal error/, retryable: true },
    { reply: { status: 502, body: '<html>Bad Gateway</html>' }, code: 'UnknownError', detail: /HTTP 502/, retryable: true },
    { reply: { status: 503, body: '', headers: { 'Retry-After': '3' } }, code: 'UnknownError', detail: /HTTP 503/, retryable: true, retryAfterMs: 3000 },
  ];
  for (const c of cases) {
    fake.override = () => c.reply;
    const err = await client.call('ListVirtualInterfaceRoutes', listRoutes).catch((e: unknown) => e);
    t.match(err, { code: c.code, httpStatus: c.reply.status, retryable: c.retryable }, `${c.reply.status} ${c.reply.body.slice(0, 40)} → ${c.code}`);
    t.match((err as Error).message, c.detail);
    if (c.retryAfterMs !== undefined) t.equal((err as AwsApiError).retryAfterMs, c.retryAfterMs, 'Retry-After read');
  }
  fake.override = () => ({ status: 200, body: 'not json' });
  await t.rejects(client.call('ListVirtualInterfaceRoutes', listRoutes), { code: 'MalformedResponse', httpStatus: 200 });
  fake.override = () => ({ status: 200, body: '[1,2]' });
  await t.rejects(client.call('ListVirtualInterfaceRoutes', listRoutes), { code: 'MalformedResponse' });
});

t.test('a slow answer is a Timeout; the client retries it and gives up after maxAttempts', async (t) => {
  const fake = await startFake(t);
  fake.delayNext(1, 5000);
  const started = Date.now();
  await t.rejects(jsonClient(t, fake, undefined, 150).call('ListVirtualInterfaceRoutes', listRoutes), { code: 'Timeout', retryable: true, httpStatus: undefined });
  t.ok(Date.now() - started < 2000, 'within the timeout, not the delay');

  const outcomes: string[] = [];
  const client = new DirectConnectClient({
    region: FAKE_REGION,
    credentials: async () => ({ accessKeyId: FAKE_KEY_ID, secretAccessKey: FAKE_SECRET }),
    endpoint: fake.url,
    budget: new RequestBudget({ requestsPerSecond: 100, burst: 100 }),
    timeoutMs: 150,
    maxAttempts: 2,
    logger: NOOP_LOGGER,
    backoff: { baseDelayMs: 10, maxDelayMs: 20 },
    onCall: (_operation, outcome) => outcomes.push(outcome),
  });
  t.teardown(() => client.close());
  fake.delayNext(1, 5000);
  t.equal((await client.listVirtualInterfaceRoutes('dxvif-ffabc001')).length, 1, 'the retry succeeds');
  t.same(outcomes, ['retry', 'ok']);
  outcomes.length = 0;
  fake.delayNext(2, 5000);
  await t.rejects(client.listVirtualInterfaceRoutes('dxvif-ffabc001'), { code: 'Timeout' });
  fake.delayNext(2, 5000);
  await t.rejects(client.describeVirtualInterfaces(), { code: 'Timeout' }, 'the SDK path too');
  t.same(outcomes, ['retry', 'error', 'retry', 'error']);
});

t.test('the regional endpoint', async (t) => {
  t.equal(directConnectEndpoint('us-east-1'), 'https://directconnect.us-east-1.amazonaws.com');
  t.equal(directConnectEndpoint('eu-central-2'), 'https://directconnect.eu-central-2.amazonaws.com');
  t.equal(directConnectEndpoint('cn-northwest-1'), 'https://directconnect.cn-northwest-1.amazonaws.com.cn');
  const agents = makeAgents(undefined);
  t.teardown(() => agents.https.destroy());
  t.throws(() => new AwsJsonClient({ region: 'us-east-1', credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }), endpoint: 'ftp://example.com', timeoutMs: 1, agents }), /http/);
});
