/**
 * RTR error codes (RFC 6810 §10, RFC 8210 §12, draft-ietf-sidrops-8210bis-27
 * §12) and the parse error that carries the one the router must send back.
 *
 * Every decoding failure is an {@link RtrParseError}: a {@link ParseError}
 * (kind, field, absolute offset) plus `errorCode`, the code to put in the
 * Error Report PDU (8210bis §5.8), `pduType` (the type byte, if it was
 * read), `erroneousPdu` (the bytes to encapsulate) and `replyAllowed`, false
 * when the offending PDU is itself an Error Report: "An Error Report PDU
 * MUST NOT be sent as a response to an Error Report PDU" (8210bis §5.8, §7).
 */
import { ParseError, type ParseErrorDetails } from '../wire/parse-error.js';
import type { RtrVersion } from './pdu.js';

/** IANA "rpki-rtr-error" registry as 8210bis §14 leaves it. */
export const RtrErrorCode = {
  CorruptData: 0,
  InternalError: 1,
  NoDataAvailable: 2,
  InvalidRequest: 3,
  UnsupportedProtocolVersion: 4,
  UnsupportedPduType: 5,
  WithdrawalOfUnknownRecord: 6,
  DuplicateAnnouncementReceived: 7,
  UnexpectedProtocolVersion: 8,
  AspaProviderListError: 9,
  TransportFailure: 10,
  OrderingError: 11,
  CacheRestart: 12,
  CacheShutdown: 13,
} as const;

export type RtrErrorCode = (typeof RtrErrorCode)[keyof typeof RtrErrorCode];

const CODE_NAMES: readonly string[] = [
  'Corrupt Data',
  'Internal Error',
  'No Data Available',
  'Invalid Request',
  'Unsupported Protocol Version',
  'Unsupported PDU Type',
  'Withdrawal of Unknown Record',
  'Duplicate Announcement Received',
  'Unexpected Protocol Version',
  'ASPA Provider List Error',
  'Transport Failure',
  'Ordering Error',
  'Cache Restart',
  'Cache Shutdown',
];

/** `Corrupt Data`, or `unknown error code 99`, for logs. */
export function errorCodeName(code: number): string {
  return CODE_NAMES[code] ?? `unknown error code ${code}`;
}

/**
 * Highest code each version defines: RFC 6810 §10 stops at 7, RFC 8210 §12
 * adds 8, 8210bis §12 adds 9-13. "Implementations MUST send errors only with
 * error codes that were defined by the specification that corresponds to
 * the version of the relevant session" (8210bis §12).
 */
const MAX_CODE: Readonly<Record<RtrVersion, number>> = { 0: 7, 1: 8, 2: 13 };

export function isErrorCodeInVersion(code: number, version: RtrVersion): code is RtrErrorCode {
  return Number.isInteger(code) && code >= 0 && code <= MAX_CODE[version];
}

/**
 * Fatal codes end the session and flush the cache's data (8210bis §12);
 * 2 No Data Available, 4 Unsupported Protocol Version and 12 Cache Restart
 * do not.
 */
export function isFatalErrorCode(code: RtrErrorCode): boolean {
  return code !== 2 && code !== 4 && code !== 12;
}

export interface RtrParseErrorDetails extends ParseErrorDetails {
  readonly errorCode: RtrErrorCode;
  /** The PDU type byte, when it was read. */
  readonly pduType?: number | undefined;
  /** The offending bytes (a whole PDU, or the header bytes the framer saw). */
  readonly erroneousPdu?: Uint8Array | undefined;
}

export class RtrParseError extends ParseError {
  readonly errorCode: RtrErrorCode;
  readonly pduType: number | undefined;
  readonly erroneousPdu: Uint8Array;
  /** The free-text reason, without kind, field and offset. */
  readonly reason: string | undefined;
  /** False when the offending PDU is an Error Report: drop the session silently. */
  readonly replyAllowed: boolean;

  constructor(details: RtrParseErrorDetails) {
    super(details);
    this.name = 'RtrParseError';
    this.errorCode = details.errorCode;
    this.pduType = details.pduType;
    this.erroneousPdu = details.erroneousPdu ?? new Uint8Array(0);
    this.reason = details.reason;
    this.replyAllowed = details.pduType !== 10;
    this.message += ` [RTR error ${details.errorCode}: ${errorCodeName(details.errorCode)}]`;
  }

  /** Wraps a reader error (a declared length that does not add up) as Corrupt Data. */
  static fromParseError(e: ParseError, pduType: number | undefined, erroneousPdu: Uint8Array | undefined): RtrParseError {
    return new RtrParseError({
      kind: e.kind,
      field: e.field,
      offset: e.offset,
      reason: reasonOf(e),
      required: e.required,
      remaining: e.remaining,
      errorCode: RtrErrorCode.CorruptData,
      pduType,
      erroneousPdu,
    });
  }
}

/** The free-text reason of a ParseError, recovered from its message. */
function reasonOf(e: ParseError): string | undefined {
  const head = `${e.kind}: ${e.field} at offset ${e.offset}`;
  let rest = e.message.startsWith(head) ? e.message.slice(head.length) : '';
  rest = rest.replace(/^ \(needs \d+ bytes, \d+ left\)/, '');
  return rest.startsWith(': ') ? rest.slice(2) : undefined;
}
