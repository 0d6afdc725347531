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
 */
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

export class BmpFramer {
  readonly maxMessageBytes: number;
  private nextOffset: number;
  /** The incomplete message: 6 bytes while its header is incomplete, then its full length. */
  private partial: Uint8Array | undefined;
  private partialStart = 0;
  private filled = 0;
  private failure: ParseError | undefined;

  constructor(options: BmpFramerOptions = {}) {
    const cap = options.maxMessageBytes ?? BMP_DEFAULT_MAX_MESSAGE_BYTES;
    if (!Number.isInteger(cap) || cap < BMP_FRAMER_MIN_CAP || cap > BMP_FRAMER_MAX_CAP) {
      throw new RangeError(`maxMessageBytes: ${cap} is not an integer from ${BMP_FRAMER_MIN_CAP} to ${BMP_FRAMER_MAX_CAP}`);
    }
    const start = options.streamOffset ?? 0;
    if (!Number.isSafeInteger(start) || start < 0) throw new RangeError(`streamOffset: ${start} is not a non-negative integer`);
    this.maxMessageBytes = cap;
    this.nextOffset = start;
  }

  /** Bytes of an incomplete message held until more arrive. */
  get bufferedBytes(): number {
    return this.filled;
  }

  /** Bytes allocated for the incomplete message (<= maxMessageBytes). */
  get retainedBytes(): number {
    return this.partial?.length ?? 0;
  }

  /** Absolute offset of the next byte expected. */
  get streamOffset(): number {
    return this.nextOffset;
  }

  /** The error that stopped this framer, if any. */
  get error(): ParseError | undefined {
    return this.failure;
  }

  /**
   * Takes the next chunk of the stream; returns the messages it completes,
   * in order, appended to `frames` when given. On an error the messages
   * completed before it are already in `frames` (the caller can deliver
   * them before closing the session).
   */
  push(chunk: Uint8Array, frames: BmpFrame[] = []): BmpFrame[] {
    if (this.failure) throw this.failure;
    const base = this.nextOffset;
    try {
      let pos = this.partial ? this.fillPartial(chunk, frames) : 0;
      while (pos < chunk.length) {
        const available = chunk.length - pos;
        const length = this.checkHeader(chunk, pos, Math.min(available, BMP_COMMON_HEADER_LENGTH), base + pos);
        if (length < 0 || length > available) break;
        frames.push(frame(chunk.subarray(pos, pos + length), base + pos));
        pos += length;
      }
      if (pos < chunk.length) this.startPartial(chunk.subarray(pos), base + pos);
    } catch (e) {
      if (e instanceof ParseError) this.failure = e;
      throw e;
    }
    this.nextOffset = base + chunk.length;
    return frames;
  }

  /** Declares the end of the stream: throws if it stopped inside a message. */
  end(): void {
    if (this.failure) throw this.failure;
    if (!this.partial) return;
    const headerDone = this.filled >= BMP_COMMON_HEADER_LENGTH;
    this.failure = new ParseError({
      kind: 'truncated',
      field: headerDone ? 'bmp.message' : 'bmp.header',
      offset: this.partialStart,
      reason: 'the stream ended inside this message',
      required: headerDone ? this.partial.length : BMP_COMMON_HEADER_LENGTH,
      remaining: this.filled,
    });
    throw this.failure;
  }

  /**
   * Checks the first `n` (1 to 6) header bytes of the message at `buf[at]`
   * (stream offset `start`). Returns its length once all 6 are there, else -1.
   */
  private checkHeader(buf: Uint8Array, at: number, n: number, start: number): number {
    const version = buf[at]!;
    if (version !== BMP_VERSION_3 && version !== BMP_VERSION_4) {
      throw new ParseError({
        kind: 'unsupported',
        field: 'bmp.header.version',
        offset: start,
        reason: `version ${version} (only 3 and 4 are read; earlier versions cannot be framed)`,
      });
    }
    if (n < BMP_COMMON_HEADER_LENGTH) return -1;
    const length = ((buf[at + 1]! << 24) | (buf[at + 2]! << 16) | (buf[at + 3]! << 8) | buf[at + 4]!) >>> 0;
    if (length < BMP_COMMON_HEADER_LENGTH || length > this.maxMessageBytes) {
      throw new ParseError({
        kind: 'malformed',
        field: 'bmp.header.length',
        offset: start + 1,
        reason: `length ${length} outside ${BMP_COMMON_HEADER_LENGTH}..${this.maxMessageBytes}`,
      });
    }
    return length;
  }

  private startPartial(rest: Uint8Array, start: number): void {
    const length =
      rest.length >= BMP_COMMON_HEADER_LENGTH ? this.checkHeader(rest, 0, BMP_COMMON_HEADER_LENGTH, start) : BMP_COMMON_HEADER_LENGTH;
    this.partial = new Uint8Array(length);
    this.partial.set(rest);
    this.partialStart = start;
    this.filled = rest.length;
  }

  /** Feeds the incomplete message from the front of `chunk`; returns the bytes used. */
  private fillPartial(chunk: Uint8Array, frames: BmpFrame[]): number {
    let partial = this.partial!;
    let pos = 0;
    if (this.filled < BMP_COMMON_HEADER_LENGTH) {
      pos = Math.min(BMP_COMMON_HEADER_LENGTH - this.filled, chunk.length);
      partial.set(chunk.subarray(0, pos), this.filled);
      this.filled += pos;
      const length = this.checkHeader(partial, 0, this.filled, this.partialStart);
      if (length < 0) return pos;
      if (length > BMP_COMMON_HEADER_LENGTH) {
        partial = new Uint8Array(length);
        partial.set(this.partial!.subarray(0, BMP_COMMON_HEADER_LENGTH));
        this.partial = partial;
      }
    }
    const take = Math.min(partial.length - this.filled, chunk.length - pos);
    partial.set(chunk.subarray(pos, pos + take), this.filled);
    this.filled += take;
    pos += take;
    if (this.filled === partial.length) {
      frames.push(frame(partial, this.partialStart));
      this.partial = undefined;
      this.filled = 0;
    }
    return pos;
  }
}

function frame(bytes: Uint8Array, offset: number): BmpFrame {
  return { bytes, offset, version: bytes[0]!, type: bytes[5]! };
}
