/**
 * How often rovd may call Direct Connect, and what it does when AWS says
 * no.
 *
 * Direct Connect throttles per account and region (Direct Connect User
 * Guide, "Quotas": API requests are throttled per account and Region and
 * a throttled call fails with ThrottlingException). Every call rovd makes
 * for one account/region, from the VIF inventory and every route poller,
 * takes a token from one RequestBudget, so rovd stays under the rate on
 * its own instead of finding it by being throttled.
 *
 * The bucket holds up to `burst` tokens and gains `requestsPerSecond` a
 * second. A caller that finds it empty reserves the next token anyway
 * (the count goes negative) and sleeps until that token has accrued:
 * waiters are served in arrival order, and in any interval of T seconds
 * no more than burst + requestsPerSecond·T calls start.
 *
 * The retry policy is exponential backoff with full jitter (AWS
 * Architecture Blog, "Exponential Backoff And Jitter", 2015): the n-th
 * retry waits a random time in [0, min(maxDelayMs, baseDelayMs·2^(n-1))).
 * A Retry-After from AWS (RFC 9110 §10.2.3) is a lower bound on that wait;
 * one longer than maxDelayMs ends the call instead, since the next poll
 * cycle comes sooner than that. Every attempt, retries included, takes a
 * token: a retry is a request AWS counts.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { AwsApiError } from './aws-api-error.js';

/** Waits `ms`; rejects when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = async (ms, signal) => {
  await delay(ms, undefined, signal === undefined ? undefined : { signal });
};

export interface RequestBudgetOptions {
  readonly requestsPerSecond: number;
  /** The most calls that may start at once after a quiet spell. */
  readonly burst: number;
  /** Epoch ms; injectable for tests. */
  readonly now?: () => number;
  readonly sleep?: Sleep;
}

export class RequestBudget {
  readonly requestsPerSecond: number;
  readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  /** May be negative: tokens reserved by callers still waiting. */
  private tokens: number;
  private refilledAt: number;

  constructor(options: RequestBudgetOptions) {
    if (!(Number.isFinite(options.requestsPerSecond) && options.requestsPerSecond > 0)) {
      throw new RangeError(`requestsPerSecond must be a positive number, got ${options.requestsPerSecond}`);
    }
    if (!(Number.isInteger(options.burst) && options.burst >= 1)) {
      throw new RangeError(`burst must be an integer of at least 1, got ${options.burst}`);
    }
    this.requestsPerSecond = options.requestsPerSecond;
    this.burst = options.burst;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.tokens = options.burst;
    this.refilledAt = this.now();
  }

  /** Takes one token, waiting for it if the bucket is empty. */
  async take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.requestsPerSecond) / 1000);
    this.refilledAt = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return;
    const waitMs = Math.ceil((-this.tokens * 1000) / this.requestsPerSecond);
    try {
      await this.sleep(waitMs, signal);
    } catch (err) {
      // An abandoned wait gives its reservation back.
      this.tokens += 1;
      throw err;
    }
  }
}

export interface RetryPolicy {
  /** Attempts in all, the first included; 1 means no retry. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const RETRY_DEFAULTS: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 20_000,
});

/**
 * The wait before retry number `retry` (1 = the first retry), given
 * random() in [0, 1); `retryAfterMs` is a lower bound.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.max(Math.floor(random() * ceiling), retryAfterMs ?? 0);
}

/** How one attempt ended, for the metrics hook: `retry` when another attempt follows. */
export type AttemptOutcome = 'ok' | 'error' | 'throttled' | 'retry';

export interface RetryContext {
  readonly budget: RequestBudget;
  readonly policy: RetryPolicy;
  readonly random: () => number;
  readonly sleep: Sleep;
  readonly now: () => number;
  /** Aborts waits (for a token or a backoff) when the client closes. */
  readonly signal?: AbortSignal;
  /** Called once per attempt with its outcome and duration. */
  readonly onAttempt?: (outcome: AttemptOutcome, ms: number, error: AwsApiError | undefined) => void;
}

/**
 * Runs `attempt` until it succeeds, fails with an error that is not
 * retryable, or has been tried `policy.maxAttempts` times. Only
 * AwsApiErrors are retried; anything else is a bug and goes straight up.
 */
export async function withRetries<T>(attempt: (attemptNumber: number) => Promise<T>, ctx: RetryContext): Promise<T> {
  for (let n = 1; ; n++) {
    await ctx.budget.take(ctx.signal);
    const started = ctx.now();
    try {
      const result = await attempt(n);
      ctx.onAttempt?.('ok', ctx.now() - started, undefined);
      return result;
    } catch (err) {
      const ms = ctx.now() - started;
      if (!(err instanceof AwsApiError)) {
        ctx.onAttempt?.('error', ms, undefined);
        throw err;
      }
      const waitMs = err.retryable && n < ctx.policy.maxAttempts ? backoffDelayMs(ctx.policy, n, ctx.random, err.retryAfterMs) : undefined;
      if (waitMs === undefined || waitMs > ctx.policy.maxDelayMs) {
        ctx.onAttempt?.(err.throttled ? 'throttled' : 'error', ms, err);
        throw err;
      }
      ctx.onAttempt?.('retry', ms, err);
      await ctx.sleep(waitMs, ctx.signal);
    }
  }
}
