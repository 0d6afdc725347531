/**
 * `rovd run`: the daemon. Loads the config (or the built-in default, which
 * watches the bundled sample VRPs and listens for BMP on 127.0.0.1:11019),
 * starts it, logs JSON lines on standard output, and stops cleanly on
 * SIGINT or SIGTERM.
 */
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RovdConfig, ConfigError, defaultConfig, loadConfig } from '../config/config.js';
import { Daemon } from '../daemon/daemon.js';
import { type RunningApi, startApi } from '../http/serve.js';
import { type LogLevel, createLogger } from '../log/logger.js';
import { parseHostPort } from '../rtr/transport.js';
import { parseCommandArgs } from './options.js';
import { UsageError, EXIT_FAILURE } from './usage-error.js';
import type { CommandIo } from './validate-command.js';
import { untilAborted } from './until-aborted.js';

export const RUN_HELP = `Usage: rovd run [--config FILE] [--bmp ADDR:PORT] [--http ADDR:PORT] [--store DIR] [--log-level LEVEL] [--repair]

Runs the daemon: RPKI data from the configured files, URLs and RTR caches,
BGP routes from routers over BMP, every route validated (RFC 6811) and
revalidated when the VRPs change, alerts delivered to the configured sinks,
the HTTP API and /metrics (default 127.0.0.1:9684). Logs are JSON lines on
standard output.

  --config FILE     the YAML config (see config/rovd.example.yaml); without it,
                    config/rovd.yaml of the package: the bundled sample VRPs,
                    BMP on 127.0.0.1:11019, the API on 127.0.0.1:9684, the
                    store in ./var, no VIFs
  --bmp ADDR:PORT   listen for BMP here instead of the config's bmp.listen
  --http ADDR:PORT  serve the API and /metrics here instead of the config's http.listen
  --store DIR       keep durable state (outbox, alerts, VRP sets) here instead of store.dir
  --log-level L     fatal, error, warn, info (default), debug, trace or silent
  --repair          a journal in the store damaged before its last record (the start
                    refuses it, naming file and offset): keep every readable
                    record, set the damaged file aside as <name>.damaged-<time>,
                    log what was dropped, and start

Environment variables ROVD_<SECTION>__<KEY> override config keys, e.g.
ROVD_BMP__LISTEN=0.0.0.0:11019 ROVD_HTTP__LISTEN=0.0.0.0:9684. SIGHUP reloads
the config (a bad one is refused and the old one kept); SIGTERM and SIGINT
drain (listeners closed, notifications flushed for up to 10 s) and stop.`;

/** How long SIGTERM waits for pending notifications before stopping anyway. */
const DRAIN_MS = 10_000;

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** The package root, where the default config's relative paths point. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function runCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('run', argv, {
    config: { type: 'string' },
    bmp: { type: 'string' },
    http: { type: 'string' },
    store: { type: 'string' },
    'log-level': { type: 'string' },
    repair: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(`${RUN_HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`run: unexpected argument ${JSON.stringify(positionals[0])}`);
  const level = values['log-level'];
  if (level !== undefined && !LEVELS.has(level)) throw new UsageError(`run: --log-level must be one of ${[...LEVELS].join(', ')}, not ${JSON.stringify(level)}`);
  const listenFlag = (name: 'bmp' | 'http'): { host: string; port: number } | undefined => {
    const v = values[name];
    if (v === undefined) return undefined;
    try {
      return parseHostPort(v, undefined, { allowPortZero: true });
    } catch (err) {
      throw new UsageError(`run: --${name}: ${(err as Error).message}`);
    }
  };
  const bmp = listenFlag('bmp');
  const http = listenFlag('http');

  // The config as the flags and the environment make it; read again on SIGHUP.
  const readConfig = async (): Promise<RovdConfig> => {
    const env = io.env ?? process.env;
    let c = values.config === undefined ? await defaultConfig(PACKAGE_ROOT, { env }) : await loadConfig(values.config, { env });
    if (bmp !== undefined) c = { ...c, bmp: { ...c.bmp, host: bmp.host, port: bmp.port } };
    if (http !== undefined) c = { ...c, http: { ...c.http, host: http.host, port: http.port } };
    if (values.store !== undefined) c = { ...c, store: { ...c.store, dir: resolvePath(values.store) } };
    return c;
  };
  let config: RovdConfig;
  try {
    config = await readConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`rovd run: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    throw err;
  }

  const logger = createLogger((level ?? config.log.level) as LogLevel, io.stdout);
  const daemon = new Daemon({ config, logger, repair: values.repair === true });
  logger.info({ config: config.file, vifs: config.vifs.length }, 'rovd: starting');
  let api: RunningApi | undefined;
  let bmpAt: { host: string; port: number };
  try {
    bmpAt = (await daemon.start()).bmp;
    api = await startApi(daemon, config.http, logger);
  } catch (err) {
    logger.error({ err: (err as Error).message }, 'rovd: could not start');
    await daemon.stop();
    io.stderr.write(`rovd run: ${(err as Error).message}\n`);
    return EXIT_FAILURE;
  }
  io.stderr.write(
    `rovd: running. BMP on ${bmpAt.host}:${bmpAt.port}, API and /metrics on ${api.url} (docs at ${api.url}/docs), store ${config.store.dir ?? '(memory only)'}, config ${config.file}\n`,
  );
  // SIGHUP: the config read again and applied; a bad one is refused and the running one kept.
  let reloading = Promise.resolve();
  const offReload = io.onReload?.(() => {
    reloading = reloading.then(async () => {
      try {
        daemon.reload(await readConfig());
        api?.updateSecurity(daemon.config.http);
      } catch (err) {
        logger.error({ err: err instanceof ConfigError ? err.message : (err as Error).message }, 'rovd: reload refused; the running config stays');
      }
    });
  });
  await untilAborted(io.shutdown);
  offReload?.();
  await reloading;
  logger.info({ reason: String(io.shutdown?.reason ?? 'shutdown') }, 'rovd: stopping');
  // Listeners first (no new work), then a bounded drain of the outbox, then the journal.
  await api.close();
  await daemon.stop({ drainMs: DRAIN_MS });
  return 0;
}
