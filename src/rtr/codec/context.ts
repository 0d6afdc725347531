/**
 * What every PDU body decoder gets: the checked header (see ../pdu-header.ts),
 * the whole PDU's bytes (for the Error Report a failure must encapsulate,
 * RFC 8210 §5.11) and the PDU's absolute offset, so each error names the
 * exact byte: `start + <offset of the field in the PDU diagram>`.
 */
import type { ParseErrorKind } from '../../wire/parse-error.js';
import { type RtrErrorCode, RtrErrorCode as Code, RtrParseError } from '../pdu-error.js';
import type { PduHeader } from '../pdu-header.js';

export interface DecodeContext {
  readonly header: PduHeader;
  /** The whole PDU, header included. */
  readonly pdu: Uint8Array;
  /** Absolute stream offset of the PDU's first byte. */
  readonly start: number;
}

/** An error at `start + at`, Corrupt Data unless another code is given. */
export function pduError(
  ctx: DecodeContext,
  field: string,
  at: number,
  reason: string,
  errorCode: RtrErrorCode = Code.CorruptData,
  kind: ParseErrorKind = 'malformed',
): RtrParseError {
  return new RtrParseError({
    kind,
    field,
    offset: ctx.start + at,
    reason,
    errorCode,
    pduType: ctx.header.type,
    erroneousPdu: ctx.pdu,
  });
}

/** The announce/withdraw flag: lowest-order bit of Flags (8210bis §5.1); other bits reserved. */
export const announceOf = (flags: number): boolean => (flags & 1) === 1;
export const flagsOf = (announce: boolean): number => (announce ? 1 : 0);
