/**
 * Whole-PDU decoding and encoding for RTR versions 0-2 (RFC 6810 §5,
 * RFC 8210 §5, draft-ietf-sidrops-8210bis-27 §5), dispatching on the type
 * byte of the common header (pdu-header.ts) to one codec per PDU under
 * ./codec/.
 *
 * decodePdu takes exactly one PDU (as the framer delivers it) and returns a
 * {@link Pdu} or throws an {@link RtrParseError}; it never throws anything
 * else for any input. encodePdu refuses (RangeError) any PDU that decodePdu
 * would refuse, so `decodePdu(encodePdu(p))` gives `p` back.
 *
 * The codec is stateless: it does not know the negotiated version or the
 * session ID. Code 8 (Unexpected Protocol Version), session ID mismatches,
 * duplicate announcements and unknown withdrawals are the session's checks.
 */
import { ParseError } from '../wire/parse-error.js';
import { BinaryReader } from '../wire/reader.js';
import { decodeAspa, encodeAspa } from './codec/aspa.js';
import type { DecodeContext } from './codec/context.js';
import { decodeEndOfData, encodeEndOfData } from './codec/end-of-data.js';
import { decodeErrorReport, encodeErrorReport } from './codec/error-report.js';
import { decodeHeaderOnly, encodeHeaderOnly } from './codec/header-only.js';
import { decodePrefix, encodePrefix } from './codec/prefix.js';
import { decodeRouterKey, encodeRouterKey } from './codec/router-key.js';
import { decodeSerial, encodeSerial } from './codec/serial.js';
import { type ErrorReportPdu, type Pdu, type RtrVersion, isRtrVersion, isTypeInVersion, pduTypeName } from './pdu.js';
import { RtrErrorCode, RtrParseError, isErrorCodeInVersion } from './pdu-error.js';
import { RTR_MAX_PDU_LENGTH, readHeader } from './pdu-header.js';

/**
 * Decodes one whole PDU. `streamOffset` is the absolute offset of `pdu[0]`
 * in the stream (the framer's `RtrFrame.offset`), used in error offsets.
 */
export function decodePdu(pdu: Uint8Array, streamOffset = 0): Pdu {
  const r = BinaryReader.of(pdu, streamOffset);
  try {
    const header = readHeader(r, pdu);
    const ctx: DecodeContext = { header, pdu, start: streamOffset };
    const result = decodeBody(r, ctx);
    r.expectEnd(`rtr.pdu`);
    return result;
  } catch (e) {
    if (e instanceof RtrParseError) throw e;
    if (e instanceof ParseError) throw RtrParseError.fromParseError(e, pdu.length > 1 ? pdu[1] : undefined, pdu);
    throw e;
  }
}

function decodeBody(r: BinaryReader, ctx: DecodeContext): Pdu {
  switch (ctx.header.type) {
    case 0:
    case 1:
      return decodeSerial(r, ctx);
    case 2:
    case 3:
    case 8:
      return decodeHeaderOnly(ctx);
    case 4:
    case 6:
      return decodePrefix(r, ctx);
    case 7:
      return decodeEndOfData(r, ctx);
    case 9:
      return decodeRouterKey(r, ctx);
    case 10:
      return decodeErrorReport(r, ctx);
    case 11:
      return decodeAspa(r, ctx);
  }
}

/** Encodes one PDU; RangeError if a field is out of range or the type does not exist in its version. */
export function encodePdu(pdu: Pdu): Buffer {
  const version: number = pdu.version;
  if (!isRtrVersion(version)) throw new RangeError(`rtr.header.version: ${version} is not 0, 1 or 2`);
  if (!isTypeInVersion(pdu.type, version)) {
    throw new RangeError(`rtr.header.type: ${pduTypeName(pdu.type)} does not exist in protocol version ${version}`);
  }
  switch (pdu.type) {
    case 0:
    case 1:
      return encodeSerial(pdu);
    case 2:
    case 3:
    case 8:
      return encodeHeaderOnly(pdu);
    case 4:
    case 6:
      return encodePrefix(pdu);
    case 7:
      return encodeEndOfData(pdu);
    case 9:
      return encodeRouterKey(pdu);
    case 10:
      return encodeErrorReport(pdu);
    case 11:
      return encodeAspa(pdu);
  }
}

/** Text bytes errorReportFor keeps from the error message. */
export const ERROR_REPORT_TEXT_BYTES = 512;

/**
 * The Error Report to send for a decoding error, or undefined when none may
 * be sent (the offending PDU was itself an Error Report, 8210bis §5.8).
 *
 * `version` is the version to send it in: the session's, or during
 * negotiation our highest (8210bis §7). A code the version does not define
 * becomes Corrupt Data (8210bis §12). The text is the error message cut to
 * ERROR_REPORT_TEXT_BYTES of UTF-8; the erroneous PDU is cut so the report
 * fits in 65,535 bytes ("If the entire erroneous PDU will not fit [...] it
 * MUST be truncated", §5.8).
 */
export function errorReportFor(error: RtrParseError, version: RtrVersion): ErrorReportPdu | undefined {
  if (!error.replyAllowed) return undefined;
  const errorCode = isErrorCodeInVersion(error.errorCode, version) ? error.errorCode : RtrErrorCode.CorruptData;
  const text = truncateUtf8(error.message.replace(/\p{Cs}/gu, '\uFFFD'), ERROR_REPORT_TEXT_BYTES);
  const room = RTR_MAX_PDU_LENGTH - 16 - Buffer.byteLength(text, 'utf8');
  const erroneousPdu = error.erroneousPdu.subarray(0, room);
  return { type: 10, version, errorCode, erroneousPdu, text };
}

/** The longest prefix of `text` whose UTF-8 form fits in `maxBytes`, cut between code points. */
function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > maxBytes) break;
    bytes += n;
    end += ch.length;
  }
  return text.slice(0, end);
}
