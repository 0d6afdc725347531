/**
 * DirectConnectClient against the fake Direct Connect endpoint, serving
 * the fixtures of test/fixtures/aws:
 * - each operation decodes the fixtures into exactly the domain values
 *   expected (masks stripped, IPv6 canonical, asnLong, "" gateway ids,
 *   tags, AS_SET segments, epoch ms, the union of allowed prefixes without
 *   the disassociated association's);
 * - listings are paged to the end (page size 2; 250 routes in pages of
 *   100) with the tokens the fake gave; filters are sent as documented;
 * - throttled 3× then ok is counted as retry ×3 then ok; persistent
 *   throttling fails after maxAttempts; a 503 with Retry-After is waited;
 * - a malformed route, peer or VIF is skipped with a warning naming the
 *   VIF, the index and the member, the rest kept; a malformed list is an
 *   AwsApiError; a repeated nextToken and the page cap end the listing;
 * - https with a test CA works on both paths; the same endpoint without
 *   the CA, and a TLS 1.1-only endpoint, are refused as TlsError without
 *   a retry;
 * - close() ends calls in flight and refuses new ones.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import t, { type Test } from 'tap';
import { AwsApiError } from '../../src/aws/aws-api-error.js';
import { DirectConnectClient, type DirectConnectClientOptions } from '../../src/aws/direct-connect-client.js';
import { RequestBudget } from '../../src/aws/request-budget.js';
import type { Logger } from '../../src/log/logger.js';
import { FAKE_KEY_ID, FAKE_REGION, FAKE_SECRET, type FakeDirectConnectOptions, FakeDirectConnect, type Wire, readFixture } from '../helpers/fake-direct-connect.js';
import { seededRandom } from '../helpers/random.js';
import { makeSelfSignedCert } from '../helpers/stayrtr.js';

interface Harness {
  readonly fake: FakeDirectConnect;
  readonly client: DirectConnectClient;
  readonly warnings: { readonly fields: Record<string, unknown>; readonly msg: string }[];
  readonly outcomes: string[];
  readonly sleeps: number[];
}

async function harness(t: Test, options: Partial<DirectConnectClientOptions> = {}, fakeOptions: FakeDirectConnectOptions = {}): Promise<Harness> {
  const fake = await FakeDirectConnect.start(fakeOptions);
  t.teardown(() => fake.close());
  fake.loadFixtures();
  const warnings: Harness['warnings'] = [];
  const logger: Logger = { info() {}, error() {}, warn: (fields, msg) => void warnings.push({ fields: fields as Record<string, unknown>, msg }) };
  const outcomes: string[] = [];
  const sleeps: number[] = [];
  const client = new DirectConnectClient({
    region: FAKE_REGION,
    credentials: async () => ({ accessKeyId: FAKE_KEY_ID, secretAccessKey: FAKE_SECRET }),
    endpoint: fake.url,
    budget: new RequestBudget({ requestsPerSecond: 1000, burst: 1000 }),
    timeoutMs: 3000,
    maxAttempts: 5,
    logger,
    random: seededRandom(11),
    sleep: async (ms) => void sleeps.push(ms),
    onCall: (operation, outcome) => outcomes.push(`${operation} ${outcome}`),
    ...options,
  });
  t.teardown(() => client.close());
  return { fake, client, warnings, outcomes, sleeps };
}

t.test('DescribeVirtualInterfaces: the fixtures as domain values', async (t) => {
  const { client, warnings } = await harness(t);
  const vifs = await client.describeVirtualInterfaces();
  t.same(
    vifs.map((v) => [v.id, v.type, v.state, v.customerAsn, v.amazonSideAsn, v.directConnectGatewayId, v.virtualGatewayId]),
    [
      ['dxvif-ffabc001', 'private', 'available', 65000, 64512, 'a1b2c3d4-1111-4000-8000-000000000001', undefined],
      ['dxvif-ffabc002', 'transit', 'available', 64496, 64513, 'a1b2c3d4-2222-4000-8000-000000000002', undefined],
      ['dxvif-ffabc003', 'public', 'available', 64497, undefined, undefined, undefined],
      ['dxvif-ffabc004', 'private', 'down', 4200000000, 64514, undefined, 'vgw-0a1b2c3d4e5f60004'],
    ],
    'ids, types, states, ASNs (asnLong when asn is 0), "" gateway ids as undefined',
  );
  const [privateVif, transitVif, publicVif, downVif] = vifs;
  t.same(privateVif, {
    id: 'dxvif-ffabc001',
    name: 'prod-dxgw-vif',
    type: 'private',
    state: 'available',
    region: 'us-east-1',
    ownerAccount: '111122223333',
    connectionId: 'dxcon-fg5678gh',
    location: 'EqDC2',
    vlan: 101,
    customerAsn: 65000,
    amazonSideAsn: 64512,
    directConnectGatewayId: 'a1b2c3d4-1111-4000-8000-000000000001',
    virtualGatewayId: undefined,
    routeFilterPrefixes: [],
    mtu: 9001,
    peers: [
      { id: 'dxpeer-ffab0011', addressFamily: 'ipv4', asn: 65000, amazonAddress: '169.254.255.1', customerAddress: '169.254.255.2', state: 'available', status: 'up', awsDeviceId: 'EqDC2-2mxyz7k4xmd5s', awsLogicalDeviceId: 'EqDC2-1a2b3c4d5e6f7' },
      { id: 'dxpeer-ffab0012', addressFamily: 'ipv6', asn: 65000, amazonAddress: '2001:db8:0:1::1', customerAddress: '2001:db8:0:1::2', state: 'available', status: 'down', awsDeviceId: 'EqDC2-2mxyz7k4xmd5s', awsLogicalDeviceId: 'EqDC2-1a2b3c4d5e6f7' },
    ],
    tags: { Name: 'prod-dxgw-vif', 'rovd:expect': '192.0.2.0/24' },
  });
  t.same(transitVif!.tags, { Name: 'transit-vif', team: '' }, 'a tag without a value is empty');
  t.same(publicVif!.routeFilterPrefixes.map(String), ['198.51.100.0/24', '2001:db8:4000::/40']);
  t.same(publicVif!.peers.map((p) => [p.addressFamily, p.amazonAddress, p.customerAddress]), [
    ['ipv4', '203.0.113.1', '203.0.113.2'],
    ['ipv6', '2001:db8:5000::1', '2001:db8:5000::2'],
  ]);
  t.equal(downVif!.peers[0]!.asn, 4200000000);
  t.same(warnings, []);
});

t.test('DescribeConnections and DescribeDirectConnectGateways (with their associations)', async (t) => {
  const { client, fake } = await harness(t);
  t.same(await client.describeConnections(), [
    { id: 'dxcon-fg5678gh', name: 'dc2-primary-10g', state: 'available', location: 'EqDC2', bandwidth: '10Gbps', lagId: undefined },
    { id: 'dxcon-ffg12345', name: 'dc2-lag-member-1g', state: 'available', location: 'EqDC2', bandwidth: '1Gbps', lagId: 'dxlag-ffrz71kw' },
    { id: 'dxcon-ffh00001', name: 'new-100g', state: 'ordering', location: 'EqDC2', bandwidth: '100Gbps', lagId: undefined },
  ]);
  const gateways = await client.describeDirectConnectGateways();
  t.same(
    gateways.map((g) => ({ ...g, allowedPrefixes: g.allowedPrefixes.map(String) })),
    [
      { id: 'a1b2c3d4-1111-4000-8000-000000000001', name: 'prod-dxgw', amazonSideAsn: 64512, state: 'available', allowedPrefixes: ['198.51.100.0/26', '198.51.100.64/26'] },
      { id: 'a1b2c3d4-2222-4000-8000-000000000002', name: 'transit-dxgw', amazonSideAsn: 64513, state: 'available', allowedPrefixes: ['203.0.113.0/24', '2001:db8:100::/48'] },
    ],
    'the union of each gateway’s associations, once each, without the disassociated one',
  );
  t.same(
    fake.requestsFor('DescribeDirectConnectGatewayAssociations').map((r) => r.body.directConnectGatewayId),
    ['a1b2c3d4-1111-4000-8000-000000000001', 'a1b2c3d4-2222-4000-8000-000000000002'],
    'one listing per gateway',
  );
});

t.test('ListVirtualInterfaceRoutes: the fixtures as domain values', async (t) => {
  const { client } = await harness(t);
  const routes = await client.listVirtualInterfaceRoutes('dxvif-ffabc002');
  t.same(
    routes.map((r) => [r.prefix.toString(), r.direction, r.asPath.segments.map((s) => [s.type, [...s.asns]]), r.communities, r.awsLogicalDeviceId, r.installedAt]),
    [
      ['198.51.100.0/25', 'accepted', [['sequence', [64496]]], [], 'EqDC2-1a2b3c4d5e6f7', 1767225700000],
      ['198.51.100.128/25', 'accepted', [['sequence', [64496]], ['set', [64499, 64500]]], ['64496:100'], 'EqDC2-1a2b3c4d5e6f7', 1767225701750],
      ['203.0.113.0/24', 'advertised', [['sequence', [64513]]], [], 'EqDC2-1a2b3c4d5e6f7', 1767225400000],
      ['2001:db8:100::/48', 'advertised', [['sequence', [64513]]], [], 'EqDC2-1a2b3c4d5e6f7', 1767225400000],
    ],
  );
  const publicRoutes = await client.listVirtualInterfaceRoutes('dxvif-ffabc003');
  t.same(publicRoutes.filter((r) => r.direction === 'advertised').map((r) => [r.prefix.toString(), r.communities]), [
    ['3.5.140.0/22', ['7224:8100', '16509:8100']],
    ['52.95.110.0/24', ['7224:8200', '16509:8200']],
  ]);
  t.same(await client.listVirtualInterfaceRoutes('dxvif-ffabc004'), [], 'a VIF without routes');
  await t.rejects(client.listVirtualInterfaceRoutes('dxvif-nosuch'), { code: 'DirectConnectClientException', httpStatus: 400, retryable: false });
});

t.test('paging to the end: page size 2 on every operation, 250 routes in pages of 100', async (t) => {
  const { client, fake } = await harness(t);
  fake.pageSize = 2;
  t.equal((await client.describeVirtualInterfaces()).length, 4);
  t.equal((await client.describeConnections()).length, 3);
  t.equal((await client.describeDirectConnectGateways()).length, 2);
  t.equal((await client.listVirtualInterfaceRoutes('dxvif-ffabc001')).length, 5);
  const count = (op: string) => fake.requestsFor(op).length;
  t.equal(count('DescribeVirtualInterfaces'), 2);
  t.equal(count('DescribeConnections'), 2);
  t.equal(count('DescribeDirectConnectGateways'), 1, '2 gateways: one page');
  t.equal(count('DescribeDirectConnectGatewayAssociations'), 2, '2 associations per gateway: one page each');
  t.equal(count('ListVirtualInterfaceRoutes'), 3);
  const routeRequests = fake.requestsFor('ListVirtualInterfaceRoutes');
  t.equal(routeRequests[0]!.body.nextToken, undefined, 'the first page has no token');
  t.ok(routeRequests.slice(1).every((r) => typeof r.body.nextToken === 'string'), 'later pages send the token they were given');
  t.ok(routeRequests.every((r) => r.body.maxResults === 100), 'maxResults 100, as documented');

  fake.pageSize = 100;
  const many = Array.from({ length: 250 }, (_, i) => ({ cidr: `10.${i >> 8}.${i & 255}.0/24`, routeDirection: 'accepted', addressFamily: 'ipv4', asPath: [{ pathType: 'seq', path: [65000] }] }));
  fake.setRoutes('dxvif-many', many);
  const before = count('ListVirtualInterfaceRoutes');
  const routes = await client.listVirtualInterfaceRoutes('dxvif-many');
  t.same(routes.map((r) => r.prefix.toString()), many.map((r) => r.cidr), 'all 250, in order');
  t.equal(count('ListVirtualInterfaceRoutes') - before, 3);
});

t.test('filters are sent as documented and applied', async (t) => {
  const { client, fake } = await harness(t);
  const routes = await client.listVirtualInterfaceRoutes('dxvif-ffabc001', { direction: 'accepted', addressFamily: 'ipv4', cidrs: ['192.0.2.0/24', '192.0.2.128/25', '198.51.100.0/26'], asPath: [65000], communities: ['7224:7300'] });
  t.same(fake.requests.at(-1)!.body, {
    virtualInterfaceId: 'dxvif-ffabc001',
    maxResults: 100,
    filters: { routeDirection: 'accepted', addressFamily: 'ipv4', cidrs: ['192.0.2.0/24', '192.0.2.128/25', '198.51.100.0/26'], asPath: [65000], communities: ['7224:7300'] },
  });
  t.same(routes.map((r) => r.prefix.toString()), ['192.0.2.0/24']);
  t.same((await client.listVirtualInterfaceRoutes('dxvif-ffabc001', { direction: 'advertised' })).map((r) => r.prefix.toString()), ['198.51.100.0/26', '198.51.100.64/26']);
  t.same((await client.listVirtualInterfaceRoutes('dxvif-ffabc001', { addressFamily: 'ipv6' })).map((r) => r.prefix.toString()), ['2001:db8:1000::/36']);
  t.same(fake.requests.at(-1)!.body.filters, { addressFamily: 'ipv6' }, 'only the filters given');
  const requests = fake.requestCount;
  await t.rejects(client.listVirtualInterfaceRoutes('dxvif-ffabc001', { cidrs: Array.from({ length: 11 }, (_, i) => `192.0.2.${i}/32`) }), RangeError);
  t.equal(fake.requestCount, requests, 'more than 10 cidrs is refused before sending');
});

t.test('throttled 3× then ok: 3 retries then ok, 4 requests; persistent throttling fails after maxAttempts', async (t) => {
  const { client, fake, outcomes, sleeps } = await harness(t, { backoff: { baseDelayMs: 100, maxDelayMs: 5000 } });
  fake.throttleNext(3);
  t.equal((await client.listVirtualInterfaceRoutes('dxvif-ffabc001')).length, 5);
  t.same(outcomes, ['ListVirtualInterfaceRoutes retry', 'ListVirtualInterfaceRoutes retry', 'ListVirtualInterfaceRoutes retry', 'ListVirtualInterfaceRoutes ok']);
  t.equal(fake.requestCount, 4);
  t.equal(sleeps.length, 3);
  sleeps.forEach((ms, i) => t.ok(ms < 100 * 2 ** i, `backoff ${i + 1}: ${ms} ms < ${100 * 2 ** i}`));

  outcomes.length = 0;
  fake.throttleNext(3);
  t.equal((await client.describeVirtualInterfaces()).length, 4, 'the SDK path retries the same way');
  t.same(outcomes, ['DescribeVirtualInterfaces retry', 'DescribeVirtualInterfaces retry', 'DescribeVirtualInterfaces retry', 'DescribeVirtualInterfaces ok']);

  outcomes.length = 0;
  fake.throttleNext(100);
  const before = fake.requestCount;
  const err = await client.listVirtualInterfaceRoutes('dxvif-ffabc001').catch((e: unknown) => e);
  t.match(err, { code: 'ThrottlingException', httpStatus: 400, throttled: true });
  t.equal(fake.requestCount - before, 5, 'maxAttempts requests');
  t.same(outcomes.at(-1), 'ListVirtualInterfaceRoutes throttled');
  await t.rejects(client.describeConnections(), { code: 'ThrottlingException' }, 'the SDK path gives up the same way');
});

t.test('a 503 with Retry-After is waited on both paths', async (t) => {
  const { client, fake, sleeps } = await harness(t, { backoff: { baseDelayMs: 10, maxDelayMs: 5000 } });
  fake.unavailableNext(1, 2);
  await client.listVirtualInterfaceRoutes('dxvif-ffabc001');
  fake.unavailableNext(1, 3);
  await client.describeConnections();
  t.same(sleeps, [2000, 3000]);
});

t.test('a malformed route is skipped with a warning naming the VIF, index and member; the others are kept', async (t) => {
  const { client, fake, warnings } = await harness(t);
  const good = (cidr: string) => ({ cidr, routeDirection: 'accepted', addressFamily: 'ipv4', asPath: [{ pathType: 'seq', path: [65000] }] });
  fake.setRoutes('dxvif-ffabc001', [
    good('192.0.2.0/25'),
    { ...good('192.0.2.1/24') },
    { ...good('192.0.2.128/25'), asPath: [{ pathType: 'confed', path: [65000] }] },
    { ...good('198.51.100.0/24'), asPath: [{ pathType: 'seq', path: [4294967296] }] },
    { cidr: '198.51.100.0/25', addressFamily: 'ipv4' },
    { ...good('203.0.113.0/24'), addressFamily: 'ipv6' },
    { ...good('203.0.113.128/25'), routeInstalledAt: '2026-01-01T00:00:00Z' },
    { ...good('203.0.113.64/26'), communities: ['7224:9300', 7224] },
    'not a route',
    good('203.0.113.0/26'),
  ]);
  const routes = await client.listVirtualInterfaceRoutes('dxvif-ffabc001');
  t.same(routes.map((r) => r.prefix.toString()), ['192.0.2.0/25', '203.0.113.0/26']);
  t.same(
    warnings.map((w) => [w.fields.virtualInterfaceId, w.fields.index, w.fields.member]),
    [
      ['dxvif-ffabc001', 1, 'cidr'],
      ['dxvif-ffabc001', 2, 'asPath[0].pathType'],
      ['dxvif-ffabc001', 3, 'asPath[0].path[0]'],
      ['dxvif-ffabc001', 4, 'routeDirection'],
      ['dxvif-ffabc001', 5, 'addressFamily'],
      ['dxvif-ffabc001', 6, 'routeInstalledAt'],
      ['dxvif-ffabc001', 7, 'communities[1]'],
      ['dxvif-ffabc001', 8, '(route)'],
    ],
  );
  t.match(warnings[0]!.fields.reason, /host bits/);
});

t.test('a malformed VIF is skipped, a malformed peer or prefix inside a VIF is skipped, the rest kept', async (t) => {
  const { client, fake, warnings } = await harness(t);
  const vifs = (readFixture('describe-virtual-interfaces.json').virtualInterfaces as Wire[]).map((v) => structuredClone(v));
  vifs[1]!.virtualInterfaceType = 'hosted';
  (vifs[0]!.bgpPeers as Wire[])[1]!.customerAddress = '169.254.255.2/30';
  (vifs[2]!.routeFilterPrefixes as Wire[])[0]!.cidr = '198.51.100.7/24';
  vifs[3]!.virtualInterfaceState = 'sleeping';
  fake.setVifs(vifs);
  const got = await client.describeVirtualInterfaces();
  t.same(got.map((v) => v.id), ['dxvif-ffabc001', 'dxvif-ffabc003', 'dxvif-ffabc004'], 'the hosted-type VIF is skipped');
  t.same(got[0]!.peers.map((p) => p.id), ['dxpeer-ffab0011'], 'the IPv6 peer with an IPv4 address is skipped');
  t.same(got[1]!.routeFilterPrefixes.map(String), ['2001:db8:4000::/40']);
  t.equal(got[2]!.state, 'sleeping', 'an undocumented state is passed on');
  t.same(
    warnings.map((w) => [w.fields.virtualInterfaceId, w.fields.index, w.fields.member]),
    [
      ['dxvif-ffabc001', 0, 'bgpPeers[1].customerAddress'],
      ['dxvif-ffabc002', 1, 'virtualInterfaceType'],
      ['dxvif-ffabc003', 2, 'routeFilterPrefixes[0].cidr'],
      ['dxvif-ffabc004', 3, 'virtualInterfaceState'],
    ],
  );
});

t.test('a malformed list, a repeated nextToken and the page cap are AwsApiErrors', async (t) => {
  const { client, fake } = await harness(t, { maxPages: 3 });
  fake.override = (request) => (request.operation === 'ListVirtualInterfaceRoutes' ? { status: 200, body: '{"virtualInterfaceId":"dxvif-ffabc001","routes":{}}' } : undefined);
  await t.rejects(client.listVirtualInterfaceRoutes('dxvif-ffabc001'), { code: 'MalformedResponse', retryable: false, message: /routes is not a list/ });
  fake.override = (request) => (request.operation === 'DescribeVirtualInterfaces' ? { status: 200, body: '{"virtualInterfaces":"none"}' } : undefined);
  await t.rejects(client.describeVirtualInterfaces(), { code: 'MalformedResponse' }, 'the SDK path too');
  fake.override = () => ({ status: 200, body: '{"virtualInterfaceId":"dxvif-other","routes":[]}' });
  await t.rejects(client.listVirtualInterfaceRoutes('dxvif-ffabc001'), { code: 'MalformedResponse', message: /dxvif-other/ });

  let pages = 0;
  fake.override = (request) => {
    if (request.operation !== 'ListVirtualInterfaceRoutes') return undefined;
    pages++;
    return { status: 200, body: JSON.stringify({ virtualInterfaceId: 'dxvif-ffabc001', routes: [], nextToken: 'same-token' }) };
  };
  await t.rejects(client.listVirtualInterfaceRoutes('dxvif-ffabc001'), { code: 'PaginationError', message: /same-token.*never end/ });
  t.equal(pages, 2, 'stops at the first repeat');

  fake.override = undefined;
  fake.pageSize = 1;
  const before = fake.requestCount;
  await t.rejects(client.listVirtualInterfaceRoutes('dxvif-ffabc001'), { code: 'PaginationError', message: /3 pages/ });
  t.equal(fake.requestCount - before, 3, 'no page past the cap');
});

t.test('https: a test CA is trusted on both paths; without it the certificate is refused, not retried', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rovd-dx-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files = await makeSelfSignedCert(dir);
  const cert = readFileSync(files.cert, 'utf8');
  const tlsOptions = { cert, key: readFileSync(files.key, 'utf8') };
  const trusted = await harness(t, { ca: cert }, { tls: tlsOptions });
  t.match(trusted.fake.url, /^https:/);
  t.equal((await trusted.client.describeVirtualInterfaces()).length, 4);
  t.equal((await trusted.client.listVirtualInterfaceRoutes('dxvif-ffabc001')).length, 5);

  const untrusted = await harness(t, {}, { tls: tlsOptions });
  const err = await untrusted.client.listVirtualInterfaceRoutes('dxvif-ffabc001').catch((e: unknown) => e);
  t.match(err, { code: 'TlsError', retryable: false, httpStatus: undefined });
  t.match((err as AwsApiError).message, /self.signed|certificate/i);
  await t.rejects(untrusted.client.describeVirtualInterfaces(), { code: 'TlsError' });
  t.equal(untrusted.fake.requestCount, 0);
  t.same(untrusted.outcomes, ['ListVirtualInterfaceRoutes error', 'DescribeVirtualInterfaces error'], 'one attempt each');
});

t.test('https: a server that speaks only TLS 1.1 is refused for its protocol version', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rovd-dx-tls11-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files = await makeSelfSignedCert(dir);
  const cert = readFileSync(files.cert, 'utf8');
  // OpenSSL 3 offers TLS 1.1 only at security level 0.
  const tls11 = { cert, key: readFileSync(files.key, 'utf8'), minVersion: 'TLSv1' as const, maxVersion: 'TLSv1.1' as const, ciphers: 'DEFAULT@SECLEVEL=0' };
  // Node's own default minimum is TLS 1.2 already; lowered here, only rovd's agent stands between the client and TLS 1.1.
  const defaultMin = tls.DEFAULT_MIN_VERSION;
  tls.DEFAULT_MIN_VERSION = 'TLSv1';
  t.teardown(() => {
    tls.DEFAULT_MIN_VERSION = defaultMin;
  });
  const { client, fake, outcomes } = await harness(t, { ca: cert }, { tls: tls11 });

  // The control: a client that allows TLS 1.1 does get an answer, so the server is up and speaks TLS 1.1.
  const protocol = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest(`${fake.url}/`, { method: 'POST', ca: cert, minVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, (res) => {
      resolve((res.socket as tls.TLSSocket).getProtocol() ?? '');
      res.resume();
    });
    req.on('error', reject);
    req.end('{}');
  });
  t.equal(protocol, 'TLSv1.1');

  const err = await client.listVirtualInterfaceRoutes('dxvif-ffabc001').catch((e: unknown) => e);
  t.match(err, { code: 'TlsError', retryable: false });
  t.match((err as AwsApiError).message, /protocol version/, 'refused in version negotiation (an agent without minVersion fails later, at key exchange)');
  await t.rejects(client.describeConnections(), { code: 'TlsError', message: /protocol version/ });
  t.equal(fake.requestCount, 1, 'only the control request reached the server');
  t.same(outcomes, ['ListVirtualInterfaceRoutes error', 'DescribeConnections error']);
});

t.test('close() ends a call in flight and refuses new ones', async (t) => {
  const { client, fake } = await harness(t);
  fake.delayNext(1, 10_000);
  const started = Date.now();
  const inFlight = client.listVirtualInterfaceRoutes('dxvif-ffabc001').catch((e: unknown) => e);
  while (fake.requestCount === 0) await new Promise((r) => setTimeout(r, 5));
  client.close();
  t.match(await inFlight, { code: 'ClientClosed' });
  t.ok(Date.now() - started < 5000, 'promptly');
  await t.rejects(client.describeVirtualInterfaces(), { code: 'ClientClosed' });
  await t.rejects(client.listVirtualInterfaceRoutes('dxvif-ffabc001'), { code: 'ClientClosed' });
  t.ok((await inFlight) instanceof AwsApiError);
});
