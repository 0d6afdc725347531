/**
 * The request budget and the retry policy, on a fake clock:
 * - the token bucket never lets more than burst + rate·T calls start in
 *   any window of T seconds, whatever the arrival pattern (seeded random
 *   arrivals), serves waiters in arrival order, and is not slower than it
 *   must be (the last of N immediate calls starts at (N - burst)/rate s);
 * - an abandoned wait gives its token back;
 * - backoff with full jitter stays in [0, min(max, base·2^(n-1))) and
 *   reaches towards that ceiling, and Retry-After is a lower bound;
 * - withRetries: throttled 3× then ok is 4 attempts and 4 tokens with
 *   outcomes retry, retry, retry, ok; persistent throttling stops at
 *   maxAttempts with `throttled`; a client error is tried once; a
 *   Retry-After beyond the longest backoff ends the call at once.
 */
import t from 'tap';
import { AwsApiError } from '../../src/aws/aws-api-error.js';
import { type AttemptOutcome, RequestBudget, type RetryPolicy, backoffDelayMs, withRetries } from '../../src/aws/request-budget.js';
import { seededRandom } from '../helpers/random.js';

/** A clock whose sleeps fire only when the test advances it, in time order. */
class FakeClock {
  now = 1_700_000_000_000;
  private timers: { at: number; fire: () => void; fail: (err: unknown) => void }[] = [];

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const timer = { at: this.now + ms, fire: resolve, fail: reject };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(signal.reason);
      });
    });

  /** Moves time forward in 1 ms steps, firing due timers and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (let i = 0; i < 5; i++) await Promise.resolve();
    while (this.now < end) {
      this.now += 1;
      const due = this.timers.filter((x) => x.at <= this.now).sort((a, b) => a.at - b.at);
      this.timers = this.timers.filter((x) => x.at > this.now);
      for (const timer of due) timer.fire();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
  }

  get pending(): number {
    return this.timers.length;
  }
}

/** The largest number of starts inside any window [s, s + windowMs). */
function maxInWindow(starts: readonly number[], windowMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[j]! < sorted[i]! - windowMs + 1) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

t.test('token bucket: 40 calls at once start no faster than burst + rate, in arrival order, and no slower', async (t) => {
  const clock = new FakeClock();
  const budget = new RequestBudget({ requestsPerSecond: 5, burst: 3, now: () => clock.now, sleep: clock.sleep });
  const t0 = clock.now;
  const starts: number[] = [];
  const order: number[] = [];
  const all = Array.from({ length: 40 }, (_, i) =>
    budget.take().then(() => {
      starts.push(clock.now);
      order.push(i);
    }),
  );
  await clock.advance(8000);
  await Promise.all(all);
  t.equal(starts.length, 40);
  t.equal(starts.filter((s) => s === t0).length, 3, 'the burst starts at once');
  t.ok(maxInWindow(starts, 1000) <= 3 + 5, `at most burst + rate in any second (got ${maxInWindow(starts, 1000)})`);
  t.same(order, [...Array(40).keys()], 'first come, first served');
  t.equal(Math.max(...starts) - t0, 7400, 'the 40th call starts at (40 - 3) / 5 s, not later');
});

t.test('token bucket: random arrivals never exceed burst + rate·T in any window (seeded)', async (t) => {
  let atLimit = 0;
  for (const [seed, rate, burst] of [
    [1, 2, 1],
    [2, 10, 5],
    [3, 1, 4],
    [4, 20, 20],
  ] as const) {
    const clock = new FakeClock();
    const random = seededRandom(seed);
    const budget = new RequestBudget({ requestsPerSecond: rate, burst, now: () => clock.now, sleep: clock.sleep });
    const starts: number[] = [];
    const all: Promise<void>[] = [];
    for (let step = 0; step < 60; step++) {
      const arrivals = Math.floor(random() * 4);
      for (let i = 0; i < arrivals; i++) all.push(budget.take().then(() => void starts.push(clock.now)));
      await clock.advance(Math.floor(random() * 400));
    }
    while (starts.length < all.length) await clock.advance(100);
    for (const windowMs of [1, 250, 1000, 3000]) {
      const limit = burst + Math.floor((rate * windowMs) / 1000);
      const most = maxInWindow(starts, windowMs);
      t.ok(most <= limit, `seed ${seed}: ${most} starts in ${windowMs} ms, limit ${limit}`);
      if (most === limit) atLimit++;
    }
  }
  // Arrivals average 7.5/s, above the slower rates: the bound is reached, so the check above has teeth.
  t.ok(atLimit >= 4, `some windows reach the limit exactly (${atLimit})`);
});

t.test('token bucket: a quiet spell refills up to burst, never beyond', async (t) => {
  const clock = new FakeClock();
  const budget = new RequestBudget({ requestsPerSecond: 1, burst: 2, now: () => clock.now, sleep: clock.sleep });
  await budget.take();
  await budget.take();
  clock.now += 60_000;
  await budget.take();
  await budget.take();
  t.equal(clock.pending, 0, 'two tokens after a minute');
  let third = false;
  const waiting = budget.take().then(() => (third = true));
  t.equal(clock.pending, 1, 'but not a third');
  await clock.advance(999);
  t.notOk(third, 'still waiting after 999 ms');
  await clock.advance(1);
  await waiting;
  t.ok(third, 'the next token after 1 s');
});

t.test('token bucket: an abandoned wait gives its token back', async (t) => {
  const clock = new FakeClock();
  const budget = new RequestBudget({ requestsPerSecond: 1, burst: 1, now: () => clock.now, sleep: clock.sleep });
  await budget.take();
  const controller = new AbortController();
  const abandoned = budget.take(controller.signal);
  controller.abort(new Error('closing'));
  await t.rejects(abandoned, /closing/);
  // With the reservation returned, the next caller waits 1 s, not 2.
  let done = false;
  const next = budget.take().then(() => (done = true));
  await clock.advance(1000);
  await next;
  t.ok(done);
  t.throws(() => new RequestBudget({ requestsPerSecond: 0, burst: 1 }), /requestsPerSecond/);
  t.throws(() => new RequestBudget({ requestsPerSecond: 1, burst: 0 }), /burst/);
});

const POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

t.test('backoff: full jitter within [0, min(max, base·2^(n-1))), reaching near the ceiling; Retry-After is a floor', async (t) => {
  const random = seededRandom(42);
  for (let retry = 1; retry <= 8; retry++) {
    const ceiling = Math.min(POLICY.maxDelayMs, POLICY.baseDelayMs * 2 ** (retry - 1));
    const delays = Array.from({ length: 500 }, () => backoffDelayMs(POLICY, retry, random));
    t.ok(Math.min(...delays) >= 0 && Math.max(...delays) < ceiling, `retry ${retry}: all in [0, ${ceiling})`);
    t.ok(Math.max(...delays) >= ceiling * 0.95 && Math.min(...delays) <= ceiling * 0.05, `retry ${retry}: spread over the whole range`);
  }
  t.equal(backoffDelayMs(POLICY, 1, () => 0.5, 700), 700, 'Retry-After above the jitter wins');
  t.equal(backoffDelayMs(POLICY, 4, () => 0.99, 10), 792, 'jitter above Retry-After wins');
});

function throttling(retryAfterMs?: number): AwsApiError {
  return new AwsApiError({ operation: 'Op', code: 'ThrottlingException', httpStatus: 400, requestId: 'r', detail: 'Rate exceeded', ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
}

/** A budget that counts the tokens taken. */
class CountingBudget extends RequestBudget {
  taken = 0;
  override take(signal?: AbortSignal): Promise<void> {
    this.taken++;
    return super.take(signal);
  }
}

function retryHarness(failures: readonly AwsApiError[], policy: RetryPolicy = POLICY) {
  const budget = new CountingBudget({ requestsPerSecond: 1000, burst: 1000 });
  const outcomes: AttemptOutcome[] = [];
  const sleeps: number[] = [];
  let calls = 0;
  const run = withRetries(
    async () => {
      const failure = failures[calls++];
      if (failure !== undefined) throw failure;
      return 'done';
    },
    {
      budget,
      policy,
      random: seededRandom(7),
      sleep: async (ms) => void sleeps.push(ms),
      now: () => 0,
      onAttempt: (outcome) => outcomes.push(outcome),
    },
  );
  return { run, outcomes, sleeps, budget, calls: () => calls };
}

t.test('withRetries: throttled 3× then ok is 4 attempts, 4 tokens, 3 jittered waits', async (t) => {
  const h = retryHarness([throttling(), throttling(), throttling()]);
  t.equal(await h.run, 'done');
  t.equal(h.calls(), 4);
  t.equal(h.budget.taken, 4, 'every attempt takes a token');
  t.same(h.outcomes, ['retry', 'retry', 'retry', 'ok']);
  t.equal(h.sleeps.length, 3);
  h.sleeps.forEach((ms, i) => t.ok(ms >= 0 && ms < 100 * 2 ** i, `wait ${i + 1} (${ms} ms) below ${100 * 2 ** i}`));
});

t.test('withRetries: persistent throttling stops at maxAttempts as `throttled`', async (t) => {
  const h = retryHarness(Array.from({ length: 10 }, () => throttling()));
  const err = await h.run.catch((e: unknown) => e);
  t.ok(err instanceof AwsApiError && err.code === 'ThrottlingException');
  t.equal(h.calls(), 4);
  t.same(h.outcomes, ['retry', 'retry', 'retry', 'throttled']);
});

t.test('withRetries: Retry-After is waited; one longer than maxDelayMs ends the call', async (t) => {
  const honoured = retryHarness([throttling(900)]);
  t.equal(await honoured.run, 'done');
  t.same(honoured.sleeps, [900]);
  const tooLong = retryHarness([throttling(60_000)]);
  await t.rejects(tooLong.run, { code: 'ThrottlingException' });
  t.same(tooLong.sleeps, [], 'no 60 s wait');
  t.same(tooLong.outcomes, ['throttled']);
});

t.test('withRetries: a client error is tried once; a bug is not retried either', async (t) => {
  const denied = new AwsApiError({ operation: 'Op', code: 'DirectConnectClientException', httpStatus: 400, requestId: 'r', detail: 'no such VIF' });
  const h = retryHarness([denied]);
  await t.rejects(h.run, { code: 'DirectConnectClientException', retryable: false });
  t.equal(h.calls(), 1);
  t.same(h.outcomes, ['error']);

  const outcomes: AttemptOutcome[] = [];
  let calls = 0;
  const bug = withRetries(
    async () => {
      calls++;
      throw new TypeError('a bug');
    },
    { budget: new RequestBudget({ requestsPerSecond: 1, burst: 1 }), policy: POLICY, random: Math.random, sleep: async () => {}, now: () => 0, onAttempt: (o) => outcomes.push(o) },
  );
  await t.rejects(bug, TypeError);
  t.equal(calls, 1);
  t.same(outcomes, ['error']);
});

t.test('retryable: throttling codes, 429, 5xx, network errors and timeouts; not 4xx or TLS', async (t) => {
  const make = (code: string, httpStatus: number | undefined) => new AwsApiError({ operation: 'Op', code, httpStatus, requestId: undefined, detail: '' });
  t.ok(make('ThrottlingException', 400).retryable);
  t.ok(make('TooManyRequestsException', 400).retryable);
  t.ok(make('UnknownError', 429).retryable && make('UnknownError', 429).throttled);
  t.ok(make('DirectConnectServerException', 500).retryable);
  t.ok(make('ServiceUnavailableException', 503).retryable);
  t.ok(make('NetworkError', undefined).retryable);
  t.ok(make('Timeout', undefined).retryable);
  t.notOk(make('DirectConnectClientException', 400).retryable);
  t.notOk(make('InvalidSignatureException', 403).retryable);
  t.notOk(make('TlsError', undefined).retryable);
  t.match(make('ThrottlingException', 400).message, /ThrottlingException.*HTTP 400/);
});
