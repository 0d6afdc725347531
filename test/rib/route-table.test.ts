import t from 'tap';
import { type Afi, Prefix } from '../../src/net/prefix.js';
import { FamilyTable, LEN_MASK, META, SET } from '../../src/rib/route-table.js';
import { randomInt, seededRandom } from '../helpers/random.js';
import { randomPrefix } from './fixtures.js';

interface Entry {
  prefix: Prefix;
  pathId: number;
  set: number;
}

const keyOf = (p: Prefix, pathId: number) => `${p.toString()} ${pathId}`;

function insert(table: FamilyTable, p: Prefix, pathId: number, set: number): number {
  return table.insert(p.w0, p.w1, p.w2, p.w3, p.length, pathId, set, 0, 1000);
}

function find(table: FamilyTable, p: Prefix, pathId: number): number {
  return table.find(p.w0, p.w1, p.w2, p.w3, p.length, pathId);
}

function prefixAt(table: FamilyTable, s: number): Prefix {
  return Prefix.fromWords(table.afi, table.field(s, META) & LEN_MASK, table.word(s, 0), table.word(s, 1), table.word(s, 2), table.word(s, 3));
}

function coveredKeys(table: FamilyTable, p: Prefix): string[] {
  const out: string[] = [];
  table.forEachCovered(p.w0, p.w1, p.w2, p.w3, p.length, (s) => out.push(keyOf(prefixAt(table, s), table.field(s, 0))));
  return out.sort();
}

function bruteCovered(model: Map<string, Entry>, p: Prefix): string[] {
  const out: string[] = [];
  for (const [k, e] of model) if (p.covers(e.prefix)) out.push(k);
  return out.sort();
}

for (const afi of [4, 6] as Afi[]) {
  t.test(`IPv${afi}: inserts, look-ups and removals through growth, chain rebuilds, free-list reuse and shrinking`, async (t) => {
    const rand = seededRandom(afi * 101);
    const table = new FamilyTable(afi);
    const model = new Map<string, Entry>();
    let wrong = 0;
    for (let step = 0; step < 30_000; step++) {
      // Grow to ~4,000 routes, then shed most of them, then grow again.
      const phase = Math.floor(step / 10_000);
      const pAdd = phase === 1 ? 0.2 : 0.75;
      const p = randomPrefix(rand, afi);
      const pathId = rand() < 0.8 ? 0 : randomInt(rand, 1, 3);
      const k = keyOf(p, pathId);
      const s = find(table, p, pathId);
      const held = model.get(k);
      if ((s >= 0) !== (held !== undefined)) wrong++;
      if (rand() < pAdd) {
        if (held === undefined) {
          const set = randomInt(rand, 0, 1e6);
          insert(table, p, pathId, set);
          model.set(k, { prefix: p, pathId, set });
        }
      } else {
        const victims = [...model.values()];
        if (victims.length > 0) {
          const v = victims[randomInt(rand, 0, victims.length - 1)]!;
          const vs = find(table, v.prefix, v.pathId);
          if (vs < 0 || table.field(vs, SET) !== v.set) wrong++;
          else table.remove(vs);
          model.delete(keyOf(v.prefix, v.pathId));
          table.maybeShrink();
        }
      }
    }
    t.equal(wrong, 0, 'find agrees with the model at every step');
    t.equal(table.size, model.size);
    for (const e of model.values()) {
      const s = find(table, e.prefix, e.pathId);
      if (s < 0 || table.field(s, SET) !== e.set) t.fail(`lost ${keyOf(e.prefix, e.pathId)}`);
    }
    const all: string[] = [];
    table.forEach((s) => all.push(keyOf(prefixAt(table, s), table.field(s, 0))));
    t.same(all.sort(), [...model.keys()].sort(), 'forEach visits exactly the held routes');
    t.ok(table.growths >= 5, `the pool grew (${table.growths})`);
    t.ok(table.shrinks >= 1, `and shrank (${table.shrinks})`);
    t.ok(table.rehashes >= 5, `chains rebuilt (${table.rehashes})`);
  });

  t.test(`IPv${afi}: forEachCovered equals a brute-force filter (chains and scans, /0 and host routes)`, async (t) => {
    const rand = seededRandom(afi * 7 + 1);
    const table = new FamilyTable(afi);
    const model = new Map<string, Entry>();
    for (let i = 0; i < 6000; i++) {
      const p = randomPrefix(rand, afi);
      const pathId = rand() < 0.9 ? 0 : randomInt(rand, 1, 2);
      const k = keyOf(p, pathId);
      if (model.has(k)) continue;
      insert(table, p, pathId, i);
      model.set(k, { prefix: p, pathId, set: i });
    }
    const max = afi === 4 ? 32 : 128;
    const queries: Prefix[] = [Prefix.masked(afi, 0, 0), Prefix.masked(afi, max, 0)];
    const held = [...model.values()];
    for (let i = 0; i < 600; i++) {
      const r = rand();
      if (r < 0.5) {
        // A held prefix, or one of its covering prefixes.
        const e = held[randomInt(rand, 0, held.length - 1)]!.prefix;
        queries.push(e.truncate(randomInt(rand, 0, e.length)));
      } else if (r < 0.8) {
        queries.push(randomPrefix(rand, afi));
      } else {
        const len = randomInt(rand, 0, max);
        queries.push(Prefix.masked(afi, len, randomInt(rand, 0, 0xffffffff) >>> 0, randomInt(rand, 0, 0xffffffff) >>> 0, 0, 0));
      }
    }
    let mismatches = 0;
    let nonEmpty = 0;
    for (const q of queries) {
      const got = coveredKeys(table, q);
      const want = bruteCovered(model, q);
      if (got.length > 0) nonEmpty++;
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        mismatches++;
        if (mismatches < 5) t.same(got, want, `covered(${q.toString()})`);
      }
    }
    t.equal(mismatches, 0, `${queries.length} queries agree`);
    t.ok(nonEmpty > 300, `most queries find routes (${nonEmpty})`);
    t.equal(coveredKeys(table, queries[0]!).length, model.size, '/0 covers everything');
  });
}

t.test('covered queries walk a few chains; only short prefixes against the table scan', async (t) => {
  const v4 = new FamilyTable(4);
  for (let i = 0; i < 200_000; i++) v4.insert((0x0a000000 + i * 256) >>> 0, 0, 0, 0, 24, 0, i, 0, 0);
  v4.insert(0x0a000000, 0, 0, 0, 16, 0, 1, 0, 0);
  const count = (table: FamilyTable, text: string) => {
    const p = Prefix.parse(text);
    let n = 0;
    const walks = table.chainWalks;
    const scans = table.scans;
    table.forEachCovered(p.w0, p.w1, p.w2, p.w3, p.length, () => n++);
    return { n, walks: table.chainWalks - walks, scans: table.scans - scans };
  };
  t.same(count(v4, '10.1.2.0/24'), { n: 1, walks: 1, scans: 0 }, 'a /24: its /20 chain');
  t.same(count(v4, '10.1.0.0/16'), { n: 256, walks: 17, scans: 0 }, 'a /16: its own chain and 16 /20 chains');
  t.same(count(v4, '10.0.0.0/16'), { n: 257, walks: 17, scans: 0 }, 'the /16 itself is covered too');
  t.same(count(v4, '10.0.0.0/12'), { n: 4097, walks: 16 + 256, scans: 0 }, 'a /12: no route at its own level (/8-/15), 16 /16 and 256 /20 chains');
  t.same(count(v4, '0.0.0.0/0'), { n: 200_001, walks: 0, scans: 1 }, '/0: one scan');

  const v6 = new FamilyTable(6);
  for (let i = 0; i < 50_000; i++) {
    const p = Prefix.masked(6, 48, 0x20010db8 + (i % 7), (i * 65536) >>> 0);
    v6.insert(p.w0, p.w1, p.w2, p.w3, 48, 0, i, 0, 0);
  }
  t.same(count(v6, '2001:db8:0:1::/64'), { n: 0, walks: 1, scans: 0 });
  t.same(count(v6, '2001:db8:7::/48'), { n: 1, walks: 1, scans: 0 });
  t.same(count(v6, '2001:db8::/32'), { n: 7143, walks: 13 * 16, scans: 0 }, 'a /32: the /40 chains of the 13 occupied /36s (its own level is empty)');
  t.same(count(v6, '2001:db8::/31'), { n: 7143 + 7143, walks: 2 * 13 * 16, scans: 0 }, 'keys across the word boundary');
  t.same(count(v6, '2001:db8::/29'), { n: 50_000, walks: 7 * 13 * 16, scans: 0 }, 'a /29: 7 /32s of 13 occupied /36s each');
  // Sparse: two /48s and a /40 under a /29 elsewhere; the empty /36s are skipped.
  for (const text of ['2001:dc0:1::/48', '2001:dc7:ff00::/48', '2001:dc3:4400::/40']) {
    const p = Prefix.parse(text);
    v6.insert(p.w0, p.w1, p.w2, p.w3, p.length, 0, 0, 0, 0);
  }
  t.same(count(v6, '2001:dc0::/29'), { n: 3, walks: 3 * 16, scans: 0 }, 'three occupied /36s of 128');
  t.same(count(v6, '2001:dc3::/32'), { n: 1, walks: 16, scans: 0 });
  t.same(count(v6, '2001:dc4::/32'), { n: 0, walks: 0, scans: 0 }, 'nothing there: no chain walked');
  t.same(count(v6, '2000::/3'), { n: 50_003, walks: 0, scans: 1 }, 'a /3: one scan');
});
