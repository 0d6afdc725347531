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
 *   the same error.
 */
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

export class MrtFramer {
  readonly maxRecordLength: number;
  private nextOffset: number;
  /** The incomplete record: 12 bytes while its header is incomplete, then header + body. */
  private partial: Uint8Array | undefined;
  private partialStart = 0;
  private filled = 0;
  private failure: MrtError | undefined;

  constructor(options: MrtFramerOptions = {}) {
    const cap = options.maxRecordLength ?? MRT_MAX_RECORD_LENGTH;
    if (!Number.isInteger(cap) || cap < 1024 || cap > 256 * 1024 * 1024) {
      throw new RangeError(`maxRecordLength: ${cap} is not an integer from 1024 to ${256 * 1024 * 1024}`);
    }
    const start = options.streamOffset ?? 0;
    if (!Number.isSafeInteger(start) || start < 0) throw new RangeError(`streamOffset: ${start} is not a non-negative integer`);
    this.maxRecordLength = cap;
    this.nextOffset = start;
  }

  /** Bytes of an incomplete record held until more arrive. */
  get bufferedBytes(): number {
    return this.filled;
  }

  /** Bytes allocated for the incomplete record; at most maxRecordLength + 12. */
  get retainedBytes(): number {
    return this.partial?.length ?? 0;
  }

  /** Absolute offset of the next byte expected. */
  get streamOffset(): number {
    return this.nextOffset;
  }

  get error(): MrtError | undefined {
    return this.failure;
  }

  /**
   * Takes the next chunk of the stream; returns the records it completes, in
   * order. At damage, the records before it are returned and `error` is set;
   * the error is thrown by the next push() or end() (at once if there were none).
   */
  push(chunk: Uint8Array): MrtRecord[] {
    if (this.failure) throw this.failure;
    const records: MrtRecord[] = [];
    const base = this.nextOffset;
    try {
      let pos = this.partial ? this.fillPartial(chunk, records) : 0;
      while (pos < chunk.length) {
        const available = chunk.length - pos;
        if (available < MRT_HEADER_LENGTH) break;
        const total = MRT_HEADER_LENGTH + this.checkedLength(chunk, pos, base + pos);
        if (total > available) break;
        records.push(record(chunk.subarray(pos, pos + total), base + pos));
        pos += total;
      }
      if (pos < chunk.length) this.startPartial(chunk.subarray(pos), base + pos);
    } catch (e) {
      if (!(e instanceof MrtError)) throw e;
      // The records before the damage are whole: hand them out, and raise
      // the error at the next push() or end() (see `error`).
      this.failure = e;
      if (records.length === 0) throw e;
    }
    this.nextOffset = base + chunk.length;
    return records;
  }

  /** Declares the end of the stream: throws if it stopped inside a record. */
  end(): void {
    if (this.failure) throw this.failure;
    if (!this.partial) return;
    const p = this.partial;
    this.failure = this.filled >= MRT_HEADER_LENGTH
      ? new MrtError(
          { kind: 'truncated', field: 'mrt.body', offset: this.partialStart + MRT_HEADER_LENGTH, required: p.length - MRT_HEADER_LENGTH, remaining: this.filled - MRT_HEADER_LENGTH },
          { offset: this.partialStart, type: u16(p, 4), subtype: u16(p, 6) },
        )
      : new MrtError(
          { kind: 'truncated', field: 'mrt.header', offset: this.partialStart, required: MRT_HEADER_LENGTH, remaining: this.filled },
          { offset: this.partialStart, type: undefined, subtype: undefined },
        );
    throw this.failure;
  }

  /** The Length field of the header at `bytes[pos]`, checked against the cap and the _ET minimum. */
  private checkedLength(bytes: Uint8Array, pos: number, offset: number): number {
    const type = u16(bytes, pos + 4);
    const subtype = u16(bytes, pos + 6);
    const length = u32(bytes, pos + 8);
    if (length > this.maxRecordLength) {
      throw new MrtError(
        { kind: 'malformed', field: 'mrt.header.length', offset: offset + 8, reason: `length ${length} exceeds the ${this.maxRecordLength}-byte cap` },
        { offset, type, subtype },
      );
    }
    if (length < 4 && hasExtendedTimestamp(type)) {
      throw new MrtError(
        { kind: 'malformed', field: 'mrt.header.length', offset: offset + 8, reason: `length ${length} leaves no room for the ${mrtRecordName(type, subtype)} microsecond timestamp` },
        { offset, type, subtype },
      );
    }
    return length;
  }

  private startPartial(rest: Uint8Array, offset: number): void {
    this.partialStart = offset;
    if (rest.length < MRT_HEADER_LENGTH) {
      this.partial = new Uint8Array(MRT_HEADER_LENGTH);
    } else {
      this.partial = new Uint8Array(MRT_HEADER_LENGTH + this.checkedLength(rest, 0, offset));
    }
    this.partial.set(rest, 0);
    this.filled = rest.length;
  }

  /** Completes the partial record from the start of `chunk`; returns the bytes used. */
  private fillPartial(chunk: Uint8Array, records: MrtRecord[]): number {
    let p = this.partial!;
    let used = 0;
    if (this.filled < MRT_HEADER_LENGTH) {
      const take = Math.min(MRT_HEADER_LENGTH - this.filled, chunk.length);
      p.set(chunk.subarray(0, take), this.filled);
      this.filled += take;
      used = take;
      if (this.filled < MRT_HEADER_LENGTH) return used;
      const full = new Uint8Array(MRT_HEADER_LENGTH + this.checkedLength(p, 0, this.partialStart));
      full.set(p, 0);
      p = this.partial = full;
    }
    const take = Math.min(p.length - this.filled, chunk.length - used);
    p.set(chunk.subarray(used, used + take), this.filled);
    this.filled += take;
    used += take;
    if (this.filled === p.length) {
      records.push(record(p, this.partialStart));
      this.partial = undefined;
      this.filled = 0;
    }
    return used;
  }
}

function record(bytes: Uint8Array, offset: number): MrtRecord {
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

function u16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

