/**
 *   POST /api/v1/whatif  {"add": [{"asn": "AS64500", "prefix": "192.0.2.0/24", "maxLength": 24}], "remove": […]}
 *   POST /api/v1/whatif  {"vrps": [… a whole candidate set …]}
 *
 * Lists the held routes whose RPKI state would change with those VRPs:
 * check a ROA change before publishing it. Read-only (the action is a
 * read, rovd:WhatIf), bounded by the body size limit and `limit`.
 */
import type { FastifyInstance } from 'fastify';
import type { Daemon } from '../../daemon/daemon.js';
import { rovStateName } from '../../rov/validity.js';
import { whatIf } from '../../rov/what-if.js';
import { type Vrp, parseVrp } from '../../rpki/vrp.js';
import { ERROR_SCHEMA, badRequest } from '../errors.js';
import { ROUTE_SCHEMA, heldRouteJson } from '../views.js';

const VRP_INPUT = {
  type: 'object',
  required: ['asn', 'prefix'],
  additionalProperties: false,
  properties: { asn: { type: ['string', 'integer'] }, prefix: { type: 'string', maxLength: 64 }, maxLength: { type: 'integer', minimum: 0, maximum: 128 } },
} as const;

type VrpInput = { asn: string | number; prefix: string; maxLength?: number };

function vrpsOf(list: readonly VrpInput[] | undefined, where: string): Vrp[] {
  return (list ?? []).map((v, i) => {
    try {
      return parseVrp(v.prefix, v.maxLength ?? Number(v.prefix.split('/')[1]), v.asn, 'whatif');
    } catch (err) {
      throw badRequest(`${where}/${i}: ${(err as Error).message}`);
    }
  });
}

export function whatIfRoutes(app: FastifyInstance, daemon: Daemon): void {
  app.post<{ Body: { add?: VrpInput[]; remove?: VrpInput[]; vrps?: VrpInput[]; vif?: string; limit?: number } }>(
    '/api/v1/whatif',
    {
      config: { action: 'rovd:WhatIf' },
      schema: {
        tags: ['validity'],
        summary: 'Held routes whose RPKI state would change with VRPs added and removed, or with a whole candidate set',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            add: { type: 'array', maxItems: 100_000, items: VRP_INPUT },
            remove: { type: 'array', maxItems: 100_000, items: VRP_INPUT },
            vrps: { type: 'array', maxItems: 2_000_000, items: VRP_INPUT },
            vif: { type: 'string', maxLength: 64 },
            limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              vrpSet: { type: 'string' },
              added: { type: 'integer' },
              removed: { type: 'integer' },
              affectedPrefixes: { type: 'array', items: { type: 'string' } },
              visited: { type: 'integer' },
              changed: { type: 'integer' },
              changes: { type: 'array', items: { type: 'object', properties: { route: ROUTE_SCHEMA, from: { type: 'string' }, to: { type: 'string' } } } },
            },
          },
          400: ERROR_SCHEMA,
        },
      },
    },
    async (request) => {
      const b = request.body;
      if (b.vrps !== undefined && (b.add !== undefined || b.remove !== undefined)) throw badRequest('body: give either vrps (a whole candidate set) or add/remove, not both');
      if (b.vrps === undefined && b.add === undefined && b.remove === undefined) throw badRequest('body: give add and/or remove, or vrps');
      const snapshot = daemon.validator.snapshot;
      const input = b.vrps !== undefined ? { vrps: vrpsOf(b.vrps, 'body/vrps') } : { add: vrpsOf(b.add, 'body/add'), remove: vrpsOf(b.remove, 'body/remove') };
      const vif = b.vif;
      const r = whatIf(daemon.rib, snapshot, input, { limit: b.limit ?? 1000, ...(vif === undefined ? {} : { tables: (t) => daemon.detection.contexts.of(t).vifLabel === vif }) });
      return {
        // The CID of the set compared against (GET /api/v1/vrps/{cid}), or its generation in the moment before it is identified.
        vrpSet: daemon.vrpSets.id(snapshot.generation) ?? `generation:${snapshot.generation}`,
        added: r.added,
        removed: r.removed,
        affectedPrefixes: r.affectedPrefixes.map(String),
        visited: r.visited,
        changed: r.changed,
        changes: r.changes.map((c) => ({ route: heldRouteJson(daemon, c.route), from: rovStateName(c.from), to: rovStateName(c.to) })),
      };
    },
  );
}
