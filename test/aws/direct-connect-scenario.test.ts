/**
 * Direct Connect end to end, as `rovd run` wires it: a Daemon whose
 * `aws.directConnect` points at a local endpoint speaking Direct Connect's
 * JSON 1.1 protocol (test/helpers/fake-direct-connect.ts), which checks
 * every request's SigV4 signature with the test's secret. Credentials come
 * from the standard chain (the environment here), through the real client
 * (src/aws/make-api.ts). The scenarios of issue 8: a VIF discovered, its
 * routes polled, an RPKI-invalid accepted… route alerting with the VIF's
 * context; a route AWS stops listing withdrawn; a BMP/API divergence
 * raised and resolved; failures that last raising aws-api-error, and
 * throttling absorbed.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parseConfig } from '../../src/config/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { buildApiServer } from '../../src/http/server.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { Prefix } from '../../src/net/prefix.js';
import { BGP_UPDATE, bgp, bmp, cat, openBody, peerUpBody, perPeer, updateBody } from '../bmp/helpers/build.js';
import { FakeDirectConnect, awsError, readFixture, useFakeCredentials, type Wire } from '../helpers/fake-direct-connect.js';
import { until } from '../helpers/until.js';

useFakeCredentials();

const PRIVATE = 'dxvif-ffabc001';
const AMAZON = { address: '169.254.255.1', asn: 64512, bgpId: '10.255.0.1' };
const FIXTURE_ROUTES = (readFixture(`list-virtual-interface-routes-${PRIVATE}.json`) as { routes: Wire[] }).routes;

interface Scene {
  yaml: (vifs: string) => string;
  file: string;
  daemon: Daemon;
  fake: FakeDirectConnect;
  bmpPort: number;
  firing(type: string): ReturnType<Daemon['alerts']['alerts']>;
}

async function scene(t: Test, vifs = ''): Promise<Scene> {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-aws-'));
  // 192.0.2.0/24 may be originated by AS65000 only, up to /24: the fixture's accepted 192.0.2.128/25 from AS64496 is invalid.
  await writeFile(join(dir, 'vrps.json'), JSON.stringify({ roas: [{ asn: 'AS65000', prefix: '192.0.2.0/24', maxLength: 24, ta: 'test' }] }));
  const fake = await FakeDirectConnect.start();
  fake.loadFixtures();
  const yaml = (v: string) => `
rpki: { files: [vrps.json] }
bmp: { listen: "127.0.0.1:0", allow: [127.0.0.0/8], decodeThread: false }
aws:
  directConnect: { regions: [us-east-1], endpoint: "${fake.url}", requestsPerSecond: 50, maxAttempts: 3, timeoutSeconds: 5 }
detection: { divergence: { holdSeconds: 0 } }
alerts: { holdDown: { fireSeconds: 0, resolveSeconds: 0 } }
${v}`;
  const file = join(dir, 'rovd.yaml');
  const config = parseConfig(yaml(vifs), file);
  const daemon = new Daemon({ config, summaryIntervalMs: 0, alertTickMs: 20, detectionTickMs: 3_600_000 });
  const { bmp: where } = await daemon.start();
  t.teardown(async () => {
    await daemon.stop();
    await fake.close();
  });
  // start() begins a discovery and a poll at once; the tests drive the rounds themselves from here.
  await daemon.directConnect!.discoverNow();
  await daemon.directConnect!.pollNow();
  return { yaml, file, daemon, fake, bmpPort: where.port, firing: (type) => daemon.alerts.alerts({ status: ['firing'] }).filter((a) => a.type === type) };
}

t.test('a VIF discovered, its routes polled: an RPKI-invalid route alerts with the VIF\'s context; a route AWS stops listing is withdrawn', async (t) => {
  const s = await scene(t);
  const d = s.daemon;
  t.same(d.vifs.vifs.map((v) => v.id).sort(), ['dxvif-ffabc001', 'dxvif-ffabc002', 'dxvif-ffabc003', 'dxvif-ffabc004'], 'every live VIF of the account is watched');
  const vif = d.vifs.get(PRIVATE)!;
  t.match(vif, { type: 'private', region: 'us-east-1', router: undefined, connection: 'dxcon-fg5678gh' });
  t.same(vif.peers.map((p) => [p.address, p.asn]), [['169.254.255.1', 64512], ['2001:db8:0:1::1', 64512]]);
  t.ok(s.fake.requestsFor('DescribeVirtualInterfaces').length >= 1 && s.fake.requestsFor('ListVirtualInterfaceRoutes').length >= 4, 'the API was called (each request verified by the fake\'s SigV4 check)');

  const tables = d.rib.tablesOfRouter('aws-api').filter((x) => x.peer.includes(PRIVATE));
  t.equal(tables.reduce((n, x) => n + x.size, 0), FIXTURE_ROUTES.length, `the ${FIXTURE_ROUTES.length} listed routes are held`);
  await until(() => s.firing('rpki-invalid').length === 1, 'the invalid route fires');
  const invalid = s.firing('rpki-invalid')[0]!;
  t.match(invalid.labels, { vif: PRIVATE, vif_type: 'private', region: 'us-east-1', router: 'aws-api', peer: '169.254.255.1', source: 'aws-api', direction: 'advertised', rib: 'adj-rib-out-post', prefix: '192.0.2.128/25', origin: 'AS64496', reason: 'as' });
  t.match(invalid.context, { vif: PRIVATE, vifType: 'private', region: 'us-east-1', router: 'aws-api', peer: '169.254.255.1', peerAsn: 64512 });

  // The public VIF's list: Amazon's origins pass its policy; AWS's list need not show NO_EXPORT (src/detect/vif-policy-detector.ts).
  // (Raised with the invalid route above, in the same pass over the poll.)
  t.same(d.alerts.alerts({ type: 'unexpected-prefix' }).filter((a) => a.labels.vif === 'dxvif-ffabc003' && a.labels.reason === 'no-export-missing'), [], 'no NO_EXPORT finding on API routes');

  // bgpStatus down on the IPv6 session of 001 and on 004: session-down from AWS's view.
  await until(() => s.firing('session-down').length === 2, 'two sessions down');
  t.same(s.firing('session-down').map((a) => `${a.labels.vif} ${a.labels.peer} ${a.labels.router}`).sort(), ['dxvif-ffabc001 2001:db8:0:1::1 aws-api', 'dxvif-ffabc004 169.254.255.9 aws-api']);

  // AWS stops listing the invalid route: the next poll withdraws it and the alert resolves.
  s.fake.setRoutes(PRIVATE, FIXTURE_ROUTES.filter((r) => r.cidr !== '192.0.2.128/25'));
  await d.directConnect!.pollNow();
  const accepted = tables.find((x) => x.kind === 'adj-rib-out-post' && x.peer.endsWith('169.254.255.1'))!;
  t.equal(d.rib.get(accepted, Prefix.parse('192.0.2.128/25')), undefined, 'withdrawn from the RIB');
  t.ok(d.rib.get(accepted, Prefix.parse('192.0.2.0/24')), 'the others stay');
  await until(() => s.firing('rpki-invalid').length === 0, 'the invalid alert resolves');

  // The IPv6 session comes back up: its session-down resolves at the next discovery.
  const wire = (readFixture('describe-virtual-interfaces.json') as { virtualInterfaces: Wire[] }).virtualInterfaces;
  s.fake.setVifs(wire.map((v) => (v.virtualInterfaceId === PRIVATE ? { ...v, bgpPeers: (v.bgpPeers as Wire[]).map((p) => ({ ...p, bgpStatus: 'up' })) } : v)));
  await d.directConnect!.discoverNow();
  await until(() => s.firing('session-down').length === 1, 'one session down left');

  // A VIF deleted in AWS: no longer watched, its API routes gone.
  s.fake.setVifs(wire.map((v) => (v.virtualInterfaceId === PRIVATE ? { ...v, virtualInterfaceState: 'deleted' } : v)));
  await d.directConnect!.discoverNow();
  t.equal(d.vifs.get(PRIVATE), undefined, 'a deleted VIF is no longer watched');
  t.same(d.rib.tablesOfRouter('aws-api').filter((x) => x.peer.includes(PRIVATE)), [], 'its API routes are withdrawn');

  const text = await createMetrics(d, { defaultMetrics: false }).render();
  t.match(text, /rovd_aws_vif_state\{vif="dxvif-ffabc001",type="private",region="us-east-1",state="deleted"\} 1/);
  t.match(text, /rovd_aws_bgp_peer_up\{vif="dxvif-ffabc004",peer="169\.254\.255\.9",afi="ipv4"\} 0/);
  t.match(text, /rovd_aws_api_requests_total\{account="default",region="us-east-1",operation="ListVirtualInterfaceRoutes",outcome="ok"\} \d+/);
  t.match(text, /rovd_aws_vif_last_poll_timestamp_seconds\{vif="dxvif-ffabc002"\} \d/);
  t.match(text, /rovd_routes\{vif="dxvif-ffabc002",afi="ipv4",rib="adj-rib-out-post",state="not-found",source="aws-api"\} 2/);
});

t.test('a BMP/API divergence on a VIF the config gives a router: raised after a poll, resolved when the router agrees', async (t) => {
  const s = await scene(t, `vifs:\n  - { id: ${PRIVATE}, type: private, router: 127.0.0.1, peers: [{ address: ${AMAZON.address}, asn: 64512 }] }`);
  const d = s.daemon;
  t.match(d.vifs.get(PRIVATE), { router: '127.0.0.1', region: 'us-east-1', name: 'prod-dxgw-vif' }, 'the config\'s router, AWS\'s region and name');
  const router: Socket = connect(s.bmpPort, '127.0.0.1');
  await new Promise((r) => router.once('connect', r));
  t.teardown(() => router.destroy());
  const update = (nlri: string[], withdrawn: string[] = []) => bmp(0, cat(perPeer(AMAZON), bgp(BGP_UPDATE, updateBody({ nlri, asPath: [64512], withdrawn }))));
  // What the router receives from Amazon: one of AWS's two advertised routes, and one AWS does not list.
  router.write(bmp(3, cat(perPeer(AMAZON), peerUpBody(openBody({ asn: 65000 }), openBody({ asn: 64512 })))));
  router.write(update(['198.51.100.0/26', '203.0.113.0/24']));
  await until(() => d.rib.tablesOfRouter('127.0.0.1').reduce((n, x) => n + x.size, 0) === 2, 'the router\'s routes');
  d.detection.tick();
  t.equal(s.firing('route-divergence').length, 0, 'not before AWS is asked again');
  await d.directConnect!.pollNow();
  d.detection.tick();
  await until(() => s.firing('route-divergence').length === 2, 'two divergences fire');
  t.same(s.firing('route-divergence').map((a) => `${a.labels.divergence} ${a.labels.prefix} ${a.labels.direction}`).sort(), ['missing-from-aws 203.0.113.0/24 advertised', 'missing-from-bmp 198.51.100.64/26 advertised']);
  const one = s.firing('route-divergence')[0]!;
  t.match(one.labels, { vif: PRIVATE, peer: AMAZON.address, router: '127.0.0.1', vif_type: 'private', region: 'us-east-1' });

  router.write(update(['198.51.100.64/26'], ['203.0.113.0/24']));
  await until(() => d.rib.tablesOfRouter('127.0.0.1').reduce((n, x) => n + x.size, 0) === 2 && d.rib.countCovered(Prefix.parse('198.51.100.64/26')) === 2, 'the router catches up');
  d.detection.tick();
  await until(() => s.firing('route-divergence').length === 0, 'both resolve');

  // A reload keeps what was discovered, merged with the new config; a change to aws.directConnect needs a restart.
  const reloaded = d.reload(parseConfig(s.yaml(`vifs:\n  - { id: ${PRIVATE}, type: private, router: 127.0.0.1, peers: [{ address: ${AMAZON.address}, asn: 64512 }], expected: [{ prefix: 192.0.2.0/24 }] }`), s.file));
  t.same(reloaded.restartNeeded, []);
  t.equal(d.vifs.vifs.length, 4, 'the discovered VIFs are still watched');
  t.match(d.vifs.get(PRIVATE), { router: '127.0.0.1', region: 'us-east-1' });
  t.same(d.vifs.get(PRIVATE)!.expected.map((e) => String(e.prefix)), ['192.0.2.0/24'], 'the new config\'s key');
  const changed = d.reload(parseConfig(s.yaml('').replace('requestsPerSecond: 50', 'requestsPerSecond: 5'), s.file));
  t.same(changed.restartNeeded, ['directConnect']);
  t.equal(d.vifs.get(PRIVATE)!.router, undefined, 'the VIF is now as AWS describes it: the config no longer names it');

  // GET /api/v1/status tells each source's last answer and each VIF's peers and last poll.
  const app = await buildApiServer({ daemon: d, version: '0.0.0-test', metrics: { contentType: 'text/plain', render: async () => '' } });
  t.teardown(() => app.close());
  const api = (await app.inject({ url: `/api/v1/routes?vif=${PRIVATE}&source=aws-api&limit=100` })).json() as { items: { source: string; router: string; rib: string }[] };
  t.equal(api.items.length, FIXTURE_ROUTES.length, 'GET /api/v1/routes?source=aws-api: the routes AWS lists');
  t.ok(api.items.every((r) => r.source === 'aws-api' && r.router === 'aws-api'));
  const bmpRoutes = (await app.inject({ url: '/api/v1/routes?source=bmp' })).json() as { items: { source: string; router: string }[] };
  t.same(bmpRoutes.items.map((r) => `${r.source} ${r.router}`), ['bmp 127.0.0.1', 'bmp 127.0.0.1'], 'and the router\'s own');
  const status = (await app.inject({ url: '/api/v1/status' })).json() as { directConnect: { sources: { account: string; lastSuccess: string }[]; vifs: { id: string; watched: boolean; lastPoll: string | null; peers: { bgpStatus: string }[] }[] } };
  t.match(status.directConnect.sources, [{ account: 'default', region: 'us-east-1', vifs: 4, failures: 0, lastError: null }]);
  t.match(status.directConnect.sources[0]!.lastSuccess, /^\d{4}-\d\d-\d\dT/);
  const v1 = status.directConnect.vifs.find((v) => v.id === PRIVATE)!;
  t.equal(v1.watched, true);
  t.match(v1.lastPoll, /^\d{4}-/);
  t.same(v1.peers.map((p) => p.bgpStatus), ['up', 'down']);
});

t.test('throttling is absorbed by retries; failures that last raise aws-api-error and keep what was last read', async (t) => {
  const s = await scene(t);
  const d = s.daemon;
  const held = d.rib.count();
  s.fake.throttleNext(2);
  await d.directConnect!.pollNow();
  t.equal(d.rib.count(), held, 'the poll succeeded after two throttled attempts');
  t.ok(d.awsCalls.all().some((e) => e.outcome === 'retry' && e.count >= 2), 'the retries are counted');
  t.equal(s.firing('aws-api-error').length, 0);

  s.fake.override = () => awsError(500, 'DirectConnectServerException', 'internal failure');
  for (let i = 0; i < 3; i++) await d.directConnect!.discoverNow();
  await until(() => s.firing('aws-api-error').length === 1, 'aws-api-error fires after three failed rounds');
  const err = s.firing('aws-api-error')[0]!;
  t.match(err.labels, { account: 'default', region: 'us-east-1', severity: 'warning' });
  t.match(err.description, /DirectConnectServerException|internal failure/);
  t.equal(d.rib.count(), held, 'routes kept as last read');
  t.equal(d.rib.staleCount(), held, '… and marked stale');
  t.equal(d.vifs.vifs.length, 4, 'VIFs kept as last read');

  s.fake.override = undefined;
  await d.directConnect!.discoverNow();
  await until(() => s.firing('aws-api-error').length === 0, 'resolved by the next success');
  await d.directConnect!.pollNow();
  t.equal(d.rib.staleCount(), 0, 'the next poll refreshes them');
  t.equal(d.rib.count(), held);
});
