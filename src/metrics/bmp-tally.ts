/**
 * What the BMP metrics need that the station does not keep: the counters
 * of router sessions that have ended, and decode failures by kind.
 *
 * The station's routers() lists live sessions only, and a router that
 * reconnects starts a new session with counters from zero. Adding each
 * ended session's last counters (carried by its router-down event) to a
 * per-address base keeps rovd_bmp_messages_total{router} monotonic across
 * reconnects. The base is bounded: at most `maxRouters` addresses, the
 * longest-ended forgotten first (a router that stays away loses its
 * history; its series resets if it ever returns).
 *
 * The listener does a switch on the event type and nothing else for
 * Route Monitoring: it sits on the ingest path.
 */
import type { BmpEvent, BmpRouterCounters } from '../bmp/events.js';
import { ParseError } from '../wire/parse-error.js';

/** BMP message types as label values, and the counter field holding each. */
export const BMP_MESSAGE_TYPES = {
  route_monitoring: 'routeMonitoring',
  statistics: 'statistics',
  peer_down: 'peerDown',
  peer_up: 'peerUp',
  initiation: 'initiation',
  termination: 'termination',
  route_mirroring: 'routeMirroring',
  unknown: 'unknownMessageTypes',
} as const satisfies Record<string, keyof BmpRouterCounters>;

export type BmpMessageType = keyof typeof BMP_MESSAGE_TYPES;

/** Cumulative per-router counts: messages by type, and bytes. */
export type RouterTotals = Record<BmpMessageType | 'bytes', number>;

export function zeroTotals(): RouterTotals {
  return { route_monitoring: 0, statistics: 0, peer_down: 0, peer_up: 0, initiation: 0, termination: 0, route_mirroring: 0, unknown: 0, bytes: 0 };
}

export function addCounters(into: RouterTotals, c: BmpRouterCounters): void {
  for (const [label, field] of Object.entries(BMP_MESSAGE_TYPES) as [BmpMessageType, keyof BmpRouterCounters][]) into[label] += c[field];
  into.bytes += c.bytes;
}

export class BmpTally {
  /** Ended sessions' counters by router address, oldest-ended first. */
  private readonly ended = new Map<string, RouterTotals>();
  /** Dropped messages by ParseError kind (`other` for any other error). */
  private readonly errors = new Map<string, number>();

  constructor(private readonly maxRouters = 1024) {}

  /** The station listener. */
  readonly onEvent = (event: BmpEvent): void => {
    if (event.type === 'message-dropped') {
      const kind = event.error instanceof ParseError ? event.error.kind : 'other';
      this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
    } else if (event.type === 'router-down') {
      const address = event.router.address;
      const base = this.ended.get(address) ?? zeroTotals();
      addCounters(base, event.counters);
      // Re-inserted: the Map's order is the order routers ended in.
      this.ended.delete(address);
      this.ended.set(address, base);
      while (this.ended.size > this.maxRouters) this.ended.delete(this.ended.keys().next().value!);
    }
  };

  endedSessions(): ReadonlyMap<string, Readonly<RouterTotals>> {
    return this.ended;
  }

  droppedByKind(): ReadonlyMap<string, number> {
    return this.errors;
  }
}
