/**
 * Detection as the daemon runs it: every detector, fed from the RIB's
 * route events, the BMP station's session events, the Validator's changes
 * and the RPKI feed's staleness, writing conditions to one sink (the alert
 * engine). Detectors decide only "does this hold now"; time (hold-down,
 * grouping, resolve) is the engine's.
 *
 * Route events arrive synchronously from the RIB at ingest rate (a full
 * table is 1.2M of them), so each detector first decides from numbers
 * (state, RIB kind, whether it holds anything for the route) and builds
 * strings and evidence only for the few routes that matter.
 */
import type { ConditionSink } from '../alerts/alert.js';
import type { DiscoveredVif } from '../aws/direct-connect-types.js';
import type { BmpEvent } from '../bmp/events.js';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import type { Rib } from '../rib/rib.js';
import type { PeerTable } from '../rib/peer-table.js';
import type { RouteEventType } from '../rib/route-event.js';
import { type RouteChange, heldAsChange } from './route-change.js';
import { RovState } from '../rov/validity.js';
import type { SnapshotChange, Validator } from '../rov/validator.js';
import { sameAspa } from '../rpki/aspa.js';
import type { VifMap } from '../vif/vif-map.js';
import { OwnPrefixDetector } from './own-prefix-detector.js';
import { PrefixLimitDetector, type PrefixLimitUsage } from './prefix-limit-detector.js';
import { RouteContexts } from './route-context.js';
import { RpkiDetector, type VrpSetIds } from './rpki-detector.js';
import { SessionDetector } from './session-detector.js';
import { DivergenceDetector, type PollTimes } from './divergence-detector.js';
import type { DetectionSettings } from './settings.js';
import { StaleGate } from './stale-gate.js';
import { VifPolicyDetector } from './vif-policy-detector.js';

export interface DetectionOptions {
  readonly settings: DetectionSettings;
  readonly vifs: VifMap;
  readonly rib: Rib;
  readonly validator: Validator;
  /** The alert engine. */
  readonly sink: ConditionSink;
  readonly now?: () => number;
  readonly logger?: Logger;
  /** How often prefix limits and own-prefix visibility are checked; default 5 s. */
  readonly tickMs?: number;
  /** VRP set CIDs for the evidence of RPKI alerts (else `generation:N`). */
  readonly vrpSets?: VrpSetIds;
  /** When Direct Connect's API last polled a VIF's routes (route-divergence waits for a poll). */
  readonly lastPoll?: PollTimes;
}

export interface DetectionCounts {
  readonly invalidRoutes: number;
  readonly vrpRemovedRoutes: number;
  readonly aspaInvalidRoutes: number;
  readonly hijacks: number;
  readonly missingOwnPrefixes: number;
  /** BMP/API differences raised (past their hold-down). */
  readonly divergences: number;
  readonly unexpectedPrefixes: number;
  readonly heldWhileStale: number;
}

export class Detection {
  readonly contexts: RouteContexts;
  private readonly rib: Rib;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly tickMs: number;
  private readonly gate: StaleGate;
  private readonly rpki: RpkiDetector;
  private readonly own: OwnPrefixDetector;
  private readonly policy: VifPolicyDetector;
  private readonly limits: PrefixLimitDetector;
  private readonly sessions: SessionDetector;
  private readonly divergence: DivergenceDetector;
  private timer: NodeJS.Timeout | undefined;
  private pendingAspaCheck = false;
  private readonly settings: DetectionSettings;
  private readonly validator: Validator;
  private readonly perTable = new WeakMap<PeerTable, boolean>();
  private unsubscribe: (() => void) | undefined;

  constructor(options: DetectionOptions) {
    const { settings, vifs, rib, validator, sink } = options;
    this.rib = rib;
    this.settings = settings;
    this.validator = validator;
    this.now = options.now ?? Date.now;
    this.log = options.logger ?? NOOP_LOGGER;
    this.tickMs = options.tickMs ?? 5000;
    this.contexts = new RouteContexts(vifs);
    this.gate = new StaleGate(settings, sink);
    this.rpki = new RpkiDetector({ settings, sink: this.gate, snapshot: () => validator.snapshot, ...(options.vrpSets === undefined ? {} : { vrpSets: options.vrpSets }) });
    this.own = new OwnPrefixDetector({ settings, sink, rib, vifs, contexts: this.contexts });
    this.policy = new VifPolicyDetector(settings, sink);
    this.limits = new PrefixLimitDetector(settings, sink, rib, vifs.vifs);
    this.sessions = new SessionDetector(settings, sink, vifs);
    this.divergence = new DivergenceDetector(settings, sink, rib, vifs, this.contexts, options.lastPoll ?? (() => undefined));
  }

  /** Subscribes to the RIB and starts the periodic checks. */
  start(): void {
    this.unsubscribe = this.rib.on((ev) => this.onRoute(ev), { wants: (table, type, oldState, newState) => this.wants(table, type, oldState, newState) });
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.rpki.close();
  }

  /**
   * Which route changes detection must see, decided from numbers before the
   * RIB builds an event (a full table is 1.2M of them): anything invalid
   * before or after, a state change by revalidation, a not-found route
   * while lost-ROA conditions are held, and every change of a table some
   * detector checks route by route (own prefixes configured, a VIF with a
   * policy, ASPA on VIFs).
   */
  wants(table: PeerTable, type: RouteEventType, oldState: RovState | undefined, newState: RovState | undefined): boolean {
    if (oldState === RovState.Invalid || newState === RovState.Invalid || type === 'state-changed') return true;
    if (oldState === RovState.NotFound && this.rpki.counts.removed > 0) return true;
    if (this.everyRouteOf(table)) return true;
    const ctx = this.contexts.of(table);
    return ctx.vif !== undefined && (this.rpki.counts.aspa > 0 || this.validatorHasAspas());
  }

  /** Tables whose every route a detector looks at, whatever its state (decided once per table). */
  private everyRouteOf(table: PeerTable): boolean {
    let v = this.perTable.get(table);
    if (v === undefined) {
      const ctx = this.contexts.of(table);
      const vif = ctx.vif;
      const policy = vif !== undefined && ((ctx.direction === 'received' && (vif.type === 'public' || vif.awsPrefixes.length > 0)) || (ctx.direction === 'advertised' && vif.expected.length > 0));
      v = this.settings.ownPrefixes.length > 0 || policy;
      this.perTable.set(table, v);
    }
    return v;
  }

  private validatorHasAspas(): boolean {
    return this.validator.snapshot.aspas.size > 0;
  }

  onRoute(ev: RouteChange): void {
    const at = this.now();
    const ctx = this.contexts.of(ev.table);
    this.rpki.onRoute(ev, ctx, at);
    this.own.onRoute(ev, ctx, at);
    this.policy.onRoute(ev, ctx, at);
  }

  onBmp(event: BmpEvent): void {
    this.sessions.onBmp(event, this.now());
  }

  /** A VIF as Direct Connect's API last described it (its BGP peers' status). */
  onAwsVif(vif: DiscoveredVif): void {
    this.sessions.onAwsVif(vif, this.now());
  }

  /** Call before the RIB revalidates for `change`, and afterRevalidate() when it is done. */
  beforeRevalidate(change: SnapshotChange): void {
    this.rpki.beforeRevalidate(change.previous);
    const before = change.previous.payload.aspas;
    const after = change.current.payload.aspas;
    // Every publish carries a new array; only a different attestation set calls for a re-check.
    this.pendingAspaCheck = before !== after && (before.length !== after.length || !before.every((a, i) => sameAspa(a, after[i]!)));
  }

  afterRevalidate(): void {
    this.rpki.afterRevalidate();
    if (this.pendingAspaCheck) {
      this.pendingAspaCheck = false;
      this.recheckAspa();
    }
  }

  /**
   * Checks every held route a detector looks at and the periodic checks
   * once, as if each route had just arrived: after a config reload, a new
   * Detection raises what holds under the new settings (the caller clears
   * what no longer does). Returns the routes looked at.
   */
  rescan(): number {
    let n = 0;
    for (const table of this.rib.tables()) {
      const every = this.everyRouteOf(table) || (this.contexts.of(table).vif !== undefined && this.validatorHasAspas());
      for (const route of [...this.rib.routes(table)]) {
        if (!every && route.state !== RovState.Invalid) continue;
        n++;
        this.onRoute(heldAsChange(route));
      }
    }
    this.tick();
    return n;
  }

  /**
   * Takes over what the detection this one replaces held that cannot be
   * recomputed from the RIB: the lost-ROA conditions (the old VRPs are
   * gone) and the BMP/API differences being timed.
   */
  adopt(previous: Detection): void {
    this.rpki.adoptRemoved(previous.rpki);
    this.divergence.adopt(previous.divergence);
  }

  /** Re-verifies the AS paths of every route held on a VIF (the ASPA set changed). */
  recheckAspa(): void {
    const contexts = this.contexts;
    const rib = this.rib;
    function* vifRoutes() {
      for (const table of rib.tables()) {
        const ctx = contexts.of(table);
        if (ctx.vif === undefined) continue;
        for (const route of [...rib.routes(table)]) yield { route, ctx };
      }
    }
    this.rpki.recheckAspa(vifRoutes(), this.now());
  }

  setRpkiStale(stale: boolean): void {
    this.gate.setStale(stale, this.now());

  }

  /** The periodic checks: prefix limits and own-prefix visibility. */
  tick(): void {
    const at = this.now();
    try {
      this.limits.check(at);
      this.own.checkVisibility(at);
      this.divergence.check(at);
    } catch (err) {
      this.log.error({ err }, 'detect: periodic check failed');
    }
  }

  get prefixLimitUsage(): readonly PrefixLimitUsage[] {
    return this.limits.usage;
  }

  counts(): DetectionCounts {
    const r = this.rpki.counts;
    const o = this.own.counts;
    return {
      invalidRoutes: r.invalid,
      vrpRemovedRoutes: r.removed,
      aspaInvalidRoutes: r.aspa,
      hijacks: o.hijacks,
      missingOwnPrefixes: o.missing,
      unexpectedPrefixes: this.policy.count,
      heldWhileStale: this.gate.heldCount,
      divergences: this.divergence.count,
    };
  }
}
