/**
 * Where a RIB table sits, for detectors: its VIF (if any), the direction
 * of its routes relative to Amazon, and the labels every alert about one
 * of its routes carries. Made once per table and kept with it.
 *
 * Direction follows from the RIB kind on the customer's router, which is
 * what BMP monitors: the Adj-RIB-In of an Amazon peer holds what Amazon
 * sent (`received`); its Adj-RIB-Out (RFC 8671) what the customer sends to
 * Amazon (`advertised`); the Loc-RIB (RFC 9069) the router's own choice
 * (`selected`, not tied to a VIF session).
 */
import type { AlertContext, AlertLabels } from '../alerts/alert.js';
import { canonicalAddress } from '../net/address.js';
import type { PeerTable, RibKind } from '../rib/peer-table.js';
import type { Vif, VifPeer } from '../vif/vif.js';
import { type RouteSource, feedVifOf, sourceOf } from '../vif/feed-tables.js';
import { UNMAPPED, type VifMap } from '../vif/vif-map.js';

export type RouteDirection = 'received' | 'advertised' | 'selected';

export interface RouteContext {
  readonly vif: Vif | undefined;
  /** The VIF id or `unmapped`. */
  readonly vifLabel: string;
  readonly vifPeer: VifPeer | undefined;
  readonly direction: RouteDirection;
  readonly rib: RibKind;
  readonly router: string;
  /** The BGP peer's address (from the table's peer key). */
  readonly peer: string;
  /** bmp, aws-api (Direct Connect's own view) or json. */
  readonly source: RouteSource;
  /** vif, router, peer, rib, direction, source (and vif_type, region when known). */
  readonly labels: AlertLabels;
  readonly context: AlertContext;
}

export function directionOf(kind: RibKind): RouteDirection {
  return kind.startsWith('adj-rib-in') ? 'received' : kind.startsWith('adj-rib-out') ? 'advertised' : 'selected';
}

/**
 * The peer address inside a table's peer key. BMP tables are keyed by
 * `type|distinguisher|address` (src/bmp/per-peer-header.ts); other feeds
 * may key by the address alone.
 */
export function peerAddressOf(peerKey: string): string {
  const bar = peerKey.lastIndexOf('|');
  return bar < 0 ? peerKey : peerKey.slice(bar + 1);
}

export class RouteContexts {
  private readonly byTable = new WeakMap<PeerTable, RouteContext>();

  constructor(private readonly vifs: VifMap) {}

  of(table: PeerTable): RouteContext {
    let c = this.byTable.get(table);
    if (c === undefined) {
      c = this.make(table);
      this.byTable.set(table, c);
    }
    return c;
  }

  private make(table: PeerTable): RouteContext {
    const peer = peerAddressOf(table.peer);
    // A feed's table names its VIF in the key (src/vif/feed-tables.ts); a router's is found by router and peer.
    const feedVif = feedVifOf(table);
    const vif = feedVif === undefined ? this.vifs.lookup(table.router, peer) : this.vifs.get(feedVif);
    const source = sourceOf(table);
    const canonical = canonicalAddress(peer) ?? peer;
    const vifPeer = vif?.peers.find((p) => p.address === canonical);
    const vifLabel = vif?.id ?? UNMAPPED;
    const direction = directionOf(table.kind);
    const labels: Record<string, string> = { vif: vifLabel, router: table.router, peer, rib: table.kind, direction, source };
    if (vif !== undefined) labels.vif_type = vif.type;
    if (vif?.region !== undefined) labels.region = vif.region;
    return Object.freeze({
      vif,
      vifLabel,
      vifPeer,
      direction,
      rib: table.kind,
      router: table.router,
      peer,
      source,
      labels: Object.freeze(labels),
      context: Object.freeze({ vif: vifLabel, vifType: vif?.type, region: vif?.region, router: table.router, peer, peerAsn: vifPeer?.asn, rib: table.kind }),
    });
  }
}
