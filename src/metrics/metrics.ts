/**
 * rovd's Prometheus metrics: one Registry per daemon (never prom-client's
 * global one, so tests and several daemons in one process do not share
 * series), filled at scrape time from the daemon's components.
 *
 *   const metrics = createMetrics(daemon);
 *   // GET /metrics:
 *   reply.type(metrics.contentType).send(await metrics.render());
 *   …
 *   metrics.close();
 *
 * A scrape reads counts the components keep anyway (tables, VIFs,
 * sessions, sinks); it never walks routes. The only thing done between
 * scrapes is a cheap BMP event listener (BmpTally) for what the station
 * does not keep. The catalogue is docs/metrics.md.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Daemon } from '../daemon/daemon.js';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import { registerAlertMetrics } from './alert-metrics.js';
import { registerAwsMetrics } from './aws-metrics.js';
import { registerBmpMetrics } from './bmp-metrics.js';
import { BmpTally } from './bmp-tally.js';
import { registerBuildInfo, rovdVersion } from './build-info.js';
import { registerDetectionMetrics } from './detection-metrics.js';
import { registerParseErrorMetrics } from './parse-error-metrics.js';
import { registerRibMetrics } from './rib-metrics.js';
import { registerRpkiMetrics } from './rpki-metrics.js';
import type { CollectErrorHandler } from './scraped.js';
import { ValidationLatency, type ValidationTimerEnd } from './validation-latency.js';

export interface MetricsOptions {
  /** Node.js process_* and nodejs_* metrics (prom-client's defaults, standard names); default true. */
  readonly defaultMetrics?: boolean;
  /** Where a metric that failed to collect is logged; default none. */
  readonly logger?: Logger;
  /** rovd_build_info's version label; default the package version. */
  readonly version?: string;
  /** Routers whose ended sessions' counts are remembered; default 1024 (the station's default maxRouters). */
  readonly maxRouters?: number;
}

export interface RovdMetrics {
  readonly registry: Registry;
  /** The exposition format's Content-Type, for the /metrics response. */
  readonly contentType: string;
  /** The text exposition of every metric, read now. */
  render(): Promise<string>;
  /** Records one UPDATE's arrival-to-validation time, in seconds, for a VIF label. */
  observeValidationLatency(seconds: number, vif: string): void;
  /** Starts a monotonic timer; calling the result with the VIF records and returns the seconds. */
  startValidationTimer(): ValidationTimerEnd;
  /**
   * Stops listening to the daemon and empties the registry. prom-client's
   * default metrics keep an event-loop-delay monitor and a GC observer it
   * offers no way to stop; neither holds the process open.
   */
  close(): void;
}

export function createMetrics(daemon: Daemon, options: MetricsOptions = {}): RovdMetrics {
  const log = options.logger ?? NOOP_LOGGER;
  const registry = new Registry();
  // One line per failing metric per scrape at most: the scrape itself goes on.
  const onError: CollectErrorHandler = (metric, err) => log.error({ err, metric }, 'metrics: collect failed');

  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  registerBuildInfo(registry, options.version ?? rovdVersion());
  const tally = new BmpTally(options.maxRouters);
  const unsubscribe = daemon.station.onEvent(tally.onEvent);
  registerRibMetrics(registry, daemon, onError);
  registerRpkiMetrics(registry, daemon, onError);
  registerBmpMetrics(registry, daemon, tally, onError);
  registerParseErrorMetrics(registry, daemon, tally, onError);
  registerAlertMetrics(registry, daemon, onError);
  registerDetectionMetrics(registry, daemon, onError);
  registerAwsMetrics(registry, daemon, onError);
  const latency = new ValidationLatency(registry);
  daemon.ingest.observeLatency((seconds, vif) => latency.observe(seconds, vif));

  let closed = false;
  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    observeValidationLatency: (seconds, vif) => latency.observe(seconds, vif),
    startValidationTimer: () => latency.startTimer(),
    close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      daemon.ingest.observeLatency(undefined);
      registry.clear();
    },
  };
}
