/**
 * Buffered byte output for commands that print a line per route.
 *
 * A full table is 1.2 million lines; building a string per line and joining
 * them cost more than validating the routes. Here lines are written as
 * bytes into ~64 KiB chunks, which are handed to the stream with
 * back-pressure, so printing neither makes a million write calls nor holds
 * the whole output in memory.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

const CHUNK_BYTES = 1 << 16;

export class ByteOutput {
  /** The current chunk; callers write at `pos` after `reserve()`. */
  buf: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  pos = 0;

  constructor(private readonly out: Writable) {}

  /** Makes room for `n` more bytes in the current chunk. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** Bytes known in advance (separators, state names). */
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < b.length; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /** A non-negative integer in decimal. */
  uint(n: number): void {
    this.reserve(10);
    const buf = this.buf;
    let p = this.pos;
    if (n === 0) {
      buf[p++] = 0x30;
    } else {
      let digits = 0;
      for (let x = n; x > 0; x = Math.floor(x / 10)) digits++;
      p += digits;
      for (let x = n, q = p - 1; x > 0; x = Math.floor(x / 10)) buf[q--] = 0x30 + (x % 10);
    }
    this.pos = p;
  }

  /** Any string, UTF-8 encoded (for the slower, richer formats). */
  text(s: string): void {
    this.reserve(Buffer.byteLength(s));
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  newline(): void {
    this.reserve(1);
    this.buf[this.pos++] = 0x0a;
  }

  get full(): boolean {
    return this.pos >= CHUNK_BYTES;
  }

  /** Hands the current chunk to the stream, waiting if it is backed up. */
  async flush(): Promise<void> {
    if (this.pos === 0) return;
    // The stream may hold the chunk until it is written, so start a new one
    // rather than reuse it.
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    this.pos = 0;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
}
