/**
 * The access policy: parsing (every error names its key path) and IAM's
 * evaluation as a table (explicit Deny wins, Allow grants, otherwise
 * denied; wildcards; principals; IpAddress/NotIpAddress for IPv4, IPv6 and
 * IPv4-mapped IPv6; unsigned writes; the default policy).
 */
import t from 'tap';
import { ACTION_NAMES, READ_ACTIONS, type RovdAction, WRITE_ACTIONS } from '../../../src/http/security/actions.js';
import { defaultPolicy } from '../../../src/http/security/default-policy.js';
import { type AccessPolicy, parsePolicy } from '../../../src/http/security/policy.js';
import { evaluatePolicy } from '../../../src/http/security/policy-eval.js';
import { compileWildcard } from '../../../src/http/security/wildcard.js';

const KEYS = new Set(['AKIAOPS', 'AKIADEV', 'AKIACI']);
class PolicyFailure extends Error {}
const fail = (path: readonly (string | number)[], reason: string): never => {
  throw new PolicyFailure(`${path.join('.')}: ${reason}`);
};
const parse = (doc: unknown): AccessPolicy => parsePolicy(doc, KEYS, ['http', 'policy'], fail);
const parseError = (doc: unknown): string => {
  try {
    parse(doc);
    return 'no error';
  } catch (e) {
    return (e as Error).message;
  }
};
const decide = (policy: AccessPolicy, action: RovdAction, keyId: string | undefined, sourceIp: string): string => {
  const d = evaluatePolicy(policy, { action, keyId, sourceIp });
  return d.allowed ? `allowed by ${d.statement}` : d.reason;
};

t.test('the action table', async (t) => {
  t.equal(ACTION_NAMES.length, 15);
  t.same([...WRITE_ACTIONS].sort(), ['rovd:AckAlert', 'rovd:CreateSilence', 'rovd:DeleteSilence', 'rovd:PostAnnouncements']);
  t.ok(READ_ACTIONS.includes('rovd:WhatIf'), 'WhatIf is a read');
  t.ok(READ_ACTIONS.includes('rovd:GetMetrics'));
});

t.test('IAM wildcards', async (t) => {
  t.ok(compileWildcard('rovd:Get*').test('rovd:GetVif'));
  t.ok(compileWildcard('rovd:*').test('rovd:AckAlert'));
  t.ok(compileWildcard('ROVD:getvi?').test('rovd:GetVif'), 'case-insensitive');
  t.notOk(compileWildcard('rovd:GetVi?').test('rovd:GetVifs'));
  t.notOk(compileWildcard('rovd:Get.if').test('rovd:GetVif'), 'a dot is a dot');
});

const POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'deny-office', Effect: 'Deny', Principal: '*', Action: ['rovd:*Silence'], Condition: { IpAddress: { 'aws:SourceIp': ['198.51.100.0/24', '2001:db8:bad::/48'] } } },
    { Sid: 'read-everyone', Effect: 'Allow', Principal: '*', Action: 'rovd:Get*', Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32'] } } },
    { Sid: 'ops', Effect: 'Allow', Principal: { AWS: ['AKIAOPS'] }, Action: ['rovd:*'] },
    { Effect: 'Allow', Principal: ['AKIACI'], Action: 'rovd:PostAnnouncements', Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } },
    { Sid: 'no-dev-acks', Effect: 'Deny', Principal: { AWS: 'AKIADEV' }, Action: 'rovd:AckAlert' },
    { Effect: 'Allow', Principal: { AWS: '*' }, Action: ['rovd:List????', 'rovd:ListAlerts', 'rovd:AckAlert'] },
  ],
};

t.test('evaluation: deny wins, then allow, else denied', async (t) => {
  const p = parse(POLICY);
  const table: [RovdAction, string | undefined, string, string][] = [
    ['rovd:GetVif', undefined, '192.0.2.7', 'allowed by "read-everyone"'],
    ['rovd:GetVif', undefined, '::ffff:192.0.2.7', 'allowed by "read-everyone"'],
    ['rovd:GetVif', undefined, '2001:db8:1::5', 'allowed by "read-everyone"'],
    ['rovd:GetVif', undefined, '203.0.113.9', 'no statement allows rovd:GetVif for anonymous from 203.0.113.9'],
    ['rovd:GetVif', undefined, '2001:db9::1', 'no statement allows rovd:GetVif for anonymous from 2001:db9::1'],
    ['rovd:ListVifs', undefined, '203.0.113.9', 'allowed by Statement[5]'],
    ['rovd:ListAlerts', 'AKIADEV', '203.0.113.9', 'allowed by Statement[5]'],
    ['rovd:AckAlert', undefined, '192.0.2.7', 'writes must be signed (SigV4)'],
    ['rovd:AckAlert', 'AKIADEV', '192.0.2.7', 'denied by statement "no-dev-acks"'],
    ['rovd:AckAlert', 'AKIAOPS', '192.0.2.7', 'allowed by "ops"'],
    ['rovd:AckAlert', 'AKIACI', '192.0.2.7', 'allowed by Statement[5]'],
    ['rovd:CreateSilence', 'AKIAOPS', '192.0.2.7', 'allowed by "ops"'],
    ['rovd:CreateSilence', 'AKIAOPS', '198.51.100.20', 'denied by statement "deny-office"'],
    ['rovd:DeleteSilence', 'AKIAOPS', '2001:db8:bad:1::1', 'denied by statement "deny-office"'],
    ['rovd:DeleteSilence', 'AKIAOPS', '2001:db8:bae::1', 'allowed by "ops"'],
    ['rovd:ListSilences', 'AKIAOPS', '198.51.100.20', 'allowed by "ops"'],
    ['rovd:PostAnnouncements', 'AKIACI', '192.0.2.7', 'allowed by Statement[3]'],
    ['rovd:PostAnnouncements', 'AKIACI', '203.0.113.5', 'no statement allows rovd:PostAnnouncements for AKIACI from 203.0.113.5'],
    ['rovd:PostAnnouncements', 'AKIADEV', '192.0.2.7', 'no statement allows rovd:PostAnnouncements for AKIADEV from 192.0.2.7'],
    ['rovd:WhatIf', undefined, '192.0.2.7', 'no statement allows rovd:WhatIf for anonymous from 192.0.2.7'],
  ];
  for (const [action, key, ip, want] of table) t.equal(decide(p, action, key, ip), want, `${action} ${key ?? 'anonymous'} ${ip}`);
  t.match(decide(p, 'rovd:GetVif', undefined, 'not-an-ip'), /is not an IP address/);
});

t.test('an anonymous read needs Principal "*"; a key list never matches anonymous', async (t) => {
  const p = parse({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: ['AKIAOPS'] }, Action: 'rovd:GetStatus' } });
  t.equal(decide(p, 'rovd:GetStatus', undefined, '127.0.0.1'), 'no statement allows rovd:GetStatus for anonymous from 127.0.0.1');
  t.equal(decide(p, 'rovd:GetStatus', 'AKIAOPS', '127.0.0.1'), 'allowed by Statement[0]');
  const open = parse({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'rovd:*' }] });
  t.equal(decide(open, 'rovd:PostAnnouncements', undefined, '127.0.0.1'), 'writes must be signed (SigV4)', 'not even "*" opens writes to unsigned requests');
});

t.test('the default policy: loopback reads for all, loopback writes for keys', async (t) => {
  const p = defaultPolicy(['AKIAOPS']);
  t.equal(decide(p, 'rovd:ListAlerts', undefined, '127.0.0.1'), 'allowed by "default-read-loopback"');
  t.equal(decide(p, 'rovd:ListAlerts', undefined, '::1'), 'allowed by "default-read-loopback"');
  t.equal(decide(p, 'rovd:ListAlerts', undefined, '::ffff:127.0.0.1'), 'allowed by "default-read-loopback"');
  t.equal(decide(p, 'rovd:GetMetrics', undefined, '127.0.0.1'), 'allowed by "default-read-loopback"');
  t.equal(decide(p, 'rovd:ListAlerts', undefined, '192.0.2.7'), 'no statement allows rovd:ListAlerts for anonymous from 192.0.2.7');
  t.equal(decide(p, 'rovd:AckAlert', 'AKIAOPS', '127.0.0.1'), 'allowed by "default-write-loopback"');
  t.equal(decide(p, 'rovd:AckAlert', 'AKIAOPS', '192.0.2.7'), 'no statement allows rovd:AckAlert for AKIAOPS from 192.0.2.7');
  t.equal(decide(p, 'rovd:AckAlert', undefined, '127.0.0.1'), 'writes must be signed (SigV4)');
  t.equal(decide(defaultPolicy([]), 'rovd:AckAlert', 'AKIAOPS', '127.0.0.1'), 'no statement allows rovd:AckAlert for AKIAOPS from 127.0.0.1', 'no keys, no writes');
});

t.test('parse errors name the key path', async (t) => {
  const st = (s: object) => ({ Version: '2012-10-17', Statement: [s] });
  const ok = { Effect: 'Allow', Principal: '*', Action: 'rovd:GetVif' };
  t.match(parseError('x'), /^http\.policy: expected a policy document/);
  t.match(parseError({ Version: '2008-10-17', Statement: [ok] }), /^http\.policy\.Version: expected "2012-10-17", got "2008-10-17"/);
  t.match(parseError({ Version: '2012-10-17' }), /^http\.policy\.Statement: missing/);
  t.match(parseError(st({ ...ok, Effect: 'allow' })), /^http\.policy\.Statement\.0\.Effect: expected "Allow" or "Deny", got "allow"/);
  t.match(parseError(st({ ...ok, Action: 'rovd:GetVifs' })), /^http\.policy\.Statement\.0\.Action: unknown action "rovd:GetVifs"/);
  t.match(parseError(st({ ...ok, Action: ['rovd:GetVif', 'rovd:Gte*'] })), /^http\.policy\.Statement\.0\.Action\.1: "rovd:Gte\*" matches no rovd action/);
  t.match(parseError(st({ ...ok, Action: [] })), /^http\.policy\.Statement\.0\.Action: expected an action/);
  t.match(parseError(st({ ...ok, Principal: { AWS: ['AKIANOBODY'] } })), /^http\.policy\.Statement\.0\.Principal\.AWS\.0: "AKIANOBODY" is not an access key id in http\.auth\.keys/);
  t.match(parseError(st({ ...ok, Principal: { Service: 'x' } })), /^http\.policy\.Statement\.0\.Principal\.Service: rovd principals/);
  t.match(parseError(st({ ...ok, Principal: ['*', 'AKIAOPS'] })), /"\*" already means everyone/);
  t.match(parseError(st({ Effect: 'Allow', Action: 'rovd:GetVif' })), /^http\.policy\.Statement\.0\.Principal: missing/);
  t.match(parseError(st({ ...ok, Resource: '*' })), /^http\.policy\.Statement\.0\.Resource: not supported by rovd/);
  t.match(parseError(st({ ...ok, NotAction: 'rovd:GetVif' })), /^http\.policy\.Statement\.0\.NotAction: not supported by rovd/);
  t.match(parseError(st({ ...ok, Condition: { StringEquals: { 'aws:username': 'x' } } })), /^http\.policy\.Statement\.0\.Condition\.StringEquals: unsupported condition operator/);
  t.match(parseError(st({ ...ok, Condition: { IpAddress: { 'aws:SourceVpc': 'x' } } })), /Condition\.IpAddress\.aws:SourceVpc: unsupported condition key/);
  t.match(parseError(st({ ...ok, Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '192.0.2.1/24'] } } })), /^http\.policy\.Statement\.0\.Condition\.IpAddress\.aws:SourceIp\.1: expected a CIDR range.*host bits/);
  t.match(parseError(st({ ...ok, Condition: { NotIpAddress: { 'aws:SourceIp': 'office' } } })), /^http\.policy\.Statement\.0\.Condition\.NotIpAddress\.aws:SourceIp: expected a CIDR range/);
  t.match(parseError({ Version: '2012-10-17', Statement: [{ ...ok, Sid: 'a' }, { ...ok, Sid: 'a' }] }), /^http\.policy\.Statement\.1\.Sid: the Sid "a" is used twice/);
  t.match(parseError({ Version: '2012-10-17', Statement: [ok], Extra: 1 }), /^http\.policy\.Extra: unknown key/);
  t.equal(parseError(st({ ...ok, Condition: { IpAddress: { 'AWS:SOURCEIP': '192.0.2.7' } } })), 'no error', 'condition keys are case-insensitive; a bare address is a host');
});
