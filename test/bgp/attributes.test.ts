/**
 * Path attributes, one group per attribute: the good encodings and each
 * malformed variant with the RFC 7606 action it must produce. Every UPDATE
 * here is written byte by byte (test/bgp/helpers/build.ts only adds lengths).
 */
import t, { type Test } from 'tap';
import { communityName, decodePathAttributes } from '../../src/bgp/attributes.js';
import { type BgpUpdate, BgpUpdateError, decodeUpdate } from '../../src/bgp/update.js';
import { ParseError } from '../../src/wire/parse-error.js';
import { caught } from '../helpers/errors.js';
import { AS_PATH_2, AS_PATH_4, attr, BASE_ATTRS, CAPS2, CAPS4, NEXT_HOP, NLRI_10_8, ORIGIN_IGP, u32, update } from './helpers/build.js';

const dec = (attributes: readonly number[], caps = CAPS4, nlri: readonly number[] = NLRI_10_8): BgpUpdate => decodeUpdate(update([], attributes, nlri), caps);
const prefixes = (list: readonly { prefix: { toString(): string } }[]): string[] => list.map((n) => n.prefix.toString());
/** The UPDATE was accepted as it stands: 10.0.0.0/8 announced, no problem. */
function accepted(t: Test, u: BgpUpdate): void {
  t.equal(u.action, 'none');
  t.same(u.problems, []);
  t.same(prefixes(u.announced), ['10.0.0.0/8']);
  t.same(u.withdrawn, []);
}
/** RFC 7606 treat-as-withdraw: the announced 10.0.0.0/8 is reported withdrawn. */
function withdrawnBy(t: Test, u: BgpUpdate, typeCode: number, reason?: RegExp): void {
  t.equal(u.action, 'treat-as-withdraw');
  t.same(u.announced, []);
  t.same(prefixes(u.withdrawn), ['10.0.0.0/8']);
  t.match(u.problems, [{ typeCode, action: 'treat-as-withdraw', ...(reason ? { reason } : {}) }]);
  t.equal(u.problems.length, 1, 'one problem');
}
/** RFC 7606 attribute discard: the route stays announced, the attribute is gone. */
function discarded(t: Test, u: BgpUpdate, typeCode: number): void {
  t.equal(u.action, 'attribute-discard');
  t.same(prefixes(u.announced), ['10.0.0.0/8']);
  t.match(u.problems, [{ typeCode, action: 'attribute-discard' }]);
  t.equal(u.problems.length, 1, 'one problem');
}

const REST_AFTER_ORIGIN = [...AS_PATH_4(65001), ...NEXT_HOP(192, 0, 2, 1)];

t.test('ORIGIN (type 1, RFC 4271 §5.1.1; RFC 7606 §7.1)', async (t) => {
  t.equal(dec([...attr(0x40, 1, [0]), ...REST_AFTER_ORIGIN]).attributes?.origin, 'igp');
  t.equal(dec([...attr(0x40, 1, [1]), ...REST_AFTER_ORIGIN]).attributes?.origin, 'egp');
  t.equal(dec([...attr(0x40, 1, [2]), ...REST_AFTER_ORIGIN]).attributes?.origin, 'incomplete');
  accepted(t, dec([...attr(0x40, 1, [2]), ...REST_AFTER_ORIGIN]));
  t.test('undefined value 3: treat-as-withdraw', async (t) => {
    const u = dec([...attr(0x40, 1, [3]), ...REST_AFTER_ORIGIN]);
    withdrawnBy(t, u, 1, /undefined value 3/);
    t.equal(u.attributes?.origin, undefined);
    t.equal(u.problems[0]!.offset, 4, 'offset of the attribute (after the two length fields)');
  });
  t.test('length 0 or 2: treat-as-withdraw', async (t) => {
    withdrawnBy(t, dec([...attr(0x40, 1, []), ...REST_AFTER_ORIGIN]), 1, /length 0/);
    withdrawnBy(t, dec([...attr(0x40, 1, [0, 0]), ...REST_AFTER_ORIGIN]), 1, /length 2/);
  });
  t.test('Optional bit set (flags conflict, RFC 7606 §3 (c)): treat-as-withdraw', async (t) => {
    withdrawnBy(t, dec([...attr(0xc0, 1, [0]), ...REST_AFTER_ORIGIN]), 1, /flags 0xc0/);
    withdrawnBy(t, dec([...attr(0x00, 1, [0]), ...REST_AFTER_ORIGIN]), 1, /flags/);
  });
  t.test('the Partial and Extended Length bits are not a conflict', async (t) => {
    accepted(t, dec([...attr(0x60, 1, [0]), ...REST_AFTER_ORIGIN]));
    accepted(t, dec([...attr(0x50, 1, [0]), ...REST_AFTER_ORIGIN]));
  });
});

t.test('AS_PATH (type 2, RFC 4271 §5.1.2; RFC 7606 §7.2; RFC 7607)', async (t) => {
  const withPath = (value: number[], caps = CAPS4): BgpUpdate => dec([...ORIGIN_IGP, ...attr(0x40, 2, value), ...NEXT_HOP(192, 0, 2, 1)], caps);
  t.test('4-octet session: all four segment types, wire order kept', async (t) => {
    const u = withPath([2, 2, ...u32(65001), ...u32(4200000000), 1, 2, ...u32(1), ...u32(2), 3, 1, ...u32(65100), 4, 1, ...u32(65200)]);
    accepted(t, u);
    t.equal(u.attributes?.asPath.toString(), '65001 4200000000 {1,2} (65100) [65200]');
  });
  t.test('2-octet session', async (t) => {
    const u = withPath([2, 3, 0xfd, 0xe9, 0x5b, 0xa0, 0, 1], CAPS2);
    accepted(t, u);
    t.equal(u.attributes?.asPath.toString(), '65001 23456 1', 'AS_TRANS stays when there is no AS4_PATH');
  });
  t.test('empty AS_PATH (an iBGP route) is well-formed', async (t) => {
    const u = withPath([]);
    accepted(t, u);
    t.ok(u.attributes?.asPath.isEmpty);
  });
  t.test('two segments of the same type stay two segments', async (t) => {
    t.equal(withPath([2, 1, ...u32(1), 2, 1, ...u32(2)]).attributes?.asPath.segments.length, 2);
  });
  t.test('malformed → treat-as-withdraw', async (t) => {
    withdrawnBy(t, withPath([5, 1, ...u32(1)]), 2, /unknown segment type 5/);
    withdrawnBy(t, withPath([0, 1, ...u32(1)]), 2, /unknown segment type 0/);
    withdrawnBy(t, withPath([2, 0]), 2, /empty sequence segment/);
    withdrawnBy(t, withPath([2, 2, ...u32(1)]), 2, /overruns/);
    withdrawnBy(t, withPath([2, 1, ...u32(1), 2]), 2, /segment header cut off/);
    withdrawnBy(t, withPath([2, 1, 0xfd, 0xe9]), 2, /overruns/);
    withdrawnBy(t, withPath([2, 2, ...u32(65001), ...u32(0)]), 2, /AS 0/);
    withdrawnBy(t, withPath([2, 1, 0, 0], CAPS2), 2, /AS 0/);
    withdrawnBy(t, withPath([2, 3, 0, 1, 0, 2], CAPS2), 2, /overruns/);
  });
  t.test('flags conflict: Optional set', async (t) => {
    withdrawnBy(t, dec([...ORIGIN_IGP, ...attr(0xc0, 2, [2, 1, ...u32(1)]), ...NEXT_HOP(192, 0, 2, 1)]), 2);
  });
});

t.test('NEXT_HOP (type 3, RFC 4271 §5.1.3; RFC 7606 §7.3)', async (t) => {
  const u = dec(BASE_ATTRS);
  accepted(t, u);
  t.equal(u.attributes?.nextHop, '192.0.2.1');
  t.equal(u.attributes?.linkLocalNextHop, undefined);
  withdrawnBy(t, dec([...ORIGIN_IGP, ...AS_PATH_4(65001), ...attr(0x40, 3, [192, 0, 2])]), 3, /length 3/);
  withdrawnBy(t, dec([...ORIGIN_IGP, ...AS_PATH_4(65001), ...attr(0x40, 3, [192, 0, 2, 1, 0])]), 3, /length 5/);
  withdrawnBy(t, dec([...ORIGIN_IGP, ...AS_PATH_4(65001), ...attr(0x80, 3, [192, 0, 2, 1])]), 3, /flags/);
});

t.test('MULTI_EXIT_DISC (type 4, RFC 4271 §5.1.4; RFC 7606 §7.4)', async (t) => {
  t.equal(dec([...BASE_ATTRS, ...attr(0x80, 4, u32(0))]).attributes?.med, 0);
  const u = dec([...BASE_ATTRS, ...attr(0x80, 4, u32(0xffffffff))]);
  accepted(t, u);
  t.equal(u.attributes?.med, 4294967295);
  t.equal(dec(BASE_ATTRS).attributes?.med, undefined);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0x80, 4, [0, 0, 1])]), 4, /length 3/);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0x40, 4, u32(5))]), 4, /flags/);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0xc0, 4, u32(5))]), 4, /flags/);
});

t.test('LOCAL_PREF (type 5, RFC 4271 §5.1.5; RFC 7606 §7.5)', async (t) => {
  const u = dec([...BASE_ATTRS, ...attr(0x40, 5, u32(100))]);
  accepted(t, u);
  t.equal(u.attributes?.localPref, 100);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0x40, 5, [0, 100])]), 5, /length 2/);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0x80, 5, u32(100))]), 5, /flags/);
});

t.test('ATOMIC_AGGREGATE (type 6, RFC 4271 §5.1.6; RFC 7606 §7.6)', async (t) => {
  const u = dec([...BASE_ATTRS, ...attr(0x40, 6, [])]);
  accepted(t, u);
  t.equal(u.attributes?.atomicAggregate, true);
  t.equal(dec(BASE_ATTRS).attributes?.atomicAggregate, false);
  const bad = dec([...BASE_ATTRS, ...attr(0x40, 6, [1])]);
  discarded(t, bad, 6);
  t.equal(bad.attributes?.atomicAggregate, false);
});

t.test('AGGREGATOR (type 7, RFC 4271 §5.1.7, RFC 6793; RFC 7606 §7.7; RFC 7607)', async (t) => {
  const u = dec([...BASE_ATTRS, ...attr(0xc0, 7, [...u32(4200000000), 198, 51, 100, 7])]);
  accepted(t, u);
  t.same(u.attributes?.aggregator, { asn: 4200000000, address: '198.51.100.7' });
  const two = dec([...ORIGIN_IGP, ...AS_PATH_2(65001), ...NEXT_HOP(192, 0, 2, 1), ...attr(0xc0, 7, [0xfd, 0xe9, 198, 51, 100, 7])], CAPS2);
  accepted(t, two);
  t.same(two.attributes?.aggregator, { asn: 65001, address: '198.51.100.7' });
  t.test('6 octets on a 4-octet session, 8 on a 2-octet one: attribute discard', async (t) => {
    const a = dec([...BASE_ATTRS, ...attr(0xc0, 7, [0xfd, 0xe9, 198, 51, 100, 7])]);
    discarded(t, a, 7);
    t.equal(a.attributes?.aggregator, undefined);
    discarded(t, dec([...ORIGIN_IGP, ...AS_PATH_2(65001), ...NEXT_HOP(192, 0, 2, 1), ...attr(0xc0, 7, [...u32(65001), 198, 51, 100, 7])], CAPS2), 7);
  });
  t.test('AS 0: attribute discard (RFC 7607 §2)', async (t) => {
    discarded(t, dec([...BASE_ATTRS, ...attr(0xc0, 7, [...u32(0), 198, 51, 100, 7])]), 7);
  });
  t.test('flags conflict (not transitive): treat-as-withdraw (RFC 7606 §3 (c))', async (t) => {
    withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0x80, 7, [...u32(65001), 198, 51, 100, 7])]), 7);
  });
});

t.test('COMMUNITIES (type 8, RFC 1997; RFC 7606 §7.8)', async (t) => {
  const u = dec([...BASE_ATTRS, ...attr(0xc0, 8, [...u32(0xfde90064), ...u32(0xffffff01), ...u32(0xffff029a)])]);
  accepted(t, u);
  t.same(u.attributes?.communities, [0xfde90064, 0xffffff01, 0xffff029a]);
  t.same(u.attributes?.communities.map(communityName), ['65001:100', 'NO_EXPORT', 'BLACKHOLE']);
  t.same(dec(BASE_ATTRS).attributes?.communities, []);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0xc0, 8, [])]), 8, /non-zero multiple of 4/);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0xc0, 8, [1, 2, 3, 4, 5])]), 8, /length 5/);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0x40, 8, u32(1))]), 8, /flags/);
});

t.test('communityName: the well-known communities (RFC 1997, 3765, 7611, 7999, 8326, 9494), else asn:value', async (t) => {
  t.equal(communityName(0xffffff01), 'NO_EXPORT');
  t.equal(communityName(0xffffff02), 'NO_ADVERTISE');
  t.equal(communityName(0xffffff03), 'NO_EXPORT_SUBCONFED');
  t.equal(communityName(0xffffff04), 'NOPEER');
  t.equal(communityName(0xffff029a), 'BLACKHOLE');
  t.equal(communityName(0xffff0000), 'GRACEFUL_SHUTDOWN');
  t.equal(communityName(0xffff0001), 'ACCEPT_OWN');
  t.equal(communityName(0xffff0006), 'LLGR_STALE');
  t.equal(communityName(0xffff0007), 'NO_LLGR');
  t.equal(communityName(0), '0:0');
  t.equal(communityName(0xffffffff), '65535:65535');
  t.equal(communityName(0xfde90064), '65001:100');
  t.equal(communityName(-255), 'NO_EXPORT', 'a signed 32-bit value is read unsigned');
});

t.test('EXTENDED_COMMUNITIES (type 16, RFC 4360; RFC 7606 §7.14)', async (t) => {
  const rt = [0x00, 0x02, 0xfd, 0xe9, 0, 0, 0, 100];
  const soo = [0x01, 0x03, 192, 0, 2, 1, 0, 7];
  const bytes = update([], [...BASE_ATTRS, ...attr(0xc0, 16, [...rt, ...soo])], NLRI_10_8);
  const u = decodeUpdate(bytes, CAPS4);
  accepted(t, u);
  t.same(u.attributes?.extendedCommunities.map((v) => [...v]), [rt, soo]);
  t.equal(u.attributes?.extendedCommunities[0]!.buffer, bytes.buffer, 'views, not copies');
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0xc0, 16, rt.slice(0, 7))]), 16, /multiple of 8/);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0xc0, 16, [])]), 16);
});

t.test('LARGE_COMMUNITY (type 32, RFC 8092 §3, §6)', async (t) => {
  const u = dec([...BASE_ATTRS, ...attr(0xc0, 32, [...u32(4200000000), ...u32(1), ...u32(2), ...u32(65001), ...u32(0), ...u32(4294967295)])]);
  accepted(t, u);
  t.same(u.attributes?.largeCommunities, ['4200000000:1:2', '65001:0:4294967295']);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0xc0, 32, [...u32(1), ...u32(2), 0, 0, 3])]), 32, /multiple of 12/);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0xc0, 32, [])]), 32);
});

t.test('kept raw but length-checked: ORIGINATOR_ID 9, CLUSTER_LIST 10, IPv6 ext. communities 25, OTC 35', async (t) => {
  const u = dec([...BASE_ATTRS, ...attr(0x80, 9, [10, 0, 0, 1]), ...attr(0x80, 10, [...u32(1), ...u32(2)]), ...attr(0xc0, 25, new Array(20).fill(1)), ...attr(0xc0, 35, u32(65001))]);
  accepted(t, u);
  t.same(
    u.attributes?.otherAttributes.map((o) => [o.typeCode, o.flags, o.value.length]),
    [
      [9, 0x80, 4],
      [10, 0x80, 8],
      [25, 0xc0, 20],
      [35, 0xc0, 4],
    ],
  );
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0x80, 9, [10, 0, 0])]), 9, /length 3/);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0x80, 10, [1, 2, 3])]), 10, /multiple of 4/);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0x80, 10, [])]), 10);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0xc0, 25, new Array(19).fill(1))]), 25, /multiple of 20/);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0xc0, 35, [0, 1])]), 35, /length 2/);
  withdrawnBy(t, dec([...BASE_ATTRS, ...attr(0x40, 35, u32(1))]), 35, /flags/);
});

t.test('unrecognized attributes', async (t) => {
  t.test('optional ones are kept raw with their flags (Partial included)', async (t) => {
    const u = dec([...BASE_ATTRS, ...attr(0xe0, 99, [1, 2, 3]), ...attr(0x90, 200, [])]);
    accepted(t, u);
    t.same(u.attributes?.otherAttributes.map((o) => [o.typeCode, o.flags, [...o.value]]), [
      [99, 0xe0, [1, 2, 3]],
      [200, 0x90, []],
    ]);
  });
  t.test('a well-known one we do not recognize is a session reset (RFC 4271 §6.3)', async (t) => {
    const e = caught(() => dec([...BASE_ATTRS, ...attr(0x40, 99, [1])]));
    t.ok(e instanceof BgpUpdateError);
    t.ok(e instanceof ParseError);
    t.match(e, { action: 'session-reset', kind: 'malformed', field: 'bgp.update.attr.type', offset: 4 + BASE_ATTRS.length });
  });
});

t.test('repeated attributes (RFC 7606 §3 (g))', async (t) => {
  t.test('all but the first are discarded', async (t) => {
    const u = dec([...BASE_ATTRS, ...attr(0x40, 1, [2]), ...attr(0x80, 4, u32(1)), ...attr(0x80, 4, u32(2))]);
    t.equal(u.action, 'attribute-discard');
    t.equal(u.attributes?.origin, 'igp', 'the first ORIGIN');
    t.equal(u.attributes?.med, 1, 'the first MED');
    t.same(prefixes(u.announced), ['10.0.0.0/8']);
    t.match(u.problems, [
      { typeCode: 1, action: 'attribute-discard', reason: /repeated/ },
      { typeCode: 4, action: 'attribute-discard', reason: /repeated/ },
    ]);
  });
  t.test('a repeat is discarded even when the repeat is malformed, and unknown attributes count too', async (t) => {
    const u = dec([...BASE_ATTRS, ...attr(0x40, 1, [7]), ...attr(0xc0, 99, [1]), ...attr(0xc0, 99, [2])]);
    t.equal(u.action, 'attribute-discard');
    t.same(u.attributes?.otherAttributes.map((o) => [...o.value]), [[1]]);
  });
  t.test('a repeated MP_REACH_NLRI or MP_UNREACH_NLRI is a session reset', async (t) => {
    const reach = attr(0x80, 14, [0, 2, 1, 16, ...new Array(15).fill(0), 1, 0]);
    t.match(caught(() => dec([...ORIGIN_IGP, ...AS_PATH_4(1), ...reach, ...reach], CAPS4, [])), { action: 'session-reset', message: /more than once/ });
    const unreach = attr(0x80, 15, [0, 2, 1]);
    t.match(caught(() => dec([...unreach, ...unreach], CAPS4, [])), { name: 'BgpUpdateError', message: /MP_UNREACH_NLRI appears more than once/ });
  });
});

t.test('attribute lengths against the block (RFC 7606 §4)', async (t) => {
  t.test('the last attribute overruns the block: treat-as-withdraw, the NLRI still found by the block length', async (t) => {
    const block = [...BASE_ATTRS, 0xc0, 8, 8, ...u32(1)]; // COMMUNITIES says 8, has 4
    const u = dec(block);
    withdrawnBy(t, u, 8, /overruns the attribute block/);
    t.equal(u.attributes?.nextHop, '192.0.2.1', 'attributes before it decoded');
  });
  t.test('fewer than 3 octets left for a header: treat-as-withdraw', async (t) => {
    withdrawnBy(t, dec([...BASE_ATTRS, 0x40]), 0, /1 octets left/);
    withdrawnBy(t, dec([...BASE_ATTRS, 0x40, 5]), 5, /2 octets left/);
    withdrawnBy(t, dec([...BASE_ATTRS, 0x50, 5, 0]), 5, /3 octets left/);
  });
  t.test('an extended length that overruns', async (t) => {
    withdrawnBy(t, dec([...BASE_ATTRS, 0xd0, 8, 0x01, 0x00, ...u32(1)]), 8, /length 256 overruns/);
  });
  t.test('an MP_REACH_NLRI that overruns cannot be located: session reset (RFC 7606 §3 (j))', async (t) => {
    t.match(caught(() => dec([...BASE_ATTRS, 0x80, 14, 40, 0, 2, 1])), { action: 'session-reset', field: 'bgp.update.attr.mpReach.length' });
    t.match(caught(() => dec([...BASE_ATTRS, 0x90, 15, 0, 40, 0, 2, 1])), { action: 'session-reset', field: 'bgp.update.attr.mpUnreach.length' });
  });
  t.test('an extended-length attribute with a short value is fine', async (t) => {
    const u = dec([...BASE_ATTRS, ...attr(0xd0, 8, u32(7))]);
    accepted(t, u);
    t.same(u.attributes?.communities, [7]);
  });
});

t.test('the strongest action wins (RFC 7606 §3 (h)); every problem is listed', async (t) => {
  const u = dec([...BASE_ATTRS, ...attr(0x40, 6, [1]), ...attr(0xc0, 8, [1, 2, 3]), ...attr(0xc0, 7, [1, 2])]);
  t.equal(u.action, 'treat-as-withdraw');
  t.same(u.problems.map((p) => [p.typeCode, p.action]), [
    [6, 'attribute-discard'],
    [8, 'treat-as-withdraw'],
    [7, 'attribute-discard'],
  ]);
  t.same(prefixes(u.withdrawn), ['10.0.0.0/8']);
  const onlyDiscard = dec([...BASE_ATTRS, ...attr(0x40, 6, [1]), ...attr(0xc0, 7, [1, 2])]);
  t.equal(onlyDiscard.action, 'attribute-discard');
  t.equal(onlyDiscard.problems.length, 2);
});

t.test('missing well-known mandatory attributes with NLRI (RFC 7606 §3 (d)): treat-as-withdraw', async (t) => {
  withdrawnBy(t, dec([...AS_PATH_4(1), ...NEXT_HOP(192, 0, 2, 1)]), 1, /ORIGIN: missing/);
  withdrawnBy(t, dec([...ORIGIN_IGP, ...NEXT_HOP(192, 0, 2, 1)]), 2, /AS_PATH: missing/);
  withdrawnBy(t, dec([...ORIGIN_IGP, ...AS_PATH_4(1)]), 3, /NEXT_HOP: missing/);
  t.test('a table the router reports of itself (nextHopOptional): the route stays, without a next hop', async (t) => {
    const u = decodeUpdate(update([], [...ORIGIN_IGP, ...AS_PATH_4(1)], NLRI_10_8), CAPS4, 0, { nextHopOptional: true });
    t.equal(u.action, 'attribute-discard');
    t.same(prefixes(u.announced), ['10.0.0.0/8']);
    t.same(u.withdrawn, []);
    t.equal(u.attributes?.nextHop, undefined);
    t.match(u.problems, [{ typeCode: 3, action: 'attribute-discard', reason: /NEXT_HOP: missing.*kept/ }]);
    const noOrigin = decodeUpdate(update([], [...AS_PATH_4(1)], NLRI_10_8), CAPS4, 0, { nextHopOptional: true });
    t.equal(noOrigin.action, 'treat-as-withdraw', 'the other mandatory attributes still are');
  });
  t.test('NLRI and no attributes at all: all three missing', async (t) => {
    const u = dec([]);
    t.equal(u.action, 'treat-as-withdraw');
    t.equal(u.attributes, undefined);
    t.same(u.problems.map((p) => p.typeCode), [1, 2, 3]);
    t.same(prefixes(u.withdrawn), ['10.0.0.0/8']);
  });
  t.test('no NLRI: nothing is mandatory', async (t) => {
    const u = dec([...attr(0xc0, 8, u32(1))], CAPS4, []);
    t.equal(u.action, 'none');
    t.same(u.attributes?.communities, [1]);
  });
  t.test('withdrawn routes are kept and joined by the announced ones', async (t) => {
    const u = decodeUpdate(update([16, 192, 168], [...ORIGIN_IGP], NLRI_10_8), CAPS4);
    t.same(prefixes(u.withdrawn), ['192.168.0.0/16', '10.0.0.0/8']);
    t.same(u.announced, []);
  });
});

t.test('RFC 6793 §6: AS4_PATH and AS4_AGGREGATOR on a 4-octet session are discarded', async (t) => {
  const u = dec([...BASE_ATTRS, ...attr(0xc0, 17, [2, 1, ...u32(4200000000)]), ...attr(0xc0, 18, [...u32(4200000000), 1, 2, 3, 4])]);
  t.equal(u.action, 'attribute-discard');
  t.same(u.problems.map((p) => p.typeCode), [17, 18]);
  t.equal(u.attributes?.asPath.toString(), '65001');
  t.equal(u.attributes?.aggregator, undefined);
});

t.test('decodePathAttributes: the block alone (MRT RIB entries)', async (t) => {
  t.test('IPv4 entry: NEXT_HOP, no NLRI-dependent checks', async (t) => {
    const d = decodePathAttributes(Uint8Array.from([...ORIGIN_IGP, ...AS_PATH_4(65001, 65002), ...NEXT_HOP(192, 0, 2, 9)]), CAPS4, { streamOffset: 1000 });
    t.equal(d.action, 'none');
    t.equal(d.attributes.asPath.toString(), '65001 65002');
    t.equal(d.attributes.nextHop, '192.0.2.9');
    t.equal(d.mpReach, undefined);
    t.equal(d.mpUnreach, undefined);
    t.same(d.skipped, []);
    const noHop = decodePathAttributes(Uint8Array.from([...AS_PATH_4(1)]), CAPS4);
    t.equal(noHop.action, 'none', 'a missing ORIGIN is the caller’s business here');
  });
  t.test('problems carry stream offsets', async (t) => {
    const d = decodePathAttributes(Uint8Array.from([...ORIGIN_IGP, ...attr(0x40, 6, [1])]), CAPS4, { streamOffset: 1000 });
    t.match(d.problems, [{ typeCode: 6, offset: 1004, action: 'attribute-discard' }]);
  });
  t.test('abbreviated MP_REACH (RFC 6396 §4.3.4): next-hop length and next hop only', async (t) => {
    const global = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1];
    const ll = [0xfe, 0x80, ...new Array(13).fill(0), 2];
    const d = decodePathAttributes(Uint8Array.from([...ORIGIN_IGP, ...AS_PATH_4(65001), ...attr(0x80, 14, [32, ...global, ...ll])]), CAPS4, { mpReachAbbreviated: true });
    t.equal(d.action, 'none');
    t.equal(d.attributes.nextHop, '2001:db8::1');
    t.equal(d.attributes.linkLocalNextHop, 'fe80::2');
    t.match(d.mpReach, { afi: 2, safi: 1, nlri: [] });
    const v4 = decodePathAttributes(Uint8Array.from([...attr(0x80, 14, [4, 192, 0, 2, 1])]), CAPS4, { mpReachAbbreviated: true });
    t.match(v4.mpReach, { afi: 1, safi: 1 });
    t.equal(v4.attributes.nextHop, '192.0.2.1');
    const told = decodePathAttributes(Uint8Array.from([...attr(0x80, 14, [16, ...global])]), CAPS4, { mpReachAbbreviated: true, afiSafi: { afi: 1, safi: 1 } });
    t.match(told.mpReach, { afi: 1, safi: 1 }, 'afiSafi names the RIB subtype (RFC 8950 IPv6 next hop for IPv4)');
    t.equal(told.attributes.nextHop, '2001:db8::1');
  });
  t.test('a full-form MP_REACH in a RIB entry is read as such', async (t) => {
    const global = [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1];
    const d = decodePathAttributes(Uint8Array.from([...attr(0x80, 14, [0, 2, 1, 16, ...global, 0, 32, 0x20, 0x01, 0x0d, 0xb8])]), CAPS4, { mpReachAbbreviated: true });
    t.same(prefixes(d.mpReach!.nlri), ['2001:db8::/32']);
  });
  t.test('other AFI/SAFIs are counted in skipped', async (t) => {
    const d = decodePathAttributes(Uint8Array.from([...attr(0x80, 15, [0, 1, 128, 112, ...new Array(14).fill(1)])]), CAPS4);
    t.same(d.skipped, [{ afi: 1, safi: 128, count: 1 }]);
    t.match(d.mpUnreach, { afi: 1, safi: 128, nlri: [] });
  });
  t.test('MP_REACH errors throw BgpUpdateError', async (t) => {
    t.ok(caught(() => decodePathAttributes(Uint8Array.from(attr(0x80, 14, [0, 2, 1, 5, 1, 2, 3, 4, 5, 0])), CAPS4)) instanceof BgpUpdateError);
  });
});

t.test('BGPsec_PATH (type 33, RFC 8205): the AS path when there is no AS_PATH; malformed is treat-as-withdraw', async (t) => {
  const seg = (pCount: number, flags: number, asn: number): number[] => [pCount, flags, ...u32(asn)];
  const sigBlock = (n: number): number[] => {
    const sigs = Array.from({ length: n }, () => [...new Array<number>(20).fill(0xaa), 0, 2, 0x30, 0x44]).flat();
    return [(3 + sigs.length) >> 8, (3 + sigs.length) & 0xff, 1, ...sigs];
  };
  const secure = (...segs: number[][]): number[] => [0, 2 + 6 * segs.length, ...segs.flat()];
  const base = [...ORIGIN_IGP, ...NEXT_HOP(192, 0, 2, 1)];
  const u = dec([...base, ...attr(0x80, 33, [...secure(seg(2, 0, 65001), seg(1, 0x80, 65100), seg(0, 0, 65002), seg(1, 0, 65003)), ...sigBlock(4)])]);
  accepted(t, u);
  t.equal(u.attributes?.asPath.toString(), '65001 65001 (65100) 65003', 'pCount repeats, Confed_Segment, pCount 0 adds nothing');
  t.same(u.attributes?.otherAttributes.map((o) => o.typeCode), [33], 'kept raw');
  t.equal(dec([...base, ...AS_PATH_4(7), ...attr(0x80, 33, [...secure(seg(1, 0, 65001)), ...sigBlock(1), ...sigBlock(1)])]).attributes?.asPath.toString(), '7', 'AS_PATH wins; two signature blocks');
  for (const [name, value] of [
    ['no signature block', secure(seg(1, 0, 1))],
    ['Secure_Path length not 2 + 6n', [0, 7, ...seg(1, 0, 1), ...sigBlock(1)]],
    ['Secure_Path overruns', [0, 50, ...seg(1, 0, 1)]],
    ['signature count differs', [...secure(seg(1, 0, 1), seg(1, 0, 2)), ...sigBlock(1)]],
    ['Signature_Block Length 1', [...secure(seg(1, 0, 1)), 0, 1, 1]],
    ['three blocks', [...secure(seg(1, 0, 1)), ...sigBlock(1), ...sigBlock(1), ...sigBlock(1)]],
    ['AS 0', [...secure(seg(1, 0, 0)), ...sigBlock(1)]],
  ] as const) {
    const bad = dec([...base, ...attr(0x80, 33, value)]);
    t.equal(bad.action, 'treat-as-withdraw', name);
    t.match(bad.problems, [{ typeCode: 33 }], name);
  }
});
