/**
 * One table of the RIB: the routes one monitored router holds for one peer
 * in one kind of RIB.
 *
 * The kinds are those BMP can report:
 * - `adj-rib-in-pre`: the routes as received, before inbound policy
 *   (RFC 7854 §5, peer header L flag 0);
 * - `adj-rib-in-post`: after inbound policy (RFC 7854 §5, L flag 1);
 * - `adj-rib-out-pre` / `adj-rib-out-post`: what the router advertises to the
 *   peer, before and after outbound policy (RFC 8671, O flag);
 * - `loc-rib`: the router's selected routes (RFC 9069, peer type 3).
 *
 * A PeerTable is a handle: the Rib changes it, anyone may read its counts,
 * which are kept up to date on every change and cost O(1) to read (for
 * metrics and prefix-limit alerts).
 */
import type { Asn } from '../net/asn.js';
import type { Afi } from '../net/prefix.js';
import type { RovState } from '../rov/validity.js';
import { FamilyTable } from './route-table.js';

export const RibKind = {
  adjRibInPre: 'adj-rib-in-pre',
  adjRibInPost: 'adj-rib-in-post',
  adjRibOutPre: 'adj-rib-out-pre',
  adjRibOutPost: 'adj-rib-out-post',
  locRib: 'loc-rib',
} as const;
export type RibKind = (typeof RibKind)[keyof typeof RibKind];

const KINDS: ReadonlySet<string> = new Set(Object.values(RibKind));

export function isRibKind(value: unknown): value is RibKind {
  return typeof value === 'string' && KINDS.has(value);
}

/** Names a table: the monitored router, the peer (as the caller identifies it) and the RIB kind. */
export interface PeerKey {
  readonly router: string;
  readonly peer: string;
  readonly kind: RibKind;
}

export function peerKeyString(key: PeerKey): string {
  return JSON.stringify([key.router, key.peer, key.kind]);
}

/** Count slots: per family (IPv4 at 0, IPv6 at 4), three RovStates then stale. */
const STALE_SLOT = 3;

export class PeerTable implements PeerKey {
  readonly router: string;
  readonly peer: string;
  readonly kind: RibKind;
  /** The key as one string (for maps and logs). */
  readonly key: string;
  private local: Asn | undefined;
  /** @internal */
  v4: FamilyTable;
  /** @internal */
  v6: FamilyTable;
  /** @internal counts, see STALE_SLOT */
  readonly counts = new Float64Array(8);
  /** @internal */
  dropped = false;
  /** @internal the Rib that owns this table */
  readonly owner: object;

  /** @internal use Rib.table() */
  constructor(key: PeerKey, localAsn: Asn | undefined, owner: object) {
    this.router = key.router;
    this.peer = key.peer;
    this.kind = key.kind;
    this.key = peerKeyString(key);
    this.local = localAsn;
    this.owner = owner;
    this.v4 = new FamilyTable(4);
    this.v6 = new FamilyTable(6);
  }

  /**
   * The AS of the router holding this table: the origin of a route whose
   * AS_PATH is empty or ends in a confederation segment (RFC 6811 §2).
   * Without it such routes have origin NONE.
   */
  get localAsn(): Asn | undefined {
    return this.local;
  }

  /** @internal the Rib revalidates the routes it affects */
  setLocalAsn(asn: Asn): void {
    this.local = asn;
  }

  /** True once the table was dropped (peer down): it holds nothing and takes no changes. */
  get isDropped(): boolean {
    return this.dropped;
  }

  /** Routes held. */
  get size(): number {
    return this.v4.size + this.v6.size;
  }

  /** Routes held, of one family and/or one RPKI state. */
  count(afi?: Afi, state?: RovState): number {
    if (state === undefined) {
      return afi === 4 ? this.v4.size : afi === 6 ? this.v6.size : this.v4.size + this.v6.size;
    }
    if (afi === undefined) return this.counts[state]! + this.counts[4 + state]!;
    return this.counts[(afi === 4 ? 0 : 4) + state]!;
  }

  /** Routes marked stale and not yet refreshed. */
  staleCount(afi?: Afi): number {
    if (afi === undefined) return this.counts[STALE_SLOT]! + this.counts[4 + STALE_SLOT]!;
    return this.counts[(afi === 4 ? 0 : 4) + STALE_SLOT]!;
  }

  /** Bytes of the route records and chains (attribute sets are shared and counted by the Rib). */
  get bytes(): number {
    return this.v4.bytes + this.v6.bytes;
  }

  toString(): string {
    return `${this.router} ${this.peer} ${this.kind}`;
  }

  /** @internal */
  family(afi: Afi): FamilyTable {
    return afi === 4 ? this.v4 : this.v6;
  }
}

export const STALE_COUNT_SLOT = STALE_SLOT;
