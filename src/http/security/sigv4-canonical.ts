/**
 * AWS Signature Version 4: the canonical request, the string to sign and
 * the signing key (IAM User Guide, "Elements of an AWS API request
 * signature" and "Create a signed AWS API request",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html).
 *
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n
 *                      CanonicalHeaders \n SignedHeaders \n HashedPayload
 *   StringToSign     = "AWS4-HMAC-SHA256" \n X-Amz-Date \n Scope \n hex(SHA256(CanonicalRequest))
 *   Scope            = DATE/REGION/SERVICE/aws4_request
 *   SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, DATE), REGION), SERVICE), "aws4_request")
 *
 * rovd URI-encodes each path segment once, as S3 does, not twice as the
 * other AWS services do: that is what curl --aws-sigv4 and the SDKs' S3
 * signers produce for an already-encoded path. The path is signed as it
 * was routed, without removing `.`/`..` segments, so a signature binds the
 * very path fastify dispatches on.
 *
 * curl before 8.1 (Debian 12 ships 7.88) signs the path and query exactly
 * as written, unsorted and not re-encoded. `verbatim: true` builds that
 * form; the verifier tries it only after the AWS form fails. It widens
 * nothing: either form binds the bytes sent, and a verbatim string equal to
 * the AWS form of another target means that target has the same segments
 * and parameters, merely ordered or encoded differently.
 */
import { createHash, createHmac } from 'node:crypto';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const SIGV4_TERMINATOR = 'aws4_request';

/** A canonicalisation that cannot be done: the request is refused with this reason. */
export class CanonicalError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CanonicalError';
  }
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * URI-encodes as SigV4 demands: every byte except the unreserved
 * characters A-Z a-z 0-9 - _ . ~ becomes %XY with upper-case hex (RFC 3986
 * §2.3; AWS: "Do not URI-encode any of the unreserved characters").
 */
export function uriEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Percent-decoding without `+` → space (that is form encoding, not RFC 3986). */
function uriDecode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new CanonicalError(`malformed percent-encoding in the ${what}`);
  }
}

/** The path, each segment decoded then encoded once; `/` for an empty path. */
export function canonicalUri(path: string): string {
  if (path === '') return '/';
  return path
    .split('/')
    .map((segment) => uriEncode(uriDecode(segment, 'path')))
    .join('/');
}

/**
 * The query: each name and value decoded then encoded, `name=value` (a
 * bare `name` becomes `name=`), sorted by name then value (byte order of
 * the encoded text), joined with `&`.
 */
export function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      const name = eq < 0 ? p : p.slice(0, eq);
      const value = eq < 0 ? '' : p.slice(eq + 1);
      return [uriEncode(uriDecode(name, 'query')), uriEncode(uriDecode(value, 'query'))] as const;
    });
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** A header value as signed: trimmed, inner runs of spaces collapsed to one. */
export function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/ +/g, ' ');
}

/**
 * The canonical headers block for `signedHeaders` (lower-case, sorted):
 * `name:value\n` each, repeated headers joined with `,` in the order sent.
 * `headers` maps lower-case names to their values as received.
 */
export function canonicalHeaders(signedHeaders: readonly string[], headers: ReadonlyMap<string, readonly string[]>): string {
  let out = '';
  for (const name of signedHeaders) {
    const values = headers.get(name);
    if (values === undefined) throw new CanonicalError(`signed header ${name} is missing from the request`);
    out += `${name}:${values.map(canonicalHeaderValue).join(',')}\n`;
  }
  return out;
}

export interface CanonicalRequestParts {
  readonly method: string;
  /** The request target as received: path and query, still percent-encoded. */
  readonly url: string;
  readonly signedHeaders: readonly string[];
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly payloadHash: string;
  /** Path and query as received instead of canonicalised (curl < 8.1). */
  readonly verbatim?: boolean;
}

export function canonicalRequest(p: CanonicalRequestParts): string {
  const q = p.url.indexOf('?');
  const path = q < 0 ? p.url : p.url.slice(0, q);
  const query = q < 0 ? '' : p.url.slice(q + 1);
  return [
    p.method.toUpperCase(),
    p.verbatim === true ? path || '/' : canonicalUri(path),
    p.verbatim === true ? query : canonicalQuery(query),
    canonicalHeaders(p.signedHeaders, p.headers),
    p.signedHeaders.join(';'),
    p.payloadHash,
  ].join('\n');
}

/** Would the verbatim form differ from the AWS form for this target? */
export function verbatimDiffers(url: string): boolean {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  try {
    return canonicalUri(path) !== (path || '/') || canonicalQuery(query) !== query;
  } catch {
    return false;
  }
}

export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/${SIGV4_TERMINATOR}`;
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), SIGV4_TERMINATOR);
}

/** The hex signature of a string to sign. */
export function signatureOf(key: Uint8Array, toSign: string): string {
  return createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
}

/** Lower-case header name → values in the order received, from Node's rawHeaders. */
export function headerMap(rawHeaders: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const list = map.get(name);
    if (list === undefined) map.set(name, [rawHeaders[i + 1]!]);
    else list.push(rawHeaders[i + 1]!);
  }
  return map;
}

/** `20150830T123600Z` → epoch ms, or undefined when it is not that form. */
export function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls 20150231 over into March; a real date round-trips.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return ms;
}

/** epoch ms → `20150830T123600Z`. */
export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}
