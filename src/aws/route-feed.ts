/**
 * Direct Connect's list of a VIF's routes, as route events in the RIB.
 *
 * Each poll of ListVirtualInterfaceRoutes is a full picture of the VIF, not
 * a change: the RIB holds the previous picture, so applying a poll is
 * announcing every route listed (an unchanged route is only refreshed and
 * raises no event) and withdrawing what the VIF's tables hold that the
 * poll no longer lists. From there the routes go through what BMP routes
 * go through: validated on insert, revalidated when VRPs change, seen by
 * detection and counted in metrics, with `source="aws-api"`
 * (src/vif/feed-tables.ts for where they are kept).
 */
import { type PathAttributes, partialAttributes } from '../bgp/attributes.js';
import { parseCommunity } from '../bgp/attributes/communities.js';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import type { PeerTable } from '../rib/peer-table.js';
import type { Rib } from '../rib/rib.js';
import { ACCEPTED_KIND, ADVERTISED_KIND, AWS_API_FEED, awsTablesOf, feedTableKey, feedVifOf } from '../vif/feed-tables.js';
import type { Vif } from '../vif/vif.js';
import type { AwsRoute } from './direct-connect-types.js';

export interface RouteFeedOutcome {
  readonly announced: number;
  readonly replaced: number;
  readonly withdrawn: number;
  readonly unchanged: number;
  /** Communities that were neither `asn:value`, `a:b:c` nor a well-known name (dropped from the route, logged). */
  readonly badCommunities: number;
}

const LARGE_COMMUNITY = /^\d{1,10}:\d{1,10}:\d{1,10}$/;

/** The path attributes a listed route stands for: what AWS tells (AS path, communities), nothing invented. */
export function attributesOf(route: AwsRoute, onBadCommunity: (text: string) => void = () => {}): PathAttributes {
  const communities: number[] = [];
  const largeCommunities: string[] = [];
  for (const text of route.communities) {
    const c = parseCommunity(text);
    if (c !== undefined) communities.push(c);
    else if (LARGE_COMMUNITY.test(text) && text.split(':').every((n) => Number(n) <= 0xffffffff)) largeCommunities.push(text);
    else onBadCommunity(text);
  }
  return partialAttributes({ asPath: route.asPath, communities, largeCommunities });
}

export class AwsRouteFeed {
  constructor(
    private readonly rib: Rib,
    private readonly log: Logger = NOOP_LOGGER,
  ) {}

  /** Makes the VIF's API tables hold exactly `routes` (one poll's full list). */
  apply(vif: Vif, routes: readonly AwsRoute[], at?: number): RouteFeedOutcome {
    let announced = 0;
    let replaced = 0;
    let unchanged = 0;
    let badCommunities = 0;
    const listed = new Map<PeerTable, Set<string>>();
    for (const route of routes) {
      const table = this.tableFor(vif, route);
      let keys = listed.get(table);
      if (keys === undefined) listed.set(table, (keys = new Set()));
      keys.add(route.prefix.toString());
      const attributes = attributesOf(route, (text) => {
        badCommunities++;
        this.log.warn({ vif: vif.id, prefix: route.prefix.toString(), community: text }, 'aws: a listed route has a community rovd cannot read; kept without it');
      });
      const outcome = this.rib.announce(table, route.prefix, 0, attributes, at);
      if (outcome === 'announce') announced++;
      else if (outcome === 'replace') replaced++;
      else unchanged++;
    }
    let withdrawn = 0;
    for (const table of awsTablesOf(this.rib, vif.id)) {
      const keep = listed.get(table);
      // Collected first: the RIB may not change while its routes are iterated.
      const gone = [...this.rib.routes(table)].filter((r) => keep === undefined || !keep.has(r.prefix.toString()));
      for (const r of gone) if (this.rib.withdraw(table, r.prefix, r.pathId, at)) withdrawn++;
    }
    return { announced, replaced, withdrawn, unchanged, badCommunities };
  }

  /** Forgets a VIF's API routes (it was deleted, or is no longer watched). Returns the routes dropped. */
  drop(vifId: string): number {
    return awsTablesOf(this.rib, vifId).reduce((n, t) => n + this.rib.dropTable(t), 0);
  }

  /**
   * Marks a VIF's API routes stale: the API has not answered for a while, so
   * they are as last read (rovd_routes_stale counts them). The next poll's
   * list refreshes what it still lists and withdraws the rest.
   */
  markStale(vifId: string): number {
    return awsTablesOf(this.rib, vifId).reduce((n, t) => n + this.rib.markStale(t), 0);
  }

  /** VIF ids that have API tables. */
  vifIds(): string[] {
    const ids = new Set<string>();
    for (const t of this.rib.tablesOfRouter(AWS_API_FEED)) ids.add(feedVifOf(t)!);
    return [...ids];
  }

  private tableFor(vif: Vif, route: AwsRoute): PeerTable {
    // One BGP session per address family on a VIF: the route rides the session of its family.
    const six = route.prefix.afi === 6;
    const peer = vif.peers.find((p) => p.address.includes(':') === six);
    const kind = route.direction === 'accepted' ? ACCEPTED_KIND : ADVERTISED_KIND;
    return this.rib.table(feedTableKey(AWS_API_FEED, vif.id, peer?.address ?? (six ? 'ipv6' : 'ipv4'), kind));
  }
}
