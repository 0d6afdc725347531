import t from 'tap';
import { type Asn, parseAsn } from '../../src/net/asn.js';
import { type Afi, Prefix } from '../../src/net/prefix.js';
import { ORIGIN_NONE, VrpIndex } from '../../src/rov/vrp-index.js';
import { RovState, rovStateName } from '../../src/rov/validity.js';
import { type Vrp, makeVrp, parseVrp } from '../../src/rpki/vrp.js';
import { VrpTable } from '../../src/rpki/vrp-table.js';
import { caught } from '../helpers/errors.js';
import { pick, randomInt, seededRandom } from '../helpers/random.js';

const asn = (n: number) => n as Asn;
const P = (s: string) => Prefix.parse(s);

function indexOf(vrps: Vrp[]): VrpIndex {
  return VrpIndex.build(VrpTable.from(vrps));
}

/** RFC 6811 §2 written out literally, as the oracle. */
function bruteForce(vrps: readonly Vrp[], route: Prefix, origin: Asn | null): RovState {
  let covered = false;
  for (const v of vrps) {
    if (!v.prefix.covers(route)) continue;
    covered = true;
    if (origin !== null && v.asn !== 0 && v.asn === origin && route.length <= v.maxLength) return RovState.Valid;
  }
  return covered ? RovState.Invalid : RovState.NotFound;
}

t.test('RFC 6811 §2 basics', async (t) => {
  const index = indexOf([
    parseVrp('192.0.2.0/24', 24, 'AS64496'),
    parseVrp('198.51.100.0/22', 24, 'AS64497'),
    parseVrp('2001:db8::/32', 48, 'AS64498'),
  ]);
  const check = (prefix: string, origin: number | null, want: string) =>
    t.equal(rovStateName(index.validate(P(prefix), origin === null ? null : asn(origin))), want, `${prefix} AS${origin}`);
  check('192.0.2.0/24', 64496, 'valid');
  check('192.0.2.0/24', 64497, 'invalid');
  check('192.0.2.0/25', 64496, 'invalid'); // too specific
  check('192.0.0.0/16', 64496, 'not-found'); // less specific than the VRP
  check('203.0.113.0/24', 64496, 'not-found');
  check('198.51.101.0/24', 64497, 'valid');
  check('198.51.101.0/25', 64497, 'invalid');
  check('2001:db8:1::/48', 64498, 'valid');
  check('2001:db8:1::/49', 64498, 'invalid');
  check('2001:db9::/32', 64498, 'not-found');
  check('192.0.2.0/24', null, 'invalid'); // origin NONE never valid
  check('203.0.113.0/24', null, 'not-found');
});

t.test('AS0 VRPs (RFC 6483 §4, RFC 7607) never match', async (t) => {
  const index = indexOf([parseVrp('10.0.0.0/8', 32, 'AS0'), parseVrp('10.1.0.0/16', 24, 'AS65000')]);
  t.equal(index.validate(P('10.2.0.0/16'), asn(65000)), RovState.Invalid, 'AS0 alone makes the space invalid');
  t.equal(index.validate(P('10.2.0.0/16'), asn(0)), RovState.Invalid, 'origin AS0 is not matched by an AS0 VRP');
  t.equal(index.validate(P('10.1.2.0/24'), asn(65000)), RovState.Valid, 'a real ROA inside AS0 space still validates');
  t.equal(index.validateV4(0x0a010200, 24, ORIGIN_NONE), RovState.Invalid);
});

t.test('explain names the reason and splits the evidence', async (t) => {
  const index = indexOf([
    parseVrp('192.0.2.0/24', 24, 'AS64496', 'ripe'),
    parseVrp('192.0.0.0/16', 16, 'AS64497', 'arin'),
    parseVrp('192.0.0.0/16', 24, 'AS0', 'apnic'),
  ]);
  const tooLong = index.explain(P('192.0.2.128/25'), asn(64496));
  t.equal(tooLong.state, 'invalid');
  t.equal(tooLong.reason, 'length');
  t.same(tooLong.unmatchedLength.map(String), [String(parseVrp('192.0.2.0/24', 24, 'AS64496', 'ripe'))]);
  t.same(tooLong.unmatchedLength[0]!.ta, 'ripe');
  t.equal(tooLong.unmatchedAs.length, 2);
  t.equal(tooLong.matched.length, 0);

  const wrongAs = index.explain(P('192.0.2.0/24'), asn(65000));
  t.equal(wrongAs.reason, 'as');
  t.equal(wrongAs.unmatchedAs.length, 3);
  t.same(wrongAs.unmatchedAs.map((v) => v.prefix.toString()), ['192.0.2.0/24', '192.0.0.0/16', '192.0.0.0/16'], 'most specific first');

  const valid = index.explain(P('192.0.2.0/24'), asn(64496));
  t.equal(valid.state, 'valid');
  t.equal(valid.reason, null);
  t.equal(valid.matched.length, 1);

  const none = index.explain(P('192.0.2.0/24'), null);
  t.equal(none.state, 'invalid');
  t.equal(none.reason, 'as');

  const nf = index.explain(P('8.8.8.0/24'), asn(15169));
  t.same(nf, { state: 'not-found', reason: null, matched: [], unmatchedAs: [], unmatchedLength: [] });
});

t.test('edge lengths: /0, /32, /128, and deep nesting', async (t) => {
  const index = indexOf([
    parseVrp('0.0.0.0/0', 32, 'AS1'),
    parseVrp('::/0', 128, 'AS2'),
    parseVrp('255.255.255.255/32', 32, 'AS3'),
    parseVrp('2001:db8::1/128', 128, 'AS4'),
  ]);
  t.equal(index.validate(P('1.2.3.4/32'), asn(1)), RovState.Valid);
  t.equal(index.validate(P('1.2.3.4/32'), asn(2)), RovState.Invalid);
  t.equal(index.validate(P('255.255.255.255/32'), asn(3)), RovState.Valid);
  t.equal(index.validate(P('0.0.0.0/0'), asn(1)), RovState.Valid);
  t.equal(index.validate(P('2001:db8::1/128'), asn(4)), RovState.Valid);
  t.equal(index.validate(P('2001:db8::1/128'), asn(2)), RovState.Valid);
  t.equal(index.validate(P('2001:db8::2/128'), asn(4)), RovState.Invalid);
  t.same(index.stats(), { ipv4Vrps: 2, ipv6Vrps: 2, ipv4Prefixes: 2, ipv6Prefixes: 2 });
  t.ok(index.byteSize() > 0);
  t.equal(VrpIndex.build(VrpTable.EMPTY).validate(P('10.0.0.0/8'), asn(1)), RovState.NotFound);
});

/**
 * Random VRP sets with heavy nesting: prefixes are drawn around a few anchor
 * addresses so that covering chains, siblings and AS0 all occur, and routes
 * are drawn around the same anchors at every length.
 */
function randomPrefix(rand: () => number, afi: Afi, anchors: readonly number[][]): Prefix {
  const a = pick(rand, anchors);
  const max = afi === 4 ? 32 : 128;
  // Mostly near the interesting lengths, sometimes anywhere.
  const len = rand() < 0.2 ? randomInt(rand, 0, max) : afi === 4 ? randomInt(rand, 8, 32) : randomInt(rand, 16, 128);
  const flip = rand() < 0.3 ? randomInt(rand, 0, max - 1) : -1; // perturb one bit
  const w = [...a];
  if (flip >= 0) w[flip >> 5] = (w[flip >> 5]! ^ (1 << (31 - (flip & 31)))) >>> 0;
  return Prefix.masked(afi, len, w[0]!, w[1], w[2], w[3]);
}

t.test('property: the index agrees with brute-force RFC 6811 on random data', async (t) => {
  let checked = 0;
  const counts = [0, 0, 0];
  for (let round = 0; round < 300; round++) {
    const rand = seededRandom(1000 + round);
    const anchors4 = Array.from({ length: randomInt(rand, 1, 4) }, () => [Math.floor(rand() * 2 ** 32), 0, 0, 0]);
    const anchors6 = Array.from({ length: randomInt(rand, 1, 4) }, () => [0x20010db8, Math.floor(rand() * 2 ** 32), Math.floor(rand() * 2 ** 32), Math.floor(rand() * 2 ** 32)]);
    const asns = [0, 1, 2, 3, 65000, 4200000000];
    const vrps: Vrp[] = [];
    const n = randomInt(rand, 0, 60);
    for (let i = 0; i < n; i++) {
      const afi: Afi = rand() < 0.6 ? 4 : 6;
      const p = randomPrefix(rand, afi, afi === 4 ? anchors4 : anchors6);
      const maxLength = rand() < 0.4 ? p.length : randomInt(rand, p.length, p.maxLength);
      vrps.push(makeVrp(p, maxLength, asn(pick(rand, asns))));
      if (rand() < 0.1) vrps.push(vrps[vrps.length - 1]!); // duplicates
    }
    const index = indexOf(vrps);
    for (let q = 0; q < 60; q++) {
      const afi: Afi = rand() < 0.6 ? 4 : 6;
      const route = randomPrefix(rand, afi, afi === 4 ? anchors4 : anchors6);
      const origin = rand() < 0.1 ? null : asn(pick(rand, asns));
      const want = bruteForce(vrps, route, origin);
      const got = index.validate(route, origin);
      counts[want]!++;
      if (got !== want) {
        t.fail(`round ${round}: ${route} ${origin}: index says ${rovStateName(got)}, RFC 6811 says ${rovStateName(want)}`);
        return;
      }
      const explained = index.explain(route, origin);
      if (explained.state !== rovStateName(want)) {
        t.fail(`explain disagrees for ${route} ${origin}`);
        return;
      }
      const coveringBrute = vrps.filter((v) => v.prefix.covers(route)).length;
      const coveringIndex = explained.matched.length + explained.unmatchedAs.length + explained.unmatchedLength.length;
      // The index deduplicates; the brute-force list may hold repeats.
      if (coveringIndex > coveringBrute || (coveringBrute > 0) !== (coveringIndex > 0)) {
        t.fail(`covering VRPs disagree for ${route}: ${coveringIndex} vs ${coveringBrute}`);
        return;
      }
      checked++;
    }
  }
  t.equal(checked, 300 * 60);
  // The generator must exercise all three outcomes, or the test proves little.
  t.ok(counts[0]! > 1000 && counts[1]! > 1000 && counts[2]! > 1000, `outcome mix ${counts.join('/')}`);
});

t.test('parseAsn accepts every documented form', async (t) => {
  t.equal(parseAsn('AS65000'), 65000);
  t.equal(parseAsn(65000), 65000);
  t.equal(parseAsn('1.10'), 65546);
});

t.test('bucketed search: below, inside and past the span of first words', async (t) => {
  const index = indexOf([
    parseVrp('10.0.0.0/8', 24, 'AS1'),
    parseVrp('10.1.0.0/16', 16, 'AS2'),
    parseVrp('223.255.255.0/24', 24, 'AS3'),
    parseVrp('2001:db8::/32', 48, 'AS4'),
    parseVrp('2a00::/12', 48, 'AS5'),
  ]);
  const check = (prefix: string, origin: number, want: string) =>
    t.equal(rovStateName(index.validate(P(prefix), asn(origin))), want, `${prefix} AS${origin}`);
  check('9.255.255.0/24', 1, 'not-found'); // below the first word
  check('10.0.0.0/8', 1, 'valid');
  check('10.200.0.0/16', 1, 'valid'); // covered from an earlier bucket
  check('10.1.2.0/24', 2, 'invalid'); // 10.1.0.0/16-16 too short; 10/8 is AS1's
  check('10.1.2.0/24', 1, 'valid');
  check('223.255.255.0/24', 3, 'valid'); // the last bucket
  check('224.0.0.0/4', 3, 'not-found'); // past the span
  check('255.255.255.255/32', 3, 'not-found');
  check('2001:db8:ffff::/48', 4, 'valid');
  check('2001:db7::/32', 4, 'not-found'); // below
  check('2a0f:ffff::/32', 5, 'valid'); // far bucket, covered by 2a00::/12
  check('2a10::/32', 5, 'not-found');
  check('ffff::/16', 5, 'not-found'); // past the span
});

t.test('fenced IPv6 search: many prefixes sharing their first 64 bits, and fence edges', async (t) => {
  const vrps: Vrp[] = [parseVrp('2001:db8::/32', 32, 'AS1')];
  // 60 host routes in one /64: several fences with the same first 64 bits.
  for (let i = 0; i < 60; i++) vrps.push(parseVrp(`2001:db8::${(i * 3 + 1).toString(16)}/128`, 128, `AS${100 + i}`));
  for (let i = 0; i < 40; i++) vrps.push(parseVrp(`2001:db8:${(i + 1).toString(16)}::/48`, 48, `AS${200 + i}`));
  const index = indexOf(vrps);
  for (let i = 0; i < 60; i++) {
    const host = P(`2001:db8::${(i * 3 + 1).toString(16)}/128`);
    t.equal(index.validate(host, asn(100 + i)), RovState.Valid, `host ${i}`);
    t.equal(index.validate(host, asn(99)), RovState.Invalid);
  }
  t.equal(index.validate(P('2001:db8::2/128'), asn(100)), RovState.Invalid, 'between hosts: only the /32 covers');
  t.equal(index.validate(P('2001:db8:28::/48'), asn(239)), RovState.Valid, 'the last /48');
  t.equal(index.validate(P('2001:db8:29::/48'), asn(239)), RovState.Invalid);
  t.equal(index.validate(P('2001:db8::/32'), asn(1)), RovState.Valid, 'the first prefix');
  t.equal(index.validate(P('2001:db7:ffff::/48'), asn(1)), RovState.NotFound, 'before the first fence');
  t.equal(index.validate(P('2001:db9::/32'), asn(1)), RovState.NotFound, 'past the last fence');
  t.equal(index.explain(P('2001:db8::4/128'), asn(101)).matched.length, 1);
});

/** A VRP's identity, for set arithmetic in the tests. */
const vrpId = (v: Vrp) => `${v.prefix}|${v.maxLength}|${v.asn}`;

t.test('withChanges: a chain of updates answers as a fresh build of the same set would', async (t) => {
  const asns = [0, 1, 2, 3, 65000];
  let rebuilt = 0;
  let overlaid = 0;
  let checked = 0;
  for (let round = 0; round < 16; round++) {
    const rand = seededRandom(5000 + round);
    const anchors4 = Array.from({ length: randomInt(rand, 1, 3) }, () => [Math.floor(rand() * 2 ** 32), 0, 0, 0]);
    const anchors6 = Array.from({ length: randomInt(rand, 1, 3) }, () => [0x20010db8, Math.floor(rand() * 2 ** 32), 0, 0]);
    const randomVrp = (): Vrp => {
      const afi: Afi = rand() < 0.6 ? 4 : 6;
      const p = randomPrefix(rand, afi, afi === 4 ? anchors4 : anchors6);
      return makeVrp(p, rand() < 0.4 ? p.length : randomInt(rand, p.length, p.maxLength), asn(pick(rand, asns)));
    };
    // Large enough that small updates stay under the rebuild threshold.
    const held = new Map<string, Vrp>();
    for (let i = 0; i < 5000; i++) {
      const v = randomVrp();
      held.set(vrpId(v), v);
    }
    let table = VrpTable.from(held.values());
    let index = VrpIndex.build(table);
    for (let step = 0; step < 12; step++) {
      // Withdraw some held VRPs (sometimes one announced a step ago), announce new ones
      // (sometimes one withdrawn a step ago).
      const heldList = [...held.values()];
      const removed = new Map<string, Vrp>();
      // The last step withdraws most of the set, past the rebuild threshold.
      const nRemove = step === 11 ? heldList.length - 100 : randomInt(rand, 0, 40);
      for (let i = 0; removed.size < nRemove; i++) {
        const v = pick(rand, heldList);
        removed.set(vrpId(v), v);
      }
      const added = new Map<string, Vrp>();
      for (let i = randomInt(rand, 0, 40); i > 0; i--) {
        const v = rand() < 0.3 && removed.size > 0 ? pick(rand, [...removed.values()]) : randomVrp();
        if (!held.has(vrpId(v)) && !removed.has(vrpId(v))) added.set(vrpId(v), v);
      }
      for (const id of removed.keys()) held.delete(id);
      for (const [id, v] of added) held.set(id, v);
      const next = VrpTable.from(held.values());
      const addedTable = VrpTable.from(added.values());
      const removedTable = VrpTable.from(removed.values());
      const real = table.delta(next);
      if (!real.added.equals(addedTable) || !real.removed.equals(removedTable)) {
        t.fail('the test delta is not the real delta');
        return;
      }
      const changed = index.withChanges(addedTable, removedTable, next);
      if (added.size + removed.size > 0) {
        if (changed.pendingChanges === 0) rebuilt++;
        else overlaid++;
      }
      table = next;
      index = changed;
      if (index.size !== held.size || index.stats().ipv4Vrps + index.stats().ipv6Vrps !== held.size) {
        t.fail(`round ${round} step ${step}: size ${index.size}, stats ${JSON.stringify(index.stats())}, want ${held.size}`);
        return;
      }
      const fresh = VrpIndex.build(table);
      const vrps = [...held.values()];
      for (let q = 0; q < 80; q++) {
        const afi: Afi = rand() < 0.6 ? 4 : 6;
        const route = randomPrefix(rand, afi, afi === 4 ? anchors4 : anchors6);
        const origin = rand() < 0.1 ? null : asn(pick(rand, asns));
        // The fresh build is checked against the literal RFC above; here, every 8th route too.
        const want = q % 8 === 0 ? bruteForce(vrps, route, origin) : fresh.validate(route, origin);
        const got = index.validate(route, origin);
        if (got !== want || fresh.validate(route, origin) !== want) {
          t.fail(`round ${round} step ${step}: ${route} ${origin}: ${rovStateName(got)}, RFC 6811 says ${rovStateName(want)}`);
          return;
        }
        checked++;
        if (q % 4 !== 0) continue;
        const a = index.explain(route, origin);
        const b = fresh.explain(route, origin);
        const ids = (x: typeof a) => [x.matched, x.unmatchedAs, x.unmatchedLength].map((l) => l.map(vrpId).sort());
        if (a.state !== b.state || a.reason !== b.reason || JSON.stringify(ids(a)) !== JSON.stringify(ids(b))) {
          t.fail(`round ${round} step ${step}: explain of ${route} ${origin} differs from a fresh build`);
          return;
        }
        // Most specific first, as the fresh build lists them.
        const order = (i: VrpIndex) => i.covering(route).map((v) => v.prefix.length).join(',');
        if (order(index) !== order(fresh)) {
          t.fail(`round ${round} step ${step}: covering(${route}) is not most specific first`);
          return;
        }
      }
    }
  }
  t.equal(checked, 16 * 12 * 80);
  t.ok(overlaid > 120 && rebuilt === 16, `updates taken in place: ${overlaid}, rebuilt: ${rebuilt}`);
});

t.test('withChanges refuses a delta that does not fit the index, and keeps earlier indexes intact', async (t) => {
  const a = parseVrp('192.0.2.0/24', 24, 'AS64496');
  const b = parseVrp('198.51.100.0/24', 24, 'AS64497');
  const base = VrpTable.from([a]);
  const index = VrpIndex.build(base);
  const none = VrpTable.EMPTY;
  t.match(caught(() => index.withChanges(none, VrpTable.from([b]), none)), { message: /removed VRP is not in the index/ });
  t.match(caught(() => index.withChanges(VrpTable.from([a]), none, base)), { message: /added VRP is already in the index/ });
  t.equal(index.withChanges(none, none, base), index, 'no change, same index');
  const without = index.withChanges(none, VrpTable.from([a]), none);
  t.equal(without.validate(P('192.0.2.0/24'), asn(64496)), RovState.NotFound);
  t.equal(without.validate(P('192.0.2.0/24'), null), RovState.NotFound, 'a withdrawn-only prefix covers nothing, origin NONE too');
  t.equal(index.validate(P('192.0.2.0/24'), asn(64496)), RovState.Valid, 'the earlier index is unchanged');
  t.match(caught(() => without.withChanges(none, VrpTable.from([a]), none)), { message: /removed VRP is not in the index/ }, 'withdrawn twice');
  const back = without.withChanges(VrpTable.from([a]), none, base);
  t.equal(back.validate(P('192.0.2.0/24'), asn(64496)), RovState.Valid, 'announced again');
  t.equal(without.validate(P('192.0.2.0/24'), asn(64496)), RovState.NotFound, 'copy-on-write: the previous mask is untouched');
  const more = back.withChanges(VrpTable.from([b]), none, VrpTable.from([a, b]));
  t.equal(more.validate(P('198.51.100.0/24'), asn(64497)), RovState.Valid);
  t.equal(more.validate(P('198.51.100.0/24'), asn(1)), RovState.Invalid);
  t.equal(more.size, 2);
  t.ok(more.byteSize() > back.byteSize(), 'the extra index is counted');
  t.equal(more.pendingChanges, 1);
  t.equal(without.pendingChanges, 1);
  t.equal(index.pendingChanges, 0);
  t.match(caught(() => more.withChanges(VrpTable.from([b]), none, VrpTable.from([a, b]))), { message: /already in the index/ });
});
