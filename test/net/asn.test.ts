import t from 'tap';
import { AsnError, formatAsn, parseAsn } from '../../src/net/asn.js';
import { caught } from '../helpers/errors.js';

t.test('accepts plain, AS-prefixed and asdot forms', async (t) => {
  t.equal(parseAsn(0), 0);
  t.equal(parseAsn(4294967295), 4294967295);
  t.equal(parseAsn('65000'), 65000);
  t.equal(parseAsn('AS65000'), 65000);
  t.equal(parseAsn('as65000'), 65000);
  t.equal(parseAsn(' AS4200000000 '), 4200000000);
  t.equal(parseAsn('1.10'), 65546); // RFC 5396 asdot
  t.equal(parseAsn('AS65535.65535'), 4294967295);
  t.equal(parseAsn('0.0'), 0);
  t.equal(formatAsn(parseAsn('1.10')), 'AS65546');
});

t.test('rejects everything else with the input in the message', async (t) => {
  for (const bad of [-1, 1.5, 4294967296, NaN, '4294967296', 'AS', '', 'AS-1', '65000a', '1.65536', '1.', '.1', '1.2.3', 'ASN65000', null, undefined, {}, true]) {
    const err = caught(() => parseAsn(bad));
    t.type(err, AsnError, String(bad));
  }
  t.match(caught(() => parseAsn('AS65000x')), { message: /invalid ASN "AS65000x"/ });
});
