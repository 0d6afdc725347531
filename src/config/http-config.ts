/**
 * The `http` section: where the API listens, TLS, SigV4 keys, the access
 * policy, the /metrics guard, rate limits and body limits. The schema
 * (schema.ts) has checked types and ranges; what is left here is what a
 * schema cannot say: the policy document (AWS-shaped, so its own parser
 * names the key path), secrets from files or the environment, key ids
 * used twice, TLS settings that only make sense together.
 *
 * Secrets (a key's secret, the metrics bearer token) come inline, from a
 * file (`…File`, read at load, relative to the config) or from the
 * environment (`…Env`), as in the alerts section; they are held as Secret
 * values, which print as [redacted], so logging the config cannot leak them.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Prefix } from '../net/prefix.js';
import { parseHostPort } from '../rtr/transport.js';
import { defaultPolicy } from '../http/security/default-policy.js';
import type { MetricsGuardSettings } from '../http/security/metrics-guard.js';
import { type AccessPolicy, parsePolicy } from '../http/security/policy.js';
import { Secret } from '../http/security/secret.js';
import type { TlsSettings } from '../http/security/tls.js';
import type { Fail, Json, KeyPath } from './detection-config.js';

export interface HttpKey {
  readonly id: string;
  readonly secret: Secret;
}

export interface HttpSettings {
  readonly host: string;
  readonly port: number;
  /** undefined: plain HTTP. */
  readonly tls: TlsSettings | undefined;
  readonly auth: {
    readonly region: string;
    readonly clockSkewSeconds: number;
    readonly keys: readonly HttpKey[];
  };
  readonly policy: AccessPolicy;
  /** Where the policy came from, for logs: 'default', 'inline' or the file's path. */
  readonly policySource: string;
  readonly metrics: MetricsGuardSettings;
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  readonly maxBodyBytes: number;
  readonly announcementsMaxBodyBytes: number;
}

/** What an absent key means. */
export const HTTP_DEFAULTS = Object.freeze({
  listen: '127.0.0.1:9684',
  region: 'us-east-1',
  clockSkewSeconds: 300,
  rateLimitPerSecond: 20,
  rateLimitBurst: 40,
  maxBodyBytes: 1024 * 1024,
  announcementsMaxBodyBytes: 64 * 1024 * 1024,
});

/** The principal of unsigned requests; no key may take its name. */
const RESERVED_KEY_IDS = new Set(['anonymous', '*']);

export function buildHttp(raw: Json, file: string, fail: Fail, env: NodeJS.ProcessEnv = process.env): HttpSettings {
  const h = (raw.http ?? {}) as Json;
  const base = dirname(file);
  const D = HTTP_DEFAULTS;

  let listen: { host: string; port: number };
  try {
    listen = parseHostPort((h.listen as string | undefined) ?? D.listen, undefined, { allowPortZero: true });
  } catch {
    return fail(['http', 'listen'], `expected HOST:PORT (IPv6 as [ADDR]:PORT), got ${JSON.stringify(h.listen)}`);
  }

  const auth = (h.auth ?? {}) as Json;
  const ids = new Set<string>();
  const keys = ((auth.keys ?? []) as Json[]).map((k, i): HttpKey => {
    const where = ['http', 'auth', 'keys', i];
    const id = k.id as string;
    if (RESERVED_KEY_IDS.has(id)) fail([...where, 'id'], `${JSON.stringify(id)} is reserved (it names unsigned requests)`);
    if (ids.has(id)) fail([...where, 'id'], `the key id ${JSON.stringify(id)} is used twice`);
    ids.add(id);
    return Object.freeze({ id, secret: new Secret(secretAt(k, 'secret', where, base, fail, env, true)!) });
  });

  let policy: AccessPolicy;
  let policySource: string;
  if (h.policy !== undefined && h.policyFile !== undefined) fail(['http', 'policyFile'], 'give policy or policyFile, not both');
  if (h.policy !== undefined) {
    policy = parsePolicy(h.policy, ids, ['http', 'policy'], fail);
    policySource = 'inline';
  } else if (h.policyFile !== undefined) {
    const path = resolve(base, h.policyFile as string);
    let doc: unknown;
    try {
      // JSON is YAML: one parser reads the AWS console's JSON and hand-written YAML.
      doc = parseYaml(readFileSync(path, 'utf8'));
    } catch (err) {
      return fail(['http', 'policyFile'], `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message.split('\n')[0]}`);
    }
    policy = parsePolicy(doc, ids, [], (p, reason) => fail(['http', 'policyFile'], `${path}: ${p.length === 0 ? '' : `${formatPath(p)}: `}${reason}`));
    policySource = path;
  } else {
    policy = defaultPolicy([...ids]);
    policySource = 'default';
  }

  let tls: TlsSettings | undefined;
  if (h.tls !== undefined) {
    const t = h.tls as Json;
    const requireClientCert = (t.requireClientCert as boolean | undefined) ?? false;
    if (requireClientCert && t.caFile === undefined) fail(['http', 'tls', 'caFile'], 'requireClientCert needs caFile (the CA that issues client certificates)');
    if (!requireClientCert && t.caFile !== undefined) fail(['http', 'tls', 'caFile'], 'caFile only verifies client certificates: set requireClientCert: true, or remove it');
    tls = Object.freeze({
      certFile: resolve(base, t.certFile as string),
      keyFile: resolve(base, t.keyFile as string),
      caFile: t.caFile === undefined ? undefined : resolve(base, t.caFile as string),
      requireClientCert,
    });
  }

  const m = (h.metrics ?? {}) as Json;
  const token = secretAt(m, 'bearerToken', ['http', 'metrics'], base, fail, env, false);
  const metrics: MetricsGuardSettings = Object.freeze({
    bearerToken: token === undefined ? undefined : new Secret(token),
    allow: m.allow === undefined ? undefined : Object.freeze((m.allow as unknown[]).map((p, i) => prefixAt(p, ['http', 'metrics', 'allow', i], fail))),
  });

  const rate = (h.rateLimit ?? {}) as Json;
  const maxBodyBytes = (h.maxBodyBytes as number | undefined) ?? D.maxBodyBytes;
  const announcementsMaxBodyBytes = (h.announcementsMaxBodyBytes as number | undefined) ?? Math.max(D.announcementsMaxBodyBytes, maxBodyBytes);
  if (announcementsMaxBodyBytes < maxBodyBytes) fail(['http', 'announcementsMaxBodyBytes'], `expected at least maxBodyBytes (${maxBodyBytes}), got ${announcementsMaxBodyBytes}`);

  return Object.freeze({
    host: listen.host,
    port: listen.port,
    tls,
    auth: Object.freeze({
      region: (auth.region as string | undefined) ?? D.region,
      clockSkewSeconds: (auth.clockSkewSeconds as number | undefined) ?? D.clockSkewSeconds,
      keys: Object.freeze(keys),
    }),
    policy,
    policySource,
    metrics,
    rateLimit: Object.freeze({ perSecond: (rate.perSecond as number | undefined) ?? D.rateLimitPerSecond, burst: (rate.burst as number | undefined) ?? D.rateLimitBurst }),
    maxBodyBytes,
    announcementsMaxBodyBytes,
  });
}

/**
 * `key`, `keyFile` or `keyEnv` of `obj`, exactly one (alerts-config.ts has
 * the same rule for sink secrets); undefined when none is given and the
 * secret is optional.
 */
function secretAt(obj: Json, key: string, where: KeyPath, base: string, fail: Fail, env: NodeJS.ProcessEnv, required: boolean): string | undefined {
  const given = [key, `${key}File`, `${key}Env`].filter((k) => obj[k] !== undefined);
  if (given.length > 1) fail([...where, given[1]!], `give ${key} one way only (${given.join(' and ')} are both set)`);
  if (given.length === 0) return required ? fail(where, `needs ${key} (or ${key}File, ${key}Env)`) : undefined;
  const k = given[0]!;
  let value: string;
  if (k === key) value = obj[k] as string;
  else if (k.endsWith('File')) {
    const path = resolve(base, obj[k] as string);
    try {
      value = readFileSync(path, 'utf8').trim();
    } catch (err) {
      return fail([...where, k], `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (value === '') fail([...where, k], `${path} is empty`);
  } else {
    const v = env[obj[k] as string];
    if (v === undefined || v === '') return fail([...where, k], `the environment variable ${obj[k] as string} is not set`);
    value = v;
  }
  return value;
}

function prefixAt(value: unknown, path: KeyPath, fail: Fail): Prefix {
  const p = Prefix.tryParse(String(value));
  return typeof p === 'string' ? fail(path, `expected a prefix such as 192.0.2.0/24 or 2001:db8::/32, got ${JSON.stringify(value)} (${p})`) : p;
}

function formatPath(path: KeyPath): string {
  let out = '';
  for (const step of path) out += typeof step === 'number' ? `[${step}]` : out === '' ? step : `.${step}`;
  return out;
}
