/**
 * rovd's HTTP API (fastify): validity look-ups, VIFs, routes, alerts,
 * silences, what-if, announcements, status and health, /metrics, and the
 * OpenAPI document at /docs. Every request and body is checked against the
 * route's JSON schema (the same schema the document shows), unknown
 * members are refused rather than dropped, and errors have one shape
 * (errors.ts).
 *
 * Security (TLS, SigV4, the access policy, the /metrics guard, rate
 * limits, headers) is a plugin registered before the routes
 * (src/http/security/); each route names its action in its config.
 */
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Daemon } from '../daemon/daemon.js';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import { installErrorHandling, sendError } from './errors.js';
import './route-config.js';
import { alertRoutes } from './routes/alerts.js';
import { NDJSON, announcementRoutes } from './routes/announcements.js';
import { ribRoutes } from './routes/rib-routes.js';
import { statusRoutes } from './routes/status.js';
import { validityRoutes } from './routes/validity.js';
import { vrpRoutes } from './routes/vrps.js';
import { whatIfRoutes } from './routes/what-if.js';

export interface MetricsEndpoint {
  readonly contentType: string;
  render(): Promise<string>;
}

export interface ApiServerOptions {
  readonly daemon: Daemon;
  readonly version: string;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** JSON bodies; default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** NDJSON announcement bodies; default 64 MiB. */
  readonly announcementsMaxBodyBytes?: number;
  /** Served at GET /metrics (action rovd:GetMetrics). */
  readonly metrics?: MetricsEndpoint;
  /** TLS: the options for node:https (src/http/security/ builds them from the config). */
  readonly https?: HttpsServerOptions;
  /** Registers the security plugin (hooks) before the routes. */
  readonly security?: (app: FastifyInstance) => Promise<unknown> | unknown;
}

export const API_DEFAULTS = Object.freeze({ maxBodyBytes: 1024 * 1024, announcementsMaxBodyBytes: 64 * 1024 * 1024 });

export async function buildApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const log = options.logger ?? NOOP_LOGGER;
  const now = options.now ?? Date.now;
  const startedAt = now();
  const app = (Fastify as unknown as (o: object) => FastifyInstance)({
    logger: false,
    ...(options.https === undefined ? {} : { https: options.https }),
    bodyLimit: options.maxBodyBytes ?? API_DEFAULTS.maxBodyBytes,
    // Unknown members are an error, not silently dropped; query strings are coerced (they are text).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false, allowUnionTypes: true } },
    routerOptions: { maxParamLength: 128 },
    return503OnClosing: true,
  });
  installErrorHandling(app, log);
  app.addContentTypeParser(NDJSON, { parseAs: 'buffer', bodyLimit: options.announcementsMaxBodyBytes ?? API_DEFAULTS.announcementsMaxBodyBytes }, (_req, body, done) => done(null, body));
  app.addHook('onResponse', async (request, reply) => {
    log.debug?.({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, principal: (request as { principal?: string }).principal }, 'http: request');
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'rovd API',
        version: options.version,
        description:
          'Route-origin validation for AWS Direct Connect VIFs. Reads may be anonymous where the access policy allows; writes must be signed with AWS Signature Version 4 (service `rovd`): `curl --aws-sigv4 "aws:amz:REGION:rovd" --user KEYID:SECRET`. Errors are `{"error": CODE, "message": TEXT}`. Lists are paged with `limit` and the `next` cursor.',
      },
      tags: [
        { name: 'validity', description: 'RFC 6811 validity (Routinator-compatible) and what-if' },
        { name: 'vifs', description: 'Direct Connect virtual interfaces' },
        { name: 'routes', description: 'Held routes and route feeds' },
        { name: 'alerts', description: 'Alerts and acknowledgements' },
        { name: 'silences', description: 'Silences (stop notifications, keep alerts visible)' },
        { name: 'health', description: 'Status, liveness, readiness' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  if (options.security !== undefined) await options.security(app);

  const d = options.daemon;
  validityRoutes(app, d.validator);
  vrpRoutes(app, d.vrpSets, log);
  whatIfRoutes(app, d);
  ribRoutes(app, d);
  alertRoutes(app, d.alerts, now);
  announcementRoutes(app, d);
  statusRoutes(app, d, { version: options.version, startedAt, now });
  const metrics = options.metrics;
  if (metrics !== undefined) {
    app.get('/metrics', { config: { action: 'rovd:GetMetrics' }, schema: { hide: true } }, async (_request, reply) => {
      try {
        return reply.type(metrics.contentType).send(await metrics.render());
      } catch (err) {
        log.error({ err }, 'http: metrics failed');
        return sendError(reply, 500, 'InternalError', 'metrics failed; the log has the details');
      }
    });
  }
  return app;
}
