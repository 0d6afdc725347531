/**
 * A SigV4 signer for tests, written apart from src/http/security so that
 * the verifier is checked against a second implementation, not itself
 * (AWS's "Create a signed AWS API request", the same steps as botocore's
 * SigV4Auth with S3-style single path encoding). It signs what it is given,
 * exactly: a test can then change any part of the request afterwards and
 * expect the verifier to refuse it.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SignInput {
  readonly method: string;
  /** Path and query as they will be sent (already percent-encoded). */
  readonly url: string;
  /** Header name → value, as they will be sent; `host` must be among them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  readonly keyId: string;
  readonly secret: string;
  readonly region?: string;
  readonly service?: string;
  /** The signing time, epoch ms. */
  readonly time: number;
  /** Also send x-amz-content-sha256 (the S3 convention; optional elsewhere). */
  readonly contentSha256?: boolean;
  /** Headers to sign; default: all given plus x-amz-date (and x-amz-content-sha256). */
  readonly signedHeaders?: readonly string[];
}

export interface Signed {
  /** Every header to send, with x-amz-date and authorization added. */
  readonly headers: Record<string, string>;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
}

const hex = (d: string | Uint8Array) => createHash('sha256').update(d).digest('hex');
const mac = (k: string | Uint8Array, d: string) => createHmac('sha256', k).update(d).digest();

function enc(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function amzDate(time: number): string {
  const iso = new Date(time).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

export function signRequest(input: SignInput): Signed {
  const region = input.region ?? 'us-east-1';
  const service = input.service ?? 'rovd';
  const date = amzDate(input.time);
  const body = input.body ?? '';
  const headers: Record<string, string> = { ...input.headers, 'x-amz-date': date };
  if (input.contentSha256) headers['x-amz-content-sha256'] = hex(body);
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const signed = [...(input.signedHeaders ?? [...lower.keys()])].sort();

  const [path = '', query = ''] = input.url.split(/\?(.*)/s);
  const canonicalPath = path === '' ? '/' : path.split('/').map((s) => enc(decodeURIComponent(s))).join('/');
  const canonicalQueryString = query === '' ? '' : query
    .split('&')
    .map((kv) => {
      const i = kv.indexOf('=');
      return i < 0 ? [enc(decodeURIComponent(kv)), ''] : [enc(decodeURIComponent(kv.slice(0, i))), enc(decodeURIComponent(kv.slice(i + 1)))];
    })
    .sort((a, b) => (a[0]! === b[0]! ? (a[1]! < b[1]! ? -1 : 1) : a[0]! < b[0]! ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaderBlock = signed.map((h) => `${h}:${(lower.get(h) ?? '').trim().replace(/ +/g, ' ')}\n`).join('');
  const canonicalRequest = [input.method, canonicalPath, canonicalQueryString, canonicalHeaderBlock, signed.join(';'), hex(body)].join('\n');
  const scope = `${date.slice(0, 8)}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, hex(canonicalRequest)].join('\n');
  const key = mac(mac(mac(mac(`AWS4${input.secret}`, date.slice(0, 8)), region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${input.keyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  return { headers, canonicalRequest, stringToSign, signature };
}
