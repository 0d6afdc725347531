/**
 * The control PDUs: Serial Notify (0), Serial Query (1), Reset Query (2),
 * Cache Response (3), End of Data (7) and Cache Reset (8), in versions 0-2
 * (RFC 6810 §5, RFC 8210 §5, 8210bis §5). Bytes are written out by field.
 */
import t from 'tap';
import { decodePdu, encodePdu } from '../../src/rtr/pdu-codec.js';
import { caught } from '../helpers/errors.js';
import { plain } from './helpers/samples.js';

t.test('Serial Notify and Serial Query: session ID and serial in every version', async (t) => {
  for (const version of [0, 1, 2] as const) {
    const notify = Buffer.from([
      version, // version
      0x00, // type 0 Serial Notify
      0x12, 0x34, // session ID 0x1234
      0x00, 0x00, 0x00, 0x0c, // length 12
      0x80, 0x00, 0x00, 0x01, // serial 2^31 + 1 (unsigned)
    ]);
    t.same(plain(decodePdu(notify)), { type: 0, version, sessionId: 0x1234, serial: 0x80000001 }, `notify v${version}`);
    t.same(encodePdu(decodePdu(notify)), notify);

    const query = Buffer.from([
      version, // version
      0x01, // type 1 Serial Query
      0xff, 0xff, // session ID 65535
      0x00, 0x00, 0x00, 0x0c, // length 12
      0xff, 0xff, 0xff, 0xff, // serial 2^32 - 1
    ]);
    t.same(plain(decodePdu(query)), { type: 1, version, sessionId: 0xffff, serial: 0xffffffff }, `query v${version}`);
    t.same(encodePdu(decodePdu(query)), query);
  }
});

t.test('Serial Query length must be exactly 12', async (t) => {
  const short = Buffer.from([
    0x01, 0x01, 0x00, 0x00, // version 1, type 1, session 0
    0x00, 0x00, 0x00, 0x08, // length 8: no serial
  ]);
  t.match(caught(() => decodePdu(short, 100)), {
    name: 'RtrParseError',
    kind: 'malformed',
    field: 'rtr.header.length',
    offset: 104,
    errorCode: 0,
    pduType: 1,
    replyAllowed: true,
    message: /Serial Query v1 is 12 bytes, length field says 8/,
  });
  const long = Buffer.from([
    0x01, 0x00, 0x00, 0x00, // version 1, type 0, session 0
    0x00, 0x00, 0x00, 0x10, // length 16
    0x00, 0x00, 0x00, 0x01, // serial 1
    0x00, 0x00, 0x00, 0x00, // 4 extra bytes
  ]);
  t.match(caught(() => decodePdu(long)), { field: 'rtr.header.length', offset: 4, errorCode: 0 });
});

t.test('Reset Query, Cache Response, Cache Reset: header only, length 8', async (t) => {
  const reset = Buffer.from([
    0x02, // version 2
    0x02, // type 2 Reset Query
    0x00, 0x00, // zero
    0x00, 0x00, 0x00, 0x08, // length 8
  ]);
  t.same(plain(decodePdu(reset)), { type: 2, version: 2 });
  t.same(encodePdu({ type: 2, version: 2 }), reset);

  const response = Buffer.from([
    0x00, // version 0
    0x03, // type 3 Cache Response
    0xbe, 0xef, // session ID 0xbeef
    0x00, 0x00, 0x00, 0x08, // length 8
  ]);
  t.same(plain(decodePdu(response)), { type: 3, version: 0, sessionId: 0xbeef });
  t.same(encodePdu({ type: 3, version: 0, sessionId: 0xbeef }), response);

  const cacheReset = Buffer.from([
    0x01, // version 1
    0x08, // type 8 Cache Reset
    0x00, 0x00, // zero
    0x00, 0x00, 0x00, 0x08, // length 8
  ]);
  t.same(plain(decodePdu(cacheReset)), { type: 8, version: 1 });
  t.same(encodePdu({ type: 8, version: 1 }), cacheReset);
});

t.test('reserved zero fields are ignored on receipt and written as zero (8210bis §5)', async (t) => {
  const reset = Buffer.from([0x01, 0x02, 0xab, 0xcd, 0x00, 0x00, 0x00, 0x08]);
  t.same(plain(decodePdu(reset)), { type: 2, version: 1 });
  t.same(encodePdu(decodePdu(reset)), Buffer.from([0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08]));
});

t.test('header-only PDUs with a body are Corrupt Data', async (t) => {
  for (const type of [2, 3, 8]) {
    const pdu = Buffer.from([0x01, type, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0]);
    t.match(caught(() => decodePdu(pdu)), { field: 'rtr.header.length', offset: 4, errorCode: 0, pduType: type });
  }
});

t.test('End of Data v0: session and serial only, length 12', async (t) => {
  const eod = Buffer.from([
    0x00, // version 0
    0x07, // type 7 End of Data
    0x00, 0x2a, // session ID 42
    0x00, 0x00, 0x00, 0x0c, // length 12
    0x00, 0x00, 0x10, 0x00, // serial 4096
  ]);
  t.same(plain(decodePdu(eod)), { type: 7, version: 0, sessionId: 42, serial: 4096 });
  t.same(encodePdu({ type: 7, version: 0, sessionId: 42, serial: 4096 }), eod);
  // A v1-sized End of Data in a v0 PDU is not v0.
  const v0Long = Buffer.concat([Buffer.from([0x00, 0x07, 0x00, 0x2a, 0, 0, 0, 24]), Buffer.alloc(16)]);
  t.match(caught(() => decodePdu(v0Long)), { field: 'rtr.header.length', errorCode: 0, message: /End of Data v0 is 12 bytes/ });
});

t.test('End of Data v1 and v2: serial and the three timers, length 24', async (t) => {
  for (const version of [1, 2] as const) {
    const eod = Buffer.from([
      version, // version
      0x07, // type 7 End of Data
      0x00, 0x2a, // session ID 42
      0x00, 0x00, 0x00, 0x18, // length 24
      0x00, 0x00, 0x10, 0x00, // serial 4096
      0x00, 0x00, 0x0e, 0x10, // refresh 3600 s
      0x00, 0x00, 0x02, 0x58, // retry 600 s
      0x00, 0x00, 0x1c, 0x20, // expire 7200 s
    ]);
    const pdu = { type: 7, version, sessionId: 42, serial: 4096, refreshInterval: 3600, retryInterval: 600, expireInterval: 7200 };
    t.same(plain(decodePdu(eod)), pdu, `v${version}`);
    t.same(encodePdu(decodePdu(eod)), eod);
    const v0Sized = Buffer.from([version, 0x07, 0x00, 0x2a, 0, 0, 0, 12, 0, 0, 0x10, 0]);
    t.match(caught(() => decodePdu(v0Sized)), { field: 'rtr.header.length', errorCode: 0, message: /End of Data v\d is 24 bytes/ });
  }
});

t.test('End of Data timers out of the §6 ranges are carried, not refused (session policy)', async (t) => {
  const eod = Buffer.from([0x01, 0x07, 0, 1, 0, 0, 0, 24, 0, 0, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
  t.match(decodePdu(eod), { refreshInterval: 0, retryInterval: 0xffffffff, expireInterval: 0 });
});

t.test('encoding refuses out-of-range integers with RangeError naming the field', async (t) => {
  t.match(caught(() => encodePdu({ type: 0, version: 1, sessionId: 0x10000, serial: 1 })), {
    name: 'RangeError',
    message: /rtr.header.session: 65536/,
  });
  t.match(caught(() => encodePdu({ type: 1, version: 1, sessionId: 1, serial: -1 })), { message: /rtr.serialQuery.serial/ });
  t.match(caught(() => encodePdu({ type: 7, version: 1, sessionId: 1, serial: 1, refreshInterval: 1.5, retryInterval: 1, expireInterval: 1 })), {
    message: /rtr.endOfData.refreshInterval/,
  });
});
