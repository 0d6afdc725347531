import t from 'tap';
import type { Asn } from '../../src/net/asn.js';
import { AspaError, aspaToJson, makeAspa, makeAspaPerAfi, mergeAspas, sameAspa } from '../../src/rpki/aspa.js';
import { EMPTY_PAYLOAD, makePayload, samePayload, unionPayloads } from '../../src/rpki/payload.js';
import { makeRouterKey, sameRouterKey } from '../../src/rpki/router-key.js';
import { VrpTable } from '../../src/rpki/vrp-table.js';
import { parseVrp } from '../../src/rpki/vrp.js';
import { caught } from '../helpers/errors.js';

const as = (...n: number[]) => n as Asn[];

t.test('ASPAs: normalised provider sets, one per family, merged per customer', async (t) => {
  const a = makeAspa(64500 as Asn, as(3, 1, 2, 1), 'ripe');
  t.same(a.ipv4Providers, [1, 2, 3]);
  t.same(a.ipv6Providers, [1, 2, 3]);
  t.ok(Object.isFrozen(a));
  t.same(aspaToJson(a), { customer: 'AS64500', providers: ['AS1', 'AS2', 'AS3'], ta: 'ripe' });
  t.match(caught(() => makeAspa(64500 as Asn, as(1, 64500))), { name: 'AspaError', message: /lists the customer itself/ });
  t.type(caught(() => makeAspaPerAfi(7 as Asn, as(1), as(7))), AspaError);

  const merged = mergeAspas([makeAspaPerAfi(10 as Asn, as(1), as()), makeAspa(5 as Asn, as(9)), makeAspaPerAfi(10 as Asn, as(2), as(3))]);
  t.same(merged.map((m) => [m.customer, m.ipv4Providers, m.ipv6Providers]), [
    [5, [9], [9]],
    [10, [1, 2], [3]],
  ]);
  t.ok(sameAspa(makeAspa(1 as Asn, as(2, 3), 'a'), makeAspa(1 as Asn, as(3, 2), 'b')));
  t.notOk(sameAspa(makeAspa(1 as Asn, as(2)), makeAspa(1 as Asn, as(2, 3))));
});

t.test('payloads: union and equality', async (t) => {
  const key = makeRouterKey(64500 as Asn, 'AB'.repeat(20), 'key', 'ta');
  t.equal(key.ski, 'ab'.repeat(20));
  t.ok(sameRouterKey(key, makeRouterKey(64500 as Asn, 'ab'.repeat(20), 'key', 'other')));
  const p1 = makePayload(VrpTable.from([parseVrp('192.0.2.0/24', 24, 'AS1')]), [makeAspa(1 as Asn, as(2))], [key, key]);
  t.equal(p1.routerKeys.length, 1, 'duplicate keys dropped');
  const p2 = makePayload(VrpTable.from([parseVrp('2001:db8::/32', 32, 'AS2')]), [makeAspa(1 as Asn, as(3))]);
  const u = unionPayloads([p1, p2]);
  t.equal(u.vrps.size, 2);
  t.same(u.aspas[0]!.ipv4Providers, [2, 3], 'ASPAs for one customer merge');
  t.equal(unionPayloads([]), EMPTY_PAYLOAD);
  t.equal(unionPayloads([p1]), p1);
  t.ok(samePayload(u, unionPayloads([p2, p1])));
  t.notOk(samePayload(p1, p2));
  t.notOk(samePayload(p1, makePayload(p1.vrps, p1.aspas, [])), 'router keys count');
});

t.test('VRPs check maxLength against the prefix (RFC 6482 §3.3)', async (t) => {
  t.match(caught(() => parseVrp('192.0.2.0/24', 23, 'AS1')), { name: 'VrpError', message: /maxLength 23 out of range for 192\.0\.2\.0\/24 \(must be 24 to 32\)/ });
  t.match(caught(() => parseVrp('2001:db8::/32', 129, 'AS1')), { name: 'VrpError' });
  t.equal(parseVrp('192.0.2.0/24', undefined, 'AS1').maxLength, 24, 'maxLength defaults to the prefix length');
});
