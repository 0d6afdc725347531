/**
 * Rate limiting per source: a token bucket per client (RFC 2697's single
 * rate, the model AWS API throttling documents as "rate" and "burst").
 * A client may send `burst` requests at once, then `perSecond` a second;
 * a refused request learns when the next token comes (Retry-After, RFC
 * 9110 §10.2.3).
 *
 * The table of buckets is bounded: least recently seen clients are dropped
 * past `maxClients` (a dropped client comes back with a full bucket, which
 * only errs toward letting requests in). IPv6 clients are keyed by their
 * /64, since one host holds a whole /64 and could otherwise rotate past
 * its limit (RFC 4291 §2.5.4, RFC 7421). No timers: refill is computed
 * from the clock on each request.
 */
import { canonicalAddress } from '../../net/address.js';
import { Prefix } from '../../net/prefix.js';

export interface RateLimitOptions {
  readonly perSecond: number;
  readonly burst: number;
  readonly maxClients?: number;
  readonly now?: () => number;
}

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export const DEFAULT_MAX_CLIENTS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxClients: number;

  constructor(private readonly options: RateLimitOptions) {
    if (!(options.perSecond > 0) || !(options.burst >= 1)) throw new RangeError('RateLimiter: perSecond must be > 0 and burst >= 1');
    this.now = options.now ?? Date.now;
    this.maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS;
  }

  /** Takes one token for `address`'s client, if there is one. */
  take(address: string): RateDecision {
    const key = clientKey(address);
    const now = this.now();
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = { tokens: this.options.burst, at: now };
      if (this.buckets.size >= this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
    } else {
      b.tokens = Math.min(this.options.burst, b.tokens + ((now - b.at) / 1000) * this.options.perSecond);
      b.at = now;
      // Map order is insertion order: re-inserting keeps the oldest-seen first for eviction.
      this.buckets.delete(key);
    }
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.options.perSecond)) };
  }

  /** Clients currently tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }
}

/** IPv4 by address, IPv6 by /64, IPv4-mapped IPv6 as IPv4. */
export function clientKey(address: string): string {
  const canonical = canonicalAddress(address);
  if (canonical === undefined) return address;
  if (!canonical.includes(':')) return canonical;
  const host = Prefix.parse(`${canonical}/128`);
  return Prefix.fromWords(6, 64, host.w0, host.w1).toString();
}
