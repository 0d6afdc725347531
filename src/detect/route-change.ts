/**
 * What detectors read of a route change: the subset of the RIB's
 * RouteEvent they use. A RouteEvent is one; so is a held route re-checked
 * after a config reload (heldAsChange), which is why detectors take this
 * shape and not the class.
 */
import type { PathAttributes } from '../bgp/attributes.js';
import type { Asn } from '../net/asn.js';
import type { Prefix } from '../net/prefix.js';
import type { PeerTable } from '../rib/peer-table.js';
import type { HeldRoute, RouteEventType } from '../rib/route-event.js';
import type { RovState } from '../rov/validity.js';

export interface RouteChange {
  readonly type: RouteEventType;
  readonly table: PeerTable;
  readonly prefix: Prefix;
  readonly length: number;
  readonly pathId: number;
  /** Table, prefix and path id: the route's identity across its changes. */
  readonly key: string;
  readonly oldState: RovState | undefined;
  readonly newState: RovState | undefined;
  readonly oldOrigin: Asn | null | undefined;
  readonly newOrigin: Asn | null | undefined;
  readonly newAttributes: PathAttributes | undefined;
  coveredBy(p: Prefix): boolean;
}

/**
 * A held route as a change that leaves it as it is (a `replace` with equal
 * old and new state and origin): detectors then raise what holds for it
 * now and clear what no longer does.
 */
export function heldAsChange(r: HeldRoute): RouteChange {
  return {
    type: 'replace',
    table: r.table,
    prefix: r.prefix,
    length: r.prefix.length,
    pathId: r.pathId,
    key: `${r.table.key} ${r.prefix.toString()} ${r.pathId}`,
    oldState: r.state,
    newState: r.state,
    oldOrigin: r.origin,
    newOrigin: r.origin,
    newAttributes: r.attributes,
    coveredBy: (p) => p.covers(r.prefix),
  };
}
