import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigError, defaultConfig, loadConfig, parseConfig } from '../../src/config/config.js';
import { caughtAsync, caught } from '../helpers/errors.js';
import { REPO_ROOT } from '../helpers/corpus.js';

const FULL = `
rpki:
  files: [vrps.json]
  urls: [https://rpki.example.net/json]
  rtr:
    - name: primary
      address: 127.0.0.1:3323
      preference: 10
    - address: "[2001:db8::1]:8282"
      tls: true
      caFile: ca.pem
      version: 1
      refreshSeconds: 300
  slurm: [local.slurm.json]
bmp:
  listen: 0.0.0.0:11019
  allow: [192.0.2.0/24, "2001:db8::/32"]
  staleGraceSeconds: 60
vifs:
  - id: dxvif-ffabc123
    name: prod vpc
    type: private
    region: us-east-1
    connection: dxcon-fh6ayh1d
    router: 192.0.2.1
    peers:
      - { address: 169.254.100.1, asn: 7224 }
      - { address: "2600:1f18:0:0::1", asn: AS7224 }
    expected:
      - { prefix: 10.10.0.0/16, origin: AS65000, maxLength: 24 }
      - { prefix: "2001:db8:100::/40" }
  - id: dxvif-public1
    type: public
    router: 192.0.2.1
    peers: [{ address: 203.0.113.1, asn: 16509 }]
    addressFamilies: [ipv4]
log:
  level: debug
`;

t.test('a full config: every key, defaults, paths relative to the file', async (t) => {
  const c = parseConfig(FULL, '/etc/rovd/rovd.yaml');
  t.same(c.rpki.files, ['/etc/rovd/vrps.json']);
  t.same(c.rpki.slurm, ['/etc/rovd/local.slurm.json']);
  t.match(c.rpki.rtr[0], { name: 'primary', host: '127.0.0.1', port: 3323, preference: 10, tls: false, version: 2 });
  t.match(c.rpki.rtr[1], { name: '[2001:db8::1]:8282', host: '2001:db8::1', port: 8282, tls: true, caFile: '/etc/rovd/ca.pem', version: 1, refreshSeconds: 300, preference: 100 });
  t.match(c.bmp, { host: '0.0.0.0', port: 11019, maxMessageBytes: 1048576, staleGraceSeconds: 60 });
  t.same(c.bmp.allow.map(String), ['192.0.2.0/24', '2001:db8::/32']);
  const [vif, pub] = c.vifs;
  t.match(vif, { id: 'dxvif-ffabc123', type: 'private', region: 'us-east-1', connection: 'dxcon-fh6ayh1d', router: '192.0.2.1', prefixLimit: 100 });
  t.same(vif!.peers, [{ address: '169.254.100.1', asn: 7224 }, { address: '2600:1f18::1', asn: 7224 }], 'addresses canonical, ASNs parsed');
  t.same(vif!.addressFamilies, ['ipv4', 'ipv6']);
  t.same(vif!.expected.map((e) => [String(e.prefix), e.origin, e.maxLength]), [['10.10.0.0/16', 65000, 24], ['2001:db8:100::/40', undefined, 40]]);
  t.equal(pub!.prefixLimit, 1000, 'a public VIF defaults to the Direct Connect quota of 1,000');
  t.equal(c.log.level, 'debug');
  t.ok(Object.isFrozen(c) && Object.isFrozen(c.vifs[0]) && Object.isFrozen(c.bmp.allow));
});

t.test('an empty file is all defaults; the built-in config points at the sample VRPs', async (t) => {
  const c = parseConfig('', '/x/rovd.yaml');
  t.match(c.bmp, { host: '127.0.0.1', port: 11019, staleGraceSeconds: 300 });
  t.same(c.bmp.allow.map(String), ['127.0.0.0/8', '::1/128']);
  t.same(c.vifs, []);
  const d = await defaultConfig(REPO_ROOT);
  t.same(d.rpki.files, [join(REPO_ROOT, 'config/sample/vrps.json')]);
  t.equal(d.file, join(REPO_ROOT, 'config/rovd.yaml'));
  t.match(d, { bmp: { host: '127.0.0.1', port: 11019 }, http: { host: '127.0.0.1', port: 9684 }, store: { dir: join(REPO_ROOT, 'var') } });
});

t.test('environment variables ROVD_<SECTION>__<KEY> override keys, checked like the file', async (t) => {
  const env = {
    ROVD_BMP__LISTEN: '0.0.0.0:1179',
    ROVD_BMP__STALE_GRACE_SECONDS: '60',
    ROVD_BMP__ALLOW: '[10.0.0.0/8, 192.0.2.0/24]',
    ROVD_HTTP__LISTEN: '[::]:9685',
    ROVD_DETECTION__RPKI_INVALID__SEVERITY: 'warning',
    ROVD_STORE__DIR: '/data/rovd',
    ROVD_REQUIRE_PEERS: '1',
    ROVD_WEBHOOK_SECRET: 'not a config key',
    PATH: '/usr/bin',
  };
  const c = parseConfig('bmp:\n  listen: 127.0.0.1:11019\n', '/x/rovd.yaml', { env });
  t.match(c.bmp, { host: '0.0.0.0', port: 1179, staleGraceSeconds: 60 });
  t.same(c.bmp.allow.map(String), ['10.0.0.0/8', '192.0.2.0/24']);
  t.match(c.http, { host: '::', port: 9685 });
  t.equal(c.detection.rpkiInvalid.severity, 'warning');
  t.equal(c.store.dir, '/data/rovd');
  t.equal(parseConfig('', '/x/rovd.yaml').bmp.port, 11019, 'no environment unless given');
  t.match(caught(() => parseConfig('', '/x/r.yaml', { env: { ROVD_BMP__LISTNE: 'x' } })), { message: /ROVD_BMP__LISTNE names no key "LISTNE" \(expected one of listen, allow/ });
  t.match(caught(() => parseConfig('', '/x/r.yaml', { env: { ROVD_BMP__STALE_GRACE_SECONDS: 'soon' } })), { message: /bmp\.staleGraceSeconds: expected whole seconds from 0 to 86400, got "soon" \(from the environment variable ROVD_BMP__STALE_GRACE_SECONDS\)/ });
  t.match(caught(() => parseConfig('', '/x/r.yaml', { env: { ROVD_NOPE__X: '1' } })), { message: /names no key "NOPE"/ });
});

t.test('errors name the file, line, key path and what was expected', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['bmp:\n  listen: 11019\n', 'bmp.listen', /^f\.yaml:2:11: bmp\.listen: expected HOST:PORT \(IPv6 as \[ADDR\]:PORT\), got 11019$/],
    ['bmp:\n  listen: "nohost"\n', 'bmp.listen', /bmp\.listen: expected HOST:PORT.*got "nohost"/],
    ['bmp:\n  lisen: 1.2.3.4:5\n', 'bmp.lisen', /^f\.yaml:2:3: bmp\.lisen: unknown key \(expected one of listen, allow, maxMessageBytes, staleGraceSeconds, decodeThread\)$/],
    ['bmp:\n  allow: [10.0.0.1/8]\n', 'bmp.allow[0]', /bmp\.allow\[0\]: expected a prefix .*got "10\.0\.0\.1\/8" \(host bits/],
    ['vifs:\n  - id: vif-1\n    type: private\n    router: 10.0.0.1\n    peers: [{address: 10.0.0.2, asn: 1}]\n', 'vifs[0].id', /vifs\[0\]\.id: expected a Direct Connect VIF id such as dxvif-ffabc123, got "vif-1"/],
    ['vifs:\n  - id: dxvif-a\n    type: private\n    router: 10.0.0.1\n', 'vifs[0]', /vifs\[0\]: missing key "peers"/],
    ['vifs:\n  - id: dxvif-a\n    type: privat\n    router: 10.0.0.1\n    peers: [{address: 10.0.0.2, asn: 1}]\n', 'vifs[0].type', /vifs\[0\]\.type: expected one of "private", "public", "transit", got "privat"/],
    ['vifs:\n  - id: dxvif-a\n    type: private\n    router: 10.0.0.1\n    peers: [{address: 10.0.0.2, asn: 1}]\n    prefixLimit: lots\n', 'vifs[0].prefixLimit', /^f\.yaml:6:18: vifs\[0\]\.prefixLimit: expected an integer from 1 to 10000000, got "lots"$/],
    ['vifs:\n  - id: dxvif-a\n    type: private\n    router: 10.0.0.1\n    peers: [{address: 10.0.0.2, asn: AS-X}]\n', 'vifs[0].peers[0].asn', /vifs\[0\]\.peers\[0\]\.asn: expected an AS number/],
    ['vifs:\n  - id: dxvif-a\n    type: private\n    router: 10.0.0.300\n    peers: [{address: 10.0.0.2, asn: 1}]\n', 'vifs[0].router', /expected an IPv4 or IPv6 address, got "10\.0\.0\.300"/],
    [
      'vifs:\n  - id: dxvif-a\n    type: private\n    router: 10.0.0.1\n    peers: [{address: 10.0.0.2, asn: 1}]\n  - id: dxvif-a\n    type: private\n    router: 10.0.0.1\n    peers: [{address: 10.0.0.3, asn: 1}]\n',
      'vifs[1].id',
      /vifs\[1\]\.id: dxvif-a is also vifs\[0\]/,
    ],
    [
      'vifs:\n  - id: dxvif-a\n    type: private\n    router: 10.0.0.1\n    peers: [{address: 10.0.0.2, asn: 1}]\n  - id: dxvif-b\n    type: private\n    router: 10.0.0.1\n    peers: [{address: "::ffff:10.0.0.2", asn: 1}]\n',
      'vifs[1].peers[0].address',
      /router 10\.0\.0\.1 peer 10\.0\.0\.2 is already on dxvif-a/,
    ],
    [
      'vifs:\n  - id: dxvif-a\n    type: private\n    router: 10.0.0.1\n    peers: [{address: 10.0.0.2, asn: 1}]\n    addressFamilies: [ipv4]\n    expected: [{prefix: "2001:db8::/32"}]\n',
      'vifs[0].expected[0].prefix',
      /2001:db8::\/32 is IPv6, which addressFamilies \(ipv4\) leaves out/,
    ],
    [
      'vifs:\n  - id: dxvif-a\n    type: private\n    router: 10.0.0.1\n    peers: [{address: 10.0.0.2, asn: 1}]\n    expected: [{prefix: 10.0.0.0/16, maxLength: 8}]\n',
      'vifs[0].expected[0].maxLength',
      /expected a length from 16 to 32 for 10\.0\.0\.0\/16, got 8/,
    ],
    ['rpki:\n  rtr: [{address: "cache:323", caFile: ca.pem}]\n', 'rpki.rtr[0]', /rpki\.rtr\[0\]: caFile, certFile and keyFile need tls: true/],
    ['rpki:\n  rtr: [{address: "a:1", name: x}, {address: "b:2", name: x}]\n', 'rpki.rtr[1].name', /the cache name "x" is used twice/],
    ['rpki:\n  urls: [ftp://x]\n', 'rpki.urls[0]', /expected an http:\/\/ or https:\/\/ URL, got "ftp:\/\/x"/],
    ['rpki:\n  rtr: [{address: "a:1", version: 3}]\n', 'rpki.rtr[0].version', /expected one of 0, 1, 2, got 3/],
    ['log:\n  level: loud\n', 'log.level', /log\.level: expected one of "fatal", "error"/],
    ['- just\n- a list\n', '', /^f\.yaml:1:1: expected a mapping of settings at the top level$/],
    ['bmp: [\n', '', /^f\.yaml:\d+:\d+: not valid YAML/],
    ['bmp:\n  listen: a:1\nbmp:\n  listen: b:2\n', '', /not valid YAML: Map keys must be unique/],
    ['rpki:\n  files: true\n', 'rpki.files', /^f\.yaml:2:10: rpki\.files: expected an array, got true$/],
    ['rpki:\n  files: yes\n', 'rpki.files', /rpki\.files: expected an array, got "yes"/], // YAML 1.2: yes is a string
  ];
  for (const [text, keyPath, message] of cases) {
    const err = caught(() => parseConfig(text, 'f.yaml'));
    t.type(err, ConfigError, keyPath || message.source);
    t.match(err, { file: 'f.yaml', keyPath, message }, message.source);
  }
});

t.test('loadConfig reads a file and names it when it cannot', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-config-'));
  const file = join(dir, 'rovd.yaml');
  await writeFile(file, 'bmp:\n  listen: 127.0.0.1:0\n');
  const c = await loadConfig(file);
  t.match(c, { file, bmp: { host: '127.0.0.1', port: 0 } });
  t.match(await caughtAsync(() => loadConfig(join(dir, 'missing.yaml'))), { message: /missing\.yaml: cannot read the file: ENOENT/ });
});

t.test('the example config in config/ is valid', async (t) => {
  const example = join(REPO_ROOT, 'config/rovd.example.yaml');
  delete process.env.ROVD_WEBHOOK_SECRET;
  t.match(await caughtAsync(() => loadConfig(example)), { message: /alerts\.sinks\[0\]\.secretEnv: the environment variable ROVD_WEBHOOK_SECRET is not set/ });
  process.env.ROVD_WEBHOOK_SECRET = 'example-secret-0123456789';
  t.teardown(() => delete process.env.ROVD_WEBHOOK_SECRET);
  const c = await loadConfig(example);
  t.equal(c.vifs[0]!.id, 'dxvif-ffabc123');
  t.same(c.rpki.files, [join(REPO_ROOT, 'config/sample/vrps.json')]);
  t.same(c.detection.ownPrefixes.map((o) => o.prefix.toString()), ['10.20.0.0/16']);
  t.match(c.alerts.sinks[0], { name: 'noc', type: 'webhook', secret: 'example-secret-0123456789' });
  t.equal(c.store.dir, '/var/lib/rovd');
});
