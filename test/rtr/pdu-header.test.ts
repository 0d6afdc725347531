/**
 * The common header (RFC 8210 §5.1, 8210bis §5.1): version, type, length,
 * the order of those checks, constants and name lookups, and round trips
 * of every sample PDU.
 */
import t from 'tap';
import { PDU_MIN_VERSION, PduType, RTR_MAX_VERSION, isPayloadPdu, isPduType, pduTypeName } from '../../src/rtr/pdu.js';
import { RtrErrorCode, RtrParseError, errorCodeName, isErrorCodeInVersion, isFatalErrorCode } from '../../src/rtr/pdu-error.js';
import { RTR_MAX_PDU_LENGTH } from '../../src/rtr/pdu-header.js';
import { decodePdu, encodePdu } from '../../src/rtr/pdu-codec.js';
import { ParseError } from '../../src/wire/parse-error.js';
import { caught } from '../helpers/errors.js';
import { ALL_SAMPLES, plain } from './helpers/samples.js';

t.test('every sample PDU of every version survives encode → decode → encode', async (t) => {
  for (const pdu of ALL_SAMPLES) {
    const bytes = encodePdu(pdu);
    t.equal(bytes.readUInt32BE(4), bytes.length, `${pduTypeName(pdu.type)} v${pdu.version} length field`);
    const back = decodePdu(bytes);
    t.same(plain(back), plain(pdu), `${pduTypeName(pdu.type)} v${pdu.version}`);
    t.same(encodePdu(back), bytes);
  }
});

t.test('unknown protocol version: code 4, checked before anything else', async (t) => {
  const pdu = Buffer.from([
    0x03, // version 3: unknown
    0x63, // type 99: unknown too, but the version is reported
    0x00, 0x00, // session
    0x00, 0x00, 0x00, 0x02, // length 2: wrong too
  ]);
  t.match(caught(() => decodePdu(pdu, 7)), {
    name: 'RtrParseError', kind: 'unsupported', field: 'rtr.header.version', offset: 7, errorCode: 4, pduType: 99, replyAllowed: true,
    message: /unsupported: rtr.header.version at offset 7: protocol version 3 \(we speak 0, 1 and 2\) \[RTR error 4: Unsupported Protocol Version\]/,
  });
  // An Error Report of an unknown version gets no reply (8210bis §7).
  t.match(caught(() => decodePdu(Buffer.from([0x03, 0x0a, 0, 4, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0]))), {
    errorCode: 4, pduType: 10, replyAllowed: false,
  });
});

t.test('unknown PDU types: code 5 at offset 1 (5 and 255 are Reserved)', async (t) => {
  for (const type of [5, 12, 127, 255]) {
    t.match(caught(() => decodePdu(Buffer.from([0x02, type, 0, 0, 0, 0, 0, 8]), 20)), {
      kind: 'unsupported', field: 'rtr.header.type', offset: 21, errorCode: 5, pduType: type, message: new RegExp(`PDU type ${type}`),
    });
  }
});

t.test('types that exist only in later versions: code 5', async (t) => {
  t.same(PDU_MIN_VERSION[PduType.RouterKey], 1);
  t.same(PDU_MIN_VERSION[PduType.Aspa], 2);
  t.match(caught(() => decodePdu(Buffer.from([0x00, 0x09, 1, 0, 0, 0, 0, 8]))), { errorCode: 5, field: 'rtr.header.type' });
  t.match(caught(() => decodePdu(Buffer.from([0x01, 0x0b, 1, 0, 0, 0, 0, 8]))), { errorCode: 5, field: 'rtr.header.type' });
});

t.test('the length field must match the bytes given', async (t) => {
  const cacheReset = Buffer.from([0x01, 0x08, 0, 0, 0, 0, 0, 8]);
  t.match(caught(() => decodePdu(Buffer.concat([cacheReset, Buffer.from([0])]))), {
    field: 'rtr.header.length', offset: 4, errorCode: 0, message: /length field 8 but the PDU has 9 bytes/,
  });
  const lying = Buffer.from([0x01, 0x08, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  t.match(caught(() => decodePdu(lying)), { field: 'rtr.header.length', errorCode: 0 });
});

t.test('fewer than 8 bytes: a truncated header, typed', async (t) => {
  t.match(caught(() => decodePdu(Buffer.from([0x01, 0x02, 0x00]), 9)), {
    name: 'RtrParseError', kind: 'truncated', field: 'rtr.header.session', offset: 11, required: 2, remaining: 1, errorCode: 0, pduType: 2,
  });
  t.match(caught(() => decodePdu(Buffer.alloc(0))), { kind: 'truncated', field: 'rtr.header.version', errorCode: 0, pduType: undefined });
  t.match(caught(() => decodePdu(Buffer.from([0x01]))), { kind: 'truncated', field: 'rtr.header.type', pduType: undefined });
});

t.test('version 2 PDUs longer than 65,535 bytes are Corrupt Data (8210bis §5.1)', async (t) => {
  const big = Buffer.alloc(65536);
  big.set([0x02, 0x0a, 0x00, 0x00]);
  big.writeUInt32BE(65536, 4);
  big.writeUInt32BE(65536 - 16, 8);
  t.match(caught(() => decodePdu(big)), { field: 'rtr.header.length', offset: 4, errorCode: 0, replyAllowed: false, message: /exceeds 65,535/ });
  // Version 1 sets no limit in the PDU itself; the framer's cap applies.
  big[0] = 0x01;
  t.match(decodePdu(big), { type: 10, version: 1 });
  t.equal(RTR_MAX_PDU_LENGTH, 65535);
});

t.test('an RtrParseError is a ParseError with the RTR code', async (t) => {
  const err = caught(() => decodePdu(Buffer.from([0x09])));
  t.type(err, RtrParseError);
  t.type(err, ParseError);
  t.type(err, Error);
});

t.test('constants and name lookups', async (t) => {
  t.equal(RTR_MAX_VERSION, 2);
  t.equal(pduTypeName(PduType.Ipv6Prefix), 'IPv6 Prefix');
  t.equal(pduTypeName(5), 'unknown PDU type 5');
  t.ok(isPduType(11));
  t.notOk(isPduType(5));
  t.equal(errorCodeName(RtrErrorCode.AspaProviderListError), 'ASPA Provider List Error');
  t.equal(errorCodeName(RtrErrorCode.CacheShutdown), 'Cache Shutdown');
  t.equal(errorCodeName(42), 'unknown error code 42');
  t.ok(isErrorCodeInVersion(7, 0));
  t.notOk(isErrorCodeInVersion(8, 0));
  t.notOk(isErrorCodeInVersion(1.5, 2));
  t.notOk(isErrorCodeInVersion(-1, 2));
  t.same(
    Object.values(RtrErrorCode).filter((c) => !isFatalErrorCode(c)),
    [RtrErrorCode.NoDataAvailable, RtrErrorCode.UnsupportedProtocolVersion, RtrErrorCode.CacheRestart],
  );
  t.same(ALL_SAMPLES.filter(isPayloadPdu).map((p) => p.type), [4, 4, 6, 6, 4, 4, 6, 6, 9, 9, 4, 4, 6, 6, 9, 9, 11, 11, 11]);
});

t.test('encodePdu refuses unknown versions', async (t) => {
  t.match(caught(() => encodePdu({ type: 2, version: 3 as 2 })), { name: 'RangeError', message: /rtr.header.version: 3/ });
});
