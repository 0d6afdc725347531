/**
 * The non-ROA members of JSON exports: BGPsec router keys (RFC 8635) and
 * ASPAs (draft-ietf-sidrops-aspa-profile).
 *
 * Router keys: Routinator writes `routerKeys: [{asn, SKI (hex),
 * routerPublicKey, ta}]`, rpki-client `bgpsec_keys: [{asn, ski (hex),
 * pubkey, ta, expires}]`.
 *
 * ASPAs: Routinator writes `aspas: [{customer: "AS1", providers: ["AS2"],
 * ta}]`, rpki-client `aspas: [{customer_asid: 1, providers: [2],
 * expires}]`, and StayRTR/GoRTR files of the early drafts have one list per
 * address family, `provider_authorizations: {ipv4: [{customer_asid,
 * providers}], ipv6: [...]}`.
 */
import type { Asn } from '../../net/asn.js';
import { type Aspa, makeAspa, makeAspaPerAfi } from '../aspa.js';
import { type RouterKey, makeRouterKey } from '../router-key.js';
import { BAD_ASN, type EarliestExpiry, fail, isRecord, readAsn, readTa, show } from './json-fields.js';
import { Invalid, normalisePublicKey, skiFromHex } from './keys.js';

export interface KeyFieldNames {
  readonly ski: string;
  readonly publicKey: string;
}

export const ROUTINATOR_KEY_FIELDS: KeyFieldNames = { ski: 'SKI', publicKey: 'routerPublicKey' };
export const RPKI_CLIENT_KEY_FIELDS: KeyFieldNames = { ski: 'ski', publicKey: 'pubkey' };

export function readRouterKeys(
  list: unknown,
  path: string,
  source: string,
  names: KeyFieldNames,
  expiry: EarliestExpiry,
): RouterKey[] {
  if (!Array.isArray(list)) fail(source, path, `must be an array, not ${show(list)}`);
  const keys: RouterKey[] = [];
  list.forEach((e: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(e)) fail(source, at, `must be an object, not ${show(e)}`);
    const asn = readAsn(e.asn);
    if (asn === BAD_ASN) fail(source, at, e.asn === undefined ? 'missing asn' : `bad asn ${show(e.asn)}`);
    const skiText = e[names.ski];
    if (typeof skiText !== 'string') fail(source, at, skiText === undefined ? `missing ${names.ski}` : `bad ${names.ski} ${show(skiText)}`);
    const ski = skiFromHex(skiText);
    if (ski instanceof Invalid) fail(source, at, `${names.ski} ${show(skiText)} ${ski.reason}`);
    const keyText = e[names.publicKey];
    if (typeof keyText !== 'string') fail(source, at, keyText === undefined ? `missing ${names.publicKey}` : `bad ${names.publicKey} ${show(keyText)}`);
    const publicKey = normalisePublicKey(keyText);
    if (publicKey instanceof Invalid) fail(source, at, `${names.publicKey} ${publicKey.reason}`);
    const ta = readTa(e);
    if (ta === undefined) fail(source, at, `ta must be a string (or jsonext source an array)`);
    if (!expiry.note(e.expires)) fail(source, at, `bad expires ${show(e.expires)}`);
    keys.push(makeRouterKey(asn as Asn, ski, publicKey, ta));
  });
  return keys;
}

/** `aspas` in either the Routinator (`customer`) or rpki-client (`customer_asid`) shape. */
export function readAspaList(list: unknown, path: string, source: string, expiry: EarliestExpiry): Aspa[] {
  if (!Array.isArray(list)) fail(source, path, `must be an array, not ${show(list)}`);
  const aspas: Aspa[] = [];
  list.forEach((e: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(e)) fail(source, at, `must be an object, not ${show(e)}`);
    if (e.customer !== undefined && e.customer_asid !== undefined) fail(source, at, 'has both customer and customer_asid');
    const customer = readCustomer(e, at, source);
    const providers = readProviders(e.providers, at, source, customer);
    const ta = readTa(e);
    if (ta === undefined) fail(source, at, `ta must be a string (or jsonext source an array)`);
    if (!expiry.note(e.expires)) fail(source, at, `bad expires ${show(e.expires)}`);
    aspas.push(makeAspa(customer, providers, ta));
  });
  return aspas;
}

/**
 * StayRTR's obsolete `provider_authorizations`: a customer may appear in
 * both family lists (and, harmlessly, twice in one); its entries are
 * merged into one ASPA with a provider set per family.
 */
export function readProviderAuthorizations(value: unknown, path: string, source: string): Aspa[] {
  if (!isRecord(value)) fail(source, path, `must be an object, not ${show(value)}`);
  const byCustomer = new Map<Asn, { v4: Asn[]; v6: Asn[] }>();
  for (const family of ['ipv4', 'ipv6'] as const) {
    const list = value[family];
    if (list === undefined) continue;
    const listPath = `${path}.${family}`;
    if (!Array.isArray(list)) fail(source, listPath, `must be an array, not ${show(list)}`);
    list.forEach((e: unknown, i) => {
      const at = `${listPath}[${i}]`;
      if (!isRecord(e)) fail(source, at, `must be an object, not ${show(e)}`);
      const customer = readCustomer(e, at, source);
      const providers = readProviders(e.providers, at, source, customer);
      let entry = byCustomer.get(customer);
      if (!entry) byCustomer.set(customer, (entry = { v4: [], v6: [] }));
      (family === 'ipv4' ? entry.v4 : entry.v6).push(...providers);
    });
  }
  return [...byCustomer].map(([customer, e]) => makeAspaPerAfi(customer, e.v4, e.v6));
}

function readCustomer(e: Record<string, unknown>, at: string, source: string): Asn {
  const field = e.customer !== undefined ? 'customer' : 'customer_asid';
  const value = e[field];
  if (value === undefined) fail(source, at, 'missing customer (or customer_asid)');
  const asn = readAsn(value);
  if (asn === BAD_ASN) fail(source, at, `bad ${field} ${show(value)}`);
  return asn as Asn;
}

function readProviders(value: unknown, at: string, source: string, customer: Asn): Asn[] {
  if (value === undefined) fail(source, at, 'missing providers');
  if (!Array.isArray(value)) fail(source, at, `providers must be an array, not ${show(value)}`);
  return value.map((p: unknown, k) => {
    const asn = readAsn(p);
    if (asn === BAD_ASN) fail(source, `${at}.providers[${k}]`, `bad provider ASN ${show(p)}`);
    // draft-ietf-sidrops-aspa-profile §3: a customer is never its own provider.
    if (asn === customer) fail(source, `${at}.providers[${k}]`, `AS${asn} is the customer itself`);
    return asn as Asn;
  });
}
