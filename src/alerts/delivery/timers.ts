/**
 * The outbox's view of time: a clock and one-shot timers, injectable so
 * tests drive backoff and timeouts without sleeping.
 */

export type TimerHandle = unknown;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const REAL_TIMERS: Timers = Object.freeze({
  setTimeout: (fn: () => void, ms: number): TimerHandle => setTimeout(fn, ms),
  clearTimeout: (handle: TimerHandle): void => clearTimeout(handle as NodeJS.Timeout),
});
