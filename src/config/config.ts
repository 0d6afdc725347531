/**
 * rovd's configuration: a YAML file checked against one schema
 * (schema.ts), then for what a schema cannot say (prefixes, addresses,
 * ASNs, uniqueness), and frozen.
 *
 * Refuse, never repair: a value that is wrong is an error naming the file,
 * the line, the key path and what was expected (`rovd.yaml:14:7:
 * vifs[0].prefixLimit: expected an integer from 1 to 10000000, got
 * "lots"`). A default fills in only what is absent. Relative file paths
 * are read relative to the config file, as an operator expects when the
 * file moves with its data.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, isMap, isScalar, parse as parseYaml, parseDocument } from 'yaml';
import type { LogLevel } from '../log/logger.js';
import { canonicalAddress } from '../net/address.js';
import { type Asn, parseAsn } from '../net/asn.js';
import { Prefix } from '../net/prefix.js';
import { parseHostPort } from '../rtr/transport.js';
import type { DetectionSettings, PrefixLimits } from '../detect/settings.js';
import type { ExpectedPrefix, Vif, VifType } from '../vif/vif.js';
import { type AlertsSettings, buildAlerts } from './alerts-config.js';
import { type HttpSettings, buildHttp } from './http-config.js';
import { type DirectConnectSettings, buildDirectConnect } from './aws-config.js';
import { type Json, type KeyPath, buildDetection, buildPrefixLimits } from './detection-config.js';
import { CONFIG_SCHEMA } from './schema.js';


export interface RtrCacheSettings {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly preference: number;
  readonly tls: boolean;
  readonly caFile: string | undefined;
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  readonly version: 0 | 1 | 2;
  readonly refreshSeconds: number | undefined;
  readonly retrySeconds: number | undefined;
  readonly expireSeconds: number | undefined;
}

export interface RovdConfig {
  /** The file it was read from, for messages. */
  readonly file: string;
  readonly rpki: {
    readonly files: readonly string[];
    readonly urls: readonly string[];
    readonly rtr: readonly RtrCacheSettings[];
    readonly slurm: readonly string[];
    readonly httpIntervalSeconds: number;
    /** A file or URL source is stale when its last success is older than this. */
    readonly maxAgeSeconds: number;
  };
  readonly bmp: {
    readonly host: string;
    readonly port: number;
    /** Source prefixes routers may connect from. */
    readonly allow: readonly Prefix[];
    readonly maxMessageBytes: number;
    /** How long a router's routes are kept (as stale) after its BMP session ends. */
    readonly staleGraceSeconds: number;
    /** Frame and decode each router's BMP stream on a worker thread (the main thread keeps the RIB). */
    readonly decodeThread: boolean;
  };
  readonly vifs: readonly Vif[];
  /**
   * The keys each configured VIF sets (by VIF id): where a VIF is also
   * discovered through Direct Connect's API, these win and the rest comes
   * from AWS (src/aws/vif-merge.ts).
   */
  readonly vifKeys: ReadonlyMap<string, ReadonlySet<string>>;
  /** Reading VIFs and their routes from Direct Connect's API; undefined: off. */
  readonly directConnect: DirectConnectSettings | undefined;
  readonly detection: DetectionSettings;
  readonly alerts: AlertsSettings;
  /** Where durable state lives (the notification outbox); undefined: memory only, nothing survives a restart. */
  readonly store: {
    readonly dir: string | undefined;
    /** Distinct VRP sets kept as content-addressed snapshots, besides those alerts still name. */
    readonly keepVrpSets: number;
    /** A journal (outbox, alert state) past this size is compacted to its live records. */
    readonly maxJournalBytes: number;
  };
  readonly log: { readonly level: LogLevel };
  readonly http: HttpSettings;
}

/** What an absent key means. */
export const CONFIG_DEFAULTS = Object.freeze({
  bmpListen: '127.0.0.1:11019',
  bmpAllow: Object.freeze(['127.0.0.0/8', '::1/128']),
  bmpMaxMessageBytes: 1024 * 1024,
  bmpStaleGraceSeconds: 300,
  rtrPreference: 100,
  rtrVersion: 2 as const,
  httpIntervalSeconds: 300,
  maxAgeSeconds: 2 * 3600,
  logLevel: 'info' as LogLevel,
  keepVrpSets: 50,
  maxJournalBytes: 64 * 1024 * 1024,
});

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    /** Dotted key path, e.g. `vifs[0].peers[1].asn`; empty for the whole file. */
    readonly keyPath: string,
    readonly reason: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}:${column ?? 1}`}: ${keyPath === '' ? '' : `${keyPath}: `}${reason}`);
    this.name = 'ConfigError';
  }
}

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
ajv.addKeyword({ keyword: 'expect', schemaType: 'string' });
const checkSchema = ajv.compile(CONFIG_SCHEMA);

/** A key path as the list of its steps. */

export interface ConfigOptions {
  /**
   * Environment variables that override keys, for containers:
   * `ROVD_<SECTION>__<KEY>[__<KEY>…]` (keys matched without case or
   * underscores: ROVD_BMP__STALE_GRACE_SECONDS is bmp.staleGraceSeconds),
   * values read as YAML (`300`, `true`, `[10.0.0.0/8, 192.0.2.0/24]`).
   * Variables without `__` (ROVD_WEBHOOK_SECRET…) are left alone.
   */
  readonly env?: NodeJS.ProcessEnv;
}

/** Reads and checks a config file. */
export async function loadConfig(path: string, options: ConfigOptions = {}): Promise<RovdConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, '', `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseConfig(text, path, options);
}

/** Checks config text; `file` names it in errors and anchors relative paths. */
export function parseConfig(text: string, file: string, options: ConfigOptions = {}): RovdConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (path: KeyPath, atKey: boolean): { line?: number; column?: number } => {
    // A key that should not be there: point at the key, not its value.
    const parent = atKey && path.length > 0 ? doc.getIn(path.slice(0, -1), true) : undefined;
    const pair = isMap(parent) ? parent.items.find((i) => isScalar(i.key) && i.key.value === path[path.length - 1]) : undefined;
    const node = (pair !== undefined && isScalar(pair.key) ? pair.key : doc.getIn(path, true)) as { range?: [number, number, number] } | undefined;
    const offset = node?.range?.[0];
    if (offset === undefined) return {};
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const fromEnv = new Map<string, string>();
  const fail = (path: KeyPath, reason: string, atKey = false): never => {
    const variable = [...fromEnv].find(([key]) => formatPath(path).startsWith(key))?.[1];
    if (variable !== undefined) throw new ConfigError(file, formatPath(path), `${reason} (from the environment variable ${variable})`);
    const pos = at(path, atKey);
    throw new ConfigError(file, formatPath(path), reason, pos.line, pos.column);
  };
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    const pos = lines.linePos(yamlError.pos[0]);
    throw new ConfigError(file, '', `not valid YAML: ${yamlError.message.split('\n')[0]}`, pos.line, pos.col);
  }
  const raw = (doc.toJS() ?? {}) as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail([], 'expected a mapping of settings at the top level');
  if (options.env !== undefined) applyEnvOverrides(raw as Json, options.env, fromEnv, file);
  if (!checkSchema(raw)) {
    const e = checkSchema.errors![0]!;
    const { path, reason } = explainSchemaError(e, raw);
    fail(path, reason, e.keyword === 'additionalProperties');
  }
  return build(raw as Json, file, fail);
}

/** The configuration `rovd run` uses when given no file: config/rovd.yaml of the package. */
export async function defaultConfig(packageRoot: string, options: ConfigOptions = {}): Promise<RovdConfig> {
  return loadConfig(resolve(packageRoot, DEFAULT_CONFIG_FILE), options);
}

/** The default config, relative to the package root. */
export const DEFAULT_CONFIG_FILE = 'config/rovd.yaml';

const ENV_PREFIX = 'ROVD_';

/**
 * Applies ROVD_<SECTION>__<KEY> variables to the parsed document, before
 * the schema check, so their values are checked like the file's. `fromEnv`
 * records which key path came from which variable, for error messages.
 */
function applyEnvOverrides(raw: Json, env: NodeJS.ProcessEnv, fromEnv: Map<string, string>, file: string): void {
  for (const [name, value] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.startsWith(ENV_PREFIX) || !name.includes('__') || value === undefined) continue;
    const segments = name.slice(ENV_PREFIX.length).split('__');
    let schema: { properties?: Record<string, unknown> } | undefined = CONFIG_SCHEMA as unknown as { properties: Record<string, unknown> };
    const path: string[] = [];
    for (const segment of segments) {
      const wanted = segment.replace(/_/g, '').toLowerCase();
      const key = Object.keys(schema?.properties ?? {}).find((k) => k.toLowerCase() === wanted);
      if (key === undefined) {
        const known = Object.keys(schema?.properties ?? {});
        throw new ConfigError(file, path.join('.'), `the environment variable ${name} names no key ${JSON.stringify(segment)}${known.length > 0 ? ` (expected one of ${known.join(', ')})` : ''}`);
      }
      path.push(key);
      schema = (schema?.properties?.[key] ?? undefined) as { properties?: Record<string, unknown> } | undefined;
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(value);
    } catch {
      parsed = value;
    }
    let node = raw;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null || Array.isArray(node[key])) node[key] = {};
      node = node[key] as Json;
    }
    node[path[path.length - 1]!] = parsed;
    fromEnv.set(path.join('.'), name);
  }
}


function build(raw: Json, file: string, fail: (path: KeyPath, reason: string) => never): RovdConfig {
  const base = dirname(file);
  const rpki = (raw.rpki ?? {}) as Json;
  const bmp = (raw.bmp ?? {}) as Json;
  const log = (raw.log ?? {}) as Json;
  const paths = (list: unknown) => ((list ?? []) as string[]).map((p) => resolve(base, p));

  const rtrNames = new Set<string>();
  const rtr = ((rpki.rtr ?? []) as Json[]).map((c, i): RtrCacheSettings => {
    const where = ['rpki', 'rtr', i];
    let hp: { host: string; port: number };
    try {
      hp = parseHostPort(c.address as string);
    } catch {
      return fail([...where, 'address'], `expected HOST:PORT (IPv6 as [ADDR]:PORT), got ${JSON.stringify(c.address)}`);
    }
    const name = (c.name as string | undefined) ?? (c.address as string);
    if (rtrNames.has(name)) fail([...where, 'name'], `the cache name ${JSON.stringify(name)} is used twice`);
    rtrNames.add(name);
    const tls = (c.tls as boolean | undefined) ?? false;
    if (!tls && (c.caFile !== undefined || c.certFile !== undefined || c.keyFile !== undefined)) {
      fail(where, 'caFile, certFile and keyFile need tls: true');
    }
    if ((c.certFile === undefined) !== (c.keyFile === undefined)) fail(where, 'certFile and keyFile go together');
    const opt = (k: string) => (c[k] === undefined ? undefined : resolve(base, c[k] as string));
    return Object.freeze({
      name,
      host: hp.host,
      port: hp.port,
      preference: (c.preference as number | undefined) ?? CONFIG_DEFAULTS.rtrPreference,
      tls,
      caFile: opt('caFile'),
      certFile: opt('certFile'),
      keyFile: opt('keyFile'),
      version: (c.version as 0 | 1 | 2 | undefined) ?? CONFIG_DEFAULTS.rtrVersion,
      refreshSeconds: c.refreshSeconds as number | undefined,
      retrySeconds: c.retrySeconds as number | undefined,
      expireSeconds: c.expireSeconds as number | undefined,
    });
  });

  let listen: { host: string; port: number };
  try {
    listen = parseHostPort((bmp.listen as string | undefined) ?? CONFIG_DEFAULTS.bmpListen, undefined, { allowPortZero: true });
  } catch {
    return fail(['bmp', 'listen'], `expected HOST:PORT (IPv6 as [ADDR]:PORT), got ${JSON.stringify(bmp.listen)}`);
  }
  const allow = ((bmp.allow as string[] | undefined) ?? CONFIG_DEFAULTS.bmpAllow).map((p, i) => prefixAt(p, ['bmp', 'allow', i], fail));

  const limits = buildPrefixLimits(raw);
  const vifs = ((raw.vifs ?? []) as Json[]).map((v, i) => buildVif(v, ['vifs', i], limits, fail));
  const ids = new Map<string, number>();
  const peers = new Map<string, string>();
  vifs.forEach((vif, i) => {
    if (ids.has(vif.id)) fail(['vifs', i, 'id'], `${vif.id} is also vifs[${ids.get(vif.id)}]`);
    ids.set(vif.id, i);
    vif.peers.forEach((p, j) => {
      if (vif.router === undefined) return;
      const k = `${vif.router}|${p.address}`;
      const other = peers.get(k);
      if (other !== undefined) fail(['vifs', i, 'peers', j, 'address'], `router ${vif.router} peer ${p.address} is already on ${other}`);
      peers.set(k, vif.id);
    });
  });

  const directConnect = buildDirectConnect(raw, fail);
  return Object.freeze({
    file,
    rpki: Object.freeze({
      files: Object.freeze(paths(rpki.files)),
      urls: Object.freeze([...((rpki.urls ?? []) as string[])]),
      rtr: Object.freeze(rtr),
      slurm: Object.freeze(paths(rpki.slurm)),
      httpIntervalSeconds: (rpki.httpIntervalSeconds as number | undefined) ?? CONFIG_DEFAULTS.httpIntervalSeconds,
      maxAgeSeconds: (rpki.maxAgeSeconds as number | undefined) ?? CONFIG_DEFAULTS.maxAgeSeconds,
    }),
    bmp: Object.freeze({
      host: listen.host,
      port: listen.port,
      allow: Object.freeze(allow),
      maxMessageBytes: (bmp.maxMessageBytes as number | undefined) ?? CONFIG_DEFAULTS.bmpMaxMessageBytes,
      staleGraceSeconds: (bmp.staleGraceSeconds as number | undefined) ?? CONFIG_DEFAULTS.bmpStaleGraceSeconds,
      decodeThread: (bmp.decodeThread as boolean | undefined) ?? true,
    }),
    vifs: Object.freeze(vifs),
    vifKeys: new Map(((raw.vifs ?? []) as Json[]).map((v) => [v.id as string, Object.freeze(new Set(Object.keys(v)))])),
    directConnect,
    detection: buildDetection(raw, directConnect === undefined ? new Set(ids.keys()) : undefined, { prefixAt: (v, p) => prefixAt(v, p, fail), asnAt: (v, p) => asnAt(v, p, fail) }, fail),
    alerts: buildAlerts(raw, file, fail),
    store: Object.freeze({
      dir: (raw.store as Json | undefined)?.dir === undefined ? undefined : resolve(base, (raw.store as Json).dir as string),
      keepVrpSets: ((raw.store as Json | undefined)?.keepVrpSets as number | undefined) ?? CONFIG_DEFAULTS.keepVrpSets,
      maxJournalBytes: ((raw.store as Json | undefined)?.maxJournalBytes as number | undefined) ?? CONFIG_DEFAULTS.maxJournalBytes,
    }),
    log: Object.freeze({ level: (log.level as LogLevel | undefined) ?? CONFIG_DEFAULTS.logLevel }),
    http: buildHttp(raw, file, fail),
  });
}

function buildVif(v: Json, where: KeyPath, limits: PrefixLimits, fail: (path: KeyPath, reason: string) => never): Vif {
  const type = v.type as VifType;
  const router = v.router === undefined ? undefined : addressAt(v.router, [...where, 'router'], fail);
  const peers = (v.peers as Json[]).map((p, j) =>
    Object.freeze({ address: addressAt(p.address, [...where, 'peers', j, 'address'], fail), asn: asnAt(p.asn, [...where, 'peers', j, 'asn'], fail) }),
  );
  const families = (v.addressFamilies as ('ipv4' | 'ipv6')[] | undefined) ?? ['ipv4', 'ipv6'];
  const expected = ((v.expected ?? []) as Json[]).map((e, j): ExpectedPrefix => {
    const at = [...where, 'expected', j];
    const prefix = prefixAt(e.prefix, [...at, 'prefix'], fail);
    if (!families.includes(prefix.afi === 4 ? 'ipv4' : 'ipv6')) {
      fail([...at, 'prefix'], `${prefix} is ${prefix.afi === 4 ? 'IPv4' : 'IPv6'}, which addressFamilies (${families.join(', ')}) leaves out`);
    }
    const maxLength = (e.maxLength as number | undefined) ?? prefix.length;
    if (maxLength < prefix.length || maxLength > prefix.maxLength) {
      fail([...at, 'maxLength'], `expected a length from ${prefix.length} to ${prefix.maxLength} for ${prefix}, got ${maxLength}`);
    }
    return Object.freeze({ prefix, origin: e.origin === undefined ? undefined : asnAt(e.origin, [...at, 'origin'], fail), maxLength });
  });
  return Object.freeze({
    id: v.id as string,
    name: v.name as string | undefined,
    type,
    region: v.region as string | undefined,
    connection: v.connection as string | undefined,
    router,
    peers: Object.freeze(peers),
    addressFamilies: Object.freeze([...families]),
    expected: Object.freeze(expected),
    awsPrefixes: Object.freeze(((v.awsPrefixes ?? []) as unknown[]).map((p, j) => prefixAt(p, [...where, 'awsPrefixes', j], fail))),
    prefixLimit: (v.prefixLimit as number | undefined) ?? (type === 'public' ? limits.publicAdvertised : type === 'transit' ? limits.transitAdvertised : limits.privateAdvertised),
    receivedLimit: (v.receivedLimit as number | undefined) ?? (type === 'transit' ? limits.transitReceived : undefined),
  });
}

function prefixAt(value: unknown, path: KeyPath, fail: (path: KeyPath, reason: string) => never): Prefix {
  const p = Prefix.tryParse(String(value));
  return typeof p === 'string' ? fail(path, `expected a prefix such as 192.0.2.0/24 or 2001:db8::/32, got ${JSON.stringify(value)} (${p})`) : p;
}

function addressAt(value: unknown, path: KeyPath, fail: (path: KeyPath, reason: string) => never): string {
  return canonicalAddress(String(value)) ?? fail(path, `expected an IPv4 or IPv6 address, got ${JSON.stringify(value)}`);
}

function asnAt(value: unknown, path: KeyPath, fail: (path: KeyPath, reason: string) => never): Asn {
  try {
    return parseAsn(String(value));
  } catch {
    return fail(path, `expected an AS number (65000, AS65000 or 1.10), got ${JSON.stringify(value)}`);
  }
}

/** `vifs[0].peers[1].asn` from ['vifs', 0, 'peers', 1, 'asn']. */
function formatPath(path: KeyPath): string {
  let out = '';
  for (const step of path) out += typeof step === 'number' ? `[${step}]` : out === '' ? step : `.${step}`;
  return out;
}

/** The key path and the words for Ajv's first error. */
function explainSchemaError(e: ErrorObject, root: unknown): { path: KeyPath; reason: string } {
  const path: (string | number)[] = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const value = path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], root);
  const got = `, got ${JSON.stringify(value)}`;
  const expect = expectationAt(e.schemaPath);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(schemaAt(e.schemaPath.replace(/\/additionalProperties$/, ''))?.properties ?? {});
      return { path: [...path, key], reason: `unknown key (expected one of ${known.join(', ')})` };
    }
    case 'required':
      return { path, reason: `missing key ${JSON.stringify((e.params as { missingProperty: string }).missingProperty)}` };
    case 'enum':
      return { path, reason: `expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}${got}` };
    case 'type':
      return { path, reason: `expected ${expect ?? article(String((e.params as { type: string | string[] }).type))}${got}` };
    case 'uniqueItems':
      return { path, reason: `expected no repeated entries${got}` };
    case 'minItems':
      return { path, reason: `expected at least ${(e.params as { limit: number }).limit} entr${(e.params as { limit: number }).limit === 1 ? 'y' : 'ies'}` };
    default:
      return { path, reason: `expected ${expect ?? e.message ?? 'something else'}${got}` };
  }
}

function article(type: string): string {
  const name = type.replace(',', ' or ');
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

/** The schema node a schemaPath such as `#/properties/bmp/properties/listen/type` points into. */
function schemaAt(schemaPath: string): { properties?: Record<string, unknown>; expect?: string } | undefined {
  let node: unknown = CONFIG_SCHEMA;
  for (const step of schemaPath.replace(/^#\/?/, '').split('/').filter((s) => s !== '')) {
    node = (node as Record<string, unknown> | undefined)?.[step];
  }
  return node as { properties?: Record<string, unknown>; expect?: string } | undefined;
}

function expectationAt(schemaPath: string): string | undefined {
  return schemaAt(schemaPath.replace(/\/[^/]+$/, ''))?.expect;
}
