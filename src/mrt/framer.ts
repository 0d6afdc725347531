/**
 * Cuts an MRT byte stream (decompressed file chunks as they arrive) into
 * whole records, using the common header (RFC 6396 §2) and, for the `_ET`
 * types, the extended-timestamp header (RFC 6396 §3):
 *
 *   offset 0  u32 Timestamp     seconds since the Unix epoch
 *   offset 4  u16 Type
 *   offset 6  u16 Subtype
 *   offset 8  u32 Length        octets after the 12-octet header; for the _ET
 *                               types (BGP4MP_ET 17, ISIS_ET 33, OSPFv3_ET 49)
 *                               it includes the Microsecond Timestamp:
 *  offset 12  u32 Microsecond Timestamp   (_ET types only)
 *
 * - Records are emitted whole, with their absolute stream offset. A record
 *   inside one chunk is a zero-copy view of it; one that spans chunks is
 *   assembled in a buffer allocated once at its declared length, after the
 *   length passed the cap. The framer never writes into memory it has handed
 *   out, so records stay valid after later pushes.
 * - Memory is bounded: the framer holds at most one incomplete record, i.e.
 *   at most `maxRecordLength` + 12 bytes, however the stream is cut. A length
 *   above the cap (default 16 MiB) is an {@link MrtError} before anything is
 *   allocated: real records are a few KiB (a RIB record with 200 peers is
 *   about 20 KiB), so a larger one is damage, not data.
 * - A stream that ends inside a record is an error at end(), naming the
 *   record's offset and type. MRT has no resynchronisation marker, so after
 *   an error the framer stays failed and every later push() or end() throws
 *   the same error; the records completed before damage are returned first.
 *
 * The framing itself is the shared LengthFramer (src/wire/length-framer.ts);
 * this file holds what is MRT's: the header checks, the _ET field, errors
 * naming the record.
 */
import { LengthFramer } from '../wire/length-framer.js';
import { MrtError } from './mrt-error.js';
import { hasExtendedTimestamp, mrtRecordName } from './mrt-types.js';

export const MRT_HEADER_LENGTH = 12;
/** Default cap on a record's Length field. */
export const MRT_MAX_RECORD_LENGTH = 16 * 1024 * 1024;

export interface MrtRecord {
  /** Offset of the common header in the (decompressed) stream. */
  readonly offset: number;
  /** Seconds since the Unix epoch (RFC 6396 §2). */
  readonly timestamp: number;
  /** The _ET microsecond field (RFC 6396 §3), 0 for the other types. */
  readonly microseconds: number;
  readonly type: number;
  readonly subtype: number;
  /** The message after the header (and after the microsecond field): a view, see the module comment. */
  readonly body: Uint8Array;
  /** Offset of body[0] in the stream, for error offsets. */
  readonly bodyOffset: number;
}

export interface MrtFramerOptions {
  /** Largest Length field accepted (1 KiB to 256 MiB); default 16 MiB. */
  readonly maxRecordLength?: number;
  /** Absolute offset of the first byte pushed; default 0. */
  readonly streamOffset?: number;
}

export class MrtFramer extends LengthFramer<MrtRecord, MrtError> {
  readonly maxRecordLength: number;

  constructor(options: MrtFramerOptions = {}) {
    const cap = options.maxRecordLength ?? MRT_MAX_RECORD_LENGTH;
    if (!Number.isInteger(cap) || cap < 1024 || cap > 256 * 1024 * 1024) {
      throw new RangeError(`maxRecordLength: ${cap} is not an integer from 1024 to ${256 * 1024 * 1024}`);
    }
    // The records before damage are whole: hand them out, and raise the
    // error at the next push() or end() (see `error`).
    super(MRT_HEADER_LENGTH, MRT_HEADER_LENGTH + cap, MrtError, { afterFrames: 'defer', streamOffset: options.streamOffset });
    this.maxRecordLength = cap;
  }

  /**
   * Takes the next chunk of the stream; returns the records it completes, in
   * order. At damage, the records before it are returned and `error` is set;
   * the error is thrown by the next push() or end() (at once if there were none).
   */
  push(chunk: Uint8Array): MrtRecord[] {
    return this.pushInto(chunk, []);
  }

  /**
   * Header + body length of the record at `bytes[pos]` once its 12 header
   * bytes are there, else -1: the Length field, checked against the cap and
   * the _ET minimum.
   */
  protected override checkHeader(bytes: Uint8Array, pos: number, available: number, offset: number): number {
    if (available < MRT_HEADER_LENGTH) return -1;
    const length = u32(bytes, pos + 8);
    if (length > this.maxRecordLength || (length < 4 && hasExtendedTimestamp(u16(bytes, pos + 4)))) {
      throw lengthError(bytes, pos, offset, this.maxRecordLength);
    }
    return MRT_HEADER_LENGTH + length;
  }

  protected override frame(bytes: Uint8Array, offset: number): MrtRecord {
    const type = u16(bytes, 4);
    const et = hasExtendedTimestamp(type);
    const head = et ? MRT_HEADER_LENGTH + 4 : MRT_HEADER_LENGTH;
    return {
      offset,
      timestamp: u32(bytes, 0),
      microseconds: et ? u32(bytes, MRT_HEADER_LENGTH) : 0,
      type,
      subtype: u16(bytes, 6),
      body: bytes.subarray(head),
      bodyOffset: offset + head,
    };
  }

  /** The error for a stream that ends inside a record (`p`, of which `filled` bytes arrived). */
  protected override truncated(p: Uint8Array, filled: number, offset: number): MrtError {
    return filled >= MRT_HEADER_LENGTH
      ? new MrtError(
          { kind: 'truncated', field: 'mrt.body', offset: offset + MRT_HEADER_LENGTH, required: p.length - MRT_HEADER_LENGTH, remaining: filled - MRT_HEADER_LENGTH },
          { offset, type: u16(p, 4), subtype: u16(p, 6) },
        )
      : new MrtError(
          { kind: 'truncated', field: 'mrt.header', offset, required: MRT_HEADER_LENGTH, remaining: filled },
          { offset, type: undefined, subtype: undefined },
        );
  }
}

/** The error for the bad Length field of the header at `bytes[pos]` (built out of line: checkHeader runs per record). */
function lengthError(bytes: Uint8Array, pos: number, offset: number, cap: number): MrtError {
  const type = u16(bytes, pos + 4);
  const subtype = u16(bytes, pos + 6);
  const length = u32(bytes, pos + 8);
  const reason =
    length > cap
      ? `length ${length} exceeds the ${cap}-byte cap`
      : `length ${length} leaves no room for the ${mrtRecordName(type, subtype)} microsecond timestamp`;
  return new MrtError({ kind: 'malformed', field: 'mrt.header.length', offset: offset + 8, reason }, { offset, type, subtype });
}

function u16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}
