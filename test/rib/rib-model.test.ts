/**
 * Model-based property test of the RIB: random sequences of announce,
 * replace, refresh, withdraw, UPDATEs, markStale, dropStale, End-of-RIB,
 * peer down and revalidation over several tables, against a plain Map
 * model and a brute-force RFC 6811 validator. After every operation the
 * events must match; every few steps the held routes (attributes decoded
 * back, states, stale flags, times), the counts and the number of interned
 * sets must match. Enough steps to grow and shrink the route pools, rebuild
 * the chains, reuse set ids and compact the attribute arena.
 */
import t, { type Test } from 'tap';
import { originOf } from '../../src/bgp/as-path.js';
import type { PathAttributes } from '../../src/bgp/attributes.js';
import type { BgpUpdate, Nlri } from '../../src/bgp/update.js';
import type { Asn } from '../../src/net/asn.js';
import { type Afi, Prefix } from '../../src/net/prefix.js';
import { Validator } from '../../src/rov/validator.js';
import { RovState } from '../../src/rov/validity.js';
import { makePayload } from '../../src/rpki/payload.js';
import { makeVrp, type Vrp } from '../../src/rpki/vrp.js';
import { VrpTable } from '../../src/rpki/vrp-table.js';
import { type PeerKey, type PeerTable, RibKind } from '../../src/rib/peer-table.js';
import { Rib } from '../../src/rib/rib.js';
import { pick, randomInt, seededRandom } from '../helpers/random.js';
import { plain, randomAttributes, randomPrefix } from './fixtures.js';

interface ModelRoute {
  readonly tableKey: string;
  readonly prefix: Prefix;
  readonly pathId: number;
  attrs: PathAttributes;
  form: string;
  state: RovState;
  stale: boolean;
  firstSeen: number;
  lastChange: number;
}

interface ModelTable {
  readonly key: PeerKey;
  readonly localAsn: Asn | undefined;
  table: PeerTable;
}

const ORIGINS = [64496, 64497, 64498, 64499, 64500, 0];

function bruteValidate(prefix: Prefix, origin: number | null, vrps: readonly Vrp[]): RovState {
  let covered = false;
  for (const v of vrps) {
    if (!v.prefix.covers(prefix)) continue;
    covered = true;
    if (origin !== null && origin !== 0 && v.asn !== 0 && v.asn === origin && prefix.length <= v.maxLength) return RovState.Valid;
  }
  return covered ? RovState.Invalid : RovState.NotFound;
}

function randomVrp(rand: () => number): Vrp {
  const afi: Afi = rand() < 0.6 ? 4 : 6;
  let p = randomPrefix(rand, afi);
  if (p.length > 8 && rand() < 0.5) p = p.truncate(randomInt(rand, Math.max(1, p.length - 12), p.length));
  return makeVrp(p, randomInt(rand, p.length, Math.min(p.maxLength, p.length + 8)), pick(rand, ORIGINS) as Asn);
}

type EventTuple = readonly [string, string, string, string, number, string | undefined, string | undefined, number | undefined, number | undefined, number];

function runModel(t: Test, seed: number, steps: number): void {
  const rand = seededRandom(seed);
  let clock = 1_700_000_000_000;
  const validator = new Validator();
  let vrps: Vrp[] = [];
  const rib = new Rib({ index: validator.snapshot.vrps, now: () => clock, attributes: { compactMinGarbageWords: 256, initialSets: 16, initialArenaWords: 64 } });

  const tables: ModelTable[] = [
    { key: { router: 'r1', peer: 'a', kind: RibKind.adjRibInPre }, localAsn: undefined },
    { key: { router: 'r1', peer: 'a', kind: RibKind.adjRibInPost }, localAsn: undefined },
    { key: { router: 'r1', peer: 'b', kind: RibKind.adjRibOutPost }, localAsn: undefined },
    { key: { router: 'r2', peer: 'local', kind: RibKind.locRib }, localAsn: 64497 as Asn },
  ].map((m) => ({ ...m, table: rib.table(m.key, m.localAsn === undefined ? {} : { localAsn: m.localAsn }) }));
  const byTableKey = new Map(tables.map((m) => [m.table.key, m]));
  const model = new Map<string, ModelRoute>();
  const routeKey = (tableKey: string, p: Prefix, pathId: number) => `${tableKey}|${p.toString()}|${pathId}`;

  const got: EventTuple[] = [];
  rib.on((e) => {
    got.push([
      e.type,
      e.cause,
      e.table.key,
      e.prefix.toString(),
      e.pathId,
      e.oldAttributes === undefined ? undefined : JSON.stringify(plain(e.oldAttributes)),
      e.newAttributes === undefined ? undefined : JSON.stringify(plain(e.newAttributes)),
      e.oldState,
      e.newState,
      e.at,
    ]);
  });

  const pool: PathAttributes[] = [];
  for (let i = 0; i < 60; i++) pool.push(randomAttributes(rand, rand() < 0.85 ? pick(rand, ORIGINS) : undefined));
  const nextAttrs = (): PathAttributes => {
    if (rand() < 0.75) return pick(rand, pool);
    const a = randomAttributes(rand, rand() < 0.85 ? pick(rand, ORIGINS) : undefined);
    if (rand() < 0.3) pool[randomInt(rand, 0, pool.length - 1)] = a;
    return a;
  };
  const seconds = () => Math.floor(clock / 1000);
  const stateOf = (m: ModelTable, p: Prefix, a: PathAttributes) => bruteValidate(p, originOf(a.asPath, m.localAsn), vrps);

  // --- model operations (return the expected events) ---------------------------

  const mAnnounce = (m: ModelTable, p: Prefix, pathId: number, a: PathAttributes): { outcome: string; events: EventTuple[] } => {
    const k = routeKey(m.table.key, p, pathId);
    const form = JSON.stringify(plain(a));
    const held = model.get(k);
    const at = seconds();
    if (held === undefined) {
      const state = stateOf(m, p, a);
      model.set(k, { tableKey: m.table.key, prefix: p, pathId, attrs: a, form, state, stale: false, firstSeen: at, lastChange: at });
      return { outcome: 'announce', events: [['announce', 'update', m.table.key, p.toString(), pathId, undefined, form, undefined, state, at]] };
    }
    if (held.form === form) {
      held.stale = false;
      return { outcome: 'refresh', events: [] };
    }
    const state = stateOf(m, p, a);
    const ev: EventTuple = ['replace', 'update', m.table.key, p.toString(), pathId, held.form, form, held.state, state, at];
    Object.assign(held, { attrs: a, form, state, stale: false, lastChange: at });
    return { outcome: 'replace', events: [ev] };
  };

  const mWithdraw = (m: ModelTable, p: Prefix, pathId: number, cause: string): EventTuple[] => {
    const k = routeKey(m.table.key, p, pathId);
    const held = model.get(k);
    if (held === undefined) return [];
    model.delete(k);
    return [['withdraw', cause, m.table.key, p.toString(), pathId, held.form, undefined, held.state, undefined, seconds()]];
  };

  const routesOf = (m: ModelTable, afi?: Afi) =>
    [...model.values()].filter((r) => r.tableKey === m.table.key && (afi === undefined || r.prefix.afi === afi));

  const sortEvents = (events: readonly EventTuple[]) => [...events].map((e) => JSON.stringify(e)).sort();

  let failures = 0;
  const expectEvents = (step: number, what: string, want: readonly EventTuple[], ordered: boolean) => {
    const ok = ordered ? JSON.stringify(got) === JSON.stringify(want) : JSON.stringify(sortEvents(got)) === JSON.stringify(sortEvents(want));
    if (!ok) {
      failures++;
      if (failures <= 3) t.same(ordered ? got : sortEvents(got), ordered ? want : sortEvents(want), `step ${step}: events of ${what}`);
    }
    got.length = 0;
  };
  const expectEqual = (step: number, what: string, actual: unknown, wanted: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) {
      failures++;
      if (failures <= 3) t.same(actual, wanted, `step ${step}: ${what}`);
    }
  };

  const fullCheck = (step: number) => {
    for (const m of tables) {
      const actual = [...rib.routes(m.table)]
        .map((r) => ({
          key: routeKey(m.table.key, r.prefix, r.pathId),
          form: JSON.stringify(plain(r.attributes)),
          state: r.state,
          stale: r.stale,
          firstSeen: r.firstSeen,
          lastChange: r.lastChange,
          origin: r.origin,
        }))
        .sort((a, b) => (a.key < b.key ? -1 : 1));
      const wanted = routesOf(m)
        .map((r) => ({
          key: routeKey(r.tableKey, r.prefix, r.pathId),
          form: r.form,
          state: r.state,
          stale: r.stale,
          firstSeen: r.firstSeen,
          lastChange: r.lastChange,
          origin: originOf(r.attrs.asPath, m.localAsn),
        }))
        .sort((a, b) => (a.key < b.key ? -1 : 1));
      expectEqual(step, `routes of ${m.table.key}`, actual, wanted);
      for (const afi of [4, 6] as Afi[]) {
        const rs = routesOf(m, afi);
        const counts = [0, 1, 2].map((s) => rs.filter((r) => r.state === s).length);
        expectEqual(step, `counts of ${m.table.key} IPv${afi}`, [0, 1, 2].map((s) => m.table.count(afi, s as RovState)), counts);
        expectEqual(step, `stale count of ${m.table.key} IPv${afi}`, m.table.staleCount(afi), rs.filter((r) => r.stale).length);
        expectEqual(step, `size of ${m.table.key} IPv${afi}`, m.table.count(afi), rs.length);
      }
    }
    const all = [...model.values()];
    // covered() against a filter of the model: held prefixes and their supernets, /0, host routes.
    const queries: Prefix[] = [Prefix.parse('0.0.0.0/0'), Prefix.parse('::/0'), randomPrefix(rand, 4), randomPrefix(rand, 6)];
    for (let i = 0; i < 12 && all.length > 0; i++) {
      const p = pick(rand, all).prefix;
      queries.push(p.truncate(randomInt(rand, 0, p.length)));
    }
    queries.push(Prefix.masked(4, 32, 0x0a000001), Prefix.masked(6, 128, 0x20010db8, 0, 0, 1));
    for (const q of queries) {
      const one = pick(rand, tables);
      for (const table of [undefined, one]) {
        const actual = rib
          .covered(q, table === undefined ? {} : { table: table.table })
          .map((r) => `${routeKey(r.table.key, r.prefix, r.pathId)} ${r.state} ${JSON.stringify(plain(r.attributes))}`)
          .sort();
        const wanted = all
          .filter((r) => q.covers(r.prefix) && (table === undefined || r.tableKey === table.table.key))
          .map((r) => `${routeKey(r.tableKey, r.prefix, r.pathId)} ${r.state} ${r.form}`)
          .sort();
        expectEqual(step, `covered(${q.toString()})${table === undefined ? '' : ` of ${table.table.key}`}`, actual, wanted);
        if (table !== undefined) expectEqual(step, `countCovered(${q.toString()})`, rib.countCovered(q, { table: table.table }), wanted.length);
      }
    }
    expectEqual(step, 'totals', [0, 1, 2].map((s) => rib.count(undefined, s as RovState)), [0, 1, 2].map((s) => all.filter((r) => r.state === s).length));
    expectEqual(step, 'stale total', rib.staleCount(), all.filter((r) => r.stale).length);
    expectEqual(step, 'interned sets = distinct attribute sets held', rib.attributeStore.size, new Set(all.map((r) => r.form)).size);
  };

  const ops = { announce: 0, replace: 0, refresh: 0, withdraw: 0, update: 0, stale: 0, dropStale: 0, endOfRib: 0, peerDown: 0, revalidate: 0 };
  let peakRoutes = 0;
  let growths = 0;
  let shrinks = 0;
  let rehashes = 0;
  // Phases of 1,500 steps: grow (mostly announcements), then shed (withdrawals, peer down, stale drops).
  const WEIGHTS = {
    grow: { announce: 30, withdraw: 6, update: 40, markStale: 0.5, dropStale: 0.5, endOfRib: 1, peerDown: 0.1, revalidate: 6 },
    shed: { announce: 12, withdraw: 30, update: 25, markStale: 6, dropStale: 6, endOfRib: 5, peerDown: 2.5, revalidate: 8 },
  } as const;
  type Op = keyof (typeof WEIGHTS)['grow'];
  const choose = (w: Readonly<Record<Op, number>>): Op => {
    const total = Object.values(w).reduce((x, y) => x + y, 0);
    let x = rand() * total;
    for (const [op, weight] of Object.entries(w) as [Op, number][]) if ((x -= weight) < 0) return op;
    return 'announce';
  };
  for (let step = 0; step < steps; step++) {
    if (rand() < 0.3) clock += randomInt(rand, 0, 5000);
    const m = pick(rand, tables);
    const growing = Math.floor(step / 1500) % 2 === 0;
    const op = choose(growing ? WEIGHTS.grow : WEIGHTS.shed);
    const afi: Afi = rand() < 0.7 ? 4 : 6;
    if (op === 'announce') {
      // announce: a new key, or a held one (refresh or replace)
      const held = routesOf(m);
      let p: Prefix;
      let pathId: number;
      let a: PathAttributes;
      if (held.length > 0 && rand() < 0.35) {
        const h = pick(rand, held);
        p = h.prefix;
        pathId = h.pathId;
        a = rand() < 0.4 ? h.attrs : rand() < 0.5 ? cloneAttrs(h.attrs) : nextAttrs();
      } else {
        p = randomPrefix(rand, afi);
        pathId = rand() < 0.85 ? 0 : randomInt(rand, 1, 2);
        a = nextAttrs();
      }
      const want = mAnnounce(m, p, pathId, a);
      const outcome = rib.announce(m.table, p, pathId, a);
      expectEqual(step, 'announce outcome', outcome, want.outcome);
      ops[want.outcome as 'announce']++;
      expectEvents(step, 'announce', want.events, true);
    } else if (op === 'withdraw') {
      // withdraw: mostly held keys
      const held = routesOf(m);
      const h = held.length > 0 && rand() < 0.85 ? pick(rand, held) : undefined;
      const p = h?.prefix ?? randomPrefix(rand, afi);
      const pathId = h?.pathId ?? 0;
      const want = mWithdraw(m, p, pathId, 'update');
      expectEqual(step, 'withdraw result', rib.withdraw(m.table, p, pathId), want.length === 1);
      ops.withdraw++;
      expectEvents(step, 'withdraw', want, true);
    } else if (op === 'update') {
      // an UPDATE: some withdrawals (held or not), some announcements with one set, sometimes overlapping
      const held = routesOf(m);
      const withdrawn: Nlri[] = [];
      const announced: Nlri[] = [];
      for (let i = randomInt(rand, 0, growing ? 3 : 10); i > 0; i--) {
        const h = held.length > 0 && rand() < 0.9 ? pick(rand, held) : undefined;
        withdrawn.push({ prefix: h?.prefix ?? randomPrefix(rand, afi), pathId: h?.pathId ?? 0 });
      }
      for (let i = randomInt(rand, 0, growing ? 10 : 2); i > 0; i--) {
        if (withdrawn.length > 0 && rand() < 0.15) announced.push(pick(rand, withdrawn));
        else announced.push({ prefix: randomPrefix(rand, rand() < 0.7 ? 4 : 6), pathId: rand() < 0.9 ? 0 : 1 });
      }
      const a = announced.length > 0 ? nextAttrs() : undefined;
      const want: EventTuple[] = [];
      const announcedKeys = new Set(announced.map((n) => `${n.prefix.toString()}|${n.pathId}`));
      let nWithdrawn = 0;
      let notHeld = 0;
      for (const n of withdrawn) {
        if (announcedKeys.has(`${n.prefix.toString()}|${n.pathId}`)) continue;
        const ev = mWithdraw(m, n.prefix, n.pathId, 'update');
        if (ev.length === 0) notHeld++;
        else nWithdrawn++;
        want.push(...ev);
      }
      const outcomes = { announce: 0, replace: 0, refresh: 0 };
      for (const n of announced) {
        const res = mAnnounce(m, n.prefix, n.pathId, a!);
        outcomes[res.outcome as 'announce']++;
        want.push(...res.events);
      }
      const u: BgpUpdate = { withdrawn, announced, attributes: a, endOfRib: undefined, action: 'none', problems: [], skipped: [] };
      const res = rib.applyUpdate(m.table, u);
      expectEqual(step, 'update outcome', res, {
        announced: outcomes.announce,
        replaced: outcomes.replace,
        refreshed: outcomes.refresh,
        withdrawn: nWithdrawn,
        notHeld,
        staleDropped: 0,
      });
      ops.update++;
      expectEvents(step, 'update', want, true);
    } else if (op === 'markStale') {
      expectEqual(step, 'markStale', rib.markStale(m.table), routesOf(m).filter((x) => !x.stale).length);
      for (const x of routesOf(m)) x.stale = true;
      ops.stale++;
      expectEvents(step, 'markStale', [], true);
    } else if (op === 'dropStale') {
      const want: EventTuple[] = [];
      for (const x of routesOf(m)) if (x.stale) want.push(...mWithdraw(m, x.prefix, x.pathId, 'stale'));
      expectEqual(step, 'dropStale', rib.dropStale(m.table), want.length);
      ops.dropStale++;
      expectEvents(step, 'dropStale', want, false);
    } else if (op === 'endOfRib') {
      const want: EventTuple[] = [];
      for (const x of routesOf(m, afi)) if (x.stale) want.push(...mWithdraw(m, x.prefix, x.pathId, 'stale'));
      const eor: BgpUpdate = {
        withdrawn: [],
        announced: [],
        attributes: undefined,
        endOfRib: { afi: afi === 4 ? 1 : 2, safi: 1 },
        action: 'none',
        problems: [],
        skipped: [],
      };
      expectEqual(step, 'End-of-RIB', rib.applyUpdate(m.table, eor).staleDropped, want.length);
      ops.endOfRib++;
      expectEvents(step, 'End-of-RIB', want, false);
    } else if (op === 'peerDown') {
      const want: EventTuple[] = [];
      for (const x of routesOf(m)) want.push(...mWithdraw(m, x.prefix, x.pathId, 'peer-down'));
      for (const fam of [m.table.v4, m.table.v6]) (growths += fam.growths), (shrinks += fam.shrinks), (rehashes += fam.rehashes);
      expectEqual(step, 'dropTable', rib.dropTable(m.table), want.length);
      m.table = rib.table(m.key, m.localAsn === undefined ? {} : { localAsn: m.localAsn });
      byTableKey.set(m.table.key, m);
      ops.peerDown++;
      expectEvents(step, 'peer down', want, false);
    } else {
      // A VRP change: add and remove a few VRPs, publish, revalidate with the affected prefixes.
      const next = vrps.filter(() => rand() < 0.9);
      for (let i = randomInt(rand, 0, 6); i > 0; i--) next.push(randomVrp(rand));
      const change = validator.publish(makePayload(VrpTable.from(next)));
      vrps = next;
      if (change === undefined) continue;
      const want: EventTuple[] = [];
      let covered = 0;
      for (const x of model.values()) {
        if (change.affected.some((p) => p.covers(x.prefix))) covered++;
        const mt = byTableKey.get(x.tableKey)!;
        const state = stateOf(mt, x.prefix, x.attrs);
        if (state !== x.state) {
          want.push(['state-changed', 'revalidation', x.tableKey, x.prefix.toString(), x.pathId, x.form, x.form, x.state, state, x.lastChange]);
          x.state = state;
        }
      }
      const res = rib.revalidate(change.affected, change.current.vrps);
      expectEqual(step, 'revalidate', res, { visited: covered, changed: want.length });
      ops.revalidate++;
      expectEvents(step, 'revalidate', want, false);
    }
    peakRoutes = Math.max(peakRoutes, model.size);
    if (step % 250 === 0 || step === steps - 1) fullCheck(step);
  }
  t.equal(failures, 0, `seed ${seed}: ${steps} steps agree with the model`);
  const stats = rib.stats();
  t.ok(Object.values(ops).every((n) => n > 10), `every operation ran: ${JSON.stringify(ops)}`);
  t.ok(peakRoutes > 1000, `tables grew (peak ${peakRoutes} routes)`);
  t.ok(stats.attributes.compactions > 0, `arena compacted (${stats.attributes.compactions})`);
  t.ok(stats.attributes.created > stats.attributes.idCapacity, `set ids reused (${stats.attributes.created} sets in ${stats.attributes.idCapacity} ids)`);
  for (const m of tables) for (const fam of [m.table.v4, m.table.v6]) (growths += fam.growths), (shrinks += fam.shrinks), (rehashes += fam.rehashes);
  t.ok(growths > 0 && rehashes > 0, `pools grew (${growths}) and chains were rebuilt (${rehashes})`);
  t.ok(shrinks > 0, `pools shrank (${shrinks})`);
}

/** A structurally equal copy (another object: the store must find the same set by content). */
function cloneAttrs(a: PathAttributes): PathAttributes {
  return {
    ...a,
    communities: [...a.communities],
    largeCommunities: [...a.largeCommunities],
    extendedCommunities: a.extendedCommunities.map((e) => Uint8Array.from(e)),
    otherAttributes: a.otherAttributes.map((o) => ({ ...o, value: Uint8Array.from(o.value) })),
  };
}

for (const seed of [1, 2, 3]) {
  t.test(`model-based: seed ${seed}`, async (t) => runModel(t, seed, 6000));
}
