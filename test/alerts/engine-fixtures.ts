/**
 * Test helpers for the alert engine: a fake clock that is also the
 * scheduler (time moves only when a test says so), conditions built with
 * the real fingerprint, and an engine that records its notifications.
 */
import { type AlertLabels, type AlertType, type Condition, type Severity, fingerprintOf } from '../../src/alerts/alert.js';
import { AlertEngine, type AlertEngineOptions, type AlertEvent } from '../../src/alerts/engine.js';
import type { Notification } from '../../src/alerts/notification.js';
import type { Scheduler } from '../../src/alerts/timer-wheel.js';

/** 2024-01-01T00:00:00Z: round, so tick-aligned arithmetic in tests reads plainly. */
export const T0 = Date.UTC(2024, 0, 1);

export class FakeClock implements Scheduler {
  time = T0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  readonly now = (): number => this.time;

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + Math.max(0, delayMs), fn: callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timers waiting. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running each timer at its time, in order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= target && (next === undefined || entry[1].at < next[1].at)) next = entry;
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = target;
  }
}

export function condition(
  over: { type?: AlertType; severity?: Severity; labels?: AlertLabels; summary?: string; asPath?: number[] } = {},
): Condition {
  const type = over.type ?? 'rpki-invalid';
  const severity = over.severity ?? 'critical';
  const labels: AlertLabels = { vif: 'dxvif-abc', prefix: '203.0.113.0/24', origin: '64511', ...over.labels, type, severity };
  return {
    fingerprint: fingerprintOf(type, labels),
    type,
    severity,
    labels,
    summary: over.summary ?? `${type} ${labels.prefix ?? ''} from AS${labels.origin ?? '?'} on ${labels.vif ?? '?'}`,
    description: 'test',
    ...(over.asPath === undefined ? {} : { asPath: over.asPath }),
    context: { vif: labels.vif },
    evidence: { state: 'invalid', reason: 'as' },
  };
}

/** The i-th of a flood: 203.0.{i>>8}.{i&255}/32 style prefixes under 10.0.0.0/8. */
export function floodCondition(i: number, over: { origin?: string; vif?: string } = {}): Condition {
  return condition({
    labels: { prefix: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`, origin: over.origin ?? '64511', vif: over.vif ?? 'dxvif-abc' },
  });
}

export interface Harness {
  clock: FakeClock;
  engine: AlertEngine;
  sent: Notification[];
  events: AlertEvent[];
}

/** An engine on a fake clock, 1 ms ticks unless told, recording notifications and events. */
export function harness(options: Partial<AlertEngineOptions> = {}, clock = new FakeClock()): Harness {
  const sent: Notification[] = [];
  const events: AlertEvent[] = [];
  const engine = new AlertEngine({
    tickMs: 1,
    ...options,
    notify: (n) => {
      sent.push(n);
      options.notify?.(n);
    },
    now: clock.now,
    scheduler: clock,
  });
  engine.on((e) => events.push(e));
  return { clock, engine, sent, events };
}

/** Seconds and minutes in ms, for readable timers. */
export const s = (n: number): number => n * 1000;
export const min = (n: number): number => n * 60_000;
