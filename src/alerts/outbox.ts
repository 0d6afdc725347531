/**
 * Durable delivery of notifications: the outbox between the alert engine
 * and the sinks.
 *
 * - enqueue() records the notification in the journal (fsynced) and
 *   resolves; attempts happen after, in the background. A notification the
 *   engine was told is enqueued survives a crash.
 * - Each (notification, sink) pair is one delivery with its own retries:
 *   exponential backoff with full jitter, Retry-After as a lower bound
 *   (delivery/retry-policy.ts), a per-sink timeout on every attempt, and a
 *   budget (attempts, age) after which it becomes a dead letter. A
 *   permanent refusal (4xx) is a dead letter at once. Dead letters are kept
 *   (the most recent maxDeadLetters in memory, all in the journal), listed
 *   and counted.
 * - Sinks are independent: each has its own queue and concurrency limit,
 *   so a slow or failing sink never delays another, nor the caller.
 * - Per sink, the notifications of one group go out in order, one at a
 *   time: a resolve must not overtake its trigger (PagerDuty would keep an
 *   incident open, Alertmanager would re-fire). A notification still
 *   waiting when a newer one of its group arrives is superseded by it: the
 *   newer one carries the group's current state, and sending both would
 *   only page twice.
 * - start() rebuilds the state from the journal: deliveries not finished
 *   before a restart are resumed, with the same notification ids (which
 *   the sinks pass on as idempotency keys); finished ones are not sent
 *   again. Delivery is at least once: a crash between a receiver's answer
 *   and the record of it sends that notification again, with its id.
 * - Every state change is an event (onEvent) for metrics and logs;
 *   stats() has the counters per sink and outcome.
 * - Compaction keeps the journal bounded: once it holds more than
 *   `compactRecords` records (or twice the live ones, if more) or passes
 *   `maxJournalBytes` (or twice its size after the last compaction), it is
 *   rewritten (Journal.rewrite, atomic) to the live records only: each
 *   unfinished notification (its open sinks, attempts and retry times)
 *   and the dead letters held in memory. Ids of finished notifications
 *   are not kept (enqueue() of one after a compaction and a restart would
 *   send it again; the engine never reuses an id).
 * - A journal write that fails (disk full, I/O error) is logged, counted
 *   (stats().journalErrors) and reported (a `journal-error` event); the
 *   outbox goes on from memory and marks the journal dirty: the next write,
 *   or a retry every `journalRetryMs`, compacts, which records the whole
 *   live state again. With `deliverUnrecorded`, a notification whose
 *   enqueue record failed is still delivered (from memory; a restart
 *   before the journal is whole again forgets it) instead of refused.
 *
 * Time, timers and randomness are injected (clock, timers, random), so
 * tests run backoff and timeouts on a fake clock.
 */
import { Listeners, type Unsubscribe } from '../rpki/sources/source.js';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import type { Journal } from '../store/journal.js';
import { OutboxJournalError, type OutboxRecord, parseRecord, toJournalValue } from './delivery/outbox-records.js';
import { backoffDelay, RETRY_DEFAULTS, type RetryPolicy } from './delivery/retry-policy.js';
import { REAL_TIMERS, type TimerHandle, type Timers } from './delivery/timers.js';
import type { DeliveryResult, Notification, Sink } from './notification.js';

export { OutboxJournalError } from './delivery/outbox-records.js';
export type { RetryPolicy } from './delivery/retry-policy.js';
export type { Timers } from './delivery/timers.js';

export interface SinkDeliveryOptions {
  /** Bound on one attempt; the sink's request is aborted when it passes. */
  readonly timeoutMs?: number;
  /** Attempts of this sink in flight at once. */
  readonly concurrency?: number;
  readonly retry?: Partial<RetryPolicy>;
}

export interface OutboxOptions {
  readonly journal: Journal;
  readonly sinks: readonly Sink[];
  /** Defaults for every sink; perSink overrides them by sink name. */
  readonly timeoutMs?: number;
  readonly concurrency?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly perSink?: Readonly<Record<string, SinkDeliveryOptions>>;
  /** Dead letters kept in memory for deadLetters(); older ones stay only in the journal. */
  readonly maxDeadLetters?: number;
  readonly logger?: Logger;
  /** ms since the epoch. */
  readonly clock?: () => number;
  readonly timers?: Timers;
  /** In [0, 1), for the backoff jitter. */
  readonly random?: () => number;
  /** Compact the journal past this size. Default 64 MiB. */
  readonly maxJournalBytes?: number;
  /** Compact the journal past this many records. Default 10,000. */
  readonly compactRecords?: number;
  /** While the journal is dirty (a write failed), retry a compaction this often. Default 10 s. */
  readonly journalRetryMs?: number;
  /** Deliver a notification whose enqueue record could not be written (counted and logged) instead of refusing it. Default false. */
  readonly deliverUnrecorded?: boolean;
}

export const OUTBOX_DEFAULTS = Object.freeze({
  timeoutMs: 15_000,
  concurrency: 4,
  maxDeadLetters: 1000,
  /** Ids of finished notifications remembered to make enqueue() idempotent. */
  recentIds: 10_000,
  maxJournalBytes: 64 * 1024 * 1024,
  compactRecords: 10_000,
  journalRetryMs: 10_000,
});

/** A bad option, named by key; thrown by the constructor. */
export class OutboxConfigError extends RangeError {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`outbox: option ${key} ${reason}`);
    this.name = 'OutboxConfigError';
  }
}

/** enqueue() before start() or after close(). */
export class OutboxStateError extends Error {
  constructor(message: string) {
    super(`outbox: ${message}`);
    this.name = 'OutboxStateError';
  }
}

export type DeliveryState = 'waiting' | 'ready' | 'in-flight' | 'blocked';

export interface PendingDelivery {
  readonly id: string;
  readonly groupKey: string;
  readonly sink: string;
  /** waiting: backing off until nextAttemptAt; ready: queued for a slot; in-flight; blocked: behind an earlier notification of its group. */
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly enqueuedAt: number;
  readonly nextAttemptAt: number | undefined;
  readonly lastError: string | undefined;
}

export interface DeadLetter {
  readonly notification: Notification;
  readonly sink: string;
  readonly attempts: number;
  readonly error: string;
  readonly status: number | undefined;
  /** When it was given up (ms since the epoch). */
  readonly at: number;
}

export interface SinkStats {
  readonly delivered: number;
  /** Failed attempts followed by another try. */
  readonly retried: number;
  readonly deadLettered: number;
  readonly superseded: number;
  /** Every attempt, whatever its outcome. */
  readonly attempts: number;
  readonly pending: number;
  readonly inFlight: number;
}

export interface OutboxStats {
  /** Deliveries not finished, all sinks. */
  readonly pending: number;
  /** Notifications with at least one delivery not finished. */
  readonly notifications: number;
  readonly deadLetters: number;
  /** Journal writes that failed (state kept in memory; a restart may resend). */
  readonly journalErrors: number;
  /** Journal rewrites to the live records. */
  readonly compactions: number;
  /** A journal write failed and the journal has not been made whole since. */
  readonly journalDirty: boolean;
  readonly sinks: Readonly<Record<string, SinkStats>>;
}

export type OutboxEvent =
  | { readonly type: 'enqueued'; readonly id: string; readonly sinks: readonly string[] }
  | { readonly type: 'attempt'; readonly id: string; readonly sink: string; readonly attempt: number; readonly result: DeliveryResult; readonly durationMs: number }
  | { readonly type: 'retry-scheduled'; readonly id: string; readonly sink: string; readonly attempt: number; readonly delayMs: number; readonly error: string }
  | { readonly type: 'delivered'; readonly id: string; readonly sink: string; readonly attempts: number }
  | { readonly type: 'dead-letter'; readonly id: string; readonly sink: string; readonly attempts: number; readonly error: string }
  | { readonly type: 'superseded'; readonly id: string; readonly sink: string; readonly by: string }
  | { readonly type: 'resumed'; readonly pending: number; readonly deadLetters: number }
  | { readonly type: 'journal-error'; readonly error: Error }
  /** The journal was rewritten whole after write failures. */
  | { readonly type: 'journal-recovered' };

interface Entry {
  readonly notification: Notification;
  readonly enqueuedAt: number;
  /** Sinks still to deliver to. */
  readonly open: Set<string>;
}

interface Delivery {
  readonly entry: Entry;
  readonly lane: Lane;
  state: DeliveryState;
  attempts: number;
  nextAt: number | undefined;
  lastError: string | undefined;
  timer: TimerHandle | undefined;
  abort: AbortController | undefined;
  /** Settles the running attempt at once (close, timeout); the sink's own promise is then ignored. */
  cut: ((result: DeliveryResult) => void) | undefined;
}

interface Counters {
  delivered: number;
  retried: number;
  deadLettered: number;
  superseded: number;
  attempts: number;
}

interface Lane {
  /** Replaced in place by updateSinks() (a config reload); deliveries keep their lane. */
  sink: Sink;
  timeoutMs: number;
  concurrency: number;
  retry: RetryPolicy;
  readonly ready: Delivery[];
  /** Per group, in enqueue order: the head runs (or waits), the rest are blocked behind it. */
  readonly groups: Map<string, Delivery[]>;
  readonly running: Set<Delivery>;
  readonly counters: Counters;
}

export class Outbox {
  private readonly journal: Journal;
  private readonly lanes = new Map<string, Lane>();
  private readonly entries = new Map<string, Entry>();
  /** Finished notification ids, oldest first, bounded: a repeated enqueue() of one is a no-op. */
  private readonly recent = new Set<string>();
  private readonly dead: DeadLetter[] = [];
  private readonly maxDeadLetters: number;
  private readonly writes = new Set<Promise<void>>();
  private readonly listeners: Listeners<OutboxEvent>;
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly timers: Timers;
  private readonly random: () => number;
  private journalErrors = 0;
  private compactions = 0;
  private compacting: Promise<void> | undefined;
  private journalDirty = false;
  private journalRetry: TimerHandle | undefined;
  private bytesAfterCompaction = 0;
  private recordsAfterCompaction = 0;
  private readonly maxJournalBytes: number;
  private readonly compactRecords: number;
  private readonly journalRetryMs: number;
  private readonly deliverUnrecorded: boolean;
  private started = false;
  private closed = false;
  /** While replaying, deliveries are queued but not run (all are admitted first, in order). */
  private holding = false;

  constructor(options: OutboxOptions) {
    this.journal = options.journal;
    this.logger = options.logger ?? NOOP_LOGGER;
    this.clock = options.clock ?? Date.now;
    this.timers = options.timers ?? REAL_TIMERS;
    this.random = options.random ?? Math.random;
    this.listeners = new Listeners(this.logger, 'outbox event');
    this.maxDeadLetters = checkInt('maxDeadLetters', options.maxDeadLetters ?? OUTBOX_DEFAULTS.maxDeadLetters, 0);
    this.maxJournalBytes = checkInt('maxJournalBytes', options.maxJournalBytes ?? OUTBOX_DEFAULTS.maxJournalBytes, 1);
    this.compactRecords = checkInt('compactRecords', options.compactRecords ?? OUTBOX_DEFAULTS.compactRecords, 1);
    this.journalRetryMs = checkInt('journalRetryMs', options.journalRetryMs ?? OUTBOX_DEFAULTS.journalRetryMs, 1);
    this.deliverUnrecorded = options.deliverUnrecorded ?? false;
    const perSink = options.perSink ?? {};
    for (const name of Object.keys(perSink)) {
      if (!options.sinks.some((s) => s.name === name)) throw new OutboxConfigError(`perSink.${name}`, 'names no configured sink');
    }
    const names = new Set<string>();
    for (const sink of options.sinks) {
      if (names.has(sink.name)) throw new OutboxConfigError('sinks', `has two sinks named ${JSON.stringify(sink.name)}`);
      names.add(sink.name);
    }
    this.configureLanes(options);
  }

  /**
   * A config reload: sinks with a known name get the new sink object and
   * settings in place (their queued and running deliveries go on); new
   * names get a lane; a sink no longer configured keeps its lane until
   * what it holds is delivered or dead (nothing new is routed to it).
   */
  updateSinks(options: Pick<OutboxOptions, 'sinks' | 'timeoutMs' | 'concurrency' | 'retry' | 'perSink'>): void {
    this.configureLanes(options);
    for (const lane of this.lanes.values()) this.pump(lane);
  }

  private configureLanes(options: Pick<OutboxOptions, 'sinks' | 'timeoutMs' | 'concurrency' | 'retry' | 'perSink'>): void {
    const perSink = options.perSink ?? {};
    for (const name of Object.keys(perSink)) {
      if (!options.sinks.some((s) => s.name === name)) throw new OutboxConfigError(`perSink.${name}`, 'names no configured sink');
    }
    for (const sink of options.sinks) {
      const own = perSink[sink.name] ?? {};
      const key = (k: string): string => (own[k as keyof SinkDeliveryOptions] !== undefined ? `perSink.${sink.name}.${k}` : k);
      const settings = {
        sink,
        timeoutMs: checkInt(key('timeoutMs'), own.timeoutMs ?? options.timeoutMs ?? OUTBOX_DEFAULTS.timeoutMs, 1),
        concurrency: checkInt(key('concurrency'), own.concurrency ?? options.concurrency ?? OUTBOX_DEFAULTS.concurrency, 1),
        retry: retryPolicy(key('retry'), { ...RETRY_DEFAULTS, ...options.retry, ...own.retry }),
      };
      const lane = this.lanes.get(sink.name);
      if (lane !== undefined) Object.assign(lane, settings);
      else this.lanes.set(sink.name, { ...settings, ready: [], groups: new Map(), running: new Set(), counters: { delivered: 0, retried: 0, deadLettered: 0, superseded: 0, attempts: 0 } });
    }
  }

  onEvent(listener: (event: OutboxEvent) => void): Unsubscribe {
    return this.listeners.add(listener);
  }

  /**
   * Rebuilds the state from the journal and resumes what is unfinished
   * (each at its recorded retry time, or now). Throws OutboxJournalError for
   * a record it cannot use. Idempotent.
   */
  async start(): Promise<void> {
    if (this.closed) throw new OutboxStateError('start() after close()');
    if (this.started) return;
    const records = this.journal.recovered().map((value, index) => parseRecord(value, this.journal.name, index));
    this.started = true;
    this.holding = true;
    try {
      this.replay(records);
    } finally {
      this.holding = false;
    }
    for (const lane of this.lanes.values()) this.pump(lane);
    const pending = this.pendingCount();
    if (pending > 0 || this.dead.length > 0) this.logger.info({ journal: this.journal.name, pending, deadLetters: this.dead.length }, 'outbox: resumed from the journal');
    this.listeners.emit({ type: 'resumed', pending, deadLetters: this.dead.length });
    this.afterWrite(); // a journal already past its bounds is compacted now
  }

  /**
   * Records the notification durably, then delivers it to its sinks in the
   * background. Resolves once recorded; rejects (JournalWriteError, …) if
   * it could not be, and then nothing will be sent. Enqueueing an id the
   * outbox already holds, or recently finished, does nothing.
   */
  async enqueue(notification: Notification): Promise<void> {
    if (this.closed) throw new OutboxStateError('enqueue() after close()');
    if (!this.started) throw new OutboxStateError('enqueue() before start()');
    if (this.entries.has(notification.id) || this.recent.has(notification.id)) return;
    const sinks = [...new Set(notification.sinks)];
    const at = this.clock();
    // Claimed before the await: a second enqueue of the same id meanwhile is a no-op.
    const entry: Entry = { notification, enqueuedAt: at, open: new Set(sinks) };
    this.entries.set(notification.id, entry);
    try {
      await this.journal.append(toJournalValue({ kind: 'enqueued', at, notification, sinks }));
      this.afterWrite();
    } catch (err) {
      if (!this.deliverUnrecorded) {
        this.entries.delete(notification.id);
        throw err;
      }
      this.journalFailed(err, 'enqueued');
    }
    this.listeners.emit({ type: 'enqueued', id: notification.id, sinks });
    if (this.closed) return; // recorded: the next start() sends it
    this.admitAll(entry, sinks);
  }

  /** Stops timers and attempts (in-flight requests are aborted and stay pending for the next start()); waits for journal writes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const lane of this.lanes.values()) {
      for (const list of lane.groups.values()) {
        for (const d of list) {
          if (d.timer !== undefined) this.timers.clearTimeout(d.timer);
          d.timer = undefined;
        }
      }
      lane.ready.length = 0;
      for (const d of lane.running) {
        d.abort?.abort(new OutboxStateError('closing'));
        d.cut?.({ ok: false, retryable: true, error: 'outbox closed' });
      }
    }
    if (this.journalRetry !== undefined) this.timers.clearTimeout(this.journalRetry);
    this.journalRetry = undefined;
    while (this.writes.size > 0 || this.compacting !== undefined) await Promise.all([...this.writes, this.compacting]);
  }

  /**
   * Rewrites the journal to the live records (unfinished notifications
   * with their progress, the dead letters held). Failures are counted and
   * logged, not thrown.
   */
  compact(): Promise<void> {
    if (!this.started) return Promise.resolve();
    this.compacting ??= this.compactOnce().finally(() => (this.compacting = undefined));
    return this.compacting;
  }

  /** The records a compacted journal holds: replaying them gives the current state. */
  liveRecords(): OutboxRecord[] {
    const progress = new Map<string, Delivery>();
    for (const lane of this.lanes.values()) for (const list of lane.groups.values()) for (const d of list) progress.set(`${d.entry.notification.id}\0${lane.sink.name}`, d);
    const dead = new Map<string, DeadLetter[]>();
    for (const letter of this.dead) {
      const list = dead.get(letter.notification.id) ?? [];
      list.push(letter);
      dead.set(letter.notification.id, list);
    }
    const out: OutboxRecord[] = [];
    const emit = (notification: Notification, at: number, open: readonly string[]): void => {
      const letters = dead.get(notification.id) ?? [];
      dead.delete(notification.id);
      out.push({ kind: 'enqueued', at, notification, sinks: [...new Set([...open, ...letters.map((l) => l.sink)])] });
      for (const sink of open) {
        const d = progress.get(`${notification.id}\0${sink}`);
        if (d !== undefined && d.attempts > 0) {
          out.push({ kind: 'attempt', at, id: notification.id, sink, attempt: d.attempts, outcome: 'retry', error: d.lastError ?? '', retryAt: d.nextAt ?? at });
        }
      }
      for (const l of letters) out.push({ kind: 'dead', at: l.at, id: notification.id, sink: l.sink, attempts: l.attempts, error: l.error, ...(l.status === undefined ? {} : { status: l.status }) });
    };
    // Dead letters of finished notifications first (older), then the open ones in enqueue order.
    for (const letter of this.dead) if (!this.entries.has(letter.notification.id) && dead.has(letter.notification.id)) emit(letter.notification, letter.at, []);
    for (const entry of this.entries.values()) emit(entry.notification, entry.enqueuedAt, [...entry.open]);
    return out;
  }

  /** Deliveries not finished, oldest notification first. */
  pending(): PendingDelivery[] {
    const out: PendingDelivery[] = [];
    for (const lane of this.lanes.values()) {
      for (const list of lane.groups.values()) {
        for (const d of list) {
          out.push({
            id: d.entry.notification.id,
            groupKey: d.entry.notification.groupKey,
            sink: lane.sink.name,
            state: d.state,
            attempts: d.attempts,
            enqueuedAt: d.entry.enqueuedAt,
            nextAttemptAt: d.state === 'waiting' ? d.nextAt : undefined,
            lastError: d.lastError,
          });
        }
      }
    }
    return out.sort((a, b) => a.enqueuedAt - b.enqueuedAt);
  }

  /** The most recent dead letters (at most maxDeadLetters), oldest first. */
  deadLetters(): DeadLetter[] {
    return [...this.dead];
  }

  stats(): OutboxStats {
    const sinks: Record<string, SinkStats> = {};
    for (const [name, lane] of this.lanes) {
      let pending = 0;
      for (const list of lane.groups.values()) pending += list.length;
      sinks[name] = { ...lane.counters, pending, inFlight: lane.running.size };
    }
    return { pending: this.pendingCount(), notifications: this.entries.size, deadLetters: this.dead.length, journalErrors: this.journalErrors, compactions: this.compactions, journalDirty: this.journalDirty, sinks };
  }

  // --- replay --------------------------------------------------------------

  private replay(records: readonly OutboxRecord[]): void {
    /** Per notification id and sink: attempts so far and the recorded retry time. */
    const progress = new Map<string, { attempts: number; retryAt: number | undefined; lastError: string | undefined }>();
    const order: Entry[] = [];
    records.forEach((r, index) => {
      if (r.kind === 'enqueued') {
        if (this.entries.has(r.notification.id)) return; // a duplicate record: the first counts
        const entry: Entry = { notification: r.notification, enqueuedAt: r.at, open: new Set(r.sinks) };
        this.entries.set(r.notification.id, entry);
        order.push(entry);
        return;
      }
      const entry = this.entries.get(r.id);
      if (!entry) throw new OutboxJournalError(this.journal.name, index, `${r.kind} for ${r.id}, which was never enqueued`);
      const key = `${r.id}\0${r.sink}`;
      if (r.kind === 'attempt') {
        progress.set(key, { attempts: r.attempt, retryAt: r.retryAt, lastError: r.error });
        return;
      }
      entry.open.delete(r.sink);
      progress.delete(key);
      if (r.kind === 'dead') this.keepDeadLetter({ notification: entry.notification, sink: r.sink, attempts: r.attempts, error: r.error, status: r.status, at: r.at });
      if (entry.open.size === 0) this.forget(entry);
    });
    for (const entry of order) {
      if (entry.open.size === 0) continue;
      this.admitAll(entry, [...entry.open], (sink) => progress.get(`${entry.notification.id}\0${sink}`));
    }
  }

  // --- scheduling ----------------------------------------------------------

  private admitAll(entry: Entry, sinks: readonly string[], resume?: (sink: string) => { attempts: number; retryAt: number | undefined; lastError: string | undefined } | undefined): void {
    for (const name of sinks) {
      const lane = this.lanes.get(name);
      if (!lane) {
        // Routing named a sink that is not configured (any more): nothing can ever deliver it.
        this.finishDead(entry, name, 0, `no sink named ${JSON.stringify(name)}`, undefined);
        continue;
      }
      const before = resume?.(name);
      const d: Delivery = {
        entry,
        lane,
        state: 'blocked',
        attempts: before?.attempts ?? 0,
        nextAt: before?.retryAt,
        lastError: before?.lastError,
        timer: undefined,
        abort: undefined,
        cut: undefined,
      };
      this.admit(d);
    }
  }

  /** Puts a delivery in its group's line: superseding waiting ones, or behind the one in flight. */
  private admit(d: Delivery): void {
    const groupKey = d.entry.notification.groupKey;
    const list = d.lane.groups.get(groupKey) ?? [];
    d.lane.groups.set(groupKey, list);
    const head = list[0];
    const keep = head !== undefined && head.state === 'in-flight' ? 1 : 0;
    for (const older of list.splice(keep)) this.supersede(older, d.entry.notification.id);
    list.push(d);
    if (list.length === 1) this.schedule(d, d.nextAt ?? this.clock());
  }

  private schedule(d: Delivery, at: number): void {
    const delay = at - this.clock();
    d.nextAt = at;
    if (delay <= 0) {
      this.makeReady(d);
      return;
    }
    d.state = 'waiting';
    d.timer = this.timers.setTimeout(() => {
      d.timer = undefined;
      if (!this.closed) this.makeReady(d);
    }, delay);
  }

  private makeReady(d: Delivery): void {
    d.state = 'ready';
    d.lane.ready.push(d);
    if (!this.holding) this.pump(d.lane);
  }

  private pump(lane: Lane): void {
    while (!this.closed && lane.running.size < lane.concurrency && lane.ready.length > 0) {
      void this.attempt(lane.ready.shift()!);
    }
  }

  // --- attempts ------------------------------------------------------------

  private async attempt(d: Delivery): Promise<void> {
    const lane = d.lane;
    const n = d.entry.notification;
    const started = this.clock();
    if (started > d.entry.enqueuedAt + lane.retry.maxAgeMs) {
      // Waited out a long downtime: a page this old is noise.
      this.finishDelivery(d);
      this.finishDead(d.entry, lane.sink.name, d.attempts, `expired: not delivered within ${lane.retry.maxAgeMs} ms${d.lastError ? `; last error: ${d.lastError}` : ''}`, undefined);
      return;
    }
    d.state = 'in-flight';
    d.attempts++;
    lane.counters.attempts++;
    lane.running.add(d);
    const abort = new AbortController();
    d.abort = abort;
    let timer: TimerHandle | undefined;
    const result = await new Promise<DeliveryResult>((resolve) => {
      let settled = false;
      const settle = (r: DeliveryResult): void => {
        if (settled) return;
        settled = true;
        resolve(r);
      };
      d.cut = settle;
      timer = this.timers.setTimeout(() => {
        abort.abort(new Error('timeout'));
        settle({ ok: false, retryable: true, error: `no answer within ${lane.timeoutMs} ms (attempt timeout)` });
      }, lane.timeoutMs);
      let promise: Promise<DeliveryResult>;
      try {
        promise = lane.sink.deliver(n, abort.signal);
      } catch (err) {
        promise = Promise.reject(err);
      }
      promise.then(settle, (err: unknown) => settle({ ok: false, retryable: true, error: `sink threw: ${err instanceof Error ? err.message : String(err)}` }));
    });
    this.timers.clearTimeout(timer);
    d.abort = undefined;
    d.cut = undefined;
    lane.running.delete(d);
    if (this.closed) {
      // Not the receiver's fault: no record, the delivery stays pending for the next start().
      d.attempts--;
      d.state = 'ready';
      return;
    }
    this.listeners.emit({ type: 'attempt', id: n.id, sink: lane.sink.name, attempt: d.attempts, result, durationMs: this.clock() - started });
    this.settleAttempt(d, result);
    this.pump(lane);
  }

  private settleAttempt(d: Delivery, result: DeliveryResult): void {
    const lane = d.lane;
    const sink = lane.sink.name;
    const id = d.entry.notification.id;
    const now = this.clock();
    if (result.ok) {
      lane.counters.delivered++;
      this.write({ kind: 'delivered', at: now, id, sink, attempt: d.attempts, status: result.status });
      this.listeners.emit({ type: 'delivered', id, sink, attempts: d.attempts });
      this.finishDelivery(d);
      this.closeEntry(d.entry, sink);
      return;
    }
    d.lastError = result.error;
    if (!result.retryable) {
      this.finishDelivery(d);
      this.finishDead(d.entry, sink, d.attempts, `refused: ${result.error}`, result.status);
      return;
    }
    const policy = lane.retry;
    const delayMs = backoffDelay(policy, d.attempts, this.random, result.retryAfterMs);
    const retryAt = now + delayMs;
    const deadline = d.entry.enqueuedAt + policy.maxAgeMs;
    if (d.attempts >= policy.maxAttempts || retryAt > deadline) {
      const why = d.attempts >= policy.maxAttempts ? `gave up after ${d.attempts} attempts` : `gave up: the next attempt would be past the max age of ${policy.maxAgeMs} ms`;
      this.finishDelivery(d);
      this.finishDead(d.entry, sink, d.attempts, `${why}; last error: ${result.error}`, result.status);
      return;
    }
    lane.counters.retried++;
    this.write({ kind: 'attempt', at: now, id, sink, attempt: d.attempts, outcome: 'retry', error: result.error, status: result.status, retryAt });
    this.listeners.emit({ type: 'retry-scheduled', id, sink, attempt: d.attempts, delayMs, error: result.error });
    const list = lane.groups.get(d.entry.notification.groupKey)!;
    const newest = list[list.length - 1]!;
    if (newest !== d) {
      // Newer notifications of the group arrived during this attempt: the
      // newest replaces the rest, and waits out the same backoff.
      for (const older of list.splice(0, list.length - 1)) this.supersede(older, newest.entry.notification.id);
      this.schedule(newest, retryAt);
      return;
    }
    this.schedule(d, retryAt);
  }

  // --- finishing -----------------------------------------------------------

  /** Takes a delivery out of its group's line and starts the next one there. */
  private finishDelivery(d: Delivery): void {
    const groupKey = d.entry.notification.groupKey;
    const list = d.lane.groups.get(groupKey);
    if (!list) return;
    const i = list.indexOf(d);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) d.lane.groups.delete(groupKey);
    else if (i === 0 && list[0]!.state === 'blocked') this.schedule(list[0]!, list[0]!.nextAt ?? this.clock());
  }

  private finishDead(entry: Entry, sink: string, attempts: number, error: string, status: number | undefined): void {
    const id = entry.notification.id;
    const at = this.clock();
    const lane = this.lanes.get(sink);
    if (lane) lane.counters.deadLettered++;
    this.write({ kind: 'dead', at, id, sink, attempts, error, status });
    this.keepDeadLetter({ notification: entry.notification, sink, attempts, error, status, at });
    this.logger.warn({ id, sink, attempts, error }, 'outbox: delivery given up (dead letter)');
    this.listeners.emit({ type: 'dead-letter', id, sink, attempts, error });
    this.closeEntry(entry, sink);
  }

  private supersede(d: Delivery, by: string): void {
    if (d.timer !== undefined) this.timers.clearTimeout(d.timer);
    d.timer = undefined;
    const i = d.lane.ready.indexOf(d);
    if (i >= 0) d.lane.ready.splice(i, 1);
    const id = d.entry.notification.id;
    const sink = d.lane.sink.name;
    d.lane.counters.superseded++;
    this.write({ kind: 'superseded', at: this.clock(), id, sink, by });
    this.listeners.emit({ type: 'superseded', id, sink, by });
    this.closeEntry(d.entry, sink);
  }

  private closeEntry(entry: Entry, sink: string): void {
    entry.open.delete(sink);
    if (entry.open.size === 0) this.forget(entry);
  }

  private forget(entry: Entry): void {
    this.entries.delete(entry.notification.id);
    this.recent.add(entry.notification.id);
    if (this.recent.size > OUTBOX_DEFAULTS.recentIds) this.recent.delete(this.recent.values().next().value!);
  }

  private keepDeadLetter(letter: DeadLetter): void {
    this.dead.push(letter);
    if (this.dead.length > this.maxDeadLetters) this.dead.splice(0, this.dead.length - this.maxDeadLetters);
  }

  /** Appends a progress record; a failure is logged and counted, delivery goes on from memory. */
  private write(record: OutboxRecord): void {
    const p = this.journal
      .append(toJournalValue(record))
      .then(
        () => this.afterWrite(),
        (err: unknown) => this.journalFailed(err, record.kind),
      )
      .finally(() => this.writes.delete(p));
    this.writes.add(p);
  }

  /** After a write: compact when the journal has grown past its bounds, or is dirty. */
  private afterWrite(): void {
    if (this.closed || this.compacting !== undefined) return;
    const j = this.journal.stats();
    if (this.journalDirty || j.records >= Math.max(this.compactRecords, 2 * this.recordsAfterCompaction) || j.bytes >= Math.max(this.maxJournalBytes, 2 * this.bytesAfterCompaction)) {
      void this.compact();
    }
  }

  private journalFailed(err: unknown, what: string): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.journalErrors++;
    this.journalDirty = true;
    this.logger.error({ err: error, journal: this.journal.name, record: what }, 'outbox: journal write failed');
    this.listeners.emit({ type: 'journal-error', error });
    if (this.journalRetry === undefined && !this.closed) {
      const retry = (): void => {
        this.journalRetry = undefined;
        if (this.closed || !this.journalDirty) return;
        void this.compact().then(() => {
          if (this.journalDirty && !this.closed && this.journalRetry === undefined) this.journalRetry = this.timers.setTimeout(retry, this.journalRetryMs);
        });
      };
      this.journalRetry = this.timers.setTimeout(retry, this.journalRetryMs);
    }
  }

  private async compactOnce(): Promise<void> {
    // Built and handed to rewrite() in one go: every record written before is reflected, every one after follows.
    const records = this.liveRecords();
    const wasDirty = this.journalDirty;
    try {
      await this.journal.rewrite(records.map((r) => toJournalValue(r)));
    } catch (err) {
      this.journalFailed(err, 'compaction');
      return;
    }
    this.compactions++;
    const j = this.journal.stats();
    this.bytesAfterCompaction = j.bytes;
    this.recordsAfterCompaction = j.records;
    this.logger.info({ journal: this.journal.name, records: j.records, bytes: j.bytes }, 'outbox: journal compacted');
    if (wasDirty) {
      this.journalDirty = false;
      this.logger.info({ journal: this.journal.name }, 'outbox: journal writable again; live state recorded whole');
      this.listeners.emit({ type: 'journal-recovered' });
    }
  }

  private pendingCount(): number {
    let n = 0;
    for (const lane of this.lanes.values()) for (const list of lane.groups.values()) n += list.length;
    return n;
  }
}

function checkInt(key: string, value: number, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new OutboxConfigError(key, `must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

function retryPolicy(key: string, p: RetryPolicy): RetryPolicy {
  checkInt(`${key}.baseMs`, p.baseMs, 1);
  if (typeof p.factor !== 'number' || !(p.factor >= 1) || !Number.isFinite(p.factor)) throw new OutboxConfigError(`${key}.factor`, `must be a number >= 1, got ${String(p.factor)}`);
  checkInt(`${key}.capMs`, p.capMs, p.baseMs);
  checkInt(`${key}.maxAttempts`, p.maxAttempts, 1);
  checkInt(`${key}.maxAgeMs`, p.maxAgeMs, 1);
  return Object.freeze({ ...p });
}
