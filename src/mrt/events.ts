/**
 * What an MRT file says about routes, decoded once: the events the MRT
 * decoder emits and `rovd replay` (and, later, the RIB) consume without
 * touching the wire bytes again.
 *
 * One event per route: a RIB entry of a TABLE_DUMP(_V2) record is a `rib`
 * event; each NLRI of a BGP4MP UPDATE is an `announce` or `withdraw` event
 * (the routes of one UPDATE share one `attributes` object); a BGP4MP
 * STATE_CHANGE is a `state` event. Peers are interned per decoder, so all
 * events of one peer share one MrtPeer object.
 *
 * Memory: `attributes` may hold views of the record bytes (extended
 * communities, unknown attributes), which keep the decompressed chunk they
 * came from alive. A consumer that holds routes for long (a RIB) keeps what
 * it needs (AS path, prefix) rather than the attributes object.
 */
import type { Asn } from '../net/asn.js';
import type { Prefix } from '../net/prefix.js';
import type { PathAttributes } from '../bgp/attributes.js';

export interface MrtPeer {
  /** The peer's address (RFC 5952 text). */
  readonly address: string;
  readonly asn: Asn;
  /** From the PEER_INDEX_TABLE; BGP4MP records do not carry it. */
  readonly bgpId: string | undefined;
}

interface EventBase {
  /** Seconds since the Unix epoch (the MRT record's timestamp). */
  readonly timestamp: number;
  /** The BGP4MP_ET microsecond field; 0 for the other types. */
  readonly microseconds: number;
  readonly peer: MrtPeer;
}

export interface MrtRouteEvent extends EventBase {
  /**
   * - `rib`: an entry of a RIB dump (TABLE_DUMP, TABLE_DUMP_V2);
   * - `announce`: an NLRI of a BGP4MP UPDATE;
   * - `withdraw`: a withdrawn NLRI, including the announced NLRI of an
   *   UPDATE (or RIB entry) that RFC 7606 treats as withdrawn.
   */
  readonly kind: 'rib' | 'announce' | 'withdraw';
  readonly prefix: Prefix;
  /** RFC 7911 / RFC 8050 Path Identifier; 0 without ADD-PATH. */
  readonly pathId: number;
  /** Undefined for a withdrawal. */
  readonly attributes: PathAttributes | undefined;
  /**
   * True for the BGP4MP MESSAGE_LOCAL subtypes (6, 7, 10, 11): the collector
   * sent this UPDATE to the peer, so it describes what the peer was told,
   * not a route the peer holds.
   */
  readonly sent: boolean;
}

export interface MrtStateEvent extends EventBase {
  readonly kind: 'state';
  /** RFC 4271 §8.2.2 states as RFC 6396 §4.4.1 numbers them (1 Idle … 6 Established; see bgpFsmStateName). */
  readonly oldState: number;
  readonly newState: number;
}

export type MrtEvent = MrtRouteEvent | MrtStateEvent;

/** Receives the events of a record, in order. */
export type MrtEventSink = (event: MrtEvent) => void;
