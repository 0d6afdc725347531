/**
 * The Route Mirroring message: RFC 7854 §4.7. Counted and otherwise
 * ignored by the station (rovd validates what routers hold, not raw PDUs);
 * the TLVs are still walked so a malformed one is noticed.
 *
 *   common header (6) | per-peer header (42) | TLVs until the end:
 *     type 0 BGP Message   a whole BGP PDU, possibly errored
 *     type 1 Information   u16 code: 0 errored PDU, 1 messages lost
 */
import type { BinaryReader } from '../wire/reader.js';
import { BmpMirroringTlv } from './constants.js';
import type { BmpPerPeerHeader } from './per-peer-header.js';
import { type BmpTlv, decodeTlvs } from './tlv.js';

export interface BmpRouteMirroring {
  readonly header: BmpPerPeerHeader;
  readonly tlvs: readonly BmpTlv[];
  /** BGP Message TLVs. */
  readonly messages: number;
  /** Information codes, in order. */
  readonly information: readonly number[];
}

export function decodeRouteMirroring(r: BinaryReader, header: BmpPerPeerHeader): BmpRouteMirroring {
  const tlvs = decodeTlvs(r, 'bmp.mirroring.tlv');
  let messages = 0;
  const information: number[] = [];
  for (const tlv of tlvs) {
    if (tlv.type === BmpMirroringTlv.bgpMessage) messages++;
    else if (tlv.type === BmpMirroringTlv.information && tlv.value.length >= 2) information.push((tlv.value[0]! << 8) | tlv.value[1]!);
  }
  return { header, tlvs, messages, information };
}
