/**
 * Error Report (type 10): RFC 6810 §5.10, RFC 8210 §5.11,
 * draft-ietf-sidrops-8210bis-27 §5.8. Same layout in every version:
 *
 *   0  u8  Version | 1 u8 Type 10 | 2 u16 Error Code
 *   4  u32 Length = 16 + E + T
 *   8  u32 Length of Encapsulated PDU (E)
 *  12  E bytes   Erroneous PDU (a copy, possibly truncated; "Beware any
 *                attempts to parse an Erroneous PDU": kept as bytes)
 *  12+E  u32 Length of Arbitrary Text (T)
 *  16+E  T bytes Arbitrary Text, "a string in UTF-8 encoding (see [RFC3629])"
 *
 * Both inner lengths must fit exactly: E leaves room for the text length,
 * and T is exactly what is left. The error code must be one the PDU's
 * version defines (8210bis §12). Every failure here has pduType 10, so the
 * RtrParseError says replyAllowed = false: an erroneous Error Report ends the
 * session without a reply (8210bis §5.8, §12).
 *
 * Not enforced: "At a minimum, the first four octets MUST be included" when
 * a PDU is encapsulated. Refusing an otherwise readable report over it would
 * turn a non-fatal code (No Data Available) into a flushed session.
 */
import type { BinaryReader } from '../../wire/reader.js';
import type { ErrorReportPdu } from '../pdu.js';
import { errorCodeName, isErrorCodeInVersion } from '../pdu-error.js';
import { pduWriter } from '../pdu-writer.js';
import { type DecodeContext, pduError } from './context.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeErrorReport(r: BinaryReader, ctx: DecodeContext): ErrorReportPdu {
  const { version, session: errorCode, length } = ctx.header;
  if (!isErrorCodeInVersion(errorCode, version)) {
    throw pduError(ctx, 'rtr.errorReport.errorCode', 2, `${errorCodeName(errorCode)} is not defined in protocol version ${version}`);
  }
  const pduLength = r.u32('rtr.errorReport.pduLength');
  if (pduLength > length - 16) {
    throw pduError(
      ctx,
      'rtr.errorReport.pduLength',
      8,
      `encapsulated PDU of ${pduLength} bytes does not fit: ${length - 16} bytes left before the text length`,
    );
  }
  const erroneousPdu = r.bytes(pduLength, 'rtr.errorReport.pdu');
  const textLength = r.u32('rtr.errorReport.textLength');
  if (textLength !== r.remaining) {
    throw pduError(
      ctx,
      'rtr.errorReport.textLength',
      12 + pduLength,
      `text length ${textLength}, but ${r.remaining} bytes are left in the PDU`,
    );
  }
  const textBytes = r.bytes(textLength, 'rtr.errorReport.text');
  let text: string;
  try {
    text = UTF8.decode(textBytes);
  } catch {
    throw pduError(ctx, 'rtr.errorReport.text', 16 + pduLength, 'text is not valid UTF-8 (RFC 3629)');
  }
  return { type: 10, version, errorCode, erroneousPdu, text };
}

export function encodeErrorReport(pdu: ErrorReportPdu): Buffer {
  if (!isErrorCodeInVersion(pdu.errorCode, pdu.version)) {
    throw new RangeError(`rtr.errorReport.errorCode: ${pdu.errorCode} is not defined in protocol version ${pdu.version}`);
  }
  if (LONE_SURROGATE.test(pdu.text)) {
    throw new RangeError('rtr.errorReport.text: has a lone surrogate, which UTF-8 cannot encode');
  }
  const text = Buffer.from(pdu.text, 'utf8');
  const inner = pdu.erroneousPdu;
  return pduWriter(pdu.version, 10, pdu.errorCode, 16 + inner.length + text.length)
    .u32(inner.length, 'rtr.errorReport.pduLength')
    .bytes(inner)
    .u32(text.length, 'rtr.errorReport.textLength')
    .bytes(text)
    .finish();
}

/** In `u` mode a surrogate pair is one code point, so this matches only unpaired halves. */
const LONE_SURROGATE = /\p{Cs}/u;
