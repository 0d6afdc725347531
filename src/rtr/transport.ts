/**
 * Transports for RTR (RFC 8210 §9): plain TCP, and TLS with the cache's
 * certificate verified by default (RFC 8210 §9.4 / RFC 6810 §7.2 TLS
 * transport; port 323 for TCP, 324 for TLS by IANA).
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { RtrConnect } from './session.js';

export interface TlsOptions {
  /** PEM CA bundle to verify the cache with; the system roots when absent. */
  readonly ca?: string | Buffer;
  /** Client certificate and key (PEM), for caches that require one. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Name to verify in the cache's certificate; the host when absent. */
  readonly servername?: string;
  /**
   * Verification can be turned off for a lab only; it is on by default
   * because an unverified cache can feed us any VRP set.
   */
  readonly insecureSkipVerify?: boolean;
}

export function tcpTransport(host: string, port: number): RtrConnect {
  return () =>
    new Promise((resolve, reject) => {
      const socket = netConnect({ host, port });
      socket.setNoDelay(true);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    });
}

export function tlsTransport(host: string, port: number, options: TlsOptions = {}): RtrConnect {
  return () =>
    new Promise((resolve, reject) => {
      const socket = tlsConnect({
        host,
        port,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        servername: options.servername ?? (isIp(host) ? undefined : host),
        rejectUnauthorized: options.insecureSkipVerify !== true,
        minVersion: 'TLSv1.2',
      });
      socket.once('secureConnect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    });
}

/** Parses `HOST:PORT` or `[V6]:PORT`. */
export function parseHostPort(text: string, defaultPort?: number, options: { allowPortZero?: boolean } = {}): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
  // Port 0 means "any free port" to a listener (tests, ephemeral setups), never to a client.
  if (!m || port === undefined || !Number.isInteger(port) || port < (options.allowPortZero ? 0 : 1) || port > 65535) {
    throw new RangeError(`expected HOST:PORT (or [IPv6]:PORT), not ${JSON.stringify(text)}`);
  }
  return { host: m[1]!, port };
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
