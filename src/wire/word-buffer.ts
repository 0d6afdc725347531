/**
 * A growable run of 32-bit words, written front to back, then handed over
 * whole: the way a decoder thread builds a batch it transfers (the
 * ArrayBuffer moves to the other thread, nothing is copied).
 *
 *   const out = new WordBuffer();
 *   const w = out.reserve(3); w[out.length++] = …;   // reserve, then write in place
 *   const { buffer, length } = out.take();           // the words so far; out starts afresh
 */
export class WordBuffer {
  /** The words; valid up to `length`. Replaced when it grows: re-read after reserve(). */
  words: Uint32Array;
  length = 0;
  private readonly initial: number;

  constructor(initialWords = 4096) {
    if (!Number.isInteger(initialWords) || initialWords < 1) throw new RangeError(`initialWords: ${initialWords} is not a positive integer`);
    this.initial = initialWords;
    this.words = new Uint32Array(initialWords);
  }

  /** Room for `n` more words; returns the (possibly new) array to write them into. */
  reserve(n: number): Uint32Array {
    const need = this.length + n;
    if (need > this.words.length) {
      const grown = new Uint32Array(Math.max(need, this.words.length * 2));
      grown.set(this.words.subarray(0, this.length));
      this.words = grown;
    }
    return this.words;
  }

  push(word: number): void {
    if (this.length === this.words.length) this.reserve(1);
    this.words[this.length++] = word;
  }

  /** The words written so far (their buffer, for a transfer list); the next write starts a new buffer. */
  take(): { readonly buffer: ArrayBuffer; readonly length: number } {
    const out = { buffer: this.words.buffer as ArrayBuffer, length: this.length };
    this.words = new Uint32Array(Math.max(this.initial, this.length >>> 1));
    this.length = 0;
    return out;
  }
}
