/**
 * The Initiation message: RFC 7854 §4.3, information TLVs §4.4.
 *
 *   common header (6) | Information TLVs until the end of the message
 *     type 0 String    free-form UTF-8, may repeat
 *     type 1 sysDescr  "MUST be sent" (we accept its absence)
 *     type 2 sysName   "MUST be sent" (we accept its absence)
 *
 * Other types are kept raw and counted in `unknownTlvs`. A repeated
 * sysDescr/sysName keeps the last one.
 */
import type { BinaryReader } from '../wire/reader.js';
import { BmpInitiationTlv } from './constants.js';
import { type BmpTlv, decodeTlvs, tlvText } from './tlv.js';

export interface BmpInitiation {
  readonly sysName: string | undefined;
  readonly sysDescr: string | undefined;
  readonly strings: readonly string[];
  /** Every TLV, raw, in order. */
  readonly tlvs: readonly BmpTlv[];
  readonly unknownTlvs: number;
}

/** Reads the body after the common header. */
export function decodeInitiation(r: BinaryReader): BmpInitiation {
  const tlvs = decodeTlvs(r, 'bmp.initiation.tlv');
  let sysName: string | undefined;
  let sysDescr: string | undefined;
  const strings: string[] = [];
  let unknownTlvs = 0;
  for (const tlv of tlvs) {
    if (tlv.type === BmpInitiationTlv.string) strings.push(tlvText(tlv.value));
    else if (tlv.type === BmpInitiationTlv.sysDescr) sysDescr = tlvText(tlv.value);
    else if (tlv.type === BmpInitiationTlv.sysName) sysName = tlvText(tlv.value);
    else unknownTlvs++;
  }
  return { sysName, sysDescr, strings, tlvs, unknownTlvs };
}
