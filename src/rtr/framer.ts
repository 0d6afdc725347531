/**
 * Cuts an RTR byte stream (TCP chunks as they arrive) into whole PDUs, using
 * the Length field of the common 8-byte header (RFC 8210 §5.1,
 * draft-ietf-sidrops-8210bis-27 §5.1: "the count of the octets in the entire
 * PDU, including the 8 octets of header"):
 *
 *   offset 0  u8  Version   checked as soon as it arrives (0-2, else code 4)
 *   offset 1  u8  Type      not checked here: the decoder does, with the whole PDU to encapsulate
 *   offset 4  u32 Length    8 <= Length <= cap, checked before a byte of the body is buffered
 *
 * - Frames are emitted whole, with their absolute stream offset. A PDU that
 *   lies within one chunk is a zero-copy view of that chunk; one that spans
 *   chunks is assembled in a buffer allocated once, at its declared length,
 *   after the length passed the cap. The framer never writes into memory it
 *   has handed out, so frames stay valid after later pushes.
 * - Memory is bounded: the framer holds at most one incomplete PDU, so it
 *   retains at most `maxPduLength` bytes (default 65,535, the 8210bis §5.1
 *   maximum, see RTR_MAX_PDU_LENGTH) however the stream is cut. A length of
 *   4 GB is an RtrParseError before any allocation.
 * - It never stalls silently: a bad version byte or length is an error at
 *   the push that delivers it, and a stream that ends mid-PDU is an error at
 *   end(). RTR has no resynchronisation marker, so after an error the framer
 *   stays failed and every later push() or end() throws the same error;
 *   the PDUs completed in that push() before the error are not returned.
 *
 * The framing itself is the shared LengthFramer (src/wire/length-framer.ts);
 * this file holds what is RTR's: the header checks and their error codes.
 */
import { LengthFramer } from '../wire/length-framer.js';
import { isRtrVersion } from './pdu.js';
import { RtrErrorCode, RtrParseError } from './pdu-error.js';
import { RTR_HEADER_LENGTH, RTR_MAX_PDU_LENGTH, checkLengthField, checkVersion } from './pdu-header.js';

export interface RtrFrame {
  /** The whole PDU, header included; see the module comment for ownership. */
  readonly bytes: Uint8Array;
  /** Absolute stream offset of bytes[0]. */
  readonly offset: number;
  /** The version byte (0, 1 or 2: the framer checked it). */
  readonly version: number;
  /** The type byte, unchecked (decodePdu checks it). */
  readonly type: number;
}

export interface RtrFramerOptions {
  /** Largest PDU accepted, in bytes (32 to 16 MiB); default 65,535. */
  readonly maxPduLength?: number;
  /** Absolute stream offset of the first byte pushed; default 0. */
  readonly streamOffset?: number;
}

/** Bounds for maxPduLength: room for the largest fixed PDU (IPv6 Prefix, 32), and never gigabytes. */
export const RTR_FRAMER_MIN_CAP = 32;
export const RTR_FRAMER_MAX_CAP = 16 * 1024 * 1024;

export class RtrFramer extends LengthFramer<RtrFrame, RtrParseError> {
  readonly maxPduLength: number;

  constructor(options: RtrFramerOptions = {}) {
    const cap = options.maxPduLength ?? RTR_MAX_PDU_LENGTH;
    if (!Number.isInteger(cap) || cap < RTR_FRAMER_MIN_CAP || cap > RTR_FRAMER_MAX_CAP) {
      throw new RangeError(`maxPduLength: ${cap} is not an integer from ${RTR_FRAMER_MIN_CAP} to ${RTR_FRAMER_MAX_CAP}`);
    }
    super(RTR_HEADER_LENGTH, cap, RtrParseError, { streamOffset: options.streamOffset });
    this.maxPduLength = cap;
  }

  /** Takes the next chunk of the stream; returns the PDUs it completes, in order. */
  push(chunk: Uint8Array): RtrFrame[] {
    return this.pushInto(chunk, []);
  }

  /**
   * Checks the first `available` (1 to 8) header bytes of the PDU at
   * `bytes[pos]` (stream offset `start`). Returns its length once all 8 are
   * there, else -1.
   */
  protected override checkHeader(bytes: Uint8Array, pos: number, available: number, start: number): number {
    // The checks throw; the header bytes are copied only then, not per PDU.
    const version = bytes[pos]!;
    if (!isRtrVersion(version)) checkVersion(version, start, available > 1 ? bytes[pos + 1] : undefined, bytes.slice(pos, pos + available));
    if (available < RTR_HEADER_LENGTH) return -1;
    const length = ((bytes[pos + 4]! << 24) | (bytes[pos + 5]! << 16) | (bytes[pos + 6]! << 8) | bytes[pos + 7]!) >>> 0;
    if (length < RTR_HEADER_LENGTH || length > this.maxPduLength) {
      checkLengthField(length, this.maxPduLength, start, bytes[pos + 1]!, bytes.slice(pos, pos + RTR_HEADER_LENGTH));
    }
    return length;
  }

  protected override frame(bytes: Uint8Array, offset: number): RtrFrame {
    return { bytes, offset, version: bytes[0]!, type: bytes[1]! };
  }

  protected override truncated(held: Uint8Array, filled: number, offset: number): RtrParseError {
    const headerDone = filled >= RTR_HEADER_LENGTH;
    return new RtrParseError({
      kind: 'truncated',
      field: headerDone ? 'rtr.pdu' : 'rtr.header',
      offset,
      reason: 'the stream ended inside this PDU',
      required: headerDone ? held.length : RTR_HEADER_LENGTH,
      remaining: filled,
      errorCode: RtrErrorCode.CorruptData,
      pduType: filled > 1 ? held[1] : undefined,
      erroneousPdu: held.slice(0, filled),
    });
  }
}
