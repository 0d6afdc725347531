/**
 * UPDATEs as words (src/rib/update-words.ts) and Rib.applyWords(): the
 * same RIB, outcomes and events as Rib.applyUpdate() for the same UPDATEs
 * (RFC 4271 §4.3 withdrawn-and-announced, ADD-PATH path ids, End-of-RIB
 * with stale routes, RFC 7606 treat-as-withdraw, IPv4 and IPv6, random
 * attribute sets), and checkUpdateWords() refusing broken words with a
 * ParseError, never letting them reach the RIB.
 */
import t, { type Test } from 'tap';
import type { BgpUpdate, Nlri } from '../../src/bgp/update.js';
import { Prefix } from '../../src/net/prefix.js';
import { AttributeEncoder, checkAttributeWords } from '../../src/rib/attribute-words.js';
import { RibKind } from '../../src/rib/peer-table.js';
import { type PeerTable, Rib } from '../../src/rib/rib.js';
import { UW_ANNOUNCED, UW_ATTR_WORDS, UW_FLAGS, UW_HEADER, UW_WITHDRAWN, checkUpdateWords, writeUpdateWords } from '../../src/rib/update-words.js';
import { VrpIndex } from '../../src/rov/vrp-index.js';
import { parseVrp } from '../../src/rpki/vrp.js';
import { VrpTable } from '../../src/rpki/vrp-table.js';
import { ParseError } from '../../src/wire/parse-error.js';
import { WordBuffer } from '../../src/wire/word-buffer.js';
import { caught } from '../helpers/errors.js';
import { seededRandom, randomInt } from '../helpers/random.js';
import { attrs, plain, randomAttributes, randomPrefix } from './fixtures.js';
import { AsPath } from '../../src/bgp/as-path.js';

const P = (s: string): Prefix => Prefix.parse(s);
const n = (p: string, pathId = 0): Nlri => ({ prefix: P(p), pathId });
const KEY = { router: 'r1', peer: 'p1', kind: RibKind.adjRibInPre } as const;
const index = VrpIndex.build(VrpTable.from([parseVrp('192.0.2.0/24', 24, 'AS64501'), parseVrp('2001:db8::/32', 48, 'AS64501')]));

function update(u: Partial<BgpUpdate>): BgpUpdate {
  return { withdrawn: [], announced: [], attributes: undefined, endOfRib: undefined, action: 'none', problems: [], skipped: [], ...u };
}

/** Writes `u` as words with a text table of its own. */
function words(u: BgpUpdate): { w: Uint32Array; texts: string[]; end: number } {
  const texts: string[] = [];
  const ids = new Map<string, number>();
  const idOf = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) ids.set(s, (id = texts.push(s) - 1));
    return id;
  };
  const out = new WordBuffer(8);
  writeUpdateWords(out, u, new AttributeEncoder(), idOf);
  return { w: out.words.slice(0, out.length), texts, end: out.length };
}

/** Two RIBs fed the same UPDATEs, one through applyUpdate, one through applyWords. */
function pair(): { a: Rib; b: Rib; ta: PeerTable; tb: PeerTable; ea: unknown[]; eb: unknown[] } {
  const a = new Rib({ index, now: () => 1_700_000_000_000 });
  const b = new Rib({ index, now: () => 1_700_000_000_000 });
  const ea: unknown[] = [];
  const eb: unknown[] = [];
  const record = (out: unknown[]) => (e: import('../../src/rib/rib.js').RouteEvent) =>
    out.push([e.type, e.cause, e.prefix.toString(), e.pathId, e.oldState, e.newState, plain(e.oldAttributes), plain(e.newAttributes)]);
  a.on(record(ea));
  b.on(record(eb));
  return { a, b, ta: a.table(KEY), tb: b.table(KEY), ea, eb };
}

function dump(rib: Rib, table: PeerTable): unknown[] {
  return [...rib.routes(table)].map((r) => [r.prefix.toString(), r.pathId, r.state, r.stale, plain(r.attributes)]);
}

function both(t: Test, p: ReturnType<typeof pair>, u: BgpUpdate, what: string): void {
  const { w, texts } = words(u);
  t.equal(checkUpdateWords(w, 0, w.length, texts.length), w.length, `${what}: words check`);
  const oa = p.a.applyUpdate(p.ta, u);
  const ob = p.b.applyWords(p.tb, w, 0, texts);
  t.same(ob, oa, `${what}: outcome`);
  t.same(dump(p.b, p.tb), dump(p.a, p.ta), `${what}: routes`);
  t.same(p.eb, p.ea, `${what}: events`);
  t.same(p.b.stats().attributes.sets, p.a.stats().attributes.sets, `${what}: attribute sets`);
}

t.test('applyWords = applyUpdate: announce, replace, refresh, withdraw, IPv4 and IPv6', async (t) => {
  const p = pair();
  const a1 = attrs({ asPath: AsPath.parse('64500 64501'), communities: [65000] });
  const a2 = attrs({ asPath: AsPath.parse('64500 64502'), nextHop: '2001:db8::1', linkLocalNextHop: 'fe80::1', largeCommunities: ['1:2:3', 'x:y'] });
  both(t, p, update({ announced: [n('192.0.2.0/24'), n('198.51.100.0/24'), n('2001:db8::/32'), n('2001:db8:1::/48')], attributes: a1 }), 'announce');
  both(t, p, update({ announced: [n('192.0.2.0/24'), n('2001:db8::/32')], attributes: a2 }), 'replace (origin changes)');
  both(t, p, update({ announced: [n('192.0.2.0/24')], attributes: a2 }), 'refresh');
  both(t, p, update({ withdrawn: [n('198.51.100.0/24'), n('2001:db8:1::/48'), n('203.0.113.0/24')] }), 'withdraw, one not held');
  both(t, p, update({ withdrawn: [n('0.0.0.0/0'), n('::/0')], announced: [n('0.0.0.0/0'), n('10.0.0.1/32'), n('::/0'), n('2001:db8::1/128')], attributes: a1 }), 'lengths 0 and max');
});

t.test('RFC 4271 §4.3: withdrawn and announced in one UPDATE counts as announced (per path id); ADD-PATH ids kept apart', async (t) => {
  const p = pair();
  const a1 = attrs();
  both(t, p, update({ announced: [n('192.0.2.0/24', 1), n('192.0.2.0/24', 2), n('2001:db8::/32', 7)], attributes: a1 }), 'two paths of one prefix');
  both(
    t,
    p,
    update({ withdrawn: [n('192.0.2.0/24', 1), n('192.0.2.0/24', 2), n('2001:db8::/32', 7)], announced: [n('192.0.2.0/24', 2), n('2001:db8::/32', 7)], attributes: attrs({ med: 5 }) }),
    'withdraw path 1, withdraw-and-announce path 2 and the IPv6 one',
  );
  t.equal(p.b.count(), 2);
  const { w } = words(update({ withdrawn: [n('192.0.2.0/24', 2)], announced: [n('192.0.2.0/24', 2)], attributes: a1 }));
  t.equal(w[UW_WITHDRAWN], 0, 'the withdrawal is left out when written');
});

t.test('End-of-RIB drops what is still stale; treat-as-withdraw withdraws; no attributes with NLRI is refused', async (t) => {
  const p = pair();
  both(t, p, update({ announced: [n('192.0.2.0/24'), n('198.51.100.0/24'), n('2001:db8::/32')], attributes: attrs() }), 'announce');
  p.a.markStale(p.ta);
  p.b.markStale(p.tb);
  both(t, p, update({ announced: [n('192.0.2.0/24')], attributes: attrs() }), 'refresh one');
  both(t, p, update({ endOfRib: { afi: 1, safi: 1 } }), 'IPv4 End-of-RIB');
  t.equal(p.b.count(4), 1);
  both(t, p, update({ endOfRib: { afi: 2, safi: 128 } }), 'End-of-RIB of another SAFI: nothing');
  t.equal(p.b.count(6), 1);
  both(t, p, update({ endOfRib: { afi: 2, safi: 1 } }), 'IPv6 End-of-RIB');
  t.equal(p.b.count(6), 0);
  both(t, p, update({ withdrawn: [n('192.0.2.0/24')], action: 'treat-as-withdraw', attributes: attrs({ nextHop: undefined }) }), 'treat-as-withdraw');
  t.equal(p.b.count(), 0);
  const w = new Uint32Array([0, 0, 0, 0, 1, 24, 0, 0xc0000200]);
  t.match(caught(() => p.b.applyWords(p.tb, w, 0, [])), { name: 'TypeError', message: /must carry path attributes/ });
});

t.test('random UPDATEs: applyWords and applyUpdate stay equal', async (t) => {
  const rand = seededRandom(7);
  const p = pair();
  const held: Nlri[] = [];
  for (let i = 0; i < 300; i++) {
    const announced: Nlri[] = [];
    for (let k = randomInt(rand, 0, 4); k > 0; k--) announced.push({ prefix: randomPrefix(rand, rand() < 0.7 ? 4 : 6), pathId: randomInt(rand, 0, 2) });
    const withdrawn: Nlri[] = [];
    for (let k = randomInt(rand, 0, 3); k > 0 && held.length > 0; k--) withdrawn.push(held[randomInt(rand, 0, held.length - 1)]!);
    if (rand() < 0.2 && announced.length > 0) withdrawn.push(announced[0]!);
    const u = update({ announced, withdrawn, attributes: announced.length > 0 || rand() < 0.5 ? randomAttributes(rand) : undefined });
    const { w, texts } = words(u);
    checkUpdateWords(w, 0, w.length, texts.length);
    t.same(p.b.applyWords(p.tb, w, 0, texts), p.a.applyUpdate(p.ta, u));
    held.push(...announced);
  }
  t.same(dump(p.b, p.tb), dump(p.a, p.ta), 'routes');
  t.same(p.eb, p.ea, 'events');
});

t.test('checkUpdateWords refuses broken words with a ParseError naming the field', async (t) => {
  const good = words(update({ withdrawn: [n('198.51.100.0/24')], announced: [n('192.0.2.0/24', 3), n('2001:db8::/32')], attributes: attrs({ aggregator: { asn: 1 as never, address: '192.0.2.9' } }) }));
  const attrAt = UW_HEADER;
  const nAttr = good.w[UW_ATTR_WORDS]!;
  const entries = UW_HEADER + nAttr;
  const broken: [string, (w: Uint32Array) => void, RegExp, number?][] = [
    ['cut header', () => {}, /header/, 3],
    ['flags', (w) => (w[UW_FLAGS] = 6), /flags/],
    ['no attributes said, words given', (w) => (w[UW_FLAGS] = 0), /attrWords/],
    ['attributes overrun', (w) => (w[UW_ATTR_WORDS] = 10_000), /attributes/],
    ['text out of range', (w) => (w[attrAt + 3] = 99), /attributes/],
    ['segment overruns the path', (w) => (w[attrAt + 6] = 0xfff << 2), /attributes/],
    ['unknown attribute flag', (w) => (w[attrAt] = w[attrAt]! | (1 << 20)), /attributes/],
    ['entry head', (w) => (w[entries] = 0x1018), /entry.head/],
    ['IPv4 length', (w) => (w[entries] = 33), /entry.length/],
    ['IPv4 host bits', (w) => (w[entries + 2] = w[entries + 2]! | 1), /entry.address/],
    ['IPv6 length', (w) => (w[entries + 6] = 0x100 | 129), /entry.length/],
    ['IPv6 host bits', (w) => (w[entries + 8 + 3] = 1), /entry.address/],
    ['more entries than words', (w) => (w[UW_ANNOUNCED] = 9), /entry/],
    ['cut inside an entry', () => {}, /entry/, good.end - 2],
  ];
  for (const [what, mutate, field, end] of broken) {
    const w = good.w.slice();
    mutate(w);
    const err = caught(() => checkUpdateWords(w, 0, end ?? w.length, good.texts.length));
    t.ok(err instanceof ParseError, `${what}: a ParseError`);
    t.match(err, { kind: 'malformed', field }, what);
  }
  t.equal(checkAttributeWords(good.w, attrAt, nAttr, good.texts.length), undefined, 'the attributes alone check');
  t.match(checkAttributeWords(good.w, attrAt, nAttr - 1, good.texts.length), /./, 'one word short');

  // Random corruption: either refused with a ParseError, or words the RIB takes without throwing.
  const rand = seededRandom(11);
  const rib = new Rib({ index });
  const table = rib.table(KEY);
  for (let i = 0; i < 2000; i++) {
    const w = good.w.slice();
    for (let k = randomInt(rand, 1, 3); k > 0; k--) w[randomInt(rand, 0, w.length - 1)] = rand() < 0.5 ? randomInt(rand, 0, 300) : (rand() * 2 ** 32) >>> 0;
    let ok = false;
    try {
      checkUpdateWords(w, 0, w.length, good.texts.length);
      ok = true;
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
    }
    if (ok) rib.applyWords(table, w, 0, good.texts);
  }
  t.pass('random corruption never reached the RIB as an exception');
});
