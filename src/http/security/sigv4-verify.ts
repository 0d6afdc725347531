/**
 * Verifying a SigV4-signed request the way an AWS service front end does
 * (IAM User Guide, "Signature Version 4 for API requests"): the scope must
 * name this service and region, the signed headers must include host and
 * x-amz-date, the time must be within the allowed skew, the payload hash
 * is recomputed from the raw body, and the signature is recomputed with
 * the key's secret and compared in constant time.
 *
 * Every refusal says precisely why (AWS returns the canonical request it
 * expected; rovd returns the reason), and no reason ever contains a secret.
 */
import type { Secret } from './secret.js';
import { constantTimeEqual } from './constant-time.js';
import { parseSigV4Authorization } from './sigv4-authorization.js';
import {
  CanonicalError,
  SIGV4_TERMINATOR,
  canonicalRequest,
  credentialScope,
  headerMap,
  parseAmzDate,
  sha256Hex,
  signatureOf,
  signingKey,
  stringToSign,
  verbatimDiffers,
} from './sigv4-canonical.js';

export const ROVD_SERVICE = 'rovd';

/** The request as the verifier needs it; `url` is the raw request target. */
export interface SignedRequest {
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: readonly string[];
  readonly body: Uint8Array;
}

export type SigV4Result = { readonly ok: true; readonly keyId: string } | { readonly ok: false; readonly reason: string };

export interface SigV4VerifierOptions {
  readonly region: string;
  readonly clockSkewMs: number;
  readonly keys: ReadonlyMap<string, Secret>;
  readonly now?: () => number;
  readonly service?: string;
}

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export class SigV4Verifier {
  private readonly now: () => number;
  private readonly service: string;

  constructor(private readonly options: SigV4VerifierOptions) {
    this.now = options.now ?? Date.now;
    this.service = options.service ?? ROVD_SERVICE;
  }

  verify(req: SignedRequest): SigV4Result {
    const headers = headerMap(req.rawHeaders);
    const authorization = headers.get('authorization');
    if (authorization === undefined) return refuse('Authorization header missing');
    if (authorization.length > 1) return refuse('more than one Authorization header');
    const auth = parseSigV4Authorization(authorization[0]!);
    if (typeof auth === 'string') return refuse(auth);

    if (auth.service !== this.service) return refuse(`credential scope service must be ${this.service}, got ${JSON.stringify(auth.service)}`);
    if (auth.region !== this.options.region) return refuse(`credential scope region must be ${this.options.region}, got ${JSON.stringify(auth.region)}`);
    if (auth.terminator !== SIGV4_TERMINATOR) return refuse(`credential scope must end with ${SIGV4_TERMINATOR}`);
    if (!auth.signedHeaders.includes('host')) return refuse('host missing from signed headers');
    if (!auth.signedHeaders.includes('x-amz-date')) return refuse('x-amz-date missing from signed headers');

    const amzDates = headers.get('x-amz-date');
    if (amzDates === undefined || amzDates.length !== 1) return refuse(amzDates === undefined ? 'x-amz-date header missing' : 'more than one x-amz-date header');
    const amzDate = amzDates[0]!.trim();
    const at = parseAmzDate(amzDate);
    if (at === undefined) return refuse(`x-amz-date ${JSON.stringify(amzDate)} is not YYYYMMDDTHHMMSSZ`);
    if (amzDate.slice(0, 8) !== auth.date) return refuse(`credential scope date ${auth.date} does not match x-amz-date ${amzDate}`);
    const skewMs = Math.abs(this.now() - at);
    if (skewMs > this.options.clockSkewMs) {
      return refuse(`request time too skewed (x-amz-date ${amzDate} is ${Math.round(skewMs / 1000)} s from the server's clock; the limit is ${this.options.clockSkewMs / 1000} s)`);
    }

    const secret = this.options.keys.get(auth.keyId);
    if (secret === undefined) return refuse('unknown access key id');

    // The body as received is what was signed: a declared hash must match it.
    const bodyHash = sha256Hex(req.body);
    const declared = headers.get('x-amz-content-sha256');
    let payloadHash = bodyHash;
    if (declared !== undefined) {
      if (declared.length !== 1) return refuse('more than one x-amz-content-sha256 header');
      const value = declared[0]!.trim();
      if (value === UNSIGNED_PAYLOAD) return refuse('unsigned payloads are not accepted (x-amz-content-sha256: UNSIGNED-PAYLOAD)');
      if (value.toLowerCase() !== bodyHash) return refuse('body does not match x-amz-content-sha256');
      // Signed as sent (AWS hashes the header's value, not a recomputation).
      payloadHash = value;
    }

    const key = signingKey(secret.reveal(), auth.date, auth.region, auth.service);
    const scope = credentialScope(auth.date, auth.region, auth.service);
    const matches = (verbatim: boolean): boolean => {
      const canonical = canonicalRequest({ method: req.method, url: req.url, signedHeaders: auth.signedHeaders, headers, payloadHash, verbatim });
      return constantTimeEqual(signatureOf(key, stringToSign(amzDate, scope, canonical)), auth.signature);
    };
    try {
      if (matches(false) || (verbatimDiffers(req.url) && matches(true))) return { ok: true, keyId: auth.keyId };
    } catch (err) {
      if (err instanceof CanonicalError) return refuse(err.reason);
      throw err;
    }
    return refuse('signature does not match');
  }
}

function refuse(reason: string): SigV4Result {
  return { ok: false, reason };
}
