/**
 * Router Key (type 9), versions 1 and 2 only: RFC 8210 §5.10,
 * draft-ietf-sidrops-8210bis-27 §5.11 (type 9 is "Reserved" in version 0).
 *
 *   0  u8  Version | 1 u8 Type 9 | 2 u8 Flags | 3 u8 zero
 *   4  u32 Length = 32 + SPKI length
 *   8  20 bytes  Subject Key Identifier
 *  28  u32 AS Number
 *  32  ...       Subject Public Key Info: "the full ASN.1 DER encoding of the
 *                subjectPublicKeyInfo, including the ASN.1 tag and length
 *                values of the subjectPublicKeyInfo SEQUENCE" (8210bis §5.1)
 *
 * The SPKI is checked only as far as its outer DER TLV: a SEQUENCE (0x30)
 * with a definite, minimally encoded length that ends exactly at the end of
 * the PDU. The key itself is not parsed.
 */
import type { Asn } from '../../net/asn.js';
import type { BinaryReader } from '../../wire/reader.js';
import type { RouterKeyPdu } from '../pdu.js';
import { checkUint, pduWriter } from '../pdu-writer.js';
import { type DecodeContext, announceOf, flagsOf, pduError } from './context.js';

export const SKI_LENGTH = 20;

export function decodeRouterKey(r: BinaryReader, ctx: DecodeContext): RouterKeyPdu {
  const announce = announceOf(ctx.header.session >>> 8);
  const ski = r.bytes(SKI_LENGTH, 'rtr.routerKey.ski');
  const asn = r.u32('rtr.routerKey.asn') as Asn;
  const spki = r.rest();
  const problem = derSequenceProblem(spki);
  if (problem !== undefined) throw pduError(ctx, 'rtr.routerKey.spki', 32, problem);
  // The header check let only versions 1 and 2 through for type 9.
  const version = ctx.header.version as 1 | 2;
  return { type: 9, version, announce, ski, asn, spki };
}

export function encodeRouterKey(pdu: RouterKeyPdu): Buffer {
  if (pdu.ski.length !== SKI_LENGTH) {
    throw new RangeError(`rtr.routerKey.ski: ${pdu.ski.length} bytes, must be ${SKI_LENGTH}`);
  }
  const problem = derSequenceProblem(pdu.spki);
  if (problem !== undefined) throw new RangeError(`rtr.routerKey.spki: ${problem}`);
  checkUint(pdu.asn, 0xffffffff, 'rtr.routerKey.asn');
  return pduWriter(pdu.version, 9, flagsOf(pdu.announce) << 8, 32 + pdu.spki.length)
    .bytes(pdu.ski)
    .u32(pdu.asn, 'rtr.routerKey.asn')
    .bytes(pdu.spki)
    .finish();
}

/** Why `der` is not one DER SEQUENCE spanning all of it, or undefined if it is. */
export function derSequenceProblem(der: Uint8Array): string | undefined {
  if (der.length < 2) return `SPKI of ${der.length} bytes is too short for a DER SEQUENCE`;
  if (der[0] !== 0x30) return `SPKI starts with tag 0x${der[0]!.toString(16)}, not SEQUENCE (0x30)`;
  const first = der[1]!;
  let length = first;
  let headerLength = 2;
  if (first >= 0x80) {
    const n = first & 0x7f;
    if (n === 0) return 'SPKI uses the indefinite length form, which DER forbids';
    if (n > 3) return `SPKI length takes ${n} bytes; no PDU is that long`;
    if (der.length < 2 + n) return 'SPKI ends inside its length field';
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + der[2 + i]!;
    if (der[2] === 0 || length < 0x80) return 'SPKI length is not minimally encoded (DER)';
    headerLength = 2 + n;
  }
  if (headerLength + length !== der.length) {
    return `SPKI SEQUENCE declares ${headerLength + length} bytes but the PDU holds ${der.length}`;
  }
  return undefined;
}
