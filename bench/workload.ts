/**
 * A seeded, deterministic RPKI + BGP workload for the ROV benchmark
 * (bench/rov.ts) and its smoke test: about 800k VRPs and a full table of
 * 1.2M routes, shaped like the real ones.
 *
 * The model is the one operators live in. Address space is handed out in
 * allocations (IPv4 /8 to /24, IPv6 /29 to /48) inside each RIR's real
 * blocks; the trust anchor of a VRP is the RIR whose block it lies in.
 * Each allocation has a holder AS (drawn from ~70k origin ASes with a
 * heavy tail) and is announced as its aggregate, often with more-specifics,
 * some originated by customers. About half the allocations have ROAs, in
 * the styles seen in the wild: one ROA per announcement, one ROA with a
 * maxLength (a /22-24, a /32-48), or a ROA for every /24 (/48); customers'
 * ROAs nest inside the holder's. The RFC 6811 failures seen in the wild
 * are injected at about 1%: a ROA not updated for new more-specifics
 * (invalid, length), a customer without its own ROA and a wrong origin
 * (invalid, AS). ROA-only allocations (announced nowhere), holders' AS0
 * ROAs, RIR AS0 ROAs for unallocated space (RFC 6483 §4) and DDoS scrubbers'
 * ROAs fill the VRP set to its size.
 *
 * Allocations are disjoint and every VRP lies inside its allocation, so the
 * outcome of each route depends on its own allocation's few VRPs only: the
 * generator computes it there, as RFC 6811 §2 states it, and records it as
 * the intended state. The benchmark checks it against VrpIndex.
 *
 * Positions: an IPv4 address is a 32-bit number; an IPv6 prefix (never
 * longer than /48 here) is its top 48 bits, exact in a double.
 */
import { RovState } from '../src/rov/validity.js';
import { seededRandom } from '../test/helpers/random.js';
import type { VrpIndex } from '../src/rov/vrp-index.js';

/** Bump when the output for a given seed and size changes. */
export const WORKLOAD_VERSION = 1;

export const TRUST_ANCHORS = ['ripe', 'arin', 'apnic', 'lacnic', 'afrinic'] as const;
export type TrustAnchor = (typeof TRUST_ANCHORS)[number];
const RIPE = 0;
const ARIN = 1;
const APNIC = 2;
const LACNIC = 3;
const AFRINIC = 4;

export interface WorkloadOptions {
  readonly seed: number;
  /** VRPs in all; 70% IPv4. */
  readonly vrps: number;
  /** Routes in all; 1/1.2 of them IPv4 (1.0M + 0.2M in a full table). */
  readonly routes: number;
}

export const FULL_SCALE: WorkloadOptions = Object.freeze({ seed: 20250101, vrps: 800_000, routes: 1_200_000 });
export const QUICK_SCALE: WorkloadOptions = Object.freeze({ seed: 20250101, vrps: 80_000, routes: 120_000 });

export const V4_VRP_SHARE = 0.7;
export const V4_ROUTE_SHARE = 1.0 / 1.2;

/**
 * Real-world-like prefix-length mixes the generator aims at (fractions of
 * one family), from public views of the global table and the RPKI in
 * 2024–25. Lengths not listed share the rest.
 */
export const ROUTE_LENGTH_TARGET = {
  4: { 24: 0.62, 22: 0.115, 23: 0.1, 21: 0.05, 20: 0.045, 19: 0.025, 18: 0.014, 16: 0.014, 17: 0.009 },
  6: { 48: 0.5, 32: 0.13, 44: 0.09, 40: 0.06, 36: 0.04, 29: 0.035, 46: 0.03, 47: 0.025 },
} as const;
export const VRP_LENGTH_TARGET = {
  4: { 24: 0.65, 22: 0.11, 23: 0.08, 21: 0.045, 20: 0.04, 19: 0.02, 18: 0.012, 16: 0.012, 17: 0.008 },
  6: { 48: 0.52, 32: 0.18, 44: 0.07, 40: 0.05, 36: 0.05, 29: 0.065 },
} as const;

/** VRPs column-wise; `words` holds four words per VRP (IPv4 uses the first). */
export interface VrpArrays {
  readonly count: number;
  readonly afi: Uint8Array;
  readonly words: Uint32Array;
  readonly length: Uint8Array;
  readonly maxLength: Uint8Array;
  readonly asn: Uint32Array;
  /** Index into TRUST_ANCHORS. */
  readonly ta: Uint8Array;
}

/** Routes column-wise, in table order (shuffled), with the intended outcome. */
export interface RouteArrays {
  readonly count: number;
  readonly afi: Uint8Array;
  readonly words: Uint32Array;
  readonly length: Uint8Array;
  readonly origin: Uint32Array;
  /** RovState the generator meant the route to have. */
  readonly intended: Uint8Array;
}

/** The index's answer for route `i` of `r`. */
export function validateRouteAt(index: VrpIndex, r: RouteArrays, i: number): RovState {
  const b = i * 4;
  const w = r.words;
  return r.afi[i] === 4
    ? index.validateV4(w[b]!, r.length[i]!, r.origin[i]!)
    : index.validateV6(w[b]!, w[b + 1]!, w[b + 2]!, w[b + 3]!, r.length[i]!, r.origin[i]!);
}

export interface StateCounts {
  readonly valid: number;
  readonly invalid: number;
  readonly notFound: number;
}

export interface WorkloadStats {
  readonly vrps: {
    readonly ipv4: number;
    readonly ipv6: number;
    /** VRPs whose maxLength exceeds their prefix length. */
    readonly maxLengthAboveLength: number;
    readonly as0: number;
    /** VRPs in allocations announced nowhere: ROA-only, holders' and RIRs' AS0. */
    readonly unannounced: number;
    /** VRPs inside another VRP's prefix for a different AS. */
    readonly nestedOtherAs: number;
    readonly distinctAsns: number;
    readonly byTa: Readonly<Record<TrustAnchor, number>>;
    /** Count per prefix length, index = length. */
    readonly lengthsV4: readonly number[];
    readonly lengthsV6: readonly number[];
  };
  readonly routes: {
    readonly ipv4: number;
    readonly ipv6: number;
    readonly distinctOrigins: number;
    readonly intended: StateCounts;
    readonly invalidBecause: { readonly as: number; readonly length: number };
    readonly lengthsV4: readonly number[];
    readonly lengthsV6: readonly number[];
  };
  /** Fraction of each family's RIR space that holds an allocation. */
  readonly spaceUsed: { readonly ipv4: number; readonly ipv6: number };
}

export interface Workload {
  readonly options: WorkloadOptions;
  readonly version: number;
  readonly vrps: VrpArrays;
  readonly routes: RouteArrays;
  readonly stats: WorkloadStats;
}

// --- randomness ----------------------------------------------------------

// The same seeded PRNG (mulberry32) the property tests use.
export { seededRandom };

/** Draws an index with the given weights (cumulative table + binary search). */
class Weighted {
  private readonly cumulative: Float64Array;

  constructor(weights: readonly number[]) {
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => (this.cumulative[i] = sum += w));
    for (let i = 0; i < weights.length; i++) this.cumulative[i] = this.cumulative[i]! / sum;
  }

  draw(rand: () => number): number {
    const u = rand();
    const c = this.cumulative;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Lengths with weights, e.g. {24: 0.6, 22: 0.1}. */
class LengthMix {
  private readonly lengths: number[];
  private readonly weighted: Weighted;

  constructor(mix: Readonly<Record<number, number>>) {
    this.lengths = Object.keys(mix).map(Number);
    this.weighted = new Weighted(this.lengths.map((l) => mix[l]!));
  }

  draw(rand: () => number): number {
    return this.lengths[this.weighted.draw(rand)]!;
  }
}

function randomInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/** 0, 1, 2, … with P(k) = (1 - p) p^k; mean p / (1 - p). */
function geometric(rand: () => number, p: number): number {
  let k = 0;
  while (rand() < p) k++;
  return k;
}

/**
 * Origin ASes: 70k distinct numbers (16-bit and 32-bit, none reserved), of
 * which a few originate thousands of prefixes and most a handful:
 * P(rank r) ∝ (r + 50)^-1.1, which gives the top AS ~0.4% of draws.
 */
class AsnPool {
  static readonly SIZE = 70_000;
  /** DDoS scrubbing services: they hold ROAs for their customers' space. */
  static readonly SCRUBBERS: readonly number[] = [19551, 13335, 32787, 209242];
  private readonly asns: Uint32Array;
  private readonly ranks: Weighted;

  constructor(rand: () => number) {
    const seen = new Set<number>(AsnPool.SCRUBBERS);
    seen.add(23456); // AS_TRANS (RFC 6793)
    this.asns = new Uint32Array(AsnPool.SIZE);
    let n = 0;
    while (n < AsnPool.SIZE) {
      // 60% 16-bit (1..64495), 40% 32-bit as RIRs have assigned them.
      const asn = rand() < 0.6 ? randomInt(rand, 1, 64495) : randomInt(rand, 131072, 401308);
      if (seen.has(asn)) continue;
      seen.add(asn);
      this.asns[n++] = asn;
    }
    const weights: number[] = [];
    for (let r = 1; r <= AsnPool.SIZE; r++) weights.push(Math.pow(r + 50, -1.1));
    this.ranks = new Weighted(weights);
  }

  draw(rand: () => number): number {
    return this.asns[this.ranks.draw(rand)]!;
  }

  /** An AS other than `not`. */
  other(rand: () => number, not: number): number {
    for (;;) {
      const asn = this.draw(rand);
      if (asn !== not) return asn;
    }
  }
}

// --- address families ----------------------------------------------------

interface Family {
  readonly afi: 4 | 6;
  /** Bits of a position: 32 for IPv4, 48 for IPv6. */
  readonly bits: number;
  /** The longest prefix announced (and the usual one): 24 or 48. */
  readonly leaf: number;
  /** Host route length, for AS0 maxLength: 32 or 128. */
  readonly hostLength: number;
  /** Per trust anchor: its blocks as [start, size] in positions. */
  readonly regions: readonly (readonly [number, number])[][];
  /** Share of allocations by trust anchor: large ones (up to `largeUpTo`), then the rest. */
  readonly regionMixLarge: Weighted;
  readonly regionMixSmall: Weighted;
  readonly largeUpTo: number;
  /** How many bits of more-specifics count as one for deaggregation: 1 (IPv4), 2 (IPv6). */
  readonly depthScale: number;
  /** Aggregate lengths of announced allocations. */
  readonly allocationMix: LengthMix;
  /** Lengths of ROA-only allocations (announced nowhere). */
  readonly roaOnlyMix: LengthMix;
  /** Lengths of RIR AS0 blocks over unallocated space. */
  readonly as0Mix: LengthMix;
  /** Intermediate more-specific lengths to pick from (between aggregate and leaf). */
  readonly intermediate: readonly number[];
  /** Probability that an allocation has ROAs. */
  readonly covered: number;
  /** Share of RIR AS0 VRPs in the family's VRPs. */
  readonly rirAs0Share: number;
  /** Probability of leaving a gap after an allocation. */
  readonly gap: number;
  /** Mean gap, in blocks of the allocation's size, when there is one. */
  readonly gapBlocks: number;
}

/** IPv4 /8s per RIR (IANA registry, simplified; special-use /8s left out). */
const V4_BLOCKS: Record<number, readonly number[]> = {
  [RIPE]: [2, 5, 25, 31, 37, 46, 51, 53, 57, 62, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 109, 141, 145, 151, 176, 178, 185, 188, 193, 194, 195, 212, 213, 217],
  [ARIN]: [3, 4, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 28, 29, 30, 32, 33, 34, 35, 38, 40, 44, 45, 47, 48, 50, 52, 54, 55, 56, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 96, 97, 98, 99, 104, 107, 108, 128, 129, 130, 131, 132, 134, 135, 136, 137, 138, 139, 140, 142, 143, 144, 146, 147, 148, 149, 152, 155, 156, 157, 158, 159, 160, 161, 162, 164, 165, 166, 167, 168, 170, 173, 174, 184, 199, 204, 205, 206, 207, 208, 209, 216],
  [APNIC]: [1, 14, 27, 36, 39, 42, 43, 49, 58, 59, 60, 61, 101, 103, 106, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 150, 153, 163, 171, 175, 180, 182, 183, 202, 203, 210, 211, 218, 219, 220, 221, 222, 223],
  [LACNIC]: [177, 179, 181, 186, 187, 189, 190, 191, 200, 201],
  [AFRINIC]: [41, 102, 105, 154, 196, 197],
};

/** IPv6 /12s per RIR, as their first 16 bits. */
const V6_BLOCKS: Record<number, readonly number[]> = {
  [RIPE]: [0x2a00],
  [ARIN]: [0x2600],
  [APNIC]: [0x2400],
  [LACNIC]: [0x2800],
  [AFRINIC]: [0x2c00],
};

function v4Family(): Family {
  const size8 = 2 ** 24;
  return {
    afi: 4,
    bits: 32,
    leaf: 24,
    hostLength: 32,
    regions: TRUST_ANCHORS.map((_, ta) => V4_BLOCKS[ta]!.map((o) => [o * size8, size8] as const)),
    // Legacy and large blocks mostly ARIN's; small ones as RIRs hand them out today.
    regionMixLarge: new Weighted([0.12, 0.65, 0.2, 0.01, 0.02]),
    regionMixSmall: new Weighted([0.38, 0.24, 0.22, 0.12, 0.04]),
    largeUpTo: 16,
    depthScale: 1,
    allocationMix: new LengthMix({
      8: 0.00001, 9: 0.00001, 10: 0.00002, 11: 0.00005, 12: 0.00015, 13: 0.0003, 14: 0.0006, 15: 0.0012,
      16: 0.011, 17: 0.008, 18: 0.012, 19: 0.02, 20: 0.04, 21: 0.042, 22: 0.12, 23: 0.075, 24: 0.56,
    }),
    roaOnlyMix: new LengthMix({ 16: 0.02, 18: 0.02, 19: 0.03, 20: 0.06, 21: 0.06, 22: 0.15, 23: 0.08, 24: 0.58 }),
    as0Mix: new LengthMix({ 16: 0.02, 18: 0.03, 20: 0.1, 21: 0.1, 22: 0.25, 23: 0.15, 24: 0.35 }),
    intermediate: [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23],
    covered: 0.5,
    rirAs0Share: 0.004,
    gap: 0.08,
    gapBlocks: 2,
  };
}

function v6Family(): Family {
  const size12 = 2 ** 36;
  return {
    afi: 6,
    bits: 48,
    leaf: 48,
    hostLength: 128,
    regions: TRUST_ANCHORS.map((_, ta) => V6_BLOCKS[ta]!.map((g) => [g * 2 ** 32, size12] as const)),
    regionMixLarge: new Weighted([0.45, 0.2, 0.2, 0.12, 0.03]),
    regionMixSmall: new Weighted([0.45, 0.2, 0.2, 0.12, 0.03]),
    largeUpTo: 32,
    depthScale: 2,
    allocationMix: new LengthMix({
      29: 0.07, 32: 0.27, 33: 0.008, 34: 0.006, 35: 0.004, 36: 0.04, 40: 0.06, 44: 0.1, 46: 0.016, 47: 0.012, 48: 0.46,
    }),
    roaOnlyMix: new LengthMix({ 29: 0.1, 32: 0.25, 36: 0.06, 40: 0.06, 44: 0.08, 48: 0.45 }),
    as0Mix: new LengthMix({ 29: 0.1, 32: 0.5, 36: 0.1, 40: 0.1, 44: 0.1, 48: 0.1 }),
    intermediate: [32, 33, 36, 40, 44, 44, 46, 47],
    covered: 0.5,
    rirAs0Share: 0.004,
    // RIRs allocate IPv6 sparsely (room for each holder to grow).
    gap: 1,
    gapBlocks: 4,
  };
}

// --- one family ------------------------------------------------------------

/** Everything generated for one family, positions relative to the allocation. */
class FamilyOutput {
  // Allocations ("shapes") in generation order.
  readonly shapeLength: number[] = [];
  readonly shapeRegion: number[] = [];
  // VRPs.
  readonly vrpShape: number[] = [];
  readonly vrpOffset: number[] = [];
  readonly vrpLength: number[] = [];
  readonly vrpMax: number[] = [];
  readonly vrpAsn: number[] = [];
  // Routes.
  readonly routeShape: number[] = [];
  readonly routeOffset: number[] = [];
  readonly routeLength: number[] = [];
  readonly routeOrigin: number[] = [];
  readonly routeState: number[] = [];
  /** VRPs in allocations announced nowhere (ROA-only, AS0). */
  unannouncedVrps = 0;
  invalidAs = 0;
  invalidLength = 0;
  nested = 0;
  shapeBase: Float64Array = new Float64Array(0);
  shapeTa: Uint8Array = new Uint8Array(0);
  spaceUsed = 0;
}

/** One allocation being built: its announcements and ROAs, offsets relative to it. */
class Shape {
  readonly rOffset: number[] = [];
  readonly rLength: number[] = [];
  readonly rOrigin: number[] = [];
  readonly vOffset: number[] = [];
  readonly vLength: number[] = [];
  readonly vMax: number[] = [];
  readonly vAsn: number[] = [];

  constructor(
    readonly length: number,
    readonly bits: number,
  ) {}

  size(length: number): number {
    return 2 ** (this.bits - length);
  }

  hasRoute(offset: number, length: number): boolean {
    for (let i = 0; i < this.rOffset.length; i++) if (this.rOffset[i] === offset && this.rLength[i] === length) return true;
    return false;
  }

  route(offset: number, length: number, origin: number): void {
    this.rOffset.push(offset);
    this.rLength.push(length);
    this.rOrigin.push(origin);
  }

  vrp(offset: number, length: number, maxLength: number, asn: number): void {
    for (let i = 0; i < this.vOffset.length; i++) {
      if (this.vOffset[i] === offset && this.vLength[i] === length && this.vMax[i] === maxLength && this.vAsn[i] === asn) return;
    }
    this.vOffset.push(offset);
    this.vLength.push(length);
    this.vMax.push(maxLength);
    this.vAsn.push(asn);
  }

  covers(v: number, offset: number, length: number): boolean {
    const l = this.vLength[v]!;
    const o = this.vOffset[v]!;
    return l <= length && offset >= o && offset < o + this.size(l);
  }

  /** RFC 6811 §2 over this allocation's VRPs, with the reason when invalid. */
  outcome(i: number): { state: RovState; reason: 'as' | 'length' | null } {
    const offset = this.rOffset[i]!;
    const length = this.rLength[i]!;
    const origin = this.rOrigin[i]!;
    let covered = false;
    let originCovered = false;
    for (let v = 0; v < this.vOffset.length; v++) {
      if (!this.covers(v, offset, length)) continue;
      covered = true;
      const asn = this.vAsn[v]!;
      if (asn !== 0 && asn === origin) {
        if (length <= this.vMax[v]!) return { state: RovState.Valid, reason: null };
        originCovered = true;
      }
    }
    if (!covered) return { state: RovState.NotFound, reason: null };
    return { state: RovState.Invalid, reason: originCovered ? 'length' : 'as' };
  }

  /** VRPs inside another of this allocation's VRPs for a different AS. */
  nestedCount(): number {
    let n = 0;
    for (let a = 0; a < this.vOffset.length; a++) {
      for (let b = 0; b < this.vOffset.length; b++) {
        if (this.vLength[b]! < this.vLength[a]! && this.vAsn[b] !== this.vAsn[a] && this.covers(b, this.vOffset[a]!, this.vLength[a]!)) {
          n++;
          break;
        }
      }
    }
    return n;
  }
}

class FamilyGenerator {
  readonly out = new FamilyOutput();

  constructor(
    private readonly f: Family,
    private readonly rand: () => number,
    private readonly asns: AsnPool,
    private readonly routeTarget: number,
    private readonly vrpTarget: number,
  ) {}

  run(): FamilyOutput {
    const f = this.f;
    const out = this.out;
    const rirAs0 = Math.round(this.vrpTarget * f.rirAs0Share);
    for (let i = 0; i < rirAs0; i++) this.rirAs0Shape();
    while (out.routeOffset.length < this.routeTarget) this.routedShape();
    if (out.vrpOffset.length > this.vrpTarget) {
      throw new Error(
        `workload: IPv${f.afi} routes already brought ${out.vrpOffset.length} VRPs, over the ${this.vrpTarget} asked for; ` +
          'the generator needs recalibrating',
      );
    }
    while (out.vrpOffset.length < this.vrpTarget) this.roaOnlyShape();
    this.place();
    return out;
  }

  /** A block of unallocated space under an RIR AS0 ROA (RFC 6483 §4). */
  private rirAs0Shape(): void {
    const s = new Shape(this.f.as0Mix.draw(this.rand), this.f.bits);
    s.vrp(0, s.length, this.f.hostLength, 0);
    this.commit(s, this.rand() < 0.6 ? APNIC : LACNIC);
  }

  /** An allocation announced nowhere: ROAs (or an AS0 ROA) only. */
  private roaOnlyShape(): void {
    const f = this.f;
    const rand = this.rand;
    const s = new Shape(f.roaOnlyMix.draw(rand), f.bits);
    const holder = this.asns.draw(rand);
    const u = rand();
    if (u < 0.08) {
      s.vrp(0, s.length, s.length, 0); // "do not route this"
    } else if (u < 0.3 && s.length < f.leaf) {
      s.vrp(0, s.length, f.leaf, holder);
    } else if (u < 0.45 && s.length < f.leaf && f.leaf - s.length <= 4) {
      this.perLeafRoas(s, holder);
    } else {
      s.vrp(0, s.length, s.length, holder);
    }
    this.commit(s, this.region(s.length));
  }

  /** An announced allocation with its more-specifics and, for about half, ROAs. */
  private routedShape(): void {
    const f = this.f;
    const rand = this.rand;
    const A = f.allocationMix.draw(rand);
    const s = new Shape(A, f.bits);
    const holder = this.asns.draw(rand);

    // Announcements.
    const aggregate = A === f.leaf || rand() < 0.9;
    if (aggregate) s.route(0, A, holder);
    if (A < f.leaf && rand() < deaggregation(f, A)) {
      const want = 1 + Math.min(geometric(rand, specificsMean(f, A) / (1 + specificsMean(f, A))), 63);
      const room = 2 ** Math.min(f.leaf - A, 20);
      for (let k = 0, tries = 0; k < Math.min(want, room) && tries < 4 * want; tries++) {
        const length = this.specificLength(A);
        const size = s.size(length);
        const offset = randomInt(rand, 0, 2 ** (length - A) - 1) * size;
        if (s.hasRoute(offset, length)) continue;
        s.route(offset, length, rand() < 0.72 ? holder : this.asns.other(rand, holder));
        k++;
      }
    }
    if (s.rOffset.length === 0) s.route(0, A, holder);

    // ROAs.
    if (rand() < f.covered) this.roas(s, holder);

    // A wrong origin: a leak, a hijack, or a move to a new upstream that
    // forgot the ROA. Decided after the ROAs, like in life.
    if (s.vOffset.length > 0 && rand() < 0.006) {
      const i = randomInt(rand, 0, s.rOffset.length - 1);
      s.rOrigin[i] = this.asns.other(rand, s.rOrigin[i]!);
    }
    this.commit(s, this.region(s.length));
  }

  private roas(s: Shape, holder: number): void {
    const f = this.f;
    const rand = this.rand;
    const A = s.length;
    const n = s.rOffset.length;
    let ownMax = A;
    let ownSpecifics = false;
    let customers = false;
    for (let i = 0; i < n; i++) {
      if (s.rOrigin[i] === holder) {
        ownMax = Math.max(ownMax, s.rLength[i]!);
        if (s.rLength[i]! > A) ownSpecifics = true;
      } else {
        customers = true;
      }
    }
    // A ROA for the aggregate only, not updated for the more-specifics
    // announced since: they are invalid (length).
    const stale = ownSpecifics && rand() < 0.04;
    // Customers announcing from the holder's space without their own ROA:
    // invalid (AS) under the holder's ROA.
    const customersUncovered = customers && rand() < 0.12;

    const style = rand();
    if (stale) {
      s.vrp(0, A, A, holder);
    } else if (style < 0.45 && A < f.leaf) {
      // One ROA with a maxLength: /22-24, /32-48.
      const max = rand() < 0.5 ? f.leaf : Math.max(ownMax, Math.min(f.leaf, A + 1 + geometric(rand, 0.4)));
      s.vrp(0, A, Math.max(max, ownMax), holder);
    } else if (style < 0.52 && A < f.leaf && f.leaf - A <= 4) {
      // A ROA for the aggregate and one for every /24 (/48) in it.
      this.perLeafRoas(s, holder);
      for (let i = 0; i < n; i++) {
        if (s.rOrigin[i] === holder && s.rLength[i] !== f.leaf) s.vrp(s.rOffset[i]!, s.rLength[i]!, s.rLength[i]!, holder);
      }
    } else {
      // One ROA per announcement (the holder's; customers' below).
      for (let i = 0; i < n; i++) {
        if (s.rOrigin[i] === holder) s.vrp(s.rOffset[i]!, s.rLength[i]!, s.rLength[i]!, holder);
      }
      if (!s.hasRoute(0, A) && rand() < 0.5) s.vrp(0, A, A, holder);
    }
    // Customers' ROAs, nested inside the holder's.
    if (!customersUncovered) {
      for (let i = 0; i < n; i++) {
        if (s.rOrigin[i] !== holder) s.vrp(s.rOffset[i]!, s.rLength[i]!, s.rLength[i]!, s.rOrigin[i]!);
      }
    }
    // A DDoS scrubbing service authorised to originate the space.
    if (rand() < 0.02) {
      const scrubber = AsnPool.SCRUBBERS[randomInt(rand, 0, AsnPool.SCRUBBERS.length - 1)]!;
      s.vrp(0, A, f.leaf, scrubber);
    }
  }

  private perLeafRoas(s: Shape, holder: number): void {
    const leaf = this.f.leaf;
    s.vrp(0, s.length, s.length, holder);
    const size = s.size(leaf);
    for (let k = 0, n = 2 ** (leaf - s.length); k < n; k++) s.vrp(k * size, leaf, leaf, holder);
  }

  private region(length: number): number {
    const f = this.f;
    return (length <= f.largeUpTo ? f.regionMixLarge : f.regionMixSmall).draw(this.rand);
  }

  private specificLength(A: number): number {
    const f = this.f;
    const rand = this.rand;
    if (rand() < 0.6) return f.leaf;
    const choices = f.intermediate.filter((l) => l > A && l < f.leaf);
    return choices.length === 0 ? f.leaf : choices[randomInt(rand, 0, choices.length - 1)]!;
  }

  /** Appends the allocation, routes up to the target, and its intended outcomes. */
  private commit(s: Shape, region: number): void {
    const out = this.out;
    const id = out.shapeLength.length;
    out.shapeLength.push(s.length);
    out.shapeRegion.push(region);
    // ROA-only allocations top the VRP set up to its size exactly.
    const vrps = s.rOffset.length === 0 ? Math.min(s.vOffset.length, this.vrpTarget - out.vrpOffset.length) : s.vOffset.length;
    for (let v = 0; v < vrps; v++) {
      out.vrpShape.push(id);
      out.vrpOffset.push(s.vOffset[v]!);
      out.vrpLength.push(s.vLength[v]!);
      out.vrpMax.push(s.vMax[v]!);
      out.vrpAsn.push(s.vAsn[v]!);
    }
    if (s.rOffset.length === 0) out.unannouncedVrps += vrps;
    out.nested += s.nestedCount();
    for (let i = 0; i < s.rOffset.length && out.routeOffset.length < this.routeTarget; i++) {
      const { state, reason } = s.outcome(i);
      out.routeShape.push(id);
      out.routeOffset.push(s.rOffset[i]!);
      out.routeLength.push(s.rLength[i]!);
      out.routeOrigin.push(s.rOrigin[i]!);
      out.routeState.push(state);
      if (reason === 'as') out.invalidAs++;
      else if (reason === 'length') out.invalidLength++;
    }
  }

  /**
   * Places the allocations in their RIR's blocks, largest first so each
   * lands aligned, with random gaps left unallocated. A full region
   * spills into the next one (whose trust anchor the allocation then has).
   */
  private place(): void {
    const f = this.f;
    const out = this.out;
    const n = out.shapeLength.length;
    out.shapeBase = new Float64Array(n);
    out.shapeTa = new Uint8Array(n);
    // Shuffle each region's blocks so large allocations are not all in the lowest ones.
    const regions = f.regions.map((blocks) => shuffled(blocks, this.rand));
    const cursor = regions.map((blocks) => ({ block: 0, pos: blocks[0]![0] }));
    let capacity = 0;
    for (const blocks of regions) for (const [, size] of blocks) capacity += size;
    // Counting sort by length: shortest (largest) first, generation order within.
    const byLength: number[][] = Array.from({ length: f.bits + 1 }, () => []);
    for (let i = 0; i < n; i++) byLength[out.shapeLength[i]!]!.push(i);
    let used = 0;
    for (const ids of byLength) {
      for (const id of ids) {
        const size = 2 ** (f.bits - out.shapeLength[id]!);
        let r = out.shapeRegion[id]!;
        for (let attempt = 0; ; attempt++) {
          if (attempt === regions.length) throw new Error(`workload: IPv${f.afi} space exhausted`);
          const c = cursor[r]!;
          const blocks = regions[r]!;
          while (c.block < blocks.length) {
            const [start, blockSize] = blocks[c.block]!;
            const pos = Math.ceil(c.pos / size) * size;
            if (pos + size <= start + blockSize) {
              c.pos = pos;
              break;
            }
            c.block++;
            if (c.block < blocks.length) c.pos = blocks[c.block]![0];
          }
          if (c.block < blocks.length) break;
          r = (r + 1) % regions.length;
        }
        const c = cursor[r]!;
        out.shapeBase[id] = c.pos;
        out.shapeTa[id] = r;
        used += size;
        c.pos += size;
        if (this.rand() < f.gap) c.pos += size * (1 + geometric(this.rand, 1 - 1 / f.gapBlocks));
      }
    }
    out.spaceUsed = used / capacity;
  }
}

function deaggregation(f: Family, A: number): number {
  const d = (f.leaf - A) / f.depthScale; // bits between aggregate and leaf
  if (d >= 12) return 0.9;
  if (d >= 8) return 0.55;
  if (d >= 5) return 0.3;
  if (d >= 2) return 0.22;
  return 0.18;
}

function specificsMean(f: Family, A: number): number {
  const d = (f.leaf - A) / f.depthScale;
  if (d >= 14) return 30;
  if (d >= 11) return 12;
  if (d >= 8) return 5;
  if (d >= 5) return 2;
  if (d >= 3) return 1;
  return 0.3;
}

function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

// --- the workload ------------------------------------------------------------

/** Generates the workload; the same options give the same arrays, bit for bit. */
export function generateWorkload(options: WorkloadOptions): Workload {
  const rand = seededRandom(options.seed);
  const asns = new AsnPool(rand);
  const v4Vrps = Math.round(options.vrps * V4_VRP_SHARE);
  const v4Routes = Math.round(options.routes * V4_ROUTE_SHARE);
  const v4 = new FamilyGenerator(v4Family(), rand, asns, v4Routes, v4Vrps).run();
  const v6 = new FamilyGenerator(v6Family(), rand, asns, options.routes - v4Routes, options.vrps - v4Vrps).run();
  const vrps = vrpArrays([v4, v6], [32, 48], rand);
  const routes = routeArrays([v4, v6], [32, 48], rand);
  return {
    options: Object.freeze({ ...options }),
    version: WORKLOAD_VERSION,
    vrps,
    routes,
    stats: statsOf(vrps, routes, v4, v6),
  };
}

/** Writes the words of a position (`bits` 32 or 48) at words[4i..4i+3]. */
function putWords(words: Uint32Array, i: number, pos: number, bits: number): void {
  const b = i * 4;
  if (bits === 32) {
    words[b] = pos;
  } else {
    const low = pos % 65536;
    words[b] = (pos - low) / 65536;
    words[b + 1] = low * 65536;
  }
}

/** VRPs of both families in one shuffled list (exporters do not promise an order). */
function vrpArrays(families: readonly FamilyOutput[], bits: readonly number[], rand: () => number): VrpArrays {
  const count = families.reduce((n, f) => n + f.vrpOffset.length, 0);
  const order = permutation(count, rand);
  const afi = new Uint8Array(count);
  const words = new Uint32Array(count * 4);
  const length = new Uint8Array(count);
  const maxLength = new Uint8Array(count);
  const asn = new Uint32Array(count);
  const ta = new Uint8Array(count);
  let k = 0;
  families.forEach((f, fi) => {
    for (let i = 0; i < f.vrpOffset.length; i++, k++) {
      const at = order[k]!;
      const shape = f.vrpShape[i]!;
      afi[at] = fi === 0 ? 4 : 6;
      putWords(words, at, f.shapeBase[shape]! + f.vrpOffset[i]!, bits[fi]!);
      length[at] = f.vrpLength[i]!;
      maxLength[at] = f.vrpMax[i]!;
      asn[at] = f.vrpAsn[i]!;
      ta[at] = f.shapeTa[shape]!;
    }
  });
  return { count, afi, words, length, maxLength, asn, ta };
}

/** Routes of both families, shuffled: a table read in arbitrary order. */
function routeArrays(families: readonly FamilyOutput[], bits: readonly number[], rand: () => number): RouteArrays {
  const count = families.reduce((n, f) => n + f.routeOffset.length, 0);
  const order = permutation(count, rand);
  const afi = new Uint8Array(count);
  const words = new Uint32Array(count * 4);
  const length = new Uint8Array(count);
  const origin = new Uint32Array(count);
  const intended = new Uint8Array(count);
  let k = 0;
  families.forEach((f, fi) => {
    for (let i = 0; i < f.routeOffset.length; i++, k++) {
      const at = order[k]!;
      afi[at] = fi === 0 ? 4 : 6;
      putWords(words, at, f.shapeBase[f.routeShape[i]!]! + f.routeOffset[i]!, bits[fi]!);
      length[at] = f.routeLength[i]!;
      origin[at] = f.routeOrigin[i]!;
      intended[at] = f.routeState[i]!;
    }
  });
  return { count, afi, words, length, origin, intended };
}

function permutation(n: number, rand: () => number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

function statsOf(vrps: VrpArrays, routes: RouteArrays, v4: FamilyOutput, v6: FamilyOutput): WorkloadStats {
  const vrpLengths = [new Array<number>(129).fill(0), new Array<number>(129).fill(0)] as const;
  const byTa = Object.fromEntries(TRUST_ANCHORS.map((t) => [t, 0])) as Record<TrustAnchor, number>;
  const vrpAsns = new Set<number>();
  let above = 0;
  let as0 = 0;
  for (let i = 0; i < vrps.count; i++) {
    vrpLengths[vrps.afi[i] === 4 ? 0 : 1][vrps.length[i]!]!++;
    byTa[TRUST_ANCHORS[vrps.ta[i]!]!]++;
    vrpAsns.add(vrps.asn[i]!);
    if (vrps.maxLength[i]! > vrps.length[i]!) above++;
    if (vrps.asn[i] === 0) as0++;
  }
  const routeLengths = [new Array<number>(129).fill(0), new Array<number>(129).fill(0)] as const;
  const origins = new Set<number>();
  const states = [0, 0, 0];
  for (let i = 0; i < routes.count; i++) {
    routeLengths[routes.afi[i] === 4 ? 0 : 1][routes.length[i]!]!++;
    origins.add(routes.origin[i]!);
    states[routes.intended[i]!]!++;
  }
  return {
    vrps: {
      ipv4: v4.vrpOffset.length,
      ipv6: v6.vrpOffset.length,
      maxLengthAboveLength: above,
      as0,
      unannounced: v4.unannouncedVrps + v6.unannouncedVrps,
      nestedOtherAs: v4.nested + v6.nested,
      distinctAsns: vrpAsns.size,
      byTa,
      lengthsV4: vrpLengths[0],
      lengthsV6: vrpLengths[1],
    },
    routes: {
      ipv4: v4.routeOffset.length,
      ipv6: v6.routeOffset.length,
      distinctOrigins: origins.size,
      intended: { valid: states[RovState.Valid]!, invalid: states[RovState.Invalid]!, notFound: states[RovState.NotFound]! },
      invalidBecause: { as: v4.invalidAs + v6.invalidAs, length: v4.invalidLength + v6.invalidLength },
      lengthsV4: routeLengths[0],
      lengthsV6: routeLengths[1],
    },
    spaceUsed: { ipv4: v4.spaceUsed, ipv6: v6.spaceUsed },
  };
}

/** Fractions of `lengths` (counts by length) for the lengths of `target`, plus "other". */
export function lengthShares(lengths: readonly number[], target: Readonly<Record<number, number>>): Record<string, number> {
  const total = lengths.reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {};
  let listed = 0;
  for (const l of Object.keys(target).map(Number)) {
    out[`/${l}`] = total === 0 ? 0 : lengths[l]! / total;
    listed += lengths[l]!;
  }
  out.other = total === 0 ? 0 : (total - listed) / total;
  return out;
}
