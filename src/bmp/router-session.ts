/**
 * One monitored router's BMP session, without the socket: bytes in, events
 * out. The station (station.ts) feeds it what a TCP connection delivers;
 * tests feed it captures directly.
 *
 * Frame first, decode later (STYLE.md 5):
 * - The framer (framer.ts) cuts the stream. A framing error (a version
 *   other than 3/4, a length below 6 or above the cap, the stream ending
 *   inside a message) cannot be recovered from, since BMP has no marker to
 *   resynchronise on: the messages framed before it are still delivered,
 *   then the session ends with `router-down` {kind: 'error'} and the
 *   station closes the socket.
 * - A message whose content is malformed (a bad TLV, a broken OPEN, an
 *   UPDATE decodeUpdate refuses, including RFC 7606 session-reset errors)
 *   is dropped, counted and logged with router, peer and offset, and
 *   reported as `message-dropped`; the stream goes on.
 *
 * Peer state: Peer Up gives the OPENs, hence the capabilities to decode
 * that peer's UPDATEs (peer-up.ts `peerCapabilities`), kept per peer key
 * until Peer Down. The per-message A flag (peer types 0-2) decides 2- or
 * 4-octet AS numbers (RFC 7854 §4.2: the router may reformat AS_PATHs to
 * 4 octets whatever the session negotiated). Route Monitoring for a peer
 * never announced by Peer Up (a station started mid-session, or a router
 * that skips it) is decoded with the A flag and no ADD-PATH, and counted
 * (`withoutPeerUp`): ADD-PATH is never guessed.
 *
 * Backpressure: the consumer's `deliver` may return a promise; the session
 * then stops delivering, reports `paused`, and goes on when it settles.
 * Frames of a chunk already framed wait in a queue: at most one socket
 * read's worth, since the station pauses the socket meanwhile.
 *
 * Nothing the consumer does can break the session: a throwing or rejecting
 * listener is logged and counted (`listenerErrors`).
 */
import { type BgpUpdate, decodeUpdate } from '../bgp/update.js';
import { NOOP_LOGGER, type Logger } from '../rpki/sources/source.js';
import { ParseError } from '../wire/parse-error.js';
import { bmpMessageTypeName } from './constants.js';
import type {
  BmpEvent,
  BmpPeerCapabilities,
  BmpRouter,
  BmpRouterCounters,
  BmpRouterDownReason,
} from './events.js';
import { type BmpFrame, BmpFramer } from './framer.js';
import { type BmpMessage, decodeBmpMessage } from './message.js';
import type { BmpPeerUp } from './peer-up.js';
import { BmpPeerStates } from './peer-states.js';
import { BmpDecoderThread } from './decoder-thread.js';
import { type BatchTables, BmpRouteBatch, type ChunkItem, type DecodedChunk, type SerialisedParseError, parseErrorOf, readChunk } from './route-batch.js';
import { type BmpPerPeerHeader, PeerHeaderCache } from './per-peer-header.js';
import type { BmpRouteMonitoring } from './route-monitoring.js';
import type { BmpTermination } from './termination.js';

export interface BmpRouterSessionOptions {
  readonly address: string;
  readonly port: number;
  /** Receives every event, in order; may return a promise to apply backpressure. */
  readonly deliver: (event: BmpEvent) => void | PromiseLike<void>;
  readonly maxMessageBytes?: number;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Called once when the session has ended (router-down delivered): close the socket. */
  readonly onEnded?: () => void;
  /** Called when delivery waits on the consumer (pause the socket) and when it goes on (resume). */
  readonly onPause?: () => void;
  readonly onResume?: () => void;
  /**
   * Frame and decode on a worker thread of this session's own
   * (decoder-thread.ts): Route Monitoring then comes as `route-batch`
   * events. Default false.
   */
  readonly offThread?: boolean;
}

/**
 * Bytes sent to the decoder thread and not yet answered before the session
 * pauses its socket: bounds what the thread and its answers hold (about one
 * socket read is 64 KiB).
 */
const MAX_IN_FLIGHT = 4 << 20;

type MutableCounters = { -readonly [K in keyof BmpRouterCounters]: BmpRouterCounters[K] };

/** Logged in full for the first few dropped messages of a session, then one in LOG_EVERY. */
const LOG_FIRST = 10;
const LOG_EVERY = 1000;

export class BmpRouterSession {
  private routerInfo: BmpRouter;
  private readonly framer: BmpFramer;
  private readonly deliverFn: BmpRouterSessionOptions['deliver'];
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly options: BmpRouterSessionOptions;
  private readonly cache = new PeerHeaderCache();
  private readonly peers = new BmpPeerStates();
  private readonly count: MutableCounters = {
    bytes: 0,
    messages: 0,
    initiation: 0,
    termination: 0,
    peerUp: 0,
    peerDown: 0,
    routeMonitoring: 0,
    statistics: 0,
    routeMirroring: 0,
    unknownMessageTypes: 0,
    unknownTlvs: 0,
    malformedMessages: 0,
    droppedUpdates: 0,
    withoutPeerUp: 0,
    announced: 0,
    withdrawn: 0,
    endOfRib: 0,
    skippedNlri: 0,
    treatAsWithdraw: 0,
    attributeDiscard: 0,
    afterTermination: 0,
    listenerErrors: 0,
  };
  private queue: ChunkItem[] = [];
  private readonly thread: BmpDecoderThread | undefined;
  private readonly tables: BatchTables = { peers: [], texts: [] };
  /** Bytes pushed to the thread and not yet answered. */
  private inFlight = 0;
  /** The socket is paused (waiting on the consumer, or too much in flight). */
  private flowPaused = false;
  private endAsked = false;
  private endAnswer: { failure: SerialisedParseError | undefined } | undefined;
  private queueIndex = 0;
  private waiting = false;
  private draining = false;
  private pendingFailure: Error | undefined;
  private pendingEnd: { message: string | undefined } | undefined;
  private termination: BmpTermination | undefined;
  private ended = false;
  private started = false;

  constructor(options: BmpRouterSessionOptions) {
    this.options = options;
    this.deliverFn = options.deliver;
    this.logger = options.logger ?? NOOP_LOGGER;
    this.now = options.now ?? Date.now;
    this.framer = new BmpFramer({ maxMessageBytes: options.maxMessageBytes });
    const id = options.address.includes(':') ? `[${options.address}]:${options.port}` : `${options.address}:${options.port}`;
    this.routerInfo = Object.freeze({ id, address: options.address, port: options.port, sysName: undefined, sysDescr: undefined });
    if (options.offThread === true) {
      this.thread = new BmpDecoderThread(
        { maxMessageBytes: this.framer.maxMessageBytes },
        {
          chunk: (chunk) => this.decoded(chunk),
          ended: (failure) => {
            this.endAnswer = { failure };
            this.drain();
          },
          failed: (error) => this.threadFailed(error),
        },
      );
    }
  }

  get router(): BmpRouter {
    return this.routerInfo;
  }

  /** A snapshot of this session's counters. */
  get counters(): BmpRouterCounters {
    return { ...this.count };
  }

  /** Peers announced by Peer Up and not yet down. */
  get peerCount(): number {
    return this.peers.size;
  }

  /** True once router-down was delivered (or is about to be). */
  get isEnded(): boolean {
    return this.ended;
  }

  /** True while delivery waits on the consumer (or, off-thread, on the decoder thread). */
  get paused(): boolean {
    return this.waiting || this.flowPaused;
  }

  /** Bytes held by the framer for an incomplete message; off-thread, bytes the thread has not answered for. */
  get bufferedBytes(): number {
    return this.thread !== undefined ? this.inFlight : this.framer.bufferedBytes;
  }

  /** @internal the decoder thread, when decoding off-thread (tests make it die) */
  get decoderThread(): BmpDecoderThread | undefined {
    return this.thread;
  }

  /** Delivers router-up. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.deliver({ type: 'router-up', router: this.routerInfo, at: this.now() });
  }

  /** Takes the next chunk of the router's stream. */
  push(chunk: Uint8Array): void {
    if (this.ended || this.pendingFailure || this.pendingEnd) return;
    this.start();
    this.count.bytes += chunk.length;
    if (this.thread !== undefined) {
      this.thread.push(chunk);
      this.inFlight += chunk.length;
      this.updateFlow();
      return;
    }
    if (this.queueIndex === this.queue.length) {
      this.queue = [];
      this.queueIndex = 0;
    }
    try {
      // The framer appends frames only: the queue takes them as they are.
      this.framer.push(chunk, this.queue as BmpFrame[]);
    } catch (e) {
      this.pendingFailure = e instanceof Error ? e : new Error(String(e));
    }
    this.drain();
  }

  /** The socket closed (with the error that closed it, if any). */
  end(message?: string): void {
    if (this.ended || this.pendingEnd) return;
    this.start();
    this.pendingEnd = { message };
    this.drain();
  }

  /** The station stops: router-down {kind: 'stopped'} now, whatever is queued. */
  stop(): void {
    if (this.ended) return;
    this.start();
    this.queue = [];
    this.queueIndex = 0;
    this.finish({ kind: 'stopped' });
  }

  private drain(): void {
    if (this.draining || this.ended) return;
    this.draining = true;
    try {
      while (!this.waiting && this.queueIndex < this.queue.length) {
        const item = this.queue[this.queueIndex++]!;
        if (item instanceof BmpRouteBatch) this.routeBatch(item);
        else this.handle(item);
        if (this.ended) return;
      }
      if (this.waiting) return;
      if (this.pendingFailure) {
        const error = this.pendingFailure;
        this.logger.warn({ router: this.routerInfo.id, err: error.message }, 'BMP: broken stream, closing the router session');
        this.finish({ kind: 'error', error, message: error.message });
      } else if (this.pendingEnd) {
        if (this.thread !== undefined) {
          // Off-thread, the framer is on the thread: ask it, after every chunk is answered, whether the stream ended inside a message.
          if (this.inFlight > 0) return;
          if (!this.endAsked) {
            this.endAsked = true;
            this.thread.end();
          }
          if (this.endAnswer === undefined) return;
        }
        this.closeAtEnd(this.pendingEnd.message);
      }
    } finally {
      this.draining = false;
    }
  }

  /** A chunk the decoder thread answered: its items join the queue in order. */
  private decoded(chunk: DecodedChunk): void {
    if (this.ended) return;
    this.inFlight -= chunk.bytes;
    let items: ChunkItem[];
    try {
      items = readChunk(chunk, this.tables);
    } catch (e) {
      this.threadFailed(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (this.queueIndex === this.queue.length) {
      this.queue = items;
      this.queueIndex = 0;
    } else {
      for (const item of items) this.queue.push(item);
    }
    if (chunk.failure !== undefined) this.pendingFailure ??= parseErrorOf(chunk.failure);
    this.updateFlow();
    this.drain();
  }

  /** The decoder thread died, or sent what cannot be read: this session ends with an error, after what was decoded before. */
  private threadFailed(error: Error): void {
    if (this.ended) return;
    this.logger.error({ router: this.routerInfo.id, err: error.message }, 'BMP: decoder thread failed, closing the router session');
    this.thread?.stop();
    this.pendingFailure ??= error;
    this.inFlight = 0;
    this.drain();
  }

  /** Pauses the socket while the consumer or the decoder thread is behind; resumes when neither is. */
  private updateFlow(): void {
    const pause = this.waiting || this.inFlight > MAX_IN_FLIGHT || (this.flowPaused && this.inFlight > MAX_IN_FLIGHT / 2);
    if (pause === this.flowPaused || this.ended) return;
    this.flowPaused = pause;
    this.callback(pause ? this.options.onPause : this.options.onResume);
  }

  private closeAtEnd(message: string | undefined): void {
    try {
      if (this.endAnswer?.failure !== undefined) throw parseErrorOf(this.endAnswer.failure);
      if (this.thread === undefined) this.framer.end();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.finish({ kind: 'error', error, message: error.message });
      return;
    }
    if (this.termination) this.finish({ kind: 'terminated', termination: this.termination });
    else this.finish({ kind: 'closed', message });
  }

  private finish(reason: BmpRouterDownReason): void {
    if (this.ended) return;
    this.ended = true;
    this.thread?.stop();
    this.peers.clear();
    this.deliver({ type: 'router-down', router: this.routerInfo, reason, counters: this.counters, at: this.now() });
    try {
      this.options.onEnded?.();
    } catch (e) {
      this.logger.error({ router: this.routerInfo.id, err: String(e) }, 'BMP: onEnded callback failed');
    }
  }

  /** Hands an event to the consumer, guarded; a returned promise pauses delivery. */
  private deliver(event: BmpEvent): void {
    let result: void | PromiseLike<void>;
    try {
      result = this.deliverFn(event);
    } catch (e) {
      this.listenerFailed(event, e);
      return;
    }
    if (result !== undefined && result !== null && typeof (result as PromiseLike<void>).then === 'function') {
      if (event.type === 'router-down') {
        (result as PromiseLike<void>).then(undefined, (e: unknown) => this.listenerFailed(event, e));
        return;
      }
      this.waiting = true;
      this.updateFlow();
      (result as PromiseLike<void>).then(
        () => this.resume(),
        (e: unknown) => {
          this.listenerFailed(event, e);
          this.resume();
        },
      );
    }
  }

  private resume(): void {
    this.waiting = false;
    if (this.ended) return;
    this.updateFlow();
    this.drain();
  }

  private callback(fn: (() => void) | undefined): void {
    try {
      fn?.();
    } catch (e) {
      this.logger.error({ router: this.routerInfo.id, err: String(e) }, 'BMP: pause/resume callback failed');
    }
  }

  private listenerFailed(event: BmpEvent, e: unknown): void {
    this.count.listenerErrors++;
    this.logger.error({ router: this.routerInfo.id, event: event.type, err: e instanceof Error ? e.message : String(e) }, 'BMP: event listener failed');
  }

  /** Decodes one frame and delivers what it says. One try per message, never per field. */
  private handle(frame: BmpFrame): void {
    this.count.messages++;
    if (this.termination) {
      this.count.afterTermination++;
      return;
    }
    let msg: BmpMessage;
    try {
      msg = decodeBmpMessage(frame, this.cache);
    } catch (e) {
      this.dropped(frame, e, undefined);
      return;
    }
    switch (msg.type) {
      case 'route-monitoring':
        this.count.routeMonitoring++;
        this.routeMonitoring(frame, msg.message);
        return;
      case 'statistics-report':
        this.count.statistics++;
        this.count.unknownTlvs += msg.message.unknownStats + msg.message.tlvs.length;
        this.deliver({ type: 'statistics', router: this.routerInfo, peer: msg.message.header.peer, header: msg.message.header, offset: frame.offset, report: msg.message, at: this.now() });
        return;
      case 'peer-up':
        this.count.peerUp++;
        this.peerUp(frame, msg.message);
        return;
      case 'peer-down': {
        this.count.peerDown++;
        const { header } = msg.message;
        this.peers.down(header.peer.key);
        this.deliver({ type: 'peer-down', router: this.routerInfo, peer: header.peer, header, offset: frame.offset, peerDown: msg.message, at: this.now() });
        return;
      }
      case 'initiation': {
        this.count.initiation++;
        const init = msg.message;
        this.count.unknownTlvs += init.unknownTlvs;
        this.routerInfo = Object.freeze({ ...this.routerInfo, sysName: init.sysName ?? this.routerInfo.sysName, sysDescr: init.sysDescr ?? this.routerInfo.sysDescr });
        this.deliver({ type: 'initiation', router: this.routerInfo, initiation: init, at: this.now() });
        return;
      }
      case 'termination':
        this.count.termination++;
        this.count.unknownTlvs += msg.message.unknownTlvs;
        this.termination = msg.message;
        this.logger.info({ router: this.routerInfo.id, reason: msg.message.reasonName, strings: msg.message.strings }, 'BMP: router sent Termination');
        return;
      case 'route-mirroring':
        this.count.routeMirroring++;
        return;
      case 'unknown':
        this.count.unknownMessageTypes++;
        return;
    }
  }

  /** Delivers a run of Route Monitoring messages the decoder thread decoded. */
  private routeBatch(batch: BmpRouteBatch): void {
    const c = this.count;
    const n = batch.counts;
    c.messages += n.messages;
    if (this.termination) {
      c.afterTermination += n.messages;
      return;
    }
    c.routeMonitoring += n.messages;
    c.announced += n.announced;
    c.withdrawn += n.withdrawn;
    c.endOfRib += n.endOfRib;
    c.skippedNlri += n.skippedNlri;
    c.treatAsWithdraw += n.treatAsWithdraw;
    c.attributeDiscard += n.attributeDiscard;
    c.withoutPeerUp += n.withoutPeerUp;
    c.unknownTlvs += n.unknownTlvs;
    this.deliver({ type: 'route-batch', router: this.routerInfo, batch, at: this.now() });
  }

  private peerUp(frame: BmpFrame, peerUp: BmpPeerUp): void {
    const { header } = peerUp;
    let caps: BmpPeerCapabilities;
    try {
      caps = this.peers.up(peerUp);
    } catch (e) {
      this.dropped(frame, e, header.peer);
      return;
    }
    this.count.unknownTlvs += peerUp.unknownTlvs;
    this.deliver({ type: 'peer-up', router: this.routerInfo, peer: header.peer, header, offset: frame.offset, peerUp, capabilities: caps, at: this.now() });
  }

  private routeMonitoring(frame: BmpFrame, rm: BmpRouteMonitoring): void {
    const { header } = rm;
    const known = this.peers.capabilitiesFor(header);
    if (known === undefined) this.count.withoutPeerUp++;
    const caps = known ?? BmpPeerStates.fallback(header);
    let update: BgpUpdate;
    try {
      // The router's own tables (post-policy, Loc-RIB, Adj-RIB-Out) may lack NEXT_HOP (FRR): keep their routes.
      update = decodeUpdate(rm.update.body, caps, rm.update.offset + 19, { nextHopOptional: header.rib !== 'adj-rib-in-pre' });
    } catch (e) {
      this.count.droppedUpdates++;
      this.dropped(frame, e, header.peer);
      return;
    }
    const c = this.count;
    c.announced += update.announced.length;
    c.withdrawn += update.withdrawn.length;
    if (update.endOfRib) c.endOfRib++;
    for (const s of update.skipped) c.skippedNlri += s.count;
    if (update.action === 'treat-as-withdraw') c.treatAsWithdraw++;
    else if (update.action === 'attribute-discard') c.attributeDiscard++;
    c.unknownTlvs += rm.tlvs.length;
    this.deliver({
      type: 'route-monitoring',
      router: this.routerInfo,
      peer: header.peer,
      header,
      offset: frame.offset,
      rib: header.rib,
      update,
      capabilities: caps,
      capabilitiesFrom: known !== undefined ? 'peer-up' : 'fallback',
      tlvs: rm.tlvs,
      at: this.now(),
    });
  }

  private dropped(frame: BmpFrame, e: unknown, peer: BmpPerPeerHeader['peer'] | undefined): void {
    const error = e instanceof Error ? e : new Error(String(e));
    const n = ++this.count.malformedMessages;
    const messageType = bmpMessageTypeName(frame.type);
    if (n <= LOG_FIRST || n % LOG_EVERY === 0) {
      const details: Record<string, unknown> = {
        router: this.routerInfo.id,
        sysName: this.routerInfo.sysName,
        peer: peer?.key,
        messageType,
        offset: frame.offset,
        err: error.message,
        dropped: n,
      };
      if (error instanceof ParseError) {
        details.kind = error.kind;
        details.field = error.field;
        details.errorOffset = error.offset;
      }
      this.logger.warn(details, 'BMP: dropped a message that could not be decoded');
    }
    this.deliver({ type: 'message-dropped', router: this.routerInfo, messageType, peer, offset: frame.offset, error, at: this.now() });
  }
}
