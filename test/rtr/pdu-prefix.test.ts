/**
 * IPv4 Prefix (4) and IPv6 Prefix (6) in versions 0-2: fields, lengths,
 * max length rules and host bits (8210bis §5.9: must be zero, else Corrupt
 * Data).
 */
import t from 'tap';
import { Prefix } from '../../src/net/prefix.js';
import { decodePdu, encodePdu } from '../../src/rtr/pdu-codec.js';
import { caught } from '../helpers/errors.js';
import { asn, plain } from './helpers/samples.js';

/** IPv4 Prefix v1 with the given flags, lengths, address and ASN. */
function v4(flags: number, prefixLength: number, maxLength: number, addr: number[], as: number[]): Buffer {
  return Buffer.from([
    0x01, // version 1
    0x04, // type 4 IPv4 Prefix
    0x00, 0x00, // zero
    0x00, 0x00, 0x00, 0x14, // length 20
    flags, // flags
    prefixLength, // prefix length
    maxLength, // max length
    0x00, // zero
    ...addr, // prefix, 4 bytes
    ...as, // ASN, 4 bytes
  ]);
}

t.test('IPv4 Prefix: flags, lengths, prefix and ASN in every version', async (t) => {
  for (const version of [0, 1, 2] as const) {
    const pdu = Buffer.from([
      version, // version
      0x04, // type 4 IPv4 Prefix
      0x00, 0x00, // zero
      0x00, 0x00, 0x00, 0x14, // length 20
      0x01, // flags: announce
      0x18, // prefix length 24
      0x1a, // max length 26
      0x00, // zero
      0xc0, 0x00, 0x02, 0x00, // prefix 192.0.2.0
      0x00, 0x00, 0xfb, 0xf0, // ASN 64496
    ]);
    const decoded = decodePdu(pdu);
    t.same(plain(decoded), { type: 4, version, announce: true, prefix: '192.0.2.0/24', maxLength: 26, asn: 64496 }, `v${version}`);
    t.same(encodePdu(decoded), pdu);
  }
});

t.test('IPv4 Prefix: flags bit 0 is announce/withdraw, other bits are ignored', async (t) => {
  t.match(decodePdu(v4(0x00, 8, 8, [10, 0, 0, 0], [0, 0, 0, 1])), { announce: false });
  t.match(decodePdu(v4(0xfe, 8, 8, [10, 0, 0, 0], [0, 0, 0, 1])), { announce: false });
  t.match(decodePdu(v4(0x81, 8, 8, [10, 0, 0, 0], [0, 0, 0, 1])), { announce: true });
  // Encoding writes only the announce bit.
  t.equal(encodePdu(decodePdu(v4(0x81, 8, 8, [10, 0, 0, 0], [0, 0, 0, 1])))[8], 0x01);
});

t.test('IPv4 Prefix: /0 and /32, AS0 and the largest ASN', async (t) => {
  t.same(plain(decodePdu(v4(1, 0, 32, [0, 0, 0, 0], [0, 0, 0, 0]))), {
    type: 4, version: 1, announce: true, prefix: '0.0.0.0/0', maxLength: 32, asn: 0,
  });
  t.same(plain(decodePdu(v4(1, 32, 32, [192, 0, 2, 255], [0xff, 0xff, 0xff, 0xff]))), {
    type: 4, version: 1, announce: true, prefix: '192.0.2.255/32', maxLength: 32, asn: 0xffffffff,
  });
});

t.test('IPv4 Prefix: prefix length, max length and host bits, each at its offset', async (t) => {
  // The PDU starts at stream offset 1000: flags 1008, prefix length 1009, max length 1010, prefix 1012.
  t.match(caught(() => decodePdu(v4(1, 33, 33, [0, 0, 0, 0], [0, 0, 0, 1]), 1000)), {
    kind: 'malformed', field: 'rtr.ipv4Prefix.prefixLength', offset: 1009, errorCode: 0, pduType: 4,
  });
  t.match(caught(() => decodePdu(v4(1, 24, 33, [192, 0, 2, 0], [0, 0, 0, 1]), 1000)), {
    field: 'rtr.ipv4Prefix.maxLength', offset: 1010, errorCode: 0, message: /max length 33 exceeds 32/,
  });
  t.match(caught(() => decodePdu(v4(1, 24, 23, [192, 0, 2, 0], [0, 0, 0, 1]), 1000)), {
    field: 'rtr.ipv4Prefix.maxLength', offset: 1010, errorCode: 0, message: /less than prefix length 24/,
  });
  const hostBits = caught(() => decodePdu(v4(1, 24, 24, [192, 0, 2, 1], [0, 0, 0, 1]), 1000));
  t.match(hostBits, {
    kind: 'malformed', field: 'rtr.ipv4Prefix.prefix', offset: 1012, errorCode: 0, replyAllowed: true, message: /host bits set past \/24/,
  });
  // The whole PDU goes into the Error Report.
  t.same((hostBits as { erroneousPdu: Uint8Array }).erroneousPdu, v4(1, 24, 24, [192, 0, 2, 1], [0, 0, 0, 1]));
  t.match(caught(() => decodePdu(v4(1, 0, 0, [128, 0, 0, 0], [0, 0, 0, 1]))), { field: 'rtr.ipv4Prefix.prefix' });
});

t.test('IPv4 Prefix: wrong length is Corrupt Data', async (t) => {
  const pdu = Buffer.concat([v4(1, 8, 8, [10, 0, 0, 0], [0, 0, 0, 1]), Buffer.alloc(12)]);
  pdu.writeUInt32BE(32, 4); // an IPv6-sized IPv4 Prefix
  t.match(caught(() => decodePdu(pdu)), { field: 'rtr.header.length', offset: 4, errorCode: 0, pduType: 4 });
});

t.test('IPv6 Prefix: fields in every version', async (t) => {
  for (const version of [0, 1, 2] as const) {
    const pdu = Buffer.from([
      version, // version
      0x06, // type 6 IPv6 Prefix
      0x00, 0x00, // zero
      0x00, 0x00, 0x00, 0x20, // length 32
      0x00, // flags: withdraw
      0x30, // prefix length 48
      0x40, // max length 64
      0x00, // zero
      0x20, 0x01, 0x0d, 0xb8, // prefix 2001:db8:
      0x12, 0x34, 0x00, 0x00, //        1234::
      0x00, 0x00, 0x00, 0x00, //
      0x00, 0x00, 0x00, 0x00, //
      0xfa, 0x56, 0xea, 0x00, // ASN 4200000000
    ]);
    const decoded = decodePdu(pdu);
    t.same(plain(decoded), { type: 6, version, announce: false, prefix: '2001:db8:1234::/48', maxLength: 64, asn: 4200000000 }, `v${version}`);
    t.same(encodePdu(decoded), pdu);
  }
});

t.test('IPv6 Prefix: /128, max length 129, host bits in the last word', async (t) => {
  const base = (prefixLength: number, maxLength: number, last: number): Buffer => {
    const b = Buffer.alloc(32);
    b.set([0x02, 0x06, 0, 0, 0, 0, 0, 32, 0x01, prefixLength, maxLength, 0]);
    b.writeUInt32BE(0x20010db8, 12);
    b.writeUInt32BE(last, 24);
    b.writeUInt32BE(65000, 28);
    return b;
  };
  t.same(plain(decodePdu(base(128, 128, 1))), { type: 6, version: 2, announce: true, prefix: '2001:db8::1/128', maxLength: 128, asn: 65000 });
  t.match(caught(() => decodePdu(base(128, 129, 1), 50)), { field: 'rtr.ipv6Prefix.maxLength', offset: 60, errorCode: 0 });
  t.match(caught(() => decodePdu(base(129, 129, 1), 50)), { field: 'rtr.ipv6Prefix.prefixLength', offset: 59, errorCode: 0 });
  t.match(caught(() => decodePdu(base(127, 128, 1), 50)), { field: 'rtr.ipv6Prefix.prefix', offset: 62, errorCode: 0 });
  t.match(caught(() => decodePdu(base(32, 128, 1), 50)), { field: 'rtr.ipv6Prefix.prefix', message: /past \/32/ });
});

t.test('encoding refuses prefixes that could not be decoded', async (t) => {
  const p4 = Prefix.parse('192.0.2.0/24');
  const p6 = Prefix.parse('2001:db8::/32');
  t.match(caught(() => encodePdu({ type: 4, version: 1, announce: true, prefix: p6, maxLength: 32, asn: asn(1) })), {
    name: 'RangeError', message: /rtr.ipv4Prefix.prefix: 2001:db8::\/32 is not IPv4/,
  });
  t.match(caught(() => encodePdu({ type: 6, version: 1, announce: true, prefix: p4, maxLength: 24, asn: asn(1) })), { message: /is not IPv6/ });
  t.match(caught(() => encodePdu({ type: 4, version: 1, announce: true, prefix: p4, maxLength: 23, asn: asn(1) })), {
    message: /rtr.ipv4Prefix.maxLength: 23 out of range/,
  });
  t.match(caught(() => encodePdu({ type: 4, version: 1, announce: true, prefix: p4, maxLength: 33, asn: asn(1) })), { message: /maxLength: 33/ });
  t.match(caught(() => encodePdu({ type: 4, version: 1, announce: true, prefix: p4, maxLength: 24, asn: asn(2 ** 32) })), {
    message: /rtr.ipv4Prefix.asn/,
  });
});
