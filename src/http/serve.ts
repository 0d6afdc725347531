/**
 * The API as `rovd run` serves it: the server (server.ts) with the
 * security plugin, TLS and body limits from the `http` config section,
 * and the Prometheus metrics at /metrics.
 */
import type { FastifyInstance } from 'fastify';
import type { HttpSettings } from '../config/http-config.js';
import type { Daemon } from '../daemon/daemon.js';
import type { Logger } from '../log/logger.js';
import { createMetrics, type RovdMetrics } from '../metrics/metrics.js';
import { rovdVersion } from '../metrics/build-info.js';
import { type SecurityHandle, registerSecurity } from './security/plugin.js';
import { buildTlsOptions } from './security/tls.js';
import { buildApiServer } from './server.js';

export interface RunningApi {
  readonly app: FastifyInstance;
  readonly metrics: RovdMetrics;
  /** `https://127.0.0.1:9684` etc., with the port actually bound. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** A config reload: keys, the access policy, the /metrics guard and rate limits (listen and TLS need a restart). */
  updateSecurity(settings: HttpSettings): void;
  close(): Promise<void>;
}

export async function startApi(daemon: Daemon, settings: HttpSettings, logger: Logger): Promise<RunningApi> {
  const metrics = createMetrics(daemon, { logger });
  let security: SecurityHandle | undefined;
  const app = await buildApiServer({
    daemon,
    version: rovdVersion(),
    logger,
    metrics,
    maxBodyBytes: settings.maxBodyBytes,
    announcementsMaxBodyBytes: settings.announcementsMaxBodyBytes,
    ...(settings.tls === undefined ? {} : { https: buildTlsOptions(settings.tls) }),
    security: (a) => {
      security = registerSecurity(a, { settings, logger });
    },
  });
  try {
    await app.listen({ host: settings.host, port: settings.port });
  } catch (err) {
    metrics.close();
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : settings.port;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `${settings.tls === undefined ? 'http' : 'https'}://${host}:${port}`;
  logger.info({ url, tls: settings.tls !== undefined, keys: settings.auth.keys.length }, 'http: API listening');
  return {
    app,
    metrics,
    url,
    host: settings.host,
    port,
    updateSecurity(next: HttpSettings) {
      security?.update(next);
    },
    async close() {
      await app.close();
      metrics.close();
    },
  };
}
