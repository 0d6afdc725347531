/**
 * The BGP OPEN message, RFC 4271 §4.2, with capabilities (RFC 5492) and
 * extended optional parameters (RFC 9072).
 *
 * STUB: the types are the contract; decodeOpen/negotiate land next.
 */
import type { Asn } from '../net/asn.js';
import type { AfiSafi, SessionCapabilities } from './capabilities.js';

export interface AddPathCapability {
  readonly afi: number;
  readonly safi: number;
  readonly send: boolean;
  readonly receive: boolean;
}

export interface BgpOpen {
  readonly version: number;
  /** The 4-octet AS from capability 65 when present, else My Autonomous System. */
  readonly myAsn: Asn;
  readonly holdTime: number;
  readonly bgpId: string;
  readonly asn4: boolean;
  readonly multiprotocol: readonly AfiSafi[];
  readonly addPath: readonly AddPathCapability[];
  readonly extendedMessage: boolean;
  readonly routeRefresh: boolean;
  /** All capabilities, raw. */
  readonly capabilities: readonly { readonly code: number; readonly value: Uint8Array }[];
}

export function decodeOpen(body: Uint8Array, streamOffset?: number): BgpOpen {
  void body;
  void streamOffset;
  throw new Error('not implemented');
}

/**
 * Capabilities for UPDATEs sent by the speaker of `senderOpen` and received by
 * the speaker of `receiverOpen`: asn4 if both advertise it; ADD-PATH for an
 * AFI/SAFI if the sender can send and the receiver can receive it (RFC 7911
 * §4); extended messages if both.
 */
export function negotiate(senderOpen: BgpOpen, receiverOpen: BgpOpen): SessionCapabilities {
  void senderOpen;
  void receiverOpen;
  throw new Error('not implemented');
}
