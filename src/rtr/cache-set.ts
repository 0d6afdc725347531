/**
 * Several RTR caches with preferences, as RFC 8210 §10 asks of a router:
 * use the most preferred cache that works, fail over when it fails, return
 * to it when it recovers.
 *
 * Every cache keeps its own session (and its own copy of the data), so a
 * failover is immediate rather than a fresh 800k-VRP download at the worst
 * moment. The data in force is chosen, in this order, from:
 *   1. caches connected and holding data, most preferred first;
 *   2. caches holding data that is not stale (connection lost, within the
 *      expire interval), most preferred first;
 *   3. any cache holding data, even stale (old data beats none: dropping
 *      every VRP would turn every invalid route into not-found, and every
 *      alert would resolve at once).
 * Preference is a number, lower is more preferred (as in RFC 8210 §10's
 * "preference"); ties go to the order given.
 */
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import type { RpkiPayload } from '../rpki/payload.js';
import { VrpTable } from '../rpki/vrp-table.js';
import { RtrCacheData } from './cache-data.js';
import { type RtrConnect, RtrSession, type RtrSessionOptions, type RtrSessionStatus, type RtrUpdate } from './session.js';

export interface RtrCacheConfig extends Omit<RtrSessionOptions, 'now' | 'logger'> {
  /** Lower is more preferred. */
  readonly preference: number;
}

export interface RtrCacheSetChange {
  /** The cache whose data is now in force, or undefined when none has data. */
  readonly cache: string | undefined;
  readonly previousCache: string | undefined;
  readonly payload: RpkiPayload;
  /** VRPs added and removed relative to the data in force before. */
  readonly added: VrpTable;
  readonly removed: VrpTable;
  /** True when the data in force is past its cache's expire interval. */
  readonly stale: boolean;
}

interface Member {
  readonly config: RtrCacheConfig;
  readonly session: RtrSession;
  readonly order: number;
}

export class RtrCacheSet {
  private readonly members: Member[];
  private readonly log: Logger;
  private selected: Member | undefined;
  private selectedData: RtrCacheData = RtrCacheData.EMPTY;
  private selectedStale = false;
  private readonly listeners = new Set<(c: RtrCacheSetChange) => void>();

  constructor(caches: readonly RtrCacheConfig[], options: { now?: () => number; logger?: Logger } = {}) {
    if (caches.length === 0) throw new RangeError('caches: at least one RTR cache is needed');
    const names = new Set<string>();
    for (const c of caches) {
      if (names.has(c.name)) throw new RangeError(`caches: the name ${JSON.stringify(c.name)} is used twice`);
      names.add(c.name);
      if (!Number.isFinite(c.preference)) throw new RangeError(`caches.${c.name}.preference: ${c.preference} is not a number`);
    }
    this.log = options.logger ?? NOOP_LOGGER;
    this.members = caches.map((config, order) => {
      const session = new RtrSession({ ...config, now: options.now, logger: this.log });
      const member = { config, session, order };
      session.onUpdate((u) => this.reselect(u));
      // A session announces 'established' (and fresh data) just before it
      // hands out the update that brought them; deferred, these let the
      // update's own reselect run first, with the transaction's delta.
      session.onState(() => queueMicrotask(() => this.reselect()));
      session.onStale(() => queueMicrotask(() => this.reselect()));
      return member;
    });
  }

  start(): void {
    for (const m of this.members) m.session.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.session.stop()));
  }

  /** The cache whose data is in force. */
  get current(): string | undefined {
    return this.selected?.config.name;
  }

  get payload(): RpkiPayload {
    return this.selectedData.toPayload();
  }

  onChange(listener: (c: RtrCacheSetChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): (RtrSessionStatus & { preference: number; inUse: boolean })[] {
    return this.members.map((m) => ({ ...m.session.status(), preference: m.config.preference, inUse: m === this.selected }));
  }

  /**
   * Re-evaluates which cache's data is in force; emits when that data
   * changes. `update`, when this follows a session's update, gives the
   * delta for free if that update was applied to the data in force: an
   * incremental update of the selected cache (the usual case) then costs
   * no comparison of two full sets.
   */
  private reselect(update?: RtrUpdate): void {
    const next = this.choose();
    const data = next?.session.current ?? RtrCacheData.EMPTY;
    const stale = next === undefined || next.session.isStale();
    if (next === this.selected && data === this.selectedData && stale === this.selectedStale) return;
    const previous = this.selected;
    const known = update !== undefined && !update.reset && update.data === data && update.previous === this.selectedData;
    const delta = known ? { added: update.added, removed: update.removed } : this.selectedData.vrps.delta(data.vrps);
    this.selected = next;
    this.selectedData = data;
    this.selectedStale = stale;
    if (next !== previous) {
      this.log.info({ cache: next?.config.name, previous: previous?.config.name }, 'rtr: data now from this cache');
    }
    const change: RtrCacheSetChange = {
      cache: next?.config.name,
      previousCache: previous?.config.name,
      payload: data.toPayload(),
      added: delta.added,
      removed: delta.removed,
      stale,
    };
    for (const l of this.listeners) l(change);
  }

  private choose(): Member | undefined {
    const byPreference = [...this.members].sort((a, b) => a.config.preference - b.config.preference || a.order - b.order);
    const holding = byPreference.filter((m) => m.session.status().lastUpdateAt !== undefined);
    const connected = holding.find((m) => ['established', 'waiting', 'receiving'].includes(m.session.status().state));
    return connected ?? holding.find((m) => !m.session.isStale()) ?? holding[0];
  }
}

export type { RtrConnect };
