/**
 * DirectConnectWatch with an in-memory DirectConnectApi: what the scenario
 * test (a real client against the fake endpoint) does not reach — a
 * restored aws-api-error ended by the first success, rounds joined rather
 * than piled up, discovery without route polling, routes kept while any
 * source has never answered, and stop().
 */
import t from 'tap';
import type { Condition } from '../../src/alerts/alert.js';
import type { AwsRoute, DirectConnectApi, DiscoveredVif } from '../../src/aws/direct-connect-types.js';
import { DirectConnectWatch } from '../../src/aws/direct-connect-watch.js';
import { AwsRouteFeed } from '../../src/aws/route-feed.js';
import { vifFromDiscovered } from '../../src/aws/vif-merge.js';
import { AsPath } from '../../src/bgp/as-path.js';
import { parseConfig } from '../../src/config/config.js';
import { fingerprintOf } from '../../src/alerts/alert.js';
import { DEFAULT_DETECTION } from '../../src/detect/settings.js';
import type { Asn } from '../../src/net/asn.js';
import { Prefix } from '../../src/net/prefix.js';
import { Rib } from '../../src/rib/rib.js';
import type { Vif } from '../../src/vif/vif.js';

const VIF: DiscoveredVif = {
  id: 'dxvif-aaaa1111', name: undefined, type: 'private', state: 'available', region: 'us-east-1', ownerAccount: undefined, connectionId: undefined, location: undefined, vlan: undefined,
  customerAsn: 65000 as Asn, amazonSideAsn: 64512 as Asn, directConnectGatewayId: undefined, virtualGatewayId: undefined, routeFilterPrefixes: [], mtu: undefined, tags: {},
  peers: [{ id: 'p', addressFamily: 'ipv4', asn: 65000 as Asn, amazonAddress: '169.254.255.1', customerAddress: '169.254.255.2', state: 'available', status: 'up', awsDeviceId: undefined, awsLogicalDeviceId: undefined }],
};
const ROUTE: AwsRoute = { prefix: Prefix.parse('192.0.2.0/24'), direction: 'accepted', asPath: AsPath.parse('65000'), communities: [], awsLogicalDeviceId: undefined, installedAt: undefined };

class MemoryApi implements DirectConnectApi {
  vifs: DiscoveredVif[] = [VIF];
  routes: AwsRoute[] = [ROUTE];
  fail = false;
  calls = 0;
  closed = false;
  gate: Promise<void> = Promise.resolve();
  constructor(readonly region: string) {}
  async describeVirtualInterfaces() {
    this.calls++;
    await this.gate;
    if (this.fail) throw new Error('AccessDeniedException (request id r-1)');
    return this.vifs;
  }
  async describeConnections() {
    return [];
  }
  async describeDirectConnectGateways() {
    return [];
  }
  async listVirtualInterfaceRoutes() {
    this.calls++;
    if (this.fail) throw new Error('boom');
    return this.routes;
  }
  close() {
    this.closed = true;
  }
}

function watch(settingsYaml: string, apis: Map<string, MemoryApi>) {
  const config = parseConfig(`aws: { directConnect: ${settingsYaml} }\n`, '/t/rovd.yaml');
  const rib = new Rib();
  const raised: Condition[] = [];
  const cleared: string[] = [];
  let vifs: readonly Vif[] = [];
  const w = new DirectConnectWatch({
    settings: config.directConnect!,
    limits: DEFAULT_DETECTION.prefixLimit.limits,
    makeApi: (account, region) => {
      const api = new MemoryApi(region);
      apis.set(`${account.name}/${region}`, api);
      return api;
    },
    feed: new AwsRouteFeed(rib),
    vifs: (id) => vifs.find((v) => v.id === id),
    onDiscovered: (v) => (vifs = v),
    sink: { raise: (c) => raised.push(c), clear: (fp) => cleared.push(fp) },
  });
  return { w, rib, raised, cleared, vifs: () => vifs };
}

t.test('the first success clears an aws-api-error restored from before a restart; later successes do not repeat it', async (t) => {
  const apis = new Map<string, MemoryApi>();
  const { w, cleared } = watch('{ regions: [us-east-1] }', apis);
  t.teardown(() => w.stop());
  await w.discoverNow();
  const fp = fingerprintOf('aws-api-error', { type: 'aws-api-error', severity: 'warning', account: 'default', region: 'us-east-1' });
  t.same(cleared, [fp]);
  await w.discoverNow();
  t.same(cleared, [fp], 'once');
});

t.test('rounds are joined, not piled up', async (t) => {
  const apis = new Map<string, MemoryApi>();
  const { w } = watch('{ regions: [us-east-1] }', apis);
  t.teardown(() => w.stop());
  const api = apis.get('default/us-east-1')!;
  let open!: () => void;
  api.gate = new Promise((r) => (open = r));
  const a = w.discoverNow();
  const b = w.discoverNow();
  t.equal(a, b, 'the second call joins the round in progress');
  open();
  await a;
  t.equal(api.calls, 1);
});

t.test('two regions: routes of a VIF gone from the list are withdrawn only once every source has answered', async (t) => {
  const apis = new Map<string, MemoryApi>();
  const { w, rib, vifs } = watch('{ regions: [us-east-1, eu-west-1], pollRoutes: false }', apis);
  t.teardown(() => w.stop());
  apis.get('default/eu-west-1')!.vifs = [];
  apis.get('default/eu-west-1')!.fail = true;
  await w.discoverNow();
  t.same(vifs().map((v) => v.id), ['dxvif-aaaa1111']);
  // Routes as a poll would bring them.
  new AwsRouteFeed(rib).apply(vifFromDiscovered(VIF, new Map(), DEFAULT_DETECTION.prefixLimit.limits), [ROUTE]);
  apis.get('default/us-east-1')!.vifs = [];
  await w.discoverNow();
  t.equal(rib.count(), 1, 'eu-west-1 has never answered: nothing is dropped yet');
  apis.get('default/eu-west-1')!.fail = false;
  await w.discoverNow();
  t.equal(rib.count(), 0, 'every source answered and none lists the VIF: its routes are withdrawn');
  t.same(w.status().sources.map((s) => [s.region, s.failures]), [['us-east-1', 0], ['eu-west-1', 0]]);
});

t.test('start() with pollRoutes false runs discovery only; stop() closes every client', async (t) => {
  const apis = new Map<string, MemoryApi>();
  const { w, vifs } = watch('{ regions: [us-east-1], pollRoutes: false }', apis);
  w.start();
  await w.discoverNow();
  t.same(vifs().map((v) => v.id), ['dxvif-aaaa1111']);
  t.equal(w.pollOf('dxvif-aaaa1111'), undefined, 'no poll');
  w.stop();
  t.ok([...apis.values()].every((a) => a.closed));
});
