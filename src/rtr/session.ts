/**
 * One RTR session with one cache, as a router runs it (RFC 8210 §8,
 * RFC 6810 §6, draft-ietf-sidrops-8210bis §7-§8).
 *
 *   connect ──► Reset Query (no data yet) or Serial Query (session, serial)
 *      ▲            │
 *      │        Cache Response … payload PDUs … End of Data  ──► commit, timers
 *      │            │
 *   backoff      refresh timer / Serial Notify ──► Serial Query
 *      │            │
 *      └── error, close, Error Report received, timeout
 *
 * - Updates are transactions (cache-data.ts): a session that breaks inside
 *   one leaves the previous data in force.
 * - Version negotiation (8210bis §7): we open with our highest version; a
 *   cache that speaks less answers with Unsupported Protocol Version (or
 *   simply in its own, lower version), and we continue in that version,
 *   reconnecting if it closed. After that, a PDU of another version is
 *   Unexpected Protocol Version (code 8) and ends the session.
 * - Anything malformed ends the session with an Error Report carrying the
 *   offending PDU (RFC 8210 §5.11) and a log line; the data stays; the
 *   retry timer brings the session back. Nothing here throws to the caller.
 * - Timers come from End of Data in versions 1 and 2 (RFC 8210 §6), and from
 *   the options in version 0. Past the expire interval without a good
 *   update, the data is stale: it stays in use and `onStale` says so.
 * - Prefix PDUs (800k in a full sync) take a short path inside an update:
 *   read in place by readPrefixPdu, with decodePdu's checks, and handed to
 *   the transaction without Pdu or Prefix objects (see prefixFast). Any PDU
 *   that path does not take goes through decodePdu and handle().
 */
import type { Duplex } from 'node:stream';
import type { Asn } from '../net/asn.js';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import { type CommittedUpdate, RtrCacheData, type RtrTransaction, RtrTransactionError } from './cache-data.js';
import { PrefixFields, readPrefixPdu } from './codec/prefix.js';
import { RtrFramer } from './framer.js';
import { type Pdu, type RtrVersion, RTR_MAX_VERSION, pduTypeName } from './pdu.js';
import { decodePdu, encodePdu, errorReportFor } from './pdu-codec.js';
import { RtrErrorCode, RtrParseError, errorCodeName } from './pdu-error.js';
import { serialBefore } from './serial.js';

/** Opens a transport to the cache (TCP, TLS; tests pass their own). */
export type RtrConnect = () => Promise<Duplex>;

export interface RtrSessionOptions {
  /** For logs and status: the cache's name or address. */
  readonly name: string;
  readonly connect: RtrConnect;
  /** Highest version to offer; default 2 (8210bis). */
  readonly version?: RtrVersion;
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Timers before the cache gives its own, and for version 0 (RFC 8210 §6 defaults). */
  readonly refreshSeconds?: number;
  readonly retrySeconds?: number;
  readonly expireSeconds?: number;
  /** How long a query may wait for the cache's Cache Response (or a connect for its socket). */
  readonly responseTimeoutMs?: number;
}

export type RtrSessionState = 'stopped' | 'connecting' | 'waiting' | 'receiving' | 'established' | 'retrying';

export interface RtrUpdate {
  readonly data: RtrCacheData;
  /** The data this update was applied to (for a reset: what it replaced). */
  readonly previous: RtrCacheData;
  readonly added: CommittedUpdate['added'];
  readonly removed: CommittedUpdate['removed'];
  /** True when the update replaced everything (answer to a Reset Query). */
  readonly reset: boolean;
  readonly sessionId: number;
  readonly serial: number;
  readonly version: RtrVersion;
}

export interface RtrSessionStatus {
  readonly name: string;
  readonly state: RtrSessionState;
  readonly version: RtrVersion | undefined;
  readonly sessionId: number | undefined;
  readonly serial: number | undefined;
  readonly vrps: { readonly ipv4: number; readonly ipv6: number };
  readonly aspas: number;
  readonly routerKeys: number;
  readonly lastUpdateAt: Date | undefined;
  readonly stale: boolean;
  readonly timers: { readonly refreshSeconds: number; readonly retrySeconds: number; readonly expireSeconds: number };
  /** PDUs received by type name, and errors by kind. */
  readonly pdusReceived: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
  readonly lastError: string | undefined;
}

/** Read coalescing (see coalesceReads): after this much of one transaction, … */
const COALESCE_AFTER_BYTES = 256 * 1024;
/** … reads smaller than this … */
const COALESCE_BELOW_CHUNK = 32 * 1024;
/** … are followed by this pause. */
const COALESCE_PAUSE_MS = 1;

const sumStats = (s: { ipv4: number; ipv6: number }): number => s.ipv4 + s.ipv6;

const IPV4_PREFIX = pduTypeName(4);
const IPV6_PREFIX = pduTypeName(6);

/** RFC 8210 §6: allowed ranges and defaults, in seconds. */
const TIMER_RANGES = {
  refresh: { min: 1, max: 86400, default: 3600 },
  retry: { min: 1, max: 7200, default: 600 },
  expire: { min: 600, max: 172800, default: 7200 },
} as const;

export class RtrSession {
  readonly name: string;
  private readonly connectFn: RtrConnect;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly maxVersion: RtrVersion;
  private readonly responseTimeoutMs: number;

  private state: RtrSessionState = 'stopped';
  private socket: Duplex | undefined;
  private framer = new RtrFramer();
  /** Version in use: the offer until the cache's first PDU settles it. */
  private version: RtrVersion;
  private negotiated = false;
  private sessionId: number | undefined;
  private serial: number | undefined;
  private data = RtrCacheData.EMPTY;
  private transaction: { tx: RtrTransaction; reset: boolean; sessionId: number; base: RtrCacheData } | undefined;
  /** The query in flight, if any: a Cache Response (or Cache Reset) is due. */
  private pending: 'reset' | 'serial' | undefined;
  private lastUpdateAt: number | undefined;
  private staleReported = false;
  private refreshS: number;
  private retryS: number;
  private expireS: number;
  private refreshTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private responseTimer: NodeJS.Timeout | undefined;
  private expireTimer: NodeJS.Timeout | undefined;
  /** Consecutive failures since the last good update, for the reconnect backoff. */
  private failures = 0;
  private readonly received: Record<string, number> = {};
  /** Scratch for prefixFast, reused for every Prefix PDU. */
  private readonly prefixFields = new PrefixFields();
  private readonly errors: Record<string, number> = {};
  private lastError: string | undefined;
  /** Bytes received since the Cache Response, for read coalescing. */
  private transactionBytes = 0;
  private readonly updateListeners = new Set<(u: RtrUpdate) => void>();
  private readonly staleListeners = new Set<(stale: boolean) => void>();
  private readonly stateListeners = new Set<(s: RtrSessionState) => void>();

  constructor(options: RtrSessionOptions) {
    this.name = options.name;
    this.connectFn = options.connect;
    this.now = options.now ?? Date.now;
    this.log = options.logger ?? NOOP_LOGGER;
    this.maxVersion = options.version ?? RTR_MAX_VERSION;
    this.version = this.maxVersion;
    this.responseTimeoutMs = options.responseTimeoutMs ?? 60_000;
    this.refreshS = checkTimer('refreshSeconds', options.refreshSeconds, TIMER_RANGES.refresh);
    this.retryS = checkTimer('retrySeconds', options.retrySeconds, TIMER_RANGES.retry);
    this.expireS = checkTimer('expireSeconds', options.expireSeconds, TIMER_RANGES.expire);
  }

  /** Connects and keeps the session up until stop(). */
  start(): void {
    if (this.state !== 'stopped') return;
    this.armExpire();
    void this.open();
  }

  /** Closes the session and clears every timer. */
  async stop(): Promise<void> {
    this.setState('stopped');
    for (const timer of [this.refreshTimer, this.retryTimer, this.responseTimer, this.expireTimer]) clearTimeout(timer);
    this.refreshTimer = this.retryTimer = this.responseTimer = this.expireTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.destroy();
      });
    }
  }

  /** The data of the last committed update. */
  get current(): RtrCacheData {
    return this.data;
  }

  onUpdate(listener: (u: RtrUpdate) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** Called with true when the expire interval passes without an update, false when one arrives again. */
  onStale(listener: (stale: boolean) => void): () => void {
    this.staleListeners.add(listener);
    return () => this.staleListeners.delete(listener);
  }

  onState(listener: (state: RtrSessionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  status(): RtrSessionStatus {
    const vrps = this.data.vrpStats();
    return {
      name: this.name,
      state: this.state,
      version: this.negotiated ? this.version : undefined,
      sessionId: this.sessionId,
      serial: this.serial,
      vrps,
      aspas: this.data.aspas.size,
      routerKeys: this.data.routerKeys.size,
      lastUpdateAt: this.lastUpdateAt === undefined ? undefined : new Date(this.lastUpdateAt),
      stale: this.isStale(),
      timers: { refreshSeconds: this.refreshS, retrySeconds: this.retryS, expireSeconds: this.expireS },
      pdusReceived: { ...this.received },
      errors: { ...this.errors },
      lastError: this.lastError,
    };
  }

  isStale(): boolean {
    return this.lastUpdateAt === undefined || this.now() - this.lastUpdateAt > this.expireS * 1000;
  }

  // --- connection ----------------------------------------------------------

  private async open(): Promise<void> {
    this.setState('connecting');
    let socket: Duplex;
    try {
      socket = await withTimeout(this.connectFn(), this.responseTimeoutMs, 'connect timed out');
    } catch (err) {
      if (this.state === 'stopped') return;
      this.fail('connect', `cannot connect: ${messageOf(err)}`);
      return;
    }
    if (this.state === 'stopped') {
      socket.destroy();
      return;
    }
    this.socket = socket;
    this.framer = new RtrFramer();
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (err: Error) => this.onClosed(socket, `transport error: ${err.message}`));
    socket.on('close', () => this.onClosed(socket, 'the cache closed the connection'));
    socket.on('end', () => this.onClosed(socket, 'the cache closed the connection'));
    this.log.info({ cache: this.name, version: this.version }, 'rtr: connected');
    this.query();
  }

  /** Serial Query when we hold a session, else Reset Query (RFC 8210 §8.1-8.2). */
  private query(): void {
    if (this.sessionId !== undefined && this.serial !== undefined) {
      this.send({ type: 1, version: this.version, sessionId: this.sessionId, serial: this.serial });
      this.pending = 'serial';
    } else {
      this.send({ type: 2, version: this.version });
      this.pending = 'reset';
    }
    this.setState('waiting');
    clearTimeout(this.responseTimer);
    this.responseTimer = setTimeout(() => this.fail('timeout', `no Cache Response within ${this.responseTimeoutMs} ms`), this.responseTimeoutMs);
  }

  private send(pdu: Pdu): void {
    const socket = this.socket;
    if (socket && !socket.destroyed) socket.write(encodePdu(pdu));
  }

  private onClosed(socket: Duplex, reason: string): void {
    if (socket !== this.socket || this.state === 'stopped') return;
    this.fail('closed', reason);
  }

  /**
   * Ends the connection (with an Error Report first when given), keeps the
   * data, and schedules a reconnect after the retry interval.
   */
  private fail(kind: string, reason: string, report?: Pdu): void {
    if (this.state === 'stopped') return;
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
    this.lastError = reason;
    this.log.warn({ cache: this.name, kind, reason }, 'rtr: session ended');
    const socket = this.socket;
    this.socket = undefined;
    if (socket && !socket.destroyed) {
      if (report) socket.end(encodePdu(report));
      else socket.destroy();
      // end() lets the report out; do not wait for the peer to close.
      setTimeout(() => socket.destroy(), 1000).unref();
    }
    this.transaction = undefined;
    this.pending = undefined;
    clearTimeout(this.responseTimer);
    clearTimeout(this.refreshTimer);
    this.setState('retrying');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.state === 'retrying') void this.open();
    }, this.reconnectDelayMs());
  }

  /**
   * 1 s, 2 s, 4 s … up to the retry interval (RFC 8210 §6). The RFC's
   * interval alone (600 s by default) would leave a cache that merely
   * restarted unused for ten minutes; the backoff reaches it as soon as it
   * is back without hammering one that stays down.
   */
  private reconnectDelayMs(): number {
    this.failures++;
    return Math.min(this.retryS, 2 ** Math.min(this.failures - 1, 16)) * 1000;
  }

  /** Reconnect at once (after a version downgrade or a lost session). */
  private reopen(reason: string): void {
    this.log.info({ cache: this.name, reason }, 'rtr: reconnecting');
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    this.transaction = undefined;
    this.pending = undefined;
    clearTimeout(this.responseTimer);
    void this.open();
  }

  // --- receiving -------------------------------------------------------------

  private onData(socket: Duplex, chunk: Buffer): void {
    if (socket !== this.socket) return;
    let frames;
    try {
      // A plain Uint8Array view of the chunk: the framer's subarray() per PDU
      // is then a built-in typed-array view, not a Buffer made in JavaScript.
      frames = this.framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (err) {
      this.parseFailure(err);
      return;
    }
    for (const frame of frames) {
      if (socket !== this.socket) return; // a PDU before this one ended the session
      if ((frame.type === 4 || frame.type === 6) && this.prefixFast(frame.bytes)) continue;
      let pdu: Pdu;
      try {
        pdu = decodePdu(frame.bytes, frame.offset);
      } catch (err) {
        this.parseFailure(err);
        return;
      }
      const name = pduTypeName(pdu.type);
      this.received[name] = (this.received[name] ?? 0) + 1;
      this.handle(pdu, frame.bytes);
    }
    if (this.transaction !== undefined) this.coalesceReads(socket, chunk.byteLength);
  }

  /**
   * During a bulk transfer, lets the next read wait a millisecond when this
   * one was small. Caches write PDU by PDU (StayRTR makes one write per
   * PDU), and a client that reads each as it lands turns a full sync into
   * hundreds of thousands of wake-ups on both sides: measured against
   * StayRTR with 800k VRPs on 2 vCPUs, 4.3-4.6 s and 325-380k reads when
   * reading eagerly, 1.8-2.0 s and under 2,000 reads with a 1-5 ms pause.
   * Small transactions (a few thousand changes) never reach the threshold,
   * so incremental updates keep their latency.
   */
  private coalesceReads(socket: Duplex, chunkBytes: number): void {
    this.transactionBytes += chunkBytes;
    if (this.transactionBytes < COALESCE_AFTER_BYTES || chunkBytes >= COALESCE_BELOW_CHUNK) return;
    socket.pause();
    setTimeout(() => {
      if (socket === this.socket && !socket.destroyed) socket.resume();
    }, COALESCE_PAUSE_MS);
  }

  /**
   * An IPv4/IPv6 Prefix PDU straight into the transaction: what handle()
   * does for types 4 and 6, without the Pdu and Prefix objects. Taken only
   * in the plain case (a transaction open, the version settled and this
   * PDU's, and readPrefixPdu accepting it, which checks what decodePdu
   * checks); false otherwise, and the PDU takes the general path, which
   * reports whatever is wrong.
   */
  private prefixFast(bytes: Uint8Array): boolean {
    const t = this.transaction;
    if (t === undefined || !this.negotiated || bytes[0] !== this.version) return false;
    const f = this.prefixFields;
    if (!readPrefixPdu(bytes, f)) return false;
    const name = f.afi === 4 ? IPV4_PREFIX : IPV6_PREFIX;
    this.received[name] = (this.received[name] ?? 0) + 1;
    try {
      t.tx.vrp(f.announce, f.afi, f.w0, f.w1, f.w2, f.w3, f.length, f.maxLength, f.asn);
    } catch (err) {
      this.payloadFailed(err, bytes);
    }
    return true;
  }

  private parseFailure(err: unknown): void {
    if (err instanceof RtrParseError && err.pduType === 11 && this.version === 2) {
      // ASPA PDUs we cannot read: StayRTR 0.5.x (Debian's) still sends the
      // layout of an early 8210bis draft (AFI flags, provider count) under
      // version 2. Report it, and continue in version 1: the VRPs matter
      // more than the ASPAs, and a version 1 session carries no ASPA.
      this.log.warn({ cache: this.name, reason: err.message }, 'rtr: unreadable ASPA PDU in version 2; falling back to version 1');
      const report = errorReportFor(err, this.version);
      this.version = 1;
      this.negotiated = true;
      this.sessionId = undefined;
      this.serial = undefined;
      this.fail('aspa-layout', `ASPA PDU not in draft-ietf-sidrops-8210bis-27 layout: ${err.message}`, report);
      return;
    }
    if (err instanceof RtrParseError) {
      this.fail('malformed', `malformed PDU from the cache: ${err.message}`, errorReportFor(err, this.version));
    } else {
      this.fail('internal', `internal error: ${messageOf(err)}`);
    }
  }

  private handle(pdu: Pdu, bytes: Uint8Array): void {
    if (!this.checkVersion(pdu, bytes)) return;
    switch (pdu.type) {
      case 0: // Serial Notify (RFC 8210 §5.2): ask for the news when idle
        if (this.state === 'established' && this.pending === undefined && this.serial !== undefined) {
          if (pdu.sessionId !== this.sessionId || serialBefore(this.serial, pdu.serial)) this.query();
        }
        return;
      case 3: // Cache Response
        return this.cacheResponse(pdu.sessionId, bytes);
      case 4:
      case 6:
        return this.payload(bytes, (tx) => {
          const p = pdu.prefix;
          tx.vrp(pdu.announce, p.afi, p.w0, p.w1, p.w2, p.w3, p.length, pdu.maxLength, pdu.asn);
        });
      case 9:
        return this.payload(bytes, (tx) => tx.routerKey(pdu.announce, pdu.asn, Buffer.from(pdu.ski).toString('hex'), Buffer.from(pdu.spki).toString('base64url')));
      case 11:
        return this.payload(bytes, (tx) => tx.aspa(pdu.announce, pdu.customer, pdu.providers as readonly Asn[]));
      case 7:
        return this.endOfData(pdu, bytes);
      case 8: // Cache Reset (RFC 8210 §5.9): no incremental update; start over
        if (this.pending !== 'serial') return this.protocolError(bytes, 'Cache Reset without a Serial Query');
        this.sessionId = undefined;
        this.serial = undefined;
        this.query();
        return;
      case 10:
        return this.errorReport(pdu.errorCode, pdu.text, pdu.version);
      case 1:
      case 2:
        return this.protocolError(bytes, `${pduTypeName(pdu.type)} is sent by routers, not caches`, RtrErrorCode.UnsupportedPduType);
    }
  }

  /**
   * Version negotiation (8210bis §7): the cache's first PDU settles the
   * version; a lower one than we offered is accepted (the cache does not
   * speak ours). Later, any other version is code 8.
   */
  private checkVersion(pdu: Pdu, bytes: Uint8Array): boolean {
    if (!this.negotiated) {
      if (pdu.type === 10 && pdu.errorCode === RtrErrorCode.UnsupportedProtocolVersion && pdu.version < this.version) {
        this.version = pdu.version;
        this.negotiated = true;
        this.reopen(`the cache speaks version ${pdu.version}`);
        return false;
      }
      if (pdu.version > this.version) {
        this.protocolError(bytes, `the cache answered version ${this.version} with version ${pdu.version}`, RtrErrorCode.UnsupportedProtocolVersion);
        return false;
      }
      this.version = pdu.version;
      this.negotiated = true;
      return true;
    }
    if (pdu.version !== this.version) {
      this.protocolError(bytes, `version ${pdu.version} PDU in a version ${this.version} session`, RtrErrorCode.UnexpectedProtocolVersion);
      return false;
    }
    return true;
  }

  private cacheResponse(sessionId: number, bytes: Uint8Array): void {
    if (this.pending === undefined) return this.protocolError(bytes, 'Cache Response without a query');
    // RFC 8210 §5.5: a new session ID means the cache restarted; what we
    // hold no longer applies to its serials. Ask for everything.
    if (this.pending === 'serial' && sessionId !== this.sessionId) {
      this.log.info({ cache: this.name, was: this.sessionId, now: sessionId }, 'rtr: new session id, resetting');
      this.sessionId = undefined;
      this.serial = undefined;
      this.query();
      return;
    }
    clearTimeout(this.responseTimer);
    const reset = this.pending === 'reset';
    this.pending = undefined;
    this.transaction = { tx: this.data.begin(reset), reset, sessionId, base: this.data };
    this.transactionBytes = 0;
    this.setState('receiving');
  }

  private payload(bytes: Uint8Array, apply: (tx: RtrTransaction) => void): void {
    const t = this.transaction;
    if (!t) return this.protocolError(bytes, 'payload PDU outside a Cache Response');
    try {
      apply(t.tx);
    } catch (err) {
      this.payloadFailed(err, bytes);
    }
  }

  /** A payload PDU the transaction refused (or an internal error applying it). */
  private payloadFailed(err: unknown, bytes: Uint8Array): void {
    if (err instanceof RtrTransactionError) {
      // RFC 8210 §5.6: report it and start over with a full reset.
      const report: Pdu = { type: 10, version: this.version, errorCode: err.code, erroneousPdu: bytes, text: err.message };
      this.sessionId = undefined;
      this.serial = undefined;
      this.fail('transaction', err.message, report);
      return;
    }
    this.fail('internal', `internal error: ${messageOf(err)}`);
  }

  private endOfData(pdu: Extract<Pdu, { type: 7 }>, bytes: Uint8Array): void {
    const t = this.transaction;
    if (!t) return this.protocolError(bytes, 'End of Data outside a Cache Response');
    if (pdu.sessionId !== t.sessionId) return this.protocolError(bytes, `End of Data for session ${pdu.sessionId}, not ${t.sessionId}`);
    let update: CommittedUpdate;
    try {
      update = t.tx.commit();
    } catch (err) {
      if (err instanceof RtrTransactionError) {
        const report: Pdu = { type: 10, version: this.version, errorCode: err.code, erroneousPdu: new Uint8Array(0), text: err.message };
        this.sessionId = undefined;
        this.serial = undefined;
        this.fail('transaction', err.message, report);
        return;
      }
      throw err;
    }
    this.transaction = undefined;
    this.failures = 0;
    this.data = update.data;
    this.sessionId = pdu.sessionId;
    this.serial = pdu.serial;
    this.lastUpdateAt = this.now();
    if (pdu.version !== 0) this.applyTimers(pdu.refreshInterval, pdu.retryInterval, pdu.expireInterval);
    this.setState('established');
    if (this.staleReported) {
      this.staleReported = false;
      for (const l of this.staleListeners) l(false);
    }
    this.armExpire();
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      if (this.state === 'established' && this.pending === undefined) this.query();
    }, this.refreshS * 1000);
    const u: RtrUpdate = {
      data: update.data,
      previous: t.base,
      added: update.added,
      removed: update.removed,
      reset: t.reset,
      sessionId: pdu.sessionId,
      serial: pdu.serial,
      version: this.version,
    };
    this.log.info(
      { cache: this.name, serial: pdu.serial, added: update.added.size, removed: update.removed.size, vrps: sumStats(update.data.vrpStats()) },
      'rtr: update applied',
    );
    for (const l of this.updateListeners) l(u);
    // The listeners had the update; merge its table while the loop is idle.
    setImmediate(() => update.data.settle());
  }

  private errorReport(code: number, text: string, version: RtrVersion): void {
    const reason = `the cache reported ${errorCodeName(code)}${text ? `: ${text}` : ''}`;
    if (this.pending === 'serial') {
      // The cache refused our Serial Query: after a restart some caches
      // (StayRTR: "Session ID mismatch") report an error instead of sending
      // Cache Reset. Asking again with the same session would loop; the
      // next connection starts over with a Reset Query, keeping the data.
      this.sessionId = undefined;
      this.serial = undefined;
    }
    // RFC 8210 §5.11: never answer an Error Report with one.
    if (code === RtrErrorCode.NoDataAvailable) {
      this.log.info({ cache: this.name }, 'rtr: the cache has no data yet');
    }
    this.fail(`error-report:${errorCodeName(code)}`, `${reason} (version ${version})`);
  }

  private protocolError(bytes: Uint8Array, reason: string, code: RtrErrorCode = RtrErrorCode.CorruptData): void {
    const report: Pdu = { type: 10, version: this.version, errorCode: code, erroneousPdu: bytes, text: reason };
    this.fail('protocol', reason, report);
  }

  // --- timers ----------------------------------------------------------------

  /** RFC 8210 §6 ranges; an out-of-range value from the cache is logged and clamped. */
  private applyTimers(refresh: number, retry: number, expire: number): void {
    this.refreshS = this.clampTimer('refresh', refresh, TIMER_RANGES.refresh);
    this.retryS = this.clampTimer('retry', retry, TIMER_RANGES.retry);
    this.expireS = this.clampTimer('expire', expire, TIMER_RANGES.expire);
  }

  private clampTimer(name: string, value: number, range: { min: number; max: number }): number {
    if (value >= range.min && value <= range.max) return value;
    const clamped = Math.min(range.max, Math.max(range.min, value));
    this.log.warn({ cache: this.name, timer: name, value, used: clamped }, 'rtr: timer out of the RFC 8210 §6 range');
    return clamped;
  }

  /** Fires once the expire interval passes without an update. */
  private armExpire(): void {
    clearTimeout(this.expireTimer);
    const since = this.lastUpdateAt ?? this.now();
    const due = Math.max(0, since + this.expireS * 1000 - this.now());
    this.expireTimer = setTimeout(() => {
      this.expireTimer = undefined;
      if (this.state === 'stopped' || !this.isStale() || this.staleReported) return;
      this.staleReported = true;
      this.log.warn({ cache: this.name, expireSeconds: this.expireS }, 'rtr: data is stale (expire interval passed)');
      for (const l of this.staleListeners) l(true);
    }, due + 1);
  }

  private setState(state: RtrSessionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const l of this.stateListeners) l(state);
  }
}

function checkTimer(key: string, value: number | undefined, range: { min: number; max: number; default: number }): number {
  if (value === undefined) return range.default;
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new RangeError(`${key}: ${value} is not an integer from ${range.min} to ${range.max} (RFC 8210 §6)`);
  }
  return value;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
