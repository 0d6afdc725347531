import t from 'tap';
import type { Asn } from '../../src/net/asn.js';
import { Prefix } from '../../src/net/prefix.js';
import { RtrCacheData, type RtrTransaction, RtrTransactionError } from '../../src/rtr/cache-data.js';
import { formatVrp } from '../../src/rpki/vrp.js';
import { caught } from '../helpers/errors.js';
import { randomInt, seededRandom } from '../helpers/random.js';

/** Announce or withdraw a VRP given as text. */
function vrp(tx: RtrTransaction, announce: boolean, prefix: string, maxLength: number, asn: number): void {
  const p = Prefix.parse(prefix);
  tx.vrp(announce, p.afi, p.w0, p.w1, p.w2, p.w3, p.length, maxLength, asn);
}
const list = (d: RtrCacheData) => [...d.vrps].map(formatVrp);

t.test('a reset builds the whole set and refuses repeats and withdrawals', async (t) => {
  const tx = RtrCacheData.EMPTY.begin(true);
  vrp(tx, true, '192.0.2.0/24', 24, 64496);
  vrp(tx, true, '2001:db8::/32', 48, 64497);
  vrp(tx, true, '192.0.2.0/24', 25, 64496);
  tx.routerKey(true, 64496 as Asn, 'AB'.repeat(20), 'spki');
  tx.aspa(true, 64496 as Asn, [64500 as Asn, 64501 as Asn]);
  const { data, added, removed } = tx.commit();
  t.same(list(data), ['AS64496 192.0.2.0/24-24', 'AS64496 192.0.2.0/24-25', 'AS64497 2001:db8::/32-48']);
  t.equal(added.size, 3);
  t.equal(removed.size, 0);
  t.same(data.toPayload().aspas[0]!.ipv4Providers, [64500, 64501]);
  t.equal(data.toPayload().routerKeys.length, 1);

  const dup = RtrCacheData.EMPTY.begin(true);
  vrp(dup, true, '192.0.2.0/24', 24, 64496);
  vrp(dup, true, '198.51.100.0/24', 24, 1);
  vrp(dup, true, '192.0.2.0/24', 24, 64496);
  t.match(caught(() => dup.commit()), { name: 'RtrTransactionError', code: 7, message: /AS64496 192\.0\.2\.0\/24-24 announced twice/ });

  const withdrawal = RtrCacheData.EMPTY.begin(true);
  t.match(caught(() => vrp(withdrawal, false, '192.0.2.0/24', 24, 1)), { code: 6 });
  t.match(caught(() => withdrawal.routerKey(false, 1 as Asn, '00', 'k')), { code: 6 });
  t.match(caught(() => withdrawal.aspa(false, 1 as Asn, [])), { code: 6 });
  withdrawal.routerKey(true, 1 as Asn, '00', 'k');
  t.match(caught(() => withdrawal.routerKey(true, 1 as Asn, '00', 'k')), { code: 7 });
  withdrawal.aspa(true, 1 as Asn, [2 as Asn]);
  t.match(caught(() => withdrawal.aspa(true, 1 as Asn, [3 as Asn])), { code: 7 });
});

t.test('an incremental update applies against the held set, per RFC 8210 §5.6', async (t) => {
  const seed = RtrCacheData.EMPTY.begin(true);
  vrp(seed, true, '192.0.2.0/24', 24, 64496);
  vrp(seed, true, '198.51.100.0/24', 24, 64497);
  seed.aspa(true, 64496 as Asn, [1 as Asn]);
  seed.routerKey(true, 64496 as Asn, 'ab'.repeat(20), 'spki');
  const base = seed.commit().data;

  const tx = base.begin(false);
  vrp(tx, false, '198.51.100.0/24', 24, 64497);
  vrp(tx, true, '203.0.113.0/24', 24, 64498);
  vrp(tx, false, '192.0.2.0/24', 24, 64496);
  vrp(tx, true, '192.0.2.0/24', 24, 64496); // withdrawn and announced again: no change
  vrp(tx, true, '10.0.0.0/8', 8, 1);
  vrp(tx, false, '10.0.0.0/8', 8, 1); // announced and withdrawn again: no change
  tx.aspa(true, 64496 as Asn, [2 as Asn]); // replaces
  tx.routerKey(false, 64496 as Asn, 'AB'.repeat(20), 'spki');
  const u = tx.commit();
  t.same(list(u.data), ['AS64496 192.0.2.0/24-24', 'AS64498 203.0.113.0/24-24']);
  t.same([...u.added].map(formatVrp), ['AS64498 203.0.113.0/24-24']);
  t.same([...u.removed].map(formatVrp), ['AS64497 198.51.100.0/24-24']);
  t.same(u.data.toPayload().aspas[0]!.ipv4Providers, [2]);
  t.equal(u.data.routerKeys.size, 0);
  t.same(list(base), ['AS64496 192.0.2.0/24-24', 'AS64497 198.51.100.0/24-24'], 'the held data is untouched');

  const errors: [string, (tx: RtrTransaction) => void, number, RegExp][] = [
    ['announce a held VRP', (x) => vrp(x, true, '192.0.2.0/24', 24, 64496), 7, /already held/],
    ['withdraw an unknown VRP', (x) => vrp(x, false, '192.0.2.0/24', 25, 64496), 6, /is not held/],
    ['withdraw twice', (x) => { vrp(x, false, '192.0.2.0/24', 24, 64496); vrp(x, false, '192.0.2.0/24', 24, 64496); }, 6, /is not held/],
    ['announce twice', (x) => { vrp(x, true, '10.0.0.0/8', 8, 1); vrp(x, true, '10.0.0.0/8', 8, 1); }, 7, /already held/],
    ['withdraw an unknown ASPA', (x) => x.aspa(false, 9 as Asn, []), 6, /no ASPA is held for AS9/],
    ['announce a held router key', (x) => x.routerKey(true, 64496 as Asn, 'ab'.repeat(20), 'spki'), 7, /already held/],
    ['withdraw an unknown router key', (x) => x.routerKey(false, 1 as Asn, '00', 'k'), 6, /not held/],
  ];
  for (const [name, act, code, message] of errors) {
    const err = caught(() => act(base.begin(false)));
    t.type(err, RtrTransactionError, name);
    t.match(err, { code, message }, name);
  }
});

t.test('property: any valid sequence of updates equals a set model', async (t) => {
  for (let round = 0; round < 40; round++) {
    const rand = seededRandom(9000 + round);
    const pool = Array.from({ length: 60 }, () => {
      const len = randomInt(rand, 16, 24);
      const p = Prefix.masked(4, len, Math.floor(rand() * 2 ** 32));
      return { p, max: randomInt(rand, len, 24), asn: randomInt(rand, 1, 5) };
    });
    const key = (i: number) => `AS${pool[i]!.asn} ${pool[i]!.p}-${pool[i]!.max}`;
    const model = new Set<string>();
    let data = RtrCacheData.EMPTY;
    for (let step = 0; step < 8; step++) {
      const tx = data.begin(step === 0);
      const now = new Set(model);
      for (let op = 0; op < 30; op++) {
        const i = randomInt(rand, 0, pool.length - 1);
        const { p, max, asn } = pool[i]!;
        const held = now.has(key(i));
        if (held && step === 0) continue; // a reset only announces
        if (held) now.delete(key(i));
        else now.add(key(i));
        tx.vrp(!held, 4, p.w0, 0, 0, 0, p.length, max, asn);
      }
      const u = tx.commit();
      for (const v of u.added) if (model.has(formatVrp(v))) t.fail(`added ${formatVrp(v)} was held`);
      for (const v of u.removed) if (!model.has(formatVrp(v))) t.fail(`removed ${formatVrp(v)} was not held`);
      data = u.data;
      model.clear();
      for (const k of now) model.add(k);
      const got = list(data);
      if (got.length !== model.size || got.some((k) => !model.has(k))) {
        t.fail(`round ${round} step ${step}: ${got.length} held, model ${model.size}`);
        return;
      }
    }
  }
  t.pass('40 rounds of 8 updates agree with the model');
});

t.test('an incremental update merges its table on first read; counts and payload need no merge', async (t) => {
  const seed = RtrCacheData.EMPTY.begin(true);
  vrp(seed, true, '192.0.2.0/24', 24, 64496);
  vrp(seed, true, '2001:db8::/32', 48, 64497);
  const base = seed.commit().data;
  const tx = base.begin(false);
  vrp(tx, false, '192.0.2.0/24', 24, 64496);
  vrp(tx, true, '2001:db8:1::/48', 48, 64498);
  vrp(tx, true, '203.0.113.0/24', 24, 64498);
  const { data } = tx.commit();
  t.same(data.vrpStats(), { ipv4: 1, ipv6: 2 }, 'counted before the merge');
  const payload = data.toPayload();
  t.equal(data.toPayload(), payload, 'one payload per data');
  // A transaction on data not yet merged reads through it.
  const next = data.begin(false);
  vrp(next, false, '2001:db8:1::/48', 48, 64498);
  t.match(caught(() => vrp(data.begin(false), true, '203.0.113.0/24', 24, 64498)), { code: 7 }, 'the pending announcement counts as held');
  t.same([...payload.vrps].map(formatVrp), ['AS64498 203.0.113.0/24-24', 'AS64497 2001:db8::/32-48', 'AS64498 2001:db8:1::/48-48']);
  t.equal(data.vrps, payload.vrps, 'merged once');
  t.same(data.vrpStats(), data.vrps.stats());
  data.settle();
  t.same(list(next.commit().data), ['AS64498 203.0.113.0/24-24', 'AS64497 2001:db8::/32-48']);
});
