/**
 * Alerts and notifications for the delivery tests, built like the engine
 * builds them (alert id from the fingerprint, group key, sequence).
 */
import { alertIdOf, type Alert, type AlertType, fingerprintOf } from '../../../src/alerts/alert.js';
import type { Notification } from '../../../src/alerts/notification.js';

export const T0 = Date.parse('2026-03-01T12:00:00Z');

export function hijackAlert(overrides: Partial<Alert> = {}, labels: Record<string, string> = {}): Alert {
  const type: AlertType = overrides.type ?? 'origin-hijack';
  const allLabels = { type, severity: 'critical', vif: 'dxvif-ffabc123', router: 'edge1', peer: '169.254.0.1', rib: 'adj-rib-in-pre', prefix: '192.0.2.0/24', origin: '64500', ...labels };
  const fingerprint = fingerprintOf(type, allLabels);
  return {
    fingerprint,
    id: alertIdOf(fingerprint),
    type,
    severity: 'critical',
    labels: allLabels,
    summary: `${allLabels.prefix} announced by AS${allLabels.origin} on ${allLabels.vif}, expected AS65000`,
    description: 'The prefix is ours and only AS65000 may originate it; the route on the VIF has origin AS64500 (RPKI invalid, reason as).',
    context: { vif: allLabels.vif, router: 'edge1', peer: '169.254.0.1', peerAsn: 7224, rib: 'adj-rib-in-pre' },
    evidence: { state: 'invalid', reason: 'as', matched: [], unmatchedAs: [{ asn: 'AS65000', prefix: '192.0.2.0/24', maxLength: 24 }], vrpSet: 'generation:3' },
    asPath: [7224, 64500],
    status: 'firing',
    raisedAt: T0 - 60_000,
    startsAt: T0 - 30_000,
    endsAt: undefined,
    lastRaisedAt: T0 - 1000,
    raises: 2,
    groupKey: `origin-hijack|${allLabels.vif}|${allLabels.origin}`,
    ...overrides,
  };
}

export function notificationOf(alerts: readonly Alert[], overrides: Partial<Notification> = {}): Notification {
  const first = alerts[0]!;
  const sequence = overrides.sequence ?? 1;
  const groupKey = overrides.groupKey ?? first.groupKey;
  const firing = alerts.filter((a) => a.status !== 'resolved').length;
  return {
    id: `${groupKey}:${sequence}`,
    groupKey,
    groupLabels: Object.fromEntries(Object.entries({ type: first.type, vif: first.labels.vif, origin: first.labels.origin }).filter(([, v]) => v !== undefined)) as Record<string, string>,
    sequence,
    status: firing > 0 ? 'firing' : 'resolved',
    type: first.type,
    severity: first.severity,
    alerts,
    counts: { firing, resolved: alerts.length - firing },
    truncated: false,
    summary: `${alerts.length} prefix(es) of ours announced by AS${first.labels.origin} on ${first.labels.vif}`,
    createdAt: T0,
    sinks: ['hook'],
    ...overrides,
  };
}

/** A firing notification of `n` hijacked /24s. */
export function firing(n = 1, overrides: Partial<Notification> = {}): Notification {
  const alerts = Array.from({ length: n }, (_, i) => hijackAlert({}, { prefix: `198.51.${Math.floor(i / 256)}.${i % 256}/32` }));
  return notificationOf(alerts, overrides);
}

/** The resolved counterpart of a notification. */
export function resolvedOf(n: Notification, at = T0 + 600_000): Notification {
  const alerts = n.alerts.map((a) => ({ ...a, status: 'resolved' as const, endsAt: at }));
  return notificationOf(alerts, { groupKey: n.groupKey, sequence: n.sequence + 1, createdAt: at, sinks: n.sinks, counts: { firing: 0, resolved: n.counts.firing } });
}
