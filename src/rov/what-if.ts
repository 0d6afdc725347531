/**
 * What-if: the held routes whose RPKI state would change if the VRPs were
 * different. An operator about to publish, change or revoke a ROA asks
 * this before doing it: "which of the routes I see would become invalid?".
 *
 * The candidate set is built as an index of its own, and only the routes
 * under the prefixes the change affects are revalidated against it (the
 * same minimal set the daemon revalidates after a real change), so the
 * answer costs about what the change itself would.
 */
import type { Prefix } from '../net/prefix.js';
import type { PeerTable } from '../rib/peer-table.js';
import type { HeldRoute } from '../rib/route-event.js';
import type { Rib } from '../rib/rib.js';
import { VrpTable } from '../rpki/vrp-table.js';
import type { Vrp } from '../rpki/vrp.js';
import { type RpkiSnapshot, affectedPrefixes } from './validator.js';
import type { RovState } from './validity.js';
import { VrpIndex } from './vrp-index.js';

export type WhatIfInput = { readonly add: readonly Vrp[]; readonly remove: readonly Vrp[] } | { readonly vrps: readonly Vrp[] };

export interface StateChange {
  readonly route: HeldRoute;
  readonly from: RovState;
  readonly to: RovState;
}

export interface WhatIfResult {
  /** VRPs the candidate adds to and removes from the current set (after deduplication). */
  readonly added: number;
  readonly removed: number;
  readonly affectedPrefixes: readonly Prefix[];
  /** Routes looked at (covered by an affected prefix). */
  readonly visited: number;
  /** Routes whose state would change, at most `limit` of them. */
  readonly changes: readonly StateChange[];
  /** How many would change in all. */
  readonly changed: number;
}

export function whatIf(rib: Rib, current: RpkiSnapshot, input: WhatIfInput, options: { readonly limit: number; readonly tables?: (t: PeerTable) => boolean }): WhatIfResult {
  const now = current.payload.vrps;
  const candidate = 'vrps' in input ? VrpTable.from(input.vrps) : now.withChanges(VrpTable.from(input.add), removableOf(now, input.remove));
  const delta = now.delta(candidate);
  const affected = affectedPrefixes(delta);
  const changes: StateChange[] = [];
  let visited = 0;
  let changed = 0;
  if (affected.length > 0) {
    const index = VrpIndex.build(candidate);
    const seen = new Set<string>();
    for (const table of rib.tables()) {
      if (options.tables !== undefined && !options.tables(table)) continue;
      for (const p of affected) {
        for (const route of rib.covered(p, { table })) {
          // Affected prefixes are disjoint (minimal cover), but be safe against overlap.
          const key = `${table.key} ${route.prefix} ${route.pathId}`;
          if (seen.has(key)) continue;
          seen.add(key);
          visited++;
          const to = index.validate(route.prefix, route.origin);
          if (to === route.state) continue;
          changed++;
          if (changes.length < options.limit) changes.push({ route, from: route.state, to });
        }
      }
    }
  }
  return { added: delta.added.size, removed: delta.removed.size, affectedPrefixes: affected, visited, changes, changed };
}

/** The VRPs to remove that the current set holds (removing one it does not hold changes nothing). */
function removableOf(now: VrpTable, remove: readonly Vrp[]): VrpTable {
  return VrpTable.from(remove.filter((v) => now.indexOf(v) >= 0));
}
