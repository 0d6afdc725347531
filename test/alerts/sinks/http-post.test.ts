/**
 * The outcome mapping every sink shares, against a local server: 2xx ok,
 * 408/429/5xx retryable with Retry-After (seconds and HTTP-date), other
 * 4xx and 3xx permanent, network errors, timeouts and aborts retryable;
 * messages name the origin, never the path.
 */
import t, { type Test } from 'tap';
import { postJson } from '../../../src/alerts/sinks/http-post.js';
import { parseRetryAfter } from '../../../src/alerts/sinks/retry-after.js';
import { freePort } from '../../helpers/peers.js';
import { type Reply, startReceiver } from '../../helpers/receiver.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

async function post(t: Test, reply: Reply, options: { timeoutMs?: number; signal?: AbortSignal; path?: string } = {}) {
  const r = await startReceiver(t, [reply]);
  const result = await postJson({
    url: new URL(`${r.url}${options.path ?? '/secret-token/hook'}`),
    body: '{"a":1}',
    headers: { 'x-extra': 'yes' },
    timeoutMs: options.timeoutMs ?? 2000,
    signal: options.signal ?? new AbortController().signal,
    now: () => NOW,
  });
  return { result, r };
}

t.test('2xx is delivered, with the body and headers sent', async (t) => {
  for (const status of [200, 202, 204]) {
    const { result, r } = await post(t, { status, body: status === 204 ? '' : 'ok' });
    t.same(result, { ok: true, status });
    t.equal(r.requests[0]!.method, 'POST');
    t.equal(r.requests[0]!.body, '{"a":1}');
    t.equal(r.requests[0]!.headers['content-type'], 'application/json');
    t.equal(r.requests[0]!.headers['x-extra'], 'yes');
  }
});

t.test('retryable statuses, Retry-After honoured', async (t) => {
  const cases: Array<[Reply, number | undefined]> = [
    [{ status: 500, body: 'boom' }, undefined],
    [{ status: 502 }, undefined],
    [{ status: 503, headers: { 'retry-after': '120' } }, 120_000],
    [{ status: 429, headers: { 'retry-after': 'Sun, 01 Mar 2026 12:00:30 GMT' } }, 30_000],
    [{ status: 408 }, undefined],
  ];
  for (const [reply, retryAfterMs] of cases) {
    const { result } = await post(t, reply);
    const status = (reply as { status: number }).status;
    t.match(result, { ok: false, retryable: true, status, error: new RegExp(`^HTTP ${status} .*from http://127\\.0\\.0\\.1:\\d+`) });
    t.equal((result as { retryAfterMs?: number }).retryAfterMs, retryAfterMs, `${status} retryAfterMs`);
    t.notMatch((result as { error: string }).error, /secret-token/, 'the path is not in the message');
  }
  const { result } = await post(t, { status: 500, body: 'x'.repeat(5000) });
  t.ok((result as { error: string }).error.length < 400, 'a long error body is cut');
});

t.test('other statuses are permanent', async (t) => {
  for (const status of [400, 401, 403, 404, 410, 413, 301, 302]) {
    const { result } = await post(t, { status, body: 'invalid_payload', headers: status < 400 ? { location: 'http://example.invalid/' } : {} });
    t.match(result, { ok: false, retryable: false, status }, `${status}`);
  }
  const { result } = await post(t, { status: 400, body: 'invalid_payload\n' });
  t.match((result as { error: string }).error, /: invalid_payload$/, 'the start of the body is in the message');
});

t.test('network error, timeout, abort: retryable', async (t) => {
  const port = await freePort();
  const refused = await postJson({ url: new URL(`http://127.0.0.1:${port}/x`), body: '{}', headers: {}, timeoutMs: 2000, signal: new AbortController().signal, now: () => NOW });
  t.match(refused, { ok: false, retryable: true, error: /failed: .*ECONNREFUSED/ });

  const started = Date.now();
  const { result: slow } = await post(t, 'hang', { timeoutMs: 150 });
  t.match(slow, { ok: false, retryable: true, error: /timed out after 150 ms/ });
  t.ok(Date.now() - started < 2000, 'the timeout is kept');

  const ac = new AbortController();
  const pending = post(t, 'hang', { signal: ac.signal });
  setTimeout(() => ac.abort(new Error('outbox closing')), 50);
  t.match((await pending).result, { ok: false, retryable: true, error: /aborted: outbox closing/ });

  const already = new AbortController();
  already.abort();
  const { result: before, r } = await post(t, { status: 200 }, { signal: already.signal });
  t.match(before, { ok: false, retryable: true, error: /aborted before it started/ });
  t.equal(r.requests.length, 0, 'nothing was sent');
});

t.test('parseRetryAfter', async (t) => {
  t.equal(parseRetryAfter(undefined, NOW), undefined);
  t.equal(parseRetryAfter(null, NOW), undefined);
  t.equal(parseRetryAfter(' 7 ', NOW), 7000);
  t.equal(parseRetryAfter('0', NOW), 0);
  t.equal(parseRetryAfter('-5', NOW), undefined, 'not delay-seconds, not a date');
  t.equal(parseRetryAfter('1.5', NOW), undefined);
  t.equal(parseRetryAfter('soon', NOW), undefined);
  t.equal(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', NOW), 0, 'a date in the past is now');
  t.equal(parseRetryAfter('Sunday, 01-Mar-26 12:01:00 GMT', NOW), 60_000, 'RFC 850 form');
  t.equal(parseRetryAfter('Sun Mar  1 12:00:10 2026', NOW) !== undefined, true, 'asctime form');
});
