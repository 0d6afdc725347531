/**
 * ASPA-based AS_PATH verification, draft-ietf-sidrops-aspa-verification-28
 * (24 August 2026):
 *
 * - §5.1 prerequisites: the neighbour-AS check (RFC 4271 §6.3, with the
 *   transparent route-server exception) and AS_SET handling (RFC 9774) run
 *   before the ramps;
 * - §5.2 COMPRESSED_AS_PATH {AS(N) … AS(1)}: consecutive duplicates removed,
 *   AS(1) the origin, AS(N) the neighbour;
 * - §5.3 authorized(AS x, AS y), see aspa-index.ts;
 * - §5.4 the ramp bounds max_up_ramp, min_up_ramp, max_down_ramp,
 *   min_down_ramp;
 * - §5.5 upstream procedure (route from a customer, a peer, an RS-client at
 *   an RS, or an RS at an RS-client) and §5.6 downstream procedure (route
 *   from a provider), six steps each, reproduced at verifyAspaPath().
 *
 * The idea (§5.2): a valley-free path climbs customer-to-provider from the
 * origin (the up-ramp), crosses at most one lateral hop, and descends
 * provider-to-customer to us (the down-ramp). ASPAs can prove a hop is not
 * customer-to-provider ("Not Provider+"); the path is Invalid when even the
 * longest ramps the ASPAs allow cannot meet, Valid when the ramps proven hop
 * by hop meet, Unknown in between.
 *
 * Indexing: the draft counts from the origin, AS(1), and from 1. We keep the
 * compressed path in wire order (neighbour first, index 0), so AS(i) is
 * path[N - i]; all ramp values we report are the draft's.
 */
import { type Asn, formatAsn } from '../net/asn.js';
import type { Afi } from '../net/prefix.js';
import type { AsPath } from '../bgp/as-path.js';
import type { AspaHop, AspaIndex } from './aspa-index.js';

/**
 * `upstream`: the route came from a customer, a peer, an RS-client (we are
 * the RS) or a route server (we are its client) — draft -28 §5.5.
 * `downstream`: the route came from a provider — §5.6.
 */
export type AspaDirection = 'upstream' | 'downstream';

/** What the neighbour that sent the route is to us. */
export type NeighborRelation = 'customer' | 'peer' | 'provider' | 'rs-client' | 'route-server';

/** The procedure the draft (§5.5, §5.6) prescribes for routes from a neighbour of this relation. */
export function aspaDirectionFor(relation: NeighborRelation): AspaDirection {
  return relation === 'provider' ? 'downstream' : 'upstream';
}

export type AspaState = 'valid' | 'invalid' | 'unknown';

/**
 * - `empty-path` (step 1), `neighbor-mismatch` (step 2), `as-set` (step 3): invalid.
 * - `not-provider` (upstream step 4): some hop is attested not customer-to-provider.
 * - `valley` (downstream step 4): the longest possible up- and down-ramps are
 *   more than one hop apart, i.e. a route leak or forged path.
 * - `no-attestation` (step 5): unknown, an AS on the ramps has no ASPA.
 * - `verified` (step 6): valid.
 */
export type AspaReason = 'empty-path' | 'neighbor-mismatch' | 'as-set' | 'not-provider' | 'valley' | 'no-attestation' | 'verified';

/** One evaluation of authorized(customer, provider) that ended a ramp. */
export interface AspaHopEvidence {
  /** The AS whose ASPA was consulted (AS x of §5.3). */
  readonly customer: Asn;
  /** The AS the path puts above it (AS y of §5.3). */
  readonly provider: Asn;
  readonly result: Exclude<AspaHop, 'provider'>;
}

/**
 * The §5.4 bounds, in ASes, as the draft defines them. An upstream route has
 * no down-ramp (all N ASes must be on the up-ramp), so §5.5 sets both down
 * values to 0.
 */
export interface AspaRamps {
  readonly n: number;
  readonly maxUp: number;
  readonly minUp: number;
  readonly maxDown: number;
  readonly minDown: number;
}

interface Common {
  readonly direction: AspaDirection;
  readonly afi: Afi;
  /** One line for logs, naming the ASes involved (the draft, §6.6, asks that Invalid causes be logged). */
  readonly message: string;
}

interface RampEvidence extends Common {
  /** COMPRESSED_AS_PATH in wire order: neighbour first, origin last. */
  readonly path: readonly Asn[];
  readonly ramps: AspaRamps;
  /** The hop, counted from the origin, where the up-ramp ends (null if it spans the path, or for `valid`). */
  readonly upHop: AspaHopEvidence | null;
  /** The hop, counted from the neighbour, where the down-ramp ends (null if none, upstream, or `valid`). */
  readonly downHop: AspaHopEvidence | null;
}

export type AspaVerification =
  | (Common & { readonly state: 'invalid'; readonly reason: 'empty-path' })
  | (Common & { readonly state: 'invalid'; readonly reason: 'neighbor-mismatch'; readonly neighborAsn: Asn; readonly leftmost: Asn })
  | (Common & { readonly state: 'invalid'; readonly reason: 'as-set' })
  | (RampEvidence & { readonly state: 'invalid'; readonly reason: 'not-provider'; readonly upHop: AspaHopEvidence })
  | (RampEvidence & { readonly state: 'invalid'; readonly reason: 'valley'; readonly upHop: AspaHopEvidence; readonly downHop: AspaHopEvidence })
  | (RampEvidence & { readonly state: 'unknown'; readonly reason: 'no-attestation' })
  | (RampEvidence & { readonly state: 'valid'; readonly reason: 'verified' });

export interface AspaVerifyOptions {
  /**
   * The BGP neighbour's ASN. When given, step 2 checks that the most
   * recently added AS equals it: a leaker that strips its own ASN would
   * otherwise make its customer look like our neighbour.
   */
  readonly neighborAsn?: Asn;
  /**
   * We are an RS-client and the neighbour is a route server. A transparent
   * RS does not add its ASN, so §5.5 step 2 exempts this case ("if the
   * receiving AS is not an RS-client"). Downstream (§5.6) has no such
   * exemption, since a route from an RS is verified upstream.
   */
  readonly neighborIsRouteServer?: boolean;
}

/**
 * Verifies `path` for address family `afi` with the procedure of draft -28
 * §5.5 (upstream) or §5.6 (downstream):
 *
 * 1. If the AS_PATH is empty: Invalid.
 * 2. If the most recently added AS does not match the neighbour AS: Invalid
 *    (upstream: unless the receiving AS is an RS-client).
 * 3. If the AS_PATH has an AS_SET: Invalid.
 * 4. Upstream: max_up_ramp < N; downstream: max_up_ramp + max_down_ramp < N:
 *    Invalid.
 * 5. Upstream: min_up_ramp < N; downstream: min_up_ramp + min_down_ramp < N:
 *    Unknown.
 * 6. Else Valid.
 *
 * Confederation segments are left out before step 1: RFC 5065 strips them
 * when a route leaves the confederation, ASPAs are registered for the
 * confederation's ASN (draft §4), and the draft does not recommend
 * verification on sessions inside one (§6.2). So we verify the path as the
 * world outside the confederation sees it; member ASes never enter the ramps.
 */
export function verifyAspaPath(
  index: AspaIndex,
  path: AsPath,
  afi: Afi,
  direction: AspaDirection,
  options: AspaVerifyOptions = {},
): AspaVerification {
  // One walk compresses the path (§5.2) and notes any AS_SET; the outcomes
  // below are still decided in the draft's step order.
  const compressed: Asn[] = [];
  let hasSet = false;
  let leftmost: Asn | null = null;
  let leftmostKnown = false;
  for (const seg of path.segments) {
    if (seg.type === 'confed-sequence' || seg.type === 'confed-set') continue;
    if (!leftmostKnown) {
      leftmostKnown = true;
      // A set has no "most recently added" member; step 3 will reject it.
      leftmost = seg.type === 'sequence' ? seg.asns[0]! : null;
    }
    if (seg.type === 'set') {
      hasSet = true;
      continue;
    }
    for (const asn of seg.asns) {
      if (compressed.length === 0 || compressed[compressed.length - 1] !== asn) compressed.push(asn);
    }
  }

  // Step 1.
  if (!leftmostKnown) {
    const message = path.hasConfed ? 'AS_PATH has no AS outside confederation segments' : 'AS_PATH is empty';
    return { state: 'invalid', reason: 'empty-path', direction, afi, message };
  }

  // Step 2.
  const { neighborAsn } = options;
  const exempt = direction === 'upstream' && options.neighborIsRouteServer === true;
  if (neighborAsn !== undefined && !exempt && leftmost !== null && leftmost !== neighborAsn) {
    return {
      state: 'invalid',
      reason: 'neighbor-mismatch',
      direction,
      afi,
      neighborAsn,
      leftmost,
      message: `most recently added ${formatAsn(leftmost)} is not the neighbour ${formatAsn(neighborAsn)}`,
    };
  }

  // Step 3.
  if (hasSet) {
    return { state: 'invalid', reason: 'as-set', direction, afi, message: `AS_PATH ${path.toString()} contains an AS_SET` };
  }

  return direction === 'upstream' ? upstream(index, compressed, afi) : downstream(index, compressed, afi);
}

/**
 * One ramp of the path (draft -28 §5.4): hop by hop, is the next AS a
 * provider of this one? `fromOrigin` walks the up-ramp from the origin (the
 * right end, authorized(AS(i), AS(i+1)) for i = 1..N-1); otherwise the
 * down-ramp from the neighbour (the left end, authorized(AS(j), AS(j-1))
 * for j = N..2). `min` is the ramp's length up to the first hop that is not
 * an attested provider (a gap or a "Not Provider+"), `max` up to the first
 * "Not Provider+"; both are N when the ramp covers the path. The walk stops
 * at the first "Not Provider+", since min <= max is fixed by then.
 */
interface Ramp {
  readonly min: number;
  readonly max: number;
  /** The hop that ended `min`, if any. */
  readonly gap: AspaHopEvidence | null;
  /** The hop that ended `max`, if any. */
  readonly brk: AspaHopEvidence | null;
}

function ramp(index: AspaIndex, p: readonly Asn[], afi: Afi, fromOrigin: boolean): Ramp {
  const n = p.length;
  let min = n;
  let gap: AspaHopEvidence | null = null;
  for (let k = 1; k < n; k++) {
    const customer = fromOrigin ? p[n - k]! : p[k - 1]!;
    const provider = fromOrigin ? p[n - k - 1]! : p[k]!;
    const result = index.hop(customer, provider, afi);
    if (result === 'provider') continue;
    const hop: AspaHopEvidence = { customer, provider, result };
    if (gap === null) {
      min = k;
      gap = hop;
    }
    if (result === 'not-provider') return { min, max: k, gap, brk: hop };
  }
  return { min, max: n, gap, brk: null };
}

/** Draft -28 §5.5 steps 4–6 on the compressed path (wire order). */
function upstream(index: AspaIndex, p: readonly Asn[], afi: Afi): AspaVerification {
  const n = p.length;
  const up = ramp(index, p, afi, true);
  const ramps: AspaRamps = { n, maxUp: up.max, minUp: up.min, maxDown: 0, minDown: 0 };
  const base = { direction: 'upstream' as const, afi, path: p, ramps, downHop: null };
  if (up.brk !== null) {
    return { ...base, state: 'invalid', reason: 'not-provider', upHop: up.brk, message: notProviderText(up.brk) };
  }
  if (up.gap !== null) {
    return { ...base, state: 'unknown', reason: 'no-attestation', upHop: up.gap, message: gapText(up.gap) };
  }
  return { ...base, state: 'valid', reason: 'verified', upHop: null, message: validText(n) };
}

/** Draft -28 §5.6 steps 4–6 on the compressed path (wire order). */
function downstream(index: AspaIndex, p: readonly Asn[], afi: Afi): AspaVerification {
  const n = p.length;
  const up = ramp(index, p, afi, true);
  const down = ramp(index, p, afi, false);
  const ramps: AspaRamps = { n, maxUp: up.max, minUp: up.min, maxDown: down.max, minDown: down.min };
  const base = { direction: 'downstream' as const, afi, path: p, ramps };
  if (up.max + down.max < n) {
    // Both bounds are < N here, so both breaking hops exist.
    const upHop = up.brk!;
    const downHop = down.brk!;
    return {
      ...base,
      state: 'invalid',
      reason: 'valley',
      upHop,
      downHop,
      message:
        `up-ramp from the origin ends at ${formatAsn(upHop.customer)} (${notProviderText(upHop)}) and ` +
        `down-ramp from the neighbour ends at ${formatAsn(downHop.customer)} (${notProviderText(downHop)}): ` +
        'more than one hop apart, a route leak or a forged path',
    };
  }
  if (up.min + down.min < n) {
    const parts = [up.gap, down.gap].filter((h): h is AspaHopEvidence => h !== null).map(gapText);
    return { ...base, state: 'unknown', reason: 'no-attestation', upHop: up.gap, downHop: down.gap, message: parts.join('; ') };
  }
  return { ...base, state: 'valid', reason: 'verified', upHop: null, downHop: null, message: validText(n) };
}

function notProviderText(h: AspaHopEvidence): string {
  return `${formatAsn(h.provider)} is not an attested provider of ${formatAsn(h.customer)}`;
}

function gapText(h: AspaHopEvidence): string {
  return h.result === 'no-attestation'
    ? `${formatAsn(h.customer)} has no ASPA, so ${formatAsn(h.provider)} above it is unverified`
    : notProviderText(h);
}

function validText(n: number): string {
  return n === 1 ? 'single-AS path' : 'the attested ramps cover the path';
}
