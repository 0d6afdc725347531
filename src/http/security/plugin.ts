/**
 * The security plugin of rovd's HTTP API: `registerSecurity(app, {
 * settings, logger })`, called on the root instance before any route is
 * added. What it does to every request, in fastify's hook order:
 *
 *   onRoute       a route's `config.action` must name an action of
 *                 actions.ts (a typo throws at startup); its body limit
 *                 comes from http.maxBodyBytes (announcementsMaxBodyBytes
 *                 for rovd:PostAnnouncements) unless it sets its own
 *   onRequest     rate limit per source (429 + Retry-After); a route with
 *                 no action is refused (fail closed) except /healthz,
 *                 /readyz and /docs*; the /metrics guard; unsigned requests
 *                 are decided by the policy here, before a body is read
 *   preParsing    signed requests: the raw body is kept (request.rawBody)
 *   preValidation signed requests: SigV4 verified, then the policy decides
 *                 for the key id
 *   onSend        security headers on every response
 *
 * After it, `request.principal` is the access key id or 'anonymous'.
 * Refusals are `{"error": "AccessDenied", "message": REASON, "reason":
 * REASON}` with 403 (AWS's code; the API's error shape plus the reason
 * field AWS clients look for), 401 for the /metrics bearer token, 429 for
 * the rate limit.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HttpSettings } from '../../config/http-config.js';
import type { Logger } from '../../log/logger.js';
import { type RovdAction, isExemptPath, isRovdAction } from './actions.js';
import { applySecurityHeaders } from './headers.js';
import { checkMetrics } from './metrics-guard.js';
import { ANONYMOUS, evaluatePolicy } from './policy-eval.js';
import { RateLimiter } from './rate-limit.js';
import { RawBodyTap } from './raw-body.js';
import type { Secret } from './secret.js';
import { isSigV4Header } from './sigv4-authorization.js';
import { SigV4Verifier } from './sigv4-verify.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified access key id, or 'anonymous'; set by the security plugin. */
    principal: string;
    /** The body's bytes as received, for SigV4-signed requests (undefined otherwise). */
    rawBody: Buffer | undefined;
  }
}

export interface SecurityOptions {
  readonly settings: HttpSettings;
  readonly logger: Logger;
  /** The clock for signature times and rate limits; tests pass their own. */
  readonly now?: () => number;
}

export const NO_ACTION_REASON = 'the route declares no action';

/** Per-request state between hooks. */
interface Pending {
  action: RovdAction;
  tap: RawBodyTap | undefined;
}
const pending = new WeakMap<FastifyRequest, Pending>();

/** What a config reload may change while the server runs (keys, policy, /metrics guard, rate limits). */
export interface SecurityHandle {
  update(settings: HttpSettings): void;
}

export function registerSecurity(app: FastifyInstance, options: SecurityOptions): SecurityHandle {
  const { logger } = options;
  let settings = options.settings;
  const now = options.now ?? Date.now;
  const verifierOf = (s: HttpSettings) =>
    new SigV4Verifier({
      region: s.auth.region,
      clockSkewMs: s.auth.clockSkewSeconds * 1000,
      keys: new Map<string, Secret>(s.auth.keys.map((k) => [k.id, k.secret])),
      now,
    });
  let verifier = verifierOf(settings);
  let limiter = new RateLimiter({ perSecond: settings.rateLimit.perSecond, burst: settings.rateLimit.burst, now });
  // TLS and the listen address belong to the server: a change there needs a restart.
  const tls = settings.tls !== undefined;

  app.decorateRequest('principal', ANONYMOUS);
  app.decorateRequest('rawBody', undefined);

  app.addHook('onRoute', (route) => {
    const action = (route.config as { action?: unknown } | undefined)?.action;
    if (action !== undefined && !isRovdAction(action)) {
      throw new TypeError(`route ${String(route.method)} ${route.url}: config.action ${JSON.stringify(action)} is not an action of src/http/security/actions.ts`);
    }
    if (route.bodyLimit === undefined) {
      route.bodyLimit = action === 'rovd:PostAnnouncements' ? settings.announcementsMaxBodyBytes : settings.maxBodyBytes;
    }
  });

  const deny = (request: FastifyRequest, reply: FastifyReply, status: 401 | 403, reason: string, action: string | undefined): FastifyReply => {
    logger.info({ source: request.ip, method: request.method, path: pathOf(request.url), action, principal: request.principal, status, reason }, 'http: access denied');
    if (status === 401) reply.header('WWW-Authenticate', 'Bearer realm="rovd"');
    const error = status === 401 ? 'Unauthorized' : 'AccessDenied';
    return reply.code(status).type('application/json; charset=utf-8').send({ error, message: reason, reason });
  };

  app.addHook('onRequest', async (request, reply) => {
    const rate = limiter.take(request.ip);
    if (!rate.allowed) {
      const reason = `rate limit exceeded: ${settings.rateLimit.perSecond} requests per second, burst ${settings.rateLimit.burst}`;
      return reply.code(429).header('Retry-After', String(rate.retryAfterSeconds)).type('application/json; charset=utf-8').send({ error: 'TooManyRequests', message: reason, reason });
    }
    // No route: the not-found handler answers 404 and runs nothing else.
    // Exemption goes by the route matched, not the text of the URL.
    if (request.is404 || isExemptPath(request.routeOptions.url ?? '')) return;
    const action = (request.routeOptions.config as { action?: unknown }).action;
    if (!isRovdAction(action)) return deny(request, reply, 403, NO_ACTION_REASON, undefined);

    const authorization = request.headers.authorization;
    if (action === 'rovd:GetMetrics') {
      const m = checkMetrics(settings.metrics, request.ip, authorization);
      if (m.outcome === 'allowed') return;
      if (m.outcome === 'unauthorized') return deny(request, reply, 401, m.reason, action);
      if (m.outcome === 'forbidden') return deny(request, reply, 403, m.reason, action);
    }
    if (authorization === undefined) {
      const decision = evaluatePolicy(settings.policy, { action, keyId: undefined, sourceIp: request.ip });
      return decision.allowed ? undefined : deny(request, reply, 403, decision.reason, action);
    }
    // An Authorization rovd does not know is refused, not ignored: its sender thinks it is authenticated.
    if (!isSigV4Header(authorization)) return deny(request, reply, 403, 'unsupported Authorization scheme (expected AWS4-HMAC-SHA256)', action);
    pending.set(request, { action, tap: undefined });
  });

  app.addHook('preParsing', async (request, _reply, payload) => {
    const p = pending.get(request);
    if (p === undefined) return payload;
    const tap = new RawBodyTap();
    p.tap = tap;
    payload.on('error', (err) => tap.destroy(err));
    return payload.pipe(tap);
  });

  app.addHook('preValidation', async (request, reply) => {
    const p = pending.get(request);
    if (p === undefined) return;
    pending.delete(request);
    const body = p.tap?.bytes() ?? Buffer.alloc(0);
    const result = verifier.verify({ method: request.method, url: request.raw.url ?? request.url, rawHeaders: request.raw.rawHeaders, body });
    if (!result.ok) return deny(request, reply, 403, result.reason, p.action);
    request.principal = result.keyId;
    request.rawBody = body;
    const decision = evaluatePolicy(settings.policy, { action: p.action, keyId: result.keyId, sourceIp: request.ip });
    if (!decision.allowed) return deny(request, reply, 403, decision.reason, p.action);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    applySecurityHeaders(reply, pathOf(request.url), tls);
    return payload;
  });

  return {
    update(next: HttpSettings): void {
      const previous = settings;
      settings = next;
      verifier = verifierOf(next);
      if (next.rateLimit.perSecond !== previous.rateLimit.perSecond || next.rateLimit.burst !== previous.rateLimit.burst) {
        limiter = new RateLimiter({ perSecond: next.rateLimit.perSecond, burst: next.rateLimit.burst, now });
      }
    },
  };
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
