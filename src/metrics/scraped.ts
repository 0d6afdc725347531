/**
 * Metrics whose values are read from the daemon when Prometheus scrapes,
 * not pushed by the code that changes them: the hot paths (ingest,
 * validation, detection) keep their plain counters and know nothing of
 * Prometheus, and a scrape costs one pass over tables, VIFs and sinks.
 *
 * Each metric is a prom-client Gauge or Counter with a collect() that
 * resets it and re-adds every sample the reader yields. Resetting drops
 * label sets that are gone (a VIF whose tables were dropped, a router
 * that left), and adding (not setting) sums samples with equal labels:
 * a reader can yield one sample per table and get one series per VIF.
 *
 * Counters are read as the cumulative value their source holds. prom-client's
 * Counter only increments, so collect() resets it and increments it by the
 * whole count: the exposition says TYPE counter and the value is exactly the
 * source's. When the source starts again from zero (a router reconnects, the
 * daemon restarts) the series goes down, which Prometheus' rate() reads as
 * a counter reset, as it should.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** One sample: a value for a label set (every label named, values as strings). */
export interface Sample<L extends string> {
  readonly labels: Readonly<Record<L, string>>;
  readonly value: number;
}

export interface ScrapedSpec<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  /** Called once per scrape; must not walk routes. */
  readonly read: () => Iterable<Sample<L>>;
}

/** What a failed reader does: the metric stays empty for this scrape, the scrape goes on. */
export type CollectErrorHandler = (metric: string, err: unknown) => void;

export function scrapedGauge<L extends string>(registry: Registry, spec: ScrapedSpec<L>, onError: CollectErrorHandler): Gauge<L> {
  return new Gauge<L>(scrapedConfiguration(registry, spec, onError));
}

export function scrapedCounter<L extends string>(registry: Registry, spec: ScrapedSpec<L>, onError: CollectErrorHandler): Counter<L> {
  return new Counter<L>(scrapedConfiguration(registry, spec, onError));
}

/**
 * What a gauge and a counter read at scrape time share: the metric is
 * rebuilt from the reader on every collect; a reader that throws leaves it
 * empty for this scrape and reports the error.
 */
function scrapedConfiguration<L extends string>(registry: Registry, spec: ScrapedSpec<L>, onError: CollectErrorHandler) {
  return {
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames,
    registers: [registry],
    collect(this: { reset(): void; inc(labels: Readonly<Record<L, string>>, value: number): void }) {
      this.reset();
      try {
        for (const s of spec.read()) this.inc(s.labels, s.value);
      } catch (err) {
        this.reset();
        onError(spec.name, err);
      }
    },
  };
}

/** A single unlabelled sample. */
export function one(value: number): Sample<never>[] {
  return [{ labels: {}, value }];
}
