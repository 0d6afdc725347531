/**
 * When to try a failed delivery again, and when to stop.
 *
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential
 * Backoff And Jitter", 2015): after the n-th failed attempt wait a random
 * time in [0, min(capMs, baseMs · factor^(n-1))). Full jitter spreads the
 * retries of many deliveries that failed together (a receiver restart)
 * instead of bringing them back in waves. A Retry-After from the receiver
 * (RFC 9110 §10.2.3) is a lower bound on the wait.
 *
 * The budget: at most maxAttempts attempts, and no attempt later than
 * maxAgeMs after the notification was recorded (a page a day late helps
 * nobody). Past either, the delivery is a dead letter.
 */

export interface RetryPolicy {
  readonly baseMs: number;
  readonly factor: number;
  readonly capMs: number;
  readonly maxAttempts: number;
  readonly maxAgeMs: number;
}

export const RETRY_DEFAULTS: RetryPolicy = Object.freeze({
  baseMs: 1000,
  factor: 2,
  capMs: 5 * 60_000,
  // With a 5-minute cap, 60 attempts last about 2.5 h on average.
  maxAttempts: 60,
  maxAgeMs: 12 * 60 * 60_000,
});

/** The wait after the `failures`-th failed attempt (1 = the first), given random() in [0, 1). */
export function backoffDelay(policy: RetryPolicy, failures: number, random: () => number, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * policy.factor ** Math.max(0, failures - 1));
  const jittered = Math.floor(random() * ceiling);
  return Math.max(jittered, retryAfterMs ?? 0);
}
