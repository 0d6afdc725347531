/** How held routes look in API answers (routes, what-if). */
import type { Daemon } from '../daemon/daemon.js';
import { formatAsn } from '../net/asn.js';
import type { HeldRoute } from '../rib/route-event.js';
import { rovStateName } from '../rov/validity.js';

export const ROUTE_SCHEMA = {
  type: 'object',
  properties: {
    vif: { type: 'string' },
    router: { type: 'string' },
    peer: { type: 'string' },
    rib: { type: 'string' },
    source: { enum: ['bmp', 'aws-api', 'json'] },
    direction: { type: 'string' },
    prefix: { type: 'string' },
    pathId: { type: 'integer' },
    origin: { type: ['string', 'null'] },
    asPath: { type: 'string' },
    nextHop: { type: ['string', 'null'] },
    communities: { type: 'array', items: { type: 'string' } },
    largeCommunities: { type: 'array', items: { type: 'string' } },
    state: { enum: ['valid', 'invalid', 'not-found'] },
    stale: { type: 'boolean' },
    firstSeen: { type: 'string' },
    lastChange: { type: 'string' },
  },
} as const;

export function heldRouteJson(daemon: Daemon, r: HeldRoute): object {
  const ctx = daemon.detection.contexts.of(r.table);
  return {
    vif: ctx.vifLabel,
    router: r.table.router,
    peer: ctx.peer,
    rib: r.table.kind,
    source: ctx.source,
    direction: ctx.direction,
    prefix: r.prefix.toString(),
    pathId: r.pathId,
    origin: r.origin === null ? null : formatAsn(r.origin),
    asPath: r.attributes.asPath.toString(),
    nextHop: r.attributes.nextHop ?? null,
    communities: r.attributes.communities.map((c) => `${c >>> 16}:${c & 0xffff}`),
    largeCommunities: r.attributes.largeCommunities,
    state: rovStateName(r.state),
    stale: r.stale,
    firstSeen: new Date(r.firstSeen * 1000).toISOString(),
    lastChange: new Date(r.lastChange * 1000).toISOString(),
  };
}
