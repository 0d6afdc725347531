/**
 * A bounds-checked cursor over a byte buffer, used by every codec (RTR, BGP,
 * BMP, MRT).
 *
 * Why not read the Buffer directly: `buf[i]` past the end gives `undefined`,
 * `subarray` silently shortens, and `readUInt32BE` throws a bare RangeError.
 * Each read here checks the bytes left first and raises a {@link ParseError}
 * naming the field and its absolute offset. Byte slices are zero-copy views
 * (`subarray`) taken only after the check.
 *
 * `sub(len)` returns a reader confined to a declared length (an attribute, a
 * TLV, a PDU body): a field inside it can never read the bytes of the next
 * one, which is how a wrong inner length becomes an error instead of a
 * misread.
 */
import { ParseError } from './parse-error.js';

export class BinaryReader {
  private readonly buf: Uint8Array;
  /** Index in `buf` one past the last byte this reader may read. */
  private readonly end: number;
  /** Index in `buf` of the next byte to read. */
  private pos: number;
  /** Absolute offset of `buf[0]` in the stream, for error messages. */
  private readonly base: number;

  private constructor(buf: Uint8Array, start: number, end: number, base: number) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.base = base;
  }

  /**
   * A reader over all of `bytes`. `streamOffset` is the offset of
   * `bytes[0]` in the larger stream it came from, so errors point at the
   * right place in a capture or file.
   */
  static of(bytes: Uint8Array, streamOffset = 0): BinaryReader {
    return new BinaryReader(bytes, 0, bytes.length, streamOffset);
  }

  /** Absolute offset of the next byte to be read. */
  get offset(): number {
    return this.base + this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** Throws unless `n` more bytes are available for `field`. */
  need(n: number, field: string): void {
    if (n < 0 || !Number.isInteger(n)) {
      throw new ParseError({ kind: 'malformed', field, offset: this.offset, reason: `invalid length ${n}` });
    }
    if (this.end - this.pos < n) {
      throw new ParseError({
        kind: 'truncated',
        field,
        offset: this.offset,
        required: n,
        remaining: this.end - this.pos,
      });
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  u32(field: string): number {
    this.need(4, field);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    // `>>> 0` keeps the result unsigned; `<< 24` alone would go negative.
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
  }

  /** A 64-bit unsigned integer as a bigint (RTR has none; BMP counters do). */
  u64(field: string): bigint {
    this.need(8, field);
    const hi = this.u32(field);
    const lo = this.u32(field);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** The next byte without consuming it. */
  peekU8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos]!;
  }

  /** A zero-copy view of the next `n` bytes. */
  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const view = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  skip(n: number, field: string): void {
    this.need(n, field);
    this.pos += n;
  }

  /** All bytes up to this reader's end, as a zero-copy view. */
  rest(): Uint8Array {
    const view = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return view;
  }

  /**
   * A reader confined to the next `n` bytes; this reader moves past them.
   * The child reports absolute offsets like its parent.
   */
  sub(n: number, field: string): BinaryReader {
    this.need(n, field);
    const child = new BinaryReader(this.buf, this.pos, this.pos + n, this.base);
    this.pos += n;
    return child;
  }

  /** Throws if any bytes are left: a declared length that was too long. */
  expectEnd(field: string): void {
    if (this.pos !== this.end) {
      throw new ParseError({
        kind: 'malformed',
        field,
        offset: this.offset,
        reason: `${this.end - this.pos} trailing bytes`,
      });
    }
  }

  /** Raise a `malformed` error at the current offset. */
  malformed(field: string, reason: string): never {
    throw new ParseError({ kind: 'malformed', field, offset: this.offset, reason });
  }
}
