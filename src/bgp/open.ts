/**
 * The BGP OPEN message: RFC 4271 §4.2, RFC 5492 capabilities, RFC 9072.
 * (Skeleton: types are final; decoding lands next.)
 */
import type { Asn } from '../net/asn.js';
import type { AfiSafi, SessionCapabilities } from './capabilities.js';

export interface AddPathCapability {
  readonly afi: number;
  readonly safi: number;
  readonly send: boolean;
  readonly receive: boolean;
}

export interface RawCapability {
  readonly code: number;
  readonly value: Uint8Array;
}

export interface BgpOpen {
  readonly version: number;
  /** The 4-octet AS from capability 65 when present. */
  readonly myAsn: Asn;
  readonly holdTime: number;
  readonly bgpId: string;
  readonly asn4: boolean;
  readonly multiprotocol: readonly AfiSafi[];
  readonly addPath: readonly AddPathCapability[];
  readonly extendedMessage: boolean;
  readonly routeRefresh: boolean;
  /** All, raw. */
  readonly capabilities: readonly RawCapability[];
}

export function decodeOpen(_body: Uint8Array, _streamOffset?: number): BgpOpen {
  throw new Error('decodeOpen: not implemented yet');
}

export function negotiate(_senderOpen: BgpOpen, _receiverOpen: BgpOpen): SessionCapabilities {
  throw new Error('negotiate: not implemented yet');
}
