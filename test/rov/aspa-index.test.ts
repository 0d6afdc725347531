import t from 'tap';
import type { Asn } from '../../src/net/asn.js';
import { type Aspa, AspaError, makeAspa, makeAspaPerAfi } from '../../src/rpki/aspa.js';
import { AspaIndex } from '../../src/rov/aspa-index.js';
import { caught } from '../helpers/errors.js';
import { randomInt, seededRandom } from '../helpers/random.js';

const asn = (n: number) => n as Asn;
const aspa = (customer: number, providers: number[]) => makeAspa(asn(customer), providers.map(asn));

t.test('authorized(x, y) of draft -28 §5.3: provider, not-provider, no-attestation', async (t) => {
  const index = AspaIndex.from([aspa(65000, [65010, 65020]), aspa(65001, [65030])]);
  t.equal(index.size, 2);
  t.equal(index.hop(asn(65000), asn(65010), 4), 'provider');
  t.equal(index.hop(asn(65000), asn(65020), 6), 'provider');
  t.equal(index.hop(asn(65000), asn(65030), 4), 'not-provider');
  t.equal(index.hop(asn(65001), asn(65000), 4), 'not-provider');
  t.equal(index.hop(asn(65002), asn(65000), 4), 'no-attestation');
  // Direction matters: 65010 has no ASPA, so nothing is known about its providers.
  t.equal(index.hop(asn(65010), asn(65000), 4), 'no-attestation');
  t.ok(index.hasAttestation(asn(65001)));
  t.notOk(index.hasAttestation(asn(65010)));
});

t.test('the empty index attests nothing', async (t) => {
  t.equal(AspaIndex.from([]), AspaIndex.EMPTY);
  t.equal(AspaIndex.EMPTY.size, 0);
  t.equal(AspaIndex.EMPTY.hop(asn(1), asn(2), 4), 'no-attestation');
  t.equal(AspaIndex.EMPTY.providersOf(asn(1), 6), null);
});

t.test('providers are kept per address family', async (t) => {
  const index = AspaIndex.from([makeAspaPerAfi(asn(196618), [1, 3].map(asn), [2, 3].map(asn))]);
  t.equal(index.hop(asn(196618), asn(1), 4), 'provider');
  t.equal(index.hop(asn(196618), asn(1), 6), 'not-provider');
  t.equal(index.hop(asn(196618), asn(2), 4), 'not-provider');
  t.equal(index.hop(asn(196618), asn(2), 6), 'provider');
  t.equal(index.hop(asn(196618), asn(3), 4), 'provider');
  t.equal(index.hop(asn(196618), asn(3), 6), 'provider');
  t.same(index.providersOf(asn(196618), 4), [1, 3]);
  t.same(index.providersOf(asn(196618), 6), [2, 3]);
});

t.test('an empty set for one family still attests the customer there', async (t) => {
  const index = AspaIndex.from([makeAspaPerAfi(asn(65000), [asn(65010)], [])]);
  t.equal(index.hop(asn(65000), asn(65010), 4), 'provider');
  t.equal(index.hop(asn(65000), asn(65010), 6), 'not-provider');
  t.same(index.providersOf(asn(65000), 6), []);
});

t.test('several ASPAs for one customer are merged by union (U-SPAS)', async (t) => {
  const index = AspaIndex.from([aspa(65000, [65020]), aspa(65001, [65030]), aspa(65000, [65010, 65020])]);
  t.equal(index.size, 2);
  t.same(index.providersOf(asn(65000), 4), [65010, 65020]);
  t.equal(index.hop(asn(65000), asn(65010), 4), 'provider');
  t.equal(index.hop(asn(65000), asn(65020), 4), 'provider');
});

t.test('AS 0 has no influence: an AS0 ASPA attests "no providers"', async (t) => {
  const index = AspaIndex.from([aspa(65060, [0]), aspa(65061, [0, 65070])]);
  t.same(index.providersOf(asn(65060), 4), []);
  t.same(index.providersOf(asn(65061), 4), [65070]);
  t.equal(index.hop(asn(65060), asn(65070), 4), 'not-provider');
  // Even a path that (malformed, RFC 7607) carried AS 0 gets no provider from it.
  t.equal(index.hop(asn(65060), asn(0), 4), 'not-provider');
  t.equal(index.hop(asn(65061), asn(65070), 6), 'provider');
});

t.test('input order does not matter', async (t) => {
  const index = AspaIndex.from([aspa(3, [30]), aspa(1, [10]), aspa(4294967295, [5]), aspa(2, [20])]);
  t.equal(index.hop(asn(1), asn(10), 4), 'provider');
  t.equal(index.hop(asn(2), asn(20), 4), 'provider');
  t.equal(index.hop(asn(3), asn(30), 4), 'provider');
  t.equal(index.hop(asn(4294967295), asn(5), 4), 'provider');
  t.equal(index.hop(asn(0), asn(5), 4), 'no-attestation');
});

t.test('an ASPA built by hand with a non-ASN is refused, not wrapped', async (t) => {
  const bad: Aspa = { customer: asn(-1), ipv4Providers: [], ipv6Providers: [], ta: '' };
  t.match(caught(() => AspaIndex.from([bad])), { name: 'AspaError', message: /customer -1 is not an ASN/ });
  const bad2: Aspa = { customer: asn(1), ipv4Providers: [asn(2 ** 32)], ipv6Providers: [], ta: '' };
  const err = caught(() => AspaIndex.from([bad2]));
  t.type(err, AspaError);
  t.match(err, { message: /provider of AS1 4294967296 is not an ASN/ });
});

t.test('the index is immutable and providersOf hands out a copy', async (t) => {
  const index = AspaIndex.from([aspa(65000, [65010])]);
  t.ok(Object.isFrozen(index));
  const list = index.providersOf(asn(65000), 4)!;
  t.ok(Object.isFrozen(list));
  t.equal(index.hop(asn(65000), asn(65010), 4), 'provider');
});

t.test('agrees with a Set-per-customer model on random data, including large provider sets', async (t) => {
  const rand = seededRandom(2025);
  for (let round = 0; round < 50; round++) {
    const model = new Map<number, { v4: Set<number>; v6: Set<number> }>();
    const aspas: Aspa[] = [];
    const customers = randomInt(rand, 1, 60);
    for (let i = 0; i < customers; i++) {
      const c = randomInt(rand, 1, 300);
      const size = rand() < 0.2 ? randomInt(rand, 20, 80) : randomInt(rand, 0, 5);
      const v4 = Array.from({ length: size }, () => randomInt(rand, 1, 300)).filter((p) => p !== c);
      const v6 = rand() < 0.5 ? v4 : Array.from({ length: size }, () => randomInt(rand, 1, 300)).filter((p) => p !== c);
      aspas.push(makeAspaPerAfi(asn(c), v4.map(asn), v6.map(asn)));
      const m = model.get(c) ?? { v4: new Set(), v6: new Set() };
      v4.forEach((p) => m.v4.add(p));
      v6.forEach((p) => m.v6.add(p));
      model.set(c, m);
    }
    const index = AspaIndex.from(aspas);
    for (let q = 0; q < 400; q++) {
      const c = randomInt(rand, 0, 301);
      const p = randomInt(rand, 0, 301);
      const afi = rand() < 0.5 ? 4 : 6;
      const m = model.get(c);
      const expected = !m ? 'no-attestation' : (afi === 4 ? m.v4 : m.v6).has(p) ? 'provider' : 'not-provider';
      const got = index.hop(asn(c), asn(p), afi);
      if (got !== expected) {
        t.fail(`round ${round}: hop(${c}, ${p}, v${afi}) = ${got}, expected ${expected}`);
        return;
      }
    }
  }
  t.pass('20,000 random lookups agree');
});
