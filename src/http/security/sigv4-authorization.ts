/**
 * The SigV4 Authorization header (IAM User Guide, "Elements of an AWS API
 * request signature"):
 *
 *   AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request,
 *     SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79…
 *
 * Parsed strictly: each component once, SignedHeaders lower-case, sorted
 * and unique as AWS requires, a 64-digit hex signature.
 */
import { SIGV4_ALGORITHM } from './sigv4-canonical.js';

export interface SigV4Authorization {
  readonly keyId: string;
  /** The scope's date, YYYYMMDD. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly terminator: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Does this Authorization header claim SigV4 (as opposed to Bearer, Basic, …)? */
export function isSigV4Header(value: string): boolean {
  return value.trimStart().startsWith('AWS4-');
}

/** The parsed header, or the reason it is refused. */
export function parseSigV4Authorization(value: string): SigV4Authorization | string {
  const text = value.trim();
  const space = text.indexOf(' ');
  const algorithm = space < 0 ? text : text.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) return `unsupported signing algorithm ${JSON.stringify(algorithm)} (expected ${SIGV4_ALGORITHM})`;
  const parts = new Map<string, string>();
  for (const component of text.slice(space + 1).split(',')) {
    const c = component.trim();
    const eq = c.indexOf('=');
    if (eq <= 0) return `malformed Authorization header: ${JSON.stringify(c)} is not NAME=VALUE`;
    const name = c.slice(0, eq);
    if (name !== 'Credential' && name !== 'SignedHeaders' && name !== 'Signature') return `malformed Authorization header: unknown component ${name}`;
    if (parts.has(name)) return `malformed Authorization header: ${name} given twice`;
    parts.set(name, c.slice(eq + 1));
  }
  const credential = parts.get('Credential');
  const signed = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (credential === undefined) return 'malformed Authorization header: Credential missing';
  if (signed === undefined) return 'malformed Authorization header: SignedHeaders missing';
  if (signature === undefined) return 'malformed Authorization header: Signature missing';

  const scope = credential.split('/');
  if (scope.length !== 5 || scope.some((s) => s === '')) return 'malformed Authorization header: Credential is not KEYID/DATE/REGION/SERVICE/aws4_request';
  const [keyId, date, region, service, terminator] = scope as [string, string, string, string, string];
  if (!/^\d{8}$/.test(date)) return `malformed Authorization header: credential date ${JSON.stringify(date)} is not YYYYMMDD`;

  const signedHeaders = signed.split(';');
  for (let i = 0; i < signedHeaders.length; i++) {
    const h = signedHeaders[i]!;
    if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(h)) return `malformed Authorization header: signed header ${JSON.stringify(h)} is not a lower-case header name`;
    if (i > 0 && !(signedHeaders[i - 1]! < h)) return 'malformed Authorization header: SignedHeaders must be sorted and unique';
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) return 'malformed Authorization header: Signature is not 64 lower-case hex digits';
  return Object.freeze({ keyId, date, region, service, terminator, signedHeaders: Object.freeze(signedHeaders), signature });
}
