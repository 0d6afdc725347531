/**
 * PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/,
 * .../resolve-events/): POST https://events.pagerduty.com/v2/enqueue.
 *
 * - A firing notification is a `trigger`, a resolved one a `resolve`; both
 *   carry dedup_key = the notification's groupKey, so every notification of
 *   a group lands on one incident and the resolve closes it. A trigger for
 *   an open incident adds to it (PagerDuty deduplicates by dedup_key), so a
 *   retry or a repeat never opens a second incident. dedup_key is limited to
 *   255 characters; a longer groupKey is replaced by its sha256.
 * - trigger: routing_key, event_action, dedup_key, payload {summary (≤ 1024
 *   characters), source, severity (critical|error|warning|info), timestamp
 *   (ISO 8601), component, group, class, custom_details}, client,
 *   client_url, links.
 * - resolve: routing_key, event_action, dedup_key only (PagerDuty ignores
 *   a payload on resolve).
 * - 202 Accepted is success; 400 (invalid event) is permanent; 429 and 5xx
 *   are retried (PagerDuty asks for retries with backoff on both).
 *
 * The routing key is a credential: kept private, never in messages.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Alert } from '../alert.js';
import type { DeliveryResult, Notification, Sink } from '../notification.js';
import { alertLine, truncate } from './alert-line.js';
import { postJson } from './http-post.js';
import { checkHttpUrl, checkIntOption, SinkConfigError } from './sink-config-error.js';
import { rovdUserAgent } from './user-agent.js';
import { SINK_TIMEOUT_MS } from './webhook.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const PAGERDUTY_LIMITS = Object.freeze({ summary: 1024, dedupKey: 255, routingKey: 32, payloadBytes: 512 * 1024 });

export interface PagerDutySinkOptions {
  readonly name: string;
  /** The 32-character integration key of an Events API v2 integration. */
  readonly routingKey: string;
  /** Default PAGERDUTY_EVENTS_URL; tests point it at a local server (EU accounts at events.eu.pagerduty.com). */
  readonly url?: string;
  /** payload.source: the affected system. Default this host's name. */
  readonly source?: string;
  /** client_url, and a link on the incident: where an operator sees rovd's view. */
  readonly clientUrl?: string;
  /** Alerts listed in custom_details; default 20. */
  readonly maxAlerts?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyTrigger {
  readonly routing_key: string;
  readonly event_action: 'trigger';
  readonly dedup_key: string;
  readonly payload: {
    readonly summary: string;
    readonly source: string;
    readonly severity: PagerDutySeverity;
    readonly timestamp: string;
    readonly component?: string;
    readonly group?: string;
    readonly class: string;
    readonly custom_details: Record<string, unknown>;
  };
  readonly client: string;
  readonly client_url?: string;
  readonly links?: ReadonlyArray<{ readonly href: string; readonly text: string }>;
}

export interface PagerDutyResolve {
  readonly routing_key: string;
  readonly event_action: 'resolve';
  readonly dedup_key: string;
}

export class PagerDutySink implements Sink {
  readonly kind = 'pagerduty';
  readonly name: string;
  readonly url: URL;
  readonly timeoutMs: number;
  readonly #routingKey: string;
  readonly #source: string;
  readonly #clientUrl: string | undefined;
  readonly #maxAlerts: number;
  readonly #now: () => number;

  constructor(options: PagerDutySinkOptions) {
    this.name = options.name;
    this.url = checkHttpUrl(options.name, 'url', options.url ?? PAGERDUTY_EVENTS_URL);
    this.timeoutMs = checkIntOption(options.name, 'timeoutMs', options.timeoutMs, SINK_TIMEOUT_MS, 1);
    if (typeof options.routingKey !== 'string' || !/^[A-Za-z0-9]{32}$/.test(options.routingKey)) {
      throw new SinkConfigError(options.name, 'routingKey', `must be the ${PAGERDUTY_LIMITS.routingKey}-character integration key of an Events API v2 integration`);
    }
    if (options.clientUrl !== undefined) checkHttpUrl(options.name, 'clientUrl', options.clientUrl);
    this.#routingKey = options.routingKey;
    this.#source = options.source ?? hostname();
    this.#clientUrl = options.clientUrl;
    this.#maxAlerts = checkIntOption(options.name, 'maxAlerts', options.maxAlerts, 20, 0);
    this.#now = options.now ?? Date.now;
  }

  deliver(notification: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const event = pagerDutyEvent(notification, {
      routingKey: this.#routingKey,
      source: this.#source,
      clientUrl: this.#clientUrl,
      maxAlerts: this.#maxAlerts,
    });
    const body = JSON.stringify(event);
    return postJson({ url: this.url, body, headers: { 'user-agent': rovdUserAgent() }, timeoutMs: this.timeoutMs, signal, now: this.#now });
  }
}

export interface PagerDutyEventOptions {
  readonly routingKey: string;
  readonly source: string;
  readonly clientUrl?: string;
  readonly maxAlerts?: number;
}

/** The dedup key for a group: the groupKey, or its sha256 when longer than PagerDuty allows. */
export function dedupKeyOf(groupKey: string): string {
  return groupKey.length <= PAGERDUTY_LIMITS.dedupKey ? groupKey : `sha256:${createHash('sha256').update(groupKey).digest('hex')}`;
}

export function pagerDutyEvent(n: Notification, o: PagerDutyEventOptions): PagerDutyTrigger | PagerDutyResolve {
  const dedup_key = dedupKeyOf(n.groupKey);
  if (n.status === 'resolved') return { routing_key: o.routingKey, event_action: 'resolve', dedup_key };
  const vif = n.groupLabels.vif;
  const router = n.groupLabels.router;
  let listed = n.alerts.slice(0, o.maxAlerts ?? 20);
  const event = (alerts: readonly Alert[]): PagerDutyTrigger => ({
    routing_key: o.routingKey,
    event_action: 'trigger',
    dedup_key,
    payload: {
      summary: truncate(n.summary, PAGERDUTY_LIMITS.summary),
      source: o.source,
      severity: n.severity,
      timestamp: new Date(n.createdAt).toISOString(),
      ...(vif !== undefined ? { component: `vif ${vif}` } : router !== undefined ? { component: `router ${router}` } : {}),
      ...(n.groupLabels.region !== undefined ? { group: n.groupLabels.region } : {}),
      class: n.type,
      custom_details: {
        notification: n.id,
        group_key: n.groupKey,
        firing: n.counts.firing,
        resolved: n.counts.resolved,
        truncated: n.truncated || alerts.length < n.alerts.length,
        labels: n.groupLabels,
        alerts: alerts.map(alertDetails),
      },
    },
    client: rovdUserAgent(),
    ...(o.clientUrl !== undefined ? { client_url: o.clientUrl, links: [{ href: o.clientUrl, text: 'rovd' }] } : {}),
  });
  // PagerDuty refuses events over 512 KB: list fewer alerts until it fits.
  let trigger = event(listed);
  while (listed.length > 0 && Buffer.byteLength(JSON.stringify(trigger)) > PAGERDUTY_LIMITS.payloadBytes) {
    listed = listed.slice(0, Math.floor(listed.length / 2));
    trigger = event(listed);
  }
  return trigger;
}

function alertDetails(a: Alert): Record<string, unknown> {
  return {
    id: a.id,
    status: a.status,
    severity: a.severity,
    line: alertLine(a),
    description: a.description,
    labels: a.labels,
    ...(a.startsAt !== undefined ? { starts_at: new Date(a.startsAt).toISOString() } : {}),
    ...(a.endsAt !== undefined ? { ends_at: new Date(a.endsAt).toISOString() } : {}),
    evidence: a.evidence,
  };
}
