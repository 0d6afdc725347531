/**
 * Detection's own numbers: Direct Connect prefix-limit pressure per BGP
 * session, and how many routes each detector currently holds as a
 * problem (a route can count in several: a hijack is RPKI-invalid too).
 *
 * Prefix-limit usage is what detection measured at its last periodic
 * check (detection tick, 5 s by default), not recomputed here. A session
 * is identified by VIF and peer address: a VIF has one BGP peer per
 * address family session, and each carries its own limit.
 */
import type { Registry } from 'prom-client';
import type { Daemon } from '../daemon/daemon.js';
import type { DetectionCounts } from '../detect/detection.js';
import { type CollectErrorHandler, type Sample, scrapedGauge } from './scraped.js';

/** Label values: the alert type each count belongs to, where there is one. */
const KINDS: readonly (readonly [string, keyof DetectionCounts])[] = [
  ['rpki-invalid', 'invalidRoutes'],
  ['rpki-vrp-removed', 'vrpRemovedRoutes'],
  ['aspa-invalid', 'aspaInvalidRoutes'],
  ['hijack', 'hijacks'],
  ['own-prefix-missing', 'missingOwnPrefixes'],
  ['unexpected-prefix', 'unexpectedPrefixes'],
  ['held-while-stale', 'heldWhileStale'],
  ['route-divergence', 'divergences'],
];

type LimitLabel = 'vif' | 'peer' | 'afi' | 'direction';

export function registerDetectionMetrics(registry: Registry, daemon: Daemon, onError: CollectErrorHandler): void {
  const limitSamples = (value: (u: Daemon['detection']['prefixLimitUsage'][number]) => number): Sample<LimitLabel>[] =>
    daemon.detection.prefixLimitUsage.map((u) => ({ labels: { vif: u.vif, peer: u.peer, afi: u.afi, direction: u.direction }, value: value(u) }));

  scrapedGauge(registry, {
    name: 'rovd_prefix_limit_usage_ratio',
    help: 'Routes on a VIF\'s BGP session divided by Direct Connect\'s limit for it (1 = at the limit: AWS idles the session), by VIF, peer, address family and direction (advertised to / received from Amazon).',
    labelNames: ['vif', 'peer', 'afi', 'direction'],
    read: () => limitSamples((u) => u.ratio),
  }, onError);

  scrapedGauge(registry, {
    name: 'rovd_prefix_limit',
    help: 'Direct Connect\'s prefix limit for the VIF\'s BGP session (from the VIF config), by VIF, peer, address family and direction.',
    labelNames: ['vif', 'peer', 'afi', 'direction'],
    read: () => limitSamples((u) => u.limit),
  }, onError);

  scrapedGauge(registry, {
    name: 'rovd_detections',
    help: 'Routes or prefixes each detector holds as a problem now, by kind (the alert type; hijack covers origin- and subprefix-hijacks; held-while-stale: RPKI findings held back while the data is stale).',
    labelNames: ['kind'],
    *read(): Iterable<Sample<'kind'>> {
      const c = daemon.detection.counts();
      for (const [kind, field] of KINDS) yield { labels: { kind }, value: c[field] };
    },
  }, onError);
}
