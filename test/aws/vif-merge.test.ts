import t from 'tap';
import { DEFAULT_AMAZON_SIDE_ASN, PUBLIC_VIF_AMAZON_ASN, amazonAsnOf, isLiveVif, mergeVifs, vifFromDiscovered } from '../../src/aws/vif-merge.js';
import type { DiscoveredBgpPeer, DiscoveredGateway, DiscoveredVif } from '../../src/aws/direct-connect-types.js';
import { parseConfig } from '../../src/config/config.js';
import { DEFAULT_DETECTION } from '../../src/detect/settings.js';
import type { Asn } from '../../src/net/asn.js';
import { Prefix } from '../../src/net/prefix.js';

const LIMITS = DEFAULT_DETECTION.prefixLimit.limits;

function peer(over: Partial<DiscoveredBgpPeer> = {}): DiscoveredBgpPeer {
  return { id: 'dxpeer-1', addressFamily: 'ipv4', asn: 65000 as Asn, amazonAddress: '169.254.10.1', customerAddress: '169.254.10.2', state: 'available', status: 'up', awsDeviceId: 'EqDC2-1', awsLogicalDeviceId: 'EqDC2-abc', ...over };
}

function vif(over: Partial<DiscoveredVif> = {}): DiscoveredVif {
  return {
    id: 'dxvif-aaaa1111', name: 'prod', type: 'private', state: 'available', region: 'us-east-1', ownerAccount: '111122223333', connectionId: 'dxcon-abc12345', location: 'EqDC2', vlan: 101,
    customerAsn: 65000 as Asn, amazonSideAsn: undefined, directConnectGatewayId: 'dxgw-1', virtualGatewayId: undefined, routeFilterPrefixes: [], mtu: 1500,
    peers: [peer(), peer({ id: 'dxpeer-2', addressFamily: 'ipv6', amazonAddress: '2001:db8:1::1', customerAddress: '2001:db8:1::2' })], tags: {}, ...over,
  };
}

const GATEWAYS = new Map<string, DiscoveredGateway>([['dxgw-1', { id: 'dxgw-1', name: 'gw', amazonSideAsn: 64600 as Asn, state: 'available', allowedPrefixes: [Prefix.parse('10.0.0.0/16'), Prefix.parse('10.1.0.0/16')] }]]);

t.test('a private VIF behind a Direct Connect gateway: the gateway ASN on each live peer, its allowed prefixes as what AWS may announce', async (t) => {
  const v = vifFromDiscovered(vif(), GATEWAYS, LIMITS);
  t.equal(v.router, undefined, 'no router: watched through the API until a config names one');
  t.same(v.peers, [{ address: '169.254.10.1', asn: 64600 }, { address: '2001:db8:1::1', asn: 64600 }]);
  t.same(v.addressFamilies, ['ipv4', 'ipv6']);
  t.same(v.awsPrefixes.map(String), ['10.0.0.0/16', '10.1.0.0/16']);
  t.same(v.expected, []);
  t.equal(v.prefixLimit, LIMITS.privateAdvertised);
  t.equal(v.receivedLimit, undefined);
  t.equal(v.connection, 'dxcon-abc12345');
  t.equal(v.region, 'us-east-1');
});

t.test('the Amazon ASN: 7224 on public VIFs, the VIF\'s own side ASN first, then the gateway\'s, then 64512', async (t) => {
  t.equal(amazonAsnOf(vif({ type: 'public', amazonSideAsn: 64999 as Asn }), GATEWAYS), PUBLIC_VIF_AMAZON_ASN);
  t.equal(amazonAsnOf(vif({ amazonSideAsn: 64999 as Asn }), GATEWAYS), 64999);
  t.equal(amazonAsnOf(vif(), GATEWAYS), 64600);
  t.equal(amazonAsnOf(vif({ directConnectGatewayId: undefined, virtualGatewayId: 'vgw-1' }), GATEWAYS), DEFAULT_AMAZON_SIDE_ASN);
});

t.test('a public VIF: its route filter prefixes are expected from the customer ASN, nothing assumed of AWS\'s ranges', async (t) => {
  const v = vifFromDiscovered(vif({ type: 'public', directConnectGatewayId: undefined, routeFilterPrefixes: [Prefix.parse('203.0.113.0/24')], peers: [peer({ amazonAddress: '203.0.113.1' })] }), GATEWAYS, LIMITS);
  t.same(v.expected.map((e) => [String(e.prefix), e.origin, e.maxLength]), [['203.0.113.0/24', 65000, 24]]);
  t.same(v.awsPrefixes, []);
  t.equal(v.prefixLimit, LIMITS.publicAdvertised);
  t.same(v.peers, [{ address: '203.0.113.1', asn: 7224 }]);
  t.same(v.addressFamilies, ['ipv4']);
});

t.test('a transit VIF gets the received limit; deleted peers and peers without an address are left out', async (t) => {
  const v = vifFromDiscovered(vif({ type: 'transit', peers: [peer(), peer({ id: 'p2', amazonAddress: '169.254.20.1', state: 'deleted' }), peer({ id: 'p3', amazonAddress: undefined })] }), GATEWAYS, LIMITS);
  t.equal(v.receivedLimit, LIMITS.transitReceived);
  t.equal(v.prefixLimit, LIMITS.transitAdvertised);
  t.same(v.peers.map((p) => p.address), ['169.254.10.1']);
});

t.test('live states', async (t) => {
  for (const state of ['available', 'down', 'pending', 'verifying', 'confirming']) t.ok(isLiveVif(vif({ state })), state);
  for (const state of ['deleted', 'deleting', 'rejected']) t.notOk(isLiveVif(vif({ state })), state);
});

t.test('merge: the config wins key by key where it names the VIF; the rest comes from AWS; disagreements are reported', async (t) => {
  const config = parseConfig(`
aws: { directConnect: { regions: [us-east-1] } }
vifs:
  - id: dxvif-aaaa1111
    type: transit
    router: 192.0.2.1
    peers: [{ address: 169.254.10.1, asn: 64600 }]
    expected: [{ prefix: 198.51.100.0/24, origin: 65000 }]
  - id: dxvif-cccc3333
    type: private
    router: 192.0.2.1
    peers: [{ address: 169.254.30.1, asn: 64512 }]
`, '/test/rovd.yaml');
  const discovered = [vifFromDiscovered(vif(), GATEWAYS, LIMITS), vifFromDiscovered(vif({ id: 'dxvif-bbbb2222', name: 'other' }), GATEWAYS, LIMITS)];
  const merged = mergeVifs(config.vifs, config.vifKeys, discovered, { watch: [], ignore: [] });
  t.same(merged.vifs.map((v) => v.id), ['dxvif-aaaa1111', 'dxvif-cccc3333', 'dxvif-bbbb2222'], 'configured first, then discovered-only');
  const a = merged.vifs[0]!;
  t.equal(a.router, '192.0.2.1', 'router from the config');
  t.equal(a.type, 'transit', 'type from the config');
  t.same(a.peers, [{ address: '169.254.10.1', asn: 64600 }], 'peers from the config');
  t.same(a.expected.map((e) => String(e.prefix)), ['198.51.100.0/24'], 'expected from the config');
  t.equal(a.name, 'prod', 'name from AWS (the config says none)');
  t.equal(a.region, 'us-east-1', 'region from AWS');
  t.same(a.awsPrefixes.map(String), ['10.0.0.0/16', '10.1.0.0/16'], 'awsPrefixes from AWS');
  t.same(a.addressFamilies, ['ipv4', 'ipv6'], 'addressFamilies from AWS (not written in the config)');
  t.equal(a.prefixLimit, LIMITS.privateAdvertised, 'prefixLimit from AWS (not written)');
  t.same(merged.disagreements, ['dxvif-aaaa1111: the config says type transit, AWS says private; the config wins']);
  t.equal(merged.vifs[1], config.vifs[1], 'a configured VIF AWS does not list is kept as configured');
});

t.test('merge: watch and ignore choose among the discovered VIFs only', async (t) => {
  const config = parseConfig(`
aws: { directConnect: { regions: [us-east-1] } }
vifs:
  - { id: dxvif-aaaa1111, type: private, router: 192.0.2.1, peers: [{ address: 169.254.10.1, asn: 64600 }] }
`, '/test/rovd.yaml');
  const discovered = ['dxvif-aaaa1111', 'dxvif-bbbb2222', 'dxvif-cccc3333'].map((id) => vifFromDiscovered(vif({ id }), GATEWAYS, LIMITS));
  t.same(mergeVifs(config.vifs, config.vifKeys, discovered, { watch: ['dxvif-bbbb2222'], ignore: [] }).vifs.map((v) => v.id), ['dxvif-aaaa1111', 'dxvif-bbbb2222']);
  t.same(mergeVifs(config.vifs, config.vifKeys, discovered, { watch: [], ignore: ['dxvif-bbbb2222', 'dxvif-aaaa1111'] }).vifs.map((v) => v.id), ['dxvif-aaaa1111', 'dxvif-cccc3333'], 'a configured VIF is kept even when ignored');
});
