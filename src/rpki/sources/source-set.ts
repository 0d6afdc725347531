/**
 * Several VRP sources taken together: the effective payload is the union of
 * the current payloads of the sources that have loaded (a source that never
 * loaded contributes nothing). Listeners hear about the union only when it
 * actually changed, with the VRP delta, so a reload that brings the same
 * data costs downstream (RTR serials, revalidation) nothing.
 *
 * Startup is one step: start() waits for the first attempt of every source
 * and then emits once, so a consumer never sees the union of the first
 * source alone (which would withdraw the VRPs of the others and flap
 * routes to invalid for a moment).
 *
 * A stale source keeps contributing its last good data; staleness is
 * reported (status(), stale()), not acted on here.
 */
import { EMPTY_PAYLOAD, type RpkiPayload, samePayload, unionPayloads } from '../payload.js';
import type { VrpDelta } from '../vrp-table.js';
import {
  type Clock,
  Listeners,
  type Logger,
  NOOP_LOGGER,
  type RpkiSource,
  SourceConfigError,
  type SourceStatus,
  type Unsubscribe,
} from './source.js';

export interface SourceSetOptions {
  readonly now?: Clock;
  readonly logger?: Logger;
}

export interface SourceSetUpdate {
  readonly payload: RpkiPayload;
  readonly previous: RpkiPayload;
  /** VRPs only; ASPA and router key changes are seen by comparing payloads. */
  readonly delta: VrpDelta;
  /** True for the single emission at the end of start(). */
  readonly initial: boolean;
  /** Sources that contributed (have a payload). */
  readonly loaded: readonly string[];
}

export class SourceSet {
  private readonly sources: readonly RpkiSource[];
  private readonly now: Clock;
  private readonly logger: Logger;
  private readonly updates: Listeners<SourceSetUpdate>;
  private current: RpkiPayload = EMPTY_PAYLOAD;
  private state: 'idle' | 'starting' | 'running' = 'idle';
  private subscriptions: Unsubscribe[] = [];

  constructor(sources: readonly RpkiSource[], options: SourceSetOptions = {}) {
    const seen = new Set<string>();
    for (const s of sources) {
      if (seen.has(s.name)) throw new SourceConfigError(s.name, 'name', 'is used by two sources; names must be unique');
      seen.add(s.name);
    }
    this.sources = Object.freeze([...sources]);
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? NOOP_LOGGER;
    this.updates = new Listeners(this.logger, 'SourceSet onUpdate');
  }

  /** The union of the loaded sources; EMPTY_PAYLOAD before start() finished. */
  get payload(): RpkiPayload {
    return this.current;
  }

  onUpdate(listener: (u: SourceSetUpdate) => void): Unsubscribe {
    return this.updates.add(listener);
  }

  /** Starts every source, waits for each first attempt (success or not), then emits once. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error('SourceSet already started');
    this.state = 'starting';
    this.subscriptions = this.sources.map((s) => s.onUpdate(() => this.recompute(false)));
    const results = await Promise.allSettled(this.sources.map((s) => s.start()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // A source that cannot even start (not a load failure) is a bug or a
      // config error: leave nothing running.
      await this.stop();
      throw failed.reason;
    }
    if (this.state !== 'starting') return; // stop() was called meanwhile
    this.state = 'running';
    this.recompute(true);
  }

  async stop(): Promise<void> {
    this.state = 'idle';
    for (const unsubscribe of this.subscriptions) unsubscribe();
    this.subscriptions = [];
    await Promise.all(this.sources.map((s) => s.stop()));
  }

  status(nowMs: number = this.now()): SourceStatus[] {
    return this.sources.map((s) => s.status(nowMs));
  }

  /** True when no source is fresh (every one never loaded, expired or past its max age). */
  stale(nowMs: number = this.now()): boolean {
    return this.sources.every((s) => s.staleReason(nowMs) !== undefined);
  }

  private recompute(initial: boolean): void {
    if (this.state !== 'running') return; // start() emits once when every first attempt is done
    const contributing = this.sources.flatMap((s) => (s.payload === undefined ? [] : [{ name: s.name, payload: s.payload }]));
    const next = unionPayloads(contributing.map((c) => c.payload));
    const previous = this.current;
    if (!initial && samePayload(previous, next)) return;
    this.current = next;
    const delta = previous.vrps.delta(next.vrps);
    const loaded = contributing.map((s) => s.name);
    this.logger.info(
      { vrps: next.vrps.size, aspas: next.aspas.length, added: delta.added.size, removed: delta.removed.size, loaded, initial },
      initial ? 'effective payload ready' : 'effective payload changed',
    );
    this.updates.emit({ payload: next, previous, delta, initial, loaded });
  }
}
