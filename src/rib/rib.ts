/**
 * The compact Adj-RIB-In: every route the monitored routers hold, per
 * router, peer, RIB kind (pre/post-policy Adj-RIB-In, RFC 7854 §5;
 * Adj-RIB-Out, RFC 8671; Loc-RIB, RFC 9069), address family, path id
 * (RFC 7911 §2) and prefix, with its attributes, first-seen and
 * last-change times and its RPKI origin-validation state (RFC 6811).
 *
 * Layout (the why is in the files that hold it):
 * - route-table.ts: per table and family, a pool of fixed-size records in a
 *   Uint32Array (36 bytes per IPv4 route, 48 per IPv6) with two sets of
 *   hash chains: on the exact key for look-ups, and on the leading bits of
 *   the prefix for covered() / revalidate() without a scan (occupancy.ts
 *   prunes the IPv6 ones);
 * - attribute-store.ts: each distinct attribute set once, as words in one
 *   arena, reference-counted, with its origin AS precomputed;
 * - peer-table.ts: the table handle and its counts per family and state.
 * No JS object exists per route; objects are made only for events (when
 * someone listens) and query answers. Measured at a full table (1.2M
 * routes, ~375k sets): about 100 bytes per route, everything included;
 * figures in bench/rib.ts.
 *
 * Rules:
 * - Announce: a route for a key not held is added; for a held key it
 *   replaces the old route (implicit withdraw, RFC 4271 §9). A route is
 *   validated when added; on a replace only if the origin AS changed (the
 *   state depends on prefix and origin only). An announce identical to the
 *   held route is a refresh: no event, times unchanged, stale flag cleared.
 * - Withdraw of a key not held is ignored (counted), as RFC 4271 allows.
 * - An UPDATE listing a prefix as withdrawn and announced is treated as if
 *   it were not withdrawn (RFC 4271 §4.3).
 * - Stale routes (RFC 4724-like): when a router's BMP session ends, the
 *   daemon calls markStale() on its tables; routes stay, flagged. A
 *   re-announce (refresh or replace) clears the flag; End-of-RIB for an
 *   AFI/SAFI drops the routes of that family still stale (RFC 4724 §4.2);
 *   dropStale() after the grace period drops the rest. Withdrawals of
 *   stale routes go out as events with cause `stale`.
 * - revalidate(affected, index) after a VRP change takes the new index and
 *   visits exactly the routes covered by an affected prefix, emitting
 *   `state-changed` for each whose state changed.
 *
 * - Peer down (dropTable) and a mass stale drop take the routes out first
 *   (one rebuild, not an unlink each) and then emit their withdrawals.
 *
 * Events are delivered synchronously, after the RIB has changed, to every
 * listener; a listener that throws is logged and the others still run. A
 * listener may read the RIB but not change it.
 */
import type { PathAttributes } from '../bgp/attributes.js';
import { Afi as BgpAfi, Safi } from '../bgp/capabilities.js';
import type { BgpUpdate, Nlri } from '../bgp/update.js';
import type { Asn } from '../net/asn.js';
import { type Afi, Prefix, wordMask } from '../net/prefix.js';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import { RovState } from '../rov/validity.js';
import { AttributeStore, type AttributeStoreOptions, type AttributeStoreStats, ORIGIN_LOCAL, ORIGIN_NONE } from './attribute-store.js';
import { PeerTable, type PeerKey, STALE_COUNT_SLOT, isRibKind } from './peer-table.js';
import { UW_ANNOUNCED, UW_ATTR_WORDS, UW_FLAGS, UW_HAS_ATTRIBUTES, UW_HEADER, UW_IPV6, UW_WITHDRAWN, UW_END_OF_RIB } from './update-words.js';
import { type HeldRoute, RouteEvent, type RouteEventCause, type RouteEventType } from './route-event.js';
import {
  FIELDS,
  FIRST_SEEN,
  FamilyTable,
  LAST_CHANGE,
  LEN_MASK,
  META,
  PATH_ID,
  SET,
  STALE,
  STATE_MASK,
  STATE_SHIFT,
  USED,
} from './route-table.js';

export { type HeldRoute, RouteEvent, type RouteEventCause, type RouteEventType } from './route-event.js';
export { type PeerKey, PeerTable, RibKind } from './peer-table.js';

/** Validates a route on numbers (VrpIndex has this shape); origin -1 means NONE. */
export interface RouteValidator {
  validateV4(address: number, length: number, origin: number): RovState;
  validateV6(w0: number, w1: number, w2: number, w3: number, length: number, origin: number): RovState;
}

/** Before any VRPs are loaded every route is NotFound. */
export const NO_VRPS: RouteValidator = Object.freeze({
  validateV4: (): RovState => RovState.NotFound,
  validateV6: (): RovState => RovState.NotFound,
});

export interface RibOptions {
  /** The VRP index routes are validated with until revalidate() brings another. */
  readonly index?: RouteValidator;
  /** Clock in milliseconds (Date.now by default); times are stored in seconds. */
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly attributes?: AttributeStoreOptions;
}

export type RouteListener = (event: RouteEvent) => void;

/**
 * A listener's interest, asked before the event is made: most listeners
 * care about a few routes (invalid ones, those of some tables), and a full
 * table is 1.2M events. When no listener wants a change, no RouteEvent is
 * built. It must be cheap and must not read the RIB.
 */
export type RouteInterest = (table: PeerTable, type: RouteEventType, oldState: RovState | undefined, newState: RovState | undefined) => boolean;

interface Subscription {
  readonly listener: RouteListener;
  readonly wants: RouteInterest | undefined;
}

/** What announce() did: added a new key, replaced the held route, or found it identical. */
export type AnnounceOutcome = 'announce' | 'replace' | 'refresh';

export interface UpdateOutcome {
  readonly announced: number;
  readonly replaced: number;
  readonly refreshed: number;
  readonly withdrawn: number;
  /** Withdrawals of routes not held. */
  readonly notHeld: number;
  /** Stale routes dropped by an End-of-RIB marker. */
  readonly staleDropped: number;
}

export interface RevalidateOutcome {
  /** Routes covered by an affected prefix (each once). */
  readonly visited: number;
  /** Routes whose state changed. */
  readonly changed: number;
}

export interface RibStats {
  readonly tables: number;
  readonly routes: number;
  readonly ipv4: number;
  readonly ipv6: number;
  readonly attributes: AttributeStoreStats;
  /** Bytes in typed arrays: route records and chains, plus the attribute store. */
  readonly bytes: number;
  /** Pool growths, shrinks and chain rebuilds over all tables alive. */
  readonly growths: number;
  readonly shrinks: number;
  readonly rehashes: number;
}

export class Rib {
  private readonly store: AttributeStore;
  private index: RouteValidator;
  private readonly now: () => number;
  private readonly logger: Logger;
  /** Tables by key string (insertion order), and by router, peer and kind for look-ups without building a key. */
  private readonly byKey = new Map<string, PeerTable>();
  private readonly byRouter = new Map<string, Map<string, Map<string, PeerTable>>>();
  private readonly listeners: Subscription[] = [];
  /** Per family (IPv4 0, IPv6 4): three states then stale, over all tables. */
  private readonly totals = new Float64Array(8);
  private emitting = false;
  /** Bumped by every structural change, so an iteration notices one. */
  private version = 0;

  constructor(options: RibOptions = {}) {
    this.store = new AttributeStore(options.attributes);
    this.index = options.index ?? NO_VRPS;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? NOOP_LOGGER;
  }

  // --- tables ----------------------------------------------------------------------

  /**
   * The table for `key`, created empty when absent. A `localAsn` other than
   * the table's (say, learnt from a later BMP Peer Up) is taken, and the
   * routes whose origin is the local AS (empty AS_PATH, confederation
   * segment last) are revalidated, with `state-changed` events.
   */
  table(key: PeerKey, options: { localAsn?: Asn } = {}): PeerTable {
    let byPeer = this.byRouter.get(key.router);
    let byKind = byPeer?.get(key.peer);
    const held = byKind?.get(key.kind);
    if (held !== undefined) {
      if (options.localAsn !== undefined && options.localAsn !== held.localAsn) this.changeLocalAsn(held, options.localAsn);
      return held;
    }
    this.idle();
    if (!isRibKind(key.kind)) throw new TypeError(`unknown RIB kind ${JSON.stringify(key.kind)}`);
    const t = new PeerTable(key, options.localAsn, this);
    if (byPeer === undefined) this.byRouter.set(key.router, (byPeer = new Map()));
    if (byKind === undefined) byPeer.set(key.peer, (byKind = new Map()));
    byKind.set(key.kind, t);
    this.byKey.set(t.key, t);
    return t;
  }

  findTable(key: PeerKey): PeerTable | undefined {
    return this.byRouter.get(key.router)?.get(key.peer)?.get(key.kind);
  }

  tables(): PeerTable[] {
    return [...this.byKey.values()];
  }

  tablesOfRouter(router: string): PeerTable[] {
    const out: PeerTable[] = [];
    for (const byKind of this.byRouter.get(router)?.values() ?? []) out.push(...byKind.values());
    return out;
  }

  // --- listeners -------------------------------------------------------------------

  /** Calls `listener` for every route change (or those `wants` accepts); returns an unsubscribe. */
  on(listener: RouteListener, options: { readonly wants?: RouteInterest } = {}): () => void {
    const sub: Subscription = { listener, wants: options.wants };
    this.listeners.push(sub);
    return () => {
      const i = this.listeners.indexOf(sub);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** True if some listener wants this change (then the event is made). */
  private wanted(table: PeerTable, type: RouteEventType, oldState: RovState | undefined, newState: RovState | undefined): boolean {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) {
      const w = ls[i]!.wants;
      if (w === undefined || w(table, type, oldState, newState)) return true;
    }
    return false;
  }

  // --- changes ---------------------------------------------------------------------

  /**
   * Announces one route for the table's peer. `at`: when it was received,
   * in unix seconds (e.g. the BMP per-peer header timestamp, RFC 7854
   * §4.2); the clock when absent.
   */
  announce(table: PeerTable, prefix: Prefix, pathId: number, attributes: PathAttributes, at?: number): AnnounceOutcome {
    this.writable(table);
    return this.announceAt(table, prefix, pathId >>> 0, attributes, at === undefined ? this.seconds() : at >>> 0);
  }

  /** Withdraws one route; false if it was not held. */
  withdraw(table: PeerTable, prefix: Prefix, pathId = 0, at?: number): boolean {
    this.writable(table);
    const fam = table.family(prefix.afi);
    const s = fam.find(prefix.w0, prefix.w1, prefix.w2, prefix.w3, prefix.length, pathId >>> 0);
    if (s < 0) return false;
    this.removeSlot(table, fam, s, 'update', at === undefined ? this.seconds() : at >>> 0);
    fam.maybeShrink();
    return true;
  }

  /** Applies a decoded UPDATE (withdrawals, announcements, End-of-RIB) for the table's peer; `at` as for announce(). */
  applyUpdate(table: PeerTable, update: BgpUpdate, at: number = this.seconds()): UpdateOutcome {
    this.writable(table);
    at >>>= 0;
    const announced = update.announced;
    const withdrawn = update.withdrawn;
    const attrs = update.attributes;
    if (announced.length > 0 && attrs === undefined) throw new TypeError('an UPDATE that announces routes must carry path attributes');
    let announcedKeys: Set<string> | undefined;
    if (announced.length > 0 && withdrawn.length > 0) announcedKeys = new Set(announced.map(nlriKey));
    let nWithdrawn = 0;
    let notHeld = 0;
    for (let i = 0; i < withdrawn.length; i++) {
      const n = withdrawn[i]!;
      if (announcedKeys !== undefined && announcedKeys.has(nlriKey(n))) continue; // RFC 4271 §4.3
      const p = n.prefix;
      const fam = table.family(p.afi);
      const s = fam.find(p.w0, p.w1, p.w2, p.w3, p.length, n.pathId >>> 0);
      if (s < 0) {
        notHeld++;
        continue;
      }
      this.removeSlot(table, fam, s, 'update', at);
      nWithdrawn++;
    }
    let added = 0;
    let replaced = 0;
    let refreshed = 0;
    if (announced.length > 0) {
      for (let i = 0; i < announced.length; i++) {
        const n = announced[i]!;
        const r = this.announceAt(table, n.prefix, n.pathId >>> 0, attrs!, at);
        if (r === 'announce') added++;
        else if (r === 'replace') replaced++;
        else refreshed++;
      }
    }
    let staleDropped = 0;
    const eor = update.endOfRib;
    if (eor !== undefined && eor.safi === Safi.unicast && (eor.afi === BgpAfi.ipv4 || eor.afi === BgpAfi.ipv6)) {
      staleDropped = this.dropStaleOf(table, eor.afi === BgpAfi.ipv4 ? 4 : 6, at);
    }
    if (nWithdrawn + staleDropped > 0) {
      table.v4.maybeShrink();
      table.v6.maybeShrink();
    }
    return { announced: added, replaced, refreshed, withdrawn: nWithdrawn, notHeld, staleDropped };
  }

  /**
   * applyUpdate() for an UPDATE in words (update-words.ts) at w[start], as a
   * BMP decoder thread hands it over: no Prefix, Nlri or PathAttributes
   * object. The words must have passed checkUpdateWords() with `texts`
   * (the table the attribute words' sids index). Same rules and outcome as
   * applyUpdate(); the RFC 4271 §4.3 rule was applied when the words were
   * written.
   */
  applyWords(table: PeerTable, w: Uint32Array, start: number, texts: readonly string[], at: number = this.seconds()): UpdateOutcome {
    this.writable(table);
    at >>>= 0;
    const nAttr = w[start + UW_ATTR_WORDS]!;
    const nWithdrawn = w[start + UW_WITHDRAWN]!;
    const nAnnounced = w[start + UW_ANNOUNCED]!;
    if (nAnnounced > 0 && (w[start + UW_FLAGS]! & UW_HAS_ATTRIBUTES) === 0) throw new TypeError('an UPDATE that announces routes must carry path attributes');
    const attrAt = start + UW_HEADER;
    let p = attrAt + nAttr;
    let withdrawn = 0;
    let notHeld = 0;
    for (let i = 0; i < nWithdrawn; i++) {
      const head = w[p]!;
      const pathId = w[p + 1]!;
      let fam: FamilyTable;
      let s: number;
      if ((head & UW_IPV6) === 0) {
        fam = table.v4;
        s = fam.find(w[p + 2]!, 0, 0, 0, head & 0xff, pathId);
        p += 3;
      } else {
        fam = table.v6;
        s = fam.find(w[p + 2]!, w[p + 3]!, w[p + 4]!, w[p + 5]!, head & 0xff, pathId);
        p += 6;
      }
      if (s < 0) {
        notHeld++;
        continue;
      }
      this.removeSlot(table, fam, s, 'update', at);
      withdrawn++;
    }
    let added = 0;
    let replaced = 0;
    let refreshed = 0;
    if (nAnnounced > 0) {
      // One look-up of the set for the whole UPDATE; each route then holds a reference of its own.
      const set = this.store.acquireWords(w, attrAt, nAttr, texts);
      for (let i = 0; i < nAnnounced; i++) {
        const head = w[p]!;
        const pathId = w[p + 1]!;
        this.store.retain(set);
        let r: AnnounceOutcome;
        if ((head & UW_IPV6) === 0) {
          r = this.announceSet(table, table.v4, w[p + 2]!, 0, 0, 0, head & 0xff, pathId, set, at);
          p += 3;
        } else {
          r = this.announceSet(table, table.v6, w[p + 2]!, w[p + 3]!, w[p + 4]!, w[p + 5]!, head & 0xff, pathId, set, at);
          p += 6;
        }
        if (r === 'announce') added++;
        else if (r === 'replace') replaced++;
        else refreshed++;
      }
      this.store.release(set);
    }
    let staleDropped = 0;
    const eor = w[start + UW_END_OF_RIB]!;
    const eorAfi = eor >>> 16;
    if (eor !== 0 && (eor & 0xffff) === Safi.unicast && (eorAfi === BgpAfi.ipv4 || eorAfi === BgpAfi.ipv6)) {
      staleDropped = this.dropStaleOf(table, eorAfi === BgpAfi.ipv4 ? 4 : 6, at);
    }
    if (withdrawn + staleDropped > 0) {
      table.v4.maybeShrink();
      table.v6.maybeShrink();
    }
    return { announced: added, replaced, refreshed, withdrawn, notHeld, staleDropped };
  }

  /** Flags every route of the table stale (the router's session ended); returns how many were not yet stale. */
  markStale(table: PeerTable): number {
    this.writable(table);
    let marked = 0;
    for (const fam of [table.v4, table.v6]) {
      const rec = fam.rec;
      const stride = fam.stride;
      const metaAt = fam.words + META;
      fam.forEach((s) => {
        const b = s * stride + metaAt;
        if ((rec[b]! & STALE) === 0) {
          rec[b] = rec[b]! | STALE;
          marked++;
        }
      });
      const slot = (fam.afi === 4 ? 0 : 4) + STALE_COUNT_SLOT;
      this.totals[slot] = this.totals[slot]! + fam.size - table.counts[slot]!;
      table.counts[slot] = fam.size;
    }
    return marked;
  }

  /**
   * End-of-RIB from the peer for a family (RFC 4724 §4.2): its routes still
   * stale were not re-announced and are withdrawn. Returns how many.
   */
  endOfRib(table: PeerTable, afi: Afi): number {
    this.writable(table);
    const n = this.dropStaleOf(table, afi, this.seconds());
    table.family(afi).maybeShrink();
    return n;
  }

  /** Withdraws every route of the table still stale (the grace period ended); returns how many. */
  dropStale(table: PeerTable): number {
    this.writable(table);
    const at = this.seconds();
    const n = this.dropStaleOf(table, 4, at) + this.dropStaleOf(table, 6, at);
    table.v4.maybeShrink();
    table.v6.maybeShrink();
    return n;
  }

  /**
   * Peer down: forgets the table and withdraws every route of it (cause
   * `peer-down`). The table empties at once; the events follow, so a
   * listener reading the RIB sees it empty. Returns how many.
   */
  dropTable(table: PeerTable): number {
    this.writable(table);
    const at = this.seconds();
    const old = [table.v4, table.v6];
    const n = table.size;
    table.v4 = new FamilyTable(4);
    table.v6 = new FamilyTable(6);
    table.dropped = true;
    this.byKey.delete(table.key);
    const byPeer = this.byRouter.get(table.router)!;
    const byKind = byPeer.get(table.peer)!;
    byKind.delete(table.kind);
    if (byKind.size === 0) byPeer.delete(table.peer);
    if (byPeer.size === 0) this.byRouter.delete(table.router);
    for (const fam of old) this.withdrawRecords(table, fam.afi, fam.rec, fam.highWater, 'peer-down', at);
    return n;
  }

  /** Router down: drops every table of the router. Returns the routes withdrawn. */
  dropRouter(router: string): number {
    let n = 0;
    for (const t of this.tablesOfRouter(router)) n += this.dropTable(t);
    return n;
  }

  // --- validation ------------------------------------------------------------------

  /**
   * After a VRP change: takes `index` for all later validation and
   * recomputes the state of exactly the routes covered by a prefix of
   * `affected` (SnapshotChange.affected: sorted, disjoint; other lists are
   * normalised first).
   */
  revalidate(affected: readonly Prefix[], index: RouteValidator): RevalidateOutcome {
    this.idle();
    this.index = index;
    const list = disjoint(affected);
    let v4 = 0;
    while (v4 < list.length && list[v4]!.afi === 4) v4++;
    const lists: readonly (readonly Prefix[])[] = [list.slice(0, v4), list.slice(v4)];
    let visited = 0;
    let changed = 0;
    for (const table of this.byKey.values()) {
      for (const fam of [table.v4, table.v6]) {
        const prefixes = lists[fam.afi === 4 ? 0 : 1]!;
        if (fam.size === 0 || prefixes.length === 0) continue;
        const visit = (s: number): void => {
          visited++;
          if (this.revalidateSlot(table, fam, s)) changed++;
        };
        if (prefixes.length * 32 > fam.size) {
          // Many prefixes against a small table: one pass, each route looked up among the prefixes.
          const find = coveringFinder(prefixes);
          const rec = fam.rec;
          const stride = fam.stride;
          const wm = fam.words;
          fam.forEach((s) => {
            const b = s * stride;
            const len = rec[b + wm + META]! & LEN_MASK;
            const covered = wm === 1 ? find(rec[b]!, 0, 0, 0, len) : find(rec[b]!, rec[b + 1]!, rec[b + 2]!, rec[b + 3]!, len);
            if (covered) visit(s);
          });
        } else {
          for (const p of prefixes) fam.forEachCovered(p.w0, p.w1, p.w2, p.w3, p.length, visit);
        }
      }
    }
    return { visited, changed };
  }

  /** Takes `index` and recomputes the state of every route (e.g. the first VRP set after start). */
  revalidateAll(index: RouteValidator): RevalidateOutcome {
    this.idle();
    this.index = index;
    let visited = 0;
    let changed = 0;
    for (const table of this.byKey.values()) {
      for (const fam of [table.v4, table.v6]) {
        fam.forEach((s) => {
          visited++;
          if (this.revalidateSlot(table, fam, s)) changed++;
        });
      }
    }
    return { visited, changed };
  }

  // --- queries ---------------------------------------------------------------------

  /** The route held for (prefix, path id) in the table, or undefined. */
  get(table: PeerTable, prefix: Prefix, pathId = 0): HeldRoute | undefined {
    const fam = table.family(prefix.afi);
    const s = fam.find(prefix.w0, prefix.w1, prefix.w2, prefix.w3, prefix.length, pathId >>> 0);
    return s < 0 ? undefined : this.heldRoute(table, fam, s, new Map());
  }

  /**
   * The routes covered by `prefix` (equal included), of one table or of
   * all: a few hash chains per query, not a scan (see route-table.ts).
   */
  covered(prefix: Prefix, options: { table?: PeerTable } = {}): HeldRoute[] {
    const out: HeldRoute[] = [];
    const decoded = new Map<number, PathAttributes>();
    const tables = options.table !== undefined ? [options.table] : this.byKey.values();
    for (const table of tables) {
      const fam = table.family(prefix.afi);
      fam.forEachCovered(prefix.w0, prefix.w1, prefix.w2, prefix.w3, prefix.length, (s) => {
        out.push(this.heldRoute(table, fam, s, decoded));
      });
    }
    return out;
  }

  /** How many routes covered() would return, without materialising them. */
  countCovered(prefix: Prefix, options: { table?: PeerTable } = {}): number {
    let n = 0;
    const count = (): void => {
      n++;
    };
    const tables = options.table !== undefined ? [options.table] : this.byKey.values();
    for (const table of tables) table.family(prefix.afi).forEachCovered(prefix.w0, prefix.w1, prefix.w2, prefix.w3, prefix.length, count);
    return n;
  }

  /** Every route of the table (IPv4 first). The RIB must not change during the iteration. */
  *routes(table: PeerTable, afi?: Afi): IterableIterator<HeldRoute> {
    const version = this.version;
    const decoded = new Map<number, PathAttributes>();
    for (const fam of afi === undefined ? [table.v4, table.v6] : [table.family(afi)]) {
      for (let s = 0; s < fam.highWater; s++) {
        // Every insert and removal bumps the version (a pool is reallocated only by those).
        if (this.version !== version) throw new Error('the RIB changed while its routes were being iterated');
        if ((fam.field(s, META) & USED) === 0) continue;
        yield this.heldRoute(table, fam, s, decoded);
      }
    }
  }

  /** Routes held in all tables, of one family and/or one state. O(1). */
  count(afi?: Afi, state?: RovState): number {
    const t = this.totals;
    if (state === undefined) {
      const v4 = t[0]! + t[1]! + t[2]!;
      const v6 = t[4]! + t[5]! + t[6]!;
      return afi === 4 ? v4 : afi === 6 ? v6 : v4 + v6;
    }
    if (afi === undefined) return t[state]! + t[4 + state]!;
    return t[(afi === 4 ? 0 : 4) + state]!;
  }

  staleCount(afi?: Afi): number {
    const t = this.totals;
    if (afi === undefined) return t[STALE_COUNT_SLOT]! + t[4 + STALE_COUNT_SLOT]!;
    return t[(afi === 4 ? 0 : 4) + STALE_COUNT_SLOT]!;
  }

  /** The attribute store (for tests and metrics). */
  get attributeStore(): AttributeStore {
    return this.store;
  }

  stats(): RibStats {
    let bytes = 0;
    let growths = 0;
    let shrinks = 0;
    let rehashes = 0;
    for (const t of this.byKey.values()) {
      for (const fam of [t.v4, t.v6]) {
        bytes += fam.bytes;
        growths += fam.growths;
        shrinks += fam.shrinks;
        rehashes += fam.rehashes;
      }
    }
    const attributes = this.store.stats();
    return {
      tables: this.byKey.size,
      routes: this.count(),
      ipv4: this.count(4),
      ipv6: this.count(6),
      attributes,
      bytes: bytes + attributes.bytes,
      growths,
      shrinks,
      rehashes,
    };
  }

  // --- internals -------------------------------------------------------------------

  private announceAt(table: PeerTable, prefix: Prefix, pathId: number, attrs: PathAttributes, at: number): AnnounceOutcome {
    const set = this.store.acquire(attrs);
    return this.announceSet(table, table.family(prefix.afi), prefix.w0, prefix.w1, prefix.w2, prefix.w3, prefix.length, pathId, set, at);
  }

  /** Announces (w0..w3)/len with path id `pathId` and attribute set `set`, of which the caller holds one reference for this route. */
  private announceSet(table: PeerTable, fam: FamilyTable, w0: number, w1: number, w2: number, w3: number, len: number, pathId: number, set: number, at: number): AnnounceOutcome {
    const s = fam.find(w0, w1, w2, w3, len, pathId);
    const slotBase = (fam.afi === 4 ? 0 : 4) as 0 | 4;
    if (s < 0) {
      const origin = this.originOf(table, set);
      const state = fam.words === 1 ? this.index.validateV4(w0, len, origin) : this.index.validateV6(w0, w1, w2, w3, len, origin);
      const slot = fam.insertFound(w0, w1, w2, w3, len, pathId, set, state << STATE_SHIFT, at);
      this.adjust(table, slotBase + state, 1);
      this.version++;
      if (this.listeners.length > 0 && this.wanted(table, 'announce', undefined, state)) {
        this.dispatch(this.event('announce', 'update', table, fam.afi, fam.rec, slot * fam.stride, -1, set, undefined, origin, undefined, state, at));
      }
      return 'announce';
    }
    const f = s * fam.stride + fam.words;
    const rec = fam.rec;
    const meta = rec[f + META]!;
    const oldSet = rec[f + SET]!;
    if (oldSet === set) {
      this.store.release(set);
      if ((meta & STALE) !== 0) {
        rec[f + META] = meta & ~STALE;
        this.adjust(table, slotBase + STALE_COUNT_SLOT, -1);
      }
      return 'refresh';
    }
    const oldState = ((meta & STATE_MASK) >>> STATE_SHIFT) as RovState;
    const oldOrigin = this.originOf(table, oldSet);
    const origin = this.originOf(table, set);
    let state = oldState;
    if (origin !== oldOrigin) {
      state = fam.words === 1 ? this.index.validateV4(w0, len, origin) : this.index.validateV6(w0, w1, w2, w3, len, origin);
    }
    rec[f + META] = (meta & ~(STATE_MASK | STALE)) | (state << STATE_SHIFT);
    rec[f + SET] = set;
    rec[f + LAST_CHANGE] = at;
    if ((meta & STALE) !== 0) this.adjust(table, slotBase + STALE_COUNT_SLOT, -1);
    if (state !== oldState) {
      this.adjust(table, slotBase + oldState, -1);
      this.adjust(table, slotBase + state, 1);
    }
    if (this.listeners.length > 0 && this.wanted(table, 'replace', oldState, state)) {
      this.dispatch(this.event('replace', 'update', table, fam.afi, fam.rec, s * fam.stride, oldSet, set, oldOrigin, origin, oldState, state, at));
    }
    this.store.release(oldSet);
    return 'replace';
  }

  /** Removes record `s` with a withdraw event; the caller shrinks the pool when done. */
  private removeSlot(table: PeerTable, fam: FamilyTable, s: number, cause: RouteEventCause, at: number): void {
    const f = s * fam.stride + fam.words;
    const meta = fam.rec[f + META]!;
    const set = fam.rec[f + SET]!;
    const state = ((meta & STATE_MASK) >>> STATE_SHIFT) as RovState;
    const ev =
      this.listeners.length > 0 && this.wanted(table, 'withdraw', state, undefined)
        ? this.event('withdraw', cause, table, fam.afi, fam.rec, s * fam.stride, set, -1, this.originOf(table, set), undefined, state, undefined, at)
        : undefined;
    fam.remove(s);
    const slotBase = fam.afi === 4 ? 0 : 4;
    this.adjust(table, slotBase + state, -1);
    if ((meta & STALE) !== 0) this.adjust(table, slotBase + STALE_COUNT_SLOT, -1);
    this.version++;
    if (ev !== undefined) this.dispatch(ev);
    this.store.release(set);
  }

  private dropStaleOf(table: PeerTable, afi: Afi, at: number): number {
    const fam = table.family(afi);
    const stale = table.staleCount(afi);
    if (stale === 0) return 0;
    const stride = fam.stride;
    const metaAt = fam.words + META;
    if (stale * 4 <= fam.size) {
      const rec = fam.rec;
      let n = 0;
      fam.forEach((s) => {
        if ((rec[s * stride + metaAt]! & STALE) !== 0) {
          this.removeSlot(table, fam, s, 'stale', at);
          n++;
        }
      });
      return n;
    }
    // Many at once: take them out in one rebuild, then tell the listeners.
    const gone = fam.extract((s) => (fam.rec[s * stride + metaAt]! & STALE) !== 0, stale);
    this.withdrawRecords(table, afi, gone.rec, gone.count, 'stale', at);
    return gone.count;
  }

  /**
   * Withdraw events for records no longer in the table (copies, or the
   * pool of a dropped table): `count` records of rec, those without the
   * used bit skipped. Counts first, so listeners see the table as it is.
   */
  private withdrawRecords(table: PeerTable, afi: Afi, rec: Uint32Array, count: number, cause: RouteEventCause, at: number): void {
    const words = afi === 4 ? 1 : 4;
    const stride = words + FIELDS;
    const slotBase = afi === 4 ? 0 : 4;
    for (let i = 0; i < count; i++) {
      const meta = rec[i * stride + words + META]!;
      if ((meta & USED) === 0) continue;
      this.adjust(table, slotBase + ((meta & STATE_MASK) >>> STATE_SHIFT), -1);
      if ((meta & STALE) !== 0) this.adjust(table, slotBase + STALE_COUNT_SLOT, -1);
    }
    this.version++;
    for (let i = 0; i < count; i++) {
      const b = i * stride;
      const meta = rec[b + words + META]!;
      if ((meta & USED) === 0) continue;
      const set = rec[b + words + SET]!;
      if (this.listeners.length > 0) {
        const state = ((meta & STATE_MASK) >>> STATE_SHIFT) as RovState;
        if (this.wanted(table, 'withdraw', state, undefined)) {
          this.dispatch(this.event('withdraw', cause, table, afi, rec, b, set, -1, this.originOf(table, set), undefined, state, undefined, at));
        }
      }
      this.store.release(set);
    }
  }

  /** Recomputes one route's state; true if it changed. */
  private revalidateSlot(table: PeerTable, fam: FamilyTable, s: number): boolean {
    const rec = fam.rec;
    const b = s * fam.stride;
    const f = b + fam.words;
    const meta = rec[f + META]!;
    const set = rec[f + SET]!;
    const len = meta & LEN_MASK;
    const origin = this.originOf(table, set);
    const state =
      fam.words === 1 ? this.index.validateV4(rec[b]!, len, origin) : this.index.validateV6(rec[b]!, rec[b + 1]!, rec[b + 2]!, rec[b + 3]!, len, origin);
    const oldState = ((meta & STATE_MASK) >>> STATE_SHIFT) as RovState;
    if (state === oldState) return false;
    rec[f + META] = (meta & ~STATE_MASK) | (state << STATE_SHIFT);
    const slotBase = fam.afi === 4 ? 0 : 4;
    this.adjust(table, slotBase + oldState, -1);
    this.adjust(table, slotBase + state, 1);
    if (this.listeners.length > 0 && this.wanted(table, 'state-changed', oldState, state)) {
      const at = rec[f + LAST_CHANGE]!;
      this.dispatch(this.event('state-changed', 'revalidation', table, fam.afi, rec, b, set, set, origin, origin, oldState, state, at));
    }
    return true;
  }

  private changeLocalAsn(table: PeerTable, asn: Asn): void {
    this.writable(table);
    table.setLocalAsn(asn);
    for (const fam of [table.v4, table.v6]) {
      const rec = fam.rec;
      const setAt = fam.words + SET;
      fam.forEach((s) => {
        if (this.store.origin(rec[s * fam.stride + setAt]!) === ORIGIN_LOCAL) this.revalidateSlot(table, fam, s);
      });
    }
  }

  /** The origin of a set as seen from the table: an ASN, or -1 (NONE). */
  private originOf(table: PeerTable, set: number): number {
    const o = this.store.origin(set);
    if (o !== ORIGIN_LOCAL) return o;
    return table.localAsn ?? ORIGIN_NONE;
  }

  private adjust(table: PeerTable, slot: number, delta: number): void {
    table.counts[slot] = table.counts[slot]! + delta;
    this.totals[slot] = this.totals[slot]! + delta;
  }

  /** An event for the record at rec[b..] of a family table with `words` address words. */
  private event(
    type: RouteEventType,
    cause: RouteEventCause,
    table: PeerTable,
    afi: Afi,
    rec: Uint32Array,
    b: number,
    oldSet: number,
    newSet: number,
    oldOrigin: number | undefined,
    newOrigin: number | undefined,
    oldState: RovState | undefined,
    newState: RovState | undefined,
    at: number,
  ): RouteEvent {
    const four = afi === 6;
    const f = b + (four ? 4 : 1);
    return new RouteEvent(
      type,
      cause,
      table,
      afi,
      rec[b]!,
      four ? rec[b + 1]! : 0,
      four ? rec[b + 2]! : 0,
      four ? rec[b + 3]! : 0,
      rec[f + META]! & LEN_MASK,
      rec[f + PATH_ID]!,
      this.store,
      oldSet,
      oldSet >= 0 ? this.store.generation(oldSet) : 0,
      newSet,
      newSet >= 0 ? this.store.generation(newSet) : 0,
      oldOrigin,
      newOrigin,
      oldState,
      newState,
      at,
    );
  }

  private dispatch(event: RouteEvent): void {
    this.emitting = true;
    try {
      for (const { listener, wants } of this.listeners) {
        if (wants !== undefined && !wants(event.table, event.type, event.oldState, event.newState)) continue;
        try {
          listener(event);
        } catch (err) {
          this.logger.error({ err, table: event.table.key, type: event.type }, 'RIB route listener failed');
        }
      }
    } finally {
      this.emitting = false;
    }
  }

  private heldRoute(table: PeerTable, fam: FamilyTable, s: number, decoded: Map<number, PathAttributes>): HeldRoute {
    const rec = fam.rec;
    const b = s * fam.stride;
    const f = b + fam.words;
    const meta = rec[f + META]!;
    const set = rec[f + SET]!;
    let attributes = decoded.get(set);
    if (attributes === undefined) {
      attributes = this.store.decode(set);
      decoded.set(set, attributes);
    }
    const four = fam.words === 4;
    const origin = this.originOf(table, set);
    return Object.freeze({
      table,
      prefix: Prefix.fromWords(fam.afi, meta & LEN_MASK, rec[b]!, four ? rec[b + 1]! : 0, four ? rec[b + 2]! : 0, four ? rec[b + 3]! : 0),
      pathId: rec[f + PATH_ID]!,
      attributes,
      origin: origin < 0 ? null : (origin as Asn),
      state: ((meta & STATE_MASK) >>> STATE_SHIFT) as RovState,
      stale: (meta & STALE) !== 0,
      firstSeen: rec[f + FIRST_SEEN]!,
      lastChange: rec[f + LAST_CHANGE]!,
    });
  }

  /** The RIB's clock in unix seconds: the `at` of changes made now (a caller applying many UPDATEs at once reads it once). */
  seconds(): number {
    return Math.floor(this.now() / 1000) >>> 0;
  }

  private idle(): void {
    if (this.emitting) throw new Error('the RIB cannot be changed from inside a route listener');
  }

  private writable(table: PeerTable): void {
    this.idle();
    if (table.owner !== this) throw new Error(`table ${table.toString()} belongs to another RIB`);
    if (table.dropped) throw new Error(`table ${table.toString()} was dropped`);
  }
}

function nlriKey(n: Nlri): string {
  return `${n.prefix.toString()} ${n.pathId >>> 0}`;
}

/** Sorted, with every prefix inside another removed. */
function disjoint(prefixes: readonly Prefix[]): Prefix[] {
  const sorted = [...prefixes].sort(Prefix.compare);
  const out: Prefix[] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.covers(p)) continue;
    out.push(p);
  }
  return out;
}

/**
 * For a sorted list of disjoint prefixes of one family: a function telling
 * whether one of them covers a route. The only candidate is the last prefix
 * starting at or before the route's address (a later one would start inside
 * the covering prefix, so be nested in it).
 */
function coveringFinder(prefixes: readonly Prefix[]): (w0: number, w1: number, w2: number, w3: number, len: number) => boolean {
  const n = prefixes.length;
  const words = new Float64Array(n * 4);
  const lens = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = prefixes[i]!;
    words[i * 4] = p.w0;
    words[i * 4 + 1] = p.w1;
    words[i * 4 + 2] = p.w2;
    words[i * 4 + 3] = p.w3;
    lens[i] = p.length;
  }
  return (w0, w1, w2, w3, len) => {
    let lo = 0;
    let hi = n; // first index starting after the route
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = mid * 4;
      const c = words[b]! - w0 || words[b + 1]! - w1 || words[b + 2]! - w2 || words[b + 3]! - w3;
      if (c <= 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return false;
    const i = lo - 1;
    const pl = lens[i]!;
    if (pl > len) return false;
    const b = i * 4;
    return (
      ((words[b]! ^ w0) & wordMask(pl, 0)) === 0 &&
      ((words[b + 1]! ^ w1) & wordMask(pl, 1)) === 0 &&
      ((words[b + 2]! ^ w2) & wordMask(pl, 2)) === 0 &&
      ((words[b + 3]! ^ w3) & wordMask(pl, 3)) === 0
    );
  };
}
