/**
 * What the RIB tells its listeners, and what it answers queries with.
 *
 * A RouteEvent is made only when someone listens, and carries the route key
 * and the old and new state as plain numbers; the prefix and the attributes
 * are built on first read, since most listeners (counters, the invalid-route
 * detector) look at the states only. The attributes are those of interned
 * sets the RIB releases right after the listeners return: read
 * `oldAttributes` / `newAttributes` inside the listener (a later read of a
 * set no longer held throws rather than returning another set's data).
 */
import type { PathAttributes } from '../bgp/attributes.js';
import type { Asn } from '../net/asn.js';
import { type Afi, Prefix, wordMask } from '../net/prefix.js';
import type { RovState } from '../rov/validity.js';
import type { AttributeStore } from './attribute-store.js';
import type { PeerTable } from './peer-table.js';

/**
 * - `announce`: a route for a new key (prefix, path id);
 * - `replace`: an implicit withdraw, a route replaced by a new one for the
 *   same key (RFC 4271 §9) with different attributes;
 * - `withdraw`: the route is gone;
 * - `state-changed`: revalidation after a VRP change gave another RovState.
 */
export type RouteEventType = 'announce' | 'replace' | 'withdraw' | 'state-changed';

/**
 * - `update`: an UPDATE (or announce/withdraw call) for the peer;
 * - `peer-down`: the table was dropped;
 * - `stale`: a stale route was not refreshed in time (dropStale, End-of-RIB);
 * - `revalidation`: the VRPs changed.
 */
export type RouteEventCause = 'update' | 'peer-down' | 'stale' | 'revalidation';

export class RouteEvent {
  private prefixMemo: Prefix | undefined = undefined;

  /** @internal made by the Rib */
  constructor(
    readonly type: RouteEventType,
    readonly cause: RouteEventCause,
    readonly table: PeerTable,
    readonly afi: Afi,
    private readonly w0: number,
    private readonly w1: number,
    private readonly w2: number,
    private readonly w3: number,
    readonly length: number,
    readonly pathId: number,
    private readonly store: AttributeStore,
    private readonly oldSet: number,
    private readonly oldGen: number,
    private readonly newSet: number,
    private readonly newGen: number,
    /** RFC 6811 §2 origin, resolved for the table (-1 = NONE); undefined without a route. */
    private readonly oldOriginCode: number | undefined,
    private readonly newOriginCode: number | undefined,
    /** Undefined for an announce. */
    readonly oldState: RovState | undefined,
    /** Undefined for a withdraw. */
    readonly newState: RovState | undefined,
    /** Unix seconds. */
    readonly at: number,
  ) {}

  get prefix(): Prefix {
    return (this.prefixMemo ??= Prefix.fromWords(this.afi, this.length, this.w0, this.w1, this.w2, this.w3));
  }

  /** True if `p` covers the route's prefix (equal counts), without making the Prefix object. */
  coveredBy(p: Prefix): boolean {
    if (p.afi !== this.afi || this.length < p.length) return false;
    const l = p.length;
    return (
      ((this.w0 ^ p.w0) & wordMask(l, 0)) === 0 &&
      ((this.w1 ^ p.w1) & wordMask(l, 1)) === 0 &&
      ((this.w2 ^ p.w2) & wordMask(l, 2)) === 0 &&
      ((this.w3 ^ p.w3) & wordMask(l, 3)) === 0
    );
  }

  /** The attributes before the change (undefined for an announce). Read inside the listener. */
  get oldAttributes(): PathAttributes | undefined {
    return this.attributesOf(this.oldSet, this.oldGen);
  }

  /** The attributes after the change (undefined for a withdraw). Read inside the listener. */
  get newAttributes(): PathAttributes | undefined {
    return this.attributesOf(this.newSet, this.newGen);
  }

  /** Origin AS before the change: null for NONE, undefined without a route. */
  get oldOrigin(): Asn | null | undefined {
    return originValue(this.oldOriginCode);
  }

  get newOrigin(): Asn | null | undefined {
    return originValue(this.newOriginCode);
  }

  /** Stable text key of the route: table, prefix, path id. */
  get key(): string {
    return `${this.table.key} ${this.prefix.toString()} ${this.pathId}`;
  }

  private attributesOf(set: number, gen: number): PathAttributes | undefined {
    if (set < 0) return undefined;
    if (!this.store.isHeld(set, gen)) {
      throw new Error('the attribute set of this route event is no longer held: read it inside the listener');
    }
    return this.store.decode(set);
  }
}

function originValue(code: number | undefined): Asn | null | undefined {
  return code === undefined ? undefined : code < 0 ? null : (code as Asn);
}

/** A route as the RIB holds it, materialised for queries. */
export interface HeldRoute {
  readonly table: PeerTable;
  readonly prefix: Prefix;
  readonly pathId: number;
  readonly attributes: PathAttributes;
  /** RFC 6811 §2 origin, resolved for the table: null for NONE. */
  readonly origin: Asn | null;
  readonly state: RovState;
  /** Marked stale (markStale) and not refreshed since. */
  readonly stale: boolean;
  /** Unix seconds the key was first announced. */
  readonly firstSeen: number;
  /** Unix seconds of the last announce that changed the attributes. */
  readonly lastChange: number;
}
