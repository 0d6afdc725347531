/**
 * RFC 6793 §4.2.3: rebuilding the AS path on a 2-octet session from AS_PATH
 * (AS_TRANS in place of 4-octet AS numbers) and AS4_PATH, and AGGREGATOR
 * from AS4_AGGREGATOR; §6 for malformed AS4_* attributes.
 */
import t from 'tap';
import { AsPath, type AsPathSegment } from '../../src/bgp/as-path.js';
import { countAsns, mergeAs4Path } from '../../src/bgp/attributes/as4-merge.js';
import { decodeUpdate, encodeUpdate } from '../../src/bgp/update.js';
import { readBgpMessage } from '../../src/bgp/message.js';
import { Prefix } from '../../src/net/prefix.js';
import { attr, CAPS2, NEXT_HOP, NLRI_10_8, ORIGIN_IGP, u16, u32, update } from './helpers/build.js';

const T = 23456; // AS_TRANS
const seg2 = (type: number, ...asns: number[]): number[] => [type, asns.length, ...asns.flatMap(u16)];
const seg4 = (type: number, ...asns: number[]): number[] => [type, asns.length, ...asns.flatMap(u32)];
const AS_PATH = (...segs: number[][]): number[] => attr(0x40, 2, segs.flat());
const AS4_PATH = (...segs: number[][]): number[] => attr(0xc0, 17, segs.flat());
const dec = (...attrs: number[][]) => decodeUpdate(update([], [...ORIGIN_IGP, ...attrs.flat(), ...NEXT_HOP(192, 0, 2, 1)], NLRI_10_8), CAPS2);
const path = (...attrs: number[][]): string => dec(...attrs).attributes!.asPath.toString();

t.test('AS_TRANS positions filled from AS4_PATH', async (t) => {
  t.equal(path(AS_PATH(seg2(2, 65001, T, T)), AS4_PATH(seg4(2, 4200000001, 4200000002))), '65001 4200000001 4200000002');
  const u = dec(AS_PATH(seg2(2, 65001, T, T)), AS4_PATH(seg4(2, 4200000001, 4200000002)));
  t.equal(u.action, 'none');
  t.equal(u.attributes!.asPath.segments.length, 1, 'the carried-over sequence and AS4_PATH’s sequence are one');
});

t.test('AS4_PATH as long as AS_PATH replaces it', async (t) => {
  t.equal(path(AS_PATH(seg2(2, T, T)), AS4_PATH(seg4(2, 4200000001, 4200000002))), '4200000001 4200000002');
});

t.test('AS4_PATH longer than AS_PATH is ignored (a 2-octet speaker prepended nothing, or AS4_PATH is stale)', async (t) => {
  const u = dec(AS_PATH(seg2(2, 65001, T)), AS4_PATH(seg4(2, 1, 2, 3)));
  t.equal(u.attributes!.asPath.toString(), `65001 ${T}`);
  t.equal(u.action, 'none', 'ignoring is the rule, not an error');
});

t.test('counting: an AS_SET counts 1, confederation segments 0 (RFC 4271 §9.1.2.2)', async (t) => {
  // AS_PATH counts 2 + 1 = 3; AS4_PATH 1: two AS numbers come from AS_PATH.
  t.equal(path(AS_PATH(seg2(2, 1, 2), seg2(1, 3, 4)), AS4_PATH(seg4(2, 4200000000))), '1 2 4200000000');
  // The set is carried over whole when it is needed.
  t.equal(path(AS_PATH(seg2(2, 1), seg2(1, 3, 4), seg2(2, T)), AS4_PATH(seg4(2, 4200000000))), '1 {3,4} 4200000000');
  // A leading confederation segment is carried over (it counts 0).
  t.equal(path(AS_PATH(seg2(3, 65100, 65101), seg2(2, 1, T)), AS4_PATH(seg4(2, 4200000000))), '(65100 65101) 1 4200000000');
  // A confed segment adjacent to a carried-over segment comes too.
  t.equal(path(AS_PATH(seg2(2, 1), seg2(4, 65100), seg2(2, 2, T)), AS4_PATH(seg4(2, 4200000000))), '1 [65100] 2 4200000000');
  // Leading confed with nothing else needed.
  t.equal(path(AS_PATH(seg2(3, 65100), seg2(2, T)), AS4_PATH(seg4(2, 4200000000))), '(65100) 4200000000');
  t.equal(countAsns(AsPath.parse('(1 2) 3 4 {5,6} [7]').segments), 3);
});

t.test('AS_CONFED segments in AS4_PATH are dropped, the rest kept (RFC 6793 §6)', async (t) => {
  const u = dec(AS_PATH(seg2(2, 65001, T)), AS4_PATH(seg4(3, 4200000009), seg4(2, 4200000001)));
  t.equal(u.attributes!.asPath.toString(), '65001 4200000001');
  t.equal(u.action, 'attribute-discard');
  t.match(u.problems, [{ typeCode: 17, reason: /AS_CONFED/ }]);
});

t.test('malformed AS4_PATH: attribute discard, AS_PATH kept as it is (RFC 6793 §6)', async (t) => {
  for (const [name, value] of [
    ['empty', []],
    ['length under 6', [2, 1, 0, 1]],
    ['unknown segment type', seg4(9, 4200000000)],
    ['zero count', [2, 0, ...u32(1)]],
    ['overrun', [2, 2, ...u32(4200000000)]],
    ['trailing octet', [...seg4(2, 4200000000), 2]],
    ['AS 0 (RFC 7607)', seg4(2, 0)],
  ] as const) {
    const u = dec(AS_PATH(seg2(2, 65001, T)), attr(0xc0, 17, value));
    t.equal(u.attributes!.asPath.toString(), `65001 ${T}`, name);
    t.equal(u.action, 'attribute-discard', name);
    t.same(u.announced.map((n) => n.prefix.toString()), ['10.0.0.0/8'], name);
    t.match(u.problems, [{ typeCode: 17, action: 'attribute-discard' }], name);
  }
});

t.test('AS4_PATH with the wrong flags: treat-as-withdraw (RFC 7606 §3 (c))', async (t) => {
  const u = dec(AS_PATH(seg2(2, T)), attr(0x80, 17, seg4(2, 4200000000)));
  t.equal(u.action, 'treat-as-withdraw');
  t.equal(u.attributes!.asPath.toString(), `${T}`);
});

t.test('AGGREGATOR and AS4_AGGREGATOR', async (t) => {
  const AGG = (asn: number) => attr(0xc0, 7, [...u16(asn), 198, 51, 100, 1]);
  const AS4_AGG = (asn: number) => attr(0xc0, 18, [...u32(asn), 198, 51, 100, 2]);
  t.test('AGGREGATOR is AS_TRANS: AS4_AGGREGATOR is the aggregator, AS4_PATH merged', async (t) => {
    const u = dec(AS_PATH(seg2(2, 1, T)), AGG(T), AS4_AGG(4200000000), AS4_PATH(seg4(2, 4200000001)));
    t.same(u.attributes!.aggregator, { asn: 4200000000, address: '198.51.100.2' });
    t.equal(u.attributes!.asPath.toString(), '1 4200000001');
    t.equal(u.action, 'none');
  });
  t.test('AGGREGATOR is not AS_TRANS: AS4_AGGREGATOR and AS4_PATH are both ignored', async (t) => {
    const u = dec(AS_PATH(seg2(2, 1, T)), AGG(65001), AS4_AGG(4200000000), AS4_PATH(seg4(2, 4200000001)));
    t.same(u.attributes!.aggregator, { asn: 65001, address: '198.51.100.1' });
    t.equal(u.attributes!.asPath.toString(), `1 ${T}`);
  });
  t.test('AS4_AGGREGATOR without AGGREGATOR is ignored; AS4_PATH still merged', async (t) => {
    const u = dec(AS_PATH(seg2(2, 1, T)), AS4_AGG(4200000000), AS4_PATH(seg4(2, 4200000001)));
    t.equal(u.attributes!.aggregator, undefined);
    t.equal(u.attributes!.asPath.toString(), '1 4200000001');
  });
  t.test('malformed AS4_AGGREGATOR (length 6, AS 0): attribute discard, AGGREGATOR kept', async (t) => {
    for (const value of [[...u16(1), 1, 2, 3, 4], [...u32(0), 1, 2, 3, 4]]) {
      const u = dec(AS_PATH(seg2(2, 1)), AGG(T), attr(0xc0, 18, value));
      t.equal(u.action, 'attribute-discard');
      t.same(u.attributes!.aggregator, { asn: T, address: '198.51.100.1' });
      t.match(u.problems, [{ typeCode: 18 }]);
    }
  });
});

t.test('AS4_PATH without AS_PATH: AS_PATH is missing (treat-as-withdraw), the path empty', async (t) => {
  const u = dec(AS4_PATH(seg4(2, 4200000000)));
  t.equal(u.action, 'treat-as-withdraw');
  t.ok(u.attributes!.asPath.isEmpty);
});

t.test('mergeAs4Path on segment lists', async (t) => {
  const S = (text: string): AsPathSegment[] => [...AsPath.parse(text).segments];
  const m = (a: string, b: string): string | undefined => {
    const r = mergeAs4Path(S(a), S(b));
    return r === undefined ? undefined : AsPath.of(r).toString();
  };
  t.equal(m(`1 2 ${T}`, '4200000000'), '1 2 4200000000');
  t.equal(m(`1 ${T} 3`, '4200000000 3'), '1 4200000000 3');
  t.equal(m('1', '2 3'), undefined);
  t.equal(m(`${T} ${T}`, '{4200000000,4200000001} 5'), '{4200000000,4200000001} 5');
  t.equal(m('1 2 3', '{7,8}'), '1 2 {7,8}');
});

t.test('encode on a 2-octet session and decode again gives the 4-octet path back', async (t) => {
  const asPath = AsPath.parse('(65100) 65001 4200000000 {4200000001,7} 4200000002');
  const bytes = encodeUpdate({ announced: [{ prefix: Prefix.parse('10.0.0.0/8'), pathId: 0 }], attributes: { origin: 'igp', asPath, nextHop: '192.0.2.1', aggregator: { asn: 4200000003 as never, address: '192.0.2.3' } } }, CAPS2);
  const u = decodeUpdate(readBgpMessage(bytes).body, CAPS2);
  t.equal(u.action, 'none');
  t.equal(u.attributes!.asPath.toString(), asPath.toString());
  t.same(u.attributes!.aggregator, { asn: 4200000003, address: '192.0.2.3' });
});
