import t from 'tap';
import { BinaryReader } from '../../src/wire/reader.js';
import { ParseError } from '../../src/wire/parse-error.js';
import { caught } from '../helpers/errors.js';

t.test('reads big-endian integers in order', async (t) => {
  const r = BinaryReader.of(Buffer.from([0x01, 0x02, 0x03, 0xff, 0xff, 0xff, 0xfe, 0x00, 0, 0, 0, 0, 0, 0, 1, 0]));
  t.equal(r.u8('a'), 1);
  t.equal(r.u16('b'), 0x0203);
  t.equal(r.u32('c'), 0xfffffffe);
  t.equal(r.u8('d'), 0);
  t.equal(r.u64('e'), 256n);
  t.ok(r.atEnd);
  t.equal(r.offset, 16);
});

t.test('a short read is a typed truncated error naming field and offset', async (t) => {
  const r = BinaryReader.of(Buffer.from([0, 1, 2]), 100);
  r.u16('first');
  const err = t.throws(() => r.u32('rtr.pdu.length')) as ParseError;
  t.type(err, ParseError);
  t.equal(err.kind, 'truncated');
  t.equal(err.field, 'rtr.pdu.length');
  t.equal(err.offset, 102);
  t.equal(err.required, 4);
  t.equal(err.remaining, 1);
  t.match(err.message, /truncated: rtr.pdu.length at offset 102 \(needs 4 bytes, 1 left\)/);
  // The failed read consumed nothing.
  t.equal(r.u8('last'), 2);
});

t.test('sub() confines reads to a declared length', async (t) => {
  const r = BinaryReader.of(Buffer.from([2, 0xaa, 0xbb, 0xcc]));
  const len = r.u8('len');
  const inner = r.sub(len, 'body');
  t.equal(inner.remaining, 2);
  t.same([...inner.bytes(2, 'body.value')], [0xaa, 0xbb]);
  t.match(caught(() => inner.u8('body.extra')), { kind: 'truncated', field: 'body.extra', offset: 3 });
  t.equal(r.u8('next'), 0xcc);
  t.match(caught(() => r.sub(1, 'more')), { kind: 'truncated' });
});

t.test('bytes() is a zero-copy view', async (t) => {
  const buf = Buffer.from([1, 2, 3, 4]);
  const view = BinaryReader.of(buf).bytes(4, 'all');
  buf[0] = 9;
  t.equal(view[0], 9);
});

t.test('expectEnd, skip, peek, rest and bad lengths', async (t) => {
  const r = BinaryReader.of(Buffer.from([1, 2, 3, 4]));
  t.equal(r.peekU8('p'), 1);
  r.skip(1, 's');
  t.match(caught(() => r.expectEnd('tail')), { kind: 'malformed', field: 'tail', offset: 1 });
  t.match(caught(() => r.bytes(-1, 'neg')), { kind: 'malformed' });
  t.match(caught(() => r.skip(1.5, 'frac')), { kind: 'malformed' });
  t.same([...r.rest()], [2, 3, 4]);
  t.doesNotThrow(() => r.expectEnd('tail'));
  t.match(caught(() => r.malformed('x', 'bad value')), { kind: 'malformed', message: /malformed: x at offset 4: bad value/ });
});

t.test('random input only ever raises ParseError', async (t) => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 16777216;
  for (let n = 0; n < 2000; n++) {
    const r = BinaryReader.of(Buffer.from(Array.from({ length: Math.floor(rand() * 12) }, () => Math.floor(rand() * 256))));
    try {
      for (;;) {
        const op = Math.floor(rand() * 5);
        if (op === 0) r.u8('f');
        else if (op === 1) r.u16('f');
        else if (op === 2) r.u32('f');
        else if (op === 3) r.sub(Math.floor(rand() * 4), 'f');
        else r.bytes(Math.floor(rand() * 4), 'f');
      }
    } catch (e) {
      if (!(e instanceof ParseError)) t.fail(`unexpected ${String(e)}`);
    }
  }
  t.pass('no foreign errors');
});
