/**
 * Cuts a BMP byte stream (TCP chunks as they arrive) into whole messages,
 * using the common header of RFC 7854 §4.1 (kept by draft-ietf-grow-bmp-tlv
 * for version 4):
 *
 *   offset 0  u8   Version         3 or 4, checked as soon as the byte arrives
 *   offset 1  u32  Message Length  "total length of the message in bytes
 *                                  (including headers, data, and encapsulated
 *                                  messages, if any)": 6 <= length <= cap,
 *                                  checked before a byte of the body is held
 *   offset 5  u8   Message Type    not checked here (unknown types are framed
 *                                  and skipped by the decoder, counted)
 *
 * Versions 1 and 2 (the pre-RFC drafts) had no length field, so a stream in
 * them cannot be framed at all: `unsupported`, like any other version.
 *
 * - Frames are emitted whole, with their absolute stream offset. A message
 *   inside one chunk is a zero-copy view of that chunk; one that spans
 *   chunks is assembled in a buffer allocated once at its declared length,
 *   after the length passed the cap. Handed-out memory is never written
 *   again, so frames stay valid after later pushes.
 * - Memory is bounded: the framer holds at most one incomplete message, so
 *   it retains at most `maxMessageBytes` however the stream is cut. A 4 GB
 *   length is a ParseError before any allocation.
 * - It never stalls silently: a bad version or length is an error at the
 *   push that delivers it, and a stream ending inside a message is an error
 *   at end(). BMP has no resynchronisation marker, so after an error the
 *   framer stays failed (every later push()/end() throws the same error):
 *   the station closes that router's session.
 *
 * The framing itself is the shared LengthFramer (src/wire/length-framer.ts);
 * this file holds what is BMP's: the common header checks.
 */
import { LengthFramer } from '../wire/length-framer.js';
import { ParseError } from '../wire/parse-error.js';
import { BMP_COMMON_HEADER_LENGTH, BMP_VERSION_3, BMP_VERSION_4 } from './constants.js';

export interface BmpFrame {
  /** The whole message, common header included; see the module comment for ownership. */
  readonly bytes: Uint8Array;
  /** Absolute stream offset of bytes[0]. */
  readonly offset: number;
  /** 3 or 4 (checked). */
  readonly version: number;
  /** The message type byte, unchecked. */
  readonly type: number;
}

export interface BmpFramerOptions {
  /** Largest message accepted, in bytes; default 1 MiB. */
  readonly maxMessageBytes?: number;
  /** Absolute stream offset of the first byte pushed; default 0. */
  readonly streamOffset?: number;
}

export const BMP_DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
/** Bounds for maxMessageBytes: room for a Peer Up with two 4,096-byte OPENs, never gigabytes. */
export const BMP_FRAMER_MIN_CAP = 8192 + 128;
export const BMP_FRAMER_MAX_CAP = 64 * 1024 * 1024;

export class BmpFramer extends LengthFramer<BmpFrame, ParseError> {
  readonly maxMessageBytes: number;

  constructor(options: BmpFramerOptions = {}) {
    const cap = options.maxMessageBytes ?? BMP_DEFAULT_MAX_MESSAGE_BYTES;
    if (!Number.isInteger(cap) || cap < BMP_FRAMER_MIN_CAP || cap > BMP_FRAMER_MAX_CAP) {
      throw new RangeError(`maxMessageBytes: ${cap} is not an integer from ${BMP_FRAMER_MIN_CAP} to ${BMP_FRAMER_MAX_CAP}`);
    }
    super(BMP_COMMON_HEADER_LENGTH, cap, ParseError, { streamOffset: options.streamOffset });
    this.maxMessageBytes = cap;
  }

  /**
   * Takes the next chunk of the stream; returns the messages it completes,
   * in order, appended to `frames` when given. On an error the messages
   * completed before it are already in `frames` (the caller can deliver
   * them before closing the session).
   */
  push(chunk: Uint8Array, frames: BmpFrame[] = []): BmpFrame[] {
    return this.pushInto(chunk, frames);
  }

  /**
   * Checks the first `available` (1 to 6) header bytes of the message at
   * `bytes[pos]` (stream offset `start`). Returns its length once all 6 are
   * there, else -1.
   */
  protected override checkHeader(bytes: Uint8Array, pos: number, available: number, start: number): number {
    const version = bytes[pos]!;
    if (version !== BMP_VERSION_3 && version !== BMP_VERSION_4) throw versionError(version, start);
    if (available < BMP_COMMON_HEADER_LENGTH) return -1;
    const length = ((bytes[pos + 1]! << 24) | (bytes[pos + 2]! << 16) | (bytes[pos + 3]! << 8) | bytes[pos + 4]!) >>> 0;
    if (length < BMP_COMMON_HEADER_LENGTH || length > this.maxMessageBytes) throw lengthError(length, this.maxMessageBytes, start);
    return length;
  }

  protected override frame(bytes: Uint8Array, offset: number): BmpFrame {
    return { bytes, offset, version: bytes[0]!, type: bytes[5]! };
  }

  protected override truncated(held: Uint8Array, filled: number, offset: number): ParseError {
    const headerDone = filled >= BMP_COMMON_HEADER_LENGTH;
    return new ParseError({
      kind: 'truncated',
      field: headerDone ? 'bmp.message' : 'bmp.header',
      offset,
      reason: 'the stream ended inside this message',
      required: headerDone ? held.length : BMP_COMMON_HEADER_LENGTH,
      remaining: filled,
    });
  }
}

// The errors are built out of line: checkHeader runs once per message and stays small.

function versionError(version: number, start: number): ParseError {
  return new ParseError({
    kind: 'unsupported',
    field: 'bmp.header.version',
    offset: start,
    reason: `version ${version} (only 3 and 4 are read; earlier versions cannot be framed)`,
  });
}

function lengthError(length: number, cap: number, start: number): ParseError {
  return new ParseError({
    kind: 'malformed',
    field: 'bmp.header.length',
    offset: start + 1,
    reason: `length ${length} outside ${BMP_COMMON_HEADER_LENGTH}..${cap}`,
  });
}
