/**
 * The alert engine: turns detectors' raise/clear calls into alerts with a
 * lifecycle, groups them, and decides when a notification is due. It sends
 * nothing itself: it calls `notify` and delivery (src/alerts/outbox.ts)
 * takes it from there.
 *
 * Lifecycle of one fingerprint (Alertmanager's `for` and resolve timeout):
 *
 *   raise ──► pending ──fireMs of continuous raise──► firing ──clear──► resolving ──resolveMs──► resolved
 *               │  clear: dropped, never told          ▲   raise: updated │ raise: back to firing,    │ raise: a new episode
 *               ▼                                      └──────────────────┘ nothing told               ▼ (same id, new startsAt)
 *
 * - startsAt is the end of the fire hold-down (raisedAt + fireMs), not the
 *   tick that noticed it.
 * - endsAt is the time of the clear that started the resolve hold-down,
 *   not the end of the hold-down: it is when the problem stopped being
 *   seen, which is what an operator reading "from … to …" wants; the
 *   hold-down only made sure it stayed away.
 * - A raise or clear dated before the alert's latest event is stale and
 *   ignored for the lifecycle (a raise still updates the content).
 * - A new episode's alert group is chosen from its labels when it starts;
 *   labels changed by later raises do not move it.
 *
 * Alerts are immutable: every change replaces the object. Resolved alerts
 * stay queryable for `retention.resolvedMs` after they resolved, at most
 * `retention.maxResolved` of them (oldest evicted first); pending and
 * firing alerts are never evicted.
 *
 * Time: `now()` and one TimerWheel (timer-wheel.ts) driven by an
 * injectable Scheduler; deadlines are kept exact in state and checked when
 * the wheel's tick comes, so cancelling is free. Cost: raise and clear are
 * O(1) amortised (map look-ups, one wheel slot); a group's evaluation is
 * O(members), plus a sort of its members when it sends.
 */
import { randomUUID } from 'node:crypto';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import {
  type Alert,
  type AlertLabels,
  type AlertStatus,
  type AlertType,
  type Condition,
  type ConditionSink,
  type Severity,
  alertIdOf,
  isAlertType,
  isSeverity,
} from './alert.js';
import { buildAlert, withContent, withState } from './alert-build.js';
import { groupSummary } from './alert-text.js';
import { AlertGroup, DEFAULT_GROUP_BY, type GroupData, GroupKeys, type GroupTiming, type NotificationDraft } from './grouping.js';
import type { Notification, NotificationStatus } from './notification.js';
import { Router, type RouteRuleInput } from './routing.js';
import { type Silence, type SilenceInput, SilenceSet, silenceState } from './silences.js';
import { NODE_SCHEDULER, type Scheduler, TimerWheel } from './timer-wheel.js';

export interface HoldDown {
  /** Continuous raise before an alert fires; 0 = at once. */
  readonly fireMs?: number;
  /** Time without a raise after a clear before an alert resolves; 0 = at once. */
  readonly resolveMs?: number;
}

export interface AlertEngineOptions {
  /** Called synchronously when a notification is due. Must not throw (a throw is logged). */
  readonly notify: (notification: Notification) => void;
  /** ms since the epoch. Default Date.now. */
  readonly now?: () => number;
  /** Default: Node's timers, unref'd. */
  readonly scheduler?: Scheduler;
  readonly log?: Logger;
  /** Timer resolution: deadlines are served within one tick after they pass. */
  readonly tickMs?: number;
  readonly holdDown?: HoldDown & { readonly byType?: Partial<Record<AlertType, HoldDown>> };
  readonly grouping?: {
    /** Labels that make a group; `type` is always one of them. */
    readonly groupBy?: readonly string[];
    readonly groupWaitMs?: number;
    readonly groupIntervalMs?: number;
    /** 0 = never repeat. */
    readonly repeatIntervalMs?: number;
    readonly maxAlertsPerNotification?: number;
  };
  readonly routing?: { readonly routes?: readonly RouteRuleInput[]; readonly defaultSinks?: readonly string[] };
  readonly retention?: {
    /** How long a resolved alert, a closed group's sequence and an expired silence are kept. */
    readonly resolvedMs?: number;
    readonly maxResolved?: number;
  };
  /** Silence ids. Default randomUUID. */
  readonly newId?: () => string;
}

/** Defaults, one place, units in the names (Alertmanager's timers where it has them). */
export const ENGINE_DEFAULTS = Object.freeze({
  tickMs: 1000,
  fireMs: 30_000,
  resolveMs: 300_000,
  groupBy: DEFAULT_GROUP_BY,
  groupWaitMs: 30_000,
  groupIntervalMs: 300_000,
  repeatIntervalMs: 4 * 3_600_000,
  maxAlertsPerNotification: 20,
  resolvedRetentionMs: 24 * 3_600_000,
  maxResolved: 50_000,
});

export type AlertEvent =
  /** A lifecycle step; `from` is undefined for a new episode's pending. */
  | { readonly kind: 'transition'; readonly at: number; readonly alert: Alert; readonly from: AlertStatus | undefined; readonly to: AlertStatus }
  /** Cleared while pending: a flap, never told. */
  | { readonly kind: 'dropped'; readonly at: number; readonly alert: Alert }
  /** A resolved alert forgotten by the retention limits. */
  | { readonly kind: 'evicted'; readonly at: number; readonly alert: Alert }
  | { readonly kind: 'notified'; readonly at: number; readonly notification: Notification }
  /** An acknowledgement (the alert carries it; its group stops repeating). */
  | { readonly kind: 'acknowledged'; readonly at: number; readonly alert: Alert }
  /** A silence added or expired (the silence as it is now). */
  | { readonly kind: 'silence'; readonly at: number; readonly silence: Silence };

export type AlertListener = (event: AlertEvent) => void;

export interface AlertFilter {
  readonly status?: AlertStatus | readonly AlertStatus[];
  readonly type?: AlertType;
  readonly vif?: string;
  readonly severity?: Severity;
  readonly groupKey?: string;
  /** Only silenced (true) or only not silenced (false) alerts. */
  readonly silenced?: boolean;
}

export interface GroupView {
  readonly key: string;
  readonly labels: AlertLabels;
  readonly type: AlertType;
  readonly createdAt: number;
  readonly sequence: number;
  readonly lastNotifiedAt: number | undefined;
  readonly lastStatus: NotificationStatus | undefined;
  readonly acknowledged: boolean;
  /** Members by status (resolved: not yet told). */
  readonly members: Readonly<Record<'firing' | 'resolving' | 'resolved', number>>;
  /** The next time the group is looked at (undefined: only on a change). */
  readonly nextEvaluationAt: number | undefined;
}

export interface FiringCount {
  readonly type: AlertType;
  readonly severity: Severity;
  /** '' when the alert has no VIF. */
  readonly vif: string;
  readonly count: number;
}

export interface EngineCounts {
  readonly byStatus: Readonly<Record<AlertStatus, number>>;
  /** Firing and resolving alerts by type, severity and VIF (a gauge's label sets). */
  readonly firing: readonly FiringCount[];
  readonly groups: number;
  readonly silences: number;
}

/** One fingerprint's state as plain data. */
export interface AlertRecord {
  readonly alert: Alert;
  /** The clear that started the resolve hold-down (resolving only). */
  readonly clearedAt?: number;
  /** When it resolved (resolved only): the retention clock. */
  readonly resolvedAt?: number;
  /** The last resolved episode, kept while a new one is pending (a flap brings it back). */
  readonly previous?: Alert;
  readonly previousResolvedAt?: number;
}

/** Everything needed to continue after a restart without paging twice. Plain data (JSON-safe). */
export interface EngineSnapshot {
  readonly version: 1;
  readonly takenAt: number;
  readonly alerts: readonly AlertRecord[];
  /** Open groups, with sequence numbers and what was told (acknowledgements are in `acknowledged` here and on the alerts). */
  readonly groups: readonly GroupData[];
  /** Closed groups' last sequence numbers, so a reopened group's ids stay unique. */
  readonly closedGroups: readonly { readonly key: string; readonly sequence: number; readonly closedAt: number }[];
  readonly silences: readonly Silence[];
}

export class AlertEngineError extends Error {
  override readonly name = 'AlertEngineError';
}

/** What the wheel holds: an alert's deadline, a group's evaluation, a silence's end, the retention sweep. */
type WheelKey = Entry | AlertGroup | Silence | typeof SWEEP;
const SWEEP = Symbol('sweep');

interface Entry {
  alert: Alert;
  groupLabels: AlertLabels;
  /** The pending or resolving deadline; undefined otherwise. */
  due: number | undefined;
  clearedAt: number | undefined;
  resolvedAt: number | undefined;
  previous: Alert | undefined;
  previousResolvedAt: number | undefined;
}

export class AlertEngine implements ConditionSink {
  private readonly notifyFn: (n: Notification) => void;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly newId: () => string;
  private readonly fireMs: number;
  private readonly resolveMs: number;
  private readonly byType: Partial<Record<AlertType, { fireMs: number; resolveMs: number }>> = {};
  private readonly groupKeys: GroupKeys;
  private readonly timing: GroupTiming;
  private readonly retentionMs: number;
  private readonly maxResolved: number;
  private router: Router;
  private readonly wheel: TimerWheel<WheelKey>;

  private readonly entries = new Map<string, Entry>();
  private readonly byId = new Map<string, string>();
  /** Resolved fingerprints in the order they resolved → resolvedAt (oldest first: eviction order). */
  private readonly resolvedOrder = new Map<string, number>();
  private readonly openGroups = new Map<string, AlertGroup>();
  private readonly closedGroups = new Map<string, { sequence: number; closedAt: number }>();
  private readonly silenceSet = new SilenceSet();
  private readonly listeners: AlertListener[] = [];
  private sweepAt: number | undefined;
  private closed = false;

  constructor(options: AlertEngineOptions) {
    if (typeof options?.notify !== 'function') throw new AlertEngineError('alert engine: notify must be a function');
    this.notifyFn = options.notify;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? NOOP_LOGGER;
    this.newId = options.newId ?? randomUUID;
    const hd = options.holdDown ?? {};
    this.fireMs = duration('holdDown.fireMs', hd.fireMs ?? ENGINE_DEFAULTS.fireMs);
    this.resolveMs = duration('holdDown.resolveMs', hd.resolveMs ?? ENGINE_DEFAULTS.resolveMs);
    for (const [type, h] of Object.entries(hd.byType ?? {})) {
      if (!isAlertType(type)) throw new AlertEngineError(`alert engine: holdDown.byType: unknown alert type ${JSON.stringify(type)}`);
      this.byType[type] = {
        fireMs: duration(`holdDown.byType.${type}.fireMs`, h?.fireMs ?? this.fireMs),
        resolveMs: duration(`holdDown.byType.${type}.resolveMs`, h?.resolveMs ?? this.resolveMs),
      };
    }
    const g = options.grouping ?? {};
    const groupBy = g.groupBy ?? ENGINE_DEFAULTS.groupBy;
    if (!Array.isArray(groupBy) || groupBy.some((n) => typeof n !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n))) {
      throw new AlertEngineError('alert engine: grouping.groupBy must be a list of label names');
    }
    this.groupKeys = new GroupKeys(Object.freeze([...new Set(groupBy)]));
    const max = g.maxAlertsPerNotification ?? ENGINE_DEFAULTS.maxAlertsPerNotification;
    if (!Number.isInteger(max) || max < 1) throw new AlertEngineError('alert engine: grouping.maxAlertsPerNotification must be an integer >= 1');
    this.timing = Object.freeze({
      groupWaitMs: duration('grouping.groupWaitMs', g.groupWaitMs ?? ENGINE_DEFAULTS.groupWaitMs),
      groupIntervalMs: duration('grouping.groupIntervalMs', g.groupIntervalMs ?? ENGINE_DEFAULTS.groupIntervalMs),
      repeatIntervalMs: duration('grouping.repeatIntervalMs', g.repeatIntervalMs ?? ENGINE_DEFAULTS.repeatIntervalMs),
      maxAlertsPerNotification: max,
    });
    const r = options.retention ?? {};
    this.retentionMs = duration('retention.resolvedMs', r.resolvedMs ?? ENGINE_DEFAULTS.resolvedRetentionMs);
    this.maxResolved = r.maxResolved ?? ENGINE_DEFAULTS.maxResolved;
    if (!Number.isInteger(this.maxResolved) || this.maxResolved < 0) {
      throw new AlertEngineError('alert engine: retention.maxResolved must be an integer >= 0');
    }
    const tickMs = options.tickMs ?? ENGINE_DEFAULTS.tickMs;
    if (!Number.isFinite(tickMs) || tickMs <= 0) throw new AlertEngineError('alert engine: tickMs must be a number > 0');
    // RoutingError names the route; it is thrown as is.
    this.router = new Router(options.routing);
    this.wheel = new TimerWheel(tickMs, this.now, options.scheduler ?? NODE_SCHEDULER, (key) => this.due(key), this.log);
  }

  // --- ConditionSink -------------------------------------------------------------

  /**
   * A config reload: routing rules and default sinks from now on. Groups
   * keep their state; their next notification is routed by the new rules.
   * A bad rule throws RoutingError and the old rules stay.
   */
  setRouting(routing: NonNullable<AlertEngineOptions['routing']>): void {
    this.router = new Router(routing);
  }

  raise(condition: Condition, at?: number): void {
    if (this.closed) return;
    const t = this.time(at);
    checkCondition(condition);
    const fp = condition.fingerprint;
    const e = this.entries.get(fp);
    if (e === undefined || e.alert.status === 'resolved') {
      this.startEpisode(condition, t, e);
      return;
    }
    const old = e.alert;
    const back = old.status === 'resolving' && t >= (e.clearedAt as number);
    e.alert = withContent(old, condition, {
      lastRaisedAt: Math.max(old.lastRaisedAt, t),
      raises: old.raises + 1,
      status: back ? 'firing' : old.status,
    });
    if (back) {
      // Back inside the resolve hold-down: the outside never saw it go; nothing to tell.
      e.due = undefined;
      e.clearedAt = undefined;
      this.transition(e.alert, 'resolving', t);
    }
    if (old.severity !== e.alert.severity && e.alert.status !== 'pending') this.changed(e.alert);
  }

  clear(fingerprint: string, at?: number): void {
    if (this.closed) return;
    const t = this.time(at);
    const e = this.entries.get(fingerprint);
    if (e === undefined || t < e.alert.lastRaisedAt) return;
    const a = e.alert;
    if (a.status === 'pending') {
      this.emit({ kind: 'dropped', at: t, alert: a });
      if (e.previous === undefined) {
        this.entries.delete(fingerprint);
        this.byId.delete(a.id);
      } else {
        e.alert = e.previous;
        e.due = undefined;
        e.resolvedAt = e.previousResolvedAt ?? t;
        e.previous = e.previousResolvedAt = undefined;
        this.resolvedOrder.set(fingerprint, e.resolvedAt);
      }
    } else if (a.status === 'firing') {
      e.alert = withState(a, { status: 'resolving' });
      e.clearedAt = t;
      this.transition(e.alert, 'firing', t);
      this.setDue(e, t + this.holdDown(a.type).resolveMs);
    }
    // resolving: the first clear stands; resolved: nothing to do.
  }

  // --- queries -------------------------------------------------------------------

  /** By id or fingerprint. */
  get(idOrFingerprint: string): Alert | undefined {
    return this.entry(idOrFingerprint)?.alert;
  }

  /** Matching alerts, newest first (raisedAt, then id). */
  alerts(filter: AlertFilter = {}): Alert[] {
    const statuses = filter.status === undefined ? undefined : typeof filter.status === 'string' ? [filter.status] : filter.status;
    const now = this.now();
    const out: Alert[] = [];
    for (const { alert: a } of this.entries.values()) {
      if (statuses !== undefined && !statuses.includes(a.status)) continue;
      if (filter.type !== undefined && a.type !== filter.type) continue;
      if (filter.vif !== undefined && vifOf(a) !== filter.vif) continue;
      if (filter.severity !== undefined && a.severity !== filter.severity) continue;
      if (filter.groupKey !== undefined && a.groupKey !== filter.groupKey) continue;
      if (filter.silenced !== undefined && this.silenceSet.silences(matchLabels(a), now) !== filter.silenced) continue;
      out.push(a);
    }
    return out.sort((a, b) => b.raisedAt - a.raisedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Ids of the active silences that hide this alert (empty: not silenced, or unknown). */
  silencedBy(idOrFingerprint: string): string[] {
    const a = this.get(idOrFingerprint);
    return a === undefined ? [] : this.silenceSet.matching(matchLabels(a), this.now());
  }

  groups(): GroupView[] {
    const out: GroupView[] = [];
    for (const g of this.openGroups.values()) {
      const members = { firing: 0, resolving: 0, resolved: 0 };
      for (const fp of g.members) {
        const s = this.entries.get(fp)?.alert.status;
        if (s === 'firing' || s === 'resolving' || s === 'resolved') members[s]++;
      }
      out.push({
        key: g.key,
        labels: g.labels,
        type: g.type,
        createdAt: g.createdAt,
        sequence: g.sequence,
        lastNotifiedAt: g.lastNotifiedAt,
        lastStatus: g.lastStatus,
        acknowledged: g.acknowledged,
        members,
        nextEvaluationAt: g.evaluateAt,
      });
    }
    return out;
  }

  /** For metrics: O(alerts). */
  counts(): EngineCounts {
    const byStatus: Record<AlertStatus, number> = { pending: 0, firing: 0, resolving: 0, resolved: 0 };
    const firing = new Map<string, { type: AlertType; severity: Severity; vif: string; count: number }>();
    for (const { alert: a } of this.entries.values()) {
      byStatus[a.status]++;
      if (a.status !== 'firing' && a.status !== 'resolving') continue;
      const vif = vifOf(a) ?? '';
      const key = `${a.type}\0${a.severity}\0${vif}`;
      const c = firing.get(key);
      if (c === undefined) firing.set(key, { type: a.type, severity: a.severity, vif, count: 1 });
      else c.count++;
    }
    return { byStatus, firing: [...firing.values()], groups: this.openGroups.size, silences: this.silenceSet.size };
  }

  on(listener: AlertListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  // --- silences and acknowledgements ------------------------------------------------

  /** Adds a silence (SilenceError or MatcherError on bad input). */
  addSilence(input: SilenceInput): Silence {
    const now = this.now();
    const s = this.silenceSet.add(input, this.newId(), now);
    // Its end may reveal alerts: look at the groups then.
    this.wheel.schedule(s, s.endsAt);
    this.scheduleSweep(s.endsAt + this.retentionMs);
    this.emit({ kind: 'silence', at: now, silence: s });
    return s;
  }

  /** Ends a silence now; undefined when unknown or already over. */
  expireSilence(id: string): Silence | undefined {
    const now = this.now();
    const s = this.silenceSet.expire(id, now);
    if (s !== undefined) {
      this.touchGroups();
      this.scheduleSweep(now + this.retentionMs);
      this.emit({ kind: 'silence', at: now, silence: s });
    }
    return s;
  }

  getSilence(id: string): Silence | undefined {
    return this.silenceSet.get(id);
  }

  /** All kept silences (active, pending, and expired within retention). */
  silences(): Silence[] {
    return this.silenceSet.list();
  }

  /**
   * Stops repeat notifications of the alert's group while it fires (a new
   * member, a resolution or a severity change is still told; a new member
   * also ends the acknowledgement). Firing or resolving alerts only.
   */
  acknowledge(idOrFingerprint: string, by: string, comment?: string): Alert | undefined {
    const e = this.entry(idOrFingerprint);
    if (e === undefined || (e.alert.status !== 'firing' && e.alert.status !== 'resolving')) return undefined;
    const acknowledged = comment === undefined ? { at: this.now(), by } : { at: this.now(), by, comment };
    e.alert = withState(e.alert, { acknowledged: Object.freeze(acknowledged) });
    const g = this.openGroups.get(e.alert.groupKey);
    if (g !== undefined) g.acknowledged = true;
    this.emit({ kind: 'acknowledged', at: acknowledged.at, alert: e.alert });
    return e.alert;
  }

  // --- persistence ------------------------------------------------------------------

  /** One open group as snapshot data (what it told, its sequence); O(members). For journaling a notification's group. */
  groupData(key: string): GroupData | undefined {
    return this.openGroups.get(key)?.toData();
  }

  snapshot(): EngineSnapshot {
    const alerts: AlertRecord[] = [];
    for (const e of this.entries.values()) {
      const r: { -readonly [K in keyof AlertRecord]: AlertRecord[K] } = { alert: e.alert };
      if (e.clearedAt !== undefined) r.clearedAt = e.clearedAt;
      if (e.resolvedAt !== undefined) r.resolvedAt = e.resolvedAt;
      if (e.previous !== undefined) {
        r.previous = e.previous;
        r.previousResolvedAt = e.previousResolvedAt;
      }
      alerts.push(r);
    }
    return {
      version: 1,
      takenAt: this.now(),
      alerts,
      groups: [...this.openGroups.values()].map((g) => g.toData()),
      closedGroups: [...this.closedGroups].map(([key, c]) => ({ key, sequence: c.sequence, closedAt: c.closedAt })),
      silences: this.silenceSet.list(),
    };
  }

  /**
   * Rebuilds the state of a snapshot into this engine, which must be empty
   * (restore is for start-up). Deadlines are recomputed from the current
   * hold-downs; groups continue from what they told, so nothing told
   * before the restart is told again.
   */
  restore(snapshot: EngineSnapshot): void {
    if (snapshot?.version !== 1) throw new AlertEngineError(`alert engine: unsupported snapshot version ${String(snapshot?.version)}`);
    if (this.entries.size > 0 || this.openGroups.size > 0 || this.silenceSet.size > 0) {
      throw new AlertEngineError('alert engine: restore needs an empty engine');
    }
    const now = this.now();
    for (const s of snapshot.silences) {
      this.silenceSet.put(Object.freeze({ ...s, matchers: Object.freeze([...s.matchers]) }));
      if (silenceState(s, now) !== 'expired') this.wheel.schedule(s, s.endsAt);
    }
    for (const c of [...snapshot.closedGroups].sort((a, b) => a.closedAt - b.closedAt)) {
      this.closedGroups.set(c.key, { sequence: c.sequence, closedAt: c.closedAt });
    }
    for (const d of snapshot.groups) this.openGroups.set(d.key, AlertGroup.fromData(d));
    const resolved: [string, number][] = [];
    for (const r of snapshot.alerts) {
      const a = r.alert;
      checkCondition(a);
      const e: Entry = {
        alert: withState(a, {}),
        groupLabels: this.groupKeys.of(a.type, a.labels).labels,
        due: undefined,
        clearedAt: r.clearedAt,
        resolvedAt: r.resolvedAt,
        previous: r.previous,
        previousResolvedAt: r.previousResolvedAt,
      };
      this.entries.set(a.fingerprint, e);
      this.byId.set(a.id, a.fingerprint);
      if (a.status === 'resolved') resolved.push([a.fingerprint, r.resolvedAt ?? a.endsAt ?? now]);
    }
    for (const [fp, at] of resolved.sort((x, y) => x[1] - y[1])) this.resolvedOrder.set(fp, at);
    // Deadlines after everything exists: a hold-down that ended while down fires on the first tick.
    for (const e of this.entries.values()) {
      const a = e.alert;
      if (a.status === 'pending') this.setDueLater(e, a.raisedAt + this.holdDown(a.type).fireMs);
      else if (a.status === 'resolving') this.setDueLater(e, (e.clearedAt ?? now) + this.holdDown(a.type).resolveMs);
    }
    for (const g of this.openGroups.values()) this.requestEvaluation(g, g.earliestSend(this.timing));
    // A firing alert outside every group (a snapshot cut between the two) joins its group as new: told, not lost.
    for (const e of this.entries.values()) {
      const a = e.alert;
      if ((a.status === 'firing' || a.status === 'resolving') && this.openGroups.get(a.groupKey)?.members.has(a.fingerprint) !== true) {
        this.joinGroup(e);
      }
    }
    this.scheduleSweep(now);
    this.log.info(
      { alerts: this.entries.size, groups: this.openGroups.size, silences: this.silenceSet.size },
      'alert engine: state restored',
    );
  }

  /** Stops the timer; later raises and clears are ignored. */
  close(): void {
    this.closed = true;
    this.wheel.close();
  }

  // --- lifecycle ---------------------------------------------------------------------

  private startEpisode(c: Condition, t: number, old: Entry | undefined): void {
    const group = this.groupKeys.of(c.type, c.labels);
    const alert = buildAlert(c, {
      id: alertIdOf(c.fingerprint),
      status: 'pending',
      raisedAt: t,
      startsAt: undefined,
      endsAt: undefined,
      lastRaisedAt: t,
      raises: 1,
      groupKey: group.key,
      acknowledged: undefined,
    });
    const e: Entry = {
      alert,
      groupLabels: group.labels,
      due: undefined,
      clearedAt: undefined,
      resolvedAt: undefined,
      previous: old?.alert,
      previousResolvedAt: old?.resolvedAt,
    };
    if (old !== undefined) this.resolvedOrder.delete(c.fingerprint);
    this.entries.set(c.fingerprint, e);
    this.byId.set(alert.id, c.fingerprint);
    this.transition(alert, undefined, t);
    this.setDue(e, t + this.holdDown(c.type).fireMs);
  }

  /** A deadline: served now when it has passed, else by the wheel. */
  private setDue(e: Entry, at: number): void {
    e.due = at;
    if (at <= this.now()) this.advance(e);
    else this.wheel.schedule(e, at);
  }

  /** A deadline always served by the wheel (restore: nothing happens inside restore()). */
  private setDueLater(e: Entry, at: number): void {
    e.due = at;
    this.wheel.schedule(e, at);
  }

  private due(key: WheelKey): void {
    if (key === SWEEP) {
      this.sweep();
    } else if (key instanceof AlertGroup) {
      // A closed group's stale key finds the group gone (or replaced by a new one).
      if (this.openGroups.get(key.key) === key && key.evaluateAt !== undefined && key.evaluateAt <= this.now()) {
        key.evaluateAt = undefined;
        this.evaluate(key);
      }
    } else if ('matchers' in key) {
      this.touchGroups();
    } else if (this.entries.get(key.alert.fingerprint) === key && key.due !== undefined && key.due <= this.now()) {
      this.advance(key);
    }
  }

  /** The hold-down of a pending or resolving alert ended. */
  private advance(e: Entry): void {
    const a = e.alert;
    const at = e.due as number;
    e.due = undefined;
    if (a.status === 'pending') {
      // A new episode: an acknowledgement of the last one does not carry over.
      e.alert = withState(a, { status: 'firing', startsAt: at, endsAt: undefined, acknowledged: undefined });
      e.previous = e.previousResolvedAt = undefined;
      this.transition(e.alert, 'pending', at);
      this.joinGroup(e);
    } else if (a.status === 'resolving') {
      e.alert = withState(a, { status: 'resolved', endsAt: e.clearedAt });
      e.clearedAt = undefined;
      const now = this.now();
      e.resolvedAt = now;
      this.resolvedOrder.set(a.fingerprint, now);
      this.transition(e.alert, 'resolving', at);
      this.changed(e.alert);
      while (this.resolvedOrder.size > this.maxResolved) this.evict(this.resolvedOrder.keys().next().value as string);
      this.scheduleSweep(now + this.retentionMs);
    }
  }

  private joinGroup(e: Entry): void {
    const a = e.alert;
    let g = this.openGroups.get(a.groupKey);
    if (g === undefined) {
      const closed = this.closedGroups.get(a.groupKey);
      this.closedGroups.delete(a.groupKey);
      g = new AlertGroup(a.groupKey, e.groupLabels, a.type, this.now(), closed?.sequence ?? 0);
      this.openGroups.set(g.key, g);
    }
    g.members.add(a.fingerprint);
    this.requestEvaluation(g, g.earliestSend(this.timing));
  }

  /** Something the group may need to tell (a resolution, a severity change). */
  private changed(a: Alert): void {
    const g = this.openGroups.get(a.groupKey);
    if (g !== undefined && g.members.has(a.fingerprint)) this.requestEvaluation(g, g.earliestSend(this.timing));
  }

  /** After a silence ended: hidden alerts may now be news. */
  private touchGroups(): void {
    for (const g of this.openGroups.values()) this.requestEvaluation(g, g.earliestSend(this.timing));
  }

  private requestEvaluation(g: AlertGroup, at: number): void {
    if (g.evaluateAt !== undefined && g.evaluateAt <= at) return;
    g.evaluateAt = at;
    this.wheel.schedule(g, at);
  }

  private evaluate(g: AlertGroup): void {
    const now = this.now();
    const silenced =
      this.silenceSet.size === 0 ? () => false : (a: Alert) => this.silenceSet.silences(matchLabels(a), now);
    const ev = g.evaluate(now, this.timing, (fp) => this.entries.get(fp)?.alert, silenced);
    switch (ev.kind) {
      case 'wait':
        this.requestEvaluation(g, ev.at);
        return;
      case 'send':
        this.send(g, ev.draft, now);
        if (ev.next !== undefined) this.requestEvaluation(g, ev.next);
        return;
      case 'idle':
        if (ev.next !== undefined) this.requestEvaluation(g, ev.next);
        return;
      case 'close':
        if (ev.draft !== undefined) this.send(g, ev.draft, now);
        this.openGroups.delete(g.key);
        this.closedGroups.set(g.key, { sequence: g.sequence, closedAt: now });
        while (this.closedGroups.size > Math.max(this.maxResolved, 1)) this.closedGroups.delete(this.closedGroups.keys().next().value as string);
        this.scheduleSweep(now + this.retentionMs);
    }
  }

  private send(g: AlertGroup, d: NotificationDraft, now: number): void {
    const notification: Notification = Object.freeze({
      id: `${g.key}:${d.sequence}`,
      groupKey: g.key,
      groupLabels: g.labels,
      sequence: d.sequence,
      status: d.status,
      type: g.type,
      severity: d.severity,
      alerts: d.alerts,
      counts: d.counts,
      truncated: d.truncated,
      summary: groupSummary(d.status, g.type, g.labels, d.counts, d.alerts[0]),
      createdAt: now,
      sinks: Object.freeze(this.router.sinksFor({ ...g.labels, type: g.type, severity: d.severity })),
    });
    this.log.info(
      { notification: notification.id, status: d.status, firing: d.counts.firing, resolved: d.counts.resolved, sinks: notification.sinks },
      'alert notification',
    );
    try {
      this.notifyFn(notification);
    } catch (err) {
      this.log.error({ err, notification: notification.id }, 'alert engine: notify callback failed');
    }
    this.emit({ kind: 'notified', at: now, notification });
  }

  // --- retention -----------------------------------------------------------------------

  private scheduleSweep(at: number): void {
    if (this.sweepAt !== undefined && this.sweepAt <= at) return;
    this.sweepAt = at;
    this.wheel.schedule(SWEEP, at);
  }

  private sweep(): void {
    const now = this.now();
    if (this.sweepAt === undefined || this.sweepAt > now) return;
    this.sweepAt = undefined;
    const cutoff = now - this.retentionMs;
    for (const [fp, at] of this.resolvedOrder) {
      if (at > cutoff) {
        this.scheduleSweep(at + this.retentionMs);
        break;
      }
      this.evict(fp);
    }
    for (const [key, c] of this.closedGroups) {
      if (c.closedAt > cutoff) {
        this.scheduleSweep(c.closedAt + this.retentionMs);
        break;
      }
      this.closedGroups.delete(key);
    }
    this.silenceSet.purge(cutoff);
    for (const s of this.silenceSet.list()) this.scheduleSweep(s.endsAt + this.retentionMs);
  }

  private evict(fp: string): void {
    const e = this.entries.get(fp);
    this.resolvedOrder.delete(fp);
    if (e === undefined) return;
    this.entries.delete(fp);
    this.byId.delete(e.alert.id);
    this.emit({ kind: 'evicted', at: this.now(), alert: e.alert });
  }

  // --- helpers -------------------------------------------------------------------------

  private holdDown(type: AlertType): { fireMs: number; resolveMs: number } {
    return this.byType[type] ?? { fireMs: this.fireMs, resolveMs: this.resolveMs };
  }

  private entry(idOrFingerprint: string): Entry | undefined {
    return this.entries.get(idOrFingerprint) ?? this.entries.get(this.byId.get(idOrFingerprint) ?? '');
  }

  private time(at: number | undefined): number {
    if (at === undefined) return this.now();
    if (!Number.isFinite(at)) throw new AlertEngineError(`alert engine: time ${String(at)} is not ms since the epoch`);
    return at;
  }

  private transition(alert: Alert, from: AlertStatus | undefined, at: number): void {
    if (this.listeners.length > 0) this.emit({ kind: 'transition', at, alert, from, to: alert.status });
  }

  private emit(event: AlertEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err, kind: event.kind }, 'alert listener failed');
      }
    }
  }
}

function duration(key: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new AlertEngineError(`alert engine: ${key} must be a number of ms >= 0, got ${String(value)}`);
  }
  return value;
}

function checkCondition(c: Condition): void {
  if (typeof c?.fingerprint !== 'string' || c.fingerprint.length < 16) {
    throw new AlertEngineError('alert engine: a condition needs a fingerprint (fingerprintOf)');
  }
  if (!isAlertType(c.type)) throw new AlertEngineError(`alert engine: unknown alert type ${JSON.stringify(c.type)}`);
  if (!isSeverity(c.severity)) throw new AlertEngineError(`alert engine: unknown severity ${JSON.stringify(c.severity)}`);
}

function vifOf(a: Alert): string | undefined {
  return a.labels.vif ?? a.context.vif;
}

/** What matchers see: the labels, with type and severity as the alert has them now. */
function matchLabels(a: Alert): AlertLabels {
  return { ...a.labels, type: a.type, severity: a.severity };
}
