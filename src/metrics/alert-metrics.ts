/**
 * Alerts and their delivery: what is firing now (by type, severity and
 * VIF, never by prefix or alert: a leak of 10,000 prefixes is one series
 * with the value 10,000), the open groups, and each sink's outcomes from
 * the durable outbox.
 *
 * The engine's counts() walks the alerts it holds (bounded by its
 * retention), not the routes.
 */
import type { Registry } from 'prom-client';
import type { Daemon } from '../daemon/daemon.js';
import { type CollectErrorHandler, one, type Sample, scrapedCounter, scrapedGauge } from './scraped.js';

/** Alerts without a VIF (rpki-stale, bmp-session-down) get this label value, like `origin="none"`. */
const NO_VIF = 'none';

const OUTCOMES = [
  ['delivered', 'delivered'],
  ['retried', 'retried'],
  ['dead_lettered', 'deadLettered'],
  ['superseded', 'superseded'],
] as const;

export function registerAlertMetrics(registry: Registry, daemon: Daemon, onError: CollectErrorHandler): void {
  scrapedGauge(registry, {
    name: 'rovd_alerts_firing',
    help: 'Alerts firing (including those in their resolve hold-down), by type, severity and VIF (`none` for alerts about no VIF).',
    labelNames: ['type', 'severity', 'vif'],
    read: () => daemon.alerts.counts().firing.map((f) => ({ labels: { type: f.type, severity: f.severity, vif: f.vif === '' ? NO_VIF : f.vif }, value: f.count })),
  }, onError);

  scrapedGauge(registry, {
    name: 'rovd_alerts',
    help: 'Alerts held by the engine, by lifecycle status (pending, firing, resolving, resolved; resolved ones are kept for alerts.retention).',
    labelNames: ['status'],
    read: () => Object.entries(daemon.alerts.counts().byStatus).map(([status, value]) => ({ labels: { status }, value })),
  }, onError);

  scrapedGauge(registry, { name: 'rovd_alert_groups', help: 'Open alert groups (one notification thread each).', labelNames: [], read: () => one(daemon.alerts.counts().groups) }, onError);
  scrapedGauge(registry, { name: 'rovd_alert_silences', help: 'Silences held (active or pending).', labelNames: [], read: () => one(daemon.alerts.counts().silences) }, onError);

  const sinks = () => Object.entries(daemon.outbox?.stats().sinks ?? {});

  scrapedCounter(registry, {
    name: 'rovd_notifications_total',
    help: 'Notification deliveries by sink and outcome: delivered, retried (an attempt failed, another follows), dead_lettered (gave up), superseded (a newer notification of the group replaced it).',
    labelNames: ['sink', 'outcome'],
    *read(): Iterable<Sample<'sink' | 'outcome'>> {
      for (const [sink, s] of sinks()) for (const [outcome, field] of OUTCOMES) yield { labels: { sink, outcome }, value: s[field] };
    },
  }, onError);

  scrapedCounter(registry, {
    name: 'rovd_notification_attempts_total',
    help: 'Delivery attempts by sink, whatever their outcome.',
    labelNames: ['sink'],
    read: () => sinks().map(([sink, s]) => ({ labels: { sink }, value: s.attempts })),
  }, onError);

  scrapedGauge(registry, { name: 'rovd_outbox_pending', help: 'Deliveries not finished (all sinks): waiting, in flight or backing off.', labelNames: [], read: () => one(daemon.outbox?.stats().pending ?? 0) }, onError);
  scrapedGauge(registry, { name: 'rovd_outbox_dead_letters', help: 'Dead letters held: deliveries that exhausted their retry budget or were refused permanently.', labelNames: [], read: () => one(daemon.outbox?.stats().deadLetters ?? 0) }, onError);
  scrapedCounter(registry, { name: 'rovd_outbox_journal_errors_total', help: 'Outbox journal appends that failed (the state is kept in memory; a restart may resend).', labelNames: [], read: () => one(daemon.outbox?.stats().journalErrors ?? 0) }, onError);
  scrapedCounter(registry, { name: 'rovd_alert_state_journal_errors_total', help: 'Alert state journal writes that failed (the state is kept in memory and written whole by a snapshot once writes work).', labelNames: [], read: () => one(daemon.alertState?.stats().journalErrors ?? 0) }, onError);
}
