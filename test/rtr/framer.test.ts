/**
 * The RTR stream framer: identical PDUs however the stream is cut, the
 * length cap before any allocation, bad headers raised at once, sticky
 * failure, and end() inside a PDU.
 */
import t from 'tap';
import { RtrFramer, type RtrFrame } from '../../src/rtr/framer.js';
import { decodePdu, encodePdu } from '../../src/rtr/pdu-codec.js';
import { caught } from '../helpers/errors.js';
import { ALL_SAMPLES, plain, samplePdus } from './helpers/samples.js';

/** A stream of PDUs of one version, as a server would send it. */
const STREAM_V1 = Buffer.concat(samplePdus(1).map(encodePdu));
const STREAM_V2 = Buffer.concat(samplePdus(2).map(encodePdu));

const summary = (frames: RtrFrame[]): Array<[number, string]> => frames.map((f) => [f.offset, Buffer.from(f.bytes).toString('hex')]);

function frameAll(chunks: Uint8Array[], framer = new RtrFramer()): RtrFrame[] {
  const frames: RtrFrame[] = [];
  for (const c of chunks) frames.push(...framer.push(c));
  framer.end();
  return frames;
}

t.test('one chunk: every PDU, in order, with its offset and header bytes', async (t) => {
  const frames = frameAll([STREAM_V1]);
  t.equal(frames.length, samplePdus(1).length);
  let offset = 0;
  for (const [i, f] of frames.entries()) {
    t.equal(f.offset, offset);
    t.equal(f.version, 1);
    t.equal(f.type, samplePdus(1)[i]!.type);
    t.same(plain(decodePdu(f.bytes, f.offset)), plain(samplePdus(1)[i]!));
    offset += f.bytes.length;
  }
  t.equal(offset, STREAM_V1.length);
  // Within one chunk, frames are views of it.
  t.equal(frames[0]!.bytes.buffer, STREAM_V1.buffer);
});

t.test('cut into two chunks at every byte boundary: identical frames', async (t) => {
  for (const stream of [STREAM_V1, STREAM_V2]) {
    const expected = summary(frameAll([stream]));
    for (let cut = 0; cut <= stream.length; cut++) {
      const got = summary(frameAll([stream.subarray(0, cut), stream.subarray(cut)]));
      if (JSON.stringify(got) !== JSON.stringify(expected)) t.same(got, expected, `cut at ${cut}`);
    }
    t.pass(`${stream.length + 1} cuts of a ${stream.length}-byte stream`);
  }
});

t.test('one byte at a time: identical frames, never more than one PDU retained', async (t) => {
  const expected = summary(frameAll([STREAM_V2]));
  const framer = new RtrFramer();
  const frames: RtrFrame[] = [];
  let maxRetained = 0;
  for (let i = 0; i < STREAM_V2.length; i++) {
    frames.push(...framer.push(STREAM_V2.subarray(i, i + 1)));
    maxRetained = Math.max(maxRetained, framer.retainedBytes);
    t.ok(framer.bufferedBytes <= framer.retainedBytes);
  }
  framer.end();
  t.same(summary(frames), expected);
  t.ok(maxRetained <= 123, `largest sample PDU is a 123-byte Router Key; retained at most ${maxRetained}`);
  t.equal(framer.bufferedBytes, 0);
  t.equal(framer.streamOffset, STREAM_V2.length);
});

t.test('empty chunks change nothing', async (t) => {
  const framer = new RtrFramer();
  t.same(framer.push(Buffer.alloc(0)), []);
  t.same(framer.push(STREAM_V1.subarray(0, 3)), []);
  t.same(framer.push(Buffer.alloc(0)), []);
  t.equal(framer.bufferedBytes, 3);
  t.equal(framer.push(STREAM_V1.subarray(3, 12)).length, 1);
});

t.test('frames assembled across chunks are not overwritten by later pushes', async (t) => {
  const framer = new RtrFramer();
  const first = encodePdu(samplePdus(1)[0]!);
  t.same(framer.push(first.subarray(0, 5)), []);
  const [frame] = framer.push(Buffer.concat([first.subarray(5), first.subarray(0, 5)]));
  const copy = Buffer.from(frame!.bytes);
  framer.push(first.subarray(5));
  t.same(Buffer.from(frame!.bytes), copy);
});

t.test('streamOffset option: offsets in frames and errors are absolute', async (t) => {
  const framer = new RtrFramer({ streamOffset: 1_000_000 });
  const frames = framer.push(STREAM_V1.subarray(0, 24));
  t.equal(frames[0]!.offset, 1_000_000);
  t.equal(frames[1]!.offset, 1_000_012);
  t.equal(framer.streamOffset, 1_000_024);
  t.match(caught(() => framer.push(Buffer.from([0x07]))), { field: 'rtr.header.version', offset: 1_000_024 });
});

t.test('a bad version byte fails at the push that brings it, even alone', async (t) => {
  const framer = new RtrFramer();
  framer.push(STREAM_V1.subarray(0, 12));
  const err = caught(() => framer.push(Buffer.from([0xab])));
  t.match(err, { name: 'RtrParseError', kind: 'unsupported', field: 'rtr.header.version', offset: 12, errorCode: 4, pduType: undefined });
  t.same([...(err as { erroneousPdu: Uint8Array }).erroneousPdu], [0xab]);
  t.equal(framer.error, err);
});

t.test('a length below 8 fails as soon as the header is in', async (t) => {
  for (const length of [0, 3, 7]) {
    const framer = new RtrFramer();
    const head = Buffer.from([0x01, 0x02, 0, 0, 0, 0, 0, length]);
    t.same(framer.push(head.subarray(0, 7)), []);
    const err = caught(() => framer.push(head.subarray(7)));
    t.match(err, { kind: 'malformed', field: 'rtr.header.length', offset: 4, errorCode: 0, pduType: 2, message: /shorter than the 8-byte header/ });
    t.same((err as { erroneousPdu: Uint8Array }).erroneousPdu, head);
  }
});

t.test('a huge length is refused before anything is allocated', async (t) => {
  const framer = new RtrFramer();
  const head = Buffer.from([0x02, 0x0a, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  t.match(caught(() => framer.push(head)), {
    field: 'rtr.header.length', offset: 4, errorCode: 0, replyAllowed: false, message: /length 4294967295 exceeds the 65535-byte cap/,
  });
  t.ok(framer.retainedBytes <= 8);
  const split = new RtrFramer();
  split.push(head.subarray(0, 6));
  t.match(caught(() => split.push(head.subarray(6))), { field: 'rtr.header.length', offset: 4 });
  t.ok(split.retainedBytes <= 8);
  // 65,536 is one too many; 65,535 is accepted and buffered.
  const edge = new RtrFramer();
  t.match(caught(() => edge.push(Buffer.from([0x01, 0x0a, 0, 0, 0, 1, 0, 0]))), { field: 'rtr.header.length' });
  const ok = new RtrFramer();
  t.same(ok.push(Buffer.from([0x01, 0x0a, 0, 0, 0, 0, 0xff, 0xff])), []);
  t.equal(ok.retainedBytes, 65535);
});

t.test('maxPduLength: a smaller cap refuses a Router Key that does not fit', async (t) => {
  const framer = new RtrFramer({ maxPduLength: 100 });
  t.match(caught(() => framer.push(STREAM_V1)), { field: 'rtr.header.length', message: /exceeds the 100-byte cap/ });
  for (const bad of [31, 16 * 1024 * 1024 + 1, 1.5, Number.NaN]) {
    t.match(caught(() => new RtrFramer({ maxPduLength: bad })), { name: 'RangeError', message: /maxPduLength/ });
  }
  t.match(caught(() => new RtrFramer({ streamOffset: -1 })), { name: 'RangeError', message: /streamOffset/ });
  t.equal(new RtrFramer({ maxPduLength: 32 }).maxPduLength, 32);
});

t.test('after an error the framer stays failed: same error on every call', async (t) => {
  const framer = new RtrFramer();
  const err = caught(() => framer.push(Buffer.from([0x05])));
  t.equal(caught(() => framer.push(STREAM_V1)), err);
  t.equal(caught(() => framer.end()), err);
});

t.test('end() inside a header or a PDU is a truncation error; at a boundary it is fine', async (t) => {
  const inHeader = new RtrFramer();
  inHeader.push(STREAM_V1.subarray(0, 15));
  t.match(caught(() => inHeader.end()), {
    kind: 'truncated', field: 'rtr.header', offset: 12, required: 8, remaining: 3, errorCode: 0, pduType: 1,
  });
  const inBody = new RtrFramer();
  inBody.push(STREAM_V1.subarray(0, 22));
  t.match(caught(() => inBody.end()), { kind: 'truncated', field: 'rtr.pdu', offset: 12, required: 12, remaining: 10 });
  const oneByte = new RtrFramer();
  oneByte.push(STREAM_V1.subarray(0, 1));
  t.match(caught(() => oneByte.end()), { field: 'rtr.header', pduType: undefined });
  const clean = new RtrFramer();
  clean.push(STREAM_V1.subarray(0, 24));
  t.doesNotThrow(() => clean.end());
});

t.test('an unknown type is framed by its length and refused by the decoder with code 5', async (t) => {
  const framer = new RtrFramer();
  const odd = Buffer.from([0x02, 0x63, 0, 0, 0, 0, 0, 10, 0xaa, 0xbb]);
  const frames = framer.push(Buffer.concat([odd, encodePdu(ALL_SAMPLES[0]!)]));
  t.equal(frames.length, 2);
  t.match(caught(() => decodePdu(frames[0]!.bytes, frames[0]!.offset)), { errorCode: 5, field: 'rtr.header.type', offset: 1 });
  t.match(decodePdu(frames[1]!.bytes, frames[1]!.offset), { type: 0 });
});
