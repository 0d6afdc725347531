/**
 * Held routes and VIFs:
 *
 *   GET /api/v1/routes?vif=dxvif-…&router=…&state=invalid&prefix=10.0.0.0/8&match=covered&origin=AS64500
 *   GET /api/v1/vifs
 *   GET /api/v1/vifs/{id}
 *
 * Routes are read straight from the RIB's tables and materialised only for
 * the page asked for: a page costs O(offset + limit) routes of the tables
 * that pass the VIF and router filters (or a covered-prefix query when a
 * prefix is given), never a copy of a full table.
 */
import type { FastifyInstance } from 'fastify';
import type { Daemon } from '../../daemon/daemon.js';
import { formatAsn, parseAsn } from '../../net/asn.js';
import { Prefix } from '../../net/prefix.js';
import type { PeerTable } from '../../rib/peer-table.js';
import type { HeldRoute } from '../../rib/route-event.js';
import { RovState } from '../../rov/validity.js';
import type { Vif } from '../../vif/vif.js';
import { ERROR_SCHEMA, badRequest, notFound } from '../errors.js';
import { PAGE_QUERY, cursorAt, offsetOf, pageSchema } from '../pagination.js';
import { type RouteSource, sourceOf } from '../../vif/feed-tables.js';
import { ROUTE_SCHEMA, heldRouteJson } from '../views.js';

const STATES = { valid: RovState.Valid, invalid: RovState.Invalid, 'not-found': RovState.NotFound } as const;

interface RouteQuery {
  vif?: string;
  router?: string;
  source?: RouteSource;
  state?: keyof typeof STATES;
  prefix?: string;
  match: 'exact' | 'covering' | 'covered';
  origin?: string;
  limit: number;
  cursor?: string;
}

export function ribRoutes(app: FastifyInstance, daemon: Daemon): void {
  const routeJson = (r: HeldRoute): object => heldRouteJson(daemon, r);

  app.get<{ Querystring: RouteQuery }>(
    '/api/v1/routes',
    {
      config: { action: 'rovd:ListRoutes' },
      schema: {
        tags: ['routes'],
        summary: 'Held routes, filtered by VIF, router, source (bmp, aws-api: Direct Connect\'s list, json), RPKI state, prefix (exact, covering or covered) and origin',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            vif: { type: 'string', maxLength: 64 },
            router: { type: 'string', maxLength: 64 },
            source: { enum: ['bmp', 'aws-api', 'json'] },
            state: { enum: Object.keys(STATES) },
            prefix: { type: 'string', maxLength: 64 },
            match: { enum: ['exact', 'covering', 'covered'], default: 'exact' },
            origin: { type: 'string', maxLength: 16 },
            ...PAGE_QUERY,
          },
        },
        response: { 200: pageSchema(ROUTE_SCHEMA), 400: ERROR_SCHEMA },
      },
    },
    async (request) => {
      const q = request.query;
      const prefix = q.prefix === undefined ? undefined : Prefix.tryParse(q.prefix);
      if (typeof prefix === 'string') throw badRequest(`querystring/prefix: ${JSON.stringify(q.prefix)} is not a prefix (${prefix})`);
      let origin: number | undefined;
      if (q.origin !== undefined) {
        try {
          origin = parseAsn(q.origin);
        } catch {
          throw badRequest(`querystring/origin: ${JSON.stringify(q.origin)} is not an AS number`);
        }
      }
      const state = q.state === undefined ? undefined : STATES[q.state];
      const tables = daemon.rib.tables().filter((t) => (q.router === undefined || t.router === q.router) && (q.source === undefined || sourceOf(t) === q.source) && (q.vif === undefined || daemon.detection.contexts.of(t).vifLabel === q.vif));
      const keep = (r: HeldRoute): boolean => (state === undefined || r.state === state) && (origin === undefined || r.origin === origin);
      const skip = offsetOf(q.cursor);
      const items: object[] = [];
      let seen = 0;
      let more = false;
      outer: for (const table of tables) {
        for (const r of routesOf(daemon, table, prefix, q.match)) {
          if (!keep(r)) continue;
          if (seen++ < skip) continue;
          if (items.length === q.limit) {
            more = true;
            break outer;
          }
          items.push(routeJson(r));
        }
      }
      return more ? { items, next: cursorAt(skip + items.length) } : { items };
    },
  );

  app.get(
    '/api/v1/vifs',
    {
      config: { action: 'rovd:ListVifs' },
      schema: { tags: ['vifs'], summary: 'The configured Direct Connect VIFs with their route counts, limits and firing alerts', response: { 200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', additionalProperties: true } } } } } },
    },
    async () => ({ items: daemon.vifs.vifs.map((v) => vifJson(daemon, v)) }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/vifs/:id',
    {
      config: { action: 'rovd:GetVif' },
      schema: {
        tags: ['vifs'],
        summary: 'One VIF: its config, sessions, route counts per RIB, family and state, prefix-limit usage and firing alerts',
        params: { type: 'object', properties: { id: { type: 'string', pattern: '^dxvif-[a-z0-9]+$' } } },
        response: { 200: { type: 'object', additionalProperties: true }, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA },
      },
    },
    async (request) => {
      const v = daemon.vifs.get(request.params.id);
      if (v === undefined) throw notFound(`no VIF ${request.params.id} in the config`);
      return vifJson(daemon, v);
    },
  );
}

/** The routes of one table the prefix filter selects, lazily. */
function* routesOf(daemon: Daemon, table: PeerTable, prefix: Prefix | undefined, match: RouteQuery['match']): Iterable<HeldRoute> {
  const rib = daemon.rib;
  if (prefix === undefined) {
    yield* rib.routes(table);
    return;
  }
  if (match === 'covered') {
    yield* rib.covered(prefix, { table });
    return;
  }
  if (match === 'exact') {
    for (const r of rib.covered(prefix, { table })) if (r.prefix.length === prefix.length) yield r;
    return;
  }
  // Covering: the held routes for each shorter-or-equal prefix containing it (each an exact look-up, path id 0).
  for (let len = 0; len <= prefix.length; len++) {
    const r = rib.get(table, prefix.truncate(len));
    if (r !== undefined) yield r;
  }
}

function vifJson(daemon: Daemon, v: Vif): object {
  const tables = daemon.rib.tables().filter((t) => daemon.detection.contexts.of(t).vif?.id === v.id);
  const counts = (t: PeerTable, afi: 4 | 6) => ({ valid: t.count(afi, RovState.Valid), invalid: t.count(afi, RovState.Invalid), notFound: t.count(afi, RovState.NotFound), stale: t.staleCount(afi) });
  return {
    id: v.id,
    name: v.name ?? null,
    type: v.type,
    region: v.region ?? null,
    connection: v.connection ?? null,
    router: v.router ?? null,
    peers: v.peers.map((p) => ({ address: p.address, asn: formatAsn(p.asn) })),
    addressFamilies: v.addressFamilies,
    expected: v.expected.map((e) => ({ prefix: e.prefix.toString(), origin: e.origin === undefined ? null : formatAsn(e.origin), maxLength: e.maxLength })),
    awsPrefixes: v.awsPrefixes.map(String),
    prefixLimit: v.prefixLimit,
    receivedLimit: v.receivedLimit ?? null,
    tables: tables.map((t) => ({ peer: daemon.detection.contexts.of(t).peer, rib: t.kind, ipv4: counts(t, 4), ipv6: counts(t, 6) })),
    prefixLimitUsage: daemon.detection.prefixLimitUsage.filter((u) => u.vif === v.id),
    firingAlerts: daemon.alerts.alerts({ status: ['firing', 'resolving'], vif: v.id }).length,
  };
}
