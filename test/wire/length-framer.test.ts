/**
 * The generic length framer (src/wire/length-framer.ts), on a toy protocol
 * with a 4-byte header: u8 magic 0xA5 (checked as soon as it arrives), u8
 * tag, u16 length of the whole frame (4..cap). The protocol framers (RTR,
 * BMP, MRT) have their own tests for their headers and errors; these hold
 * the shared behaviour: identical frames however the stream is cut, views
 * and offsets, the cap before any allocation, incomplete headers, sticky
 * failure, the frames before an error, and the contract of checkHeader.
 */
import t from 'tap';
import { LengthFramer, type LengthFramerOptions } from '../../src/wire/length-framer.js';
import { caught } from '../helpers/errors.js';

const MAGIC = 0xa5;
const HEADER = 4;

class ToyError extends Error {
  constructor(
    readonly field: string,
    readonly offset: number,
  ) {
    super(`${field} at offset ${offset}`);
    this.name = 'ToyError';
  }
}

interface ToyFrame {
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly tag: number;
}

class ToyFramer extends LengthFramer<ToyFrame, ToyError> {
  /** Every checkHeader call: [available, stream offset]. */
  readonly checks: Array<[number, number]> = [];

  constructor(
    readonly cap = 64,
    options: LengthFramerOptions = {},
  ) {
    super(HEADER, cap, ToyError, options);
  }

  push(chunk: Uint8Array, frames: ToyFrame[] = []): ToyFrame[] {
    return this.pushInto(chunk, frames);
  }

  protected override checkHeader(bytes: Uint8Array, pos: number, available: number, start: number): number {
    this.checks.push([available, start]);
    if (bytes[pos] !== MAGIC) throw new ToyError('magic', start);
    if (available < HEADER) return -1;
    const length = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
    if (length < HEADER || length > this.cap) throw new ToyError('length', start + 2);
    return length;
  }

  protected override frame(bytes: Uint8Array, offset: number): ToyFrame {
    if (bytes[1] === 0xee) throw new TypeError('a bug in frame()');
    return { bytes, offset, tag: bytes[1]! };
  }

  protected override truncated(held: Uint8Array, filled: number, offset: number): ToyError {
    return new ToyError(filled < HEADER ? `header ${filled}/${held.length}` : `frame ${filled}/${held.length}`, offset);
  }
}

/** A frame with `tag` and `body` bytes after the header. */
function toy(tag: number, body: number): Buffer {
  const b = Buffer.alloc(HEADER + body, tag);
  b[0] = MAGIC;
  b[1] = tag;
  b.writeUInt16BE(HEADER + body, 2);
  return b;
}

/** Frames of every size from the bare header to 40 bytes, in a scrambled order. */
const FRAMES = Array.from({ length: 37 }, (_, i) => toy(i, (i * 7) % 37));
const STREAM = Buffer.concat(FRAMES);

const summary = (frames: ToyFrame[]): Array<[number, number, string]> =>
  frames.map((f) => [f.offset, f.tag, Buffer.from(f.bytes).toString('hex')]);

function frameAll(chunks: Uint8Array[], framer = new ToyFramer()): ToyFrame[] {
  const frames: ToyFrame[] = [];
  for (const c of chunks) framer.push(c, frames);
  framer.end();
  return frames;
}

/** Stream offset of frame `i` (the length of the frames before it). */
const at = (i: number): number => FRAMES.slice(0, i).reduce((n, f) => n + f.length, 0);

const EXPECTED = FRAMES.map((f, i): [number, number, string] => [at(i), i, f.toString('hex')]);

t.test('one chunk: every frame in order, with its offset, as a view of the chunk', async (t) => {
  const frames = frameAll([STREAM]);
  t.same(summary(frames), EXPECTED);
  for (const f of frames) {
    t.equal(f.bytes.buffer, STREAM.buffer, 'no copy');
    t.equal(f.bytes.byteOffset, STREAM.byteOffset + f.offset);
  }
});

t.test('cut into two chunks at every byte boundary: identical frames', async (t) => {
  for (let cut = 0; cut <= STREAM.length; cut++) {
    const framer = new ToyFramer();
    const got = summary(frameAll([STREAM.subarray(0, cut), STREAM.subarray(cut)], framer));
    if (JSON.stringify(got) !== JSON.stringify(EXPECTED)) t.same(got, EXPECTED, `cut at ${cut}`);
    if (framer.streamOffset !== STREAM.length) t.equal(framer.streamOffset, STREAM.length, `cut at ${cut}`);
  }
  t.pass(`${STREAM.length + 1} cuts of a ${STREAM.length}-byte stream`);
});

t.test('cut into three chunks at every pair of boundaries: identical frames', async (t) => {
  const short = STREAM.subarray(0, at(5));
  const expected = EXPECTED.slice(0, 5);
  let cases = 0;
  for (let a = 0; a <= short.length; a++) {
    for (let b = a; b <= short.length; b++) {
      const got = summary(frameAll([short.subarray(0, a), short.subarray(a, b), short.subarray(b)]));
      if (JSON.stringify(got) !== JSON.stringify(expected)) t.same(got, expected, `cuts at ${a} and ${b}`);
      cases++;
    }
  }
  t.pass(`${cases} ways to cut ${short.length} bytes (5 frames) in three`);
});

t.test('one byte at a time: identical frames, one frame retained at most, allocated once at its length', async (t) => {
  const framer = new ToyFramer();
  const frames: ToyFrame[] = [];
  let maxRetained = 0;
  for (let i = 0; i < STREAM.length; i++) {
    framer.push(STREAM.subarray(i, i + 1), frames);
    maxRetained = Math.max(maxRetained, framer.retainedBytes);
    if (framer.bufferedBytes > framer.retainedBytes) t.fail(`buffered ${framer.bufferedBytes} > retained ${framer.retainedBytes}`);
  }
  framer.end();
  t.same(summary(frames), EXPECTED);
  t.equal(maxRetained, 40, 'the largest frame');
  t.equal(framer.bufferedBytes, 0);
  t.equal(framer.retainedBytes, 0);
  // Assembled frames own a buffer of exactly their length: no copy of a larger scratch buffer.
  for (const f of frames) t.equal(f.bytes.buffer.byteLength, f.bytes.length);
});

t.test('the header is checked as each byte arrives, and the frame held at its declared length', async (t) => {
  const framer = new ToyFramer();
  const frame = toy(9, 20);
  framer.push(frame.subarray(0, 1));
  t.same(framer.checks, [[1, 0]]);
  t.equal(framer.retainedBytes, HEADER, 'a header-sized buffer while the length is unknown');
  framer.push(frame.subarray(1, 3));
  t.same(framer.checks, [[1, 0], [3, 0]]);
  framer.push(frame.subarray(3, 5));
  t.same(framer.checks, [[1, 0], [3, 0], [4, 0]]);
  t.equal(framer.retainedBytes, 24, 'the declared length, once the header is whole');
  t.equal(framer.bufferedBytes, 5);
  const [done] = framer.push(frame.subarray(5));
  t.same(Buffer.from(done!.bytes), frame);
  t.equal(framer.checks.length, 3, 'the rest of the body needs no check');
});

t.test('frames assembled across chunks are not overwritten by later pushes', async (t) => {
  const framer = new ToyFramer();
  const a = toy(1, 10);
  framer.push(a.subarray(0, 6));
  const [first] = framer.push(Buffer.concat([a.subarray(6), a.subarray(0, 6)]));
  const copy = Buffer.from(first!.bytes);
  framer.push(a.subarray(6));
  t.same(Buffer.from(first!.bytes), copy);
});

t.test('empty chunks change nothing', async (t) => {
  const framer = new ToyFramer();
  t.same(framer.push(Buffer.alloc(0)), []);
  t.same(framer.push(STREAM.subarray(0, 2)), []);
  t.same(framer.push(Buffer.alloc(0)), []);
  t.equal(framer.bufferedBytes, 2);
  t.equal(framer.streamOffset, 2);
  t.equal(framer.push(STREAM.subarray(2, 4)).length, 1, 'the bare-header frame 0');
});

t.test('the cap: a longer length is the codec error before anything is allocated', async (t) => {
  const huge = Buffer.from([MAGIC, 1, 0xff, 0xff]);
  const whole = new ToyFramer(64);
  t.match(caught(() => whole.push(huge)), { name: 'ToyError', field: 'length', offset: 2 });
  t.equal(whole.retainedBytes, 0);
  const split = new ToyFramer(64);
  split.push(huge.subarray(0, 3));
  t.match(caught(() => split.push(huge.subarray(3))), { field: 'length', offset: 2 });
  t.equal(split.retainedBytes, HEADER, 'only the header buffer');
  // At the cap exactly: accepted and held; one more is refused.
  const edge = new ToyFramer(64);
  t.same(edge.push(Buffer.from([MAGIC, 1, 0, 64])), []);
  t.equal(edge.retainedBytes, 64);
  t.match(caught(() => new ToyFramer(64).push(Buffer.from([MAGIC, 1, 0, 65]))), { field: 'length' });
  t.match(caught(() => new ToyFramer(64).push(Buffer.from([MAGIC, 1, 0, 3]))), { field: 'length' }, 'shorter than the header');
});

t.test('an incomplete header: a bad first byte fails at once, end() inside it is a truncation', async (t) => {
  const framer = new ToyFramer();
  framer.push(STREAM.subarray(0, 4));
  t.match(caught(() => framer.push(Buffer.from([0x00]))), { name: 'ToyError', field: 'magic', offset: 4 });
  const inHeader = new ToyFramer();
  inHeader.push(STREAM.subarray(0, 6));
  t.match(caught(() => inHeader.end()), { field: 'header 2/4', offset: 4 });
  const inBody = new ToyFramer();
  inBody.push(STREAM.subarray(0, 4 + 9));
  t.match(caught(() => inBody.end()), { field: 'frame 9/11', offset: 4 }, 'frame 1 has 7 body bytes');
  const atBoundary = new ToyFramer();
  atBoundary.push(STREAM.subarray(0, 15));
  t.doesNotThrow(() => atBoundary.end());
  t.doesNotThrow(() => new ToyFramer().end(), 'an empty stream');
});

t.test('failure is sticky: the same error from every later push() and end()', async (t) => {
  const framer = new ToyFramer();
  const err = caught(() => framer.push(Buffer.from([0x01])));
  t.type(err, ToyError);
  t.equal(framer.error, err);
  t.equal(caught(() => framer.push(STREAM)), err);
  t.equal(caught(() => framer.push(Buffer.alloc(0))), err);
  t.equal(caught(() => framer.end()), err);
  const truncated = new ToyFramer();
  truncated.push(STREAM.subarray(0, 5));
  const cut = caught(() => truncated.end());
  t.equal(caught(() => truncated.push(STREAM.subarray(5))), cut, 'end() failing stops it too');
});

t.test("afterFrames 'throw': the frames before the error are in the caller's array", async (t) => {
  const framer = new ToyFramer();
  const frames: ToyFrame[] = [];
  framer.push(STREAM.subarray(0, 6), frames); // frame 0, and 2 bytes of frame 1
  const chunk = Buffer.concat([STREAM.subarray(6, at(3)), Buffer.from([0x00, 1, 2])]);
  const err = caught(() => framer.push(chunk, frames));
  t.match(err, { field: 'magic', offset: at(3) });
  t.same(
    frames.map((f) => f.tag),
    [0, 1, 2],
    'frame 1 (completed from the held bytes) and frame 2 (a view) came before the damage',
  );
  t.equal(framer.streamOffset, 6, 'the failed chunk is not counted');
});

t.test("afterFrames 'defer': frames before the error are returned, the error comes next", async (t) => {
  const framer = new ToyFramer(64, { afterFrames: 'defer' });
  const chunk = Buffer.concat([STREAM.subarray(0, at(2)), Buffer.from([0x00])]);
  const frames = framer.push(chunk);
  t.same(
    frames.map((f) => f.tag),
    [0, 1],
  );
  t.match(framer.error, { field: 'magic', offset: at(2) });
  t.equal(framer.streamOffset, at(2) + 1, 'the chunk was taken');
  t.equal(caught(() => framer.push(STREAM)), framer.error);
  t.equal(caught(() => framer.end()), framer.error);
  // Nothing before the error: thrown at once.
  const bare = new ToyFramer(64, { afterFrames: 'defer' });
  bare.push(STREAM.subarray(0, 4));
  t.match(caught(() => bare.push(Buffer.from([MAGIC, 0, 0, 2]))), { field: 'length', offset: 6 });
  t.equal(bare.streamOffset, 4);
});

t.test('streamOffset: offsets in frames and errors are absolute; bad options are RangeErrors', async (t) => {
  const framer = new ToyFramer(64, { streamOffset: 1_000_000 });
  const frames = framer.push(STREAM.subarray(0, 15));
  t.same(
    frames.map((f) => f.offset),
    [1_000_000, 1_000_004],
  );
  t.equal(framer.streamOffset, 1_000_015);
  t.match(caught(() => framer.push(Buffer.from([0x00]))), { offset: 1_000_015 });
  for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) {
    t.match(caught(() => new ToyFramer(64, { streamOffset: bad })), { name: 'RangeError', message: /streamOffset/ });
  }
  t.match(caught(() => new ToyFramer(3)), { name: 'RangeError', message: /maxFrameLength: 3/ });
});

t.test('errors of other types are bugs: they pass through and do not stop the framer', async (t) => {
  const framer = new ToyFramer();
  t.match(caught(() => framer.push(toy(0xee, 2))), { name: 'TypeError' });
  t.equal(framer.error, undefined);
  t.doesNotThrow(() => framer.push(Buffer.alloc(0)));
});

t.test('a checkHeader that breaks its contract is a RangeError, not a loop or an allocation', async (t) => {
  class Liar extends ToyFramer {
    constructor(private readonly answer: (available: number) => number) {
      super();
    }
    protected override checkHeader(_bytes: Uint8Array, _pos: number, available: number): number {
      return this.answer(available);
    }
  }
  const cases: Array<[string, (available: number) => number, Buffer]> = [
    ['a length of 0 (would loop forever)', () => 0, toy(1, 1)],
    ['a length below the header', (n) => (n < HEADER ? -1 : 2), toy(1, 1)],
    ['a length above maxFrameLength', (n) => (n < HEADER ? -1 : 65), toy(1, 1)],
    ['-1 for a whole header', () => -1, toy(1, 1)],
    ['a length before the header is whole', () => 10, toy(1, 1).subarray(0, 2)],
  ];
  for (const [name, answer, bytes] of cases) {
    const framer = new Liar(answer);
    t.match(caught(() => framer.push(bytes)), { name: 'RangeError', message: /checkHeader returned/ }, name);
    t.equal(framer.retainedBytes, 0, name);
  }
});
