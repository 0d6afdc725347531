/**
 * credentialProvider with the real AWS SDK providers, each source served
 * locally:
 * - environment variables (the default chain's first source);
 * - a named profile in a temporary AWS_SHARED_CREDENTIALS_FILE, and the
 *   profile's region-less config in AWS_CONFIG_FILE;
 * - ECS container credentials from a local server at
 *   AWS_CONTAINER_CREDENTIALS_FULL_URI (with its authorization token),
 *   fetched once while valid and again when they are about to expire;
 * - web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN) exchanged at
 *   a fake STS (AWS_ENDPOINT_URL_STS);
 * - AssumeRole with the external id and session name `rovd`, signed by the
 *   base credentials and checked by a fake STS; the assumed session
 *   credentials then sign Direct Connect calls the fake Direct Connect
 *   endpoint accepts;
 * - the cache itself: one refresh shared by concurrent callers, failures
 *   not cached, still-valid credentials kept through a failed refresh.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsCredentialIdentity } from '@smithy/types';
import t, { type Test } from 'tap';
import { REFRESH_BEFORE_EXPIRY_MS, cachedUntilExpiry, credentialProvider } from '../../src/aws/credentials.js';
import { DirectConnectClient } from '../../src/aws/direct-connect-client.js';
import { RequestBudget } from '../../src/aws/request-budget.js';
import { NOOP_LOGGER } from '../../src/log/logger.js';
import { FakeDirectConnect } from '../helpers/fake-direct-connect.js';
import { FakeSts } from '../helpers/fake-sts.js';
import { until } from '../helpers/until.js';

/**
 * Replaces every AWS_ variable for one test: only what the test sets is
 * seen, the shared files point into an empty temporary directory, and
 * instance metadata is off (so a missing source fails fast instead of
 * probing 169.254.169.254).
 */
function isolatedEnv(t: Test, vars: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'rovd-aws-creds-'));
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
  Object.assign(process.env, {
    AWS_CONFIG_FILE: join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...vars,
  });
  t.teardown(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

const inHours = (h: number) => new Date(Date.now() + h * 3600_000);

t.test('environment variables', async (t) => {
  isolatedEnv(t, { AWS_ACCESS_KEY_ID: 'AKIDFROMENV', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_SESSION_TOKEN: 'env-token' });
  const identity = await credentialProvider({ region: 'us-east-1' })();
  t.match(identity, { accessKeyId: 'AKIDFROMENV', secretAccessKey: 'env-secret', sessionToken: 'env-token' });
});

t.test('a named profile from the shared credentials file', async (t) => {
  const dir = isolatedEnv(t, { AWS_ACCESS_KEY_ID: 'AKIDFROMENV', AWS_SECRET_ACCESS_KEY: 'env-secret' });
  writeFileSync(join(dir, 'credentials'), ['[default]', 'aws_access_key_id = AKIDDEFAULT', 'aws_secret_access_key = default-secret', '', '[rovd-reader]', 'aws_access_key_id = AKIDPROFILE', 'aws_secret_access_key = profile-secret', ''].join('\n'));
  writeFileSync(join(dir, 'config'), ['[profile rovd-reader]', 'region = eu-west-1', ''].join('\n'));
  const identity = await credentialProvider({ region: 'us-east-1', profile: 'rovd-reader' })();
  t.match(identity, { accessKeyId: 'AKIDPROFILE', secretAccessKey: 'profile-secret' }, 'the named profile, not the environment');
  await t.rejects(credentialProvider({ region: 'us-east-1', profile: 'nobody' })(), /nobody/, 'an unknown profile fails, naming it');
});

t.test('ECS container credentials from AWS_CONTAINER_CREDENTIALS_FULL_URI, cached until they near expiry', async (t) => {
  const requests: { url: string; authorization: string | undefined }[] = [];
  let expiration = inHours(6);
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ AccessKeyId: `ASIAECS${requests.length}`, SecretAccessKey: 'ecs-secret', Token: 'ecs-token', Expiration: expiration.toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  isolatedEnv(t, {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/credentials/rovd`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: 'ecs-auth-token',
  });
  const provider = credentialProvider({ region: 'us-east-1' });
  t.match(await provider(), { accessKeyId: 'ASIAECS1', secretAccessKey: 'ecs-secret', sessionToken: 'ecs-token' });
  t.match(await provider(), { accessKeyId: 'ASIAECS1' });
  t.same(requests, [{ url: '/v2/credentials/rovd', authorization: 'ecs-auth-token' }], 'fetched once, with the token');

  // Credentials that expire within the refresh window are fetched again on their next use. The SDK's
  // chain answers that use with the still-valid ones and refreshes in the background; the use after
  // has the new ones.
  expiration = new Date(Date.now() + 2 * 60_000);
  const soon = credentialProvider({ region: 'us-east-1' });
  t.match(await soon(), { accessKeyId: 'ASIAECS2' });
  expiration = inHours(6);
  t.match(await soon(), { accessKeyId: 'ASIAECS2' }, 'still valid for 2 minutes: used while the refresh runs');
  await until(() => requests.length === 3, 'the background refresh');
  t.match(await soon(), { accessKeyId: 'ASIAECS3' }, 'refreshed before expiry');
  t.match(await soon(), { accessKeyId: 'ASIAECS3' });
  t.equal(requests.length, 3, 'and cached again');
});

t.test('web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN) through the default chain', async (t) => {
  const sts = await FakeSts.start({
    region: 'us-east-1',
    keys: {},
    webIdentityToken: 'eyJ.fake.oidc',
    issue: [{ accessKeyId: 'ASIAWEBID', secretAccessKey: 'web-secret', sessionToken: 'web-token', expiration: inHours(1) }],
  });
  t.teardown(() => sts.close());
  const dir = isolatedEnv(t, {
    AWS_ROLE_ARN: 'arn:aws:iam::111122223333:role/rovd-eks',
    AWS_ROLE_SESSION_NAME: 'rovd-pod',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_STS: sts.url,
  });
  writeFileSync(join(dir, 'token'), 'eyJ.fake.oidc');
  process.env.AWS_WEB_IDENTITY_TOKEN_FILE = join(dir, 'token');
  t.match(await credentialProvider({ region: 'us-east-1' })(), { accessKeyId: 'ASIAWEBID', sessionToken: 'web-token' });
  t.match(sts.calls, [{ action: 'AssumeRoleWithWebIdentity', params: { RoleArn: 'arn:aws:iam::111122223333:role/rovd-eks', WebIdentityToken: 'eyJ.fake.oidc' } }]);
});

t.test('AssumeRole over the base credentials, with the external id and session name rovd; the session then reads Direct Connect', async (t) => {
  isolatedEnv(t, { AWS_ACCESS_KEY_ID: 'AKIDBASE', AWS_SECRET_ACCESS_KEY: 'base-secret' });
  const sts = await FakeSts.start({
    region: 'eu-west-1',
    keys: { AKIDBASE: 'base-secret' },
    issue: [{ accessKeyId: 'ASIAASSUMED', secretAccessKey: 'assumed-secret', sessionToken: 'assumed-token', expiration: inHours(1) }],
  });
  t.teardown(() => sts.close());
  const provider = credentialProvider({ region: 'eu-west-1', roleArn: 'arn:aws:iam::444455556666:role/rovd-read', externalId: 'rovd-ext-7f3a', stsEndpoint: sts.url });
  t.match(await provider(), { accessKeyId: 'ASIAASSUMED', secretAccessKey: 'assumed-secret', sessionToken: 'assumed-token' });
  t.equal(sts.calls.length, 1);
  t.match(sts.calls[0], {
    action: 'AssumeRole',
    params: { RoleArn: 'arn:aws:iam::444455556666:role/rovd-read', RoleSessionName: 'rovd', ExternalId: 'rovd-ext-7f3a' },
  });
  t.match(sts.calls[0]!.headers.authorization, /Credential=AKIDBASE\/\d{8}\/eu-west-1\/sts\/aws4_request/, 'signed by the base identity for regional STS');

  const directConnect = await FakeDirectConnect.start({ region: 'eu-west-1', keys: { ASIAASSUMED: { secret: 'assumed-secret', sessionToken: 'assumed-token' } } });
  t.teardown(() => directConnect.close());
  directConnect.loadFixtures();
  const client = new DirectConnectClient({
    region: 'eu-west-1',
    credentials: provider,
    endpoint: directConnect.url,
    budget: new RequestBudget({ requestsPerSecond: 100, burst: 100 }),
    timeoutMs: 3000,
    maxAttempts: 1,
    logger: NOOP_LOGGER,
  });
  t.teardown(() => client.close());
  t.equal((await client.describeVirtualInterfaces()).length, 4, 'SDK path signed with the session');
  t.equal((await client.listVirtualInterfaceRoutes('dxvif-ffabc001')).length, 5, 'JSON path signed with the session');
  t.ok(directConnect.requests.every((r) => r.signatureRefusal === undefined && r.headers['x-amz-security-token'] === 'assumed-token'));
  t.equal(sts.calls.length, 1, 'one AssumeRole for all of it');
});

t.test('AssumeRole refused (base credentials wrong): the error says so', async (t) => {
  isolatedEnv(t, { AWS_ACCESS_KEY_ID: 'AKIDBASE', AWS_SECRET_ACCESS_KEY: 'wrong-secret' });
  const sts = await FakeSts.start({ region: 'us-east-1', keys: { AKIDBASE: 'base-secret' }, issue: [] });
  t.teardown(() => sts.close());
  await t.rejects(credentialProvider({ region: 'us-east-1', roleArn: 'arn:aws:iam::444455556666:role/rovd-read', stsEndpoint: sts.url })(), /signature/i);
});

t.test('the cache: one refresh for concurrent callers, failures not cached, valid credentials kept through a failed refresh', async (t) => {
  let now = 1_800_000_000_000;
  let calls = 0;
  let fail = false;
  let release: () => void = () => {};
  const source = async (): Promise<AwsCredentialIdentity> => {
    calls++;
    await new Promise<void>((resolve) => (release = resolve));
    if (fail) throw new Error('STS unreachable');
    return { accessKeyId: `ASIA${calls}`, secretAccessKey: 's', expiration: new Date(now + 3600_000) };
  };
  const provider = cachedUntilExpiry(source, () => now);
  const both = Promise.all([provider(), provider()]);
  await Promise.resolve();
  release();
  t.same((await both).map((c) => c.accessKeyId), ['ASIA1', 'ASIA1'], 'two callers, one fetch');
  t.equal(calls, 1);

  now += 3600_000 - REFRESH_BEFORE_EXPIRY_MS - 1;
  t.equal((await provider()).accessKeyId, 'ASIA1', 'not yet in the refresh window');
  now += 2;
  fail = true;
  const kept = provider();
  await Promise.resolve();
  release();
  t.equal((await kept).accessKeyId, 'ASIA1', 'a failed refresh keeps credentials that have not expired');

  now += REFRESH_BEFORE_EXPIRY_MS;
  const expired = provider();
  await Promise.resolve();
  release();
  await t.rejects(expired, /STS unreachable/, 'once they have expired, the failure is the answer');

  fail = false;
  const recovered = provider();
  await Promise.resolve();
  release();
  t.equal((await recovered).accessKeyId, `ASIA${calls}`, 'the failure was not cached');
  t.equal(calls, 4);
});
