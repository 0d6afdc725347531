/**
 * What the BMP station tells its consumer (the RIB, metrics, logs): one
 * event per decoded message, plus the life of each router session. A
 * discriminated union on `type`; every event names its router, and events
 * about a peer carry the peer's identity and the per-peer header.
 *
 * Life of a router session, in order:
 *   router-up (TCP accepted) → initiation → peer-up / route-monitoring /
 *   statistics / peer-down / message-dropped … → router-down (exactly once)
 *
 * `router-down` is the "session ended" signal the RIB starts its stale
 * grace timer on: after it no event of that session follows. Its reason
 * says why: a clean Termination, a broken stream (framing error) or the
 * socket closing, or the station stopping.
 */
import type { SessionCapabilities } from '../bgp/capabilities.js';
import type { BgpUpdate } from '../bgp/update.js';
import type { ParseError } from '../wire/parse-error.js';
import type { BmpInitiation } from './initiation.js';
import type { BmpPeerDown } from './peer-down.js';
import type { BmpPeerUp } from './peer-up.js';
import type { BmpRouteBatch } from './route-batch.js';
import type { BmpPeer, BmpPerPeerHeader, BmpRib } from './per-peer-header.js';
import type { BmpStatisticsReport } from './statistics.js';
import type { BmpTermination } from './termination.js';
import type { BmpTlv } from './tlv.js';

/** A monitored router: one BMP TCP session. Replaced (never mutated) when its sysName becomes known. */
export interface BmpRouter {
  /** `address:port` of the TCP peer (`[v6]:port` for IPv6): unique among live sessions. */
  readonly id: string;
  readonly address: string;
  readonly port: number;
  /** From the Initiation message, once received. */
  readonly sysName: string | undefined;
  readonly sysDescr: string | undefined;
}

export type BmpRouterDownReason =
  /** The router sent Termination, then closed (RFC 7854 §4.5). */
  | { readonly kind: 'terminated'; readonly termination: BmpTermination }
  /** The stream could not be framed (bad version or length, or it ended inside a message): the station closed it. */
  | { readonly kind: 'error'; readonly error: ParseError | Error; readonly message: string }
  /** The socket closed (or failed) without Termination. */
  | { readonly kind: 'closed'; readonly message: string | undefined }
  /** The station stopped. */
  | { readonly kind: 'stopped' };

/** Counters of one router session (a snapshot in events). */
export interface BmpRouterCounters {
  readonly bytes: number;
  readonly messages: number;
  readonly initiation: number;
  readonly termination: number;
  readonly peerUp: number;
  readonly peerDown: number;
  readonly routeMonitoring: number;
  readonly statistics: number;
  readonly routeMirroring: number;
  /** Message types this station does not know (skipped). */
  readonly unknownMessageTypes: number;
  /** TLVs of types this station does not know (skipped), and statistics of unknown types. */
  readonly unknownTlvs: number;
  /** Messages of known types whose content was malformed (dropped; the stream went on). */
  readonly malformedMessages: number;
  /** Route Monitoring whose UPDATE could not be decoded (dropped; included in malformedMessages). */
  readonly droppedUpdates: number;
  /** Route Monitoring for a peer without Peer Up: decoded with the A flag and no ADD-PATH. */
  readonly withoutPeerUp: number;
  readonly announced: number;
  readonly withdrawn: number;
  readonly endOfRib: number;
  /** NLRI of AFI/SAFIs rovd does not validate (VPN, labelled, flowspec…), counted by decodeUpdate. */
  readonly skippedNlri: number;
  readonly treatAsWithdraw: number;
  readonly attributeDiscard: number;
  /** Messages after Termination (ignored). */
  readonly afterTermination: number;
  /** Event listeners that threw or rejected. */
  readonly listenerErrors: number;
}

interface RouterEvent {
  readonly router: BmpRouter;
  /** Station clock (ms since the epoch) when the event was made. */
  readonly at: number;
}

interface PeerEvent extends RouterEvent {
  readonly peer: BmpPeer;
  readonly header: BmpPerPeerHeader;
  /** Absolute offset of the BMP message in the router's stream. */
  readonly offset: number;
}

export interface BmpRouterUpEvent extends RouterEvent {
  readonly type: 'router-up';
}
export interface BmpInitiationEvent extends RouterEvent {
  readonly type: 'initiation';
  readonly initiation: BmpInitiation;
}
export interface BmpRouterDownEvent extends RouterEvent {
  readonly type: 'router-down';
  readonly reason: BmpRouterDownReason;
  readonly counters: BmpRouterCounters;
}

/** The capabilities Route Monitoring for this peer will be decoded with, per RIB (before the per-message A flag). */
export interface BmpPeerCapabilities {
  readonly adjRibIn: SessionCapabilities;
  readonly adjRibOut: SessionCapabilities;
  readonly locRib: SessionCapabilities;
}
export interface BmpPeerUpEvent extends PeerEvent {
  readonly type: 'peer-up';
  readonly peerUp: BmpPeerUp;
  readonly capabilities: BmpPeerCapabilities;
}
export interface BmpPeerDownEvent extends PeerEvent {
  readonly type: 'peer-down';
  readonly peerDown: BmpPeerDown;
}
export interface BmpRouteMonitoringEvent extends PeerEvent {
  readonly type: 'route-monitoring';
  readonly rib: BmpRib;
  readonly update: BgpUpdate;
  /** The capabilities the UPDATE was decoded with, and where they came from. */
  readonly capabilities: SessionCapabilities;
  readonly capabilitiesFrom: 'peer-up' | 'fallback';
  /** Version 4 TLVs of the message (raw). */
  readonly tlvs: readonly BmpTlv[];
}
export interface BmpStatisticsEvent extends PeerEvent {
  readonly type: 'statistics';
  readonly report: BmpStatisticsReport;
}
/**
 * Route Monitoring messages of this router decoded on a decoder thread
 * (station option `offThread`): a run of them, in stream order, as words
 * (route-batch.ts) that Rib.applyWords() takes directly. Only sessions
 * decoding off-thread deliver it, in place of most `route-monitoring`
 * events (a message the thread could not decode still comes as
 * `route-monitoring` or `message-dropped`, in its place in the stream).
 */
export interface BmpRouteBatchEvent extends RouterEvent {
  readonly type: 'route-batch';
  readonly batch: BmpRouteBatch;
}
/** A message of this router that could not be decoded; it was dropped and the stream went on. */
export interface BmpMessageDroppedEvent extends RouterEvent {
  readonly type: 'message-dropped';
  readonly messageType: string;
  /** Known when the per-peer header could be read. */
  readonly peer: BmpPeer | undefined;
  readonly offset: number;
  readonly error: ParseError | Error;
}

export type BmpEvent =
  | BmpRouterUpEvent
  | BmpInitiationEvent
  | BmpRouterDownEvent
  | BmpPeerUpEvent
  | BmpPeerDownEvent
  | BmpRouteMonitoringEvent
  | BmpRouteBatchEvent
  | BmpStatisticsEvent
  | BmpMessageDroppedEvent;

/**
 * A consumer of events. Returning a promise asks the station to wait: the
 * router's socket is paused (TCP backpressure reaches the router) until it
 * settles, and no further event of that router is delivered meanwhile.
 */
export type BmpEventListener = (event: BmpEvent) => void | PromiseLike<void>;
