/**
 * The BMP stream framer: identical messages however the stream is cut, the
 * length cap checked before any allocation, bad versions and lengths raised
 * at once, sticky failure, end() inside a message.
 */
import t from 'tap';
import { BMP_FRAMER_MIN_CAP, type BmpFrame, BmpFramer } from '../../src/bmp/framer.js';
import { ParseError } from '../../src/wire/parse-error.js';
import { caught } from '../helpers/errors.js';
import { bmp, cat, perPeer, tlv, u32, u8 } from './helpers/build.js';

const STREAM = cat(
  bmp(4, cat(tlv(1, 'descr'), tlv(2, 'router-1'))),
  bmp(1, cat(perPeer(), u32(1), tlv(0, u32(7)))),
  bmp(6, perPeer({ flags: 0x80, address: '2001:db8::1' })),
  bmp(9, Buffer.alloc(0)), // unknown type, empty body: framed anyway
  bmp(5, tlv(1, Buffer.from([0, 1]))),
);

const summary = (frames: BmpFrame[]): Array<[number, number, number, string]> =>
  frames.map((f) => [f.offset, f.version, f.type, Buffer.from(f.bytes).toString('hex')]);

function frameAll(chunks: Uint8Array[], framer = new BmpFramer()): BmpFrame[] {
  const frames: BmpFrame[] = [];
  for (const c of chunks) framer.push(c, frames);
  framer.end();
  return frames;
}

t.test('one chunk: every message in order, with offset, version and type; views of the chunk', async (t) => {
  const frames = frameAll([STREAM]);
  t.same(
    frames.map((f) => [f.offset, f.type]),
    [
      [0, 4],
      [27, 1],
      [27 + 60, 6],
      [27 + 60 + 48, 9],
      [27 + 60 + 48 + 6, 5],
    ],
  );
  t.equal(frames.reduce((n, f) => n + f.bytes.length, 0), STREAM.length);
  t.equal(frames[0]!.bytes.buffer, STREAM.buffer, 'zero-copy within a chunk');
});

t.test('cut into two chunks at every byte boundary: identical frames', async (t) => {
  const expected = summary(frameAll([STREAM]));
  let bad = 0;
  for (let cut = 0; cut <= STREAM.length; cut++) {
    const got = summary(frameAll([STREAM.subarray(0, cut), STREAM.subarray(cut)]));
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      bad++;
      t.same(got, expected, `cut at ${cut}`);
    }
  }
  t.equal(bad, 0, `${STREAM.length + 1} cuts`);
});

t.test('cut into three chunks at every pair of boundaries: identical frames', async (t) => {
  const expected = JSON.stringify(summary(frameAll([STREAM])));
  let bad = 0;
  for (let a = 0; a <= STREAM.length; a += 3) {
    for (let b = a; b <= STREAM.length; b += 5) {
      if (JSON.stringify(summary(frameAll([STREAM.subarray(0, a), STREAM.subarray(a, b), STREAM.subarray(b)])))!== expected) bad++;
    }
  }
  t.equal(bad, 0);
});

t.test('one byte at a time: identical frames, never more than one message retained', async (t) => {
  const framer = new BmpFramer();
  const frames: BmpFrame[] = [];
  let maxRetained = 0;
  for (let i = 0; i < STREAM.length; i++) {
    framer.push(STREAM.subarray(i, i + 1), frames);
    maxRetained = Math.max(maxRetained, framer.retainedBytes);
  }
  framer.end();
  t.same(summary(frames), summary(frameAll([STREAM])));
  t.equal(maxRetained, 60, 'the largest message');
  t.equal(framer.bufferedBytes, 0);
  t.equal(framer.streamOffset, STREAM.length);
});

t.test('frames stay valid after later pushes', async (t) => {
  const framer = new BmpFramer();
  const first = framer.push(STREAM.subarray(0, 30));
  const copy = Buffer.from(first[0]!.bytes);
  framer.push(STREAM.subarray(30));
  t.same(Buffer.from(first[0]!.bytes), copy);
});

t.test('version: 3 and 4 framed; anything else is unsupported at its first byte', async (t) => {
  const v4 = bmp(0, Buffer.alloc(10), 4);
  t.equal(frameAll([v4])[0]!.version, 4);
  for (const version of [0, 1, 2, 5, 255]) {
    const framer = new BmpFramer({ streamOffset: 100 });
    t.match(caught(() => framer.push(u8(version))), { kind: 'unsupported', field: 'bmp.header.version', offset: 100 });
  }
  // After a good message, the bad version is reported at its own offset.
  const framer = new BmpFramer();
  const good = bmp(4, Buffer.alloc(0));
  t.match(caught(() => framer.push(cat(good, u8(1), u32(50)))), { kind: 'unsupported', offset: good.length });
});

t.test('length: below 6 or above the cap is malformed, before any allocation', async (t) => {
  for (const length of [0, 5]) {
    t.match(caught(() => new BmpFramer().push(cat(u8(3), u32(length), u8(0)))), { kind: 'malformed', field: 'bmp.header.length', offset: 1 });
  }
  const framer = new BmpFramer({ maxMessageBytes: 65536 });
  t.match(caught(() => framer.push(cat(u8(3), u32(65537), u8(0)))), { kind: 'malformed', field: 'bmp.header.length', message: /65537 outside 6\.\.65536/ });
  t.equal(framer.retainedBytes, 0);
  // 4 GB declared, header split across pushes: refused when the 6th byte arrives.
  const f2 = new BmpFramer();
  f2.push(Buffer.from([3, 0xff, 0xff]));
  t.match(caught(() => f2.push(Buffer.from([0xff, 0xff, 0]))), { kind: 'malformed', field: 'bmp.header.length' });
  t.ok(f2.retainedBytes <= 6);
  // Exactly the cap is accepted.
  const cap = 65536;
  const big = bmp(9, Buffer.alloc(cap - 6));
  t.equal(frameAll([big], new BmpFramer({ maxMessageBytes: cap })).length, 1);
});

t.test('failure is sticky; messages before the error are delivered', async (t) => {
  const framer = new BmpFramer();
  const frames: BmpFrame[] = [];
  const good = bmp(4, tlv(2, 'x'));
  const err = caught(() => framer.push(cat(good, good, u8(7)), frames));
  t.ok(err instanceof ParseError);
  t.equal(frames.length, 2, 'the two good messages were framed');
  t.equal(caught(() => framer.push(good)), err);
  t.equal(caught(() => framer.end()), err);
  t.equal(framer.error, err);
});

t.test('end(): clean at a boundary; truncated inside a header or a message', async (t) => {
  t.doesNotThrow(() => frameAll([STREAM]));
  const inHeader = new BmpFramer();
  inHeader.push(STREAM.subarray(0, 3));
  t.match(caught(() => inHeader.end()), { kind: 'truncated', field: 'bmp.header', offset: 0, required: 6, remaining: 3 });
  const inBody = new BmpFramer();
  inBody.push(STREAM.subarray(0, 40));
  t.match(caught(() => inBody.end()), { kind: 'truncated', field: 'bmp.message', offset: 27, required: 60, remaining: 13 });
});

t.test('options are checked', async (t) => {
  t.throws(() => new BmpFramer({ maxMessageBytes: BMP_FRAMER_MIN_CAP - 1 }), RangeError);
  t.throws(() => new BmpFramer({ maxMessageBytes: 1.5e9 }), RangeError);
  t.throws(() => new BmpFramer({ streamOffset: -1 }), RangeError);
  t.equal(new BmpFramer().maxMessageBytes, 1024 * 1024);
});
