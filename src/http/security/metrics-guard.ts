/**
 * The guard in front of /metrics. Prometheus cannot sign SigV4 requests; it
 * sends a bearer token (`authorization: {credentials_file: …}` in a scrape
 * config, RFC 6750) and scrapes from known hosts. When `http.metrics` sets
 * a token or source ranges, they decide rovd:GetMetrics; without either,
 * the access policy does, like any read.
 *
 * A missing or wrong token is 401 with `WWW-Authenticate: Bearer` (RFC 6750
 * §3); a source outside the ranges is 403. The token is compared in
 * constant time.
 */
import { addressIn } from '../../net/address.js';
import type { Prefix } from '../../net/prefix.js';
import { constantTimeEqual } from './constant-time.js';
import type { Secret } from './secret.js';

export interface MetricsGuardSettings {
  readonly bearerToken: Secret | undefined;
  /** Source ranges allowed to scrape; undefined: any. */
  readonly allow: readonly Prefix[] | undefined;
}

export type MetricsDecision =
  | { readonly outcome: 'allowed' }
  /** No guard configured: the access policy decides. */
  | { readonly outcome: 'policy' }
  | { readonly outcome: 'unauthorized'; readonly reason: string }
  | { readonly outcome: 'forbidden'; readonly reason: string };

export function checkMetrics(settings: MetricsGuardSettings, sourceIp: string, authorization: string | undefined): MetricsDecision {
  if (settings.bearerToken === undefined && settings.allow === undefined) return { outcome: 'policy' };
  if (settings.allow !== undefined && !settings.allow.some((p) => addressIn(sourceIp, p))) {
    return { outcome: 'forbidden', reason: `source ${sourceIp} is outside http.metrics.allow` };
  }
  if (settings.bearerToken !== undefined) {
    const m = authorization === undefined ? null : /^Bearer +(\S+) *$/i.exec(authorization);
    if (m === null) return { outcome: 'unauthorized', reason: 'bearer token missing' };
    if (!constantTimeEqual(m[1]!, settings.bearerToken.reveal())) return { outcome: 'unauthorized', reason: 'bearer token does not match' };
  }
  return { outcome: 'allowed' };
}
