/**
 * The MRT record framer (RFC 6396 §2, §3): identical records however the
 * stream is cut, the ET microsecond field, the length cap before any
 * allocation, records before damage still delivered, truncation at end().
 */
import t from 'tap';
import { MRT_MAX_RECORD_LENGTH, MrtFramer, type MrtRecord } from '../../src/mrt/framer.js';
import { MrtError } from '../../src/mrt/mrt-error.js';
import { caught } from '../helpers/errors.js';
import { bytes, mrtRecord, u16, u32 } from './helpers/build.js';

const A = mrtRecord(13, 2, Uint8Array.from([1, 2, 3, 4, 5]), { timestamp: 100 });
const B = mrtRecord(17, 4, Uint8Array.from([9, 8, 7]), { timestamp: 200, microseconds: 123456 });
const C = mrtRecord(16, 1, new Uint8Array(0), { timestamp: 300 });
const D = mrtRecord(12, 1, new Uint8Array(300).fill(7), { timestamp: 400 });
const STREAM = bytes(A, B, C, D);

const summary = (records: MrtRecord[]): string[] =>
  records.map((r) => `${r.offset} ${r.timestamp}.${r.microseconds} ${r.type}/${r.subtype} @${r.bodyOffset} ${Buffer.from(r.body).toString('hex')}`);

function frameAll(chunks: Uint8Array[], framer = new MrtFramer()): MrtRecord[] {
  const out: MrtRecord[] = [];
  for (const c of chunks) out.push(...framer.push(c));
  framer.end();
  return out;
}

t.test('one chunk: every record with its offset, header fields and body view', async (t) => {
  const records = frameAll([STREAM]);
  t.same(summary(records), [
    `0 100.0 13/2 @12 0102030405`,
    `${A.length} 200.123456 17/4 @${A.length + 16} 090807`,
    `${A.length + B.length} 300.0 16/1 @${A.length + B.length + 12} `,
    `${A.length + B.length + C.length} 400.0 12/1 @${A.length + B.length + C.length + 12} ${'07'.repeat(300)}`,
  ]);
  // Inside one chunk, bodies are views of it.
  t.equal(records[0]!.body.buffer, STREAM.buffer);
});

t.test('cut into two chunks at every byte boundary, and one byte at a time: identical records', async (t) => {
  const expected = summary(frameAll([STREAM]));
  for (let cut = 0; cut <= STREAM.length; cut++) {
    const got = summary(frameAll([STREAM.subarray(0, cut), STREAM.subarray(cut)]));
    if (JSON.stringify(got) !== JSON.stringify(expected)) t.same(got, expected, `cut at ${cut}`);
  }
  const framer = new MrtFramer();
  const records: MrtRecord[] = [];
  let maxRetained = 0;
  for (let i = 0; i < STREAM.length; i++) {
    records.push(...framer.push(STREAM.subarray(i, i + 1)));
    maxRetained = Math.max(maxRetained, framer.retainedBytes);
  }
  framer.end();
  t.same(summary(records), expected);
  t.equal(maxRetained, D.length, 'never more than the largest record retained');
  t.equal(framer.streamOffset, STREAM.length);
});

t.test('records stay valid after later pushes (the framer never reuses memory it handed out)', async (t) => {
  const framer = new MrtFramer();
  const held: MrtRecord[] = [];
  for (let i = 0; i < STREAM.length; i += 7) held.push(...framer.push(Uint8Array.from(STREAM.subarray(i, i + 7))));
  framer.end();
  t.same(summary(held), summary(frameAll([STREAM])));
});

t.test('a length above the cap is an error before anything is allocated, with the records before it', async (t) => {
  const huge = bytes(u32(1), u16(13), u16(2), u32(MRT_MAX_RECORD_LENGTH + 1));
  const framer = new MrtFramer();
  const records = framer.push(bytes(A, huge));
  t.equal(records.length, 1, 'the whole record before the damage is delivered');
  t.match(framer.error, { kind: 'malformed', field: 'mrt.header.length', offset: A.length + 8, recordOffset: A.length, recordType: 13, recordSubtype: 2 });
  t.match(caught(() => framer.push(A)), framer.error, 'sticky: the next push throws it');
  t.match(caught(() => framer.end()), framer.error);
  t.equal(framer.retainedBytes, 0);
  // Alone in its chunk, it throws at once.
  const e = caught(() => new MrtFramer().push(huge));
  t.ok(e instanceof MrtError);
  t.match((e as Error).message, /TABLE_DUMP_V2\/RIB_IPV4_UNICAST record at offset 0: malformed: mrt.header.length/);
  // Split so that the header completes in a later chunk.
  const split = new MrtFramer();
  split.push(huge.subarray(0, 5));
  t.match(caught(() => split.push(huge.subarray(5))), { field: 'mrt.header.length', recordOffset: 0 });
  t.match(caught(() => new MrtFramer({ maxRecordLength: 1024 }).push(D.length > 1024 ? D : mrtRecord(13, 2, new Uint8Array(1025)))), { field: 'mrt.header.length' });
});

t.test('an _ET record too short for its microsecond field is malformed', async (t) => {
  const short = bytes(u32(1), u16(17), u16(4), u32(3), [0, 0, 0]);
  t.match(caught(() => new MrtFramer().push(short)), { kind: 'malformed', field: 'mrt.header.length', recordType: 17, recordSubtype: 4 });
});

t.test('end() inside a header or a body: truncated, naming the record', async (t) => {
  const f1 = new MrtFramer();
  f1.push(bytes(A, D.subarray(0, 7)));
  t.match(caught(() => f1.end()), { kind: 'truncated', field: 'mrt.header', offset: A.length, recordOffset: A.length, recordType: undefined, required: 12, remaining: 7 });
  const f2 = new MrtFramer();
  f2.push(bytes(A, D.subarray(0, 100)));
  const e = caught(() => f2.end());
  t.match(e, { kind: 'truncated', field: 'mrt.body', offset: A.length + 12, recordOffset: A.length, recordType: 12, recordSubtype: 1, required: 300, remaining: 88 });
  t.match((e as Error).message, new RegExp(`TABLE_DUMP/AFI_IPv4 record at offset ${A.length}: truncated: mrt.body`));
  t.equal(f2.bufferedBytes, 100);
  t.equal(f2.retainedBytes, D.length);
});

t.test('options are checked', async (t) => {
  t.throws(() => new MrtFramer({ maxRecordLength: 10 }), RangeError);
  t.throws(() => new MrtFramer({ streamOffset: -1 }), RangeError);
  const f = new MrtFramer({ streamOffset: 1000 });
  t.equal(f.push(A)[0]!.offset, 1000);
});

t.test('MrtError.withSource names the file once', async (t) => {
  const e = caught(() => new MrtFramer().push(bytes(u32(1), u16(13), u16(2), u32(0xffffffff)))) as MrtError;
  const named = e.withSource('rib.bz2');
  t.match(named.message, /^rib\.bz2: TABLE_DUMP_V2\/RIB_IPV4_UNICAST record at offset 0: malformed: mrt\.header\.length at offset 8: length 4294967295 exceeds/);
  t.equal(named.withSource('other'), named);
  t.equal(named.kind, 'malformed');
  t.same(named.record, { offset: 0, type: 13, subtype: 2 });
});
