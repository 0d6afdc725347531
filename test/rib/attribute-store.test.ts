import t from 'tap';
import { AsPath } from '../../src/bgp/as-path.js';
import type { PathAttributes } from '../../src/bgp/attributes.js';
import type { Asn } from '../../src/net/asn.js';
import { AttributeStore, ORIGIN_LOCAL, ORIGIN_NONE } from '../../src/rib/attribute-store.js';
import { caught } from '../helpers/errors.js';
import { seededRandom } from '../helpers/random.js';
import { attrs, plain, randomAttributes } from './fixtures.js';

t.test('equal sets intern to one id, whatever object carries them', async (t) => {
  const store = new AttributeStore();
  const a = attrs({ communities: [1, 2], med: 5, largeCommunities: ['64500:1:2'] });
  const b = attrs({ communities: [1, 2], med: 5, largeCommunities: ['64500:1:2'] });
  const c = attrs({ communities: [2, 1], med: 5, largeCommunities: ['64500:1:2'] });
  const ia = store.acquire(a);
  const ib = store.acquire(b);
  const ic = store.acquire(c);
  t.equal(ia, ib, 'equal content, one id');
  t.not(ia, ic, 'order of communities is part of the set');
  t.equal(store.size, 2);
  t.equal(store.refCount(ia), 2);
  t.equal(store.refCount(ic), 1);
  t.same(plain(store.decode(ia)), plain(a));
  t.same(plain(store.decode(ic)), plain(c));
  t.equal(store.acquire(a), ia, 'the same object again (the last-object shortcut)');
  t.equal(store.refCount(ia), 3);
  t.equal(store.stats().created, 2);
  t.equal(store.stats().found, 2, 'b found, a found again');
});

t.test('every field round-trips, text exactly as given', async (t) => {
  const store = new AttributeStore();
  const full: PathAttributes = {
    origin: 'incomplete',
    asPath: AsPath.parse('64500 (65000 65001) [65002,65003] {64510,64511} 64496'),
    nextHop: '2001:db8::1',
    linkLocalNextHop: 'fe80::1',
    med: 0xffffffff,
    localPref: 0,
    atomicAggregate: true,
    aggregator: { asn: 4200000000 as Asn, address: '192.0.2.9' },
    communities: [0xffffff01, 0, 65000 * 65536 + 1],
    largeCommunities: ['4294967295:0:4294967295', '0:0:0'],
    extendedCommunities: [Uint8Array.from([0, 2, 0xfd, 0xe8, 0, 0, 0, 1])],
    otherAttributes: [
      { typeCode: 99, flags: 0xc0, value: Uint8Array.from([1, 2, 3, 4, 5]) },
      { typeCode: 100, flags: 0xd0, value: new Uint8Array(0) },
      { typeCode: 101, flags: 0x40, value: Uint8Array.from([9, 8, 7, 6]) },
    ],
  };
  const id = store.acquire(full);
  const back = store.decode(id);
  t.same(plain(back), plain(full));
  t.equal(back.asPath.toString(), full.asPath.toString());
  t.ok(Object.isFrozen(back) && Object.isFrozen(back.communities), 'decoded sets are frozen');
  const minimal: PathAttributes = attrs({ origin: undefined, asPath: AsPath.EMPTY, nextHop: undefined });
  t.same(plain(store.decode(store.acquire(minimal))), plain(minimal));
  // Views are copied: changing the caller's bytes afterwards does not change the stored set.
  const ext = Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1]);
  const withView = attrs({ extendedCommunities: [ext] });
  const vid = store.acquire(withView);
  ext[0] = 9;
  t.equal(Buffer.from(store.decode(vid).extendedCommunities[0]!).toString('hex'), '0101010101010101');
});

t.test('a large community not in canonical form is kept as text', async (t) => {
  const store = new AttributeStore();
  for (const odd of ['065000:1:1', '1:2', '1:2:3:4', '4294967296:1:1', 'a:b:c', '1::2', '']) {
    const a = attrs({ largeCommunities: ['1:2:3', odd] });
    t.same(store.decode(store.acquire(a)).largeCommunities, ['1:2:3', odd], odd);
  }
  t.not(store.acquire(attrs({ largeCommunities: ['1:2:3'] })), store.acquire(attrs({ largeCommunities: ['1:2:03'] })));
});

t.test('origin AS per RFC 6811 §2, precomputed per set', async (t) => {
  const store = new AttributeStore();
  const origin = (path: string) => store.origin(store.acquire(attrs({ asPath: AsPath.parse(path) })));
  t.equal(origin('64500 64496'), 64496);
  t.equal(origin('64500 {64496,64497}'), ORIGIN_NONE, 'AS_SET last: NONE');
  t.equal(origin('{64496} 64500'), 64500);
  t.equal(origin(''), ORIGIN_LOCAL, 'empty path: the speaker itself');
  t.equal(origin('64500 (65000 65001)'), ORIGIN_LOCAL, 'confed sequence last');
  t.equal(origin('[65000]'), ORIGIN_LOCAL, 'confed set last');
  t.equal(origin('4294967295'), 4294967295);
});

t.test('references, freeing and id reuse', async (t) => {
  const store = new AttributeStore();
  const a = store.acquire(attrs({ med: 1 }));
  const b = store.acquire(attrs({ med: 2 }));
  const genA = store.generation(a);
  t.ok(store.isHeld(a, genA));
  store.release(a);
  t.equal(store.size, 1);
  t.equal(store.refCount(a), 0);
  t.notOk(store.isHeld(a, genA), 'freed');
  t.match(caught(() => store.decode(a)), RangeError);
  t.match(caught(() => store.release(a)), RangeError, 'no release below zero');
  const c = store.acquire(attrs({ med: 3 }));
  t.equal(c, a, 'the freed id is reused');
  t.not(store.generation(c), genA, 'with a new generation');
  t.notOk(store.isHeld(a, genA), 'the old (id, gen) pair does not name the new set');
  t.equal(store.decode(c).med, 3);
  t.equal(store.decode(b).med, 2);
  // The last-object shortcut must not return a freed id.
  const d = attrs({ med: 4 });
  const id = store.acquire(d);
  store.release(id);
  const again = store.acquire(d);
  t.equal(store.refCount(again), 1);
  t.equal(store.decode(again).med, 4);
});

t.test('strings are counted per set and freed with the last set using them', async (t) => {
  const store = new AttributeStore();
  const x = store.acquire(attrs({ nextHop: '203.0.113.1', med: 1, aggregator: { asn: 1 as Asn, address: '203.0.113.1' } }));
  const y = store.acquire(attrs({ nextHop: '203.0.113.1', med: 2 }));
  t.equal(store.stats().strings, 1);
  store.release(x);
  t.equal(store.stats().strings, 1);
  store.release(y);
  t.equal(store.stats().strings, 0);
});

t.test('a malformed extended community is refused before anything is stored', async (t) => {
  const store = new AttributeStore();
  const err = caught(() => store.acquire(attrs({ nextHop: '203.0.113.77', extendedCommunities: [new Uint8Array(7)] })));
  t.match(err, TypeError);
  t.equal(store.size, 0);
  t.equal(store.stats().strings, 0, 'no string was looked up');
});

t.test('long counts: more than 65,535 communities or path words', async (t) => {
  const store = new AttributeStore();
  const communities = Array.from({ length: 70_000 }, (_, i) => i * 7);
  const asns = Array.from({ length: 70_000 }, (_, i) => (i + 1) as Asn);
  const big = attrs({ communities, asPath: AsPath.of([{ type: 'sequence', asns }]), largeCommunities: ['1:2:3'], nextHop: '10.0.0.1' });
  const id = store.acquire(big);
  t.same(plain(store.decode(id)), plain(big));
  t.equal(store.origin(id), 70_000);
  t.equal(store.acquire(attrs({ communities: [...communities], asPath: big.asPath, largeCommunities: ['1:2:3'], nextHop: '10.0.0.1' })), id);
  store.release(id);
  store.release(id);
  t.equal(store.stats().strings, 0);
  // Long counts with large communities kept as text: their strings are counted too.
  const odd = attrs({ communities, largeCommunities: ['1:2:3', '01:2:3'], nextHop: undefined });
  const oddId = store.acquire(odd);
  t.same(store.decode(oddId).largeCommunities, ['1:2:3', '01:2:3']);
  t.equal(store.stats().strings, 2);
  store.release(oddId);
  t.equal(store.stats().strings, 0);
});

t.test('random churn: growth, hash rebuilds, id reuse and compaction keep every live set decodable and equal', async (t) => {
  const rand = seededRandom(7);
  const store = new AttributeStore({ compactMinGarbageWords: 64, initialSets: 16, initialArenaWords: 64 });
  // model: id -> [plain form, references]
  const model = new Map<number, { form: string; refs: number }>();
  const idOfForm = new Map<string, number>();
  const pool: PathAttributes[] = Array.from({ length: 300 }, () => randomAttributes(rand));
  let reused = 0;
  let mismatches = 0;
  const seenIds = new Set<number>();
  for (let step = 0; step < 20_000; step++) {
    if (rand() < 0.55 || model.size === 0) {
      const a = rand() < 0.7 ? pool[Math.floor(rand() * pool.length)]! : randomAttributes(rand);
      const form = JSON.stringify(plain(a));
      const id = store.acquire(a);
      const m = model.get(id);
      if (m) {
        if (m.form !== form) mismatches++; // an existing id is only returned for an equal set
        m.refs++;
      } else {
        if (idOfForm.has(form)) mismatches++; // an equal set under two ids
        if (seenIds.has(id)) reused++;
        seenIds.add(id);
        model.set(id, { form, refs: 1 });
        idOfForm.set(form, id);
      }
    } else {
      const ids = [...model.keys()];
      const id = ids[Math.floor(rand() * ids.length)]!;
      store.release(id);
      const m = model.get(id)!;
      if (--m.refs === 0) {
        model.delete(id);
        idOfForm.delete(m.form);
      }
    }
    if (step % 2000 === 0 || step === 19_999) {
      t.equal(store.size, model.size);
      for (const [id, m] of model) {
        if (store.refCount(id) !== m.refs) t.fail(`refs of ${id}`);
        if (JSON.stringify(plain(store.decode(id))) !== m.form) t.fail(`set ${id} decodes differently`);
      }
      t.same([...store.ids()].sort((a, b) => a - b), [...model.keys()].sort((a, b) => a - b));
    }
  }
  t.equal(mismatches, 0, 'ids and sets correspond one to one');
  const stats = store.stats();
  t.ok(stats.compactions > 10, `compacted (${stats.compactions} times)`);
  t.ok(reused > 100, `ids reused (${reused})`);
  t.ok(stats.garbageWords <= Math.max(64, stats.liveWords), 'garbage never outweighs live words for long');
  // Release everything: the store empties (no leak of sets or strings).
  for (const [id, m] of model) for (let i = 0; i < m.refs; i++) store.release(id);
  t.equal(store.size, 0);
  t.equal(store.stats().strings, 0);
  t.equal(store.stats().liveWords, 0);
});

t.test('compact() on demand keeps sets and ids', async (t) => {
  const rand = seededRandom(3);
  const store = new AttributeStore();
  const held = Array.from({ length: 200 }, () => randomAttributes(rand));
  const ids = held.map((a) => store.acquire(a));
  for (let i = 0; i < ids.length; i += 2) store.release(ids[i]!);
  const before = store.stats();
  store.compact();
  const after = store.stats();
  t.equal(after.garbageWords, 0);
  t.equal(after.liveWords, before.liveWords);
  for (let i = 1; i < ids.length; i += 2) t.same(plain(store.decode(ids[i]!)), plain(held[i]!));
});
