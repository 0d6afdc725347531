/**
 * The BMP station: a TCP listener that monitored routers connect to
 * (RFC 7854 §3.2: "the monitoring station listens"), one
 * {@link BmpRouterSession} per connection, events to the consumer.
 *
 *   const station = new BmpStation({ host: '::', port: 11019, allow: [Prefix.parse('192.0.2.0/24')] });
 *   station.onEvent((e) => rib.apply(e));
 *   const { port } = await station.start();
 *   …
 *   await station.stop();
 *
 * - Access: a connection whose source address is not inside one of
 *   `allow` is logged and destroyed before a byte is read. An empty list
 *   admits nobody. IPv4-mapped IPv6 sources (`::ffff:192.0.2.1`) are
 *   checked as IPv4.
 * - Isolation: each router has its own framer and peer table. A broken
 *   stream ends that router's session only (router-down {kind: 'error'},
 *   socket destroyed); listener errors are caught and counted; socket
 *   errors end the session with {kind: 'closed'}. Nothing here throws into
 *   the event loop.
 * - Backpressure: a listener returning a promise pauses that router's
 *   socket until it settles, so TCP flow control slows the router instead
 *   of the station buffering without bound. What a session holds is at
 *   most one socket read of frames plus one incomplete message
 *   (maxMessageBytes).
 * - Lifecycle: nothing happens until start(); stop() closes the listener,
 *   ends every session (router-down {kind: 'stopped'}) and destroys the
 *   sockets. No timers.
 */
import { type Server, type Socket, createServer } from 'node:net';
import { Prefix } from '../net/prefix.js';
import { NOOP_LOGGER, type Logger } from '../rpki/sources/source.js';
import type { BmpEvent, BmpEventListener, BmpRouter, BmpRouterCounters } from './events.js';
import { BMP_DEFAULT_MAX_MESSAGE_BYTES, BmpFramer } from './framer.js';
import { BmpRouterSession } from './router-session.js';

export interface BmpStationOptions {
  /** Address to listen on, e.g. '127.0.0.1' or '::'. */
  readonly host: string;
  /** TCP port; 0 picks a free one (see start()'s result). */
  readonly port: number;
  /** Source prefixes allowed to connect; others are closed and logged. */
  readonly allow: readonly Prefix[];
  /** Largest BMP message accepted from a router, in bytes; default 1 MiB. */
  readonly maxMessageBytes?: number;
  /** Most routers connected at once; further connections are refused; default 1024. */
  readonly maxRouters?: number;
  readonly logger?: Logger;
  /** Clock for event timestamps, ms since the epoch; default Date.now. */
  readonly now?: () => number;
  /**
   * Frame and decode each router's stream on a worker thread of its own
   * (router-session.ts `offThread`); Route Monitoring then comes as
   * `route-batch` events, which BmpIngest and Rib.applyWords() take.
   * Default false: every event as before.
   */
  readonly offThread?: boolean;
}

export interface BmpRouterStatus {
  readonly router: BmpRouter;
  readonly counters: BmpRouterCounters;
  readonly peers: number;
  readonly paused: boolean;
}

export class BmpStation {
  private readonly host: string;
  private readonly port: number;
  private readonly allow: readonly Prefix[];
  private readonly maxMessageBytes: number;
  private readonly maxRouters: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly offThread: boolean;
  private readonly listeners = new Set<BmpEventListener>();
  private readonly sessions = new Map<Socket, BmpRouterSession>();
  private server: Server | undefined;
  private refusedCount = 0;

  constructor(options: BmpStationOptions) {
    if (typeof options.host !== 'string' || options.host.length === 0) throw new TypeError('host: must be a non-empty string');
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
      throw new RangeError(`port: ${options.port} is not an integer from 0 to 65535`);
    }
    if (!Array.isArray(options.allow) || !options.allow.every((p) => p instanceof Prefix)) {
      throw new TypeError('allow: must be an array of Prefix');
    }
    const maxRouters = options.maxRouters ?? 1024;
    if (!Number.isInteger(maxRouters) || maxRouters < 1) throw new RangeError(`maxRouters: ${maxRouters} is not a positive integer`);
    this.maxMessageBytes = options.maxMessageBytes ?? BMP_DEFAULT_MAX_MESSAGE_BYTES;
    new BmpFramer({ maxMessageBytes: this.maxMessageBytes }); // validates the cap (RangeError naming it)
    this.host = options.host;
    this.port = options.port;
    this.allow = Object.freeze([...options.allow]);
    this.maxRouters = maxRouters;
    this.logger = options.logger ?? NOOP_LOGGER;
    this.now = options.now ?? Date.now;
    this.offThread = options.offThread === true;
  }

  /** Registers a listener for every event; returns its removal. */
  onEvent(listener: BmpEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Connections refused (outside `allow`, or over maxRouters) since construction. */
  get refused(): number {
    return this.refusedCount;
  }

  /** The routers connected now. */
  routers(): BmpRouterStatus[] {
    return [...this.sessions.values()].map((s) => ({ router: s.router, counters: s.counters, peers: s.peerCount, paused: s.paused }));
  }

  /** Listens; resolves with the bound address and port. */
  start(): Promise<{ host: string; port: number }> {
    if (this.server) return Promise.reject(new Error('BmpStation: already started'));
    const server = createServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
    this.server = server;
    server.on('error', (err) => this.logger.error({ err: err.message }, 'BMP: listener error'));
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        this.server = undefined;
        reject(err);
      };
      server.once('error', onError);
      server.listen(this.port, this.host, () => {
        server.off('error', onError);
        const address = server.address();
        const bound = typeof address === 'object' && address ? { host: address.address, port: address.port } : { host: this.host, port: this.port };
        this.logger.info(bound, 'BMP: station listening');
        resolve(bound);
      });
    });
  }

  /** Stops listening and ends every router session. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const [socket, session] of [...this.sessions]) {
      this.sessions.delete(socket);
      session.stop();
      socket.destroy();
    }
    await closed;
  }

  private accept(socket: Socket): void {
    const address = normaliseAddress(socket.remoteAddress ?? '');
    const port = socket.remotePort ?? 0;
    socket.on('error', () => {}); // reported through 'close' below; never an uncaught 'error'
    if (!this.allowed(address)) {
      this.refusedCount++;
      this.logger.warn({ address, port }, 'BMP: connection from a source outside the allow list refused');
      socket.destroy();
      return;
    }
    if (this.sessions.size >= this.maxRouters) {
      this.refusedCount++;
      this.logger.warn({ address, port, maxRouters: this.maxRouters }, 'BMP: too many routers connected, connection refused');
      socket.destroy();
      return;
    }
    let socketError: string | undefined;
    const session = new BmpRouterSession({
      address,
      port,
      deliver: (event) => this.dispatch(event),
      maxMessageBytes: this.maxMessageBytes,
      offThread: this.offThread,
      logger: this.logger,
      now: this.now,
      onEnded: () => {
        this.sessions.delete(socket);
        socket.destroy();
      },
      onPause: () => socket.pause(),
      onResume: () => {
        if (!socket.destroyed) socket.resume();
      },
    });
    this.sessions.set(socket, session);
    socket.setKeepAlive(true, 60_000);
    this.logger.info({ router: session.router.id }, 'BMP: router connected');
    session.start();
    // A plain Uint8Array view: the framer's and decoders' subarray() calls on
    // it make built-in typed-array views, where a Buffer's make a
    // FastBuffer in JavaScript each (3-4% of a full-table ingest).
    socket.on('data', (chunk: Buffer) => session.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    socket.on('error', (err) => {
      socketError = err.message;
    });
    socket.on('close', () => {
      this.sessions.delete(socket);
      session.end(socketError);
    });
    if (!session.isEnded && !session.paused) socket.resume();
  }

  /**
   * Calls every listener, each guarded from the others. A promise from any
   * of them holds the router's delivery until all settle. Failures are
   * passed on (thrown, or the promise rejects) to the session, which logs
   * and counts them; the other listeners still got the event.
   */
  private dispatch(event: BmpEvent): void | PromiseLike<void> {
    let pending: PromiseLike<void>[] | undefined;
    let failure: { error: unknown } | undefined;
    for (const listener of this.listeners) {
      try {
        const result = listener(event);
        if (result && typeof result.then === 'function') (pending ??= []).push(result);
      } catch (e) {
        failure ??= { error: e };
      }
    }
    if (pending) {
      return Promise.allSettled(pending).then((results) => {
        if (failure) throw failure.error;
        for (const r of results) if (r.status === 'rejected') throw r.reason;
      });
    }
    if (failure) throw failure.error;
    return undefined;
  }

  private allowed(address: string): boolean {
    const host = Prefix.tryParse(address);
    if (typeof host === 'string') return false;
    return this.allow.some((p) => p.covers(host));
  }
}

/** `::ffff:192.0.2.1` → `192.0.2.1`; a zone index (`fe80::1%eth0`) is dropped. */
export function normaliseAddress(address: string): string {
  const lower = address.toLowerCase();
  if (lower.startsWith('::ffff:') && lower.includes('.')) return lower.slice(7);
  const zone = lower.indexOf('%');
  return zone >= 0 ? lower.slice(0, zone) : lower;
}
