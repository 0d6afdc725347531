/**
 * SLURM files: local filters and assertions over RPKI data.
 *
 * Version 1 is RFC 8416 §3: {slurmVersion: 1, validationOutputFilters:
 * {prefixFilters, bgpsecFilters}, locallyAddedAssertions: {prefixAssertions,
 * bgpsecAssertions}}. Version 2 (draft-ietf-sidrops-aspa-slurm §2-3) adds
 * `aspaFilters` [{customerAsn}] and `aspaAssertions` [{customerAsn,
 * providerAsns}] and requires all three members in each object.
 *
 * Validation is strict and names the member path of the first problem:
 * every member the RFC requires must be there, and a member it does not
 * define is an error, not ignored, because the likely cause is a typo
 * ("maxLength" for "maxPrefixLength", "routerSKI" for "SKI") whose silent
 * loss would change what is filtered or asserted.
 *
 * SKIs. RFC 8416 §3.3.2/§3.4.2 define the SKI as the unpadded base64url
 * (RFC 4648 §5) of the certificate's Subject Key Identifier, which RFC
 * 6487 §4.8.2 fixes at 20 octets (the SHA-1 of the key), so we demand
 * exactly that: 27 base64url characters decoding to 20 bytes. This loads
 * Routinator's output ("AAA...A", 27 characters) and rpki-rs's
 * full_v2.json, and agrees with rpki-rs itself, which refuses any other
 * length. It refuses the RFC §3.5 example's placeholders ("<some base64
 * SKI>") and its 3-byte stand-ins ("Zm9v", kept in older test files): a
 * SKI filter of another length can never match a key (RFC 8210 §5.10
 * carries exactly 20 bytes) and an assertion could not be served, so
 * accepting them would only hide the operator's mistake. Padded or
 * standard-alphabet base64 is refused too, as the RFC and rpki-rs do.
 */
import { type Asn, MAX_ASN } from '../net/asn.js';
import { Prefix, PrefixError } from '../net/prefix.js';
import { isRecord, show } from './formats/json-fields.js';
import { Invalid, SKI_BYTES, decodeBase64Url } from './formats/keys.js';
import { RpkiFormatError } from './formats/rpki-file.js';
import { decodeUtf8, parseJson, stripBom } from './formats/text.js';

export { applySlurm, applySlurms } from './slurm-apply.js';

export interface PrefixFilter {
  readonly prefix?: Prefix;
  readonly asn?: Asn;
  readonly comment?: string;
}

export interface BgpsecFilter {
  readonly asn?: Asn;
  /** Lower-case hex, as RouterKey holds it. */
  readonly ski?: string;
  readonly comment?: string;
}

export interface AspaFilter {
  readonly customerAsn: Asn;
  readonly comment?: string;
}

export interface PrefixAssertion {
  readonly prefix: Prefix;
  readonly asn: Asn;
  /** As written; absent means the prefix length (RFC 8416 §3.4.1). */
  readonly maxPrefixLength?: number;
  readonly comment?: string;
}

export interface BgpsecAssertion {
  readonly asn: Asn;
  /** Lower-case hex. */
  readonly ski: string;
  /** Unpadded base64url of the SubjectPublicKeyInfo, as RouterKey holds it. */
  readonly routerPublicKey: string;
  readonly comment?: string;
}

export interface AspaAssertion {
  readonly customerAsn: Asn;
  /** Ascending, unique, never the customer (checked when read). */
  readonly providerAsns: readonly Asn[];
  readonly comment?: string;
}

export interface Slurm {
  /** Where the file came from, for overlap errors between files. */
  readonly source: string;
  readonly version: 1 | 2;
  readonly prefixFilters: readonly PrefixFilter[];
  readonly bgpsecFilters: readonly BgpsecFilter[];
  readonly aspaFilters: readonly AspaFilter[];
  readonly prefixAssertions: readonly PrefixAssertion[];
  readonly bgpsecAssertions: readonly BgpsecAssertion[];
  readonly aspaAssertions: readonly AspaAssertion[];
}

export function parseSlurm(text: string, source: string): Slurm {
  return readSlurm(parseJson(stripBom(text), source), source);
}

export function parseSlurmBytes(bytes: Buffer, source: string): Slurm {
  return parseSlurm(decodeUtf8(bytes, source), source);
}

/** Validates an already parsed JSON document as a SLURM file. */
export function readSlurm(root: unknown, source: string): Slurm {
  const r: MemberReader = new MemberReader(source);
  const top = r.object(root, '', ['slurmVersion', 'validationOutputFilters', 'locallyAddedAssertions']);
  const version = top.slurmVersion;
  if (version !== 1 && version !== 2) r.fail('slurmVersion', `must be the number 1 or 2, not ${show(version)}`);
  const v2 = version === 2;

  const filterNames = v2 ? ['prefixFilters', 'bgpsecFilters', 'aspaFilters'] : ['prefixFilters', 'bgpsecFilters'];
  const filters = r.object(top.validationOutputFilters, 'validationOutputFilters', filterNames);
  const assertionNames = v2
    ? ['prefixAssertions', 'bgpsecAssertions', 'aspaAssertions']
    : ['prefixAssertions', 'bgpsecAssertions'];
  const assertions = r.object(top.locallyAddedAssertions, 'locallyAddedAssertions', assertionNames);

  return Object.freeze({
    source,
    version,
    prefixFilters: r.list(filters, 'validationOutputFilters', 'prefixFilters', (e, at) => readPrefixFilter(r, e, at)),
    bgpsecFilters: r.list(filters, 'validationOutputFilters', 'bgpsecFilters', (e, at) => readBgpsecFilter(r, e, at)),
    aspaFilters: v2 ? r.list(filters, 'validationOutputFilters', 'aspaFilters', (e, at) => readAspaFilter(r, e, at)) : [],
    prefixAssertions: r.list(assertions, 'locallyAddedAssertions', 'prefixAssertions', (e, at) =>
      readPrefixAssertion(r, e, at),
    ),
    bgpsecAssertions: r.list(assertions, 'locallyAddedAssertions', 'bgpsecAssertions', (e, at) =>
      readBgpsecAssertion(r, e, at),
    ),
    aspaAssertions: v2
      ? r.list(assertions, 'locallyAddedAssertions', 'aspaAssertions', (e, at) => readAspaAssertion(r, e, at))
      : [],
  });
}

// RFC 8416 §3.3.1: a prefix, an asn, or both; optionally a comment.
function readPrefixFilter(r: MemberReader, e: unknown, at: string): PrefixFilter {
  const o = r.object(e, at, [], ['prefix', 'asn', 'comment']);
  if (o.prefix === undefined && o.asn === undefined) r.fail(at, 'a prefix filter needs a prefix, an asn or both');
  return Object.freeze({
    ...(o.prefix !== undefined ? { prefix: r.prefix(o.prefix, `${at}.prefix`) } : {}),
    ...(o.asn !== undefined ? { asn: r.asn(o.asn, `${at}.asn`) } : {}),
    ...r.comment(o, at),
  });
}

// RFC 8416 §3.3.2: an asn, a SKI, or both; optionally a comment.
function readBgpsecFilter(r: MemberReader, e: unknown, at: string): BgpsecFilter {
  const o = r.object(e, at, [], ['asn', 'SKI', 'comment']);
  if (o.asn === undefined && o.SKI === undefined) r.fail(at, 'a BGPsec filter needs an asn, a SKI or both');
  return Object.freeze({
    ...(o.asn !== undefined ? { asn: r.asn(o.asn, `${at}.asn`) } : {}),
    ...(o.SKI !== undefined ? { ski: r.ski(o.SKI, `${at}.SKI`) } : {}),
    ...r.comment(o, at),
  });
}

// draft-ietf-sidrops-aspa-slurm §3.1: a customerAsn; optionally a comment.
function readAspaFilter(r: MemberReader, e: unknown, at: string): AspaFilter {
  const o = r.object(e, at, ['customerAsn'], ['comment']);
  return Object.freeze({ customerAsn: r.asn(o.customerAsn, `${at}.customerAsn`), ...r.comment(o, at) });
}

// RFC 8416 §3.4.1: a prefix and an asn; optionally maxPrefixLength and a comment.
function readPrefixAssertion(r: MemberReader, e: unknown, at: string): PrefixAssertion {
  const o = r.object(e, at, ['prefix', 'asn'], ['maxPrefixLength', 'comment']);
  const prefix = r.prefix(o.prefix, `${at}.prefix`);
  const asn = r.asn(o.asn, `${at}.asn`);
  const max = o.maxPrefixLength;
  if (max !== undefined && (!Number.isInteger(max) || typeof max !== 'number' || max < prefix.length || max > prefix.maxLength)) {
    r.fail(`${at}.maxPrefixLength`, `must be a number from ${prefix.length} to ${prefix.maxLength} for ${prefix.toString()}, not ${show(max)}`);
  }
  return Object.freeze({ prefix, asn, ...(typeof max === 'number' ? { maxPrefixLength: max } : {}), ...r.comment(o, at) });
}

// RFC 8416 §3.4.2: asn, SKI and routerPublicKey; optionally a comment.
function readBgpsecAssertion(r: MemberReader, e: unknown, at: string): BgpsecAssertion {
  const o = r.object(e, at, ['asn', 'SKI', 'routerPublicKey'], ['comment']);
  const asn = r.asn(o.asn, `${at}.asn`);
  const ski = r.ski(o.SKI, `${at}.SKI`);
  const key = typeof o.routerPublicKey === 'string' ? decodeBase64Url(o.routerPublicKey) : new Invalid('must be a string');
  if (key instanceof Invalid) r.fail(`${at}.routerPublicKey`, key.reason);
  if (key.length === 0) r.fail(`${at}.routerPublicKey`, 'is empty');
  return Object.freeze({ asn, ski, routerPublicKey: key.toString('base64url'), ...r.comment(o, at) });
}

// draft-ietf-sidrops-aspa-slurm §3.2: customerAsn and providerAsns (ascending,
// unique, without the customer); optionally a comment.
function readAspaAssertion(r: MemberReader, e: unknown, at: string): AspaAssertion {
  const o = r.object(e, at, ['customerAsn', 'providerAsns'], ['comment']);
  const customerAsn = r.asn(o.customerAsn, `${at}.customerAsn`);
  const list = o.providerAsns;
  if (!Array.isArray(list)) r.fail(`${at}.providerAsns`, `must be an array, not ${show(list)}`);
  // The profile's providers are SEQUENCE (SIZE(1..MAX)), which the draft keeps.
  if (list.length === 0) r.fail(`${at}.providerAsns`, 'must list at least one provider');
  const providerAsns = list.map((p: unknown, k: number) => {
    const path = `${at}.providerAsns[${k}]`;
    const asn = r.asn(p, path);
    if (asn === customerAsn) r.fail(path, `AS${asn} is the customer itself`);
    if (k > 0 && asn <= (list[k - 1] as number)) r.fail(path, 'providerAsns must be in ascending order without repeats');
    return asn;
  });
  return Object.freeze({ customerAsn, providerAsns: Object.freeze(providerAsns), ...r.comment(o, at) });
}

/** Typed member access that throws RpkiFormatError naming the member path. */
class MemberReader {
  constructor(private readonly source: string) {}

  fail(path: string, reason: string): never {
    throw new RpkiFormatError(this.source, path === '' ? undefined : path, reason);
  }

  /** An object with all of `required`, any of `optional`, and nothing else. */
  object(value: unknown, at: string, required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
    if (!isRecord(value)) this.fail(at, `must be an object, not ${show(value)}`);
    for (const name of required) if (value[name] === undefined) this.fail(join(at, name), 'missing');
    for (const name of Object.keys(value)) {
      if (!required.includes(name) && !optional.includes(name)) this.fail(join(at, name), 'unknown member');
    }
    return value;
  }

  list<T>(parent: Record<string, unknown>, at: string, name: string, read: (e: unknown, at: string) => T): readonly T[] {
    const value = parent[name];
    const path = join(at, name);
    if (!Array.isArray(value)) this.fail(path, `must be an array, not ${show(value)}`);
    return Object.freeze(value.map((e: unknown, i: number) => read(e, `${path}[${i}]`)));
  }

  /** RFC 8416 asks for a JSON number; "AS64496" is a different file format. */
  asn(value: unknown, at: string): Asn {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_ASN) {
      this.fail(at, `must be a number from 0 to ${MAX_ASN}, not ${show(value)}`);
    }
    return value as Asn;
  }

  prefix(value: unknown, at: string): Prefix {
    if (typeof value !== 'string') this.fail(at, `must be a string, not ${show(value)}`);
    try {
      return Prefix.parse(value);
    } catch (err) {
      if (err instanceof PrefixError) this.fail(at, err.message);
      throw err;
    }
  }

  ski(value: unknown, at: string): string {
    if (typeof value !== 'string') this.fail(at, `must be a string, not ${show(value)}`);
    const bytes = decodeBase64Url(value);
    if (bytes instanceof Invalid) this.fail(at, `${show(value)} ${bytes.reason}`);
    if (bytes.length !== SKI_BYTES) {
      this.fail(at, `${show(value)} decodes to ${bytes.length} bytes; a SKI is ${SKI_BYTES} (RFC 6487 §4.8.2)`);
    }
    return bytes.toString('hex');
  }

  comment(o: Record<string, unknown>, at: string): { comment?: string } {
    if (o.comment === undefined) return {};
    if (typeof o.comment !== 'string') this.fail(`${at}.comment`, `must be a string, not ${show(o.comment)}`);
    return { comment: o.comment };
  }
}

function join(at: string, name: string): string {
  return at === '' ? name : `${at}.${name}`;
}
