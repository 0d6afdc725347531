/**
 * rovd as a long-running process: RPKI data in (files, URLs, RTR caches,
 * SLURM), BGP routes in (the BMP station), every held route validated and
 * revalidated when the VRPs change, problems detected and notified.
 *
 *   RpkiFeed ──publish──▶ Validator ──onChange(affected)──▶ Rib.revalidate
 *   BmpStation ──events──▶ BmpIngest ──applyUpdate──▶ Rib (validated on insert)
 *   Rib events, BMP sessions, RPKI staleness ──▶ Detection ──conditions──▶
 *   AlertEngine (hold-down, groups, routes) ──notifications──▶ Outbox
 *   (journal first, then each sink with retries) ──▶ webhook, Slack,
 *   PagerDuty, Alertmanager
 *
 * With `aws.directConnect`, a DirectConnectWatch discovers VIFs (merged with
 * the configured ones) and polls their routes into the RIB as a second,
 * `aws-api`, view of each VIF.
 *
 * Everything it owns is made in the constructor from the config and
 * started in start(); stop() undoes it all (no timer, socket or listener
 * left), so a test can run several daemons in one process.
 */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { AlertEngine } from '../alerts/engine.js';
import type { Notification } from '../alerts/notification.js';
import { AlertState } from '../alerts/persistence.js';
import { Outbox, type OutboxOptions } from '../alerts/outbox.js';
import { type AlertType, type Condition, type ConditionSink, fingerprintOf } from '../alerts/alert.js';
import { makeSink } from '../alerts/sinks/make-sink.js';
import { ApiTally } from '../aws/api-tally.js';
import { DirectConnectWatch } from '../aws/direct-connect-watch.js';
import type { DirectConnectApi } from '../aws/direct-connect-types.js';
import { directConnectClientFor } from '../aws/make-api.js';
import { AwsRouteFeed } from '../aws/route-feed.js';
import { mergeVifs } from '../aws/vif-merge.js';
import { BmpStation } from '../bmp/station.js';
import type { DirectConnectAccount } from '../config/aws-config.js';
import type { RovdConfig } from '../config/config.js';
import { Detection } from '../detect/detection.js';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import { FileJournal } from '../store/journal.js';
import type { Journal } from '../store/journal.js';
import { MemoryJournal } from '../store/memory-journal.js';
import { StoreLock } from '../store/store-lock.js';
import { VrpSnapshots } from '../store/vrp-snapshots.js';
import { type RibStats, Rib } from '../rib/rib.js';
import { Validator } from '../rov/validator.js';
import { RovState } from '../rov/validity.js';
import type { Vif } from '../vif/vif.js';
import { VifMap } from '../vif/vif-map.js';
import { BmpIngest } from './bmp-ingest.js';
import { RpkiFeed } from './rpki-feed.js';

export interface DaemonOptions {
  readonly config: RovdConfig;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** How often to log a summary of the held routes; 0 turns it off. Default 60 s. */
  readonly summaryIntervalMs?: number;
  /** How often detection's periodic checks run (prefix limits, visibility); default 5 s. */
  readonly detectionTickMs?: number;
  /** The alert engine's timer resolution; default 1 s. */
  readonly alertTickMs?: number;
  /** Repair damaged journals in store.dir (keep every readable record, set the damaged file aside) instead of refusing to start (`rovd run --repair`). */
  readonly repair?: boolean;
  /** Direct Connect's API for an account and region (default: the real client, src/aws/make-api.ts). */
  readonly directConnectApi?: (account: DirectConnectAccount, region: string) => DirectConnectApi;
}

/** Alert types detection re-derives from held routes and periodic checks; others (sessions, staleness, lost ROAs) carry over a reload. */
const RECHECKED_TYPES: ReadonlySet<AlertType> = new Set(['rpki-invalid', 'aspa-invalid', 'origin-hijack', 'subprefix-hijack', 'own-prefix-missing', 'unexpected-prefix', 'prefix-limit']);

/**
 * Alerts restored at start that detection derives again from routes and
 * periodic checks; one it has not raised again once the routers had time
 * to resend their tables no longer holds (its route went while rovd was
 * down) and is cleared. Lost-ROA alerts are not among them: the VRPs that
 * raised them are gone, so nothing could raise them again.
 */
const REDERIVED_AFTER_RESTART: ReadonlySet<AlertType> = new Set([...RECHECKED_TYPES, 'route-divergence']);

/** What a rebuild of the VIFs and detection did. */
interface Rebuilt {
  readonly rescanned: number;
  readonly cleared: number;
}

/** How often the journals' health is checked (store-write-failed). */
const STORE_CHECK_MS = 5000;

function storeCondition(journal: string, errors: number, dir: string | undefined): Condition {
  const labels = { type: 'store-write-failed', severity: 'critical', journal };
  return Object.freeze({
    fingerprint: fingerprintOf('store-write-failed', labels),
    type: 'store-write-failed',
    severity: 'critical',
    labels,
    summary: `rovd cannot write its ${journal} journal${dir === undefined ? '' : ` in ${dir}`}`,
    description: `Writes to the ${journal} journal fail (${errors} so far; disk full or an I/O error, see the log). rovd keeps running and retries; until a write succeeds, a restart could lose ${journal === 'outbox' ? 'notifications not yet recorded' : 'alert state changes'}. Free space or fix the volume.`,
    context: {},
    evidence: { details: { journal, errors } },
  } satisfies Condition);
}

export interface DaemonStatus {
  readonly rpki: ReturnType<RpkiFeed['status']>;
  readonly vrps: number;
  readonly generation: number;
  readonly routes: { readonly valid: number; readonly invalid: number; readonly notFound: number; readonly stale: number };
  readonly rib: RibStats;
  readonly routers: ReturnType<BmpStation['routers']>;
  readonly alerts: ReturnType<AlertEngine['counts']>;
  readonly detection: ReturnType<Detection['counts']>;
  readonly outbox: ReturnType<Outbox['stats']> | undefined;
  readonly alertState: ReturnType<AlertState['stats']> | undefined;
}

export class Daemon {
  /** Replaced by reload(). */
  config: RovdConfig;
  readonly validator: Validator;
  readonly rib: Rib;
  /** The configured VIFs merged with the discovered ones; replaced by reload() and by discovery. */
  vifs: VifMap;
  /** VIFs and routes from Direct Connect's API; undefined without `aws.directConnect`. */
  readonly directConnect: DirectConnectWatch | undefined;
  /** Direct Connect API attempts, for metrics. */
  readonly awsCalls = new ApiTally();
  /** The VIFs the last discovery found (merged with config.vifs into `vifs`). */
  private discoveredVifs: readonly Vif[] = [];
  readonly feed: RpkiFeed;
  readonly station: BmpStation;
  readonly ingest: BmpIngest;
  /** Replaced by reload(). */
  detection: Detection;
  readonly alerts: AlertEngine;
  /** Every published VRP set, content-addressed (`<store.dir>/vrp-sets`, or memory); alerts name their CIDs. */
  readonly vrpSets: VrpSnapshots;
  /** Made in start() (opening the journal is asynchronous). */
  outbox: Outbox | undefined;
  private journal: Journal | undefined;
  /** The alert engine's state journal (`<store.dir>/alerts.journal`, or memory); made in start(). */
  alertState: AlertState | undefined;
  private alertJournal: Journal | undefined;
  /** Held while running with a store.dir. */
  private storeLock: StoreLock | undefined;
  private readonly repair: boolean;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly detectionTickMs: number | undefined;
  /** Notifications the engine produced before the outbox was open (none in practice: nothing raises before start). */
  private readonly early: Notification[] = [];
  private readonly summaryIntervalMs: number;
  private storeTimer: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  /** Journal write errors seen at the last store check, per journal. */
  private readonly storeErrorsSeen = new Map<string, number>();
  private summaryTimer: NodeJS.Timeout | undefined;
  /** True while the BMP station listens. */
  listening = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(options: DaemonOptions) {
    const { config } = options;
    this.config = config;
    this.log = options.logger ?? NOOP_LOGGER;
    const now = options.now ?? Date.now;
    this.now = now;
    this.summaryIntervalMs = options.summaryIntervalMs ?? 60_000;
    this.repair = options.repair ?? false;
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
      // Decoding on a thread per router leaves the main thread to the RIB: ~390k routes/s instead of ~290k (docs/benchmarks.md).
      offThread: config.bmp.decodeThread,
    });
    this.ingest = new BmpIngest({ rib: this.rib, vifs: this.vifs, staleGraceMs: config.bmp.staleGraceSeconds * 1000, logger: this.log });
    const a = config.alerts;
    this.alerts = new AlertEngine({
      notify: (n) => this.notify(n),
      now,
      ...(options.alertTickMs === undefined ? {} : { tickMs: options.alertTickMs }),
      log: this.log,
      holdDown: { fireMs: a.holdDown.fireMs, resolveMs: a.holdDown.resolveMs, byType: a.holdDown.byType },
      grouping: a.grouping,
      routing: { routes: a.routes, defaultSinks: a.defaultSinks },
      retention: a.retention,
    });
    this.vrpSets = new VrpSnapshots({
      ...(config.store.dir === undefined ? {} : { dir: join(config.store.dir, 'vrp-sets') }),
      keep: config.store.keepVrpSets,
      // Sets named by an alert the engine still holds are kept besides the last keepVrpSets.
      referenced: () => this.alerts.alerts().map((a) => a.evidence.vrpSet ?? ''),
      logger: this.log,
    });
    this.detectionTickMs = options.detectionTickMs;
    this.detection = this.makeDetection(config);
    const dc = config.directConnect;
    this.directConnect =
      dc === undefined
        ? undefined
        : new DirectConnectWatch({
            settings: dc,
            limits: config.detection.prefixLimit.limits,
            makeApi: options.directConnectApi ?? ((account, region) => directConnectClientFor(dc, account, region, this.log, this.awsCalls)),
            feed: new AwsRouteFeed(this.rib, this.log),
            vifs: (id) => this.vifs.get(id),
            onDiscovered: (vifs) => this.onDiscovered(vifs),
            onVif: (vif) => this.detection.onAwsVif(vif),
            sink: this.alerts,
            logger: this.log,
            now,
          });
  }

  /** Detection for `config`, writing to `sink` (the engine; reload() passes a recorder in front of it). */
  private makeDetection(config: RovdConfig, sink: ConditionSink = this.alerts): Detection {
    return new Detection({
      settings: config.detection,
      vifs: this.vifs,
      rib: this.rib,
      validator: this.validator,
      sink,
      now: this.now,
      logger: this.log,
      vrpSets: this.vrpSets,
      lastPoll: (vifId) => this.directConnect?.pollOf(vifId)?.lastPoll,
      ...(this.detectionTickMs === undefined ? {} : { tickMs: this.detectionTickMs }),
    });
  }

  /**
   * Applies a new config without dropping BMP or RTR sessions: VIFs, own
   * prefixes, detection settings, alert routing and sinks. The caller has
   * already checked it (a bad file never gets here). Detection is rebuilt
   * with the new settings and re-checks every held route it looks at; the
   * route alerts it no longer raises are cleared. Listen addresses, the
   * store and the RPKI sources need a restart: a change there is logged and
   * the running value kept. Returns what changed.
   */
  reload(config: RovdConfig): { readonly restartNeeded: readonly string[]; readonly rescanned: number; readonly cleared: number } {
    const old = this.config;
    const restartNeeded: string[] = (['rpki', 'bmp', 'store', 'directConnect'] as const).filter((k) => JSON.stringify(old[k]) !== JSON.stringify(config[k]));
    // Of the API, only where it listens and its TLS need a restart; keys, policy and limits are applied by the API's owner (serve.ts).
    const httpPlace = (c: RovdConfig) => JSON.stringify([c.http.host, c.http.port, c.http.tls]);
    if (httpPlace(old) !== httpPlace(config)) restartNeeded.push('http.listen/tls');
    const next: RovdConfig = { ...config, rpki: old.rpki, bmp: old.bmp, store: old.store, directConnect: old.directConnect, http: { ...config.http, host: old.http.host, port: old.http.port, tls: old.http.tls } };
    const { rescanned, cleared } = this.rebuild(next);
    this.alerts.setRouting({ routes: next.alerts.routes, defaultSinks: next.alerts.defaultSinks });
    this.outbox?.updateSinks(this.sinkOptions(next));
    this.config = next;
    this.log.info({ vifs: this.vifs.vifs.length, ownPrefixes: next.detection.ownPrefixes.length, sinks: next.alerts.sinks.length, rescanned, cleared, restartNeeded }, 'rovd: config reloaded');
    if (restartNeeded.length > 0) this.log.warn({ sections: restartNeeded }, 'rovd: these sections changed and need a restart; the running values are kept');
    return { restartNeeded, rescanned, cleared };
  }

  /** Discovery found another set of VIFs: merged with the config, detection rebuilt over them. */
  private onDiscovered(vifs: readonly Vif[]): void {
    this.discoveredVifs = vifs;
    const { rescanned, cleared } = this.rebuild(this.config);
    this.log.info({ discovered: vifs.length, vifs: this.vifs.vifs.length, rescanned, cleared }, 'rovd: VIFs discovered through Direct Connect');
  }

  /**
   * The VIFs (config merged with discovery) and detection for `next`:
   * detection is rebuilt and re-checks every held route it looks at; the
   * route alerts it no longer raises are cleared.
   */
  private rebuild(next: RovdConfig): Rebuilt {
    const merged = mergeVifs(next.vifs, next.vifKeys, this.discoveredVifs, { watch: next.directConnect?.watch ?? [], ignore: next.directConnect?.ignore ?? [] });
    for (const d of merged.disagreements) this.log.warn({ disagreement: d }, 'rovd: a configured VIF differs from what Direct Connect says');
    this.vifs = new VifMap(merged.vifs);
    this.ingest.setVifs(this.vifs);
    const previous = this.detection;
    previous.stop();
    const raised = new Set<string>();
    const recording = {
      raise: (c: Condition, at?: number) => {
        raised.add(c.fingerprint);
        this.alerts.raise(c, at);
      },
      clear: (fp: string, at?: number) => this.alerts.clear(fp, at),
    };
    const detection = this.makeDetection(next, recording);
    detection.adopt(previous);
    detection.setRpkiStale(this.feed.status().stale);
    const rescanned = detection.rescan();
    // Route-derived alerts the new settings no longer raise are over (a VIF removed, an own prefix changed, a detector turned off).
    let cleared = 0;
    for (const a of this.alerts.alerts({ status: ['pending', 'firing'] })) {
      if (RECHECKED_TYPES.has(a.type) && !raised.has(a.fingerprint)) {
        this.alerts.clear(a.fingerprint);
        cleared++;
      }
    }
    this.detection = detection;
    if (this.listening) detection.start();
    return { rescanned, cleared };
  }

  /**
   * Opens the outbox (resuming undelivered notifications), starts the RPKI
   * sources (waiting for the files' first load), detection, then the BMP
   * station.
   */
  async start(): Promise<{ bmp: { host: string; port: number } }> {
    // One rovd per store: a second one would interleave the journals (src/store/store-lock.ts).
    const dir = this.config.store.dir;
    if (dir !== undefined) {
      await mkdir(dir, { recursive: true });
      this.storeLock = await StoreLock.acquire(dir, { logger: this.log });
    }
    // Alert state first: restored before anything can raise, and recorded before any notification it produces.
    this.alertState = await this.openAlertState();
    const restoredAt = this.now();
    if (this.alerts.alerts({ status: ['pending', 'firing'] }).some((a) => REDERIVED_AFTER_RESTART.has(a.type))) {
      // The routers' tables come back within the stale grace (a router not back by then has its routes dropped anyway).
      this.reconcileTimer = setTimeout(() => this.clearNotRederived(restoredAt), this.config.bmp.staleGraceSeconds * 1000);
      this.reconcileTimer.unref();
    }
    this.outbox = await this.openOutbox();
    for (const n of this.early.splice(0)) this.enqueue(n);
    // Each published set is identified and stored after publish, off the revalidation path.
    await this.vrpSets.open();
    this.unsubscribe.push(this.validator.onChange((change) => this.vrpSets.record(change.current)));
    this.unsubscribe.push(
      this.validator.onChange((change) => {
        const started = performance.now();
        this.detection.beforeRevalidate(change);
        const outcome = this.rib.revalidate(change.affected, change.current.vrps);
        this.detection.afterRevalidate();
        this.log.info({ generation: change.current.generation, affected: change.affected.length, visited: outcome.visited, changed: outcome.changed, ms: Math.round((performance.now() - started) * 10) / 10 }, 'rib: revalidated');
      }),
    );
    this.unsubscribe.push(
      this.station.onEvent((event) => {
        this.ingest.handle(event);
        this.detection.onBmp(event);
      }),
    );
    this.unsubscribe.push(this.feed.onStale((stale) => this.detection.setRpkiStale(stale)));
    this.detection.start();
    await this.feed.start();
    if (this.feed.status().stale) this.detection.setRpkiStale(true);
    const bmp = await this.station.start();
    this.listening = true;
    this.directConnect?.start();
    this.storeTimer = setInterval(() => this.checkStore(), STORE_CHECK_MS);
    this.storeTimer.unref();
    if (this.summaryIntervalMs > 0) {
      this.summaryTimer = setInterval(() => this.log.info(this.summary(), 'rib: summary'), this.summaryIntervalMs);
      this.summaryTimer.unref();
    }
    this.log.info({ bmp, vifs: this.vifs.vifs.length, vrps: this.validator.snapshot.vrps.size }, 'rovd: running');
    return { bmp };
  }

  /**
   * Stops everything. With `drainMs`, first closes the listeners, then gives
   * the outbox that long to deliver what it holds (what is left stays in
   * the journal for the next start), then closes the journal.
   */
  async stop(options: { readonly drainMs?: number } = {}): Promise<void> {
    clearInterval(this.summaryTimer);
    clearInterval(this.storeTimer);
    clearTimeout(this.reconcileTimer);
    for (const off of this.unsubscribe.splice(0)) off();
    this.directConnect?.stop();
    this.ingest.stop();
    this.detection.stop();
    this.listening = false;
    await this.station.stop();
    await this.feed.stop();
    this.alerts.close();
    if (options.drainMs !== undefined && this.outbox !== undefined) await this.drain(this.outbox, options.drainMs);
    await this.outbox?.close();
    await this.journal?.close();
    await this.alertState?.close();
    await this.alertJournal?.close();
    await this.vrpSets.close();
    await this.storeLock?.release();
    this.log.info({}, 'rovd: stopped');
  }

  private sinkOptions(config: RovdConfig): Pick<OutboxOptions, 'sinks' | 'retry' | 'perSink'> {
    const a = config.alerts;
    const perSink: Record<string, { timeoutMs?: number; concurrency?: number }> = {};
    for (const s of a.sinks) perSink[s.name] = { ...(s.timeoutMs === undefined ? {} : { timeoutMs: s.timeoutMs }), ...(s.concurrency === undefined ? {} : { concurrency: s.concurrency }) };
    return {
      sinks: a.sinks.map((s) => makeSink(s, { now: this.now, repeatIntervalMs: a.grouping.repeatIntervalMs })),
      retry: { baseMs: a.delivery.backoffBaseMs, capMs: a.delivery.backoffCapMs, maxAttempts: a.delivery.maxAttempts, maxAgeMs: a.delivery.maxAgeMs },
      perSink,
    };
  }

  /**
   * Disk full or an I/O error on a journal: the write was undone and is
   * retried (the journals handle that), the daemon goes on, and on-call
   * must know, since a restart now could lose what was not written. Raised
   * while new errors appear (or a journal waits to be rewritten), cleared
   * after a check interval without.
   */
  checkStore(): void {
    const journals: [string, number, boolean][] = [];
    if (this.outbox !== undefined) journals.push(['outbox', this.outbox.stats().journalErrors, false]);
    if (this.alertState !== undefined) {
      const s = this.alertState.stats();
      journals.push(['alerts', s.journalErrors, s.dirty]);
    }
    for (const [journal, errors, dirty] of journals) {
      const seen = this.storeErrorsSeen.get(journal) ?? 0;
      this.storeErrorsSeen.set(journal, errors);
      const c = storeCondition(journal, errors, this.config.store.dir);
      if (errors > seen || dirty) this.alerts.raise(c);
      else this.alerts.clear(c.fingerprint);
    }
  }

  /** Clears the restored route alerts detection has not raised again since `restoredAt` (see REDERIVED_AFTER_RESTART). */
  private clearNotRederived(restoredAt: number): void {
    let cleared = 0;
    for (const a of this.alerts.alerts({ status: ['pending', 'firing'] })) {
      if (REDERIVED_AFTER_RESTART.has(a.type) && a.lastRaisedAt < restoredAt) {
        this.alerts.clear(a.fingerprint);
        cleared++;
      }
    }
    this.log.info({ cleared }, 'alerts: restored route alerts no longer raised after the restart are cleared');
  }

  private async drain(outbox: Outbox, drainMs: number): Promise<void> {
    const until = performance.now() + drainMs;
    const pendingAtStart = outbox.stats().pending;
    while (outbox.stats().pending > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 50));
    const left = outbox.stats().pending;
    if (pendingAtStart > 0) this.log.info({ delivered: pendingAtStart - left, left, drainMs }, left === 0 ? 'alerts: outbox drained' : 'alerts: outbox not drained in time; the rest stays in the journal for the next start');
  }

  private async openOutbox(): Promise<Outbox> {
    const a = this.config.alerts;
    const dir = this.config.store.dir;
    let journal: Journal;
    if (dir === undefined) {
      journal = new MemoryJournal();
      if (a.sinks.length > 0) this.log.warn({}, 'alerts: no store.dir configured; undelivered notifications do not survive a restart');
    } else {
      // start() made the directory (and holds its lock).
      journal = await FileJournal.open(join(dir, 'outbox.journal'), { logger: this.log, repair: this.repair });
    }
    this.journal = journal;
    const outbox = new Outbox({ journal, ...this.sinkOptions(this.config), logger: this.log, clock: this.now, maxJournalBytes: this.config.store.maxJournalBytes, deliverUnrecorded: true });
    outbox.onEvent((e) => {
      if (e.type === 'dead-letter') this.log.error({ notification: e.id, sink: e.sink, attempts: e.attempts, error: e.error }, 'alerts: delivery gave up (dead letter)');
      else if (e.type === 'retry-scheduled') this.log.warn({ notification: e.id, sink: e.sink, attempt: e.attempt, delayMs: e.delayMs, error: e.error }, 'alerts: delivery failed; retrying');
      else if (e.type === 'delivered') this.log.info({ notification: e.id, sink: e.sink, attempts: e.attempts }, 'alerts: delivered');
      else if (e.type === 'journal-error') this.log.error({ err: e.error }, 'alerts: outbox journal error');
    });
    await outbox.start();
    return outbox;
  }

  /** Opens the alert state journal and restores the engine from it. */
  private async openAlertState(): Promise<AlertState> {
    const dir = this.config.store.dir;
    let journal: Journal;
    if (dir === undefined) {
      journal = new MemoryJournal();
    } else {
      // start() made the directory (and holds its lock).
      journal = await FileJournal.open(join(dir, 'alerts.journal'), { logger: this.log, repair: this.repair });
    }
    this.alertJournal = journal;
    const state = new AlertState({ engine: this.alerts, journal, logger: this.log, now: this.now, maxJournalBytes: this.config.store.maxJournalBytes });
    await state.start();
    return state;
  }

  private notify(n: Notification): void {
    this.log.info({ notification: n.id, status: n.status, type: n.type, severity: n.severity, firing: n.counts.firing, resolved: n.counts.resolved, sinks: n.sinks, summary: n.summary }, 'alerts: notification');
    if (this.outbox === undefined) this.early.push(n);
    else this.enqueue(n);
  }

  private enqueue(n: Notification): void {
    // The group's state (its sequence, what it told) is durable before the notification is: a restart never reuses the id.
    const recorded = this.alertState?.beforeNotification(n) ?? Promise.resolve();
    if (n.sinks.length === 0) return;
    recorded
      .then(() => this.outbox!.enqueue(n))
      .catch((err: unknown) => this.log.error({ err, notification: n.id }, 'alerts: could not record the notification'));
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
      alerts: this.alerts.counts(),
      detection: this.detection.counts(),
      outbox: this.outbox?.stats(),
      alertState: this.alertState?.stats(),
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
