/**
 * rovd's access policy, in the shape of an AWS resource-based policy (IAM
 * User Guide, "IAM JSON policy element reference"):
 *
 *   { "Version": "2012-10-17",
 *     "Statement": [ { "Sid": "ops", "Effect": "Allow",
 *                      "Principal": {"AWS": ["AKIDOPS"]},
 *                      "Action": ["rovd:Get*", "rovd:AckAlert"],
 *                      "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24"]}} } ] }
 *
 * Principals are access key ids from http.auth.keys (rovd has no ARNs), or
 * "*" for everyone, unsigned requests included. Actions come from
 * actions.ts, with IAM's `*` and `?` wildcards expanded here, once. The
 * conditions rovd knows are IpAddress and NotIpAddress on aws:SourceIp.
 *
 * Parsed strictly: an element rovd does not implement (NotAction,
 * NotPrincipal, Resource, another condition operator) is an error rather
 * than a statement that quietly grants more, or less, than it says.
 */
import { Prefix } from '../../net/prefix.js';
import { ACTION_NAMES, type RovdAction } from './actions.js';
import { compileWildcard, hasWildcard } from './wildcard.js';

export type KeyPath = readonly (string | number)[];
export type PolicyFail = (path: KeyPath, reason: string) => never;

export const POLICY_VERSION = '2012-10-17';

export type PolicyPrincipal = { readonly kind: 'everyone' } | { readonly kind: 'keys'; readonly ids: ReadonlySet<string> };

export interface IpCondition {
  readonly operator: 'IpAddress' | 'NotIpAddress';
  readonly ranges: readonly Prefix[];
}

export interface PolicyStatement {
  /** How refusals name it: `"deny-office"` (the Sid) or `Statement[2]`. */
  readonly label: string;
  readonly effect: 'Allow' | 'Deny';
  readonly principal: PolicyPrincipal;
  /** The actions the Action patterns match, expanded at load. */
  readonly actions: ReadonlySet<RovdAction>;
  /** All must hold (IAM ANDs condition operators). */
  readonly conditions: readonly IpCondition[];
}

export interface AccessPolicy {
  readonly statements: readonly PolicyStatement[];
}

const STATEMENT_KEYS = ['Sid', 'Effect', 'Principal', 'Action', 'Condition'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks an AWS-shaped policy document. `knownKeys` are the configured
 * access key ids: a principal naming another is a typo, refused. Errors go
 * to `fail` with the key path below `at`.
 */
export function parsePolicy(doc: unknown, knownKeys: ReadonlySet<string>, at: KeyPath, fail: PolicyFail): AccessPolicy {
  if (!isObj(doc)) return fail(at, 'expected a policy document (a mapping with Version and Statement)');
  for (const key of Object.keys(doc)) {
    if (key !== 'Version' && key !== 'Statement' && key !== 'Id') fail([...at, key], 'unknown key (expected one of Version, Id, Statement)');
  }
  if (doc.Version !== POLICY_VERSION) fail([...at, 'Version'], `expected "${POLICY_VERSION}", got ${JSON.stringify(doc.Version)}`);
  const raw = doc.Statement;
  // IAM takes one statement or a list of them.
  const list = Array.isArray(raw) ? raw : raw === undefined ? fail([...at, 'Statement'], 'missing: expected a statement or a list of statements') : [raw];
  const sids = new Set<string>();
  const statements = list.map((s, i) => {
    const where = Array.isArray(raw) ? [...at, 'Statement', i] : [...at, 'Statement'];
    const st = parseStatement(s, i, where, knownKeys, fail);
    if (st.sid !== undefined) {
      if (sids.has(st.sid)) fail([...where, 'Sid'], `the Sid ${JSON.stringify(st.sid)} is used twice`);
      sids.add(st.sid);
    }
    return st.statement;
  });
  return Object.freeze({ statements: Object.freeze(statements) });
}

function parseStatement(s: unknown, index: number, where: KeyPath, knownKeys: ReadonlySet<string>, fail: PolicyFail): { sid: string | undefined; statement: PolicyStatement } {
  if (!isObj(s)) return fail(where, 'expected a statement (a mapping with Effect, Principal, Action)');
  for (const key of Object.keys(s)) {
    if (!STATEMENT_KEYS.includes(key)) fail([...where, key], `not supported by rovd (expected one of ${STATEMENT_KEYS.join(', ')})`);
  }
  const sid = s.Sid;
  if (sid !== undefined && (typeof sid !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(sid))) fail([...where, 'Sid'], `expected letters, digits, _ . -, got ${JSON.stringify(sid)}`);
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') fail([...where, 'Effect'], `expected "Allow" or "Deny", got ${JSON.stringify(s.Effect)}`);
  const statement: PolicyStatement = Object.freeze({
    label: sid === undefined ? `Statement[${index}]` : JSON.stringify(sid),
    effect: s.Effect as 'Allow' | 'Deny',
    principal: parsePrincipal(s.Principal, [...where, 'Principal'], knownKeys, fail),
    actions: parseActions(s.Action, [...where, 'Action'], fail),
    conditions: parseConditions(s.Condition, [...where, 'Condition'], fail),
  });
  return { sid: sid as string | undefined, statement };
}

function stringList(v: unknown, where: KeyPath, what: string, fail: PolicyFail): string[] {
  const list = typeof v === 'string' ? [v] : Array.isArray(v) && v.length > 0 ? v : fail(where, `expected ${what} or a non-empty list of them, got ${JSON.stringify(v)}`);
  return list.map((x, i) => (typeof x === 'string' && x !== '' ? x : fail(typeof v === 'string' ? where : [...where, i], `expected ${what}, got ${JSON.stringify(x)}`)));
}

function parsePrincipal(p: unknown, where: KeyPath, knownKeys: ReadonlySet<string>, fail: PolicyFail): PolicyPrincipal {
  if (p === undefined) return fail(where, 'missing: expected "*", {"AWS": [key ids]} or a list of key ids');
  let ids: unknown = p;
  let idsAt = where;
  if (isObj(p)) {
    for (const key of Object.keys(p)) if (key !== 'AWS') fail([...where, key], 'rovd principals are access key ids under "AWS"');
    ids = p.AWS;
    idsAt = [...where, 'AWS'];
  }
  const list = stringList(ids, idsAt, 'an access key id or "*"', fail);
  if (list.includes('*')) {
    if (list.length > 1) fail(idsAt, '"*" already means everyone; give it alone');
    return Object.freeze({ kind: 'everyone' });
  }
  list.forEach((id, i) => {
    if (!knownKeys.has(id)) fail(typeof ids === 'string' ? idsAt : [...idsAt, i], `${JSON.stringify(id)} is not an access key id in http.auth.keys`);
  });
  return Object.freeze({ kind: 'keys', ids: new Set(list) });
}

function parseActions(a: unknown, where: KeyPath, fail: PolicyFail): ReadonlySet<RovdAction> {
  const patterns = stringList(a, where, 'an action such as "rovd:ListAlerts" or "rovd:Get*"', fail);
  const out = new Set<RovdAction>();
  patterns.forEach((pattern, i) => {
    const at = typeof a === 'string' ? where : [...where, i];
    const re = compileWildcard(pattern);
    const matched = ACTION_NAMES.filter((n) => re.test(n));
    if (matched.length === 0) {
      fail(at, hasWildcard(pattern) ? `${JSON.stringify(pattern)} matches no rovd action` : `unknown action ${JSON.stringify(pattern)} (expected one of ${ACTION_NAMES.join(', ')})`);
    }
    for (const m of matched) out.add(m);
  });
  return out;
}

function parseConditions(c: unknown, where: KeyPath, fail: PolicyFail): readonly IpCondition[] {
  if (c === undefined) return Object.freeze([]);
  if (!isObj(c)) return fail(where, 'expected a mapping of condition operators (IpAddress, NotIpAddress)');
  const out: IpCondition[] = [];
  for (const [operator, block] of Object.entries(c)) {
    const at = [...where, operator];
    if (operator !== 'IpAddress' && operator !== 'NotIpAddress') fail(at, 'unsupported condition operator (rovd knows IpAddress and NotIpAddress)');
    if (!isObj(block)) return fail(at, 'expected {"aws:SourceIp": [CIDR ranges]}');
    for (const [key, value] of Object.entries(block)) {
      // Condition key names are case-insensitive in IAM.
      if (key.toLowerCase() !== 'aws:sourceip') fail([...at, key], 'unsupported condition key (rovd knows aws:SourceIp)');
      const ranges = stringList(value, [...at, key], 'a CIDR range such as 192.0.2.0/24 or 2001:db8::/32', fail).map((text, i) => {
        const p = Prefix.tryParse(text);
        return typeof p === 'string' ? fail(typeof value === 'string' ? [...at, key] : [...at, key, i], `expected a CIDR range such as 192.0.2.0/24 or 2001:db8::/32, got ${JSON.stringify(text)} (${p})`) : p;
      });
      out.push(Object.freeze({ operator: operator as IpCondition['operator'], ranges: Object.freeze(ranges) }));
    }
  }
  return Object.freeze(out);
}
