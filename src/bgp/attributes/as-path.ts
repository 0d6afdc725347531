/**
 * AS_PATH, type code 2 (RFC 4271 §4.3 b, §5.1.2) and AS4_PATH, type code 17
 * (RFC 6793 §3): the path as segments.
 *
 *   value   = *segment
 *   segment = type:u8 count:u8 count*asn   ; asn u16 on a 2-octet session,
 *                                          ; u32 with RFC 6793 and always in AS4_PATH
 *   type    = 1 AS_SET | 2 AS_SEQUENCE | 3 AS_CONFED_SEQUENCE | 4 AS_CONFED_SET
 *
 * Malformed (RFC 7606 §7.2): an unknown segment type, a zero count, a segment
 * that overruns the attribute; AS 0 anywhere (RFC 7607 §2). AS_PATH:
 * treat-as-withdraw. AS4_PATH: attribute discard (RFC 6793 §6), and its
 * AS_CONFED_* segments are dropped, the rest kept (RFC 6793 §6: "discarded").
 */
import type { Asn } from '../../net/asn.js';
import { type AsPathSegment, type AsPathSegmentType, segmentTypeOfCode } from '../as-path.js';
import { Malformed, malformed } from './malformed.js';

/** Segments of an AS_PATH or AS4_PATH value; `asnBytes` is 2 or 4. */
export function decodeAsPathSegments(
  buf: Uint8Array,
  start: number,
  length: number,
  asnBytes: 2 | 4,
): AsPathSegment[] | Malformed {
  const end = start + length;
  const segments: AsPathSegment[] = [];
  let p = start;
  while (p < end) {
    if (end - p < 2) return malformed(`segment header cut off at byte ${p - start}`);
    const type: AsPathSegmentType | undefined = segmentTypeOfCode(buf[p]!);
    if (type === undefined) return malformed(`unknown segment type ${buf[p]!}`);
    const count = buf[p + 1]!;
    if (count === 0) return malformed(`empty ${type} segment`);
    p += 2;
    if (end - p < count * asnBytes) return malformed(`${type} segment of ${count} ASNs overruns the attribute`);
    const asns = new Array<Asn>(count);
    if (asnBytes === 4) {
      for (let i = 0; i < count; i++, p += 4) {
        const asn = ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
        if (asn === 0) return malformed('AS 0 in the path (RFC 7607)');
        asns[i] = asn as Asn;
      }
    } else {
      for (let i = 0; i < count; i++, p += 2) {
        const asn = (buf[p]! << 8) | buf[p + 1]!;
        if (asn === 0) return malformed('AS 0 in the path (RFC 7607)');
        asns[i] = asn as Asn;
      }
    }
    segments.push({ type, asns });
  }
  return segments;
}
