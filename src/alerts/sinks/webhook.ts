/**
 * The generic webhook: the notification as JSON, signed, POSTed to a URL.
 *
 * Body (version 1):
 * ```
 * {version: 1, id, groupKey, status: "firing"|"resolved", type, severity,
 *  summary, counts: {firing, resolved}, truncated, groupLabels,
 *  alerts: [Alert…],        // full snapshots; times in ms since the epoch
 *  createdAt: "<ISO 8601>"}
 * ```
 * Headers: `Content-Type: application/json`, `Idempotency-Key: <id>`
 * (the same on every retry and after a restart: receivers deduplicate on
 * it), `User-Agent: rovd/<version>`, `X-Rovd-Signature` when a secret is
 * configured (webhook-signature.ts says how to verify it), and any extra
 * headers from the config (e.g. Authorization).
 *
 * The secret and the extra headers are never logged: they are kept in
 * private fields and do not appear in messages (http-post.ts names only
 * the URL's origin).
 */
import type { DeliveryResult, Notification, Sink } from '../notification.js';
import { postJson } from './http-post.js';
import { checkHttpUrl, checkIntOption, SinkConfigError } from './sink-config-error.js';
import { rovdUserAgent } from './user-agent.js';
import { signWebhook, SIGNATURE_HEADER } from './webhook-signature.js';

export interface WebhookSinkOptions {
  readonly name: string;
  readonly url: string;
  /** HMAC-SHA256 key for X-Rovd-Signature; no header without it. */
  readonly secret?: string;
  /** Extra request headers (they may not replace the signature, idempotency or content headers). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Per request, headers and body. Default 10 s. */
  readonly timeoutMs?: number;
  /** ms since the epoch; for the signature's t and HTTP-date Retry-After. */
  readonly now?: () => number;
}

export const WEBHOOK_BODY_VERSION = 1;
export const SINK_TIMEOUT_MS = 10_000;

/** Headers rovd sets itself; an extra header may not override them. */
const RESERVED = new Set(['content-type', 'idempotency-key', SIGNATURE_HEADER, 'content-length', 'host']);

export class WebhookSink implements Sink {
  readonly kind = 'webhook';
  readonly name: string;
  readonly url: URL;
  readonly timeoutMs: number;
  readonly #secret: string | undefined;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #now: () => number;

  constructor(options: WebhookSinkOptions) {
    this.name = options.name;
    this.url = checkHttpUrl(options.name, 'url', options.url);
    this.timeoutMs = checkIntOption(options.name, 'timeoutMs', options.timeoutMs, SINK_TIMEOUT_MS, 1);
    if (options.secret !== undefined && (typeof options.secret !== 'string' || options.secret.length === 0)) {
      throw new SinkConfigError(options.name, 'secret', 'must be a non-empty string');
    }
    for (const key of Object.keys(options.headers ?? {})) {
      if (RESERVED.has(key.toLowerCase())) throw new SinkConfigError(options.name, `headers.${key}`, 'is set by rovd and cannot be overridden');
    }
    this.#secret = options.secret;
    this.#headers = Object.freeze({ ...(options.headers ?? {}) });
    this.#now = options.now ?? Date.now;
  }

  deliver(notification: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const body = JSON.stringify(webhookBody(notification));
    const headers: Record<string, string> = {
      'user-agent': rovdUserAgent(),
      ...this.#headers,
      'idempotency-key': notification.id,
    };
    if (this.#secret !== undefined) headers[SIGNATURE_HEADER] = signWebhook(this.#secret, Math.floor(this.#now() / 1000), body);
    return postJson({ url: this.url, body, headers, timeoutMs: this.timeoutMs, signal, now: this.#now });
  }
}

/** The JSON body (exported for tests and for documentation by example). */
export function webhookBody(n: Notification): object {
  return {
    version: WEBHOOK_BODY_VERSION,
    id: n.id,
    groupKey: n.groupKey,
    status: n.status,
    type: n.type,
    severity: n.severity,
    summary: n.summary,
    counts: n.counts,
    truncated: n.truncated,
    groupLabels: n.groupLabels,
    alerts: n.alerts,
    createdAt: new Date(n.createdAt).toISOString(),
  };
}
