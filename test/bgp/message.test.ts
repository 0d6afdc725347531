import t from 'tap';
import { BgpMessageType, bgpMessageTypeName, encodeBgpMessage, readBgpMessage } from '../../src/bgp/message.js';
import { ParseError } from '../../src/wire/parse-error.js';
import { caught } from '../helpers/errors.js';

const MARKER = new Array<number>(16).fill(0xff);
const msg = (length: number, type: number, body: number[] = []): Uint8Array => Uint8Array.from([...MARKER, length >> 8, length & 0xff, type, ...body]);

t.test('a KEEPALIVE: 19 octets, empty body', async (t) => {
  const m = readBgpMessage(msg(19, 4));
  t.equal(m.type, BgpMessageType.keepalive);
  t.equal(m.length, 19);
  t.equal(m.body.length, 0);
});

t.test('the body is a view of exactly length - 19 octets; bytes after the message are left alone', async (t) => {
  const bytes = Uint8Array.from([...msg(23, 2, [0, 0, 0, 0]), 0xaa, 0xbb]);
  const m = readBgpMessage(bytes);
  t.equal(m.type, 2);
  t.equal(m.length, 23);
  t.same([...m.body], [0, 0, 0, 0]);
  t.equal(m.body.buffer, bytes.buffer, 'no copy');
  t.equal(m.body.byteOffset, bytes.byteOffset + 19);
});

t.test('marker: every octet must be 0xff (RFC 4271 §4.1)', async (t) => {
  for (let i = 0; i < 16; i++) {
    const bytes = msg(19, 4);
    bytes[i] = 0xfe;
    t.match(caught(() => readBgpMessage(bytes, { streamOffset: 100 })), { kind: 'malformed', field: 'bgp.header.marker', offset: 100 + i });
  }
});

t.test('length: 19..4096 by default, up to 65535 with maxLength (RFC 8654)', async (t) => {
  t.match(caught(() => readBgpMessage(msg(18, 4))), { kind: 'malformed', field: 'bgp.header.length', offset: 16 });
  t.match(caught(() => readBgpMessage(msg(0, 4))), { kind: 'malformed', field: 'bgp.header.length' });
  const big = new Uint8Array(4097);
  big.set(msg(4097, 2));
  t.match(caught(() => readBgpMessage(big)), { kind: 'malformed', field: 'bgp.header.length', message: /4097 outside 19..4096/ });
  t.equal(readBgpMessage(big, { maxLength: 65535 }).body.length, 4097 - 19);
  const max = new Uint8Array(65535);
  max.set(msg(65535, 2));
  t.equal(readBgpMessage(max, { maxLength: 65535 }).length, 65535);
  const four = new Uint8Array(4096);
  four.set(msg(4096, 2));
  t.equal(readBgpMessage(four).length, 4096, '4096 itself is allowed');
});

t.test('truncated: header cut, body shorter than the length says', async (t) => {
  const whole = msg(23, 2, [0, 0, 0, 0]);
  for (let n = 0; n < 19; n++) {
    t.match(caught(() => readBgpMessage(whole.subarray(0, n), { streamOffset: 7 })), { kind: 'truncated', field: 'bgp.header', offset: 7, required: 19, remaining: n });
  }
  for (let n = 19; n < 23; n++) {
    t.match(caught(() => readBgpMessage(whole.subarray(0, n))), { kind: 'truncated', field: 'bgp.body', offset: 19, required: 4, remaining: n - 19 });
  }
  t.ok(caught(() => readBgpMessage(whole.subarray(0, 5))) instanceof ParseError);
});

t.test('encodeBgpMessage writes marker, length and type; readBgpMessage reads it back', async (t) => {
  const body = Uint8Array.from([1, 2, 3]);
  const bytes = encodeBgpMessage(BgpMessageType.notification, body);
  t.same([...bytes], [...MARKER, 0, 22, 3, 1, 2, 3]);
  const m = readBgpMessage(bytes);
  t.equal(m.type, 3);
  t.same([...m.body], [1, 2, 3]);
  t.throws(() => encodeBgpMessage(2, new Uint8Array(65535 - 18)), RangeError);
});

t.test('type names for logs', async (t) => {
  t.equal(bgpMessageTypeName(2), 'update');
  t.equal(bgpMessageTypeName(5), 'routeRefresh');
  t.equal(bgpMessageTypeName(9), '9');
});
