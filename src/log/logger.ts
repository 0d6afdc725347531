/**
 * Logging: structured JSON lines through pino (fastify's own logger, so
 * the HTTP API of a later issue logs the same way). Components take the
 * small `Logger` interface below in their constructors, so a test passes
 * NOOP_LOGGER or a recorder and nothing logs at import time.
 */
import { type DestinationStream, type Level, pino } from 'pino';

/** pino-compatible: a pino logger (or child) can be passed as is. */
export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  /** Per-request detail; optional so simple loggers need not have it. */
  debug?(obj: object, msg: string): void;
}

export const NOOP_LOGGER: Logger = Object.freeze({
  info(): void {},
  warn(): void {},
  error(): void {},
});

export type LogLevel = Level | 'silent';

/** The daemon's logger: JSON lines on `destination` (stdout by default), ISO times. */
export function createLogger(level: LogLevel, destination?: DestinationStream): pino.Logger {
  return pino(
    {
      level,
      base: { service: 'rovd' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
