/**
 * The stream framer shared by the length-prefixed protocols rovd reads: RTR
 * PDUs (src/rtr/framer.ts, 8-byte header), BMP messages (src/bmp/framer.ts,
 * 6-byte common header) and MRT records (src/mrt/framer.ts, 12-byte
 * header). It cuts a byte stream, pushed in chunks as they arrive (TCP
 * reads, decompressed file blocks), into whole frames.
 *
 * A protocol's framer extends {@link LengthFramer}, giving it the header
 * length and three methods: `checkHeader` (checks the header bytes present
 * so far; once the header is whole, returns the frame's declared length;
 * throws the codec's own typed error), `frame` (the value handed out for a
 * frame) and `truncated` (the error for a stream cut inside a frame). Its
 * public push() calls `pushInto`. The wire grammar each protocol reads is in
 * its own file.
 *
 * The guarantees, the same for every protocol:
 *
 * - Frames are emitted whole, in order, each with its absolute stream
 *   offset. A frame that lies within one chunk is a zero-copy view
 *   (`subarray`) of that chunk; one that spans chunks is assembled in a
 *   buffer allocated once at its declared length, after checkHeader
 *   accepted that length. Memory handed out is never written again, so
 *   frames stay valid after later pushes. Per frame, the framer allocates
 *   the view and what `frame()` builds, nothing else.
 * - Memory is bounded: the framer holds at most one incomplete frame, so it
 *   retains at most `maxFrameLength` bytes however the stream is cut. The
 *   header is checked before anything is allocated for its frame, so a 4 GB
 *   length is the codec's error, not an allocation.
 * - It never stalls silently: checkHeader sees the header bytes as they
 *   arrive (a bad version byte is an error at the push that delivers it,
 *   not when the rest of the header comes), and a stream that ends inside a
 *   frame is an error at end().
 * - Failure is sticky. None of these protocols has a resynchronisation
 *   marker, so after the first error of the codec's `errorType` every later
 *   push or end() throws that same error. The frames completed before the
 *   error are delivered: pushInto() has appended them to the caller's array
 *   when it throws (`afterFrames: 'throw'`, the default), or returns them
 *   and leaves the error for the next call (`'defer'`). Errors of other
 *   types are bugs: they pass through and do not stop the framer.
 *
 * Why a base class and not an object of callbacks (measured on Node 20):
 * methods of a class are inlined into this loop, closures held in a field
 * are not, and a field holding a different codec object per protocol makes
 * V8 generalise, then deoptimise, the framer's own shape. The one cost of
 * sharing the loop: in a process running several framers (the daemon runs
 * RTR and BMP) the loop dispatches checkHeader() and frame() by class, about
 * 10 ns per frame (10% of BMP's framing at 64 KiB chunks) over a loop of
 * its own.
 */

/** The codec's error class (the constructor only serves `instanceof`). */
export type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

export interface LengthFramerOptions {
  /**
   * What pushInto() does when a chunk completes frames before an error:
   * 'throw' (default) throws at once, the frames being in the caller's
   * array; 'defer' returns them and throws the error at the next push or
   * end() (`error` is set at once). An error with no frame before it in
   * the chunk is thrown at once either way.
   */
  readonly afterFrames?: 'throw' | 'defer';
  /** Absolute stream offset of the first byte pushed; default 0. */
  readonly streamOffset?: number;
}

/** `partial` when no frame is incomplete (never written: it has no bytes). */
const NO_BYTES = new Uint8Array(0);

export abstract class LengthFramer<F, E extends Error> {
  /** Bytes of the fixed header that holds the frame's length. */
  private readonly headerLength: number;
  /** The largest length checkHeader may return: the bound on retained memory. */
  private readonly maxFrameLength: number;
  private readonly errorType: ErrorClass<E>;
  private readonly defer: boolean;
  /** Absolute offset of the next byte a push will receive. */
  private nextOffset: number;
  /**
   * The incomplete frame: headerLength bytes while its header is
   * incomplete, then its declared length; NO_BYTES when there is none
   * (`filled` is 0 exactly then). Never undefined, so the field keeps one
   * type.
   */
  private partial = NO_BYTES;
  /** Absolute offset of partial[0]. */
  private partialStart = 0;
  /** Bytes of `partial` received. */
  private filled = 0;
  private failure: E | undefined;

  /**
   * `headerLength`: the fixed header holding the length (at least 1).
   * `maxFrameLength`: the largest length checkHeader accepts. Raising the
   * codec's error for a length above its cap is checkHeader's job; the
   * framer asserts the bound (a RangeError: a bug). `errorType`: the
   * codec's error class, whose instances stop the framer for good.
   */
  protected constructor(headerLength: number, maxFrameLength: number, errorType: ErrorClass<E>, options: LengthFramerOptions = {}) {
    if (!Number.isInteger(headerLength) || headerLength < 1) throw new RangeError(`headerLength: ${headerLength} is not a positive integer`);
    if (!Number.isInteger(maxFrameLength) || maxFrameLength < headerLength) {
      throw new RangeError(`maxFrameLength: ${maxFrameLength} is not an integer of at least headerLength (${headerLength})`);
    }
    const start = options.streamOffset ?? 0;
    if (!Number.isSafeInteger(start) || start < 0) throw new RangeError(`streamOffset: ${start} is not a non-negative integer`);
    this.headerLength = headerLength;
    this.maxFrameLength = maxFrameLength;
    this.errorType = errorType;
    this.defer = options.afterFrames === 'defer';
    this.nextOffset = start;
  }

  /**
   * Checks the header of the frame at `bytes[pos]`, whose first byte is at
   * absolute stream offset `streamOffset`. `available` (1 to headerLength)
   * is the number of header bytes present so far: check each field as soon
   * as it is there. Returns -1 while `available` < headerLength, then the
   * declared length of the whole frame, header included (headerLength to
   * maxFrameLength). Throws the codec's typed error.
   */
  protected abstract checkHeader(bytes: Uint8Array, pos: number, available: number, streamOffset: number): number;

  /** Builds the value handed out for one whole frame: `bytes`, at absolute offset `streamOffset`. */
  protected abstract frame(bytes: Uint8Array, streamOffset: number): F;

  /**
   * Builds the error for a stream that ended inside a frame. `held` is the
   * incomplete frame as allocated: headerLength bytes while its header is
   * incomplete (`filled` < headerLength), else its declared length; only its
   * first `filled` bytes arrived. `streamOffset` is the frame's start.
   */
  protected abstract truncated(held: Uint8Array, filled: number, streamOffset: number): E;

  /** Bytes of an incomplete frame held until more arrive. */
  get bufferedBytes(): number {
    return this.filled;
  }

  /** Bytes allocated for the incomplete frame (its declared length once the header is in); at most the cap. */
  get retainedBytes(): number {
    return this.partial.length;
  }

  /** Absolute offset of the next byte expected. */
  get streamOffset(): number {
    return this.nextOffset;
  }

  /** The error that stopped this framer, if any. */
  get error(): E | undefined {
    return this.failure;
  }

  /** Declares the end of the stream: throws if it stopped inside a frame. */
  end(): void {
    if (this.failure) throw this.failure;
    if (this.filled === 0) return;
    this.failure = this.truncated(this.partial, this.filled, this.partialStart);
    throw this.failure;
  }

  /**
   * Takes the next chunk of the stream; appends the frames it completes to
   * `frames`, in order, and returns `frames`. On an error of the codec's
   * type, see `afterFrames`: the frames before it are in `frames` either way.
   */
  protected pushInto(chunk: Uint8Array, frames: F[]): F[] {
    if (this.failure) throw this.failure;
    const base = this.nextOffset;
    const before = frames.length;
    const header = this.headerLength;
    const max = this.maxFrameLength;
    try {
      let pos = this.filled > 0 ? this.fillPartial(chunk, frames) : 0;
      let length = -1;
      // The hot loop: one header check and one view per frame (checked() inlined by hand).
      while (pos < chunk.length) {
        const available = chunk.length - pos;
        const present = available < header ? available : header;
        length = this.checkHeader(chunk, pos, present, base + pos);
        if (present < header ? length !== -1 : length < header || length > max) throw this.contractBroken(length, present, base + pos);
        if (length < 0 || length > available) break;
        frames.push(this.frame(chunk.subarray(pos, pos + length), base + pos));
        pos += length;
      }
      if (pos < chunk.length) this.startPartial(chunk, pos, length, base + pos);
    } catch (e) {
      if (!(e instanceof this.errorType)) throw e;
      this.failure = e;
      if (!this.defer || frames.length === before) throw e;
    }
    this.nextOffset = base + chunk.length;
    return frames;
  }

  /** checkHeader, its result held to the contract (-1 while the header is incomplete, then a length within bounds). */
  private checked(bytes: Uint8Array, pos: number, available: number, start: number): number {
    const length = this.checkHeader(bytes, pos, available, start);
    const header = this.headerLength;
    if (available < header ? length !== -1 : length < header || length > this.maxFrameLength) throw this.contractBroken(length, available, start);
    return length;
  }

  /** The bug of a checkHeader that broke its contract (see checkHeader). */
  private contractBroken(length: number, available: number, start: number): RangeError {
    const bounds = `${this.headerLength}..${this.maxFrameLength}`;
    return new RangeError(`checkHeader returned ${length} for ${available} header bytes at offset ${start} (want -1 while incomplete, else ${bounds})`);
  }

  /**
   * Holds the rest of `chunk` from `pos`: the start of a frame that does not
   * end in it. `length` is its declared length (its header was checked), or
   * -1 while its header is incomplete.
   */
  private startPartial(chunk: Uint8Array, pos: number, length: number, start: number): void {
    this.partial = new Uint8Array(length < 0 ? this.headerLength : length);
    this.partial.set(chunk.subarray(pos));
    this.partialStart = start;
    this.filled = chunk.length - pos;
  }

  /** Feeds the incomplete frame from the front of `chunk`; returns the bytes used. */
  private fillPartial(chunk: Uint8Array, frames: F[]): number {
    const header = this.headerLength;
    let partial = this.partial;
    let pos = 0;
    if (this.filled < header) {
      // The header first: check it, then allocate the frame at its declared length.
      pos = Math.min(header - this.filled, chunk.length);
      partial.set(chunk.subarray(0, pos), this.filled);
      this.filled += pos;
      const length = this.checked(partial, 0, this.filled, this.partialStart);
      if (length < 0) return pos;
      if (length > header) {
        partial = new Uint8Array(length);
        partial.set(this.partial); // the header: `partial` was allocated at headerLength
        this.partial = partial;
      }
    }
    const take = Math.min(partial.length - this.filled, chunk.length - pos);
    partial.set(chunk.subarray(pos, pos + take), this.filled);
    this.filled += take;
    pos += take;
    if (this.filled === partial.length) {
      frames.push(this.frame(partial, this.partialStart));
      this.partial = NO_BYTES;
      this.filled = 0;
    }
    return pos;
  }
}
