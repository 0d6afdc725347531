/**
 * RPKI data: how many VRPs and ASPAs are in force (the union the Validator
 * uses) and where they came from, how fresh each source is, and the state
 * of each RTR session (RFC 8210).
 *
 * `source` is a file or URL source's name (URLs stripped to scheme, host
 * and path), an RTR cache's name, or `union` for the set in force (after
 * SLURM, RFC 8416). File and URL sources report a VRP total but not one
 * per address family (SourceStatus has no split), so they appear in
 * rovd_rpki_source_vrps, while RTR caches and the union are split by
 * family in rovd_vrps.
 */
import type { Registry } from 'prom-client';
import type { Daemon } from '../daemon/daemon.js';
import { type CollectErrorHandler, one, type Sample, scrapedCounter, scrapedGauge } from './scraped.js';
import { sourceLabel } from './source-label.js';

/** Session states in which the TCP/TLS connection to the cache is open (as RtrCacheSet reads them). */
const CONNECTED = new Set(['established', 'waiting', 'receiving']);

const seconds = (d: Date | undefined): number | undefined => (d === undefined ? undefined : d.getTime() / 1000);

export function registerRpkiMetrics(registry: Registry, daemon: Daemon, onError: CollectErrorHandler): void {
  const feed = () => daemon.feed.status();

  scrapedGauge(registry, {
    name: 'rovd_vrps',
    help: 'VRPs (Validated ROA Payloads), by address family and source: `union` is the set in force (after SLURM), others are RTR caches.',
    labelNames: ['afi', 'source'],
    *read(): Iterable<Sample<'afi' | 'source'>> {
      const u = daemon.validator.snapshot.payload.vrps.stats();
      yield { labels: { afi: 'ipv4', source: 'union' }, value: u.ipv4 };
      yield { labels: { afi: 'ipv6', source: 'union' }, value: u.ipv6 };
      for (const r of feed().rtr) {
        yield { labels: { afi: 'ipv4', source: r.name }, value: r.vrps.ipv4 };
        yield { labels: { afi: 'ipv6', source: r.name }, value: r.vrps.ipv6 };
      }
    },
  }, onError);

  scrapedGauge(registry, {
    name: 'rovd_rpki_source_vrps',
    help: 'VRPs of each file or URL source (its last good load), both address families.',
    labelNames: ['source'],
    read: () => feed().sources.map((s) => ({ labels: { source: sourceLabel(s.name) }, value: s.vrps })),
  }, onError);

  scrapedGauge(registry, {
    name: 'rovd_aspas',
    help: 'ASPA records (one per customer AS), by source: `union` is the set in force, others are file/URL sources and RTR caches.',
    labelNames: ['source'],
    *read(): Iterable<Sample<'source'>> {
      yield { labels: { source: 'union' }, value: daemon.validator.snapshot.payload.aspas.length };
      const s = feed();
      for (const f of s.sources) yield { labels: { source: sourceLabel(f.name) }, value: f.aspas };
      for (const r of s.rtr) yield { labels: { source: r.name }, value: r.aspas };
    },
  }, onError);

  scrapedGauge(registry, { name: 'rovd_vrp_set_generation', help: 'Generation of the VRP set in force; goes up by one with each published change.', labelNames: [], read: () => one(daemon.validator.snapshot.generation) }, onError);
  scrapedGauge(registry, { name: 'rovd_rpki_stale', help: '1 when no VRP source is fresh (the last data stays in use), else 0.', labelNames: [], read: () => one(feed().stale ? 1 : 0) }, onError);

  scrapedGauge(registry, {
    name: 'rovd_rpki_source_last_success_timestamp_seconds',
    help: 'When each file or URL source last loaded or confirmed its data unchanged, Unix seconds (absent until the first success).',
    labelNames: ['source'],
    *read(): Iterable<Sample<'source'>> {
      for (const s of feed().sources) {
        const at = seconds(s.lastSuccessAt);
        if (at !== undefined) yield { labels: { source: sourceLabel(s.name) }, value: at };
      }
    },
  }, onError);

  scrapedGauge(registry, {
    name: 'rovd_rpki_source_stale',
    help: '1 when a file or URL source is stale (never loaded, expired, or older than rpki.maxAgeSeconds), else 0.',
    labelNames: ['source'],
    read: () => feed().sources.map((s) => ({ labels: { source: sourceLabel(s.name) }, value: s.stale ? 1 : 0 })),
  }, onError);

  scrapedCounter(registry, {
    name: 'rovd_rpki_source_failures_total',
    help: 'Failed load attempts of each file or URL source (the previous good data stayed in use).',
    labelNames: ['source'],
    read: () => feed().sources.map((s) => ({ labels: { source: sourceLabel(s.name) }, value: s.failures })),
  }, onError);

  scrapedGauge(registry, {
    name: 'rovd_rtr_session_up',
    help: '1 while the connection to the RTR cache is open (established, or a query in progress), else 0.',
    labelNames: ['cache'],
    read: () => feed().rtr.map((r) => ({ labels: { cache: r.name }, value: CONNECTED.has(r.state) ? 1 : 0 })),
  }, onError);

  scrapedGauge(registry, {
    name: 'rovd_rtr_cache_in_use',
    help: '1 for the RTR cache whose data is in force (by preference, connected first), else 0.',
    labelNames: ['cache'],
    read: () => feed().rtr.map((r) => ({ labels: { cache: r.name }, value: r.inUse ? 1 : 0 })),
  }, onError);

  scrapedGauge(registry, {
    name: 'rovd_rtr_serial',
    help: 'Serial number of the RTR cache data held (RFC 8210 §5.1; wraps per RFC 1982, compare with changes(), not arithmetic). Absent before the first update.',
    labelNames: ['cache'],
    *read(): Iterable<Sample<'cache'>> {
      for (const r of feed().rtr) if (r.serial !== undefined) yield { labels: { cache: r.name }, value: r.serial };
    },
  }, onError);

  scrapedGauge(registry, {
    name: 'rovd_rtr_last_update_timestamp_seconds',
    help: 'When the RTR cache last completed an update (End of Data), Unix seconds. Absent before the first.',
    labelNames: ['cache'],
    *read(): Iterable<Sample<'cache'>> {
      for (const r of feed().rtr) {
        const at = seconds(r.lastUpdateAt);
        if (at !== undefined) yield { labels: { cache: r.name }, value: at };
      }
    },
  }, onError);

  scrapedCounter(registry, {
    name: 'rovd_rtr_session_errors_total',
    help: 'RTR sessions ended, by cache and why: connect, timeout, closed, malformed, aspa-layout, transaction, protocol, internal, error-report:<code>.',
    labelNames: ['cache', 'kind'],
    *read(): Iterable<Sample<'cache' | 'kind'>> {
      for (const r of feed().rtr) for (const [kind, n] of Object.entries(r.errors)) yield { labels: { cache: r.name, kind }, value: n };
    },
  }, onError);
}
