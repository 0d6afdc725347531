/**
 *   GET /healthz          the process is alive (no checks: a liveness probe must not flap with its dependencies)
 *   GET /readyz           VRPs loaded and fresh, store open, listeners up: 200, else 503 with the failing checks
 *   GET /api/v1/status    version, uptime, VRP sources with serials and freshness, BMP and RTR sessions,
 *                         routes, alerts and the outbox
 */
import type { FastifyInstance } from 'fastify';
import type { Daemon } from '../../daemon/daemon.js';

export interface StatusInfo {
  readonly version: string;
  readonly startedAt: number;
  readonly now: () => number;
}

export function readiness(daemon: Daemon): { ready: boolean; checks: Record<string, { ok: boolean; detail: string }> } {
  const snapshot = daemon.validator.snapshot;
  const feed = daemon.feed.status();
  const checks = {
    vrps: { ok: snapshot.generation > 0 && snapshot.vrps.size > 0, detail: `${snapshot.vrps.size} VRPs, generation ${snapshot.generation}` },
    rpkiFresh: { ok: !feed.stale, detail: feed.stale ? 'no VRP source is fresh' : 'fresh' },
    store: { ok: daemon.outbox !== undefined, detail: daemon.outbox === undefined ? 'the outbox is not open' : 'open' },
    bmp: { ok: daemon.listening, detail: daemon.listening ? 'listening' : 'not listening' },
  };
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

/** Each account/region's last answer and each discovered VIF with its BGP peers and last poll; null without aws.directConnect. */
function directConnectStatus(daemon: Daemon): object | null {
  const watch = daemon.directConnect;
  if (watch === undefined) return null;
  const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
  const s = watch.status();
  return {
    sources: s.sources.map((x) => ({ ...x, lastSuccess: iso(x.lastSuccess) })),
    vifs: s.vifs.map((v) => ({
      id: v.id,
      type: v.type,
      state: v.state,
      region: v.region,
      watched: daemon.vifs.get(v.id) !== undefined,
      peers: v.peers.map((p) => ({ addressFamily: p.addressFamily, amazonAddress: p.amazonAddress ?? null, customerAddress: p.customerAddress ?? null, asn: p.asn, bgpStatus: p.status, state: p.state })),
      lastPoll: iso(v.poll?.lastPoll),
      routes: v.poll?.routes ?? null,
      lastError: v.poll?.lastError ?? null,
    })),
  };
}

export function statusRoutes(app: FastifyInstance, daemon: Daemon, info: StatusInfo): void {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness: the process answers' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['health'], summary: 'Readiness: VRPs loaded and fresh, store open, listeners up' } }, async (_request, reply) => {
    const r = readiness(daemon);
    return reply.code(r.ready ? 200 : 503).send({ status: r.ready ? 'ready' : 'not ready', checks: r.checks });
  });

  app.get('/api/v1/status', { config: { action: 'rovd:GetStatus' }, schema: { tags: ['health'], summary: 'Everything rovd knows about its own state' } }, async () => {
    const s = daemon.status();
    const now = info.now();
    return {
      version: info.version,
      startedAt: new Date(info.startedAt).toISOString(),
      uptimeSeconds: Math.round((now - info.startedAt) / 1000),
      ready: readiness(daemon),
      rpki: { ...s.rpki, vrps: s.vrps, generation: s.generation, publishedAt: new Date(daemon.validator.snapshot.publishedAt).toISOString() },
      routes: s.routes,
      rib: s.rib,
      bmp: { listening: daemon.listening, refusedConnections: daemon.station.refused, routers: s.routers },
      alerts: s.alerts,
      detection: s.detection,
      outbox: s.outbox ?? null,
      directConnect: directConnectStatus(daemon),
    };
  });
}
