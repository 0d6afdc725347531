/**
 * Alerts, acknowledgements and silences:
 *
 *   GET    /api/v1/alerts?status=firing&type=rpki-invalid&vif=dxvif-…&severity=critical
 *   GET    /api/v1/alerts/{id}
 *   POST   /api/v1/alerts/{id}/ack        {"comment": "…"}
 *   GET    /api/v1/silences
 *   POST   /api/v1/silences               {"matchers": "{type=\"rpki-invalid\", origin=\"AS64511\"}", "endsAt": "…", "comment": "…"}
 *   DELETE /api/v1/silences/{id}
 *
 * A silence stops notifications, never visibility: silenced alerts are
 * listed with `silencedBy`. Who acknowledged or silenced is the signing
 * access key id (request.principal), not a claim in the body.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ALERT_TYPES, SEVERITIES, type Alert, type AlertStatus } from '../../alerts/alert.js';
import type { AlertEngine } from '../../alerts/engine.js';
import { formatMatcher } from '../../alerts/matchers.js';
import type { Silence } from '../../alerts/silences.js';
import { ApiError, ERROR_SCHEMA, badRequest, notFound } from '../errors.js';
import { PAGE_QUERY, page, pageSchema } from '../pagination.js';

const STATUSES: readonly AlertStatus[] = ['pending', 'firing', 'resolving', 'resolved'];
const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export const ALERT_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    fingerprint: { type: 'string' },
    type: { type: 'string' },
    severity: { type: 'string' },
    status: { type: 'string' },
    summary: { type: 'string' },
    description: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    context: { type: 'object', additionalProperties: true },
    evidence: { type: 'object', additionalProperties: true },
    asPath: { type: 'array', items: { type: 'integer' } },
    raisedAt: { type: 'string' },
    startsAt: { type: ['string', 'null'] },
    endsAt: { type: ['string', 'null'] },
    lastRaisedAt: { type: 'string' },
    raises: { type: 'integer' },
    groupKey: { type: 'string' },
    acknowledged: { type: ['object', 'null'], additionalProperties: true },
    silencedBy: { type: 'array', items: { type: 'string' } },
  },
} as const;

const SILENCE_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    matchers: { type: 'array', items: { type: 'string' } },
    startsAt: { type: 'string' },
    endsAt: { type: 'string' },
    createdBy: { type: 'string' },
    comment: { type: 'string' },
    state: { enum: ['pending', 'active', 'expired'] },
  },
} as const;

export function alertJson(a: Alert, silencedBy: readonly string[]): object {
  return {
    id: a.id,
    fingerprint: a.fingerprint,
    type: a.type,
    severity: a.severity,
    status: a.status,
    summary: a.summary,
    description: a.description,
    labels: a.labels,
    context: a.context,
    evidence: a.evidence,
    ...(a.asPath === undefined ? {} : { asPath: a.asPath }),
    raisedAt: iso(a.raisedAt),
    startsAt: iso(a.startsAt),
    endsAt: iso(a.endsAt),
    lastRaisedAt: iso(a.lastRaisedAt),
    raises: a.raises,
    groupKey: a.groupKey,
    acknowledged: a.acknowledged === undefined ? null : { at: iso(a.acknowledged.at), by: a.acknowledged.by, comment: a.acknowledged.comment ?? null },
    silencedBy,
  };
}

function silenceJson(s: Silence, now: number): object {
  return {
    id: s.id,
    matchers: s.matchers.map(formatMatcher),
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    createdBy: s.createdBy,
    comment: s.comment,
    state: now < s.startsAt ? 'pending' : now < s.endsAt ? 'active' : 'expired',
  };
}

const principalOf = (request: FastifyRequest): string => (request as FastifyRequest & { principal?: string }).principal ?? 'anonymous';

export function alertRoutes(app: FastifyInstance, engine: AlertEngine, now: () => number): void {
  app.get<{ Querystring: { status?: AlertStatus; type?: string; vif?: string; severity?: string; limit: number; cursor?: string } }>(
    '/api/v1/alerts',
    {
      config: { action: 'rovd:ListAlerts' },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts, newest first, filtered by status, type, VIF and severity',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { enum: STATUSES }, type: { enum: ALERT_TYPES }, vif: { type: 'string', maxLength: 64 }, severity: { enum: SEVERITIES }, ...PAGE_QUERY },
        },
        response: { 200: pageSchema(ALERT_SCHEMA), 400: ERROR_SCHEMA },
      },
    },
    async (request) => {
      const q = request.query;
      const all = engine.alerts({
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.type === undefined ? {} : { type: q.type as Alert['type'] }),
        ...(q.vif === undefined ? {} : { vif: q.vif }),
        ...(q.severity === undefined ? {} : { severity: q.severity as Alert['severity'] }),
      });
      const p = page(all, q.limit, q.cursor);
      return { ...p, items: p.items.map((a) => alertJson(a, engine.silencedBy(a.id))) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/alerts/:id',
    {
      config: { action: 'rovd:GetAlert' },
      schema: {
        tags: ['alerts'],
        summary: 'One alert by id (or fingerprint)',
        params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9a-f]{16}([0-9a-f]{48})?$' } } },
        response: { 200: ALERT_SCHEMA, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA },
      },
    },
    async (request) => {
      const a = engine.get(request.params.id);
      if (a === undefined) throw notFound(`no alert ${request.params.id}`);
      return alertJson(a, engine.silencedBy(a.id));
    },
  );

  app.post<{ Params: { id: string }; Body: { comment?: string } | undefined }>(
    '/api/v1/alerts/:id/ack',
    {
      config: { action: 'rovd:AckAlert' },
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge a firing alert: its group stops repeating, the alert stays',
        params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9a-f]{16}([0-9a-f]{48})?$' } } },
        body: { type: 'object', additionalProperties: false, properties: { comment: { type: 'string', maxLength: 1000 } } },
        response: { 200: ALERT_SCHEMA, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA, 409: ERROR_SCHEMA },
      },
    },
    async (request) => {
      const existing = engine.get(request.params.id);
      if (existing === undefined) throw notFound(`no alert ${request.params.id}`);
      const a = engine.acknowledge(existing.id, principalOf(request), request.body?.comment);
      if (a === undefined) throw new ApiError(409, 'Conflict', `alert ${existing.id} is ${existing.status}; only firing alerts can be acknowledged`);
      return alertJson(a, engine.silencedBy(a.id));
    },
  );

  app.get(
    '/api/v1/silences',
    {
      config: { action: 'rovd:ListSilences' },
      schema: { tags: ['silences'], summary: 'Silences, active and recently expired', response: { 200: { type: 'object', properties: { items: { type: 'array', items: SILENCE_SCHEMA } } } } },
    },
    async () => ({ items: engine.silences().map((s) => silenceJson(s, now())) }),
  );

  app.post<{ Body: { matchers: string; startsAt?: string; endsAt: string; comment?: string } }>(
    '/api/v1/silences',
    {
      config: { action: 'rovd:CreateSilence' },
      schema: {
        tags: ['silences'],
        summary: 'Silence notifications of alerts whose labels match; the alerts stay visible',
        body: {
          type: 'object',
          required: ['matchers', 'endsAt'],
          additionalProperties: false,
          properties: {
            matchers: { type: 'string', minLength: 3, maxLength: 2000, description: 'Alertmanager matchers, e.g. {type="rpki-invalid", origin="AS64511"}' },
            startsAt: { type: 'string', format: 'date-time' },
            endsAt: { type: 'string', format: 'date-time' },
            comment: { type: 'string', maxLength: 1000 },
          },
        },
        response: { 201: SILENCE_SCHEMA, 400: ERROR_SCHEMA },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const endsAt = Date.parse(b.endsAt);
      const startsAt = b.startsAt === undefined ? now() : Date.parse(b.startsAt);
      if (endsAt <= startsAt) throw badRequest('body/endsAt must be after startsAt (or now)');
      let s: Silence;
      try {
        s = engine.addSilence({ matchers: b.matchers, startsAt, endsAt, createdBy: principalOf(request), ...(b.comment === undefined ? {} : { comment: b.comment }) });
      } catch (err) {
        throw badRequest(`body/matchers: ${(err as Error).message}`);
      }
      return reply.code(201).send(silenceJson(s, now()));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/silences/:id',
    {
      config: { action: 'rovd:DeleteSilence' },
      schema: {
        tags: ['silences'],
        summary: 'Expire a silence now',
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } },
        response: { 200: SILENCE_SCHEMA, 404: ERROR_SCHEMA },
      },
    },
    async (request) => {
      const s = engine.expireSilence(request.params.id);
      if (s === undefined) throw notFound(`no silence ${request.params.id}`);
      return silenceJson(s, now());
    },
  );
}
