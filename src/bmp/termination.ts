/**
 * The Termination message: RFC 7854 §4.5.
 *
 *   common header (6) | Information TLVs until the end of the message
 *     type 0 String  free-form UTF-8, may repeat
 *     type 1 Reason  u16: 0 administratively closed, 1 unspecified,
 *                    2 out of resources, 3 redundant connection,
 *                    4 permanently administratively closed (§4.5, §10.7)
 *
 * A Reason whose Length is not 2 is `malformed`. Other TLV types are kept
 * raw and counted. The router closes the connection after this message.
 */
import type { BinaryReader } from '../wire/reader.js';
import { ParseError } from '../wire/parse-error.js';
import { BmpTerminationTlv, bmpTerminationReasonName } from './constants.js';
import { type BmpTlv, decodeTlvs, tlvText } from './tlv.js';

export interface BmpTermination {
  /** The Reason TLV's code, undefined when absent. */
  readonly reason: number | undefined;
  readonly reasonName: string | undefined;
  readonly strings: readonly string[];
  readonly tlvs: readonly BmpTlv[];
  readonly unknownTlvs: number;
}

export function decodeTermination(r: BinaryReader): BmpTermination {
  const tlvs = decodeTlvs(r, 'bmp.termination.tlv');
  let reason: number | undefined;
  const strings: string[] = [];
  let unknownTlvs = 0;
  for (const tlv of tlvs) {
    if (tlv.type === BmpTerminationTlv.string) {
      strings.push(tlvText(tlv.value));
    } else if (tlv.type === BmpTerminationTlv.reason) {
      if (tlv.value.length !== 2) {
        throw new ParseError({
          kind: 'malformed',
          field: 'bmp.termination.reason',
          offset: tlv.offset + 2,
          reason: `length ${tlv.value.length}, expected 2`,
        });
      }
      reason = (tlv.value[0]! << 8) | tlv.value[1]!;
    } else {
      unknownTlvs++;
    }
  }
  return { reason, reasonName: reason === undefined ? undefined : bmpTerminationReasonName(reason), strings, tlvs, unknownTlvs };
}
