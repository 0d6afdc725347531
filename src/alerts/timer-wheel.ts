/**
 * One timer for the whole alert engine. A flood of 10,000 pending alerts
 * must not become 10,000 setTimeouts, so deadlines are rounded up to a
 * tick (`tickMs`) and kept in slots: a Map from slot number to the keys due
 * in it, and a min-heap of the slot numbers that exist. Only the earliest
 * slot holds a real timer.
 *
 * Cost: schedule() is O(1) when the slot exists (a burst lands in a few
 * slots) and O(log S) for a new slot, S = slots in use, which is bounded by
 * the span of deadlines over tickMs, not by the number of keys.
 *
 * Cancellation is lazy: a key stays in its slot and, when the slot comes,
 * the owner checks whether the key is still due (its state holds the real
 * deadline). A key is held once per slot, so a flapping key costs one
 * entry per slot, not one per flap. Keys are the owner's state objects
 * themselves (identity hashing: no key strings built per deadline).
 */
import { type Logger, NOOP_LOGGER } from '../log/logger.js';

/** setTimeout/clearTimeout, injectable so tests drive time. */
export interface Scheduler {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers, unref'd: a pending alert timer alone must not keep the process alive. */
export const NODE_SCHEDULER: Scheduler = Object.freeze({
  setTimeout(callback: () => void, delayMs: number): unknown {
    return setTimeout(callback, delayMs).unref();
  },
  clearTimeout(handle: unknown): void {
    clearTimeout(handle as NodeJS.Timeout);
  },
});

export class TimerWheel<K> {
  private readonly slots = new Map<number, Set<K>>();
  private readonly heap: number[] = [];
  private armedSlot: number | undefined;
  private handle: unknown;
  private closed = false;

  constructor(
    private readonly tickMs: number,
    private readonly now: () => number,
    private readonly scheduler: Scheduler,
    /** Called for each key whose slot came; it decides whether the key is still due. */
    private readonly onDue: (key: K) => void,
    private readonly log: Logger = NOOP_LOGGER,
  ) {}

  /** Calls onDue(key) at or after `at` (ms since the epoch), within one tick. */
  schedule(key: K, at: number): void {
    if (this.closed) return;
    const slot = Math.ceil(at / this.tickMs);
    let keys = this.slots.get(slot);
    if (keys === undefined) {
      keys = new Set();
      this.slots.set(slot, keys);
      this.push(slot);
    }
    keys.add(key);
    if (this.armedSlot === undefined || slot < this.armedSlot) this.arm();
  }

  /** Keys held (a key in two slots counts twice); for tests and stats. */
  get size(): number {
    let n = 0;
    for (const keys of this.slots.values()) n += keys.size;
    return n;
  }

  /** Stops the timer and forgets every key. */
  close(): void {
    this.closed = true;
    if (this.handle !== undefined) this.scheduler.clearTimeout(this.handle);
    this.handle = undefined;
    this.armedSlot = undefined;
    this.slots.clear();
    this.heap.length = 0;
  }

  private arm(): void {
    if (this.handle !== undefined) this.scheduler.clearTimeout(this.handle);
    this.handle = undefined;
    this.armedSlot = this.heap[0];
    if (this.armedSlot === undefined) return;
    const delay = Math.max(0, this.armedSlot * this.tickMs - this.now());
    this.handle = this.scheduler.setTimeout(() => {
      this.handle = undefined;
      this.armedSlot = undefined;
      this.run();
    }, delay);
  }

  private run(): void {
    // Keys scheduled by onDue for a slot already passed are picked up by the same loop.
    while (!this.closed && this.heap.length > 0 && this.heap[0] * this.tickMs <= this.now()) {
      const slot = this.pop();
      const keys = this.slots.get(slot);
      this.slots.delete(slot);
      for (const key of keys ?? []) {
        try {
          this.onDue(key);
        } catch (err) {
          this.log.error({ err }, 'alert timer callback failed');
        }
      }
    }
    if (!this.closed) this.arm();
  }

  private push(slot: number): void {
    const h = this.heap;
    let i = h.push(slot) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent] <= slot) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = slot;
  }

  private pop(): number {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as number;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r] < h[l] ? r : l;
        if (h[c] >= last) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
