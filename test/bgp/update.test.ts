/**
 * UPDATE structure, NLRI (IPv4 fields and MP_REACH/MP_UNREACH), ADD-PATH,
 * next hops, skipped AFI/SAFIs, End-of-RIB, and the session-reset errors —
 * hand-written bytes.
 */
import t from 'tap';
import { capabilities } from '../../src/bgp/capabilities.js';
import { type BgpUpdate, BgpUpdateError, decodeUpdate } from '../../src/bgp/update.js';
import { caught } from '../helpers/errors.js';
import { AS_PATH_4, attr, BASE_ATTRS, CAPS4, NEXT_HOP, NLRI_10_8, ORIGIN_IGP, u16, u32, update } from './helpers/build.js';

const prefixes = (u: { prefix: { toString(): string } }[] | readonly { prefix: { toString(): string } }[]): string[] => u.map((n) => n.prefix.toString());
const withIds = (u: readonly { prefix: { toString(): string }; pathId: number }[]): string[] => u.map((n) => `${n.pathId}:${n.prefix.toString()}`);
const V6_DB8_1 = [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1];
const V6_LL_2 = [0xfe, 0x80, ...new Array<number>(13).fill(0), 2];
const MP_REACH = (afi: number, safi: number, nh: number[], nlri: number[], flags = 0x80): number[] => attr(flags | (4 + nh.length + 1 + nlri.length > 255 ? 0x10 : 0), 14, [...u16(afi), safi, nh.length, ...nh, 0, ...nlri]);
const MP_UNREACH = (afi: number, safi: number, nlri: number[]): number[] => attr(0x80, 15, [...u16(afi), safi, ...nlri]);
const V6_ATTRS = [...ORIGIN_IGP, ...AS_PATH_4(65001)];
const ADDPATH_ALL = capabilities({ asn4: true, addPath: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }, { afi: 1, safi: 128 }] });

t.test('UPDATE structure errors are session resets (RFC 4271 §6.3, RFC 7606 §3 (j))', async (t) => {
  t.match(caught(() => decodeUpdate(Uint8Array.of(0), CAPS4, 50)), { name: 'BgpUpdateError', kind: 'truncated', field: 'bgp.update.withdrawnRoutesLength', offset: 50 });
  t.match(caught(() => decodeUpdate(Uint8Array.of(0, 5, 8, 10), CAPS4, 50)), { kind: 'malformed', field: 'bgp.update.withdrawnRoutesLength', action: 'session-reset' });
  t.match(caught(() => decodeUpdate(Uint8Array.of(0, 2, 8, 10), CAPS4)), { kind: 'truncated', field: 'bgp.update.totalPathAttributeLength', offset: 4 });
  t.match(caught(() => decodeUpdate(Uint8Array.of(0, 0, 0, 9, 0x40, 1, 1, 0), CAPS4)), { kind: 'malformed', field: 'bgp.update.totalPathAttributeLength', offset: 2 });
  t.ok(caught(() => decodeUpdate(new Uint8Array(0), CAPS4)) instanceof BgpUpdateError);
});

t.test('IPv4 NLRI field', async (t) => {
  t.test('/0, /8, /24, /32, and the minimum number of octets each', async (t) => {
    const u = decodeUpdate(update([], BASE_ATTRS, [0, 8, 10, 24, 198, 51, 100, 32, 192, 0, 2, 1, 25, 203, 0, 113, 128]), CAPS4);
    t.same(prefixes(u.announced), ['0.0.0.0/0', '10.0.0.0/8', '198.51.100.0/24', '192.0.2.1/32', '203.0.113.128/25']);
    t.ok(u.announced.every((n) => n.pathId === 0));
  });
  t.test('host bits past the length are masked (RFC 4271 §4.3: "the value of trailing bits is irrelevant")', async (t) => {
    const u = decodeUpdate(update([], BASE_ATTRS, [20, 10, 1, 0xff, 1, 0xff, 31, 192, 0, 2, 0xff]), CAPS4);
    t.same(prefixes(u.announced), ['10.1.240.0/20', '128.0.0.0/1', '192.0.2.254/31']);
    t.equal(u.action, 'none');
  });
  t.test('a length above 32 is a session reset (RFC 7606 §5.3)', async (t) => {
    t.match(caught(() => decodeUpdate(update([], BASE_ATTRS, [8, 10, 33, 1, 2, 3, 4, 5]), CAPS4, 100)), {
      action: 'session-reset',
      kind: 'malformed',
      field: 'bgp.update.nlri.length',
      offset: 100 + 4 + BASE_ATTRS.length + 2,
    });
    t.match(caught(() => decodeUpdate(update([255], []), CAPS4)), { field: 'bgp.update.withdrawn.length' });
  });
  t.test('cut at every byte: whole entries decode, a cut entry is a session reset', async (t) => {
    const nlri = [24, 198, 51, 100, 32, 192, 0, 2, 1, 0, 16, 10, 1];
    const boundaries = new Set([0, 4, 9, 10, 13]);
    for (let n = 0; n <= nlri.length; n++) {
      const body = update([], BASE_ATTRS, nlri.slice(0, n));
      const e = caught(() => decodeUpdate(body, CAPS4));
      if (boundaries.has(n)) t.equal(e, undefined, `cut at ${n}: whole entries`);
      else t.match(e, { name: 'BgpUpdateError', kind: 'truncated', field: 'bgp.update.nlri.prefix' }, `cut at ${n}`);
    }
    // The same in the Withdrawn Routes field, cut by its own length.
    for (let n = 0; n <= nlri.length; n++) {
      const e = caught(() => decodeUpdate(update(nlri.slice(0, n), []), CAPS4));
      if (boundaries.has(n)) t.equal(e, undefined);
      else t.match(e, { kind: 'truncated', field: 'bgp.update.withdrawn.prefix' });
    }
  });
  t.test('ADD-PATH (RFC 7911 §3): a Path Identifier before each entry, only when negotiated for 1/1', async (t) => {
    const nlri = [...u32(7), 8, 10, ...u32(0xffffffff), 24, 198, 51, 100];
    const u = decodeUpdate(update([...u32(3), 16, 192, 168], BASE_ATTRS, nlri), ADDPATH_ALL);
    t.same(withIds(u.announced), ['7:10.0.0.0/8', '4294967295:198.51.100.0/24']);
    t.same(withIds(u.withdrawn), ['3:192.168.0.0/16']);
    t.test('without ADD-PATH the same bytes are something else (never guessed)', async (t) => {
      t.match(caught(() => decodeUpdate(update([], BASE_ATTRS, nlri), CAPS4)), { name: 'BgpUpdateError' });
    });
    t.test('ADD-PATH for another AFI/SAFI only does not change IPv4', async (t) => {
      const u2 = decodeUpdate(update([], BASE_ATTRS, NLRI_10_8), capabilities({ asn4: true, addPath: [{ afi: 2, safi: 1 }] }));
      t.same(withIds(u2.announced), ['0:10.0.0.0/8']);
    });
    t.test('cut at every byte', async (t) => {
      const boundaries = new Set([0, 6, 14]);
      for (let n = 0; n <= nlri.length; n++) {
        const e = caught(() => decodeUpdate(update([], BASE_ATTRS, nlri.slice(0, n)), ADDPATH_ALL));
        if (boundaries.has(n)) t.equal(e, undefined, `cut at ${n}`);
        else t.match(e, { name: 'BgpUpdateError', kind: 'truncated', field: /^bgp\.update\.nlri\.(pathId|prefix)$/ }, `cut at ${n}`);
      }
    });
  });
  t.test('withdrawals alone: no attributes', async (t) => {
    const u = decodeUpdate(update([8, 10, 32, 192, 0, 2, 1], []), CAPS4);
    t.same(prefixes(u.withdrawn), ['10.0.0.0/8', '192.0.2.1/32']);
    t.same(u.announced, []);
    t.equal(u.attributes, undefined);
    t.equal(u.endOfRib, undefined);
    t.equal(u.action, 'none');
  });
});

t.test('MP_REACH_NLRI / MP_UNREACH_NLRI, IPv6 unicast (RFC 4760, RFC 2545)', async (t) => {
  t.test('16-octet next hop, /0 /32 /64 /128', async (t) => {
    const u = decodeUpdate(update([], [...MP_REACH(2, 1, V6_DB8_1, [0, 32, 0x20, 0x01, 0x0d, 0xb8, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 128, ...V6_DB8_1]), ...V6_ATTRS]), CAPS4);
    t.equal(u.action, 'none');
    t.same(prefixes(u.announced), ['::/0', '2001:db8::/32', '2001:db8:1:2::/64', '2001:db8::1/128']);
    t.equal(u.attributes?.nextHop, '2001:db8::1');
    t.equal(u.attributes?.linkLocalNextHop, undefined);
  });
  t.test('32-octet next hop: global and link-local', async (t) => {
    const u = decodeUpdate(update([], [...MP_REACH(2, 1, [...V6_DB8_1, ...V6_LL_2], [48, 0x20, 0x01, 0x0d, 0xb8, 0, 7]), ...V6_ATTRS]), CAPS4);
    t.same(prefixes(u.announced), ['2001:db8:7::/48']);
    t.equal(u.attributes?.nextHop, '2001:db8::1');
    t.equal(u.attributes?.linkLocalNextHop, 'fe80::2');
  });
  t.test('host bits masked; a length above 128 is a session reset', async (t) => {
    const u = decodeUpdate(update([], [...MP_REACH(2, 1, V6_DB8_1, [33, 0x20, 0x01, 0x0d, 0xb8, 0xff]), ...V6_ATTRS]), CAPS4);
    t.same(prefixes(u.announced), ['2001:db8:8000::/33']);
    t.match(caught(() => decodeUpdate(update([], [...MP_REACH(2, 1, V6_DB8_1, [129, ...V6_DB8_1, 0]), ...V6_ATTRS]), CAPS4)), {
      action: 'session-reset',
      field: 'bgp.update.attr.mpReach.nlri.length',
    });
  });
  t.test('next-hop length inconsistent with the AFI: session reset (RFC 7606 §7.11)', async (t) => {
    for (const nh of [[192, 0, 2, 1], [], V6_DB8_1.slice(0, 15), [...V6_DB8_1, 0]]) {
      t.match(caught(() => decodeUpdate(update([], [...MP_REACH(2, 1, nh, [0]), ...V6_ATTRS]), CAPS4)), { action: 'session-reset', field: 'bgp.update.attr.mpReach.nextHopLength' }, `length ${nh.length}`);
    }
  });
  t.test('too short for its fixed fields, or a next hop past the end: session reset', async (t) => {
    t.match(caught(() => decodeUpdate(update([], [...attr(0x80, 14, [0, 2, 1, 0]), ...V6_ATTRS]), CAPS4)), { kind: 'truncated', field: 'bgp.update.attr.mpReach.header' });
    t.match(caught(() => decodeUpdate(update([], [...attr(0x80, 14, [0, 2, 1, 16, 1, 2, 3]), ...V6_ATTRS]), CAPS4)), { kind: 'truncated', field: 'bgp.update.attr.mpReach.nextHop' });
    t.match(caught(() => decodeUpdate(update([], [...attr(0x80, 15, [0, 2])]), CAPS4)), { kind: 'truncated', field: 'bgp.update.attr.mpUnreach.header' });
  });
  t.test('NLRI cut at every byte: session reset', async (t) => {
    const nlri = [64, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 128, ...V6_DB8_1];
    for (let n = 0; n <= nlri.length; n++) {
      const e = caught(() => decodeUpdate(update([], [...MP_REACH(2, 1, V6_DB8_1, nlri.slice(0, n)), ...V6_ATTRS]), CAPS4));
      if (n === 0 || n === 9 || n === nlri.length) t.equal(e, undefined, `cut at ${n}`);
      else t.match(e, { name: 'BgpUpdateError', kind: 'truncated', field: 'bgp.update.attr.mpReach.nlri.prefix' }, `cut at ${n}`);
    }
  });
  t.test('MP_UNREACH_NLRI withdraws', async (t) => {
    const u = decodeUpdate(update([], MP_UNREACH(2, 1, [32, 0x20, 0x01, 0x0d, 0xb8, 128, ...V6_DB8_1])), CAPS4);
    t.same(prefixes(u.withdrawn), ['2001:db8::/32', '2001:db8::1/128']);
    t.same(u.announced, []);
    t.equal(u.endOfRib, undefined);
    t.match(caught(() => decodeUpdate(update([], MP_UNREACH(2, 1, [200])), CAPS4)), { action: 'session-reset', field: 'bgp.update.attr.mpUnreach.nlri.length' });
  });
  t.test('IPv4 withdrawn field, MP_UNREACH and MP_REACH together', async (t) => {
    const u = decodeUpdate(update([8, 10], [...MP_UNREACH(2, 1, [32, 0x20, 0x01, 0x0d, 0xb8]), ...MP_REACH(2, 1, V6_DB8_1, [16, 0x20, 0x02]), ...V6_ATTRS]), CAPS4);
    t.same(prefixes(u.withdrawn), ['10.0.0.0/8', '2001:db8::/32']);
    t.same(prefixes(u.announced), ['2002::/16']);
  });
  t.test('ADD-PATH for 2/1 in both attributes', async (t) => {
    const u = decodeUpdate(update([], [...MP_UNREACH(2, 1, [...u32(9), 16, 0x20, 0x01]), ...MP_REACH(2, 1, V6_DB8_1, [...u32(1), 16, 0x20, 0x02, ...u32(2), 16, 0x20, 0x02]), ...V6_ATTRS]), ADDPATH_ALL);
    t.same(withIds(u.withdrawn), ['9:2001::/16']);
    t.same(withIds(u.announced), ['1:2002::/16', '2:2002::/16']);
  });
  t.test('missing ORIGIN with only MP NLRI: treat-as-withdraw; NEXT_HOP is not required', async (t) => {
    const ok = decodeUpdate(update([], [...MP_REACH(2, 1, V6_DB8_1, [16, 0x20, 0x02]), ...V6_ATTRS]), CAPS4);
    t.equal(ok.action, 'none');
    const u = decodeUpdate(update([], [...MP_REACH(2, 1, V6_DB8_1, [16, 0x20, 0x02]), ...AS_PATH_4(1)]), CAPS4);
    t.equal(u.action, 'treat-as-withdraw');
    t.same(prefixes(u.withdrawn), ['2002::/16']);
    t.same(u.problems.map((p) => p.typeCode), [1]);
  });
  t.test('treat-as-withdraw withdraws the MP_REACH NLRI too', async (t) => {
    const u = decodeUpdate(update([], [...MP_REACH(2, 1, V6_DB8_1, [16, 0x20, 0x02]), ...V6_ATTRS, ...attr(0xc0, 8, [1])], NLRI_10_8.slice()), CAPS4);
    t.equal(u.action, 'treat-as-withdraw');
    t.same(u.announced, []);
    t.same(prefixes(u.withdrawn).sort(), ['10.0.0.0/8', '2002::/16']);
  });
  t.test('MP_REACH with wrong flags: treat-as-withdraw, its NLRI still found and withdrawn', async (t) => {
    const u = decodeUpdate(update([], [...MP_REACH(2, 1, V6_DB8_1, [16, 0x20, 0x02], 0xc0), ...V6_ATTRS]), CAPS4);
    t.equal(u.action, 'treat-as-withdraw');
    t.same(prefixes(u.withdrawn), ['2002::/16']);
    t.match(u.problems, [{ typeCode: 14, reason: /flags/ }]);
  });
});

t.test('MP_REACH_NLRI for IPv4 unicast (AFI 1)', async (t) => {
  const u = decodeUpdate(update([], [...MP_REACH(1, 1, [192, 0, 2, 7], [24, 198, 51, 100]), ...V6_ATTRS]), CAPS4);
  t.same(prefixes(u.announced), ['198.51.100.0/24']);
  t.equal(u.attributes?.nextHop, '192.0.2.7');
  const v6hop = decodeUpdate(update([], [...MP_REACH(1, 1, V6_DB8_1, [24, 198, 51, 100]), ...V6_ATTRS]), CAPS4);
  t.equal(v6hop.attributes?.nextHop, '2001:db8::1', 'RFC 8950: an IPv6 next hop for IPv4 NLRI');
  t.match(caught(() => decodeUpdate(update([], [...MP_REACH(1, 1, [1, 2, 3], [8, 10]), ...V6_ATTRS]), CAPS4)), { action: 'session-reset' });
  t.match(caught(() => decodeUpdate(update([], [...MP_REACH(1, 1, [1, 2, 3, 4], [33, 1, 2, 3, 4, 5]), ...V6_ATTRS]), CAPS4)), { field: 'bgp.update.attr.mpReach.nlri.length' });
});

t.test('which next hop: NEXT_HOP for the IPv4 NLRI field, else MP_REACH’s (RFC 4760 §3: NEXT_HOP "SHOULD" be ignored then)', async (t) => {
  const both = [...MP_REACH(2, 1, V6_DB8_1, [16, 0x20, 0x02]), ...V6_ATTRS, ...NEXT_HOP(192, 0, 2, 1)];
  t.equal(decodeUpdate(update([], both), CAPS4).attributes?.nextHop, '2001:db8::1');
  t.equal(decodeUpdate(update([], both, NLRI_10_8), CAPS4).attributes?.nextHop, '192.0.2.1');
});

t.test('other AFI/SAFIs are skipped and counted, never misread', async (t) => {
  const vpn = (label: number, rd: number, ...addr: number[]): number[] => [24 + 64 + 8 * addr.length, (label >> 12) & 0xff, (label >> 4) & 0xff, ((label & 0xf) << 4) | 1, 0, 0, ...u16(65001), ...u32(rd), ...addr];
  t.test('VPNv4 (1/128): entries counted, next hop not interpreted', async (t) => {
    const u = decodeUpdate(update([], [...MP_REACH(1, 128, [0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1], [...vpn(100, 1, 10, 1, 1), ...vpn(101, 2, 10, 2)]), ...V6_ATTRS]), CAPS4);
    t.same(u.announced, []);
    t.same(u.skipped, [{ afi: 1, safi: 128, count: 2 }]);
    t.equal(u.attributes?.nextHop, undefined);
    t.equal(u.action, 'none');
  });
  t.test('ADD-PATH negotiated for 1/128 is used when counting', async (t) => {
    const u = decodeUpdate(update([], [...MP_REACH(1, 128, new Array<number>(12).fill(0), [...u32(1), ...vpn(100, 1, 10, 1, 1)]), ...V6_ATTRS]), ADDPATH_ALL);
    t.same(u.skipped, [{ afi: 1, safi: 128, count: 1 }]);
  });
  t.test('multicast (1/2) and labeled unicast (2/4) counted; entries that do not tile the field count 1', async (t) => {
    t.same(decodeUpdate(update([], [...MP_REACH(1, 2, [192, 0, 2, 1], [8, 224, 24, 232, 1, 1]), ...V6_ATTRS]), CAPS4).skipped, [{ afi: 1, safi: 2, count: 2 }]);
    t.same(decodeUpdate(update([], [...MP_REACH(2, 4, V6_DB8_1, [24 + 32, 0, 0, 0x31, 0x20, 0x01, 0x0d, 0xb8]), ...V6_ATTRS]), CAPS4).skipped, [{ afi: 2, safi: 4, count: 1 }]);
    t.same(decodeUpdate(update([], [...MP_REACH(1, 2, [192, 0, 2, 1], [24, 224]), ...V6_ATTRS]), CAPS4).skipped, [{ afi: 1, safi: 2, count: 1 }], 'cut entry: 1 per attribute');
  });
  t.test('EVPN (25/70), flowspec (1/133): 1 per attribute', async (t) => {
    t.same(decodeUpdate(update([], [...MP_REACH(25, 70, [192, 0, 2, 1], [2, 3, 1, 2, 3, 3, 2, 9, 9]), ...V6_ATTRS]), CAPS4).skipped, [{ afi: 25, safi: 70, count: 1 }]);
    t.same(decodeUpdate(update([], MP_UNREACH(1, 133, [5, 1, 24, 10, 0, 0])), CAPS4).skipped, [{ afi: 1, safi: 133, count: 1 }]);
  });
  t.test('with IPv4 NLRI in the same UPDATE: both reported', async (t) => {
    const u = decodeUpdate(update([], [...MP_UNREACH(1, 128, vpn(1, 1, 10)), ...BASE_ATTRS], NLRI_10_8), CAPS4);
    t.same(prefixes(u.announced), ['10.0.0.0/8']);
    t.same(u.skipped, [{ afi: 1, safi: 128, count: 1 }]);
  });
  t.test('missing ORIGIN with only skipped NLRI: treat-as-withdraw reported, nothing to withdraw', async (t) => {
    const u = decodeUpdate(update([], [...MP_REACH(1, 128, new Array<number>(12).fill(0), vpn(1, 1, 10)), ...AS_PATH_4(1)]), CAPS4);
    t.equal(u.action, 'treat-as-withdraw');
    t.same(u.withdrawn, []);
    t.same(u.skipped, [{ afi: 1, safi: 128, count: 1 }]);
  });
});

t.test('End-of-RIB (RFC 4724 §2)', async (t) => {
  const eor = (u: BgpUpdate) => u.endOfRib;
  t.same(eor(decodeUpdate(Uint8Array.of(0, 0, 0, 0), CAPS4)), { afi: 1, safi: 1 }, 'IPv4 unicast: the empty UPDATE');
  const v6 = decodeUpdate(update([], MP_UNREACH(2, 1, [])), CAPS4);
  t.same(eor(v6), { afi: 2, safi: 1 }, 'IPv6 unicast: only an empty MP_UNREACH');
  t.same(v6.withdrawn, []);
  t.equal(v6.action, 'none');
  t.same(eor(decodeUpdate(update([], MP_UNREACH(1, 128, [])), CAPS4)), { afi: 1, safi: 128 }, 'any AFI/SAFI');
  t.same(eor(decodeUpdate(update([], MP_UNREACH(1, 1, [])), CAPS4)), { afi: 1, safi: 1 }, 'IPv4 unicast the MP way');
  t.equal(eor(decodeUpdate(update([], [...MP_UNREACH(2, 1, []), ...ORIGIN_IGP]), CAPS4)), undefined, 'not with another attribute');
  t.equal(eor(decodeUpdate(update([], MP_UNREACH(2, 1, [16, 0x20, 0x01])), CAPS4)), undefined, 'not with withdrawals');
  t.equal(eor(decodeUpdate(update([8, 10], MP_UNREACH(2, 1, [])), CAPS4)), undefined, 'not with IPv4 withdrawals');
  t.equal(eor(decodeUpdate(update([8, 10], []), CAPS4)), undefined, 'a withdrawal is not End-of-RIB');
  t.equal(eor(decodeUpdate(update([], BASE_ATTRS, NLRI_10_8), CAPS4)), undefined);
});

t.test('error and problem offsets are stream offsets', async (t) => {
  const u = decodeUpdate(update([], [...BASE_ATTRS, ...attr(0x40, 6, [1])], NLRI_10_8), CAPS4, 1000);
  t.equal(u.problems[0]!.offset, 1000 + 4 + BASE_ATTRS.length);
  t.match(caught(() => decodeUpdate(update([], BASE_ATTRS, [40]), CAPS4, 1000)), { offset: 1000 + 4 + BASE_ATTRS.length });
});
