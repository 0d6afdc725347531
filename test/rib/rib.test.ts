import t from 'tap';
import { AsPath } from '../../src/bgp/as-path.js';
import type { BgpUpdate, Nlri } from '../../src/bgp/update.js';
import type { Asn } from '../../src/net/asn.js';
import { Prefix } from '../../src/net/prefix.js';
import { Validator } from '../../src/rov/validator.js';
import { RovState } from '../../src/rov/validity.js';
import { VrpIndex } from '../../src/rov/vrp-index.js';
import { makePayload } from '../../src/rpki/payload.js';
import { parseVrp } from '../../src/rpki/vrp.js';
import { VrpTable } from '../../src/rpki/vrp-table.js';
import { RibKind } from '../../src/rib/peer-table.js';
import { type RouteEvent, type RouteValidator, Rib } from '../../src/rib/rib.js';
import { caught } from '../helpers/errors.js';
import { attrs } from './fixtures.js';

const P = (s: string) => Prefix.parse(s);
const path = (s: string) => attrs({ asPath: AsPath.parse(s) });
const vrps = (...rows: [string, number, number][]) => VrpTable.from(rows.map(([p, m, a]) => parseVrp(p, m, a)));
const index = (...rows: [string, number, number][]) => VrpIndex.build(vrps(...rows));

const PEER_A = { router: 'r1', peer: '192.0.2.1 AS64500', kind: RibKind.adjRibInPre } as const;
const PEER_B = { router: 'r1', peer: '192.0.2.2 AS64501', kind: RibKind.adjRibInPost } as const;
const PEER_C = { router: 'r2', peer: '198.51.100.1 AS64502', kind: RibKind.locRib } as const;

/** The events as plain records, read inside the listener. */
function recorder(rib: Rib): { events: Record<string, unknown>[]; raw: RouteEvent[] } {
  const events: Record<string, unknown>[] = [];
  const raw: RouteEvent[] = [];
  rib.on((e) => {
    raw.push(e);
    events.push({
      type: e.type,
      cause: e.cause,
      table: e.table.peer,
      prefix: e.prefix.toString(),
      pathId: e.pathId,
      old: e.oldAttributes?.asPath.toString(),
      new: e.newAttributes?.asPath.toString(),
      oldState: e.oldState,
      newState: e.newState,
      oldOrigin: e.oldOrigin,
      newOrigin: e.newOrigin,
      at: e.at,
    });
  });
  return { events, raw };
}

t.test('announce, refresh, implicit withdraw (replace) and withdraw, with events and counts', async (t) => {
  let clock = 1_000_000;
  const rib = new Rib({ index: index(['192.0.2.0/24', 24, 64496], ['2001:db8::/32', 48, 64497]), now: () => clock });
  const a = rib.table(PEER_A);
  const { events } = recorder(rib);

  t.equal(rib.announce(a, P('192.0.2.0/24'), 0, path('64500 64496')), 'announce');
  t.equal(rib.announce(a, P('2001:db8:1::/48'), 0, path('64500 64497')), 'announce');
  t.equal(rib.announce(a, P('198.51.100.0/24'), 0, path('64500 64499')), 'announce');
  t.same(events.map((e) => [e.type, e.prefix, e.newState]), [
    ['announce', '192.0.2.0/24', RovState.Valid],
    ['announce', '2001:db8:1::/48', RovState.Valid],
    ['announce', '198.51.100.0/24', RovState.NotFound],
  ]);
  t.match(events[0], { cause: 'update', old: undefined, new: '64500 64496', oldState: undefined, oldOrigin: undefined, newOrigin: 64496, at: 1000 });
  t.equal(a.size, 3);
  t.equal(a.count(4), 2);
  t.equal(a.count(6, RovState.Valid), 1);
  t.equal(a.count(undefined, RovState.Valid), 2);
  t.equal(a.count(4, RovState.NotFound), 1);
  t.equal(rib.count(), 3);

  clock += 5000;
  events.length = 0;
  t.equal(rib.announce(a, P('192.0.2.0/24'), 0, path('64500 64496')), 'refresh', 'an identical announce');
  t.equal(events.length, 0, 'no event for a refresh');
  t.equal(rib.get(a, P('192.0.2.0/24'))!.lastChange, 1000, 'a refresh is not a change');

  t.equal(rib.announce(a, P('192.0.2.0/24'), 0, path('64511 64496')), 'replace', 'same origin, new path');
  t.equal(rib.announce(a, P('192.0.2.0/24'), 0, path('64511 64666')), 'replace', 'new origin');
  t.same(events, [
    {
      type: 'replace',
      cause: 'update',
      table: PEER_A.peer,
      prefix: '192.0.2.0/24',
      pathId: 0,
      old: '64500 64496',
      new: '64511 64496',
      oldState: RovState.Valid,
      newState: RovState.Valid,
      oldOrigin: 64496,
      newOrigin: 64496,
      at: 1005,
    },
    {
      type: 'replace',
      cause: 'update',
      table: PEER_A.peer,
      prefix: '192.0.2.0/24',
      pathId: 0,
      old: '64511 64496',
      new: '64511 64666',
      oldState: RovState.Valid,
      newState: RovState.Invalid,
      oldOrigin: 64496,
      newOrigin: 64666,
      at: 1005,
    },
  ]);
  const held = rib.get(a, P('192.0.2.0/24'))!;
  t.match(held, { pathId: 0, origin: 64666, state: RovState.Invalid, stale: false, firstSeen: 1000, lastChange: 1005 });
  t.equal(held.attributes.asPath.toString(), '64511 64666');
  t.equal(a.count(4, RovState.Invalid), 1);
  t.equal(a.count(4, RovState.Valid), 0);

  events.length = 0;
  t.equal(rib.withdraw(a, P('192.0.2.0/24')), true);
  t.equal(rib.withdraw(a, P('192.0.2.0/24')), false, 'withdrawing a route not held is ignored');
  t.equal(rib.withdraw(a, P('2001:db8:1::/48'), 7), false, 'the path id is part of the key');
  t.same(events.map((e) => [e.type, e.prefix, e.old, e.new, e.oldState, e.newState]), [
    ['withdraw', '192.0.2.0/24', '64511 64666', undefined, RovState.Invalid, undefined],
  ]);
  t.equal(a.count(4, RovState.Invalid), 0);
  t.equal(rib.get(a, P('192.0.2.0/24')), undefined);
  t.equal(rib.count(), 2);
});

t.test('ADD-PATH: each path id is its own route (RFC 7911 §2)', async (t) => {
  const rib = new Rib();
  const a = rib.table(PEER_A);
  rib.announce(a, P('192.0.2.0/24'), 1, path('64500 1'));
  rib.announce(a, P('192.0.2.0/24'), 2, path('64500 2'));
  rib.announce(a, P('192.0.2.0/24'), 0xffffffff, path('64500 3'));
  t.equal(a.size, 3);
  t.equal(rib.get(a, P('192.0.2.0/24'), 2)!.origin, 2);
  t.equal(rib.get(a, P('192.0.2.0/24'), -1)!.origin, 3, 'path ids are unsigned 32-bit');
  t.equal(rib.get(a, P('192.0.2.0/24'), 0), undefined);
  t.same(rib.covered(P('192.0.2.0/24')).map((r) => r.pathId).sort(), [1, 2, 0xffffffff]);
});

t.test('the origin is validated only when it changes', async (t) => {
  let calls = 0;
  const counting: RouteValidator = {
    validateV4: () => (calls++, RovState.Valid),
    validateV6: () => (calls++, RovState.Valid),
  };
  const rib = new Rib({ index: counting });
  const a = rib.table(PEER_A);
  rib.announce(a, P('192.0.2.0/24'), 0, path('1 2 3'));
  rib.announce(a, P('192.0.2.0/24'), 0, path('4 5 3'));
  rib.announce(a, P('192.0.2.0/24'), 0, attrs({ asPath: AsPath.parse('4 5 3'), med: 10 }));
  t.equal(calls, 1);
  rib.announce(a, P('192.0.2.0/24'), 0, path('4 5 6'));
  t.equal(calls, 2);
});

t.test('origin per RFC 6811 §2: AS_SET last is NONE; empty path and confederations take the table local AS', async (t) => {
  const idx = index(['192.0.2.0/24', 24, 64496], ['2001:db8::/32', 32, 64496]);
  const rib = new Rib({ index: idx });
  const plainTable = rib.table(PEER_A);
  const local = rib.table(PEER_C, { localAsn: 64496 as Asn });
  t.equal(rib.table(PEER_C), local, 'the same key gives the same table');
  t.equal(rib.table(PEER_C, { localAsn: 64496 as Asn }), local);
  for (const [text, withoutLocal, withLocal] of [
    ['', RovState.Invalid, RovState.Valid],
    ['64500 (65000 65001)', RovState.Invalid, RovState.Valid],
    ['64500 {64496}', RovState.Invalid, RovState.Invalid],
    ['64500 64496', RovState.Valid, RovState.Valid],
  ] as const) {
    rib.announce(plainTable, P('192.0.2.0/24'), 0, path(text));
    rib.announce(local, P('2001:db8::/32'), 0, path(text));
    t.equal(rib.get(plainTable, P('192.0.2.0/24'))!.state, withoutLocal, `"${text}" without a local AS`);
    t.equal(rib.get(local, P('2001:db8::/32'))!.state, withLocal, `"${text}" with local AS 64496`);
  }
  t.equal(rib.get(local, P('2001:db8::/32'))!.origin, 64496);
  rib.announce(local, P('2001:db8::/32'), 0, path(''));
  t.equal(rib.get(local, P('2001:db8::/32'))!.origin, 64496);
  t.equal(rib.get(plainTable, P('192.0.2.0/24'))!.origin, 64496);
  rib.announce(plainTable, P('192.0.2.0/24'), 0, path(''));
  t.equal(rib.get(plainTable, P('192.0.2.0/24'))!.origin, null);
  t.equal(rib.get(plainTable, P('192.0.2.0/24'))!.state, RovState.Invalid);

  // A local AS learnt later: the routes originated locally are revalidated.
  rib.announce(plainTable, P('192.0.2.0/25'), 0, path('64500 64496'));
  const { events } = recorder(rib);
  t.equal(rib.table(PEER_A, { localAsn: 64496 as Asn }), plainTable);
  t.equal(plainTable.localAsn, 64496);
  t.equal(rib.get(plainTable, P('192.0.2.0/24'))!.origin, 64496);
  t.equal(rib.get(plainTable, P('192.0.2.0/24'))!.state, RovState.Valid);
  t.same(events.map((e) => [e.type, e.cause, e.prefix, e.oldState, e.newState, e.newOrigin]), [
    ['state-changed', 'revalidation', '192.0.2.0/24', RovState.Invalid, RovState.Valid, 64496],
  ]);
  t.equal(rib.table(PEER_A).localAsn, 64496, 'a look-up without a local AS keeps it');
  t.equal(rib.table(PEER_C, { localAsn: 64511 as Asn }).localAsn, 64511);
  t.equal(rib.get(local, P('2001:db8::/32'))!.state, RovState.Invalid, 'AS64511 is not authorised');
  t.match(caught(() => rib.table({ router: 'r', peer: 'p', kind: 'adj-rib-in' as never })), TypeError);
});

const nlri = (text: string, pathId = 0): Nlri => ({ prefix: P(text), pathId });
function update(u: Partial<BgpUpdate>): BgpUpdate {
  return {
    withdrawn: [],
    announced: [],
    attributes: undefined,
    endOfRib: undefined,
    action: 'none',
    problems: [],
    skipped: [],
    ...u,
  };
}

t.test('applyUpdate: withdrawals, then announcements, then End-of-RIB', async (t) => {
  const rib = new Rib();
  const a = rib.table(PEER_A);
  const { events } = recorder(rib);
  t.same(
    rib.applyUpdate(a, update({ announced: [nlri('192.0.2.0/24'), nlri('198.51.100.0/24'), nlri('2001:db8::/32')], attributes: path('64500 1') })),
    { announced: 3, replaced: 0, refreshed: 0, withdrawn: 0, notHeld: 0, staleDropped: 0 },
  );
  t.same(
    rib.applyUpdate(
      a,
      update({ withdrawn: [nlri('192.0.2.0/24'), nlri('203.0.113.0/24')], announced: [nlri('198.51.100.0/24'), nlri('2001:db8::/32')], attributes: path('64500 2') }),
    ),
    { announced: 0, replaced: 2, refreshed: 0, withdrawn: 1, notHeld: 1, staleDropped: 0 },
  );
  // RFC 4271 §4.3: a prefix both withdrawn and announced is announced.
  events.length = 0;
  t.same(
    rib.applyUpdate(a, update({ withdrawn: [nlri('198.51.100.0/24')], announced: [nlri('198.51.100.0/24')], attributes: path('64500 2') })),
    { announced: 0, replaced: 0, refreshed: 1, withdrawn: 0, notHeld: 0, staleDropped: 0 },
  );
  t.equal(events.length, 0, 'not withdrawn and re-announced');
  t.same(
    rib.applyUpdate(a, update({ withdrawn: [nlri('198.51.100.0/24', 1)], announced: [nlri('198.51.100.0/24')], attributes: path('64500 2') })),
    { announced: 0, replaced: 0, refreshed: 1, withdrawn: 0, notHeld: 1, staleDropped: 0 },
    'another path id is another route',
  );
  // Treat-as-withdraw (RFC 7606): the decoder moves the announced NLRI to the withdrawn ones.
  t.same(rib.applyUpdate(a, update({ withdrawn: [nlri('2001:db8::/32')], action: 'treat-as-withdraw' })).withdrawn, 1);
  const before = a.size;
  t.match(caught(() => rib.applyUpdate(a, update({ withdrawn: [nlri('198.51.100.0/24')], announced: [nlri('192.0.2.0/24')] }))), TypeError);
  t.equal(a.size, before, 'refused whole: nothing withdrawn either');
  t.same(rib.applyUpdate(a, update({ endOfRib: { afi: 1, safi: 1 } })).staleDropped, 0, 'End-of-RIB with nothing stale');
  t.same(
    [...rib.routes(a)].map((r) => r.prefix.toString()),
    ['198.51.100.0/24'],
  );
  // A receive time from the caller (a BMP per-peer header timestamp) instead of the clock.
  rib.applyUpdate(a, update({ announced: [nlri('203.0.113.0/24')], attributes: path('64500 9') }), 1_600_000_000);
  t.match(rib.get(a, P('203.0.113.0/24')), { firstSeen: 1_600_000_000, lastChange: 1_600_000_000 });
  rib.announce(a, P('203.0.113.0/24'), 0, path('64500 10'), 1_600_000_100);
  t.match(rib.get(a, P('203.0.113.0/24')), { firstSeen: 1_600_000_000, lastChange: 1_600_000_100 });
  events.length = 0;
  rib.withdraw(a, P('203.0.113.0/24'), 0, 1_600_000_200);
  t.equal(events[0]!.at, 1_600_000_200);
});

t.test('stale routes (RFC 4724-like): refresh clears, End-of-RIB drops per family, dropStale drops the rest', async (t) => {
  const rib = new Rib({ index: index(['192.0.2.0/24', 24, 1]) });
  const a = rib.table(PEER_A);
  const b = rib.table(PEER_B);
  const routes = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32', '2001:db8:1::/48', '2001:db8:2::/48'];
  for (const r of routes) rib.announce(a, P(r), 0, path('64500 1'));
  rib.announce(b, P('192.0.2.0/24'), 0, path('64500 1'));
  t.equal(rib.markStale(a), 6);
  t.equal(rib.markStale(a), 0, 'already stale');
  t.equal(a.staleCount(), 6);
  t.equal(a.staleCount(4), 3);
  t.equal(b.staleCount(), 0, 'other tables untouched');
  t.equal(rib.staleCount(), 6);
  t.equal(rib.staleCount(4), 3);
  t.equal(rib.get(a, P('192.0.2.0/24'))!.stale, true);

  const { events } = recorder(rib);
  t.equal(rib.announce(a, P('192.0.2.0/24'), 0, path('64500 1')), 'refresh');
  t.equal(rib.announce(a, P('198.51.100.0/24'), 0, path('64501 1')), 'replace');
  t.equal(rib.announce(a, P('2001:db8::/32'), 0, path('64500 1')), 'refresh');
  t.equal(rib.get(a, P('192.0.2.0/24'))!.stale, false, 'a refresh clears the flag');
  t.equal(rib.get(a, P('198.51.100.0/24'))!.stale, false, 'so does a replace');
  t.equal(a.staleCount(), 3);
  t.equal(a.staleCount(4), 1);
  t.equal(rib.staleCount(6), 2);

  events.length = 0;
  t.equal(rib.applyUpdate(a, update({ endOfRib: { afi: 1, safi: 1 } })).staleDropped, 1, 'End-of-RIB IPv4 unicast');
  t.same(events.map((e) => [e.type, e.cause, e.prefix]), [['withdraw', 'stale', '203.0.113.0/24']]);
  t.equal(a.staleCount(6), 2, 'IPv6 stays stale until its own End-of-RIB');
  t.equal(rib.applyUpdate(a, update({ endOfRib: { afi: 2, safi: 128 } })).staleDropped, 0, 'another SAFI is not ours');
  t.equal(rib.markStale(a), 3);
  t.equal(rib.endOfRib(a, 6), 3, 'endOfRib() directly');
  t.same(
    [...rib.routes(a)].map((r) => r.prefix.toString()).sort(),
    ['192.0.2.0/24', '198.51.100.0/24'],
  );
  t.equal(rib.markStale(a), 0, 'both were marked by the markStale before');
  t.equal(a.staleCount(4), 2);
  rib.announce(a, P('192.0.2.0/24'), 0, path('64500 1'));
  events.length = 0;
  t.equal(rib.dropStale(a), 1);
  t.same(events.map((e) => [e.type, e.cause, e.prefix]), [['withdraw', 'stale', '198.51.100.0/24']]);
  t.equal(a.staleCount(), 0);
  t.equal(rib.staleCount(), 0);
  t.equal(a.size, 1);
  t.equal(rib.dropStale(a), 0);
});

t.test('listeners see a consistent RIB during bulk removals (peer down, a mostly stale table)', async (t) => {
  const rib = new Rib();
  const a = rib.table(PEER_A);
  for (let i = 0; i < 100; i++) rib.announce(a, Prefix.masked(4, 24, (0x0a000000 + i * 256) >>> 0), 0, path(`64500 ${i}`));
  rib.markStale(a);
  for (let i = 0; i < 10; i++) rib.announce(a, Prefix.masked(4, 24, (0x0a000000 + i * 256) >>> 0), 0, path(`64500 ${i}`));
  const seen: [string, boolean, number, number][] = [];
  const off = rib.on((e) => {
    seen.push([e.prefix.toString(), rib.get(a, e.prefix) !== undefined, rib.countCovered(P('0.0.0.0/0'), { table: a }), a.count()]);
    t.equal(e.oldAttributes!.asPath.toString(), `64500 ${(e.prefix.w0 >>> 8) & 0xff}`, 'attributes readable');
  });
  t.equal(rib.dropStale(a), 90, 'more than a quarter stale: one rebuild');
  t.equal(seen.length, 90);
  t.ok(seen.every(([, held, covered, count]) => !held && covered === 10 && count === 10), 'the table already holds only the 10 refreshed routes');
  t.equal(rib.get(a, P('10.0.5.0/24'))!.origin, 5);
  t.equal(rib.countCovered(P('10.0.0.0/8')), 10);
  seen.length = 0;
  t.equal(rib.dropTable(a), 10);
  t.ok(seen.length === 10 && seen.every(([, held, covered, count]) => !held && covered === 0 && count === 0), 'peer down: the table is empty at once');
  off();
  t.equal(rib.attributeStore.size, 0);
  t.equal(rib.count(), 0);
});

t.test('peer down and router down withdraw everything and forget the tables', async (t) => {
  const rib = new Rib();
  const a = rib.table(PEER_A);
  const b = rib.table(PEER_B);
  const c = rib.table(PEER_C);
  for (const table of [a, b, c]) {
    rib.announce(table, P('192.0.2.0/24'), 0, path('64500 1'));
    rib.announce(table, P('2001:db8::/32'), 0, path('64500 1'));
  }
  const { events } = recorder(rib);
  t.equal(rib.dropTable(a), 2);
  t.same(events.map((e) => [e.type, e.cause, e.table]), [
    ['withdraw', 'peer-down', PEER_A.peer],
    ['withdraw', 'peer-down', PEER_A.peer],
  ]);
  t.ok(a.isDropped);
  t.equal(a.size, 0);
  t.equal(rib.findTable(PEER_A), undefined);
  t.equal(rib.findTable({ ...PEER_A, router: 'r9' }), undefined);
  t.same(rib.tablesOfRouter('r9'), []);
  t.same(rib.tablesOfRouter('r1'), [b]);
  t.match(caught(() => rib.announce(a, P('192.0.2.0/24'), 0, path('1'))), /dropped/);
  t.equal(rib.dropRouter('r1'), 2, 'r1 still had PEER_B');
  t.same(rib.tables(), [c]);
  t.equal(rib.count(), 2);
  const again = rib.table(PEER_A);
  t.not(again, a, 'a peer that comes back gets a fresh table');
  t.equal(again.size, 0);
  t.equal(rib.attributeStore.size, 1, 'the sets of dropped routes are freed');
  t.match(caught(() => new Rib().announce(c, P('192.0.2.0/24'), 0, path('1'))), /another RIB/);
});

t.test('revalidate after a VRP change: exactly the covered routes, state-changed events, counts', async (t) => {
  const validator = new Validator();
  const rib = new Rib({ index: validator.snapshot.vrps });
  const a = rib.table(PEER_A);
  const b = rib.table(PEER_B);
  for (const table of [a, b]) {
    rib.announce(table, P('192.0.2.0/24'), 0, path('64500 64496'));
    rib.announce(table, P('192.0.2.128/25'), 0, path('64500 64497'));
    rib.announce(table, P('198.51.100.0/24'), 0, path('64500 64496'));
    rib.announce(table, P('2001:db8:1::/48'), 0, path('64500 64496'));
    rib.announce(table, P('2001:db9::/32'), 0, path('64500 64496'));
  }
  t.equal(rib.count(undefined, RovState.NotFound), 10);
  const { events } = recorder(rib);
  const change = validator.publish(makePayload(vrps(['192.0.2.0/24', 24, 64496], ['2001:db8::/32', 48, 64496])))!;
  t.same(change.affected.map(String), ['192.0.2.0/24', '2001:db8::/32']);
  t.same(rib.revalidate(change.affected, change.current.vrps), { visited: 6, changed: 6 });
  t.same(
    events.map((e) => [e.type, e.cause, e.table, e.prefix, e.oldState, e.newState]).sort(),
    [
      ['state-changed', 'revalidation', PEER_A.peer, '192.0.2.0/24', RovState.NotFound, RovState.Valid],
      ['state-changed', 'revalidation', PEER_A.peer, '192.0.2.128/25', RovState.NotFound, RovState.Invalid],
      ['state-changed', 'revalidation', PEER_A.peer, '2001:db8:1::/48', RovState.NotFound, RovState.Valid],
      ['state-changed', 'revalidation', PEER_B.peer, '192.0.2.0/24', RovState.NotFound, RovState.Valid],
      ['state-changed', 'revalidation', PEER_B.peer, '192.0.2.128/25', RovState.NotFound, RovState.Invalid],
      ['state-changed', 'revalidation', PEER_B.peer, '2001:db8:1::/48', RovState.NotFound, RovState.Valid],
    ].sort(),
  );
  t.equal(events[0]!.old, events[0]!.new, 'a state change keeps the attributes');
  t.equal(a.count(4, RovState.Valid), 1);
  t.equal(a.count(4, RovState.Invalid), 1);
  t.equal(a.count(6, RovState.Valid), 1);
  t.equal(rib.count(6, RovState.Valid), 2);
  t.equal(rib.count(4, RovState.Invalid), 2);
  t.equal(rib.count(undefined, RovState.NotFound), 4);
  // New routes are validated with the index revalidate() brought.
  rib.announce(a, P('2001:db8:2::/48'), 0, path('64500 64496'));
  t.equal(rib.get(a, P('2001:db8:2::/48'))!.state, RovState.Valid);
  // A change that moves nothing visible: routes visited, no event.
  events.length = 0;
  const second = validator.publish(makePayload(vrps(['192.0.2.0/24', 24, 64496], ['2001:db8::/32', 48, 64496], ['192.0.2.0/24', 25, 64496])))!;
  t.same(rib.revalidate(second.affected, second.current.vrps), { visited: 4, changed: 0 });
  t.equal(events.length, 0);
  // Overlapping and unsorted affected lists are normalised: each route once.
  const third = validator.publish(makePayload(vrps()))!;
  t.same(rib.revalidate([P('192.0.2.128/25'), P('2001:db8::/32'), P('0.0.0.0/0'), P('192.0.2.0/24')], third.current.vrps), {
    visited: 9,
    changed: 7,
  });
  t.equal(rib.count(undefined, RovState.NotFound), 11);
  t.same(rib.revalidateAll(index(['0.0.0.0/0', 32, 64496])), { visited: 11, changed: 6 });
  t.equal(rib.count(4, RovState.Valid), 4);
  t.equal(rib.count(4, RovState.Invalid), 2);
});

t.test('revalidate with many affected prefixes against a small table takes one pass', async (t) => {
  const rib = new Rib();
  const a = rib.table(PEER_A);
  rib.announce(a, P('10.0.0.0/24'), 0, path('1'));
  rib.announce(a, P('10.0.1.0/24'), 0, path('2'));
  rib.announce(a, P('10.0.2.0/23'), 0, path('3'));
  rib.announce(a, P('2001:db8::/48'), 0, path('4'));
  const affected: Prefix[] = [];
  for (let i = 0; i < 200; i++) affected.push(Prefix.masked(4, 24, (0x0a000000 + 512 + i * 256) >>> 0));
  affected.push(P('10.0.0.0/24'), P('2001:db8::/48'), P('2001:db8:1::/48'));
  const idx = index(['10.0.0.0/8', 24, 3]);
  t.same(rib.revalidate(affected, idx), { visited: 2, changed: 1 }, '10.0.0.0/24 and 2001:db8::/48 visited; 10.0.2.0/23 only partly covered');
  t.equal(rib.get(a, P('10.0.0.0/24'))!.state, RovState.Invalid);
  t.equal(rib.get(a, P('10.0.2.0/23'))!.state, RovState.NotFound, 'not revalidated: no affected prefix covers it');
});

t.test('covered() and routes() answer from all tables or one', async (t) => {
  const rib = new Rib();
  const a = rib.table(PEER_A);
  const b = rib.table(PEER_B);
  rib.announce(a, P('192.0.2.0/24'), 0, path('1'));
  rib.announce(a, P('192.0.2.0/25'), 0, path('1'));
  rib.announce(b, P('192.0.2.0/24'), 0, path('2'));
  rib.announce(b, P('192.0.0.0/16'), 0, path('2'));
  rib.announce(b, P('2001:db8::/32'), 0, path('2'));
  const keys = (routes: readonly { table: { peer: string }; prefix: Prefix }[]) => routes.map((r) => `${r.table.peer} ${r.prefix.toString()}`).sort();
  t.same(keys(rib.covered(P('192.0.2.0/24'))), [`${PEER_A.peer} 192.0.2.0/24`, `${PEER_A.peer} 192.0.2.0/25`, `${PEER_B.peer} 192.0.2.0/24`]);
  t.same(keys(rib.covered(P('192.0.2.0/24'), { table: b })), [`${PEER_B.peer} 192.0.2.0/24`]);
  t.same(keys(rib.covered(P('::/0'))), [`${PEER_B.peer} 2001:db8::/32`]);
  t.equal(rib.countCovered(P('192.0.2.0/24')), 3);
  t.equal(rib.countCovered(P('192.0.0.0/8'), { table: b }), 2);
  t.equal(rib.countCovered(P('::/0'), { table: a }), 0);
  const routes = rib.covered(P('0.0.0.0/0'), { table: a });
  t.equal(routes[0]!.attributes, routes[1]!.attributes, 'a shared set is decoded once per answer');
  t.ok(Object.isFrozen(routes[0]));
  t.same(keys([...rib.routes(b, 6)]), [`${PEER_B.peer} 2001:db8::/32`]);
  const it = rib.routes(b);
  it.next();
  rib.announce(b, P('203.0.113.0/24'), 0, path('2'));
  t.match(caught(() => it.next()), /changed while/);
});

t.test('listeners: errors are logged, changes from inside a listener are refused, attributes are read inside', async (t) => {
  const logged: unknown[] = [];
  const logger = { info() {}, warn() {}, error: (obj: object, msg: string) => logged.push([obj, msg]) };
  const rib = new Rib({ logger });
  const a = rib.table(PEER_A);
  let second = 0;
  const off1 = rib.on(() => {
    throw new Error('listener bug');
  });
  const off2 = rib.on((e) => {
    second++;
    // A listener may read…
    t.equal(rib.get(a, e.prefix)?.prefix.toString(), e.type === 'withdraw' ? undefined : e.prefix.toString());
  });
  rib.announce(a, P('192.0.2.0/24'), 0, path('1'));
  t.equal(second, 1, 'the other listeners still run');
  t.equal(logged.length, 1);
  t.match(logged[0], [{ table: a.key, type: 'announce' }, 'RIB route listener failed']);
  off1();
  off2();
  off1();
  // …but not write.
  let refused: unknown;
  const off3 = rib.on(() => {
    refused = caught(() => rib.announce(a, P('198.51.100.0/24'), 0, path('1')));
  });
  rib.withdraw(a, P('192.0.2.0/24'));
  t.match(refused, /inside a route listener/);
  t.equal(a.size, 0);
  off3();
  // Attributes: readable in the listener; a later read of a freed set throws instead of lying.
  const seen: string[] = [];
  let kept: RouteEvent | undefined;
  rib.on((e) => {
    kept = e;
    seen.push(`${e.type} ${String(e.oldAttributes?.asPath)} -> ${String(e.newAttributes?.asPath)}`);
  });
  rib.announce(a, P('192.0.2.0/24'), 0, path('7'));
  const first = kept!;
  t.equal(first.newAttributes!.asPath.toString(), '7', 'still held after the listener: readable');
  t.equal(first.key, `${a.key} 192.0.2.0/24 0`);
  rib.announce(a, P('192.0.2.0/24'), 0, path('8'));
  t.match(caught(() => first.newAttributes), /no longer held/, 'the set of the first announce was freed');
  t.match(caught(() => kept!.oldAttributes), /no longer held/);
  t.equal(kept!.newAttributes!.asPath.toString(), '8');
  rib.withdraw(a, P('192.0.2.0/24'));
  t.same(seen, ['announce undefined -> 7', 'replace 7 -> 8', 'withdraw 8 -> undefined']);
  t.equal(rib.attributeStore.size, 0);
});

t.test('stats and byte accounting', async (t) => {
  const rib = new Rib();
  const a = rib.table(PEER_A);
  for (let i = 0; i < 1000; i++) rib.announce(a, Prefix.masked(4, 24, (0x0a000000 + i * 256) >>> 0), 0, path(`64500 ${i % 10}`));
  const s = rib.stats();
  t.match(s, { tables: 1, routes: 1000, ipv4: 1000, ipv6: 0, attributes: { sets: 10 } });
  t.ok(s.bytes > 1000 * 32 && s.bytes < 1000 * 200, `${s.bytes} bytes`);
  t.ok(s.growths > 0 && s.rehashes > 0);
  t.equal(a.bytes + s.attributes.bytes, s.bytes);
  t.equal(String(a), `r1 ${PEER_A.peer} adj-rib-in-pre`);
});

t.test('a listener with an interest gets only the changes it wants; with no interested listener no event is made', async (t) => {
  const index = VrpIndex.build(VrpTable.from([parseVrp('10.0.0.0/8', 16, 'AS7224')]));
  const rib = new Rib({ index });
  const table = rib.table({ router: '192.0.2.1', peer: 'p', kind: RibKind.adjRibInPre });
  const wantedInvalid: string[] = [];
  const asked: string[] = [];
  const off = rib.on((e) => wantedInvalid.push(`${e.type} ${e.prefix}`), {
    wants: (tb, type, oldState, newState) => {
      asked.push(`${tb.peer} ${type} ${oldState} ${newState}`);
      return oldState === RovState.Invalid || newState === RovState.Invalid;
    },
  });
  rib.announce(table, Prefix.parse('10.1.0.0/16'), 0, attrs({ asPath: AsPath.parse('7224') }));
  rib.announce(table, Prefix.parse('10.2.0.0/24'), 0, attrs({ asPath: AsPath.parse('7224') }));
  rib.announce(table, Prefix.parse('10.2.0.0/24'), 0, attrs({ asPath: AsPath.parse('7224 1') }));
  rib.withdraw(table, Prefix.parse('10.2.0.0/24'));
  rib.withdraw(table, Prefix.parse('10.1.0.0/16'));
  t.same(wantedInvalid, ['announce 10.2.0.0/24', 'replace 10.2.0.0/24', 'withdraw 10.2.0.0/24'], 'only changes touching an invalid route');
  t.same(asked.slice(0, 2), ['p announce undefined 1', 'p announce undefined 2'], 'asked with the table, type and states');
  const all: string[] = [];
  const offAll = rib.on((e) => all.push(e.type));
  rib.announce(table, Prefix.parse('10.1.0.0/16'), 0, attrs({ asPath: AsPath.parse('7224') }));
  t.same(all, ['announce'], 'a listener without an interest gets everything');
  t.equal(wantedInvalid.length, 3, 'and the interested one still only what it wants');
  offAll();
  off();
});
