/**
 * Grouping, Alertmanager's model: alerts with equal values of the groupBy
 * labels share one group, and a group speaks through one notification at a
 * time, paced by three timers:
 * - groupWaitMs after the group's first member fired: the first
 *   notification, so a burst (10,000 invalid prefixes from one origin on
 *   one VIF) arrives as one;
 * - groupIntervalMs after the last notification: the earliest a change
 *   (a new member, a resolution, a severity change) is told;
 * - repeatIntervalMs after the last notification: an unchanged, still
 *   firing group is told again (0 = never; an acknowledgement stops it).
 *
 * What is news is computed from state, not from a "dirty" flag: each member
 * told in a firing notification is remembered with the severity told. A
 * firing member not remembered (new, or hidden by a silence until now), or
 * remembered with another severity, or a remembered member that resolved, is
 * news. So extra evaluations are harmless, and an alert that flaps inside
 * its resolve hold-down, never leaving "firing" to the outside, is not news.
 *
 * Silenced members are left out of notifications. A group whose firing
 * members are all silenced sends nothing. When the last member has
 * resolved, a group that told of firing sends one `resolved` notification
 * (listing the visible resolved members; it is sent even if they were
 * silenced meanwhile, since it closes the incident the receiver opened) and
 * closes; one that never told anything closes silently.
 *
 * `type` is always a grouping label: a notification has one type.
 */
import { createHash } from 'node:crypto';
import { type Alert, type AlertLabels, type AlertType, SEVERITIES, type Severity } from './alert.js';
import type { NotificationStatus } from './notification.js';

export const DEFAULT_GROUP_BY: readonly string[] = Object.freeze(['type', 'vif', 'origin']);

export interface GroupTiming {
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly maxAlertsPerNotification: number;
}

/** The group's identity: its key (16 hex digits, stable, URL- and header-safe) and the labels it stands for. */
export function groupOf(type: AlertType, labels: AlertLabels, groupBy: readonly string[]): { key: string; labels: AlertLabels } {
  const h = createHash('sha256');
  const out: Record<string, string> = { type };
  h.update(`type=${type}`);
  for (const name of groupBy) {
    if (name === 'type') continue;
    const value = labels[name];
    // Length-prefixed like fingerprintOf, so an absent label and any value differ.
    h.update(value === undefined ? `\0${name.length}:${name}-` : `\0${name.length}:${name}=${value.length}:${value}`);
    if (value !== undefined) out[name] = value;
  }
  return { key: h.digest('hex').slice(0, 16), labels: Object.freeze(out) };
}

const byStart = (a: Alert, b: Alert): number => (b.startsAt ?? 0) - (a.startsAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byEnd = (a: Alert, b: Alert): number => (b.endsAt ?? 0) - (a.endsAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The first k of `items` in `order`, sorted. O(n) comparisons when k is
 * small against n (each item is compared with the current k-th first), so
 * listing 20 of 10,000 does not sort 10,000.
 */
export function topK<T>(items: readonly T[], k: number, order: (a: T, b: T) => number): T[] {
  const out: T[] = [];
  if (k <= 0) return out;
  for (const item of items) {
    if (out.length === k && order(item, out[k - 1]) >= 0) continue;
    let i = out.length === k ? k - 1 : out.length;
    while (i > 0 && order(item, out[i - 1]) < 0) {
      out[i] = out[i - 1];
      i--;
    }
    out[i] = item;
  }
  return out;
}

/**
 * groupOf() with a memo: the sha256 is a few µs and a flood asks for the
 * same few groups 10,000 times. The memo is keyed by the label values
 * (a cheap string) and emptied when it reaches `limit`, so it stays bounded.
 */
export class GroupKeys {
  private readonly memo = new Map<string, { key: string; labels: AlertLabels }>();

  constructor(
    readonly groupBy: readonly string[],
    private readonly limit = 4096,
  ) {}

  of(type: AlertType, labels: AlertLabels): { key: string; labels: AlertLabels } {
    let raw: string = type;
    // Length-prefixed, so no two label sets give one string.
    for (const name of this.groupBy) {
      const v = labels[name];
      raw += v === undefined ? '|-' : `|${v.length}:${v}`;
    }
    let g = this.memo.get(raw);
    if (g === undefined) {
      if (this.memo.size >= this.limit) this.memo.clear();
      g = groupOf(type, labels, this.groupBy);
      this.memo.set(raw, g);
    }
    return g;
  }
}

/** -1 when a is more severe than b. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b);
}

/** What the group wants to say; the engine adds id, sinks, text. */
export interface NotificationDraft {
  readonly status: NotificationStatus;
  readonly severity: Severity;
  readonly alerts: readonly Alert[];
  readonly counts: { readonly firing: number; readonly resolved: number };
  readonly truncated: boolean;
  readonly sequence: number;
}

export type Evaluation =
  /** Too early to send anything: evaluate again at `at`. */
  | { readonly kind: 'wait'; readonly at: number }
  /** Send `draft` (if any); then evaluate again at `next` (undefined: only when something changes). */
  | { readonly kind: 'send'; readonly draft: NotificationDraft; readonly next: number | undefined }
  | { readonly kind: 'idle'; readonly next: number | undefined }
  /** The group is over: send `draft` if any and forget the group. */
  | { readonly kind: 'close'; readonly draft: NotificationDraft | undefined };

/** The group as plain data (snapshot). */
export interface GroupData {
  readonly key: string;
  readonly labels: AlertLabels;
  readonly type: AlertType;
  readonly createdAt: number;
  /** Fingerprints: firing and resolving members, and resolved ones not yet told. */
  readonly members: readonly string[];
  readonly sequence: number;
  readonly lastNotifiedAt: number | undefined;
  readonly lastStatus: NotificationStatus | undefined;
  readonly lastSeverity: Severity | undefined;
  /** Members told in a firing notification, with the severity told. */
  readonly notified: readonly (readonly [string, Severity])[];
  readonly acknowledged: boolean;
}

export class AlertGroup {
  readonly members = new Set<string>();
  /** Fingerprint → severity told. */
  readonly notified = new Map<string, Severity>();
  sequence: number;
  lastNotifiedAt: number | undefined;
  lastStatus: NotificationStatus | undefined;
  lastSeverity: Severity | undefined;
  acknowledged = false;
  /** The next evaluation the engine has scheduled (not state: rebuilt on restore). */
  evaluateAt: number | undefined;

  constructor(
    readonly key: string,
    readonly labels: AlertLabels,
    readonly type: AlertType,
    readonly createdAt: number,
    /** The last sequence number a previous group with this key used (ids stay unique). */
    sequenceBase = 0,
  ) {
    this.sequence = sequenceBase;
  }

  static fromData(d: GroupData): AlertGroup {
    const g = new AlertGroup(d.key, d.labels, d.type, d.createdAt, d.sequence);
    for (const fp of d.members) g.members.add(fp);
    for (const [fp, sev] of d.notified) g.notified.set(fp, sev);
    g.lastNotifiedAt = d.lastNotifiedAt;
    g.lastStatus = d.lastStatus;
    g.lastSeverity = d.lastSeverity;
    g.acknowledged = d.acknowledged;
    return g;
  }

  toData(): GroupData {
    return {
      key: this.key,
      labels: this.labels,
      type: this.type,
      createdAt: this.createdAt,
      members: [...this.members],
      sequence: this.sequence,
      lastNotifiedAt: this.lastNotifiedAt,
      lastStatus: this.lastStatus,
      lastSeverity: this.lastSeverity,
      notified: [...this.notified],
      acknowledged: this.acknowledged,
    };
  }

  /** The earliest time a notification may go out. */
  earliestSend(t: GroupTiming): number {
    return this.lastNotifiedAt === undefined ? this.createdAt + t.groupWaitMs : this.lastNotifiedAt + t.groupIntervalMs;
  }

  /**
   * Decides what to tell now and updates the told state as if it was sent.
   * O(m) over the members, plus O(m log m) to order them when it sends.
   */
  evaluate(now: number, t: GroupTiming, lookup: (fp: string) => Alert | undefined, silenced: (a: Alert) => boolean): Evaluation {
    const earliest = this.earliestSend(t);
    if (now < earliest) return { kind: 'wait', at: earliest };

    const firing: Alert[] = [];
    const resolved: Alert[] = [];
    let hiddenFiring = 0;
    for (const fp of this.members) {
      const a = lookup(fp);
      if (a === undefined || a.status === 'pending') {
        // Evicted, or a new episode not firing yet (it rejoins when it fires).
        this.members.delete(fp);
        if (a === undefined) this.notified.delete(fp);
      } else if (a.status === 'resolved') {
        if (this.notified.has(fp) && !silenced(a)) {
          resolved.push(a);
        } else {
          // Never told (or silenced): its end is nobody's news.
          this.members.delete(fp);
          this.notified.delete(fp);
        }
      } else if (silenced(a)) {
        hiddenFiring++;
      } else {
        firing.push(a);
      }
    }

    if (firing.length > 0) {
      let news = resolved.length > 0;
      for (const a of firing) {
        const told = this.notified.get(a.fingerprint);
        if (told === undefined) {
          news = true;
          this.acknowledged = false; // a new problem needs a new acknowledgement
        } else if (told !== a.severity) {
          news = true;
        }
      }
      const repeatDue =
        t.repeatIntervalMs > 0 && !this.acknowledged && this.lastNotifiedAt !== undefined && now >= this.lastNotifiedAt + t.repeatIntervalMs;
      if (!news && !repeatDue) {
        const next = t.repeatIntervalMs > 0 && !this.acknowledged && this.lastNotifiedAt !== undefined ? this.lastNotifiedAt + t.repeatIntervalMs : undefined;
        return { kind: 'idle', next };
      }
      const draft = this.draft('firing', firing, resolved, t);
      for (const a of firing) this.notified.set(a.fingerprint, a.severity);
      for (const a of resolved) {
        this.members.delete(a.fingerprint);
        this.notified.delete(a.fingerprint);
      }
      this.lastNotifiedAt = now;
      this.lastStatus = 'firing';
      this.lastSeverity = draft.severity;
      const next = t.repeatIntervalMs > 0 && !this.acknowledged ? now + t.repeatIntervalMs : undefined;
      return { kind: 'send', draft, next };
    }

    // Nothing visible fires: wait while silenced members still fire.
    if (hiddenFiring > 0) return { kind: 'idle', next: undefined };
    if (this.lastStatus !== 'firing') return { kind: 'close', draft: undefined };
    const draft = this.draft('resolved', [], resolved, t);
    this.members.clear();
    this.notified.clear();
    this.lastNotifiedAt = now;
    this.lastStatus = 'resolved';
    return { kind: 'close', draft };
  }

  private draft(status: NotificationStatus, firing: Alert[], resolved: Alert[], t: GroupTiming): NotificationDraft {
    // Newest first: the most recent firing (startsAt), then the most recently resolved (endsAt).
    const max = t.maxAlertsPerNotification;
    const listed = topK(firing, max, byStart);
    if (listed.length < max) listed.push(...topK(resolved, max - listed.length, byEnd));
    let severity: Severity | undefined;
    for (const a of firing) if (severity === undefined || compareSeverity(a.severity, severity) < 0) severity = a.severity;
    if (severity === undefined) {
      // Resolved: the group's severity as last told, else the highest of what resolved.
      severity = this.lastSeverity;
      for (const a of resolved) if (severity === undefined || compareSeverity(a.severity, severity) < 0) severity = a.severity;
    }
    this.sequence++;
    return {
      status,
      severity: severity ?? 'info',
      alerts: Object.freeze(listed),
      counts: Object.freeze({ firing: firing.length, resolved: resolved.length }),
      truncated: listed.length < firing.length + resolved.length,
      sequence: this.sequence,
    };
  }
}
