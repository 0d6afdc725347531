/**
 * Error Report (type 10) in versions 0-2 (RFC 6810 §5.10, RFC 8210 §5.11,
 * 8210bis §5.8): inner lengths, UTF-8 text, error codes per version, and
 * errorReportFor (the report to send back for a decoding error).
 */
import t from 'tap';
import { RtrParseError } from '../../src/rtr/pdu-error.js';
import { decodePdu, encodePdu, errorReportFor, ERROR_REPORT_TEXT_BYTES } from '../../src/rtr/pdu-codec.js';
import { caught } from '../helpers/errors.js';
import { plain } from './helpers/samples.js';

/** An Error Report with the given code, encapsulated PDU and raw text bytes; lengths can be overridden. */
function report(
  version: number,
  code: number,
  inner: Buffer,
  text: Buffer,
  lengths: { pdu?: number; text?: number } = {},
): Buffer {
  const head = Buffer.alloc(12);
  head[0] = version; // version
  head[1] = 0x0a; // type 10 Error Report
  head.writeUInt16BE(code, 2); // error code
  head.writeUInt32BE(16 + inner.length + text.length, 4); // length
  head.writeUInt32BE(lengths.pdu ?? inner.length, 8); // length of encapsulated PDU
  const textLength = Buffer.alloc(4);
  textLength.writeUInt32BE(lengths.text ?? text.length, 0); // length of text
  return Buffer.concat([head, inner, textLength, text]);
}

const RESET_QUERY_V9 = Buffer.from([0x09, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08]);

t.test('Error Report: code, encapsulated PDU and text, by field', async (t) => {
  const pdu = Buffer.from([
    0x01, // version 1
    0x0a, // type 10 Error Report
    0x00, 0x04, // error code 4 Unsupported Protocol Version
    0x00, 0x00, 0x00, 0x1d, // length 29
    0x00, 0x00, 0x00, 0x08, // length of encapsulated PDU 8
    0x09, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, // erroneous PDU: a version 9 Reset Query
    0x00, 0x00, 0x00, 0x05, // length of text 5
    0x68, 0x65, 0x6c, 0x6c, 0x6f, // "hello"
  ]);
  const decoded = decodePdu(pdu);
  t.same(plain(decoded), { type: 10, version: 1, errorCode: 4, erroneousPdu: RESET_QUERY_V9.toString('hex'), text: 'hello' });
  t.same(encodePdu(decoded), pdu);
});

t.test('Error Report: no PDU and no text (16 bytes), multibyte UTF-8, a trailing NUL as StayRTR sends', async (t) => {
  t.same(plain(decodePdu(report(0, 2, Buffer.alloc(0), Buffer.alloc(0)))), { type: 10, version: 0, errorCode: 2, erroneousPdu: '', text: '' });
  t.match(decodePdu(report(2, 0, Buffer.alloc(0), Buffer.from('Grüße 🙂', 'utf8'))), { text: 'Grüße 🙂' });
  t.match(decodePdu(report(1, 1, Buffer.alloc(0), Buffer.from('oops\0', 'utf8'))), { text: 'oops\0' });
});

t.test('Error Report: the encapsulated PDU length must leave room for the text length', async (t) => {
  // 8 bytes of PDU declared as 9: the text length would start inside the PDU.
  t.match(caught(() => decodePdu(report(1, 0, RESET_QUERY_V9, Buffer.alloc(0), { pdu: 9 }), 500)), {
    kind: 'malformed', field: 'rtr.errorReport.pduLength', offset: 508, errorCode: 0, pduType: 10, replyAllowed: false,
    message: /encapsulated PDU of 9 bytes does not fit: 8 bytes left/,
  });
  t.match(caught(() => decodePdu(report(1, 0, RESET_QUERY_V9, Buffer.alloc(0), { pdu: 0xffffffff }))), {
    field: 'rtr.errorReport.pduLength', replyAllowed: false,
  });
});

t.test('Error Report: the text length must use exactly the rest of the PDU', async (t) => {
  const text = Buffer.from('abc');
  t.match(caught(() => decodePdu(report(1, 0, RESET_QUERY_V9, text, { text: 2 }), 500)), {
    field: 'rtr.errorReport.textLength', offset: 520, errorCode: 0, replyAllowed: false, message: /text length 2, but 3 bytes are left/,
  });
  t.match(caught(() => decodePdu(report(1, 0, RESET_QUERY_V9, text, { text: 4 }), 500)), { field: 'rtr.errorReport.textLength' });
  // A shorter encapsulated length shifts the text length field into the PDU bytes.
  t.match(caught(() => decodePdu(report(1, 0, RESET_QUERY_V9, text, { pdu: 4 }))), { field: 'rtr.errorReport.textLength', replyAllowed: false });
});

t.test('Error Report: text that is not UTF-8 is Corrupt Data, and no reply', async (t) => {
  for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x61, 0x80]]) {
    t.match(caught(() => decodePdu(report(2, 0, RESET_QUERY_V9, Buffer.from(bad)), 500)), {
      field: 'rtr.errorReport.text', offset: 524, errorCode: 0, replyAllowed: false, message: /not valid UTF-8/,
    }, Buffer.from(bad).toString('hex'));
  }
});

t.test('Error Report: codes are those of the PDU version (RFC 6810 0-7, RFC 8210 0-8, 8210bis 0-13)', async (t) => {
  const ok: Array<[number, number]> = [[0, 7], [1, 8], [2, 9], [2, 13]];
  for (const [version, code] of ok) t.match(decodePdu(report(version, code, Buffer.alloc(0), Buffer.alloc(0))), { errorCode: code });
  const bad: Array<[number, number]> = [[0, 8], [1, 9], [2, 14], [2, 255]];
  for (const [version, code] of bad) {
    t.match(caught(() => decodePdu(report(version, code, Buffer.alloc(0), Buffer.alloc(0)), 30)), {
      field: 'rtr.errorReport.errorCode', offset: 32, errorCode: 0, replyAllowed: false,
    }, `v${version} code ${code}`);
    t.match(caught(() => encodePdu({ type: 10, version: version as 0, errorCode: code as 0, erroneousPdu: Buffer.alloc(0), text: '' })), {
      name: 'RangeError', message: /errorCode/,
    });
  }
});

t.test('Error Report shorter than 16 bytes is Corrupt Data, no reply', async (t) => {
  const pdu = report(1, 0, Buffer.alloc(0), Buffer.alloc(0)).subarray(0, 12);
  pdu.writeUInt32BE(12, 4);
  t.match(caught(() => decodePdu(pdu)), { field: 'rtr.header.length', errorCode: 0, replyAllowed: false, message: /at least 16/ });
});

t.test('encoding refuses text UTF-8 cannot carry', async (t) => {
  t.match(caught(() => encodePdu({ type: 10, version: 1, errorCode: 0, erroneousPdu: Buffer.alloc(0), text: 'a\ud800b' })), {
    name: 'RangeError', message: /lone surrogate/,
  });
  t.doesNotThrow(() => encodePdu({ type: 10, version: 1, errorCode: 0, erroneousPdu: Buffer.alloc(0), text: '🙂' }));
});

t.test('errorReportFor: the report to send back for a decoding error', async (t) => {
  const hostBits = Buffer.from([1, 4, 0, 0, 0, 0, 0, 20, 1, 24, 24, 0, 192, 0, 2, 1, 0, 0, 0, 1]);
  const err = caught(() => decodePdu(hostBits, 64)) as RtrParseError;
  t.type(err, RtrParseError);
  const out = errorReportFor(err, 1);
  t.same(plain(out!), {
    type: 10,
    version: 1,
    errorCode: 0,
    erroneousPdu: hostBits.toString('hex'),
    text: 'malformed: rtr.ipv4Prefix.prefix at offset 76: host bits set past /24 (8210bis §5.9: must be zero) [RTR error 0: Corrupt Data]',
  });
  t.same(decodePdu(encodePdu(out!)).type, 10);

  // No reply to an erroneous Error Report.
  const badReport = caught(() => decodePdu(report(1, 99, Buffer.alloc(0), Buffer.alloc(0)))) as RtrParseError;
  t.equal(errorReportFor(badReport, 1), undefined);

  // A code the session's version does not define becomes Corrupt Data (8210bis §12).
  const aspaError = caught(() => decodePdu(Buffer.from([2, 11, 1, 0, 0, 0, 0, 12, 0, 0, 0, 1]))) as RtrParseError;
  t.equal(aspaError.errorCode, 9);
  t.equal(errorReportFor(aspaError, 2)!.errorCode, 9);
  t.equal(errorReportFor(aspaError, 1)!.errorCode, 0);
});

t.test('errorReportFor keeps the report within 65,535 bytes and the text within its budget', async (t) => {
  const big = Buffer.alloc(70000, 0x41);
  const err = new RtrParseError({
    kind: 'malformed', field: 'x', offset: 0, reason: '€'.repeat(1000), errorCode: 0, pduType: 4, erroneousPdu: big,
  });
  const out = errorReportFor(err, 2)!;
  t.ok(Buffer.byteLength(out.text) <= ERROR_REPORT_TEXT_BYTES);
  t.ok(out.text.endsWith('€'), 'cut between code points');
  const encoded = encodePdu(out);
  t.ok(encoded.length <= 65535);
  t.equal(encoded.length, 65535);
});
