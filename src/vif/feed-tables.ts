/**
 * Where routes that do not come from a router's BMP feed are held.
 *
 * Direct Connect's own view of a VIF (ListVirtualInterfaceRoutes, source
 * `aws-api`) is a second opinion on what the router reports: it is kept in
 * tables of its own, under the pseudo-router `aws-api`, so the two never
 * mix and can be compared (src/detect/divergence-detector.ts). The JSON
 * feed (POST /api/v1/announcements) does the same for a VIF that names no
 * router. A feed table's peer key is `<feed>|<vif id>|<peer address>`: the
 * VIF is in the key, because the Amazon end of a session (169.254.255.1,
 * say) repeats from VIF to VIF and cannot name one.
 *
 * Which RIB kind a feed's routes belong to follows the router's point of
 * view, as BMP's does (src/detect/route-context.ts): what AWS *accepted*
 * from the customer is what the customer's router advertises (its
 * Adj-RIB-Out after policy, RFC 8671); what AWS *advertised* is what the
 * router receives (its Adj-RIB-In before policy, RFC 7854 §5).
 */
import type { PeerKey, PeerTable, RibKind } from '../rib/peer-table.js';
import type { Rib } from '../rib/rib.js';
import type { Vif } from './vif.js';

export const FEEDS = ['aws-api', 'json'] as const;
export type Feed = (typeof FEEDS)[number];

/** Where a table's routes come from: a router's BMP feed, Direct Connect's API, or the JSON feed. */
export type RouteSource = 'bmp' | Feed;

export const AWS_API_FEED: Feed = 'aws-api';

export const ACCEPTED_KIND: RibKind = 'adj-rib-out-post';
export const ADVERTISED_KIND: RibKind = 'adj-rib-in-pre';

/** The table key of a feed's routes for one session of a VIF. */
export function feedTableKey(feed: Feed, vifId: string, peerAddress: string, kind: RibKind): PeerKey {
  return { router: feed, peer: `${feed}|${vifId}|${peerAddress}`, kind };
}

/** The VIF id a feed table is keyed by, or undefined for a router's table. */
export function feedVifOf(table: Pick<PeerKey, 'router' | 'peer'>): string | undefined {
  if (!(FEEDS as readonly string[]).includes(table.router) || !table.peer.startsWith(`${table.router}|`)) return undefined;
  const rest = table.peer.slice(table.router.length + 1);
  const bar = rest.lastIndexOf('|');
  return bar <= 0 ? undefined : rest.slice(0, bar);
}

/** Where a table's routes come from. */
export function sourceOf(table: Pick<PeerKey, 'router' | 'peer'>): RouteSource {
  if (table.router === AWS_API_FEED) return 'aws-api';
  return table.peer.startsWith('json|') ? 'json' : 'bmp';
}

/**
 * The tables that stand for a VIF's sessions: its router's tables when it
 * names one (BMP, and JSON routes posted for it), else the feeds' tables
 * keyed by its id. Callers still match the peer.
 */
export function tablesOfVif(rib: Rib, vif: Vif): PeerTable[] {
  if (vif.router !== undefined) return rib.tablesOfRouter(vif.router);
  return FEEDS.flatMap((feed) => rib.tablesOfRouter(feed).filter((t) => feedVifOf(t) === vif.id));
}

/** The Direct Connect API's tables of one VIF. */
export function awsTablesOf(rib: Rib, vifId: string): PeerTable[] {
  return rib.tablesOfRouter(AWS_API_FEED).filter((t) => feedVifOf(t) === vifId);
}
