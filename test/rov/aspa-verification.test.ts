import t from 'tap';
import type { Asn } from '../../src/net/asn.js';
import type { Afi } from '../../src/net/prefix.js';
import { AsPath } from '../../src/bgp/as-path.js';
import { makeAspa, makeAspaPerAfi } from '../../src/rpki/aspa.js';
import { AspaIndex } from '../../src/rov/aspa-index.js';
import {
  type AspaDirection,
  type AspaState,
  type AspaVerification,
  aspaDirectionFor,
  verifyAspaPath,
} from '../../src/rov/aspa-verification.js';
import { randomInt, seededRandom } from '../helpers/random.js';

const asn = (n: number) => n as Asn;
const aspa = (customer: number, providers: number[]) => makeAspa(asn(customer), providers.map(asn));
const path = (text: string) => AsPath.parse(text);

/** state, reason and the four §5.4 ramps in one comparable line. */
function summary(v: AspaVerification): string {
  if (!('ramps' in v)) return `${v.state} ${v.reason}`;
  const r = v.ramps;
  return `${v.state} ${v.reason} n=${r.n} maxUp=${r.maxUp} minUp=${r.minUp} maxDown=${r.maxDown} minDown=${r.minDown}`;
}

// ---------------------------------------------------------------------------
// Worked examples. The current draft (-28 §6.1) points to examples published
// outside the document; the ones here are NIST's BRIO ASPA demos
// (github.com/usnistgov/NIST-BRIO, brio-examples/demo-aspa-upstream and
// demo-aspa-downstream), which give the topology, the ASPAs, the four ramps
// and the outcome for each path.
// ---------------------------------------------------------------------------
const A = 65000, B = 65010, C = 65020, D = 65030, E = 65040, F = 65050, G = 65060;
const NAMES: Record<string, number> = { A, B, C, D, E, F, G };
const nist = AspaIndex.from([aspa(A, [C, D]), aspa(B, [E]), aspa(C, [F]), aspa(D, [F, G]), aspa(G, [0])]);
/** "E G F C A" in the NIST letters, neighbour first. */
const letters = (s: string) => AsPath.sequence(s.split(' ').map((l) => asn(NAMES[l]!)));

t.test('NIST BRIO upstream examples (route from a customer or peer)', async (t) => {
  // [path, max_up_ramp, min_up_ramp, outcome] exactly as NIST's table gives them.
  const rows: [string, number, number, AspaState][] = [
    ['F C A', 3, 3, 'valid'], // 1: G receives from F
    ['D C A', 2, 2, 'invalid'], // 2: C's ASPA does not list D
    ['D F C A', 4, 3, 'unknown'], // 3: F has no ASPA
    ['D E B', 3, 2, 'unknown'], // 4: C receives; E has no ASPA
    ['A D E B', 3, 2, 'invalid'], // 5: D's ASPA does not list A
    ['A D G E B', 3, 2, 'invalid'], // 6: G's AS0 ASPA
    ['A C F', 2, 1, 'invalid'], // 7: D receives
    ['A C F G', 1, 1, 'invalid'], // 8
    ['E B', 2, 2, 'valid'], // 9
  ];
  for (const [p, maxUp, minUp, state] of rows) {
    const first = asn(NAMES[p[0]!]!);
    const v = verifyAspaPath(nist, letters(p), 4, 'upstream', { neighborAsn: first });
    const n = p.split(' ').length;
    const reason = { valid: 'verified', invalid: 'not-provider', unknown: 'no-attestation' }[state];
    t.equal(summary(v), `${state} ${reason} n=${n} maxUp=${maxUp} minUp=${minUp} maxDown=0 minDown=0`, p);
  }
});

t.test('NIST BRIO downstream examples (route from a provider)', async (t) => {
  // [path, max_up, max_down, min_up, min_down, outcome] from NIST's table.
  const rows: [string, number, number, number, number, AspaState][] = [
    ['E G F C A', 4, 2, 3, 1, 'unknown'], // 1: B receives from E
    ['E G D A', 3, 2, 3, 1, 'valid'], // 2
    ['E D C A', 2, 2, 2, 1, 'unknown'], // 3
    ['E G D C A', 2, 2, 2, 1, 'invalid'], // 4
    ['C F D G', 1, 4, 1, 2, 'unknown'], // 5: A receives from C
    ['D G E B', 3, 2, 2, 2, 'valid'], // 6: A receives from D
    ['C D G E B', 3, 1, 2, 1, 'invalid'], // 7
    ['F C A', 3, 2, 3, 1, 'valid'], // 8: D receives from F
    // 9 and 10 (forged origin / forged path segment by provider E, which ASPA
    // cannot detect): NIST gives Valid, and so do we, but its table lists
    // max_up_ramp 2 and 1 where §5.4 gives 1 and 2 (A's ASPA does not list
    // E; C's does not list E); its own min_up_ramp of 2 for row 10 cannot
    // exceed max_up_ramp, so we take those two cells as typos.
    ['E A', 1, 2, 1, 1, 'valid'],
    ['E C A', 2, 2, 2, 1, 'valid'],
  ];
  for (const [p, maxUp, maxDown, minUp, minDown, state] of rows) {
    const first = asn(NAMES[p[0]!]!);
    const v = verifyAspaPath(nist, letters(p), 4, 'downstream', { neighborAsn: first });
    const n = p.split(' ').length;
    const reason = { valid: 'verified', invalid: 'valley', unknown: 'no-attestation' }[state];
    t.equal(summary(v), `${state} ${reason} n=${n} maxUp=${maxUp} minUp=${minUp} maxDown=${maxDown} minDown=${minDown}`, p);
  }
});

t.test('NIST downstream example 1 in detail: the evidence names the unattested hops', async (t) => {
  const v = verifyAspaPath(nist, letters('E G F C A'), 4, 'downstream');
  t.match(v, {
    state: 'unknown',
    reason: 'no-attestation',
    path: [E, G, F, C, A],
    upHop: { customer: F, provider: G, result: 'no-attestation' },
    downHop: { customer: E, provider: G, result: 'no-attestation' },
    message: 'AS65050 has no ASPA, so AS65060 above it is unverified; AS65040 has no ASPA, so AS65060 above it is unverified',
  });
});

t.test('NIST downstream example 7 in detail: a leak names both ramp ends', async (t) => {
  const v = verifyAspaPath(nist, letters('C D G E B'), 4, 'downstream');
  t.equal(v.state, 'invalid');
  t.equal(v.reason, 'valley');
  if (v.reason !== 'valley') return;
  // Up-ramp B E G stops because G (AS0 ASPA) has no provider D; down-ramp C stops because D is not C's provider.
  t.same(v.upHop, { customer: G, provider: D, result: 'not-provider' });
  t.same(v.downHop, { customer: C, provider: D, result: 'not-provider' });
  t.equal(
    v.message,
    'up-ramp from the origin ends at AS65060 (AS65030 is not an attested provider of AS65060) and down-ramp from the ' +
      'neighbour ends at AS65020 (AS65030 is not an attested provider of AS65020): more than one hop apart, a route leak or a forged path',
  );
});

// ---------------------------------------------------------------------------
// Each step of both procedures.
// ---------------------------------------------------------------------------

// 1 <- 2 <- 3 <- 4 is a chain of attested customer-to-provider links, 5 has an
// ASPA naming nobody on these paths, 6 has none.
const chain = AspaIndex.from([aspa(1, [2]), aspa(2, [3]), aspa(3, [4]), aspa(5, [99])]);
const both: AspaDirection[] = ['upstream', 'downstream'];

t.test('step 1: an empty path is invalid', async (t) => {
  for (const dir of both) {
    t.equal(summary(verifyAspaPath(chain, AsPath.EMPTY, 4, dir)), 'invalid empty-path', dir);
    t.match(verifyAspaPath(chain, AsPath.EMPTY, 6, dir, { neighborAsn: asn(1) }), { message: 'AS_PATH is empty' });
  }
});

t.test('step 2: the neighbour must be the most recently added AS', async (t) => {
  for (const dir of both) {
    const v = verifyAspaPath(chain, path('3 2 1'), 4, dir, { neighborAsn: asn(4) });
    t.same(
      { state: v.state, reason: v.reason, message: v.message },
      { state: 'invalid', reason: 'neighbor-mismatch', message: 'most recently added AS3 is not the neighbour AS4' },
      dir,
    );
    t.match(v, { neighborAsn: 4, leftmost: 3 });
    t.equal(verifyAspaPath(chain, path('3 2 1'), 4, dir, { neighborAsn: asn(3) }).state, 'valid', dir);
    t.equal(verifyAspaPath(chain, path('3 3 2 1'), 4, dir, { neighborAsn: asn(3) }).state, 'valid', `${dir} prepended`);
  }
});

t.test('step 2: an RS-client receiving from a transparent route server is exempt upstream only', async (t) => {
  // The RS (AS 64999) does not put itself in the path.
  const opts = { neighborAsn: asn(64999), neighborIsRouteServer: true };
  t.equal(summary(verifyAspaPath(chain, path('3 2 1'), 4, 'upstream', opts)), 'valid verified n=3 maxUp=3 minUp=3 maxDown=0 minDown=0');
  t.equal(summary(verifyAspaPath(chain, path('3 2 1'), 4, 'downstream', opts)), 'invalid neighbor-mismatch');
  // A non-transparent RS is in the path: the check passes and the ramps decide
  // (3 did not list the RS among its providers).
  t.equal(verifyAspaPath(chain, path('64999 3 2 1'), 4, 'upstream', opts).reason, 'not-provider');
});

t.test('step 3: any AS_SET makes the path invalid, after the neighbour check', async (t) => {
  for (const dir of both) {
    for (const text of ['3 2 {1}', '3 {2,7} 1', '{3,4}', '4 3 2 1 {1}']) {
      const v = verifyAspaPath(chain, path(text), 4, dir);
      t.equal(summary(v), 'invalid as-set', `${dir} ${text}`);
      t.equal(v.message, `AS_PATH ${text} contains an AS_SET`);
    }
    t.equal(verifyAspaPath(chain, path('3 {2,7} 1'), 4, dir, { neighborAsn: asn(4) }).reason, 'neighbor-mismatch', dir);
    // The neighbour check has no "most recently added AS" to compare with a leading set.
    t.equal(verifyAspaPath(chain, path('{3,4} 2 1'), 4, dir, { neighborAsn: asn(3) }).reason, 'as-set', dir);
  }
});

t.test('upstream step 4: a hop that is attested not customer-to-provider is invalid', async (t) => {
  // 5's ASPA lists only 99: 5 -> 3 is not an up hop. 6 has no ASPA, but step 4 wins over step 5.
  const v = verifyAspaPath(chain, path('3 5 6'), 4, 'upstream');
  t.equal(summary(v), 'invalid not-provider n=3 maxUp=2 minUp=1 maxDown=0 minDown=0');
  t.match(v, { upHop: { customer: 5, provider: 3, result: 'not-provider' }, downHop: null });
  t.equal(v.message, 'AS3 is not an attested provider of AS5');
  // A leak: 2 learned 4's route from its provider 3 and sent it up to 7. The
  // hop 3 -> 2 goes down, which a route from a customer may not do; that 4
  // (the origin) has no ASPA does not save it.
  t.equal(summary(verifyAspaPath(chain, path('7 2 3 4'), 4, 'upstream')), 'invalid not-provider n=4 maxUp=2 minUp=1 maxDown=0 minDown=0');
  t.equal(summary(verifyAspaPath(chain, path('7 2 1'), 4, 'upstream')), 'invalid not-provider n=3 maxUp=2 minUp=2 maxDown=0 minDown=0');
});

t.test('upstream step 5: a hop without attestation is unknown', async (t) => {
  // Above 4 (no ASPA) nothing is known: 6 and 7 may or may not be providers.
  const w = verifyAspaPath(chain, path('7 6 4 3 2 1'), 4, 'upstream');
  t.equal(summary(w), 'unknown no-attestation n=6 maxUp=6 minUp=4 maxDown=0 minDown=0');
  t.same(w.state === 'unknown' ? w.upHop : null, { customer: 4, provider: 6, result: 'no-attestation' });
  t.equal(w.message, 'AS4 has no ASPA, so AS6 above it is unverified');
});

t.test('upstream step 6: all hops attested is valid', async (t) => {
  const v = verifyAspaPath(chain, path('4 3 2 1'), 4, 'upstream', { neighborAsn: asn(4) });
  t.equal(summary(v), 'valid verified n=4 maxUp=4 minUp=4 maxDown=0 minDown=0');
  t.match(v, { path: [4, 3, 2, 1], upHop: null, downHop: null, message: 'the attested ramps cover the path' });
});

t.test('length-1 paths are valid in both directions, with or without ASPAs', async (t) => {
  for (const dir of both) {
    for (const only of ['1', '6', '6 6 6']) {
      const v = verifyAspaPath(chain, path(only), 6, dir);
      const down = dir === 'upstream' ? 0 : 1;
      t.equal(summary(v), `valid verified n=1 maxUp=1 minUp=1 maxDown=${down} minDown=${down}`, `${dir} ${only}`);
      t.equal(v.message, 'single-AS path');
    }
  }
});

t.test('length-2 paths: upstream needs the hop attested, downstream is always valid', async (t) => {
  t.equal(verifyAspaPath(chain, path('2 1'), 4, 'upstream').state, 'valid');
  t.equal(verifyAspaPath(chain, path('3 1'), 4, 'upstream').state, 'invalid');
  t.equal(verifyAspaPath(chain, path('1 6'), 4, 'upstream').state, 'unknown');
  // From a provider, the one hop may be a peering at the top of the path:
  // even two ASPAs that both deny it cannot make it a valley.
  const mutual = AspaIndex.from([aspa(10, [11]), aspa(20, [21])]);
  const v = verifyAspaPath(mutual, path('20 10'), 4, 'downstream');
  t.equal(summary(v), 'valid verified n=2 maxUp=1 minUp=1 maxDown=1 minDown=1');
  t.equal(verifyAspaPath(chain, path('6 7'), 4, 'downstream').state, 'valid');
  t.equal(verifyAspaPath(mutual, path('20 10'), 4, 'upstream').state, 'invalid');
});

t.test('downstream: ramps that overlap, touch, or sit one hop apart are valid', async (t) => {
  // Up from 1 to 4 and down from 14 to 11, all attested.
  const idx = AspaIndex.from([
    aspa(1, [2]), aspa(2, [3]), aspa(3, [4]),
    aspa(14, [13]), aspa(13, [12]), aspa(12, [11]),
    aspa(11, [4]), // 4 is also 11's provider: the ramps overlap
    aspa(31, [99]), aspa(32, [99]), // attested, with providers elsewhere
  ]);
  // 4 has no ASPA, so the proven up-ramp stops at 4 (min 4) and the proven
  // down-ramp at 11 (min 5): they overlap at 4 -- 11.
  t.equal(summary(verifyAspaPath(idx, path('14 13 12 11 4 3 2 1'), 4, 'downstream')), 'valid verified n=8 maxUp=5 minUp=4 maxDown=6 minDown=5');
  // Ramps touch at a top AS 4 that is everybody's provider.
  const touch = AspaIndex.from([aspa(1, [2]), aspa(2, [4]), aspa(12, [4]), aspa(13, [12])]);
  t.equal(summary(verifyAspaPath(touch, path('13 12 4 2 1'), 4, 'downstream')), 'valid verified n=5 maxUp=4 minUp=3 maxDown=4 minDown=3');
  // One lateral hop 31 -- 32 between the apexes, both ASPAs deny it: still valid.
  const apart1 = AspaIndex.from([aspa(1, [31]), aspa(31, [99]), aspa(32, [99]), aspa(13, [32])]);
  t.equal(summary(verifyAspaPath(apart1, path('13 32 31 1'), 4, 'downstream')), 'valid verified n=4 maxUp=2 minUp=2 maxDown=2 minDown=2');
});

t.test('downstream step 4: apexes two hops apart are a valley', async (t) => {
  // 1 -> 31 up, then 31 -- 40 -- 32 where 40 is nobody's customer-provider,
  // then 32 -> 13 down: two lateral hops.
  const idx = AspaIndex.from([aspa(1, [31]), aspa(31, [99]), aspa(40, [99]), aspa(32, [99]), aspa(13, [32])]);
  const v = verifyAspaPath(idx, path('13 32 40 31 1'), 4, 'downstream', { neighborAsn: asn(13) });
  t.equal(summary(v), 'invalid valley n=5 maxUp=2 minUp=2 maxDown=2 minDown=2');
  t.match(v, {
    path: [13, 32, 40, 31, 1],
    upHop: { customer: 31, provider: 40, result: 'not-provider' },
    downHop: { customer: 32, provider: 40, result: 'not-provider' },
  });
  // Without an ASPA for 40 the verdict stands: 31 and 32 both deny 40 as
  // their provider, so 40 would sit below both, in a valley.
  const idx2 = AspaIndex.from([aspa(1, [31]), aspa(31, [99]), aspa(32, [99]), aspa(13, [32])]);
  t.equal(verifyAspaPath(idx2, path('13 32 40 31 1'), 4, 'downstream').state, 'invalid');
});

t.test('downstream step 5: a gap the ASPAs cannot close is unknown', async (t) => {
  // 41 and 42 have no ASPA: 31 -> 41 and 42 <- 32 may or may not be ramps.
  const idx = AspaIndex.from([aspa(1, [31]), aspa(31, [41]), aspa(32, [99]), aspa(13, [32])]);
  const v = verifyAspaPath(idx, path('13 32 42 41 31 1'), 4, 'downstream');
  t.equal(summary(v), 'unknown no-attestation n=6 maxUp=5 minUp=3 maxDown=2 minDown=2');
  t.match(v, {
    upHop: { customer: 41, provider: 42, result: 'no-attestation' },
    downHop: { customer: 32, provider: 42, result: 'not-provider' },
  });
});

t.test('a report on bird-users (Feb 2026): unattested neighbour, denying middle AS is unknown, not invalid', async (t) => {
  // AS2121 receives 3333 12859 42695 from its provider 3333. 3333 has no
  // ASPA, 12859's ASPA omits 42695, 42695's omits 12859. The up-ramp is
  // {42695}, the down-ramp may reach 12859: apexes one hop apart.
  const idx = AspaIndex.from([aspa(2121, [3333]), aspa(12859, [174]), aspa(42695, [1299])]);
  const v = verifyAspaPath(idx, path('3333 12859 42695'), 4, 'downstream', { neighborAsn: asn(3333) });
  t.equal(summary(v), 'unknown no-attestation n=3 maxUp=1 minUp=1 maxDown=2 minDown=1');
});

t.test('prepending is collapsed, loops are not', async (t) => {
  const v = verifyAspaPath(chain, path('4 4 4 3 2 2 1 1 1'), 4, 'upstream', { neighborAsn: asn(4) });
  t.equal(summary(v), 'valid verified n=4 maxUp=4 minUp=4 maxDown=0 minDown=0');
  t.same(v.state === 'valid' ? v.path : null, [4, 3, 2, 1]);
  // Prepends split across two AS_SEQUENCE segments (as a >255-AS path would be) collapse too.
  const split = AsPath.of([
    { type: 'sequence', asns: [asn(3), asn(2)] },
    { type: 'sequence', asns: [asn(2), asn(1)] },
  ]);
  t.same(verifyAspaPath(chain, split, 4, 'upstream'), verifyAspaPath(chain, path('3 2 1'), 4, 'upstream'));
  // 2 1 2: not consecutive, so 2 appears twice and 1 -> 2 -> ... 2's provider is 3, not 1.
  const loop = verifyAspaPath(chain, path('2 1 2 1'), 4, 'upstream');
  t.equal(summary(loop), 'invalid not-provider n=4 maxUp=2 minUp=2 maxDown=0 minDown=0');
  t.same(loop.state === 'invalid' && 'path' in loop ? loop.path : null, [2, 1, 2, 1]);
});

t.test('providers are looked up in the route\'s address family', async (t) => {
  // 2's IPv6 transit is 8, not 3.
  const idx = AspaIndex.from([aspa(1, [2]), makeAspaPerAfi(asn(2), [asn(3)], [asn(8)])]);
  t.equal(verifyAspaPath(idx, path('3 2 1'), 4, 'upstream').state, 'valid');
  t.equal(verifyAspaPath(idx, path('3 2 1'), 6, 'upstream').state, 'invalid');
  t.equal(verifyAspaPath(idx, path('8 2 1'), 6, 'upstream').state, 'valid');
  t.equal(verifyAspaPath(idx, path('8 2 1'), 4, 'upstream').state, 'invalid');
  const v = verifyAspaPath(idx, path('3 2 1'), 6, 'upstream');
  t.match(v, { afi: 6, direction: 'upstream', upHop: { customer: 2, provider: 3, result: 'not-provider' } });
});

t.test('confederation segments are left out of the ramps', async (t) => {
  // As if received inside a confederation whose members 65100/65101 have no ASPAs.
  const v = verifyAspaPath(chain, path('(65100 65101) 3 2 1'), 4, 'upstream', { neighborAsn: asn(3) });
  t.equal(summary(v), 'valid verified n=3 maxUp=3 minUp=3 maxDown=0 minDown=0');
  t.equal(verifyAspaPath(chain, path('3 [65100,65101] 2 1'), 4, 'upstream').state, 'valid');
  const only = verifyAspaPath(chain, path('(65100 65101)'), 4, 'downstream');
  t.equal(summary(only), 'invalid empty-path');
  t.equal(only.message, 'AS_PATH has no AS outside confederation segments');
});

t.test('aspaDirectionFor maps the neighbour relation to §5.5 / §5.6', async (t) => {
  t.equal(aspaDirectionFor('customer'), 'upstream');
  t.equal(aspaDirectionFor('peer'), 'upstream');
  t.equal(aspaDirectionFor('rs-client'), 'upstream');
  t.equal(aspaDirectionFor('route-server'), 'upstream');
  t.equal(aspaDirectionFor('provider'), 'downstream');
});

// ---------------------------------------------------------------------------
// Property test: two independent models of the procedure must agree with the
// ramp implementation on every random case.
//
// (1) Draft -16 §6.1/§6.2.2, the older hop-by-hop formulation: upstream is
//     Invalid if any hop is "Not Provider+", Unknown if any is "No
//     Attestation"; downstream is Invalid if the lowest u with
//     hop(AS(u-1), AS(u)) = nP is <= the highest v with hop(AS(v+1), AS(v))
//     = nP, else Valid if L - K <= 1 for the attested ramps K and L.
// (2) The valley-free definition itself: label each hop of the path
//     up (customer to provider), peer, or down (provider to customer); a
//     path from a provider may be up* peer? down*, one from a customer or
//     peer only up*. An up or down hop is possible unless an ASPA denies it
//     and proven only if an ASPA attests it; a peer hop is never constrained.
//     Invalid: no possible labelling. Valid: some proven labelling. Else Unknown.
// Both take the ASPAs as a plain Map, not the index.
// ---------------------------------------------------------------------------

type Model = Map<number, { v4: Set<number>; v6: Set<number> }>;
type Hop = 'P' | 'nP' | 'nA';

function modelHop(m: Model, customer: number, provider: number, afi: Afi): Hop {
  const e = m.get(customer);
  if (!e) return 'nA';
  const set = afi === 4 ? e.v4 : e.v6;
  return provider !== 0 && set.has(provider) ? 'P' : 'nP';
}

function collapse(wire: readonly number[]): number[] {
  return wire.filter((x, i) => i === 0 || wire[i - 1] !== x);
}

function draft16(m: Model, wire: readonly number[], afi: Afi, dir: AspaDirection): AspaState {
  const seq = collapse(wire);
  const N = seq.length;
  const AS = (i: number) => seq[N - i]!;
  const hop = (i: number, j: number) => modelHop(m, AS(i), AS(j), afi);
  if (dir === 'upstream') {
    if (N === 1) return 'valid';
    for (let i = 2; i <= N; i++) if (hop(i - 1, i) === 'nP') return 'invalid';
    for (let i = 2; i <= N; i++) if (hop(i - 1, i) === 'nA') return 'unknown';
    return 'valid';
  }
  if (N <= 2) return 'valid';
  let uMin = N + 1;
  for (let u = 2; u <= N; u++) if (hop(u - 1, u) === 'nP') { uMin = u; break; }
  let vMax = 0;
  for (let v = N - 1; v >= 1; v--) if (hop(v + 1, v) === 'nP') { vMax = v; break; }
  if (uMin <= vMax) return 'invalid';
  let K = 1;
  for (let i = 2; i <= N && hop(i - 1, i) === 'P'; i++) K = i;
  let L = N;
  for (let j = N - 1; j >= 1 && hop(j + 1, j) === 'P'; j--) L = j;
  return L - K <= 1 ? 'valid' : 'unknown';
}

function valleyFree(m: Model, wire: readonly number[], afi: Afi, dir: AspaDirection): AspaState {
  const seq = collapse(wire).reverse(); // origin first
  const hops = seq.length - 1;
  let possible = false;
  let proven = false;
  const labels = new Array<number>(hops).fill(0); // 0 up, 1 peer, 2 down
  for (let combo = 0; combo < 3 ** hops; combo++) {
    for (let k = 0, c = combo; k < hops; k++, c = Math.floor(c / 3)) labels[k] = c % 3;
    let shapeOk = true;
    let peers = 0;
    for (let k = 0; k < hops; k++) {
      if (labels[k]! < (labels[k - 1] ?? 0)) shapeOk = false; // never back up after peer/down
      if (labels[k] === 1) peers++;
      if (dir === 'upstream' && labels[k] !== 0) shapeOk = false;
    }
    if (!shapeOk || peers > 1) continue;
    let canBe = true;
    let isProven = true;
    for (let k = 0; k < hops; k++) {
      const lower = seq[k]!;
      const upper = seq[k + 1]!;
      if (labels[k] === 1) continue;
      const h = labels[k] === 0 ? modelHop(m, lower, upper, afi) : modelHop(m, upper, lower, afi);
      if (h === 'nP') canBe = false;
      if (h !== 'P') isProven = false;
    }
    if (canBe) possible = true;
    if (canBe && isProven) proven = true;
  }
  return !possible ? 'invalid' : proven ? 'valid' : 'unknown';
}

/** The §5.4 definitions read literally: collect every qualifying index, take the min or max. */
function rampsByDefinition(m: Model, wire: readonly number[], afi: Afi) {
  const seq = collapse(wire);
  const N = seq.length;
  const AS = (i: number) => seq[N - i]!;
  const upI = (pred: (h: Hop) => boolean) => {
    const is = [];
    for (let i = 1; i <= N - 1; i++) if (pred(modelHop(m, AS(i), AS(i + 1), afi))) is.push(i);
    return is.length ? Math.min(...is) : N;
  };
  const downJ = (pred: (h: Hop) => boolean) => {
    const js = [];
    for (let j = 2; j <= N; j++) if (pred(modelHop(m, AS(j), AS(j - 1), afi))) js.push(j);
    return js.length ? N - Math.max(...js) + 1 : N;
  };
  return {
    n: N,
    maxUp: upI((h) => h === 'nP'),
    minUp: upI((h) => h !== 'P'),
    maxDown: downJ((h) => h === 'nP'),
    minDown: downJ((h) => h !== 'P'),
  };
}

t.test('property: ramp implementation = draft -16 procedure = valley-free labelling', async (t) => {
  const rand = seededRandom(20260824);
  const counts: Record<string, number> = {};
  let cases = 0;
  for (let world = 0; world < 400; world++) {
    // A small AS universe so paths revisit ASes and ASPAs overlap a lot.
    const universe = randomInt(rand, 2, 8);
    const model: Model = new Map();
    const aspas = [];
    for (let c = 1; c <= universe; c++) {
      if (rand() < 0.35) continue;
      const pick = () => Array.from({ length: universe }, (_, i) => i + 1).filter((p) => p !== c && rand() < 0.4);
      const v4 = rand() < 0.1 ? [0] : pick();
      const v6 = rand() < 0.7 ? v4 : pick();
      aspas.push(makeAspaPerAfi(asn(c), v4.map(asn), v6.map(asn)));
      model.set(c, { v4: new Set(v4), v6: new Set(v6) });
    }
    const index = AspaIndex.from(aspas);
    for (let q = 0; q < 15; q++) {
      const wire: number[] = [];
      const len = randomInt(rand, 1, 7);
      while (wire.length < len) {
        // Prepending: repeat the previous AS now and then.
        wire.push(wire.length > 0 && rand() < 0.2 ? wire[wire.length - 1]! : randomInt(rand, 1, universe));
      }
      // Sometimes cut the sequence in two segments, as long paths are on the wire.
      const cut = randomInt(rand, 1, wire.length);
      const segments = [{ type: 'sequence' as const, asns: wire.slice(0, cut).map(asn) }];
      if (cut < wire.length) segments.push({ type: 'sequence', asns: wire.slice(cut).map(asn) });
      const asPath = AsPath.of(segments);
      for (const afi of [4, 6] as const) {
        for (const dir of both) {
          cases++;
          const got = verifyAspaPath(index, asPath, afi, dir, { neighborAsn: asn(wire[0]!) });
          const old = draft16(model, wire, afi, dir);
          const vf = valleyFree(model, wire, afi, dir);
          const label = `${dir} v${afi} path ${wire.join(' ')} aspas ${JSON.stringify([...model].map(([c, e]) => [c, [...e.v4], [...e.v6]]))}`;
          if (got.state !== old || got.state !== vf) {
            t.fail(`${label}: ramps ${got.state}, draft-16 ${old}, valley-free ${vf}`);
            return;
          }
          if (!('ramps' in got)) {
            t.fail(`${label}: no ramps in ${got.reason}`);
            return;
          }
          const want = rampsByDefinition(model, wire, afi);
          const expected = dir === 'upstream' ? { ...want, maxDown: 0, minDown: 0 } : want;
          // Upstream stops at the first "Not Provider+", which fixes both up values.
          if (JSON.stringify(got.ramps) !== JSON.stringify(expected) || got.path.join(' ') !== collapse(wire).join(' ')) {
            t.fail(`${label}: ramps ${JSON.stringify(got.ramps)} path ${got.path.join(' ')}, expected ${JSON.stringify(expected)}`);
            return;
          }
          counts[`${dir} ${got.state}`] = (counts[`${dir} ${got.state}`] ?? 0) + 1;
        }
      }
    }
  }
  // Every outcome of both procedures must actually occur, or the test proves little.
  for (const dir of both) for (const s of ['valid', 'invalid', 'unknown']) t.ok((counts[`${dir} ${s}`] ?? 0) > 200, `${dir} ${s}: ${counts[`${dir} ${s}`]}`);
  t.equal(cases, 400 * 15 * 4);
});
