/**
 * Test doubles for the outbox: a fake clock with one-shot timers (time
 * moves only when the test says), a sink whose answers the test hands out
 * one by one, and waiting for an outbox event with a real-time bound.
 */
import type { DeliveryResult, Notification, Sink } from '../../src/alerts/notification.js';
import type { Outbox, OutboxEvent } from '../../src/alerts/outbox.js';
import type { Timers } from '../../src/alerts/delivery/timers.js';
import { T0 } from './sinks/fixtures.js';

interface FakeTimer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

export class FakeTime implements Timers {
  now = T0;
  /** Every delay asked for, in order (timeouts included). */
  readonly requested: number[] = [];
  private timers: FakeTimer[] = [];
  private nextId = 1;
  readonly clock = (): number => this.now;

  setTimeout(fn: () => void, ms: number): number {
    const id = this.nextId++;
    this.requested.push(ms);
    this.timers.push({ id, at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, running due timers in time order (and letting promises settle between them). */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.now = next.at;
      next.fn();
      await settle();
    }
    this.now = end;
    await settle();
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A sink that answers when the test says: each call waits for `answer()` (or its abort signal). */
export class ManualSink implements Sink {
  readonly kind = 'webhook';
  readonly calls: Array<{ notification: Notification; signal: AbortSignal; answer: (r: DeliveryResult) => void }> = [];
  constructor(readonly name: string) {}

  deliver(notification: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    return new Promise((resolve) => {
      this.calls.push({ notification, signal, answer: resolve });
    });
  }

  get ids(): string[] {
    return this.calls.map((c) => c.notification.id);
  }
}

/** A sink that answers at once from a list (the last answer repeats). */
export class ScriptedSink implements Sink {
  readonly kind = 'webhook';
  readonly ids: string[] = [];
  constructor(
    readonly name: string,
    private readonly answers: DeliveryResult[] = [{ ok: true, status: 200 }],
  ) {}

  deliver(notification: Notification): Promise<DeliveryResult> {
    const answer = this.answers[Math.min(this.ids.length, this.answers.length - 1)]!;
    this.ids.push(notification.id);
    return Promise.resolve(answer);
  }
}

/** Records events; `next(type)` resolves with the next one of that type not yet taken (bounded in real time). */
export class EventLog {
  readonly events: OutboxEvent[] = [];
  private taken = new Set<OutboxEvent>();
  private waiters: Array<() => void> = [];

  constructor(outbox: Outbox) {
    outbox.onEvent((e) => {
      this.events.push(e);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  of<K extends OutboxEvent['type']>(type: K): Array<Extract<OutboxEvent, { type: K }>> {
    return this.events.filter((e): e is Extract<OutboxEvent, { type: K }> => e.type === type);
  }

  async next<K extends OutboxEvent['type']>(type: K, timeoutMs = 5000): Promise<Extract<OutboxEvent, { type: K }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.of(type).find((e) => !this.taken.has(e));
      if (found) {
        this.taken.add(found);
        return found;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} event within ${timeoutMs} ms; saw ${this.events.map((e) => e.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
