/**
 * The `http` config section: defaults, secrets inline, from a file and
 * from the environment (never printed), the policy inline or from a file,
 * and errors that name the key path (and, for the policy file, the path
 * inside it).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import t from 'tap';
import { parseConfig } from '../../../src/config/config.js';
import { buildHttp } from '../../../src/config/http-config.js';
import { evaluatePolicy } from '../../../src/http/security/policy-eval.js';
import { configErrorOf as err } from '../../helpers/config-error.js';


t.test('defaults', async (t) => {
  const h = parseConfig('{}', '/cfg/rovd.yaml').http;
  t.equal(h.host, '127.0.0.1');
  t.equal(h.port, 9684);
  t.equal(h.tls, undefined);
  t.same(h.auth, { region: 'us-east-1', clockSkewSeconds: 300, keys: [] });
  t.equal(h.policySource, 'default');
  t.same(h.rateLimit, { perSecond: 20, burst: 40 });
  t.equal(h.maxBodyBytes, 1024 * 1024);
  t.equal(h.announcementsMaxBodyBytes, 64 * 1024 * 1024);
  t.same(h.metrics, { bearerToken: undefined, allow: undefined });
});

t.test('keys from every source, secrets redacted; policy from a file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-http-config-'));
  await writeFile(join(dir, 'ci.secret'), 'ci-secret-from-a-file-0123\n');
  await writeFile(join(dir, 'token'), 'metrics-token-0123\n');
  await writeFile(join(dir, 'policy.json'), JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ['AKIACI'] }, Action: 'rovd:PostAnnouncements' }] }));
  const raw = {
    http: {
      listen: '[::1]:8443',
      tls: { certFile: 'tls/cert.pem', keyFile: 'tls/key.pem', caFile: 'tls/ca.pem', requireClientCert: true },
      auth: { region: 'eu-west-1', clockSkewSeconds: 60, keys: [{ id: 'AKIAOPS', secret: 'inline-secret-0123456789' }, { id: 'AKIACI', secretFile: 'ci.secret' }, { id: 'AKIAENV', secretEnv: 'ROVD_TEST_KEY' }] },
      policyFile: 'policy.json',
      metrics: { bearerTokenFile: 'token', allow: ['10.0.0.0/8'] },
    },
  };
  const fail = (path: readonly (string | number)[], reason: string): never => {
    throw new Error(`${path.join('.')}: ${reason}`);
  };
  const h = buildHttp(raw, join(dir, 'rovd.yaml'), fail, { ROVD_TEST_KEY: 'env-secret-0123456789' });
  t.same([h.host, h.port], ['::1', 8443]);
  t.same(h.tls, { certFile: join(dir, 'tls/cert.pem'), keyFile: join(dir, 'tls/key.pem'), caFile: join(dir, 'tls/ca.pem'), requireClientCert: true });
  t.same(h.auth.keys.map((k) => [k.id, k.secret.reveal()]), [['AKIAOPS', 'inline-secret-0123456789'], ['AKIACI', 'ci-secret-from-a-file-0123'], ['AKIAENV', 'env-secret-0123456789']]);
  t.equal(h.metrics.bearerToken?.reveal(), 'metrics-token-0123');
  const printed = JSON.stringify(h) + inspect(h, { depth: 10 }) + String(h.auth.keys[0]!.secret);
  for (const s of ['inline-secret', 'ci-secret', 'env-secret', 'metrics-token']) t.notMatch(printed, s, `${s} never printed`);
  t.equal(h.policySource, join(dir, 'policy.json'));
  t.same(evaluatePolicy(h.policy, { action: 'rovd:PostAnnouncements', keyId: 'AKIACI', sourceIp: '192.0.2.1' }), { allowed: true, statement: 'Statement[0]' });

  await writeFile(join(dir, 'bad-policy.yaml'), 'Version: "2012-10-17"\nStatement:\n  - { Effect: Alow, Principal: "*", Action: "rovd:GetVif" }\n');
  t.throws(() => buildHttp({ http: { policyFile: 'bad-policy.yaml' } }, join(dir, 'rovd.yaml'), fail), { message: `http.policyFile: ${join(dir, 'bad-policy.yaml')}: Statement[0].Effect: expected "Allow" or "Deny", got "Alow"` });
});

t.test('errors name the key path', async (t) => {
  t.match(err('http: { listen: "nowhere" }'), /rovd\.yaml:1:\d+: http\.listen: expected HOST:PORT/);
  t.match(err('http: { auth: { keys: [{ id: A, secret: short }] } }'), /http\.auth\.keys\[0\]\.secret: expected a secret of at least 16 characters/);
  t.match(err('http: { auth: { keys: [{ id: A }] } }'), /http\.auth\.keys\[0\]: needs secret \(or secretFile, secretEnv\)/);
  t.match(err('http: { auth: { keys: [{ id: A, secret: 0123456789abcdef, secretEnv: X }] } }'), /http\.auth\.keys\[0\]\.secretEnv: give secret one way only/);
  t.match(err('http: { auth: { keys: [{ id: A, secretEnv: ROVD_SURELY_UNSET_VAR }] } }'), /http\.auth\.keys\[0\]\.secretEnv: the environment variable ROVD_SURELY_UNSET_VAR is not set/);
  t.match(err('http: { auth: { keys: [{ id: anonymous, secret: 0123456789abcdef }] } }'), /http\.auth\.keys\[0\]\.id: "anonymous" is reserved/);
  t.match(err('http: { auth: { keys: [{ id: A, secret: 0123456789abcdef }, { id: A, secret: 0123456789abcdef }] } }'), /http\.auth\.keys\[1\]\.id: the key id "A" is used twice/);
  t.match(err('http: { auth: { region: mars } }'), /http\.auth\.region: expected an AWS region/);
  t.match(err('http: { tls: { certFile: c, keyFile: k, requireClientCert: true } }'), /http\.tls\.caFile: requireClientCert needs caFile/);
  t.match(err('http: { tls: { certFile: c, keyFile: k, caFile: ca } }'), /http\.tls\.caFile: caFile only verifies client certificates/);
  t.match(err('http: { tls: { certFile: c } }'), /http\.tls: missing key "keyFile"/);
  t.match(err('http: { metrics: { allow: [10.0.0.1/8] } }'), /http\.metrics\.allow\[0\]: expected a prefix/);
  t.match(err('http: { rateLimit: { perSecond: 0 } }'), /http\.rateLimit\.perSecond: expected requests per second/);
  t.match(err('http: { maxBodyBytes: 4096, announcementsMaxBodyBytes: 2048 }'), /http\.announcementsMaxBodyBytes: expected at least maxBodyBytes \(4096\)/);
  t.match(err('http: { policy: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: "*", Action: "rovd:Nope" }] } }'), /http\.policy\.Statement\[0\]\.Action: unknown action "rovd:Nope"/);
  t.match(err('http: { policy: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: "*", Action: "rovd:GetVif", Condition: { IpAddress: { "aws:SourceIp": 300.1.1.0/24 } } }] } }'), /http\.policy\.Statement\[0\]\.Condition\.IpAddress\.aws:SourceIp: expected a CIDR range/);
  t.match(err('http: { policy: { Version: "2012-10-17", Statement: [] }, policyFile: p.json }'), /http\.policyFile: give policy or policyFile, not both/);
  t.match(err('http: { colour: blue }'), /http\.colour: unknown key/);
});
