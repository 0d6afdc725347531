/**
 * `rovd vifs discover` against the local Direct Connect endpoint (SigV4
 * checked): the fragment lists every live VIF with what AWS knows, pastes
 * into a config that rovd accepts, and the config's accounts, JSON output
 * and errors behave.
 */
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../src/config/config.js';
import { FakeDirectConnect, awsError, readFixture, useFakeCredentials, type Wire } from '../helpers/fake-direct-connect.js';
import { runRovd } from '../helpers/rovd.js';

useFakeCredentials();

async function fake(t: Test): Promise<FakeDirectConnect> {
  const f = await FakeDirectConnect.start();
  f.loadFixtures();
  t.teardown(() => f.close());
  return f;
}

t.test('the fragment: every live VIF with AWS\'s facts, a comment per VIF, and rovd accepts it pasted in', async (t) => {
  const f = await fake(t);
  const wire = (readFixture('describe-virtual-interfaces.json') as { virtualInterfaces: Wire[] }).virtualInterfaces;
  f.setVifs([...wire, { ...wire[0]!, virtualInterfaceId: 'dxvif-gone0001', virtualInterfaceState: 'deleted' }]);
  const r = await runRovd(['vifs', 'discover', '--region', 'us-east-1', '--endpoint', f.url]);
  t.equal(r.code, 0, r.err);
  t.match(r.err, /4 VIF\(s\) in 1 region\(s\)/);
  t.match(r.out, /^# 4 VIF\(s\) discovered through Direct Connect/);
  t.match(r.out, /# account default, us-east-1: available, VLAN 101, customer AS65000, BGP ipv4 up, ipv6 down, at EqDC2/);
  t.notMatch(r.out, /dxvif-gone0001/, 'a deleted VIF is left out');
  const doc = parseYaml(r.out) as { vifs: Record<string, unknown>[] };
  t.same(doc.vifs.map((v) => [v.id, v.type]), [['dxvif-ffabc001', 'private'], ['dxvif-ffabc002', 'transit'], ['dxvif-ffabc003', 'public'], ['dxvif-ffabc004', 'private']]);
  t.match(doc.vifs[0], { id: 'dxvif-ffabc001', name: 'prod-dxgw-vif', region: 'us-east-1', connection: 'dxcon-fg5678gh', peers: [{ address: '169.254.255.1', asn: 64512 }, { address: '2001:db8:0:1::1', asn: 64512 }], addressFamilies: ['ipv4', 'ipv6'] });
  t.ok(Array.isArray(doc.vifs[0]!.awsPrefixes) && (doc.vifs[0]!.awsPrefixes as string[]).length > 0, 'the gateway\'s allowed prefixes');
  t.match(doc.vifs[2], { type: 'public', peers: [{ asn: 7224 }], expected: [{ prefix: '198.51.100.0/24', origin: 64497 }, { prefix: '2001:db8:4000::/40', origin: 64497 }] });
  const config = parseConfig(r.out, '/test/pasted.yaml');
  t.equal(config.vifs.length, 4, 'the fragment is a config rovd accepts as it is');
  t.equal(config.vifs[0]!.router, undefined);
  t.equal(f.requestsFor('DescribeVirtualInterfaces').length, 1);
});

t.test('--format json, and the config\'s accounts and endpoint', async (t) => {
  const f = await fake(t);
  const dir = t.testdir({ 'rovd.yaml': `aws: { directConnect: { regions: [us-east-1], endpoint: "${f.url}" } }\n` });
  const r = await runRovd(['vifs', 'discover', '--config', join(dir, 'rovd.yaml'), '--format', 'json']);
  t.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as { vifs: { id: string }[] };
  t.equal(out.vifs.length, 4);
});

t.test('errors: usage (exit 2) and an API failure naming the region and request id (exit 1)', async (t) => {
  const f = await fake(t);
  t.equal((await runRovd(['vifs'])).code, 2, 'no subcommand: the help, exit 2');
  t.match((await runRovd(['vifs', 'list'])).err, /unknown subcommand "list"/);
  t.match((await runRovd(['vifs', 'discover'])).err, /name a --region/);
  t.match((await runRovd(['vifs', 'discover', '--region', 'us-east-1', '--format', 'xml'])).err, /--format must be yaml or json/);
  t.match((await runRovd(['vifs', 'discover', '--region', 'us-east-1', '--external-id', 'x'])).err, /--external-id goes with --role-arn/);
  t.equal((await runRovd(['vifs', '--help'])).code, 0);
  f.override = () => awsError(403, 'AccessDeniedException', 'User is not authorized to perform: directconnect:DescribeVirtualInterfaces');
  const r = await runRovd(['vifs', 'discover', '--region', 'us-east-1', '--endpoint', f.url]);
  t.equal(r.code, 1);
  t.match(r.err, /account default, us-east-1: .*AccessDeniedException|not authorized/);
  t.match(r.err, /[0-9a-f-]{20,}/, 'AWS\'s request id is in the message');
});
