/**
 * The alert engine's state across restarts: a journal (src/store) of a
 * snapshot (AlertEngine.snapshot()) followed by the events since it, read
 * back at start as the snapshot with the events folded in, and handed to
 * AlertEngine.restore().
 *
 * ```
 * {k: 'snapshot',   at, state: EngineSnapshot}            first record after a compaction
 * {k: 'transition', at, w, alert, from?, to}               every lifecycle step (w: when written, the resolved retention clock)
 * {k: 'dropped',    at, fp}                                a pending alert cleared (a flap)
 * {k: 'evicted',    at, fp}                                a resolved alert forgotten by retention
 * {k: 'ack',        at, alert}                             an acknowledgement
 * {k: 'silence',    at, silence}                           a silence added or expired (as it is now)
 * {k: 'group',      at, group: GroupData}                  a group as it stands after a notification: its sequence and what it told
 * ```
 *
 * Order with delivery: the engine hands a notification to the daemon
 * synchronously, after every transition that led to it was appended here;
 * beforeNotification() appends the group record and resolves once it is
 * durable, and only then does the daemon enqueue the notification in the
 * outbox. The journal writes in call order, so the alert state that
 * produced a notification is recorded no later than the notification, and
 * after a crash the group continues from the sequence it told: the next
 * notification gets a new id, and a notification already in the outbox is
 * resumed there with its own id (no second page).
 *
 * Snapshots instead of snapshot-per-change: a snapshot is O(alerts)
 * (a 10,000-prefix leak is 10,000 alert records, a few MB), an event is
 * one alert. A compaction (Journal.rewrite: one snapshot record) runs
 * when the events since the last snapshot outnumber the alerts it held
 * (at least `minEventsPerSnapshot`), or the file passes `maxJournalBytes`
 * (or twice its size after the last compaction, if that is more), so
 * snapshot cost is amortised O(1) per event and a start reads at most
 * about two snapshots' worth. Also at every start, after restoring.
 *
 * Not journaled: raises that change no status (an alert's latest
 * evidence, raise count, lastRaisedAt); after a restart an alert shows its
 * content as of its last transition until the next raise. Severity told
 * is in the group record, so a severity change is not told twice.
 *
 * Disk full: a failed append is logged and counted (stats().journalErrors,
 * onJournalError), the engine runs on from memory, and the state is marked
 * dirty: the next event, or a retry every `retryMs`, writes a fresh
 * snapshot (a compaction), after which the journal is whole again and
 * onJournalRecovered is called.
 */
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import type { Journal, JournalValue } from '../store/journal.js';
import type { Alert, AlertStatus } from './alert.js';
import { toJournalValue } from './delivery/outbox-records.js';
import type { AlertEngine, AlertEvent, AlertRecord, EngineSnapshot } from './engine.js';
import type { GroupData } from './grouping.js';
import type { Notification } from './notification.js';
import type { Silence } from './silences.js';

export interface AlertStateOptions {
  readonly engine: AlertEngine;
  readonly journal: Journal;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Compact when the journal passes this size. Default 64 MiB. */
  readonly maxJournalBytes?: number;
  /** Events between snapshots at the least. Default 1000. */
  readonly minEventsPerSnapshot?: number;
  /** While dirty (an append failed), retry a snapshot this often. Default 10 s. */
  readonly retryMs?: number;
  readonly onJournalError?: (error: Error) => void;
  readonly onJournalRecovered?: () => void;
}

export const ALERT_STATE_DEFAULTS = Object.freeze({
  maxJournalBytes: 64 * 1024 * 1024,
  minEventsPerSnapshot: 1000,
  retryMs: 10_000,
});

export interface AlertStateStats {
  readonly journalErrors: number;
  readonly compactions: number;
  readonly eventsSinceSnapshot: number;
  readonly bytes: number;
  readonly records: number;
  /** An append failed and no snapshot has been written since. */
  readonly dirty: boolean;
}

export interface RestoreSummary {
  /** When the snapshot the state started from was taken (undefined: no snapshot, events only, or an empty journal). */
  readonly snapshotAt: number | undefined;
  readonly events: number;
  readonly alerts: number;
  readonly groups: number;
  readonly silences: number;
  readonly ms: number;
}

/** A record of the alert journal that cannot be used. */
export class AlertStateJournalError extends Error {
  constructor(
    readonly journal: string,
    readonly index: number,
    readonly reason: string,
  ) {
    super(`alert state journal ${journal}: record ${index}: ${reason}`);
    this.name = 'AlertStateJournalError';
  }
}

type Rec = { -readonly [K in keyof AlertRecord]: AlertRecord[K] };

/** The state being rebuilt: a snapshot's content, keyed for folding events in. */
interface Fold {
  takenAt: number;
  alerts: Map<string, Rec>;
  groups: Map<string, GroupData>;
  closedGroups: Map<string, { key: string; sequence: number; closedAt: number }>;
  silences: Map<string, Silence>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isAlert = (v: unknown): v is Alert => isObject(v) && typeof v.fingerprint === 'string' && typeof v.status === 'string' && typeof v.type === 'string';

/**
 * Folds the journal's records into one snapshot (pure). Records before the
 * last snapshot are superseded by it. Throws AlertStateJournalError.
 */
export function foldAlertJournal(records: readonly unknown[], journal = 'alerts'): { snapshot: EngineSnapshot; snapshotAt: number | undefined; events: number } {
  let start = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (isObject(r) && r.k === 'snapshot') {
      start = i;
      break;
    }
  }
  const fold: Fold = { takenAt: 0, alerts: new Map(), groups: new Map(), closedGroups: new Map(), silences: new Map() };
  let snapshotAt: number | undefined;
  let events = 0;
  for (let i = start; i < records.length; i++) {
    const r = records[i];
    const fail = (reason: string): never => {
      throw new AlertStateJournalError(journal, i, reason);
    };
    if (!isObject(r) || typeof r.at !== 'number') fail('not a record');
    const rec = r as Record<string, unknown> & { at: number };
    fold.takenAt = Math.max(fold.takenAt, rec.at);
    switch (rec.k) {
      case 'snapshot': {
        const s = rec.state;
        if (!isObject(s) || s.version !== 1 || !Array.isArray(s.alerts) || !Array.isArray(s.groups) || !Array.isArray(s.closedGroups) || !Array.isArray(s.silences)) fail('snapshot: not an engine snapshot');
        const snap = s as unknown as EngineSnapshot;
        snapshotAt = snap.takenAt;
        for (const a of snap.alerts) fold.alerts.set(a.alert.fingerprint, { ...a });
        for (const g of snap.groups) fold.groups.set(g.key, g);
        for (const c of snap.closedGroups) fold.closedGroups.set(c.key, c);
        for (const x of snap.silences) fold.silences.set(x.id, x);
        continue;
      }
      case 'transition':
        if (!isAlert(rec.alert) || typeof rec.to !== 'string') fail('transition: no alert');
        applyTransition(fold, rec.alert as Alert, rec.from as AlertStatus | undefined, rec.at, typeof rec.w === 'number' ? rec.w : rec.at);
        break;
      case 'dropped': {
        if (typeof rec.fp !== 'string') fail('dropped: no fingerprint');
        const e = fold.alerts.get(rec.fp as string);
        if (e?.previous !== undefined) fold.alerts.set(rec.fp as string, { alert: e.previous, resolvedAt: e.previousResolvedAt ?? rec.at });
        else fold.alerts.delete(rec.fp as string);
        break;
      }
      case 'evicted':
        if (typeof rec.fp !== 'string') fail('evicted: no fingerprint');
        fold.alerts.delete(rec.fp as string);
        break;
      case 'ack': {
        if (!isAlert(rec.alert)) fail('ack: no alert');
        const a = rec.alert as Alert;
        const e = fold.alerts.get(a.fingerprint);
        if (e !== undefined) e.alert = a;
        const g = fold.groups.get(a.groupKey);
        if (g !== undefined) fold.groups.set(g.key, { ...g, acknowledged: true });
        break;
      }
      case 'silence': {
        const x = rec.silence;
        if (!isObject(x) || typeof x.id !== 'string' || !Array.isArray(x.matchers)) fail('silence: not a silence');
        const silence = x as unknown as Silence;
        fold.silences.set(silence.id, silence);
        break;
      }
      case 'group': {
        const g = rec.group;
        if (!isObject(g) || typeof g.key !== 'string' || typeof g.sequence !== 'number' || !Array.isArray(g.members)) fail('group: not a group');
        const group = g as unknown as GroupData;
        fold.groups.set(group.key, group);
        fold.closedGroups.delete(group.key);
        break;
      }
      default:
        fail(`unknown kind ${JSON.stringify(rec.k)}`);
    }
    events++;
  }
  return {
    snapshot: {
      version: 1,
      takenAt: fold.takenAt,
      alerts: [...fold.alerts.values()],
      groups: [...fold.groups.values()],
      closedGroups: [...fold.closedGroups.values()],
      silences: [...fold.silences.values()],
    },
    snapshotAt,
    events,
  };
}

function applyTransition(fold: Fold, alert: Alert, from: AlertStatus | undefined, at: number, written: number): void {
  const fp = alert.fingerprint;
  const old = fold.alerts.get(fp);
  switch (alert.status) {
    case 'pending': {
      // A new episode; the last resolved one is kept while it is pending (a flap brings it back).
      const r: Rec = { alert };
      if (old !== undefined && old.alert.status === 'resolved') {
        r.previous = old.alert;
        if (old.resolvedAt !== undefined) r.previousResolvedAt = old.resolvedAt;
      }
      fold.alerts.set(fp, r);
      return;
    }
    case 'firing':
      // From pending (the previous episode is over for good) or back from resolving.
      fold.alerts.set(fp, { alert });
      return;
    case 'resolving':
      fold.alerts.set(fp, { alert, clearedAt: from === 'firing' ? at : (old?.clearedAt ?? at) });
      return;
    case 'resolved':
      fold.alerts.set(fp, { alert, resolvedAt: written });
  }
}

export class AlertState {
  private readonly engine: AlertEngine;
  private readonly journal: Journal;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly maxJournalBytes: number;
  private readonly minEvents: number;
  private readonly retryMs: number;
  private readonly onJournalError: ((error: Error) => void) | undefined;
  private readonly onJournalRecovered: (() => void) | undefined;
  private readonly writes = new Set<Promise<void>>();
  private unsubscribe: (() => void) | undefined;
  private journalErrors = 0;
  private compactions = 0;
  private eventsSinceSnapshot = 0;
  private alertsAtSnapshot = 0;
  private bytesAfterCompaction = 0;
  private compacting: Promise<void> | undefined;
  private dirty = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: AlertStateOptions) {
    this.engine = options.engine;
    this.journal = options.journal;
    this.log = options.logger ?? NOOP_LOGGER;
    this.now = options.now ?? Date.now;
    this.maxJournalBytes = options.maxJournalBytes ?? ALERT_STATE_DEFAULTS.maxJournalBytes;
    this.minEvents = options.minEventsPerSnapshot ?? ALERT_STATE_DEFAULTS.minEventsPerSnapshot;
    this.retryMs = options.retryMs ?? ALERT_STATE_DEFAULTS.retryMs;
    this.onJournalError = options.onJournalError;
    this.onJournalRecovered = options.onJournalRecovered;
  }

  /**
   * Restores the engine (which must be empty) from the journal, then
   * follows its events and writes a fresh snapshot. Throws
   * AlertStateJournalError for a record it cannot use.
   */
  async start(): Promise<RestoreSummary> {
    const started = performance.now();
    const { snapshot, snapshotAt, events } = foldAlertJournal(this.journal.recovered(), this.journal.name);
    if (snapshot.alerts.length > 0 || snapshot.groups.length > 0 || snapshot.silences.length > 0 || snapshot.closedGroups.length > 0) this.engine.restore(snapshot);
    this.unsubscribe = this.engine.on((e) => this.record(e));
    const summary: RestoreSummary = {
      snapshotAt,
      events,
      alerts: snapshot.alerts.length,
      groups: snapshot.groups.length,
      silences: snapshot.silences.length,
      ms: Math.round((performance.now() - started) * 10) / 10,
    };
    if (this.journal.recovered().length > 0) this.log.info({ journal: this.journal.name, ...summary }, 'alerts: state restored from the journal');
    await this.compact();
    return summary;
  }

  /** Appends the group of `n` as it stands now; resolves once durable, or once the failure is counted (never rejects). */
  beforeNotification(n: Notification): Promise<void> {
    const group = this.engine.groupData(n.groupKey);
    if (group === undefined || this.closed) return Promise.resolve();
    return this.append({ k: 'group', at: n.createdAt, group });
  }

  /** Writes one snapshot record over the journal (compaction). Failures are counted, not thrown. */
  compact(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.compacting ??= this.compactOnce().finally(() => (this.compacting = undefined));
    return this.compacting;
  }

  stats(): AlertStateStats {
    const j = this.journal.stats();
    return { journalErrors: this.journalErrors, compactions: this.compactions, eventsSinceSnapshot: this.eventsSinceSnapshot, bytes: j.bytes, records: j.records, dirty: this.dirty };
  }

  /** Stops following the engine; waits for the writes in flight. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    clearInterval(this.retryTimer);
    while (this.writes.size > 0 || this.compacting !== undefined) await Promise.all([...this.writes, this.compacting]);
  }

  private record(e: AlertEvent): void {
    switch (e.kind) {
      case 'transition':
        void this.append({ k: 'transition', at: e.at, w: this.now(), alert: e.alert, ...(e.from === undefined ? {} : { from: e.from }), to: e.to });
        return;
      case 'dropped':
        void this.append({ k: 'dropped', at: e.at, fp: e.alert.fingerprint });
        return;
      case 'evicted':
        void this.append({ k: 'evicted', at: e.at, fp: e.alert.fingerprint });
        return;
      case 'acknowledged':
        void this.append({ k: 'ack', at: e.at, alert: e.alert });
        return;
      case 'silence':
        void this.append({ k: 'silence', at: e.at, silence: e.silence });
        return;
      case 'notified':
        // Recorded before delivery, by beforeNotification().
        return;
    }
  }

  private append(record: Record<string, unknown>): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.eventsSinceSnapshot++;
    const p = this.journal
      .append(toJournalValue(record))
      .then(
        () => undefined,
        (err: unknown) => this.failed(err, String(record.k)),
      )
      .finally(() => this.writes.delete(p));
    this.writes.add(p);
    if (this.dirty || this.dueForSnapshot()) void this.compact();
    return p;
  }

  private dueForSnapshot(): boolean {
    if (this.compacting !== undefined) return false;
    if (this.eventsSinceSnapshot >= Math.max(this.minEvents, this.alertsAtSnapshot)) return true;
    return this.journal.stats().bytes >= Math.max(this.maxJournalBytes, 2 * this.bytesAfterCompaction);
  }

  private async compactOnce(): Promise<void> {
    // Taken and handed to rewrite() in one go: every event before it is in it, every append after it follows it.
    const snapshot = this.engine.snapshot();
    const events = this.eventsSinceSnapshot;
    const started = performance.now();
    let value: JournalValue;
    try {
      value = toJournalValue({ k: 'snapshot', at: snapshot.takenAt, state: snapshot });
    } catch (err) {
      this.failed(err, 'snapshot');
      return;
    }
    const rewrite = this.journal.rewrite([value]);
    this.eventsSinceSnapshot = 0;
    try {
      await rewrite;
    } catch (err) {
      this.eventsSinceSnapshot += events;
      this.failed(err, 'snapshot');
      return;
    }
    this.compactions++;
    this.alertsAtSnapshot = snapshot.alerts.length;
    this.bytesAfterCompaction = this.journal.stats().bytes;
    this.log.info({ journal: this.journal.name, alerts: snapshot.alerts.length, events, bytes: this.bytesAfterCompaction, ms: Math.round((performance.now() - started) * 10) / 10 }, 'alerts: state snapshot written (journal compacted)');
    if (this.dirty) {
      this.dirty = false;
      clearInterval(this.retryTimer);
      this.retryTimer = undefined;
      this.log.info({ journal: this.journal.name }, 'alerts: state journal writable again; state recorded whole');
      this.onJournalRecovered?.();
    }
  }

  private failed(err: unknown, what: string): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.journalErrors++;
    this.log.error({ err: error.message, journal: this.journal.name, record: what }, 'alerts: state journal write failed; state kept in memory, a snapshot follows when writes work again');
    const first = !this.dirty;
    this.dirty = true;
    if (first) this.onJournalError?.(error);
    if (this.retryTimer === undefined && !this.closed) {
      this.retryTimer = setInterval(() => void this.compact(), this.retryMs);
      this.retryTimer.unref();
    }
  }
}
