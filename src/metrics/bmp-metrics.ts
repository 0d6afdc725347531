/**
 * BMP (RFC 7854) sessions and what they carried, and the BGP UPDATEs
 * ingested from them.
 *
 * `router` is the router's address (not address:port: a reconnect comes
 * from another port and must continue the same series). Message counts
 * are the live sessions' counters plus the ended sessions' (BmpTally), so
 * they only reset when rovd restarts or a router is forgotten.
 *
 * UPDATE counts come from BmpIngest, which counts totals only: there is no
 * per-VIF count to expose yet (see docs/metrics.md, "Gaps").
 */
import type { Registry } from 'prom-client';
import type { Daemon } from '../daemon/daemon.js';
import { addCounters, BMP_MESSAGE_TYPES, type BmpMessageType, type BmpTally, type RouterTotals, zeroTotals } from './bmp-tally.js';
import { type CollectErrorHandler, one, type Sample, scrapedCounter, scrapedGauge } from './scraped.js';

export function registerBmpMetrics(registry: Registry, daemon: Daemon, tally: BmpTally, onError: CollectErrorHandler): void {
  /** Live plus ended sessions, per router address. */
  const totals = (): Map<string, RouterTotals> => {
    const by = new Map<string, RouterTotals>();
    for (const [address, base] of tally.endedSessions()) by.set(address, { ...base });
    for (const r of daemon.station.routers()) {
      let t = by.get(r.router.address);
      if (t === undefined) by.set(r.router.address, (t = zeroTotals()));
      addCounters(t, r.counters);
    }
    return by;
  };

  scrapedGauge(registry, { name: 'rovd_bmp_sessions', help: 'BMP sessions open (routers connected).', labelNames: [], read: () => one(daemon.station.routers().length) }, onError);

  scrapedCounter(registry, {
    name: 'rovd_bmp_messages_total',
    help: 'BMP messages received, by router address and message type (RFC 7854 §4; unknown types are skipped).',
    labelNames: ['router', 'type'],
    *read(): Iterable<Sample<'router' | 'type'>> {
      for (const [router, t] of totals()) for (const type of Object.keys(BMP_MESSAGE_TYPES) as BmpMessageType[]) yield { labels: { router, type }, value: t[type] };
    },
  }, onError);

  scrapedCounter(registry, {
    name: 'rovd_bmp_received_bytes_total',
    help: 'Bytes of BMP stream received, by router address.',
    labelNames: ['router'],
    *read(): Iterable<Sample<'router'>> {
      for (const [router, t] of totals()) yield { labels: { router }, value: t.bytes };
    },
  }, onError);

  scrapedCounter(registry, { name: 'rovd_bmp_refused_connections_total', help: 'BMP connections refused (source outside bmp.allow, or too many routers).', labelNames: [], read: () => one(daemon.station.refused) }, onError);

  scrapedGauge(registry, {
    name: 'rovd_bmp_peers',
    help: 'BGP peers a connected router reports (Peer Up without Peer Down), by router address.',
    labelNames: ['router'],
    read: () => daemon.station.routers().map((r) => ({ labels: { router: r.router.address }, value: r.peers })),
  }, onError);

  scrapedCounter(registry, {
    name: 'rovd_bgp_updates_total',
    help: 'BGP UPDATE messages (BMP Route Monitoring) applied to the RIB, End-of-RIB markers included, by VIF (or unmapped).',
    labelNames: ['vif'],
    read: () => [...daemon.ingest.updatesByVif()].map(([vif, value]) => ({ labels: { vif }, value })),
  }, onError);

  scrapedCounter(registry, {
    name: 'rovd_bgp_route_changes_total',
    help: 'Routes changed by ingestion: announced (new), replaced (new attributes), withdrawn, stale_marked (router session ended), stale_dropped (not re-announced in time).',
    labelNames: ['change'],
    *read(): Iterable<Sample<'change'>> {
      const c = daemon.ingest.counters;
      yield { labels: { change: 'announced' }, value: c.announced };
      yield { labels: { change: 'replaced' }, value: c.replaced };
      yield { labels: { change: 'withdrawn' }, value: c.withdrawn };
      yield { labels: { change: 'stale_marked' }, value: c.staleMarked };
      yield { labels: { change: 'stale_dropped' }, value: c.staleDropped };
    },
  }, onError);

  scrapedCounter(registry, { name: 'rovd_bgp_end_of_rib_total', help: 'End-of-RIB markers received (RFC 4724 §2).', labelNames: [], read: () => one(daemon.ingest.counters.endOfRib) }, onError);
}
