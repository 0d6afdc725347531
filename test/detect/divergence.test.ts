import t, { type Test } from 'tap';
import { AsPath } from '../../src/bgp/as-path.js';
import type { AwsRoute, DiscoveredVif } from '../../src/aws/direct-connect-types.js';
import { AwsRouteFeed } from '../../src/aws/route-feed.js';
import { samePath } from '../../src/detect/divergence-detector.js';
import { Prefix } from '../../src/net/prefix.js';
import type { PeerTable, RibKind } from '../../src/rib/peer-table.js';
import { DetectionBench, asn } from './harness.js';

const ROUTER = '192.0.2.1';
const PEER = '169.254.10.1';
const VIF = 'dxvif-aaaa1111';
const CONFIG = `
detection: { divergence: { holdSeconds: 300 } }
vifs:
  - { id: ${VIF}, type: private, region: us-east-1, router: ${ROUTER}, peers: [{ address: ${PEER}, asn: 64600 }] }
  - { id: dxvif-bbbb2222, type: private, peers: [{ address: 169.254.20.1, asn: 64600 }] }
`;

function bench(t: Test, extra = ''): DetectionBench {
  const b = new DetectionBench(CONFIG + extra);
  t.teardown(() => b.stop());
  return b;
}

const route = (prefix: string, direction: AwsRoute['direction'], path: string): AwsRoute => ({ prefix: Prefix.parse(prefix), direction, asPath: AsPath.parse(path), communities: [], awsLogicalDeviceId: undefined, installedAt: undefined });

function routerTable(b: DetectionBench, kind: RibKind): PeerTable {
  // The router's own ASN, as BMP Peer Up gives it: the sender of what it advertises.
  return b.rib.table({ router: ROUTER, peer: `0|0:0|${PEER}`, kind }, { localAsn: asn(65000) });
}

t.test('route-divergence: each kind raised past the hold-down and a later poll, then cleared when the views agree', async (t) => {
  const b = bench(t);
  const feed = new AwsRouteFeed(b.rib);
  const vif = b.vifs.get(VIF)!;
  const out = routerTable(b, 'adj-rib-out-post');
  const inn = routerTable(b, 'adj-rib-in-pre');
  b.announce(out, '203.0.113.0/24', '65000'); // own ASN shown: same as AWS
  b.announce(out, '198.51.100.0/24', '65001'); // own ASN not shown: same as AWS after stripping it
  b.announce(out, '192.0.2.128/25', '65000'); // AWS does not list it
  b.announce(out, '198.51.100.128/25', '65000 65002'); // AWS has another path
  b.announce(inn, '10.0.0.0/16', '64600');
  feed.apply(vif, [
    route('203.0.113.0/24', 'accepted', '65000'),
    route('198.51.100.0/24', 'accepted', '65000 65001'),
    route('198.51.100.128/25', 'accepted', '65000 65003'),
    route('203.0.113.128/25', 'accepted', '65000'), // the router does not have it
    route('10.0.0.0/16', 'advertised', '64600'),
  ]);
  const t0 = b.nowMs;
  b.polls.set(VIF, t0);
  b.detection.tick();
  t.equal(b.sink.of('route-divergence').length, 0, 'nothing at once');
  b.nowMs = t0 + 301_000;
  b.detection.tick();
  t.equal(b.sink.of('route-divergence').length, 0, 'past the hold-down, but AWS was not asked again since the difference appeared');
  b.polls.set(VIF, t0 + 300_000);
  b.detection.tick();
  const raised = b.sink.of('route-divergence');
  t.same(raised.map((c) => `${c.labels.divergence} ${c.labels.prefix} ${c.labels.direction}`).sort(), [
    'as-path 198.51.100.128/25 accepted',
    'missing-from-aws 192.0.2.128/25 accepted',
    'missing-from-bmp 203.0.113.128/25 accepted',
  ]);
  const path = raised.find((c) => c.labels.divergence === 'as-path')!;
  t.match(path.labels, { vif: VIF, peer: PEER, router: ROUTER, vif_type: 'private', region: 'us-east-1', severity: 'warning' });
  t.match(path.description, /AS path 65000 65002 in router 192\.0\.2\.1's BMP view \(adj-rib-out-post\) but 65000 65003 in Direct Connect's list/);
  t.same(path.evidence.details, { divergence: 'as-path', bmpAsPath: '65000 65002', awsAsPath: '65000 65003', since: new Date(t0).toISOString() });
  t.equal(b.detection.counts().divergences, 3);

  // The router catches up, AWS's next poll agrees: all clear.
  b.announce(out, '203.0.113.128/25', '65000');
  b.withdraw(out, '192.0.2.128/25');
  feed.apply(vif, [
    route('203.0.113.0/24', 'accepted', '65000'),
    route('198.51.100.0/24', 'accepted', '65000 65001'),
    route('198.51.100.128/25', 'accepted', '65000 65002'),
    route('203.0.113.128/25', 'accepted', '65000'),
    route('10.0.0.0/16', 'advertised', '64600'),
  ]);
  b.detection.tick();
  t.equal(b.sink.of('route-divergence').length, 0, 'cleared');
  t.equal(b.detection.counts().divergences, 0);
});

t.test('route-divergence: AWS advertises a route the router does not receive; nothing compared without a router, a poll, or the router\'s RIB', async (t) => {
  const b = bench(t);
  const feed = new AwsRouteFeed(b.rib);
  feed.apply(b.vifs.get(VIF)!, [route('10.0.0.0/16', 'advertised', '64600')]);
  feed.apply(b.vifs.get('dxvif-bbbb2222')!, [route('10.9.0.0/16', 'advertised', '64600')]);
  b.detection.tick();
  b.nowMs += 400_000;
  b.detection.tick();
  t.equal(b.sink.of('route-divergence').length, 0, 'never polled (no poll time): not compared');
  b.polls.set(VIF, b.nowMs);
  b.polls.set('dxvif-bbbb2222', b.nowMs);
  b.detection.tick();
  t.equal(b.sink.of('route-divergence').length, 0, 'the router sends no Adj-RIB-In for the peer: nothing to compare with');
  const inn = routerTable(b, 'adj-rib-in-post');
  b.announce(inn, '10.1.0.0/16', '64600');
  b.detection.tick();
  b.nowMs += 301_000;
  b.polls.set(VIF, b.nowMs);
  b.detection.tick();
  t.same(b.sink.of('route-divergence').map((c) => `${c.labels.divergence} ${c.labels.prefix} ${c.labels.direction} ${c.context.rib}`).sort(), [
    'missing-from-aws 10.1.0.0/16 advertised adj-rib-in-post',
    'missing-from-bmp 10.0.0.0/16 advertised adj-rib-in-post',
  ], 'compared with Adj-RIB-In post-policy when pre-policy is not sent');
});

t.test('route-divergence off: nothing raised', async (t) => {
  // AWS lists a route the router does not advertise; time passes past the hold-down, with a poll after.
  const routeOnlyAwsHas = (b: DetectionBench, laterMs: number): void => {
    new AwsRouteFeed(b.rib).apply(b.vifs.get(VIF)!, [route('203.0.113.128/25', 'accepted', '65000')]);
    routerTable(b, 'adj-rib-out-post');
    b.polls.set(VIF, b.nowMs + 1);
    b.detection.tick();
    b.nowMs += laterMs;
    b.polls.set(VIF, b.nowMs);
    b.detection.tick();
  };
  const b = bench(t);
  routeOnlyAwsHas(b, 301_000);
  t.equal(b.sink.of('route-divergence').length, 1);
  const off = new DetectionBench(CONFIG.replace('divergence: { holdSeconds: 300 }', 'divergence: { enabled: false }'));
  t.teardown(() => off.stop());
  routeOnlyAwsHas(off, 400_000);
  t.equal(off.sink.raised.length, 0);
});

t.test('samePath: equal, equal once the sender\'s prepends are off, or different', async (t) => {
  t.ok(samePath(AsPath.parse('65000 65001'), AsPath.parse('65000 65001'), undefined));
  t.ok(samePath(AsPath.parse('65000 65000 65001'), AsPath.parse('65001'), asn(65000)));
  t.notOk(samePath(AsPath.parse('65000 65001'), AsPath.parse('65001'), undefined));
  t.notOk(samePath(AsPath.parse('65000 65001'), AsPath.parse('65000 65002'), asn(65000)));
  t.ok(samePath(AsPath.parse('65000 {1,2}'), AsPath.parse('{1,2}'), asn(65000)));
});

t.test('session-down from Direct Connect\'s bgpStatus: raised for a watched VIF\'s down peer, cleared when up or deleted', async (t) => {
  const b = bench(t);
  const discovered = (status: 'up' | 'down' | 'unknown', state = 'available', peerState = 'available'): DiscoveredVif => ({
    id: VIF, name: undefined, type: 'private', state, region: 'us-east-1', ownerAccount: undefined, connectionId: undefined, location: undefined, vlan: undefined,
    customerAsn: asn(65000), amazonSideAsn: asn(64600), directConnectGatewayId: undefined, virtualGatewayId: undefined, routeFilterPrefixes: [], mtu: undefined, tags: {},
    peers: [{ id: 'p1', addressFamily: 'ipv4', asn: asn(65000), amazonAddress: PEER, customerAddress: '169.254.10.2', state: peerState, status, awsDeviceId: 'EqDC2-1', awsLogicalDeviceId: undefined }],
  });
  b.detection.onAwsVif(discovered('down'));
  const down = b.sink.of('session-down');
  t.equal(down.length, 1);
  t.match(down[0]!.labels, { vif: VIF, router: 'aws-api', peer: PEER, vif_type: 'private', region: 'us-east-1', severity: 'critical' });
  t.match(down[0]!.summary, /AWS reports bgpStatus down/);
  b.detection.onAwsVif(discovered('unknown'));
  t.equal(b.sink.of('session-down').length, 1, 'unknown changes nothing');
  b.detection.onAwsVif(discovered('up'));
  t.equal(b.sink.of('session-down').length, 0, 'cleared when up');
  b.detection.onAwsVif(discovered('down'));
  b.detection.onAwsVif(discovered('down', 'deleted'));
  t.equal(b.sink.of('session-down').length, 0, 'a deleted VIF\'s sessions are not down, they are gone');
  b.detection.onAwsVif(discovered('down', 'available', 'deleting'));
  t.equal(b.sink.of('session-down').length, 0, 'nor is a peer being deleted');
  b.detection.onAwsVif({ ...discovered('down'), id: 'dxvif-zzzz9999' });
  t.equal(b.sink.raised.filter((c) => c.labels.vif === 'dxvif-zzzz9999').length, 0, 'a VIF not watched is not alerted on');
});
