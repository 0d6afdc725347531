/**
 * ASPA (type 11), version 2 only, in the draft-ietf-sidrops-8210bis-27
 * §5.12 layout: Flags in the header, customer, providers; no AFI, no count.
 */
import t from 'tap';
import { decodePdu, encodePdu } from '../../src/rtr/pdu-codec.js';
import { caught } from '../helpers/errors.js';
import { asn, plain } from './helpers/samples.js';

function aspa(flags: number, customer: number, providers: number[], version = 2): Buffer {
  const b = Buffer.alloc(12 + 4 * providers.length);
  b[0] = version; // version
  b[1] = 0x0b; // type 11 ASPA
  b[2] = flags; // flags
  b[3] = 0x00; // zero
  b.writeUInt32BE(b.length, 4); // length
  b.writeUInt32BE(customer, 8); // customer ASN
  providers.forEach((p, i) => b.writeUInt32BE(p, 12 + 4 * i)); // provider ASNs
  return b;
}

t.test('ASPA announcement: flags, customer and providers', async (t) => {
  const pdu = Buffer.from([
    0x02, // version 2
    0x0b, // type 11 ASPA
    0x01, // flags: announce
    0x00, // zero
    0x00, 0x00, 0x00, 0x18, // length 24
    0x00, 0x00, 0xfb, 0xf4, // customer AS64500
    0x00, 0x00, 0xfb, 0xf5, // provider AS64501
    0x00, 0x00, 0xfb, 0xf6, // provider AS64502
    0xfa, 0x56, 0xea, 0x01, // provider AS4200000001
  ]);
  const decoded = decodePdu(pdu);
  t.same(plain(decoded), { type: 11, version: 2, announce: true, customer: 64500, providers: [64501, 64502, 4200000001] });
  t.same(encodePdu(decoded), pdu);
});

t.test('ASPA withdrawal: customer only, length 12', async (t) => {
  const pdu = Buffer.from([
    0x02, // version 2
    0x0b, // type 11 ASPA
    0x00, // flags: withdraw
    0x00, // zero
    0x00, 0x00, 0x00, 0x0c, // length 12
    0x00, 0x00, 0xfb, 0xf4, // customer AS64500
  ]);
  t.same(plain(decodePdu(pdu)), { type: 11, version: 2, announce: false, customer: 64500, providers: [] });
  t.same(encodePdu(decodePdu(pdu)), pdu);
});

t.test('ASPA: AS0 as the only provider is valid', async (t) => {
  t.same(plain(decodePdu(aspa(1, 64500, [0]))), { type: 11, version: 2, announce: true, customer: 64500, providers: [0] });
});

t.test('ASPA does not exist in versions 0 and 1: Unsupported PDU Type', async (t) => {
  for (const version of [0, 1]) {
    t.match(caught(() => decodePdu(aspa(1, 64500, [64501], version), 40)), {
      kind: 'unsupported', field: 'rtr.header.type', offset: 41, errorCode: 5, pduType: 11,
    });
  }
});

t.test('ASPA provider list errors are code 9, at the offending provider', async (t) => {
  // Announcement without providers.
  t.match(caught(() => decodePdu(aspa(1, 64500, []), 100)), {
    kind: 'malformed', field: 'rtr.aspa.providers', offset: 112, errorCode: 9, pduType: 11, message: /at least one provider/,
  });
  // Withdrawal with providers.
  t.match(caught(() => decodePdu(aspa(0, 64500, [64501]), 100)), {
    field: 'rtr.aspa.providers', offset: 112, errorCode: 9, message: /withdrawal carries no providers/,
  });
  // Not increasing: the third provider (offset 12 + 8).
  t.match(caught(() => decodePdu(aspa(1, 64500, [10, 20, 15]), 100)), {
    field: 'rtr.aspa.providers', offset: 120, errorCode: 9, message: /AS15 after AS20/,
  });
  // Duplicate.
  t.match(caught(() => decodePdu(aspa(1, 64500, [10, 10]), 100)), { offset: 116, errorCode: 9, message: /strictly increasing/ });
  // AS0 among several providers (sorted, so it comes first).
  t.match(caught(() => decodePdu(aspa(1, 64500, [0, 10]), 100)), { offset: 112, errorCode: 9, message: /AS0 in a list of several/ });
  // The customer as its own provider.
  t.match(caught(() => decodePdu(aspa(1, 64500, [10, 64500]), 100)), { offset: 116, errorCode: 9, message: /own provider/ });
});

t.test('ASPA: a provider list that is not whole ASNs is Corrupt Data', async (t) => {
  const pdu = Buffer.concat([aspa(1, 64500, [64501]), Buffer.from([0, 0])]);
  pdu.writeUInt32BE(pdu.length, 4);
  t.match(caught(() => decodePdu(pdu, 100)), { field: 'rtr.aspa.providers', offset: 112, errorCode: 0, message: /6 bytes of providers/ });
  const short = aspa(1, 64500, []).subarray(0, 10);
  short.writeUInt32BE(10, 4);
  t.match(caught(() => decodePdu(short)), { field: 'rtr.header.length', errorCode: 0, message: /at least 12/ });
});

t.test('an ASPA PDU in the old layout (AFI flags and provider count, draft revisions before the current one) is refused', async (t) => {
  const old = Buffer.from([
    0x02, 0x0b, 0x00, 0x00, // version 2, type 11, zero
    0x00, 0x00, 0x00, 0x14, // length 20
    0x01, 0x00, 0x00, 0x01, // flags, AFI flags, provider count 1
    0x00, 0x00, 0xfb, 0xf4, // customer
    0x00, 0x00, 0xfb, 0xf5, // provider
  ]);
  t.match(caught(() => decodePdu(old)), { name: 'RtrParseError', errorCode: 9 });
});

t.test('encoding checks the same rules', async (t) => {
  const bad: Array<[boolean, number[], RegExp]> = [
    [true, [], /at least one provider/],
    [false, [1], /withdrawal carries no providers/],
    [true, [2, 1], /strictly increasing/],
    [true, [0, 1], /AS0 in a list/],
    [true, [64500], /own provider/],
    [true, [2 ** 32], /rtr.aspa.providers/],
  ];
  for (const [announce, providers, message] of bad) {
    t.match(caught(() => encodePdu({ type: 11, version: 2, announce, customer: asn(64500), providers: providers.map(asn) })), {
      name: 'RangeError', message,
    });
  }
  t.match(caught(() => encodePdu({ type: 11, version: 1 as 2, announce: true, customer: asn(1), providers: [asn(2)] })), {
    message: /ASPA does not exist in protocol version 1/,
  });
});

t.test('the largest ASPA that fits in 65,535 bytes: 16,380 providers', async (t) => {
  const providers = Array.from({ length: 16380 }, (_, i) => asn(i + 1));
  const pdu = encodePdu({ type: 11, version: 2, announce: true, customer: asn(4294967295), providers });
  t.equal(pdu.length, 65532);
  t.equal((decodePdu(pdu) as { readonly providers: readonly unknown[] }).providers.length, 16380);
  const tooMany = [...providers, asn(16381), asn(16382)];
  t.match(caught(() => encodePdu({ type: 11, version: 2, announce: true, customer: asn(4294967295), providers: tooMany })), {
    name: 'RangeError', message: /exceeds the 65535-byte cap/,
  });
});
