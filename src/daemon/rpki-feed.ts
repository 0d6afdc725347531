/**
 * The daemon's RPKI data: export files and URLs (a SourceSet) and RTR
 * caches (an RtrCacheSet), their union with the local SLURM exceptions
 * applied (RFC 8416 §4), published to the Validator whenever it changes.
 *
 * With RTR alone and no SLURM, the cache set's delta is exactly the
 * published change, so it is handed to the Validator, which then updates
 * its index in place (milliseconds) instead of comparing and rebuilding a
 * full set. Any other mix recomputes the delta (tens of milliseconds for
 * 800k VRPs), still far below how often RPKI data changes.
 *
 * The data is stale when no source is fresh: no file or URL loaded within
 * its maximum age and no RTR cache within its expire interval. Stale data
 * stays in use (dropping it would turn every route not-found, which hides
 * hijacks better than old data does); staleness is an event for alerts and
 * readiness.
 */
import { readFile } from 'node:fs/promises';
import type { RovdConfig, RtrCacheSettings } from '../config/config.js';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import type { Validator } from '../rov/validator.js';
import { EMPTY_PAYLOAD, type RpkiPayload, unionPayloads } from '../rpki/payload.js';
import { applySlurms, parseSlurmBytes, type Slurm } from '../rpki/slurm.js';
import { FileSource } from '../rpki/sources/file-source.js';
import { HttpSource } from '../rpki/sources/http-source.js';
import type { SourceStatus } from '../rpki/sources/source.js';
import { SourceSet } from '../rpki/sources/source-set.js';
import type { VrpDelta } from '../rpki/vrp-table.js';
import { RtrCacheSet, type RtrCacheSetChange } from '../rtr/cache-set.js';
import type { RtrSessionStatus } from '../rtr/session.js';
import type { RtrConnect } from '../rtr/session.js';
import { tcpTransport, tlsTransport } from '../rtr/transport.js';

export interface RpkiFeedOptions {
  readonly config: RovdConfig['rpki'];
  readonly validator: Validator;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export interface RpkiFeedStatus {
  readonly stale: boolean;
  readonly sources: readonly SourceStatus[];
  readonly rtr: readonly (RtrSessionStatus & { preference: number; inUse: boolean })[];
  readonly rtrInUse: string | undefined;
  readonly slurmFiles: readonly string[];
}

export class RpkiFeed {
  private readonly config: RovdConfig['rpki'];
  private readonly validator: Validator;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly sources: SourceSet | undefined;
  private readonly caches: RtrCacheSet | undefined;
  private slurms: readonly Slurm[] = [];
  private rtrPayload: RpkiPayload = EMPTY_PAYLOAD;
  private stale: boolean | undefined;
  private staleTimer: NodeJS.Timeout | undefined;
  private readonly staleListeners = new Set<(stale: boolean) => void>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(options: RpkiFeedOptions) {
    this.config = options.config;
    this.validator = options.validator;
    this.log = options.logger ?? NOOP_LOGGER;
    this.now = options.now ?? Date.now;
    const common = { logger: this.log, now: this.now, maxAgeMs: this.config.maxAgeSeconds * 1000 };
    const files = this.config.files.map((path) => new FileSource({ ...common, path }));
    const urls = this.config.urls.map((url) => new HttpSource({ ...common, url, intervalMs: this.config.httpIntervalSeconds * 1000 }));
    this.sources = files.length + urls.length > 0 ? new SourceSet([...files, ...urls], { logger: this.log, now: this.now }) : undefined;
    this.caches =
      this.config.rtr.length > 0
        ? new RtrCacheSet(
            this.config.rtr.map((c) => ({
              name: c.name,
              preference: c.preference,
              version: c.version,
              connect: connectTo(c),
              refreshSeconds: c.refreshSeconds,
              retrySeconds: c.retrySeconds,
              expireSeconds: c.expireSeconds,
            })),
            { logger: this.log, now: this.now },
          )
        : undefined;
  }

  /**
   * Reads the SLURM files (an error there stops the start: running without
   * the operator's exceptions would alert on what they declared fine),
   * starts the RTR sessions, and waits for each file or URL's first attempt.
   */
  async start(): Promise<void> {
    this.slurms = await Promise.all(this.config.slurm.map(async (file) => parseSlurmBytes(await readFile(file), file)));
    if (this.caches !== undefined) {
      this.unsubscribe.push(this.caches.onChange((c) => this.rtrChanged(c)));
      this.caches.start();
    }
    if (this.sources !== undefined) {
      this.unsubscribe.push(this.sources.onUpdate(() => this.publish(undefined)));
      await this.sources.start();
    }
    this.checkStale();
    this.staleTimer = setInterval(() => this.checkStale(), 10_000);
    this.staleTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.staleTimer);
    for (const off of this.unsubscribe.splice(0)) off();
    await Promise.all([this.sources?.stop(), this.caches?.stop()]);
  }

  /** Called with true when the data goes stale and false when fresh data is back. */
  onStale(listener: (stale: boolean) => void): () => void {
    this.staleListeners.add(listener);
    return () => this.staleListeners.delete(listener);
  }

  status(): RpkiFeedStatus {
    return {
      stale: this.isStale(),
      sources: this.sources?.status(this.now()) ?? [],
      rtr: this.caches?.status() ?? [],
      rtrInUse: this.caches?.current,
      slurmFiles: this.config.slurm,
    };
  }

  private rtrChanged(change: RtrCacheSetChange): void {
    this.rtrPayload = change.payload;
    this.publish({ added: change.added, removed: change.removed });
    this.checkStale();
  }

  /** Publishes the union; `rtrDelta` is the RTR side's own change, usable as is only when RTR is all there is. */
  private publish(rtrDelta: VrpDelta | undefined): void {
    const alone = this.sources === undefined && this.slurms.length === 0;
    const union = unionPayloads([...(this.sources ? [this.sources.payload] : []), this.rtrPayload]);
    const payload = this.slurms.length > 0 ? applySlurms(union, this.slurms) : union;
    const change = this.validator.publish(payload, alone ? rtrDelta : undefined);
    if (change !== undefined) {
      this.log.info(
        { generation: change.current.generation, vrps: change.current.vrps.size, added: change.delta.added.size, removed: change.delta.removed.size, affected: change.affected.length, buildMs: Math.round(change.buildMs * 10) / 10 },
        'rpki: published',
      );
    }
  }

  private isStale(): boolean {
    const nowMs = this.now();
    const sourcesFresh = this.sources !== undefined && !this.sources.stale(nowMs);
    const rtrFresh = this.caches !== undefined && this.caches.status().some((s) => !s.stale);
    return !sourcesFresh && !rtrFresh;
  }

  private checkStale(): void {
    const stale = this.isStale();
    if (stale === this.stale) return;
    this.stale = stale;
    if (stale) this.log.warn({}, 'rpki: no source is fresh; the last data stays in use');
    else this.log.info({}, 'rpki: data is fresh');
    for (const l of this.staleListeners) l(stale);
  }
}

function connectTo(c: RtrCacheSettings): RtrConnect {
  if (!c.tls) return tcpTransport(c.host, c.port);
  // Read once per connection attempt, so a renewed certificate is picked up without a restart.
  return async () => {
    const read = async (f: string | undefined) => (f === undefined ? undefined : await readFile(f));
    const [ca, cert, key] = await Promise.all([read(c.caFile), read(c.certFile), read(c.keyFile)]);
    return tlsTransport(c.host, c.port, { ca, cert, key })();
  };
}
