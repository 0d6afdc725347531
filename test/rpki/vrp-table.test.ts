import t from 'tap';
import { Prefix } from '../../src/net/prefix.js';
import { VrpTable, VrpTableBuilder } from '../../src/rpki/vrp-table.js';
import { type Vrp, formatVrp, parseVrp } from '../../src/rpki/vrp.js';
import { randomInt, seededRandom } from '../helpers/random.js';

const V = (prefix: string, max: number, asn: string, ta = '') => parseVrp(prefix, max, asn, ta);
const list = (table: VrpTable) => [...table].map(formatVrp);

t.test('sorted, deduplicated on (prefix, maxLength, ASN), first trust anchor kept', async (t) => {
  const table = VrpTable.from([
    V('2001:db8::/32', 48, 'AS3', 'apnic'),
    V('192.0.2.0/24', 24, 'AS2', 'ripe'),
    V('10.0.0.0/8', 8, 'AS1', 'arin'),
    V('192.0.2.0/24', 24, 'AS2', 'ripe (RRDP prefetch)'),
    V('192.0.2.0/24', 25, 'AS2', 'ripe'),
    V('192.0.2.0/24', 24, 'AS1', 'ripe'),
    V('10.0.0.0/16', 16, 'AS1', 'arin'),
  ]);
  t.same(list(table), [
    'AS1 10.0.0.0/8-8',
    'AS1 10.0.0.0/16-16',
    'AS1 192.0.2.0/24-24',
    'AS2 192.0.2.0/24-24',
    'AS2 192.0.2.0/24-25',
    'AS3 2001:db8::/32-48',
  ]);
  t.equal(table.size, 6);
  t.same(table.stats(), { ipv4: 5, ipv6: 1 });
  t.equal(table.vrpAt(4, 3).ta, 'ripe', 'the first trust anchor seen wins');
  t.equal(table.vrpAt(6, 0).ta, 'apnic');
  t.equal(table.prefixAt(6, 0).toString(), '2001:db8::/32');
  t.equal(VrpTable.EMPTY.size, 0);
  t.same([...VrpTable.EMPTY], []);
});

t.test('delta, equals, union, filter', async (t) => {
  const a = VrpTable.from([V('192.0.2.0/24', 24, 'AS1'), V('198.51.100.0/24', 24, 'AS2'), V('2001:db8::/32', 32, 'AS3')]);
  const b = VrpTable.from([V('198.51.100.0/24', 24, 'AS2', 'other ta'), V('203.0.113.0/24', 24, 'AS4'), V('2001:db8::/32', 48, 'AS3')]);
  const d = a.delta(b);
  t.same(list(d.added), ['AS4 203.0.113.0/24-24', 'AS3 2001:db8::/32-48']);
  t.same(list(d.removed), ['AS1 192.0.2.0/24-24', 'AS3 2001:db8::/32-32']);
  t.equal(a.delta(a).added.size + a.delta(a).removed.size, 0);
  t.ok(a.equals(VrpTable.from([...a].reverse())), 'order of input does not matter');
  t.notOk(a.equals(b));
  t.ok(VrpTable.from([V('198.51.100.0/24', 24, 'AS2', 'x')]).equals(VrpTable.from([V('198.51.100.0/24', 24, 'AS2', 'y')])), 'trust anchors ignored');
  const u = VrpTable.union([a, b]);
  t.equal(u.size, 5);
  t.equal(VrpTable.union([a]), a, 'one table is its own union');
  t.same(list(a.filter((v) => v.asn !== 2)), ['AS1 192.0.2.0/24-24', 'AS3 2001:db8::/32-32']);
});

t.test('coveringPrefixes is the minimal cover of the VRP prefixes', async (t) => {
  const table = VrpTable.from([
    V('10.0.0.0/8', 8, 'AS1'),
    V('10.1.0.0/16', 16, 'AS2'),
    V('10.1.2.0/24', 24, 'AS3'),
    V('11.0.0.0/8', 8, 'AS1'),
    V('192.0.2.0/25', 25, 'AS4'),
    V('192.0.2.128/25', 25, 'AS4'),
    V('2001:db8::/32', 48, 'AS5'),
    V('2001:db8:1::/48', 48, 'AS6'),
  ]);
  t.same(table.coveringPrefixes().map(String), ['10.0.0.0/8', '11.0.0.0/8', '192.0.2.0/25', '192.0.2.128/25', '2001:db8::/32']);

  // Property: every prefix is covered by exactly one cover prefix, and no
  // cover prefix covers another.
  for (let round = 0; round < 50; round++) {
    const rand = seededRandom(round);
    const vrps: Vrp[] = [];
    for (let i = 0; i < 80; i++) {
      const len = randomInt(rand, 4, 20);
      const p = Prefix.masked(4, len, (0x0a000000 + Math.floor(rand() * 2 ** 20) * 16) >>> 0);
      vrps.push(parseVrp(p.toString(), len, String(randomInt(rand, 1, 5))));
    }
    const cover = VrpTable.from(vrps).coveringPrefixes();
    for (const v of vrps) {
      const n = cover.filter((c) => c.covers(v.prefix)).length;
      if (n !== 1) t.fail(`${v.prefix} covered ${n} times`);
    }
    for (const a of cover) for (const b of cover) if (a !== b && a.covers(b)) t.fail(`${a} covers ${b}`);
  }
  t.pass('covers are minimal and complete');
});

t.test('the builder grows and accepts raw fields', async (t) => {
  const b = new VrpTableBuilder();
  for (let i = 0; i < 5000; i++) b.addFields(4, (i << 8) >>> 0, 0, 0, 0, 24, 24, 64500 + (i % 7), 'ta');
  b.addFields(6, 0x20010db8, 0, 0, 0, 32, 48, 1, 'ta6');
  b.addFields(6, 0x20010db8, 0, 0, 0, 32, 48, 1, 'ta6');
  t.equal(b.size, 5002);
  const table = b.build();
  t.equal(table.size, 5001);
  t.same(table.tas, ['', 'ta', 'ta6']);
});

t.test('withChanges merges a small update into a large set without re-sorting', async (t) => {
  const base = VrpTable.from([
    V('10.0.0.0/8', 8, 'AS1', 'arin'),
    V('192.0.2.0/24', 24, 'AS2', 'ripe'),
    V('2001:db8::/32', 48, 'AS3', 'apnic'),
  ]);
  const added = VrpTable.from([V('10.1.0.0/16', 16, 'AS4', 'lacnic'), V('2001:db8::/32', 48, 'AS5', 'apnic')]);
  const removed = VrpTable.from([V('192.0.2.0/24', 24, 'AS2')]);
  const next = base.withChanges(added, removed);
  t.same(list(next), ['AS1 10.0.0.0/8-8', 'AS4 10.1.0.0/16-16', 'AS3 2001:db8::/32-48', 'AS5 2001:db8::/32-48']);
  t.equal(next.vrpAt(4, 1).ta, 'lacnic', 'trust anchors of added VRPs are carried over');
  t.ok(next.equals(VrpTable.from([...next])), 'the result is in canonical order');
  t.equal(base.withChanges(VrpTable.EMPTY, VrpTable.EMPTY), base);
  t.throws(() => base.withChanges(VrpTable.EMPTY, VrpTable.from([V('198.51.100.0/24', 24, 'AS9')])), /not held/);

  t.equal(base.indexOfRow(added.v4, 0), -1);
  t.equal(next.indexOfRow(added.v4, 0), 1);
  t.equal(next.indexOfRow(added.v6, 0), 1);

  // Property: equal to rebuilding the set from scratch.
  for (let round = 0; round < 30; round++) {
    const rand = seededRandom(500 + round);
    const pool = Array.from({ length: 300 }, () => {
      const len = randomInt(rand, 8, 24);
      const p = Prefix.masked(4, len, Math.floor(rand() * 2 ** 32));
      return parseVrp(p.toString(), randomInt(rand, len, 24), String(randomInt(rand, 1, 20)));
    });
    const start = VrpTable.from(pool.slice(0, 200));
    const all = [...start];
    const keep = all.filter(() => rand() < 0.8);
    const toRemove = all.filter((v) => !keep.includes(v));
    const toAdd = [...VrpTable.from(pool.slice(200))].filter((v) => start.indexOfRow(VrpTable.from([v]).v4, 0) < 0);
    const merged = start.withChanges(VrpTable.from(toAdd), VrpTable.from(toRemove));
    if (!merged.equals(VrpTable.from([...keep, ...toAdd]))) t.fail(`round ${round}`);
  }
  t.pass('withChanges equals a rebuild');
});

t.test('selectRows keeps the chosen rows in order, sharing columns kept whole', async (t) => {
  const table = VrpTable.from([parseVrp('192.0.2.0/24', 24, 'AS1', 'ripe'), parseVrp('10.0.0.0/8', 8, 'AS2'), parseVrp('2001:db8::/32', 48, 'AS3', 'arin')]);
  const v4Only = table.selectRows((afi) => afi === 4);
  t.same([...v4Only].map(formatVrp), ['AS2 10.0.0.0/8-8', 'AS1 192.0.2.0/24-24']);
  t.equal(v4Only.v4, table.v4, 'a column kept whole is not copied');
  const second = table.selectRows((afi, row) => afi === 6 || row === 1);
  t.same([...second].map((v) => [formatVrp(v), v.ta]), [['AS1 192.0.2.0/24-24', 'ripe'], ['AS3 2001:db8::/32-48', 'arin']]);
  t.equal(table.selectRows(() => false).size, 0);
});
