/**
 * Input rovd could not decode, by protocol and kind: one counter so a
 * single alert rule (`increase(rovd_parse_errors_total[10m]) > 0`) covers
 * every wire format.
 *
 * - bmp: messages dropped while the stream went on (a broken inner UPDATE,
 *   a malformed Peer Up…), by ParseError kind (truncated, malformed,
 *   unsupported, needs-session-state; `other` for anything else), counted
 *   from the station's message-dropped events since the metrics started.
 * - rtr: PDUs from a cache that could not be read, from the session's
 *   error counts: `malformed`, and `aspa-layout` (an ASPA PDU in an old
 *   draft layout; the session fell back to version 1). The session keeps
 *   no finer kind than that.
 */
import type { Registry } from 'prom-client';
import type { Daemon } from '../daemon/daemon.js';
import type { BmpTally } from './bmp-tally.js';
import { type CollectErrorHandler, type Sample, scrapedCounter } from './scraped.js';

const RTR_PARSE_KINDS = ['malformed', 'aspa-layout'] as const;

export function registerParseErrorMetrics(registry: Registry, daemon: Daemon, tally: BmpTally, onError: CollectErrorHandler): void {
  scrapedCounter(registry, {
    name: 'rovd_parse_errors_total',
    help: 'Input that could not be decoded, by protocol (bmp, rtr) and kind (bmp: truncated, malformed, unsupported, needs-session-state, other; rtr: malformed, aspa-layout).',
    labelNames: ['protocol', 'kind'],
    *read(): Iterable<Sample<'protocol' | 'kind'>> {
      for (const [kind, n] of tally.droppedByKind()) yield { labels: { protocol: 'bmp', kind }, value: n };
      for (const r of daemon.feed.status().rtr) {
        for (const kind of RTR_PARSE_KINDS) {
          const n = r.errors[kind];
          if (n !== undefined) yield { labels: { protocol: 'rtr', kind }, value: n };
        }
      }
    },
  }, onError);
}
