/**
 * BGPsec_PATH, type code 33 (RFC 8205 §3): optional non-transitive; sent
 * instead of AS_PATH between BGPsec speakers (RFC 8205 §4.1).
 *
 *   value           = secure-path 1*2signature-block
 *   secure-path     = length:u16 1*segment       ; length counts itself: 2 + 6n
 *   segment         = pCount:u8 flags:u8 asn:u32 ; flags 0x80 = Confed_Segment
 *   signature-block = length:u16 algorithm:u8 *(ski:20 sig-length:u16 signature)
 *                                                ; length counts itself
 *
 * Signatures are not verified here (that needs router keys from the RPKI);
 * the attribute is kept raw in otherAttributes. What the decoder takes from
 * it is the AS path, rebuilt as RFC 8205 §4.4 describes for a speaker that
 * hands the route to a non-BGPsec peer: each segment's AS repeated pCount
 * times, in an AS_CONFED_SEQUENCE when Confed_Segment is set, else an
 * AS_SEQUENCE; used only when the UPDATE has no AS_PATH.
 *
 * Malformed (RFC 8205 §5.2 "treat-as-withdraw"): lengths inconsistent with
 * the attribute, no segment, a signature block whose segments do not tile it
 * or whose count differs from the number of Secure_Path segments, more than
 * two blocks, AS 0 (RFC 7607).
 */
import type { Asn } from '../../net/asn.js';
import type { AsPathSegment } from '../as-path.js';
import { Malformed, malformed, u16At, u32At } from './malformed.js';

export function decodeBgpsecPath(buf: Uint8Array, start: number, length: number): AsPathSegment[] | Malformed {
  const end = start + length;
  if (length < 2) return malformed(`length ${length}, no Secure_Path`);
  const pathLength = u16At(buf, start);
  if (pathLength < 8 || (pathLength - 2) % 6 !== 0) return malformed(`Secure_Path Length ${pathLength}, must be 2 + 6n with n >= 1`);
  if (pathLength > length) return malformed(`Secure_Path Length ${pathLength} overruns the attribute`);
  const count = (pathLength - 2) / 6;
  const segments: AsPathSegment[] = [];
  for (let i = 0, p = start + 2; i < count; i++, p += 6) {
    const pCount = buf[p]!;
    const confed = (buf[p + 1]! & 0x80) !== 0;
    const asn = u32At(buf, p + 2);
    if (asn === 0) return malformed('AS 0 in the Secure_Path (RFC 7607)');
    if (pCount === 0) continue; // a transparent route server (RFC 8205 §4.2)
    const type = confed ? 'confed-sequence' : 'sequence';
    const last = segments[segments.length - 1];
    const asns: Asn[] = last !== undefined && last.type === type ? (last.asns as Asn[]) : [];
    for (let k = 0; k < pCount; k++) asns.push(asn as Asn);
    if (last === undefined || last.asns !== asns) segments.push({ type, asns });
  }
  let p = start + pathLength;
  let blocks = 0;
  while (p < end) {
    if (++blocks > 2) return malformed('more than two Signature_Blocks');
    if (end - p < 3) return malformed('Signature_Block header cut off');
    const blockLength = u16At(buf, p);
    if (blockLength < 3 || blockLength > end - p) return malformed(`Signature_Block Length ${blockLength} inconsistent with the attribute`);
    const blockEnd = p + blockLength;
    let q = p + 3;
    let signatures = 0;
    while (q < blockEnd) {
      if (blockEnd - q < 22) return malformed('Signature_Segment cut off');
      const sigLength = u16At(buf, q + 20);
      q += 22 + sigLength;
      if (q > blockEnd) return malformed(`Signature Length ${sigLength} overruns the Signature_Block`);
      signatures++;
    }
    if (signatures !== count) return malformed(`${signatures} signatures for ${count} Secure_Path segments`);
    p = blockEnd;
  }
  if (blocks === 0) return malformed('no Signature_Block');
  return segments;
}
