/**
 * One JSON POST and what its outcome means for delivery, shared by every
 * sink so the mapping lives in one place:
 *
 * - 2xx: delivered.
 * - 408 Request Timeout, 429 Too Many Requests, 5xx: retryable (RFC 9110
 *   §15.5.9, RFC 6585 §4, §15.6), with Retry-After honoured.
 * - any other status (3xx included: a POST is not followed elsewhere;
 *   the URL in the config is wrong): permanent.
 * - a network error, a timeout, an abort: retryable.
 *
 * The timeout covers headers and body, and is our own clearable timer
 * (as in HttpSource): AbortSignal.timeout's timer cannot be cleared. The
 * caller's signal (the outbox's per-attempt timeout, or its close())
 * aborts the request too.
 *
 * Messages name the URL's origin only: a webhook URL's path is often the
 * secret (Slack's is), and messages end up in logs and dead letters.
 * Never throws.
 */
import type { DeliveryResult } from '../notification.js';
import { parseRetryAfter } from './retry-after.js';

export interface HttpPost {
  readonly url: URL;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** For an HTTP-date Retry-After. */
  readonly now: () => number;
}

/** How much of an error body is kept for the message (Slack says `invalid_payload`, PagerDuty a JSON list of errors). */
const ERROR_BODY_CHARS = 300;

export async function postJson(post: HttpPost): Promise<DeliveryResult> {
  const request = new AbortController();
  const onAbort = (): void => request.abort(post.signal.reason);
  if (post.signal.aborted) return { ok: false, retryable: true, error: `POST to ${post.url.origin} aborted before it started` };
  post.signal.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    request.abort(new Error('timeout'));
  }, post.timeoutMs);
  const target = post.url.origin;
  try {
    const res = await fetch(post.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...post.headers },
      body: post.body,
      signal: request.signal,
      redirect: 'manual',
    });
    const status = res.status;
    if (status >= 200 && status < 300) {
      await res.body?.cancel();
      return { ok: true, status };
    }
    const excerpt = await readExcerpt(res);
    const error = `HTTP ${status}${res.statusText ? ` ${res.statusText}` : ''} from ${target}${excerpt ? `: ${excerpt}` : ''}`;
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), post.now());
      return retryAfterMs === undefined ? { ok: false, retryable: true, status, error } : { ok: false, retryable: true, status, error, retryAfterMs };
    }
    return { ok: false, retryable: false, status, error };
  } catch (err) {
    if (timedOut) return { ok: false, retryable: true, error: `POST to ${target} timed out after ${post.timeoutMs} ms` };
    if (post.signal.aborted) return { ok: false, retryable: true, error: `POST to ${target} aborted: ${describe(post.signal.reason)}` };
    return { ok: false, retryable: true, error: `POST to ${target} failed: ${describe(err)}` };
  } finally {
    clearTimeout(timer);
    post.signal.removeEventListener('abort', onAbort);
  }
}

/** The start of an error body, on one line; reading stops there. */
async function readExcerpt(res: Response): Promise<string> {
  if (res.body === null) return '';
  const decoder = new TextDecoder();
  let text = '';
  const reader = res.body.getReader();
  try {
    while (text.length < ERROR_BODY_CHARS) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body cut off is still an answer: the status decides.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > ERROR_BODY_CHARS ? `${line.slice(0, ERROR_BODY_CHARS)}…` : line;
}

/** fetch's "fetch failed" hides the reason in `cause` (ECONNREFUSED, TLS, DNS). */
export function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${err.message}: ${cause.message}${code && !cause.message.includes(code) ? ` (${code})` : ''}`;
  }
  return err.message;
}
