/**
 * The common RTR PDU header (RFC 6810 §5.1, RFC 8210 §5.1,
 * draft-ietf-sidrops-8210bis-27 §5.1) and the checks made on it before a PDU
 * body is looked at:
 *
 *   offset 0  u8   Protocol Version   0, 1 or 2, else 4 Unsupported Protocol Version
 *   offset 1  u8   PDU Type           known and defined in that version, else 5 Unsupported PDU Type
 *   offset 2  u16  Session ID / Error Code / Flags + zero / zero
 *   offset 4  u32  Length             whole PDU; exact for fixed-size types, else 0 Corrupt Data
 *
 * Order matters: with an unknown version nothing else can be trusted (the
 * layout is that version's), so the version is checked first (8210bis §7);
 * then the type, then the length.
 */
import type { BinaryReader } from '../wire/reader.js';
import { RtrErrorCode, RtrParseError } from './pdu-error.js';
import { type PduTypeCode, type RtrVersion, isPduType, isRtrVersion, isTypeInVersion, pduTypeName } from './pdu.js';

export const RTR_HEADER_LENGTH = 8;

/**
 * "This length MUST NOT exceed 65,535 octets" (8210bis §5.1, new in version
 * 2). RFC 6810 and 8210 set no limit; we apply the same cap to every version,
 * in the framer and when encoding. It holds every legitimate PDU: an ASPA
 * with 16,380 providers, a Router Key with a 65,503-byte SPKI (a P-256 key is
 * 91), an Error Report whose encapsulated PDU is truncated to fit (§5.8).
 */
export const RTR_MAX_PDU_LENGTH = 65535;

export interface PduHeader {
  readonly version: RtrVersion;
  readonly type: PduTypeCode;
  /** The 16 bits at offset 2: session ID, error code, or flags and zero. */
  readonly session: number;
  readonly length: number;
}

/** The exact length of a fixed-size PDU, or undefined for variable ones. */
export function fixedPduLength(type: PduTypeCode, version: RtrVersion): number | undefined {
  switch (type) {
    case 0:
    case 1:
      return 12;
    case 2:
    case 3:
    case 8:
      return 8;
    case 4:
      return 20;
    case 6:
      return 32;
    case 7:
      return version === 0 ? 12 : 24;
    default:
      return undefined;
  }
}

/** Smallest length of a variable-size PDU: Router Key 32 + SPKI, Error Report 16, ASPA 12. */
export function minPduLength(type: 9 | 10 | 11): number {
  return type === 9 ? 32 : type === 10 ? 16 : 12;
}

/** Raises the Unsupported Protocol Version error for `version` at `offset`. */
export function checkVersion(version: number, offset: number, type: number | undefined, pdu: Uint8Array): RtrVersion {
  if (isRtrVersion(version)) return version;
  throw new RtrParseError({
    kind: 'unsupported',
    field: 'rtr.header.version',
    offset,
    reason: `protocol version ${version} (we speak 0, 1 and 2)`,
    errorCode: RtrErrorCode.UnsupportedProtocolVersion,
    pduType: type,
    erroneousPdu: pdu,
  });
}

/**
 * Checks a length field against the 8-byte minimum and a cap; `offset` is the
 * PDU's start. Used by the framer before it buffers anything.
 */
export function checkLengthField(length: number, cap: number, offset: number, type: number, pdu: Uint8Array): void {
  if (length < RTR_HEADER_LENGTH || length > cap) {
    throw new RtrParseError({
      kind: 'malformed',
      field: 'rtr.header.length',
      offset: offset + 4,
      reason: length < RTR_HEADER_LENGTH ? `length ${length} is shorter than the 8-byte header` : `length ${length} exceeds the ${cap}-byte cap`,
      errorCode: RtrErrorCode.CorruptData,
      pduType: type,
      erroneousPdu: pdu,
    });
  }
}

/**
 * Reads and checks the header of `pdu`, a whole PDU whose first byte the
 * reader is on. The length field must equal `pdu.length`.
 */
export function readHeader(r: BinaryReader, pdu: Uint8Array): PduHeader {
  const start = r.offset;
  // The type byte, if present, tells checkVersion whether a reply is allowed.
  const version = checkVersion(r.u8('rtr.header.version'), start, pdu.length > 1 ? pdu[1] : undefined, pdu);
  const type = r.u8('rtr.header.type');
  if (!isPduType(type) || !isTypeInVersion(type, version)) {
    throw new RtrParseError({
      kind: 'unsupported',
      field: 'rtr.header.type',
      offset: start + 1,
      reason: isPduType(type) ? `${pduTypeName(type)} does not exist in protocol version ${version}` : `PDU type ${type}`,
      errorCode: RtrErrorCode.UnsupportedPduType,
      pduType: type,
      erroneousPdu: pdu,
    });
  }
  const session = r.u16('rtr.header.session');
  const length = r.u32('rtr.header.length');
  const lengthError = (reason: string): RtrParseError =>
    new RtrParseError({
      kind: 'malformed',
      field: 'rtr.header.length',
      offset: start + 4,
      reason,
      errorCode: RtrErrorCode.CorruptData,
      pduType: type,
      erroneousPdu: pdu,
    });
  if (length !== pdu.length) {
    throw lengthError(`length field ${length} but the PDU has ${pdu.length} bytes`);
  }
  if (version === 2 && length > RTR_MAX_PDU_LENGTH) {
    throw lengthError(`length ${length} exceeds 65,535 (8210bis §5.1)`);
  }
  const fixed = fixedPduLength(type, version);
  if (fixed !== undefined && length !== fixed) {
    throw lengthError(`${pduTypeName(type)} v${version} is ${fixed} bytes, length field says ${length}`);
  }
  if (fixed === undefined && length < minPduLength(type as 9 | 10 | 11)) {
    throw lengthError(`${pduTypeName(type)} needs at least ${minPduLength(type as 9 | 10 | 11)} bytes, length field says ${length}`);
  }
  return { version, type, session, length };
}
