/**
 * Buffered output for commands that print a line per route: lines are
 * gathered into ~64 KiB chunks and written with back-pressure, so printing
 * a full table neither makes a million write calls nor holds it all in
 * memory.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

const CHUNK_CHARS = 1 << 16;

export class LineWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly out: Writable) {}

  /** Adds one line (without its newline). Call `flushIfFull()` in the loop. */
  line(text: string): void {
    this.parts.push(text);
    this.size += text.length + 1;
  }

  get full(): boolean {
    return this.size >= CHUNK_CHARS;
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = this.parts.join('\n') + '\n';
    this.parts = [];
    this.size = 0;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
}
