/**
 * Router Key (type 9): versions 1 and 2 only (RFC 8210 §5.10, 8210bis
 * §5.11); SKI, ASN, and the SPKI's outer DER SEQUENCE.
 */
import t from 'tap';
import { decodePdu, encodePdu } from '../../src/rtr/pdu-codec.js';
import { derSequenceProblem } from '../../src/rtr/codec/router-key.js';
import { caught } from '../helpers/errors.js';
import { SKI_20, SPKI_91, asn, plain } from './helpers/samples.js';

function routerKey(version: number, flags: number, spki: Buffer): Buffer {
  const length = 32 + spki.length;
  return Buffer.concat([
    Buffer.from([
      version, // version
      0x09, // type 9 Router Key
      flags, // flags
      0x00, // zero
      length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff, // length 32 + SPKI
    ]),
    SKI_20, // SKI, 20 bytes
    Buffer.from([0x00, 0x00, 0xfb, 0xf1]), // ASN 64497
    spki, // SPKI
  ]);
}

t.test('Router Key: flags, SKI, ASN and SPKI in versions 1 and 2', async (t) => {
  for (const version of [1, 2] as const) {
    const pdu = routerKey(version, 0x01, SPKI_91);
    t.equal(pdu.length, 123);
    const decoded = decodePdu(pdu);
    t.same(plain(decoded), {
      type: 9, version, announce: true, ski: SKI_20.toString('hex'), asn: 64497, spki: SPKI_91.toString('hex'),
    }, `v${version}`);
    t.same(encodePdu(decoded), pdu);
    t.match(decodePdu(routerKey(version, 0x00, SPKI_91)), { announce: false });
  }
});

t.test('Router Key: the zero byte after Flags is ignored; other flag bits too', async (t) => {
  const pdu = routerKey(1, 0xf1, SPKI_91);
  pdu[3] = 0x7f;
  t.match(decodePdu(pdu), { type: 9, announce: true });
  const again = encodePdu(decodePdu(pdu));
  t.equal(again[2], 0x01);
  t.equal(again[3], 0x00);
});

t.test('Router Key does not exist in version 0: Unsupported PDU Type', async (t) => {
  t.match(caught(() => decodePdu(routerKey(0, 1, SPKI_91), 10)), {
    kind: 'unsupported', field: 'rtr.header.type', offset: 11, errorCode: 5, pduType: 9, message: /Router Key does not exist in protocol version 0/,
  });
  t.match(caught(() => encodePdu({ type: 9, version: 0 as 1, announce: true, ski: SKI_20, asn: asn(1), spki: SPKI_91 })), {
    name: 'RangeError', message: /Router Key does not exist in protocol version 0/,
  });
});

t.test('Router Key shorter than SKI + ASN is Corrupt Data', async (t) => {
  const pdu = routerKey(1, 1, Buffer.alloc(0)).subarray(0, 28);
  pdu.writeUInt32BE(28, 4);
  t.match(caught(() => decodePdu(pdu)), { field: 'rtr.header.length', offset: 4, errorCode: 0, message: /at least 32/ });
});

t.test('Router Key SPKI must be exactly one DER SEQUENCE (offset 32)', async (t) => {
  const bad: Array<[string, Buffer, RegExp]> = [
    ['empty', Buffer.alloc(0), /too short/],
    ['not a SEQUENCE', Buffer.from([0x04, 0x01, 0x00]), /tag 0x4/],
    ['declares more', Buffer.from([0x30, 0x05, 0x00]), /declares 7 bytes but the PDU holds 3/],
    ['declares less', Buffer.from([0x30, 0x00, 0x00]), /declares 2 bytes/],
    ['indefinite length', Buffer.from([0x30, 0x80, 0x00, 0x00]), /indefinite/],
    ['non-minimal length', Buffer.from([0x30, 0x81, 0x01, 0x00]), /minimally/],
    ['length of length too big', Buffer.from([0x30, 0x84, 0, 0, 0, 1, 0]), /takes 4 bytes/],
    ['ends in its length', Buffer.from([0x30, 0x82, 0x01]), /inside its length/],
  ];
  for (const [name, spki, message] of bad) {
    t.match(caught(() => decodePdu(routerKey(2, 1, spki), 200)), {
      kind: 'malformed', field: 'rtr.routerKey.spki', offset: 232, errorCode: 0, pduType: 9, message,
    }, name);
    t.match(caught(() => encodePdu({ type: 9, version: 2, announce: true, ski: SKI_20, asn: asn(1), spki })), { name: 'RangeError' }, `encode ${name}`);
  }
  // Long-form lengths that are minimal are fine.
  const long = Buffer.concat([Buffer.from([0x30, 0x81, 0x80]), Buffer.alloc(0x80)]);
  t.equal(derSequenceProblem(long), undefined);
  const longer = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00]), Buffer.alloc(0x100)]);
  t.equal(derSequenceProblem(longer), undefined);
  t.match(decodePdu(routerKey(1, 1, longer)), { type: 9, spki: longer });
});

t.test('encoding refuses an SKI that is not 20 bytes and an ASN out of range', async (t) => {
  t.match(caught(() => encodePdu({ type: 9, version: 1, announce: true, ski: SKI_20.subarray(1), asn: asn(1), spki: SPKI_91 })), {
    name: 'RangeError', message: /rtr.routerKey.ski: 19 bytes/,
  });
  t.match(caught(() => encodePdu({ type: 9, version: 1, announce: true, ski: SKI_20, asn: asn(-1), spki: SPKI_91 })), {
    message: /rtr.routerKey.asn/,
  });
});

t.test('decoded SKI and SPKI are views of the input (zero-copy)', async (t) => {
  const pdu = routerKey(1, 1, SPKI_91);
  const decoded = decodePdu(pdu);
  if (decoded.type !== 9) throw new Error('expected a Router Key');
  t.equal(decoded.ski.buffer, pdu.buffer);
  t.equal(decoded.spki.buffer, pdu.buffer);
});
