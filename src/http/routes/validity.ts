/**
 * RPKI validity look-ups, in Routinator's validity API shape so scripts
 * written for Routinator work unchanged:
 *
 *   GET  /api/v1/validity/AS64500/192.0.2.0/24
 *   POST /api/v1/validity   {"routes": [{"asn": "AS64500", "prefix": "192.0.2.0/24"}, …]}
 *
 * Answers come from the current VRP snapshot (one snapshot per request, so
 * a batch is consistent even while VRPs change).
 */
import type { FastifyInstance } from 'fastify';
import { type Asn, parseAsn } from '../../net/asn.js';
import { Prefix } from '../../net/prefix.js';
import { validatedRouteJson } from '../../rov/validity-json.js';
import type { Validator } from '../../rov/validator.js';
import { ERROR_SCHEMA, badRequest } from '../errors.js';

export const MAX_BATCH = 1000;

const VRP_JSON = { type: 'object', properties: { asn: { type: 'string' }, prefix: { type: 'string' }, max_length: { type: 'integer' } } } as const;
export const VALIDATED_ROUTE_SCHEMA = {
  type: 'object',
  properties: {
    validated_route: {
      type: 'object',
      properties: {
        route: { type: 'object', properties: { origin_asn: { type: ['string', 'null'] }, prefix: { type: 'string' } } },
        validity: {
          type: 'object',
          properties: {
            state: { enum: ['valid', 'invalid', 'not-found'] },
            reason: { type: ['string', 'null'] },
            description: { type: 'string' },
            VRPs: {
              type: 'object',
              properties: {
                matched: { type: 'array', items: VRP_JSON },
                unmatched_as: { type: 'array', items: VRP_JSON },
                unmatched_length: { type: 'array', items: VRP_JSON },
              },
            },
          },
        },
      },
    },
    generatedTime: { type: 'string' },
  },
} as const;

function asnOf(text: string, where: string): Asn {
  try {
    return parseAsn(text);
  } catch {
    throw badRequest(`${where}: ${JSON.stringify(text)} is not an AS number (AS64500, 64500 or 1.10)`);
  }
}

function prefixOf(text: string, where: string): Prefix {
  const p = Prefix.tryParse(text);
  if (typeof p === 'string') throw badRequest(`${where}: ${JSON.stringify(text)} is not a prefix (${p})`);
  return p;
}

export function validityRoutes(app: FastifyInstance, validator: Validator): void {
  app.get<{ Params: { asn: string; '*': string } }>(
    '/api/v1/validity/:asn/*',
    {
      config: { action: 'rovd:GetValidity' },
      schema: {
        tags: ['validity'],
        summary: 'RFC 6811 validity of one route, with the VRPs that decided it (Routinator shape)',
        params: { type: 'object', properties: { asn: { type: 'string', maxLength: 16 }, '*': { type: 'string', maxLength: 64 } } },
        response: { 200: VALIDATED_ROUTE_SCHEMA, 400: ERROR_SCHEMA },
      },
    },
    async (request) => {
      const origin = asnOf(request.params.asn, 'params/asn');
      const prefix = prefixOf(request.params['*'], 'params/prefix');
      const snapshot = validator.snapshot;
      return { ...validatedRouteJson(prefix, origin, snapshot.vrps.explain(prefix, origin)), generatedTime: new Date(snapshot.publishedAt).toISOString() };
    },
  );

  app.post<{ Body: { routes: { asn: string | number; prefix: string }[] } }>(
    '/api/v1/validity',
    {
      config: { action: 'rovd:GetValidity' },
      schema: {
        tags: ['validity'],
        summary: `Validity of up to ${MAX_BATCH} routes against one VRP snapshot`,
        body: {
          type: 'object',
          required: ['routes'],
          additionalProperties: false,
          properties: {
            routes: {
              type: 'array',
              maxItems: MAX_BATCH,
              items: {
                type: 'object',
                required: ['asn', 'prefix'],
                additionalProperties: false,
                properties: { asn: { type: ['string', 'integer'] }, prefix: { type: 'string', maxLength: 64 } },
              },
            },
          },
        },
        response: { 200: { type: 'object', properties: { validated_routes: { type: 'array', items: VALIDATED_ROUTE_SCHEMA }, generatedTime: { type: 'string' } } }, 400: ERROR_SCHEMA },
      },
    },
    async (request) => {
      const snapshot = validator.snapshot;
      const validated_routes = request.body.routes.map((r, i) => {
        const origin = asnOf(String(r.asn), `body/routes/${i}/asn`);
        const prefix = prefixOf(r.prefix, `body/routes/${i}/prefix`);
        return validatedRouteJson(prefix, origin, snapshot.vrps.explain(prefix, origin));
      });
      return { validated_routes, generatedTime: new Date(snapshot.publishedAt).toISOString() };
    },
  );
}
