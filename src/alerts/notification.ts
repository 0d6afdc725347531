/**
 * What the engine hands to delivery: one notification per group of alerts
 * (same type, VIF and origin by default), so a leak of 10,000 prefixes is
 * one page listing the first few and the count, not 10,000 pages.
 *
 * A notification is a value: it is recorded in the outbox before any
 * attempt to send it, and each sink turns it into its own payload
 * (src/alerts/sinks/). Its `id` is the idempotency key: the same
 * notification retried, or re-sent after a restart, carries the same id,
 * and sinks pass it on (webhook header, PagerDuty dedup_key is the group's
 * key so trigger and resolve meet on one incident).
 */
import type { Alert, AlertLabels, AlertType, Severity } from './alert.js';

export type NotificationStatus = 'firing' | 'resolved';

export interface Notification {
  /** Unique and stable: `${groupKey}:${sequence}`; the idempotency key. */
  readonly id: string;
  /** The group this speaks for: stable across its notifications (PagerDuty dedup_key). */
  readonly groupKey: string;
  /** The labels every member shares (type, vif, origin, …). */
  readonly groupLabels: AlertLabels;
  /** 1, 2, 3 … per group. */
  readonly sequence: number;
  /** `firing` while any member fires; `resolved` when the last one resolved. */
  readonly status: NotificationStatus;
  readonly type: AlertType;
  /** The highest severity among the firing members (or of the group when resolved). */
  readonly severity: Severity;
  /** The first members (firing first, then most recently resolved), at most the engine's limit. */
  readonly alerts: readonly Alert[];
  /** Members now: firing (resolving counts as firing) and resolved since the last notification. */
  readonly counts: { readonly firing: number; readonly resolved: number };
  /** True when `alerts` lists fewer than all members (counts has the totals). */
  readonly truncated: boolean;
  /** One line for the whole group. */
  readonly summary: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /** The sinks the routing rules chose for it. */
  readonly sinks: readonly string[];
}

/** A sink's answer to one attempt. */
export type DeliveryResult =
  | { readonly ok: true; readonly status?: number }
  | {
      readonly ok: false;
      /** False for a permanent refusal (4xx other than 408/429): no retry. */
      readonly retryable: boolean;
      /** From Retry-After (429/503), in milliseconds. */
      readonly retryAfterMs?: number;
      readonly status?: number;
      readonly error: string;
    };

/** A destination. `deliver` never throws; it resolves to a result. */
export interface Sink {
  readonly name: string;
  readonly kind: 'webhook' | 'slack' | 'pagerduty' | 'alertmanager';
  deliver(notification: Notification, signal: AbortSignal): Promise<DeliveryResult>;
}
