/**
 * BGP4MP (type 16) and BGP4MP_ET (type 17, the same bodies after the
 * microsecond field the framer strips): RFC 6396 §4.4 and §4.5, with the
 * RFC 8050 §4.2 ADD-PATH subtypes.
 *
 *   STATE_CHANGE (0) / STATE_CHANGE_AS4 (5):
 *     Peer AS           u16 (u32 in _AS4)
 *     Local AS          u16 (u32 in _AS4)
 *     Interface Index   u16
 *     Address Family    u16   1 IPv4, 2 IPv6: the width of the two addresses
 *     Peer IP Address   4 or 16 octets
 *     Local IP Address  4 or 16 octets
 *     Old State         u16
 *     New State         u16
 *
 *   MESSAGE (1), MESSAGE_AS4 (4), MESSAGE_LOCAL (6), MESSAGE_AS4_LOCAL (7),
 *   and their ADDPATH variants (8, 9, 10, 11):
 *     the same six header fields, then
 *     BGP Message       the whole message, 19-octet header included, to the end of the record
 *
 * What decoding the BGP message needs (RFC 6396 §4.4.3, RFC 8050 §4.2):
 * the _AS4 subtypes carry 4-octet AS_PATHs, the others 2-octet ones; the
 * ADDPATH subtypes carry a Path Identifier before every NLRI. An archive
 * says nothing more about the session (the OPEN, if recorded at all, may be
 * hours earlier in another file), so the subtype is all the decoder goes by.
 */
import type { Asn } from '../net/asn.js';
import { ParseError } from '../wire/parse-error.js';
import { BinaryReader } from '../wire/reader.js';
import { readAddress } from './address.js';
import { Bgp4mpSubtype } from './mrt-types.js';

export interface Bgp4mpHeader {
  readonly peerAsn: Asn;
  readonly localAsn: Asn;
  readonly interfaceIndex: number;
  /** 1 IPv4, 2 IPv6. */
  readonly afi: number;
  readonly peerAddress: string;
  readonly localAddress: string;
}

export interface Bgp4mpStateChange extends Bgp4mpHeader {
  readonly kind: 'state';
  readonly oldState: number;
  readonly newState: number;
}

export interface Bgp4mpMessage extends Bgp4mpHeader {
  readonly kind: 'message';
  /** The BGP message, header included, a view. */
  readonly message: Uint8Array;
  readonly messageOffset: number;
  /** The collector sent it (MESSAGE_LOCAL subtypes). */
  readonly sent: boolean;
  /** 4-octet AS_PATH (the _AS4 subtypes). */
  readonly asn4: boolean;
  /** Path Identifiers before every NLRI (RFC 8050 ADDPATH subtypes). */
  readonly addPath: boolean;
}

/** Subtypes decoded here; others are the decoder's to skip. */
export function isBgp4mpDecodable(subtype: number): boolean {
  return subtype <= 11 && subtype !== Bgp4mpSubtype.entry && subtype !== Bgp4mpSubtype.snapshot;
}

const AS4 = new Set<number>([4, 5, 7, 9, 11]);
const LOCAL = new Set<number>([6, 7, 10, 11]);

export function decodeBgp4mp(body: Uint8Array, bodyOffset: number, subtype: number): Bgp4mpStateChange | Bgp4mpMessage {
  const r = BinaryReader.of(body, bodyOffset);
  const as4 = AS4.has(subtype);
  const peerAsn = (as4 ? r.u32('bgp4mp.peerAs') : r.u16('bgp4mp.peerAs')) as Asn;
  const localAsn = (as4 ? r.u32('bgp4mp.localAs') : r.u16('bgp4mp.localAs')) as Asn;
  const interfaceIndex = r.u16('bgp4mp.interfaceIndex');
  const afiOffset = r.offset;
  const afi = r.u16('bgp4mp.afi');
  if (afi !== 1 && afi !== 2) {
    throw new ParseError({ kind: 'malformed', field: 'bgp4mp.afi', offset: afiOffset, reason: `address family ${afi} is neither 1 (IPv4) nor 2 (IPv6)` });
  }
  const peerAddress = readAddress(r, afi === 2, 'bgp4mp.peerAddress');
  const localAddress = readAddress(r, afi === 2, 'bgp4mp.localAddress');
  if (subtype === Bgp4mpSubtype.stateChange || subtype === Bgp4mpSubtype.stateChangeAs4) {
    const oldState = r.u16('bgp4mp.oldState');
    const newState = r.u16('bgp4mp.newState');
    r.expectEnd('bgp4mp.stateChange');
    return { kind: 'state', peerAsn, localAsn, interfaceIndex, afi, peerAddress, localAddress, oldState, newState };
  }
  const messageOffset = r.offset;
  return {
    kind: 'message',
    peerAsn,
    localAsn,
    interfaceIndex,
    afi,
    peerAddress,
    localAddress,
    message: r.rest(),
    messageOffset,
    sent: LOCAL.has(subtype),
    asn4: as4,
    addPath: subtype >= Bgp4mpSubtype.messageAddPath,
  };
}
