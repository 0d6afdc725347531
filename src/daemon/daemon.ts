/**
 * rovd as a long-running process: RPKI data in (files, URLs, RTR caches,
 * SLURM), BGP routes in (the BMP station), every held route validated and
 * revalidated when the VRPs change.
 *
 *   RpkiFeed ──publish──▶ Validator ──onChange(affected)──▶ Rib.revalidate
 *   BmpStation ──events──▶ BmpIngest ──applyUpdate──▶ Rib (validated on insert)
 *
 * Everything it owns is made in the constructor from the config and
 * started in start(); stop() undoes it all (no timer, socket or listener
 * left), so a test can run several daemons in one process.
 */
import { BmpStation } from '../bmp/station.js';
import type { RovdConfig } from '../config/config.js';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import { type RibStats, Rib } from '../rib/rib.js';
import { Validator } from '../rov/validator.js';
import { RovState } from '../rov/validity.js';
import { VifMap } from '../vif/vif-map.js';
import { BmpIngest } from './bmp-ingest.js';
import { RpkiFeed } from './rpki-feed.js';

export interface DaemonOptions {
  readonly config: RovdConfig;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** How often to log a summary of the held routes; 0 turns it off. Default 60 s. */
  readonly summaryIntervalMs?: number;
}

export interface DaemonStatus {
  readonly rpki: ReturnType<RpkiFeed['status']>;
  readonly vrps: number;
  readonly generation: number;
  readonly routes: { readonly valid: number; readonly invalid: number; readonly notFound: number; readonly stale: number };
  readonly rib: RibStats;
  readonly routers: ReturnType<BmpStation['routers']>;
}

export class Daemon {
  readonly config: RovdConfig;
  readonly validator: Validator;
  readonly rib: Rib;
  readonly vifs: VifMap;
  readonly feed: RpkiFeed;
  readonly station: BmpStation;
  readonly ingest: BmpIngest;
  private readonly log: Logger;
  private readonly summaryIntervalMs: number;
  private summaryTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(options: DaemonOptions) {
    const { config } = options;
    this.config = config;
    this.log = options.logger ?? NOOP_LOGGER;
    const now = options.now ?? Date.now;
    this.summaryIntervalMs = options.summaryIntervalMs ?? 60_000;
    this.validator = new Validator({ now });
    this.rib = new Rib({ index: this.validator.snapshot.vrps, now, logger: this.log });
    this.vifs = new VifMap(config.vifs);
    this.feed = new RpkiFeed({ config: config.rpki, validator: this.validator, logger: this.log, now });
    this.station = new BmpStation({
      host: config.bmp.host,
      port: config.bmp.port,
      allow: config.bmp.allow,
      maxMessageBytes: config.bmp.maxMessageBytes,
      logger: this.log,
      now,
    });
    this.ingest = new BmpIngest({ rib: this.rib, vifs: this.vifs, staleGraceMs: config.bmp.staleGraceSeconds * 1000, logger: this.log });
  }

  /** Starts the RPKI sources (waiting for the files' first load), then the BMP station. */
  async start(): Promise<{ bmp: { host: string; port: number } }> {
    this.unsubscribe.push(
      this.validator.onChange((change) => {
        const started = performance.now();
        const outcome = this.rib.revalidate(change.affected, change.current.vrps);
        this.log.info({ generation: change.current.generation, affected: change.affected.length, visited: outcome.visited, changed: outcome.changed, ms: Math.round((performance.now() - started) * 10) / 10 }, 'rib: revalidated');
      }),
    );
    this.unsubscribe.push(this.station.onEvent((event) => this.ingest.handle(event)));
    await this.feed.start();
    const bmp = await this.station.start();
    if (this.summaryIntervalMs > 0) {
      this.summaryTimer = setInterval(() => this.log.info(this.summary(), 'rib: summary'), this.summaryIntervalMs);
      this.summaryTimer.unref();
    }
    this.log.info({ bmp, vifs: this.vifs.vifs.length, vrps: this.validator.snapshot.vrps.size }, 'rovd: running');
    return { bmp };
  }

  async stop(): Promise<void> {
    clearInterval(this.summaryTimer);
    for (const off of this.unsubscribe.splice(0)) off();
    this.ingest.stop();
    await this.station.stop();
    await this.feed.stop();
    this.log.info({}, 'rovd: stopped');
  }

  status(): DaemonStatus {
    const snapshot = this.validator.snapshot;
    return {
      rpki: this.feed.status(),
      vrps: snapshot.vrps.size,
      generation: snapshot.generation,
      routes: this.routeCounts(),
      rib: this.rib.stats(),
      routers: this.station.routers(),
    };
  }

  private routeCounts(): DaemonStatus['routes'] {
    return {
      valid: this.rib.count(undefined, RovState.Valid),
      invalid: this.rib.count(undefined, RovState.Invalid),
      notFound: this.rib.count(undefined, RovState.NotFound),
      stale: this.rib.staleCount(),
    };
  }

  private summary(): object {
    return { routes: this.routeCounts(), routers: this.station.routers().length, vrps: this.validator.snapshot.vrps.size, rpkiStale: this.feed.status().stale };
  }
}
