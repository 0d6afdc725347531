/**
 * Silences, Alertmanager's model: a list of matchers and a time window.
 * An alert whose labels match an active silence still lives its whole
 * lifecycle and stays visible in queries; the engine leaves it out of
 * notifications. Expiring a silence sets its end to now (it is kept, as
 * Alertmanager keeps expired silences, until the retention sweep).
 */
import type { AlertLabels } from './alert.js';
import { type Matcher, type MatcherInput, compileMatchers, toMatchers } from './matchers.js';

export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  /** ms since the epoch. */
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
}

export interface SilenceInput {
  /** Text (`{type="rpki-invalid", origin="64511"}`) or a list; at least one matcher. */
  readonly matchers: string | readonly MatcherInput[];
  /** Default: now. */
  readonly startsAt?: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment?: string;
}

export type SilenceState = 'pending' | 'active' | 'expired';

export class SilenceError extends Error {
  override readonly name = 'SilenceError';
}

export function silenceState(s: Silence, now: number): SilenceState {
  if (now >= s.endsAt) return 'expired';
  return now < s.startsAt ? 'pending' : 'active';
}

/** The silences and their compiled matchers. */
export class SilenceSet {
  private readonly entries = new Map<string, { silence: Silence; test: (labels: AlertLabels) => boolean }>();

  /** Checks and adds; the input's errors name the field. */
  add(input: SilenceInput, id: string, now: number): Silence {
    const matchers = toMatchers(input.matchers);
    if (matchers.length === 0) throw new SilenceError('silence: at least one matcher is needed (a silence of everything is refused)');
    const startsAt = input.startsAt ?? now;
    if (!Number.isFinite(startsAt)) throw new SilenceError('silence: startsAt must be a time in ms since the epoch');
    if (!Number.isFinite(input.endsAt)) throw new SilenceError('silence: endsAt must be a time in ms since the epoch');
    if (input.endsAt <= startsAt) throw new SilenceError('silence: endsAt must be after startsAt');
    if (input.endsAt <= now) throw new SilenceError('silence: endsAt is in the past');
    if (typeof input.createdBy !== 'string' || input.createdBy.trim() === '') throw new SilenceError('silence: createdBy is required');
    if (this.entries.has(id)) throw new SilenceError(`silence: id ${id} exists`);
    const silence: Silence = Object.freeze({
      id,
      matchers: Object.freeze(matchers),
      startsAt,
      endsAt: input.endsAt,
      createdBy: input.createdBy,
      comment: input.comment ?? '',
    });
    this.put(silence);
    return silence;
  }

  /** Puts a silence as it is (restore). */
  put(silence: Silence): void {
    this.entries.set(silence.id, { silence, test: compileMatchers(silence.matchers) });
  }

  get(id: string): Silence | undefined {
    return this.entries.get(id)?.silence;
  }

  list(): Silence[] {
    return [...this.entries.values()].map((e) => e.silence);
  }

  /** Ends a pending or active silence now; false when unknown or already expired. */
  expire(id: string, now: number): Silence | undefined {
    const e = this.entries.get(id);
    if (e === undefined || silenceState(e.silence, now) === 'expired') return undefined;
    // A pending silence that is expired gets an empty window (startsAt = endsAt), still "expired".
    const silence = Object.freeze({ ...e.silence, startsAt: Math.min(e.silence.startsAt, now), endsAt: now });
    this.entries.set(id, { silence, test: e.test });
    return silence;
  }

  /** Ids of the silences active at `now` that match. */
  matching(labels: AlertLabels, now: number): string[] {
    const out: string[] = [];
    for (const { silence, test } of this.entries.values()) {
      if (silenceState(silence, now) === 'active' && test(labels)) out.push(silence.id);
    }
    return out;
  }

  /** True when any active silence matches (stops at the first). */
  silences(labels: AlertLabels, now: number): boolean {
    for (const { silence, test } of this.entries.values()) {
      if (silenceState(silence, now) === 'active' && test(labels)) return true;
    }
    return false;
  }

  /** Drops silences that ended at or before `cutoff`; returns how many. */
  purge(cutoff: number): number {
    let n = 0;
    for (const [id, e] of this.entries) {
      if (e.silence.endsAt <= cutoff) {
        this.entries.delete(id);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.entries.size;
  }
}
