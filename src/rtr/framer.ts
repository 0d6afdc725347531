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
 *   stays failed and every later push() or end() throws the same error.
 */
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

export class RtrFramer {
  readonly maxPduLength: number;
  /** Absolute offset of the next byte push() will receive. */
  private nextOffset: number;
  /** The incomplete PDU: 8 bytes while its header is incomplete, then its full length. */
  private partial: Uint8Array | undefined;
  private partialStart = 0;
  private filled = 0;
  private failure: RtrParseError | undefined;

  constructor(options: RtrFramerOptions = {}) {
    const cap = options.maxPduLength ?? RTR_MAX_PDU_LENGTH;
    if (!Number.isInteger(cap) || cap < RTR_FRAMER_MIN_CAP || cap > RTR_FRAMER_MAX_CAP) {
      throw new RangeError(`maxPduLength: ${cap} is not an integer from ${RTR_FRAMER_MIN_CAP} to ${RTR_FRAMER_MAX_CAP}`);
    }
    const start = options.streamOffset ?? 0;
    if (!Number.isSafeInteger(start) || start < 0) {
      throw new RangeError(`streamOffset: ${start} is not a non-negative integer`);
    }
    this.maxPduLength = cap;
    this.nextOffset = start;
  }

  /** Bytes of an incomplete PDU held until more arrive. */
  get bufferedBytes(): number {
    return this.filled;
  }

  /** Bytes allocated for the incomplete PDU (its declared length once the header is in); <= maxPduLength. */
  get retainedBytes(): number {
    return this.partial?.length ?? 0;
  }

  /** Absolute offset of the next byte expected. */
  get streamOffset(): number {
    return this.nextOffset;
  }

  /** The error that stopped this framer, if any. */
  get error(): RtrParseError | undefined {
    return this.failure;
  }

  /** Takes the next chunk of the stream; returns the PDUs it completes, in order. */
  push(chunk: Uint8Array): RtrFrame[] {
    if (this.failure) throw this.failure;
    const frames: RtrFrame[] = [];
    const base = this.nextOffset;
    try {
      let pos = this.partial ? this.fillPartial(chunk, frames) : 0;
      while (pos < chunk.length) {
        const available = chunk.length - pos;
        const length = this.checkHeader(chunk.subarray(pos, pos + Math.min(available, RTR_HEADER_LENGTH)), base + pos);
        if (length < 0 || length > available) break;
        frames.push(frame(chunk.subarray(pos, pos + length), base + pos));
        pos += length;
      }
      if (pos < chunk.length) this.startPartial(chunk.subarray(pos), base + pos);
    } catch (e) {
      if (e instanceof RtrParseError) this.failure = e;
      throw e;
    }
    this.nextOffset = base + chunk.length;
    return frames;
  }

  /** Declares the end of the stream: throws if it stopped inside a PDU. */
  end(): void {
    if (this.failure) throw this.failure;
    if (!this.partial) return;
    const headerDone = this.filled >= RTR_HEADER_LENGTH;
    const expected = headerDone ? this.partial.length : RTR_HEADER_LENGTH;
    this.failure = new RtrParseError({
      kind: 'truncated',
      field: headerDone ? 'rtr.pdu' : 'rtr.header',
      offset: this.partialStart,
      reason: 'the stream ended inside this PDU',
      required: expected,
      remaining: this.filled,
      errorCode: RtrErrorCode.CorruptData,
      pduType: this.filled > 1 ? this.partial[1] : undefined,
      erroneousPdu: this.partial.slice(0, this.filled),
    });
    throw this.failure;
  }

  /**
   * Checks the first `head.length` (1 to 8) header bytes of the PDU at
   * `start`. Returns its length once all 8 are there, else -1.
   */
  private checkHeader(head: Uint8Array, start: number): number {
    // The checks throw; the header bytes are copied only then, not per PDU.
    if (!isRtrVersion(head[0]!)) checkVersion(head[0]!, start, head.length > 1 ? head[1] : undefined, head.slice());
    if (head.length < RTR_HEADER_LENGTH) return -1;
    const length = ((head[4]! << 24) | (head[5]! << 16) | (head[6]! << 8) | head[7]!) >>> 0;
    if (length < RTR_HEADER_LENGTH || length > this.maxPduLength) {
      checkLengthField(length, this.maxPduLength, start, head[1]!, head.slice());
    }
    return length;
  }

  private startPartial(rest: Uint8Array, start: number): void {
    // A full header here was already checked by push(); allocate its length.
    const length = rest.length >= RTR_HEADER_LENGTH ? this.checkHeader(rest.subarray(0, RTR_HEADER_LENGTH), start) : RTR_HEADER_LENGTH;
    this.partial = new Uint8Array(length);
    this.partial.set(rest);
    this.partialStart = start;
    this.filled = rest.length;
  }

  /** Feeds the incomplete PDU from the front of `chunk`; returns the bytes used. */
  private fillPartial(chunk: Uint8Array, frames: RtrFrame[]): number {
    let partial = this.partial!;
    let pos = 0;
    if (this.filled < RTR_HEADER_LENGTH) {
      pos = Math.min(RTR_HEADER_LENGTH - this.filled, chunk.length);
      partial.set(chunk.subarray(0, pos), this.filled);
      this.filled += pos;
      const length = this.checkHeader(partial.subarray(0, this.filled), this.partialStart);
      if (length < 0) return pos;
      if (length > RTR_HEADER_LENGTH) {
        partial = new Uint8Array(length);
        partial.set(this.partial!.subarray(0, RTR_HEADER_LENGTH));
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

function frame(bytes: Uint8Array, offset: number): RtrFrame {
  return { bytes, offset, version: bytes[0]!, type: bytes[1]! };
}
