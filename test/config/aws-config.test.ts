import t from 'tap';
import { ConfigError, parseConfig } from '../../src/config/config.js';
import { DIRECT_CONNECT_DEFAULTS } from '../../src/config/aws-config.js';
import { caught } from '../helpers/errors.js';

t.test('aws.directConnect: absent or disabled means rovd never calls AWS', async (t) => {
  t.equal(parseConfig('', 'f.yaml').directConnect, undefined);
  t.equal(parseConfig('aws: { directConnect: { enabled: false, regions: [us-east-1] } }\n', 'f.yaml').directConnect, undefined);
});

t.test('aws.directConnect: rovd\'s own credentials and other accounts, defaults filled in', async (t) => {
  const c = parseConfig(
    `aws:
  directConnect:
    regions: [us-east-1, eu-west-1]
    profile: network
    accounts:
      - { name: shared, roleArn: "arn:aws:iam::111122223333:role/rovd-read", externalId: rovd-x, regions: [ap-southeast-2] }
    endpoint: "https://vpce-1.directconnect.us-east-1.vpce.amazonaws.com/"
    watch: [dxvif-ffabc001]
`,
    'f.yaml',
  ).directConnect!;
  t.same(c.accounts, [
    { name: 'default', regions: ['us-east-1', 'eu-west-1'], profile: 'network', roleArn: undefined, externalId: undefined },
    { name: 'shared', regions: ['ap-southeast-2'], profile: undefined, roleArn: 'arn:aws:iam::111122223333:role/rovd-read', externalId: 'rovd-x' },
  ]);
  t.equal(c.endpoint, 'https://vpce-1.directconnect.us-east-1.vpce.amazonaws.com', 'a trailing slash is dropped');
  t.equal(c.discoveryMs, DIRECT_CONNECT_DEFAULTS.discoverySeconds * 1000);
  t.equal(c.routesMs, DIRECT_CONNECT_DEFAULTS.routesSeconds * 1000);
  t.equal(c.requestsPerSecond, DIRECT_CONNECT_DEFAULTS.requestsPerSecond);
  t.equal(c.timeoutMs, DIRECT_CONNECT_DEFAULTS.timeoutSeconds * 1000);
  t.equal(c.maxAttempts, DIRECT_CONNECT_DEFAULTS.maxAttempts);
  t.equal(c.pollRoutes, true);
  t.same(c.watch, ['dxvif-ffabc001']);
  t.same(c.ignore, []);
});

t.test('with discovery on, a VIF may name no router and own prefixes may name a VIF only AWS knows', async (t) => {
  const c = parseConfig(
    `aws: { directConnect: { regions: [us-east-1] } }
vifs:
  - { id: dxvif-a1, type: private, peers: [{ address: 169.254.0.1, asn: 64512 }], prefixLimit: 50 }
ownPrefixes:
  - { prefix: 203.0.113.0/24, origins: [65000], visibleOn: [dxvif-fromaws1] }
`,
    'f.yaml',
  );
  t.equal(c.vifs[0]!.router, undefined);
  t.same([...c.vifKeys.get('dxvif-a1')!].sort(), ['id', 'peers', 'prefixLimit', 'type'], 'the keys the config wrote, for the merge');
  t.same(c.detection.ownPrefixes[0]!.visibleOn, ['dxvif-fromaws1']);
  t.match(caught(() => parseConfig('ownPrefixes:\n  - { prefix: 203.0.113.0/24, origins: [65000], visibleOn: [dxvif-fromaws1] }\n', 'f.yaml')), { keyPath: 'ownPrefixes[0].visibleOn[0]' }, 'without discovery the VIF must be configured');
});

t.test('aws.directConnect errors name the key and what was expected', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['aws:\n  directConnect: { regions: [us-east-9x] }\n', 'aws.directConnect.regions[0]', /expected an AWS region such as us-east-1, got "us-east-9x"/],
    ['aws:\n  directConnect: { regions: [] }\n', 'aws.directConnect.regions', /expected at least 1 entry/],
    ['aws:\n  directConnect: { profile: x }\n', 'aws.directConnect.regions', /expected the regions to read with these credentials/],
    ['aws:\n  directConnect: {}\n', 'aws.directConnect', /expected regions \(for rovd's own credentials\) or accounts/],
    ['aws:\n  directConnect: { regions: [us-east-1], roleArn: "arn:aws:iam::1:role/x" }\n', 'aws.directConnect.roleArn', /expected an IAM role ARN/],
    ['aws:\n  directConnect: { regions: [us-east-1], externalId: abc }\n', 'aws.directConnect.externalId', /externalId needs a roleArn/],
    ['aws:\n  directConnect: { accounts: [{ name: a, regions: [us-east-1], externalId: abc }] }\n', 'aws.directConnect.accounts[0].externalId', /externalId needs a roleArn/],
    ['aws:\n  directConnect: { accounts: [{ name: a, regions: [us-east-1] }, { name: a, regions: [us-west-2] }] }\n', 'aws.directConnect.accounts[1].name', /the account name "a" is used twice/],
    ['aws:\n  directConnect: { accounts: [{ regions: [us-east-1] }] }\n', 'aws.directConnect.accounts[0]', /missing key "name"/],
    ['aws:\n  directConnect: { regions: [us-east-1], endpoint: "https://x/path" }\n', 'aws.directConnect.endpoint', /without a path/],
    ['aws:\n  directConnect: { regions: [us-east-1], routesSeconds: 1 }\n', 'aws.directConnect.routesSeconds', /whole seconds from 10 to 86400, got 1/],
    ['aws:\n  directConnect: { regions: [us-east-1], requestsPerSecond: 0 }\n', 'aws.directConnect.requestsPerSecond', /requests per second above 0/],
    ['aws:\n  directConnect: { regions: [us-east-1], watch: [dxvif-a1], ignore: [dxvif-a1] }\n', 'aws.directConnect.ignore', /dxvif-a1 is also in watch/],
    ['aws:\n  directConnect: { regions: [us-east-1], region: us-east-1 }\n', 'aws.directConnect.region', /unknown key \(expected one of enabled, regions, profile, roleArn, externalId, accounts/],
    ['detection:\n  divergence: { holdSeconds: -1 }\n', 'detection.divergence.holdSeconds', /whole seconds from 0 to 86400/],
  ];
  for (const [text, keyPath, message] of cases) {
    const err = caught(() => parseConfig(text, 'f.yaml'));
    t.type(err, ConfigError, keyPath);
    t.match(err, { file: 'f.yaml', keyPath, message }, message.source);
  }
});

t.test('an environment variable turns it off or sets the regions', async (t) => {
  const text = 'aws: { directConnect: { regions: [us-east-1] } }\n';
  t.equal(parseConfig(text, 'f.yaml', { env: { ROVD_AWS__DIRECT_CONNECT__ENABLED: 'false' } }).directConnect, undefined);
  t.same(parseConfig('', 'f.yaml', { env: { ROVD_AWS__DIRECT_CONNECT__REGIONS: '[eu-west-1]' } }).directConnect!.accounts[0]!.regions, ['eu-west-1']);
});
