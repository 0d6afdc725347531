/**
 * What the outbox writes to its journal, and reading it back.
 *
 * ```
 * {kind: 'enqueued',   at, notification, sinks}           before any attempt
 * {kind: 'attempt',    at, id, sink, attempt, outcome: 'retry', error, status?, retryAt}
 * {kind: 'delivered',  at, id, sink, attempt, status?}
 * {kind: 'dead',       at, id, sink, attempts, error, status?}
 * {kind: 'superseded', at, id, sink, by}                   a newer notification of the group replaced it
 * ```
 * `at` and `retryAt` are ms since the epoch. Replaying them in order
 * gives each delivery's state: pending (with its attempts so far and when
 * to try next), or finished.
 *
 * DAG-CBOR has no `undefined` (an Alert's startsAt is undefined while
 * pending), nor NaN or Infinity: toJournalValue() drops undefined
 * properties and writes non-finite numbers as null, so recording a
 * notification never fails on its content. A notification read back is a
 * plain object without those properties, which reads the same.
 */
import type { Notification } from '../notification.js';
import type { JournalValue } from '../../store/journal.js';

export interface EnqueuedRecord {
  readonly kind: 'enqueued';
  readonly at: number;
  readonly notification: Notification;
  readonly sinks: readonly string[];
}
export interface AttemptRecord {
  readonly kind: 'attempt';
  readonly at: number;
  readonly id: string;
  readonly sink: string;
  readonly attempt: number;
  readonly outcome: 'retry';
  readonly error: string;
  readonly status?: number;
  readonly retryAt: number;
}
export interface DeliveredRecord {
  readonly kind: 'delivered';
  readonly at: number;
  readonly id: string;
  readonly sink: string;
  readonly attempt: number;
  readonly status?: number;
}
export interface DeadRecord {
  readonly kind: 'dead';
  readonly at: number;
  readonly id: string;
  readonly sink: string;
  readonly attempts: number;
  readonly error: string;
  readonly status?: number;
}
export interface SupersededRecord {
  readonly kind: 'superseded';
  readonly at: number;
  readonly id: string;
  readonly sink: string;
  readonly by: string;
}

export type OutboxRecord = EnqueuedRecord | AttemptRecord | DeliveredRecord | DeadRecord | SupersededRecord;

/** A journal record the outbox cannot use (from another program, or a newer rovd). */
export class OutboxJournalError extends Error {
  constructor(
    readonly journal: string,
    /** 0-based index of the record in the journal. */
    readonly index: number,
    readonly reason: string,
  ) {
    super(`outbox journal ${journal}: record ${index}: ${reason}`);
    this.name = 'OutboxJournalError';
  }
}

/** A deep copy DAG-CBOR can encode: undefined properties dropped, NaN and ±Infinity as null. */
export function toJournalValue(value: unknown): JournalValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => (v === undefined ? null : toJournalValue(v)));
  if (typeof value === 'object') {
    const out: Record<string, JournalValue> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && typeof v !== 'function') out[k] = toJournalValue(v);
    return out;
  }
  // bigint, symbol, function: not part of any record the outbox writes.
  return null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Checks a decoded record's shape; throws OutboxJournalError. */
export function parseRecord(value: unknown, journal: string, index: number): OutboxRecord {
  const fail = (reason: string): never => {
    throw new OutboxJournalError(journal, index, reason);
  };
  if (!isObject(value)) return fail('not a map');
  const r = value;
  if (!isNumber(r.at)) fail('no numeric `at`');
  switch (r.kind) {
    case 'enqueued': {
      const n = r.notification;
      if (!isObject(n) || !isString(n.id) || !isString(n.groupKey) || (n.status !== 'firing' && n.status !== 'resolved')) fail('enqueued: not a notification');
      const note = n as Record<string, unknown>;
      if (!Array.isArray(note.alerts) || !isNumber(note.createdAt) || !isString(note.type) || !isString(note.severity)) fail('enqueued: not a notification');
      if (!Array.isArray(r.sinks) || !r.sinks.every(isString)) fail('enqueued: sinks is not a list of names');
      return value as unknown as EnqueuedRecord;
    }
    case 'attempt':
      if (!isString(r.id) || !isString(r.sink) || !isNumber(r.attempt) || !isString(r.error) || !isNumber(r.retryAt)) fail('attempt: missing fields');
      return value as unknown as AttemptRecord;
    case 'delivered':
      if (!isString(r.id) || !isString(r.sink) || !isNumber(r.attempt)) fail('delivered: missing fields');
      return value as unknown as DeliveredRecord;
    case 'dead':
      if (!isString(r.id) || !isString(r.sink) || !isNumber(r.attempts) || !isString(r.error)) fail('dead: missing fields');
      return value as unknown as DeadRecord;
    case 'superseded':
      if (!isString(r.id) || !isString(r.sink) || !isString(r.by)) fail('superseded: missing fields');
      return value as unknown as SupersededRecord;
    default:
      return fail(`unknown kind ${JSON.stringify(r.kind)}`);
  }
}
