/**
 * The generic webhook's signature, modelled on Stripe's webhook signing
 * (https://docs.stripe.com/webhooks#verify-manually):
 *
 * ```
 * X-Rovd-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 * ```
 *
 * To verify, a receiver:
 * 1. takes `t` and every `v1` from the header (more than one v1 may come
 *    while a secret is being rotated: any one matching is enough);
 * 2. computes HMAC-SHA256 with the shared secret over the string `t`, a
 *    dot, and the raw request body exactly as received (before any JSON
 *    parsing), hex-encoded;
 * 3. compares in constant time (crypto.timingSafeEqual);
 * 4. refuses a `t` more than a tolerance (5 minutes here) from its clock,
 *    so a captured request cannot be replayed later;
 * 5. deduplicates by the Idempotency-Key header (the notification id): a
 *    retry after a lost response carries the same key, with a fresh `t`.
 *
 * Every attempt is signed anew, so a delivery retried an hour later still
 * passes the tolerance.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-rovd-signature';
export const SIGNATURE_TOLERANCE_S = 300;

/** The header value for `body` signed at unix time `t` (seconds). */
export function signWebhook(secret: string, t: number, body: string): string {
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

/** True when `header` carries a v1 signature of `body` with `secret` made within `toleranceS` of `nowS`. */
export function verifyWebhookSignature(header: string | undefined, body: string, secret: string, nowS: number, toleranceS = SIGNATURE_TOLERANCE_S): boolean {
  if (header === undefined) return false;
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d+$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (t === undefined || Math.abs(nowS - t) > toleranceS) return false;
  const expected = Buffer.from(hmacHex(secret, t, body), 'hex');
  return signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
}

function hmacHex(secret: string, t: number, body: string): string {
  return createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
}
