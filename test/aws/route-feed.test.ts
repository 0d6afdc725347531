import t from 'tap';
import { AsPath } from '../../src/bgp/as-path.js';
import { AwsRouteFeed, attributesOf } from '../../src/aws/route-feed.js';
import type { AwsRoute } from '../../src/aws/direct-connect-types.js';
import { Prefix } from '../../src/net/prefix.js';
import { Rib, type RouteEvent } from '../../src/rib/rib.js';
import { feedVifOf, sourceOf } from '../../src/vif/feed-tables.js';
import type { Vif } from '../../src/vif/vif.js';
import type { Asn } from '../../src/net/asn.js';

const VIF: Vif = {
  id: 'dxvif-aaaa1111', name: undefined, type: 'private', region: 'us-east-1', connection: undefined, router: undefined,
  peers: [{ address: '169.254.10.1', asn: 64600 as Asn }, { address: '2001:db8:1::1', asn: 64600 as Asn }],
  addressFamilies: ['ipv4', 'ipv6'], expected: [], awsPrefixes: [], prefixLimit: 100, receivedLimit: undefined,
};

function route(prefix: string, direction: AwsRoute['direction'], path: string, communities: string[] = []): AwsRoute {
  return { prefix: Prefix.parse(prefix), direction, asPath: AsPath.parse(path), communities, awsLogicalDeviceId: 'EqDC2-abc', installedAt: 1_790_000_000_000 };
}

t.test('a poll becomes announces into aws-api tables, by direction and family; the next poll\'s difference becomes withdraws and replaces', async (t) => {
  const rib = new Rib();
  const events: RouteEvent[] = [];
  rib.on((e) => events.push(e));
  const feed = new AwsRouteFeed(rib);
  const first = feed.apply(VIF, [
    route('203.0.113.0/24', 'accepted', '65000'),
    route('198.51.100.0/24', 'accepted', '65000 65001'),
    route('2001:db8:100::/48', 'accepted', '65000'),
    route('10.0.0.0/16', 'advertised', '64600', ['7224:9300']),
  ]);
  t.same(first, { announced: 4, replaced: 0, withdrawn: 0, unchanged: 0, badCommunities: 0 });
  const tables = rib.tablesOfRouter('aws-api');
  t.same(tables.map((x) => `${x.peer} ${x.kind} ${x.size}`).sort(), [
    'aws-api|dxvif-aaaa1111|169.254.10.1 adj-rib-in-pre 1',
    'aws-api|dxvif-aaaa1111|169.254.10.1 adj-rib-out-post 2',
    'aws-api|dxvif-aaaa1111|2001:db8:1::1 adj-rib-out-post 1',
  ], 'accepted = what the customer advertises (Adj-RIB-Out post), advertised = what it receives (Adj-RIB-In pre), each on its family\'s session');
  t.ok(tables.every((x) => feedVifOf(x) === 'dxvif-aaaa1111' && sourceOf(x) === 'aws-api'));
  const received = tables.find((x) => x.kind === 'adj-rib-in-pre')!;
  t.same(rib.get(received, Prefix.parse('10.0.0.0/16'))!.attributes.communities, [(7224 << 16) | 9300]);

  events.length = 0;
  const second = feed.apply(VIF, [
    route('203.0.113.0/24', 'accepted', '65000'),
    route('198.51.100.0/24', 'accepted', '65000 65000 65001'),
    route('10.0.0.0/16', 'advertised', '64600', ['7224:9300']),
  ]);
  t.same(second, { announced: 0, replaced: 1, withdrawn: 1, unchanged: 2, badCommunities: 0 });
  t.same(events.map((e) => `${e.type} ${e.prefix}`).sort(), ['replace 198.51.100.0/24', 'withdraw 2001:db8:100::/48'], 'an unchanged route raises no event');

  t.same(feed.vifIds(), ['dxvif-aaaa1111']);
  t.equal(feed.apply(VIF, []).withdrawn, 3, 'an empty list withdraws everything');
  t.equal(feed.drop('dxvif-aaaa1111'), 0);
  t.same(rib.tablesOfRouter('aws-api'), [], 'drop() removes the tables');
});

t.test('communities as AWS writes them: asn:value, large, well-known in any spelling; others dropped and counted', async (t) => {
  const bad: string[] = [];
  const a = attributesOf(route('10.0.0.0/16', 'advertised', '7224', ['7224:8100', 'no-export', 'NO_EXPORT', '7224:1:2', 'what', '70000:1']), (x) => bad.push(x));
  t.same(a.communities, [(7224 << 16) | 8100, 0xffffff01, 0xffffff01]);
  t.same(a.largeCommunities, ['7224:1:2']);
  t.same(bad, ['what', '70000:1']);
  t.equal(a.origin, undefined, 'nothing invented: no ORIGIN, next hop or MED');
  t.equal(a.nextHop, undefined);
  const rib = new Rib();
  const outcome = new AwsRouteFeed(rib).apply(VIF, [route('10.0.0.0/16', 'advertised', '7224', ['what'])]);
  t.equal(outcome.badCommunities, 1);
  t.equal(outcome.announced, 1, 'the route is kept without the community');
});

t.test('a VIF without a peer of the route\'s family: the table is keyed by the family', async (t) => {
  const rib = new Rib();
  new AwsRouteFeed(rib).apply({ ...VIF, peers: [VIF.peers[0]!] }, [route('2001:db8:100::/48', 'accepted', '65000')]);
  t.same(rib.tablesOfRouter('aws-api').map((x) => x.peer), ['aws-api|dxvif-aaaa1111|ipv6']);
});
