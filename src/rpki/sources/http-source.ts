/**
 * A VRP export served over HTTP(S) (Routinator's `/json`, an rpki-client
 * `json` behind a web server, a StayRTR `rpki.json` mirror), polled.
 *
 * - Conditional GETs: the ETag and Last-Modified of the last *accepted*
 *   body are sent back as If-None-Match / If-Modified-Since (verbatim, RFC
 *   9110 §13.1). A 304 keeps the current payload and counts as a success.
 *   Validators of a body that failed to parse are not kept, so a 304 can
 *   only ever confirm data we actually hold.
 * - A request timeout covering headers and body (timeoutMs). It is our
 *   own clearable timer rather than AbortSignal.timeout, whose timer
 *   cannot be cleared and would outlive stop() by up to timeoutMs.
 * - A hard size limit (maxBytes) counted on the decompressed bytes while
 *   streaming: the request is aborted as soon as the limit is passed.
 *   Content-Length is only an early refusal (a chunked or gzip body has
 *   none, or the compressed size), never trusted as the limit.
 * - gzip/deflate/br are negotiated and decoded by fetch (undici).
 * - A non-2xx answer is a failure carrying the status.
 *
 * Polls every intervalMs after the end of the previous attempt (attempts
 * never overlap), or every retryIntervalMs after a failure.
 */
import { BaseSource, checkNumberOption, type CommonSourceOptions, type Fetched, SourceConfigError, SourceError } from './source.js';

export interface HttpSourceOptions extends CommonSourceOptions {
  /** http: or https:. Credentials go in `headers`, not in the URL. */
  readonly url: string;
  /** Time between the end of one attempt and the next. Default 5 min. */
  readonly intervalMs?: number;
  /** Time to the next attempt after a failure. Default min(intervalMs, 60 s). */
  readonly retryIntervalMs?: number;
  /** Whole request, headers and body. Default 60 s. */
  readonly timeoutMs?: number;
  /** Extra request headers (e.g. authorization); never logged. */
  readonly headers?: Readonly<Record<string, string>>;
}

export const HTTP_SOURCE_DEFAULTS = Object.freeze({
  intervalMs: 5 * 60_000,
  retryIntervalMs: 60_000,
  timeoutMs: 60_000,
});

export class HttpSource extends BaseSource {
  readonly kind = 'http';
  readonly url: URL;
  readonly intervalMs: number;
  readonly retryIntervalMs: number;
  readonly timeoutMs: number;
  private readonly headers: Readonly<Record<string, string>>;

  private pollTimer: NodeJS.Timeout | undefined;
  private etag: string | undefined;
  private lastModified: string | undefined;

  constructor(options: HttpSourceOptions) {
    const url = parseUrl(options.name ?? String(options.url), options.url);
    super(url.href, options);
    this.url = url;
    this.intervalMs = checkNumberOption(this.name, 'intervalMs', options.intervalMs ?? HTTP_SOURCE_DEFAULTS.intervalMs, 1);
    this.retryIntervalMs = checkNumberOption(
      this.name,
      'retryIntervalMs',
      options.retryIntervalMs ?? Math.min(this.intervalMs, HTTP_SOURCE_DEFAULTS.retryIntervalMs),
      1,
    );
    this.timeoutMs = checkNumberOption(this.name, 'timeoutMs', options.timeoutMs ?? HTTP_SOURCE_DEFAULTS.timeoutMs, 1);
    this.headers = Object.freeze({ ...(options.headers ?? {}) });
  }

  protected arm(): void {}

  protected disarm(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  protected override afterAttempt(): void {
    this.disarm();
    this.pollTimer = setTimeout(
      () => {
        this.pollTimer = undefined;
        void this.refresh();
      },
      this.lastFailed ? this.retryIntervalMs : this.intervalMs,
    );
  }

  protected async fetchBytes(stopSignal: AbortSignal): Promise<Fetched> {
    const request = new AbortController();
    const onStop = (): void => request.abort(stopSignal.reason);
    stopSignal.addEventListener('abort', onStop, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      request.abort(new SourceError(this.name, `timed out after ${this.timeoutMs} ms`));
    }, this.timeoutMs);

    const headers: Record<string, string> = {
      accept: 'application/json, text/csv;q=0.9, */*;q=0.5',
      'user-agent': 'rovd',
      ...this.headers,
    };
    if (this.payload !== undefined) {
      if (this.etag !== undefined) headers['if-none-match'] = this.etag;
      if (this.lastModified !== undefined) headers['if-modified-since'] = this.lastModified;
    }

    try {
      const res = await fetch(this.url, { headers, signal: request.signal, redirect: 'follow' });
      if (res.status === 304) {
        await res.body?.cancel();
        return { kind: 'unchanged' };
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new SourceError(this.name, `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} from ${this.url.href}`, res.status);
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (!res.headers.has('content-encoding') && declared > this.maxBytes) {
        await res.body?.cancel();
        throw new SourceError(this.name, `response of ${declared} bytes (Content-Length) is over maxBytes ${this.maxBytes}`);
      }
      const bytes = await this.readLimited(res.body, request);
      const etag = res.headers.get('etag') ?? undefined;
      const lastModified = res.headers.get('last-modified') ?? undefined;
      return {
        kind: 'bytes',
        bytes,
        accepted: () => {
          this.etag = etag;
          this.lastModified = lastModified;
        },
      };
    } catch (err) {
      if (timedOut) throw new SourceError(this.name, `GET ${this.url.href} timed out after ${this.timeoutMs} ms`, undefined, { cause: err });
      if (err instanceof SourceError) throw err;
      throw new SourceError(this.name, `GET ${this.url.href} failed: ${describe(err)}`, undefined, { cause: err });
    } finally {
      clearTimeout(timer);
      stopSignal.removeEventListener('abort', onStop);
    }
  }

  /** Reads the body, aborting the request as soon as it passes maxBytes. */
  private async readLimited(body: AsyncIterable<Uint8Array> | null, request: AbortController): Promise<Buffer> {
    if (body === null) return Buffer.alloc(0);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of body) {
      total += chunk.byteLength;
      if (total > this.maxBytes) {
        const err = new SourceError(this.name, `response body over maxBytes ${this.maxBytes}; aborted after ${total} bytes`);
        request.abort(err);
        // Leaving the loop by throwing also cancels the stream.
        throw err;
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, total);
  }
}

function parseUrl(name: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SourceConfigError(name, 'url', `is not a valid URL: ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SourceConfigError(name, 'url', `must be http: or https:, got ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new SourceConfigError(name, 'url', 'must not contain credentials (fetch refuses them); use headers.authorization');
  }
  return url;
}

/** fetch's "fetch failed" hides the reason in `cause` (ECONNREFUSED, TLS, DNS). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${err.message}: ${cause.message}${code && !cause.message.includes(code) ? ` (${code})` : ''}`;
  }
  return err.message;
}
