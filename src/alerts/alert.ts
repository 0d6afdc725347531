/**
 * The alert domain: what a detector asserts (a Condition), what the alert
 * engine makes of it over time (an Alert with a lifecycle), and the
 * fingerprint that keeps one problem one alert.
 *
 * Detectors (src/detect) only say "this condition holds now" (raise) or
 * "it no longer holds" (clear), keyed by fingerprint. The engine
 * (src/alerts/engine.ts) owns time: hold-down before firing and before
 * resolving, repeats folded into the same alert, grouping into
 * notifications. Delivery (src/alerts/outbox.ts, src/alerts/sinks/) owns
 * the network. The three meet only at these types.
 *
 * Alert objects are immutable snapshots: the engine replaces an alert by a
 * new object when anything about it changes, so a notification built from
 * one keeps telling what was true when it was built.
 */
import { createHash } from 'node:crypto';

/** Every kind of problem rovd detects (issue 5). Stable strings: they are labels, config keys and API values. */
export const ALERT_TYPES = [
  /** A route on a VIF is RPKI-invalid (RFC 6811), wrong origin or too specific. */
  'rpki-invalid',
  /** A route was RPKI-valid and its covering VRPs disappeared (now not-found): the ROA was removed or expired. */
  'rpki-vrp-removed',
  /** An own prefix announced exactly, from an origin not allowed for it. */
  'origin-hijack',
  /** A more-specific of an own prefix that more-specifics are not allowed for (or from a foreign origin). */
  'subprefix-hijack',
  /** An own prefix that should be visible on a VIF is no longer announced there. */
  'own-prefix-missing',
  /** A route on a VIF outside that VIF's policy (ranges, Amazon ASNs, NO_EXPORT, expected prefixes). */
  'unexpected-prefix',
  /** Routes on a VIF session approaching Direct Connect's hard limit. */
  'prefix-limit',
  /** A VIF's BGP peer went down (BMP Peer Down). */
  'session-down',
  /** A router's BMP session was lost: rovd no longer sees what it sees. */
  'bmp-session-down',
  /** No VRP source is fresh. */
  'rpki-stale',
  /** An AS path that ASPA verification finds invalid: a route leak. */
  'aspa-invalid',
  /** rovd cannot write its journals (disk full, I/O error): state and notifications are at risk until it can. */
  'store-write-failed',
  /** Direct Connect's API lists a route on a VIF that the router's BMP view lacks, or the reverse, or with another AS path. */
  'route-divergence',
  /** rovd cannot read Direct Connect's API for an account and region: what it shows from there is as last read. */
  'aws-api-error',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Label values are strings (Alertmanager's model); absent labels are absent, never "". */
export type AlertLabels = Readonly<Record<string, string>>;

/** A VRP as evidence (Routinator's validity JSON shape). */
export interface EvidenceVrp {
  readonly asn: string;
  readonly prefix: string;
  readonly maxLength: number;
}

/** Why the detector raised the condition, in data an operator can check. */
export interface AlertEvidence {
  /** RFC 6811 state of the route at the time, where validation decided. */
  readonly state?: 'valid' | 'invalid' | 'not-found';
  /** `as` (no VRP for this origin) or `length` (too specific), when invalid. */
  readonly reason?: 'as' | 'length';
  readonly matched?: readonly EvidenceVrp[];
  readonly unmatchedAs?: readonly EvidenceVrp[];
  readonly unmatchedLength?: readonly EvidenceVrp[];
  /** VRPs that covered the route before a change removed them (rpki-vrp-removed). */
  readonly removed?: readonly EvidenceVrp[];
  /**
   * The VRP set that decided: its CID (`bafyrei…`, GET /api/v1/vrps/{cid};
   * src/store/vrp-snapshots.ts), or `generation:N` of the Validator in the
   * milliseconds before the set is identified (raised again with the CID).
   */
  readonly vrpSet?: string;
  /** Anything else a detector measured (counts, limits, ratios, the policy broken). */
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

/** Where the problem was seen. */
export interface AlertContext {
  readonly vif?: string;
  readonly vifType?: string;
  readonly region?: string;
  readonly router?: string;
  readonly peer?: string;
  readonly peerAsn?: number;
  /** adj-rib-in-pre, adj-rib-out-post, … */
  readonly rib?: string;
}

/** What a detector asserts holds now. Raising the same fingerprint again updates it. */
export interface Condition {
  readonly fingerprint: string;
  readonly type: AlertType;
  readonly severity: Severity;
  /**
   * Identity and routing labels: `type`, `severity`, `vif`, `prefix`,
   * `origin`, `afi`, `direction`, `router`, `peer`, … (the fingerprint is
   * computed from the identity subset, see fingerprintOf).
   */
  readonly labels: AlertLabels;
  /** One line for a pager. */
  readonly summary: string;
  /** A few sentences with the evidence, for the notification body. */
  readonly description: string;
  readonly asPath?: readonly number[];
  readonly context: AlertContext;
  readonly evidence: AlertEvidence;
}

/**
 * - `pending`: raised, inside the fire hold-down; not notified.
 * - `firing`: notified (or about to be).
 * - `resolving`: cleared, inside the resolve hold-down; still firing to the outside.
 * - `resolved`: over.
 */
export type AlertStatus = 'pending' | 'firing' | 'resolving' | 'resolved';

export interface Alert extends Condition {
  /** Short, stable, URL-safe id: the fingerprint's first 16 hex digits. */
  readonly id: string;
  readonly status: AlertStatus;
  /** When it was first raised (ms since the epoch). */
  readonly raisedAt: number;
  /** When it fired (the fire hold-down ended); undefined while pending. */
  readonly startsAt: number | undefined;
  /** When it resolved; undefined until then. */
  readonly endsAt: number | undefined;
  /** The last raise (a repeat updates this, never makes a new alert). */
  readonly lastRaisedAt: number;
  /** How many times it was raised, the first included. */
  readonly raises: number;
  /** The notification group it belongs to. */
  readonly groupKey: string;
  /** Set by an acknowledgement (issue 6): notifications stop repeating, the alert stays. */
  readonly acknowledged?: { readonly at: number; readonly by: string; readonly comment?: string };
}

/**
 * The labels that make an alert's identity, per type: two conditions with
 * equal identity labels are the same problem. Severity is not identity (a
 * prefix-limit warning that becomes critical is the same alert).
 */
export const IDENTITY_LABELS: Readonly<Record<AlertType, readonly string[]>> = Object.freeze({
  'rpki-invalid': ['vif', 'router', 'peer', 'rib', 'prefix', 'pathId', 'origin'],
  'rpki-vrp-removed': ['vif', 'router', 'peer', 'rib', 'prefix', 'pathId', 'origin'],
  'origin-hijack': ['vif', 'router', 'peer', 'rib', 'prefix', 'origin'],
  'subprefix-hijack': ['vif', 'router', 'peer', 'rib', 'prefix', 'origin'],
  'own-prefix-missing': ['vif', 'prefix'],
  'unexpected-prefix': ['vif', 'router', 'peer', 'rib', 'prefix', 'origin'],
  'prefix-limit': ['vif', 'peer', 'afi', 'direction'],
  'session-down': ['vif', 'router', 'peer'],
  'bmp-session-down': ['router'],
  'rpki-stale': [],
  'aspa-invalid': ['vif', 'router', 'peer', 'rib', 'prefix', 'pathId', 'origin'],
  'store-write-failed': ['journal'],
  'route-divergence': ['vif', 'peer', 'direction', 'prefix', 'divergence'],
  'aws-api-error': ['account', 'region'],
});

/** sha256 over the type and its identity labels (absent labels count as absent), hex. */
export function fingerprintOf(type: AlertType, labels: AlertLabels): string {
  // Name and value are length-prefixed so no two label sets make the same text; one update() call (each costs ~1 µs).
  let text: string = type;
  for (const name of IDENTITY_LABELS[type]) {
    const value = labels[name];
    text += value === undefined ? `\0${name.length}:${name}-` : `\0${name.length}:${name}=${value.length}:${value}`;
  }
  return createHash('sha256').update(text).digest('hex');
}

/** The alert id derived from a fingerprint. */
export function alertIdOf(fingerprint: string): string {
  return fingerprint.slice(0, 16);
}

export function isAlertType(value: unknown): value is AlertType {
  return typeof value === 'string' && (ALERT_TYPES as readonly string[]).includes(value);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/**
 * What detectors write to (the engine implements it). Both calls are
 * idempotent: raising a firing condition again updates it, clearing an
 * unknown fingerprint does nothing. `at` is ms since the epoch (the
 * engine's clock when absent).
 */
export interface ConditionSink {
  raise(condition: Condition, at?: number): void;
  clear(fingerprint: string, at?: number): void;
}
