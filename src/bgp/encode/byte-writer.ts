/**
 * A growable big-endian byte writer for the BGP encoders (tests, the
 * benchmark that synthesises a full table, MRT/BMP test fixtures). Values out
 * of range are programming errors of the caller, so they raise RangeError
 * naming the field, never a ParseError.
 */
export class ByteWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  get length(): number {
    return this.pos;
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(value: number, field: string): this {
    checkUint(value, 0xff, field);
    this.reserve(1);
    this.buf[this.pos++] = value;
    return this;
  }

  u16(value: number, field: string): this {
    checkUint(value, 0xffff, field);
    this.reserve(2);
    this.buf[this.pos++] = value >>> 8;
    this.buf[this.pos++] = value & 0xff;
    return this;
  }

  u32(value: number, field: string): this {
    checkUint(value, 0xffffffff, field);
    this.reserve(4);
    this.buf[this.pos++] = value >>> 24;
    this.buf[this.pos++] = (value >>> 16) & 0xff;
    this.buf[this.pos++] = (value >>> 8) & 0xff;
    this.buf[this.pos++] = value & 0xff;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.reserve(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  /** Overwrites a u16 written earlier (a length known only afterwards). */
  patchU16(at: number, value: number, field: string): void {
    checkUint(value, 0xffff, field);
    this.buf[at] = value >>> 8;
    this.buf[at + 1] = value & 0xff;
  }

  /** The bytes written so far (a view; the writer must not be reused). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

export function checkUint(value: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${field}: ${String(value)} is not an integer from 0 to ${max}`);
  }
}
