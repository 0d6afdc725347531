/**
 * Prometheus Alertmanager, API v2 (https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml,
 * `postAlerts`): POST {url}/api/v2/alerts with an array of
 * {labels, annotations, startsAt, endsAt, generatorURL}, one per alert in
 * the notification. 200 is success; Alertmanager then groups, silences,
 * inhibits and routes as its own config says.
 *
 * Alertmanager identifies an alert by its label set, so the labels are the
 * alert's own (identity labels included) plus alertname = the rovd alert
 * type and severity. Label names must match [a-zA-Z_][a-zA-Z0-9_]*
 * (https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels);
 * rovd's are camelCase already (pathId), others are sanitised: invalid
 * characters become _, a leading digit gets a _ in front. Empty values are
 * dropped (an empty label is an absent one in Prometheus' model).
 *
 * Timing follows how Prometheus itself sends alerts: an alert with no
 * endsAt, or one in the future, is firing until then; Alertmanager resolves
 * it by itself once endsAt passes (its resolve_timeout applies when there
 * is none). So a firing alert is sent with endsAt = now + resendValidityMs,
 * and the engine's repeat notifications re-post it before that passes
 * (set resendValidityMs to a few repeat intervals, Prometheus uses 4× its
 * resend delay); a resolved alert is sent with endsAt = when it resolved.
 * If rovd stops, its alerts resolve themselves in Alertmanager after
 * resendValidityMs rather than fire forever.
 *
 * Only the alerts listed in the notification are posted: for this sink the
 * engine's per-notification limit should be high (Alertmanager groups by
 * itself), or members beyond it are not seen there.
 */
import type { Alert } from '../alert.js';
import type { DeliveryResult, Notification, Sink } from '../notification.js';
import { postJson } from './http-post.js';
import { checkHttpUrl, checkIntOption, SinkConfigError } from './sink-config-error.js';
import { rovdUserAgent } from './user-agent.js';
import { SINK_TIMEOUT_MS } from './webhook.js';

export interface AlertmanagerSinkOptions {
  readonly name: string;
  /** Alertmanager's base URL (with its --web.route-prefix, if any), e.g. http://alertmanager:9093. */
  readonly url: string;
  /** How long a posted firing alert stays firing without a re-post. Default 3 h. */
  readonly resendValidityMs?: number;
  /** rovd's own URL: generatorURL = `${externalUrl}/alerts/${alert.id}`. */
  readonly externalUrl?: string;
  /** Extra headers (e.g. Authorization for an Alertmanager behind a proxy); never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

export const ALERTMANAGER_DEFAULTS = Object.freeze({ resendValidityMs: 3 * 60 * 60_000 });

/** One element of postAlerts' body (PostableAlert). */
export interface PostableAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL?: string;
}

export class AlertmanagerSink implements Sink {
  readonly kind = 'alertmanager';
  readonly name: string;
  readonly url: URL;
  readonly timeoutMs: number;
  readonly resendValidityMs: number;
  readonly externalUrl: string | undefined;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #now: () => number;

  constructor(options: AlertmanagerSinkOptions) {
    this.name = options.name;
    const base = checkHttpUrl(options.name, 'url', options.url);
    // Relative resolution keeps a route prefix: http://h/am + api/v2/alerts needs the trailing slash.
    this.url = new URL('api/v2/alerts', base.href.endsWith('/') ? base : new URL(`${base.href}/`));
    this.timeoutMs = checkIntOption(options.name, 'timeoutMs', options.timeoutMs, SINK_TIMEOUT_MS, 1);
    this.resendValidityMs = checkIntOption(options.name, 'resendValidityMs', options.resendValidityMs, ALERTMANAGER_DEFAULTS.resendValidityMs, 1000);
    if (options.externalUrl !== undefined) checkHttpUrl(options.name, 'externalUrl', options.externalUrl);
    this.externalUrl = options.externalUrl?.replace(/\/+$/, '');
    for (const key of Object.keys(options.headers ?? {})) {
      if (key.toLowerCase() === 'content-type') throw new SinkConfigError(options.name, `headers.${key}`, 'is set by rovd and cannot be overridden');
    }
    this.#headers = Object.freeze({ ...(options.headers ?? {}) });
    this.#now = options.now ?? Date.now;
  }

  deliver(notification: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const body = JSON.stringify(postableAlerts(notification, this.#now(), this.resendValidityMs, this.externalUrl));
    const headers = { 'user-agent': rovdUserAgent(), ...this.#headers };
    return postJson({ url: this.url, body, headers, timeoutMs: this.timeoutMs, signal, now: this.#now });
  }
}

/** A Prometheus label name made from any string. */
export function sanitizeLabelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

export function postableAlerts(n: Notification, nowMs: number, resendValidityMs: number, externalUrl?: string): PostableAlert[] {
  return n.alerts.map((alert) => postableAlert(n, alert, nowMs, resendValidityMs, externalUrl));
}

function postableAlert(n: Notification, alert: Alert, nowMs: number, resendValidityMs: number, externalUrl: string | undefined): PostableAlert {
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(alert.labels)) {
    // Names starting with __ are reserved for Prometheus' internal use.
    const clean = sanitizeLabelName(name).replace(/^__/, '_');
    if (value !== '') labels[clean] = value;
  }
  labels.alertname = alert.type;
  labels.severity = alert.severity;
  const resolved = alert.status === 'resolved';
  const startsAt = alert.startsAt ?? alert.raisedAt;
  const endsAt = resolved ? (alert.endsAt ?? nowMs) : nowMs + resendValidityMs;
  return {
    labels,
    annotations: {
      summary: alert.summary,
      description: alert.description,
      rovd_alert_id: alert.id,
      rovd_group: n.groupKey,
      rovd_notification: n.id,
    },
    startsAt: new Date(startsAt).toISOString(),
    // A resolved alert whose end is not after its start would be refused (Alertmanager: "start time must be before end time").
    endsAt: new Date(Math.max(endsAt, startsAt)).toISOString(),
    ...(externalUrl !== undefined ? { generatorURL: `${externalUrl}/alerts/${encodeURIComponent(alert.id)}` } : {}),
  };
}
