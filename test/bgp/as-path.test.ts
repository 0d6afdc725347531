import t from 'tap';
import type { Asn } from '../../src/net/asn.js';
import {
  AS_PATH_SEGMENT_CODE,
  AsPath,
  AsPathError,
  originOf,
  segmentTypeOfCode,
} from '../../src/bgp/as-path.js';
import { caught } from '../helpers/errors.js';
import { randomInt, seededRandom } from '../helpers/random.js';

const asn = (n: number) => n as Asn;

t.test('parses sequences, sets and confederation segments in wire order', async (t) => {
  const p = AsPath.parse('(65100 65101) 65000 65001 {65002,65003} [65200,65201] 65004');
  t.same(
    p.segments.map((s) => [s.type, [...s.asns]]),
    [
      ['confed-sequence', [65100, 65101]],
      ['sequence', [65000, 65001]],
      ['set', [65002, 65003]],
      ['confed-set', [65200, 65201]],
      ['sequence', [65004]],
    ],
  );
  t.equal(p.toString(), '(65100 65101) 65000 65001 {65002,65003} [65200,65201] 65004');
  t.ok(p.hasAsSet);
  t.ok(p.hasConfed);
  t.notOk(p.isEmpty);
  const plain = AsPath.parse('65000 65001');
  t.notOk(plain.hasAsSet);
  t.notOk(plain.hasConfed);
  t.notOk(AsPath.parse('[65100,65101] 65000').hasAsSet);
});

t.test('accepts AS prefixes, asdot, tabs and spaces inside sets', async (t) => {
  const p = AsPath.parse('  AS65000\tas65001 { 1.10 , 65003 }  ');
  t.equal(p.toString(), '65000 65001 {65546,65003}');
  t.equal(AsPath.parse('{65002 65003}').toString(), '{65002,65003}');
});

t.test('empty text and [] are the empty path', async (t) => {
  for (const text of ['', '   ', '[]', ' [] ']) {
    const p = AsPath.parse(text);
    t.equal(p, AsPath.EMPTY, JSON.stringify(text));
  }
  t.ok(AsPath.EMPTY.isEmpty);
  t.equal(AsPath.EMPTY.toString(), '');
  t.same(AsPath.EMPTY.toJSON(), []);
  t.equal(AsPath.sequence([]), AsPath.EMPTY);
  t.equal(AsPath.of([]), AsPath.EMPTY);
});

t.test('bad text is a typed error naming the problem and offset', async (t) => {
  const cases: [string, RegExp][] = [
    ['65000 {65001', /unterminated '\{' at offset 12/],
    ['65000 {}', /empty '\{\}' segment/],
    ['65000 {65001,}', /unexpected ','/],
    ['65000 {,65001}', /unexpected ','/],
    ['65000 {65001,,65002}', /unexpected ','/],
    ['65000 65001}', /unexpected '\}' at offset 11/],
    ['65000,65001', /unexpected ','/],
    ['65000 {65001 (65002)}', /unexpected '\(' inside '\{\}'/],
    ['65000 foo', /'foo' is not an ASN/],
    ['65000 4294967296', /'4294967296' is not an ASN/],
    ['65000 -1', /'-1' is not an ASN/],
    ['[65001', /unterminated '\['/],
  ];
  for (const [text, reason] of cases) {
    const err = caught(() => AsPath.parse(text));
    t.type(err, AsPathError, text);
    t.match(err, { name: 'AsPathError', input: text, reason }, text);
  }
});

t.test('of() refuses empty segments, unknown types and non-ASNs', async (t) => {
  t.match(caught(() => AsPath.of([{ type: 'sequence', asns: [] }])), { reason: 'empty sequence segment' });
  t.match(caught(() => AsPath.of([{ type: 'sequence', asns: [asn(1.5)] }])), { reason: /ASN 1.5 is not an integer/ });
  t.match(caught(() => AsPath.of([{ type: 'set', asns: [asn(-1)] }])), { reason: /ASN -1/ });
  t.match(caught(() => AsPath.of([{ type: 'sequence', asns: [asn(2 ** 32)] }])), { reason: /ASN 4294967296/ });
  const bogus = JSON.parse('[{"type":"as-sequence","asns":[1]}]') as never;
  t.match(caught(() => AsPath.of(bogus)), { reason: 'unknown segment type as-sequence' });
});

t.test('of() takes the arrays over and freezes them; the path is immutable', async (t) => {
  const asns = [asn(65000), asn(65001)];
  const p = AsPath.of([{ type: 'sequence', asns }]);
  t.ok(Object.isFrozen(asns));
  t.ok(Object.isFrozen(p.segments));
  t.ok(Object.isFrozen(p.segments[0]));
  t.ok(Object.isFrozen(p));
  t.throws(() => (asns as Asn[]).push(asn(1)));
});

t.test('toJSON: numbers inline, sets nested, confed tagged; fromJSON reads it back', async (t) => {
  const p = AsPath.parse('(65100) 65000 65001 {65002,65003} [65200]');
  const json = p.toJSON();
  t.same(json, [{ 'confed-sequence': [65100] }, 65000, 65001, [65002, 65003], { 'confed-set': [65200] }]);
  t.equal(JSON.stringify(p), '[{"confed-sequence":[65100]},65000,65001,[65002,65003],{"confed-set":[65200]}]');
  t.ok(AsPath.fromJSON(JSON.parse(JSON.stringify(p))).equals(p));
  t.equal(AsPath.fromJSON([]), AsPath.EMPTY);
  t.match(caught(() => AsPath.fromJSON('65000')), { reason: 'JSON form must be an array' });
  t.match(caught(() => AsPath.fromJSON([65000, 'x'])), { reason: /unknown JSON segment "x"/ });
  t.match(caught(() => AsPath.fromJSON([{ 'as-set': [1] }])), { reason: /unknown JSON segment/ });
  t.match(caught(() => AsPath.fromJSON([[65000, -3]])), { reason: /ASN -3/ });
  t.match(caught(() => AsPath.fromJSON([[]])), { reason: 'empty set segment' });
});

t.test('equals compares segment types and members', async (t) => {
  const a = AsPath.parse('65000 {65001,65002}');
  t.ok(a.equals(AsPath.parse('65000 {65001,65002}')));
  t.notOk(a.equals(AsPath.parse('65000 {65002,65001}')));
  t.notOk(a.equals(AsPath.parse('65000 65001 65002')));
  t.notOk(a.equals(AsPath.parse('65000 [65001,65002]')));
  t.notOk(a.equals(AsPath.parse('65000')));
});

t.test('segment type codes follow RFC 4271 §4.3 and RFC 5065 §3', async (t) => {
  t.same(AS_PATH_SEGMENT_CODE, { set: 1, sequence: 2, 'confed-sequence': 3, 'confed-set': 4 });
  t.equal(segmentTypeOfCode(1), 'set');
  t.equal(segmentTypeOfCode(2), 'sequence');
  t.equal(segmentTypeOfCode(3), 'confed-sequence');
  t.equal(segmentTypeOfCode(4), 'confed-set');
  t.equal(segmentTypeOfCode(0), undefined);
  t.equal(segmentTypeOfCode(5), undefined);
});

t.test('originOf follows RFC 6811 §2', async (t) => {
  const local = asn(64500);
  // Rightmost AS of a final AS_SEQUENCE, whatever comes before it.
  t.equal(originOf(AsPath.parse('65000 65001 65002')), 65002);
  t.equal(originOf(AsPath.parse('65000 65001 65002 65002')), 65002);
  t.equal(originOf(AsPath.parse('(65100 65101) 65000 65001')), 65001);
  t.equal(originOf(AsPath.parse('65000 {65001,65002} 65003')), 65003);
  // A final AS_SET: NONE, even when the local AS is known.
  t.equal(originOf(AsPath.parse('65000 {65001,65002}')), null);
  t.equal(originOf(AsPath.parse('65000 {65001}'), local), null);
  // Empty path or final confed segment: the speaker's own AS.
  t.equal(originOf(AsPath.EMPTY, local), 64500);
  t.equal(originOf(AsPath.parse('(65100 65101)'), local), 64500);
  t.equal(originOf(AsPath.parse('65000 [65100,65101]'), local), 64500);
  // ... and no origin when the caller cannot say which AS that is.
  t.equal(originOf(AsPath.EMPTY), null);
  t.equal(originOf(AsPath.parse('(65100)')), null);
});

t.test('random paths: toString/parse and toJSON/fromJSON round-trip', async (t) => {
  const rand = seededRandom(6811);
  const types = ['sequence', 'set', 'confed-sequence', 'confed-set'] as const;
  for (let n = 0; n < 500; n++) {
    const segs = Array.from({ length: randomInt(rand, 0, 4) }, () => ({
      type: types[randomInt(rand, 0, 3)]!,
      asns: Array.from({ length: randomInt(rand, 1, 4) }, () => asn(randomInt(rand, 0, 4294967295))),
    }));
    // Text and JSON both merge adjacent sequences, which is the same path.
    const merged: typeof segs = [];
    for (const s of segs) {
      const prev = merged[merged.length - 1];
      if (prev && prev.type === 'sequence' && s.type === 'sequence') prev.asns.push(...s.asns);
      else merged.push({ type: s.type, asns: [...s.asns] });
    }
    const p = AsPath.of(merged);
    const viaText = AsPath.parse(p.toString());
    const viaJson = AsPath.fromJSON(JSON.parse(JSON.stringify(p)));
    if (!viaText.equals(p) || !viaJson.equals(p)) {
      t.fail(`round trip of ${p.toString()}`);
      return;
    }
  }
  t.pass('500 random paths');
});

t.test('ofChecked: the same path as of(), frozen, without the per-ASN checks', async (t) => {
  const p = AsPath.ofChecked([{ type: 'sequence', asns: [asn(1), asn(2)] }, { type: 'set', asns: [asn(3)] }]);
  t.ok(p.equals(AsPath.parse('1 2 {3}')));
  t.ok(Object.isFrozen(p.segments) && Object.isFrozen(p.segments[0]) && Object.isFrozen(p.segments[0]!.asns));
  t.equal(AsPath.ofChecked([]), AsPath.EMPTY);
});
