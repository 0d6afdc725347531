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

  /** Empties the writer to reuse its buffer. */
  reset(): this {
    this.pos = 0;
    return this;
  }

  /** Leaves `n` octets to be filled in later (a header whose length is not known yet). */
  skip(n: number): number {
    this.reserve(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /**
   * Closes a path attribute whose value was written after `skip(4)` at
   * `start`: writes flags, type and length, in the 3-octet form (value moved
   * back one octet) unless the value exceeds 255 octets or `flags` asks for
   * the Extended Length bit (0x10).
   */
  closeAttribute(start: number, flags: number, code: number): void {
    const length = this.pos - start - 4;
    if (length > 0xffff) throw new RangeError(`attribute ${code}: ${length} octets exceed 65535`);
    const b = this.buf;
    if (length > 255 || (flags & 0x10) !== 0) {
      b[start] = flags | 0x10;
      b[start + 1] = code;
      b[start + 2] = length >>> 8;
      b[start + 3] = length & 0xff;
    } else {
      b.copyWithin(start + 3, start + 4, this.pos);
      this.pos--;
      b[start] = flags & ~0x10;
      b[start + 1] = code;
      b[start + 2] = length;
    }
  }

  /** A copy of the bytes written so far, sized to fit (the writer can be reused). */
  copy(): Uint8Array {
    return this.buf.slice(0, this.pos);
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
