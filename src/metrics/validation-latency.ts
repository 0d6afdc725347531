/**
 * rovd_update_validation_seconds: from a BGP UPDATE arriving to its routes
 * being validated and held, per VIF. Buckets from 10 µs (one route found
 * in the index) to 1 s (a stalled event loop).
 *
 * Fed by the ingest path, which is where both ends are known: it calls
 * observe() with a duration it measured, or takes a timer from
 * startTimer() when the bytes arrive and stops it with the VIF once the
 * RIB has the routes. BMP events carry only a wall-clock `at` in
 * milliseconds, taken when the event is made (after decoding), so the
 * metrics cannot measure this on their own.
 */
import { Histogram, type Registry } from 'prom-client';

export const VALIDATION_BUCKETS_SECONDS = [1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1] as const;

/** Stops a timer: records the time since it started for `vif` and returns it in seconds. */
export type ValidationTimerEnd = (vif: string) => number;

export class ValidationLatency {
  private readonly histogram: Histogram<'vif'>;

  constructor(registry: Registry) {
    this.histogram = new Histogram({
      name: 'rovd_update_validation_seconds',
      help: 'Time from a BGP UPDATE arriving (BMP Route Monitoring) to its routes being validated and held, by VIF.',
      labelNames: ['vif'],
      buckets: [...VALIDATION_BUCKETS_SECONDS],
      registers: [registry],
    });
  }

  /** `vif` is a VIF label (`dxvif-…` or `unmapped`): never a prefix or anything unbounded. */
  observe(seconds: number, vif: string): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    this.histogram.observe({ vif }, seconds);
  }

  /** A monotonic timer (performance.now(), not the wall clock: NTP steps must not make negative latencies). */
  startTimer(): ValidationTimerEnd {
    const started = performance.now();
    return (vif) => {
      const seconds = (performance.now() - started) / 1000;
      this.observe(seconds, vif);
      return seconds;
    };
  }
}
