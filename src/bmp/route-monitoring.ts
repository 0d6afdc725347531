/**
 * The Route Monitoring message: RFC 7854 §4.6, and its version 4 forms
 * (draft-ietf-grow-bmp-tlv).
 *
 *   Version 3:
 *     common header (6) | per-peer header (42) | one whole BGP UPDATE message
 *     (nothing may follow it: `malformed`)
 *
 *   Version 4, two layouts seen in the field, told apart by the byte after
 *   the per-peer header (a TLV type never starts with the 16-octet marker):
 *   - early drafts (Huawei VRP 8.2, bmp_play's bmp.dump): the BGP UPDATE
 *     first, then TLVs (type u16, length u16, value) to the end;
 *   - draft -05 and later: only TLVs (type u16, length u16, index u16,
 *     value); the UPDATE is the value of the BGP Message TLV. Its type code
 *     moved between drafts (4 in -13, 7 in -20), so it is found as the TLV
 *     whose value is a whole BGP message (starts with the marker). None, or
 *     more than one: `malformed`.
 *
 * This file frames the UPDATE and checks it is one; decoding it needs the
 * session's capabilities (the station knows them from Peer Up), so it is
 * done later, and a broken UPDATE costs only its own message.
 */
import { BgpMessageType } from '../bgp/message.js';
import { BinaryReader } from '../wire/reader.js';
import { ParseError } from '../wire/parse-error.js';
import { BMP_VERSION_4 } from './constants.js';
import { type EmbeddedBgpMessage, readEmbeddedBgpMessage, startsWithBgpMarker } from './bgp-pdu.js';
import type { BmpPerPeerHeader } from './per-peer-header.js';
import { type BmpTlv, decodeTlvs } from './tlv.js';

export interface BmpRouteMonitoring {
  readonly header: BmpPerPeerHeader;
  /** The UPDATE, framed (body is a view); decode with the peer's capabilities. */
  readonly update: EmbeddedBgpMessage;
  /** Version 4 TLVs (other than the BGP Message TLV); empty in version 3. */
  readonly tlvs: readonly BmpTlv[];
}

const NO_TLVS: readonly BmpTlv[] = Object.freeze([]);

export function decodeRouteMonitoring(r: BinaryReader, header: BmpPerPeerHeader, version: number): BmpRouteMonitoring {
  if (version < BMP_VERSION_4) {
    const update = readEmbeddedBgpMessage(r, 'bmp.routeMonitoring.update', BgpMessageType.update, 'UPDATE');
    r.expectEnd('bmp.routeMonitoring');
    return { header, update, tlvs: NO_TLVS };
  }
  const start = r.offset;
  const rest = r.rest();
  if (startsWithBgpMarker(rest, 0)) {
    const inner = BinaryReader.of(rest, start);
    const update = readEmbeddedBgpMessage(inner, 'bmp.routeMonitoring.update', BgpMessageType.update, 'UPDATE');
    return { header, update, tlvs: decodeTlvs(inner, 'bmp.routeMonitoring.tlv') };
  }
  const all = decodeTlvs(BinaryReader.of(rest, start), 'bmp.routeMonitoring.tlv', true);
  let update: EmbeddedBgpMessage | undefined;
  const tlvs: BmpTlv[] = [];
  for (const tlv of all) {
    if (!startsWithBgpMarker(tlv.value, 0)) {
      tlvs.push(tlv);
      continue;
    }
    if (update) {
      throw new ParseError({ kind: 'malformed', field: 'bmp.routeMonitoring.tlv', offset: tlv.offset, reason: 'a second BGP Message TLV' });
    }
    const inner = BinaryReader.of(tlv.value, tlv.offset + 6);
    update = readEmbeddedBgpMessage(inner, 'bmp.routeMonitoring.update', BgpMessageType.update, 'UPDATE');
    inner.expectEnd('bmp.routeMonitoring.update');
  }
  if (!update) {
    throw new ParseError({ kind: 'malformed', field: 'bmp.routeMonitoring.tlv', offset: start, reason: 'no BGP Message TLV' });
  }
  return { header, update, tlvs };
}
