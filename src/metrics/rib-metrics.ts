/**
 * The Adj-RIB-In as Prometheus sees it: routes held per VIF, address
 * family, RIB kind and RPKI state, stale routes, and the RIB's memory.
 *
 * One pass over the tables per scrape (a few per router and peer), using
 * each table's running counts; routes are never visited. A VIF's label
 * comes from detection's route contexts (`dxvif-…`, or `unmapped` for a
 * peer no VIF names), the same label its alerts carry.
 *
 * `rib` is a label because a router exporting both pre- and post-policy
 * Adj-RIB-In (or Adj-RIB-Out, RFC 8671) reports the same routes in each:
 * summed over kinds, a VIF's invalid routes would count twice, and
 * routes received from Amazon and advertised to it mean different things.
 * `source` for the same reason: a VIF seen both through its router's BMP
 * feed and through Direct Connect's API (`aws-api`) holds each route twice.
 */
import type { Registry } from 'prom-client';
import type { Daemon } from '../daemon/daemon.js';
import type { PeerTable } from '../rib/peer-table.js';
import { RovState } from '../rov/validity.js';
import { sourceOf } from '../vif/feed-tables.js';
import { type CollectErrorHandler, one, type Sample, scrapedGauge } from './scraped.js';

const FAMILIES = [
  [4, 'ipv4'],
  [6, 'ipv6'],
] as const;

const STATES = [
  [RovState.Valid, 'valid'],
  [RovState.Invalid, 'invalid'],
  [RovState.NotFound, 'not-found'],
] as const;

export function registerRibMetrics(registry: Registry, daemon: Daemon, onError: CollectErrorHandler): void {
  const vifOf = (t: PeerTable): string => daemon.detection.contexts.of(t).vifLabel;

  scrapedGauge(registry, {
    name: 'rovd_routes',
    help: 'Routes held, by VIF (or unmapped), address family, RIB kind, RPKI validation state (RFC 6811) and source (bmp, aws-api: Direct Connect\'s own list, json).',
    labelNames: ['vif', 'afi', 'rib', 'state', 'source'],
    *read(): Iterable<Sample<'vif' | 'afi' | 'rib' | 'state' | 'source'>> {
      for (const t of daemon.rib.tables()) {
        const vif = vifOf(t);
        const source = sourceOf(t);
        for (const [afi, afiLabel] of FAMILIES) {
          for (const [state, stateLabel] of STATES) yield { labels: { vif, afi: afiLabel, rib: t.kind, state: stateLabel, source }, value: t.count(afi, state) };
        }
      }
    },
  }, onError);

  scrapedGauge(registry, {
    name: 'rovd_routes_stale',
    help: 'Routes held stale (their router\'s BMP session ended; kept for bmp.staleGraceSeconds), by VIF, address family and RIB kind.',
    labelNames: ['vif', 'afi', 'rib'],
    *read(): Iterable<Sample<'vif' | 'afi' | 'rib'>> {
      for (const t of daemon.rib.tables()) {
        const vif = vifOf(t);
        for (const [afi, afiLabel] of FAMILIES) yield { labels: { vif, afi: afiLabel, rib: t.kind }, value: t.staleCount(afi) };
      }
    },
  }, onError);

  scrapedGauge(registry, { name: 'rovd_rib_tables', help: 'RIB tables held (one per router, BGP peer and BMP RIB kind).', labelNames: [], read: () => one(daemon.rib.tables().length) }, onError);
  scrapedGauge(registry, { name: 'rovd_rib_bytes', help: 'Bytes the RIB holds in typed arrays: route records, chains and the attribute store.', labelNames: [], read: () => one(daemon.rib.stats().bytes) }, onError);
  scrapedGauge(registry, { name: 'rovd_rib_attribute_sets', help: 'Distinct path attribute sets held (shared by routes, reference counted).', labelNames: [], read: () => one(daemon.rib.attributeStore.stats().sets) }, onError);
}
