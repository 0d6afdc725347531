/**
 * The VRP index behind route origin validation (RFC 6811 §2).
 *
 * RFC 6811 needs, for a route (prefix P, origin AS), every VRP whose prefix
 * covers P. VRP prefixes form a laminar family (two prefixes are nested or
 * disjoint), so the distinct VRP prefixes of one address family, sorted by
 * (address, length), are a pre-order walk of a forest. For each distinct
 * prefix we keep its parent (the nearest VRP prefix that covers it).
 *
 * Lookup: binary-search the last distinct prefix at or before (P.address,
 * P.length) in that order. Every VRP prefix covering P is that entry or one
 * of its ancestors (anything between a covering prefix C and P in the order
 * starts inside C, so it is C's descendant), so walking the parent chain
 * from there visits exactly the covering prefixes, most specific first.
 * That is one binary search plus a few steps, with no allocation.
 *
 * The binary search starts from a narrower range. For IPv4, a bucket table
 * on the address: bucket h holds the prefixes whose (w0 - base) >>> shift
 * is h, about one bucket per two prefixes (at most 2^18) spanning the
 * forest's first words; since the bucket number only grows along the
 * order, the answer lies in P's bucket or is the last entry before it.
 * IPv6 space is used in a few RIR blocks, so buckets on the address would
 * be nearly all empty or huge; there, fences: the first 64 bits of every
 * 16th prefix, a small array searched first, which leaves a range of about
 * 16 prefixes. A plain binary search over ~550k IPv4 prefixes makes a dozen
 * cache misses on a shuffled table; these make two or three (see
 * docs/benchmarks.md).
 *
 * Everything lives in typed arrays: about 800k VRPs cost some tens of
 * megabytes, not the hundreds an object per VRP or per trie node would.
 * Each distinct prefix is one record (address words, length, parent, first
 * VRP row) and each VRP row one (ASN, maxLength) pair, so that a lookup on
 * a shuffled full table touches few cache lines: with the fields in arrays
 * of their own it took several times as many misses, and the misses are
 * most of the cost (see docs/benchmarks.md). An index is immutable; a new
 * VRP set gets a new index (see Validator for the atomic swap).
 */
import type { Asn } from '../net/asn.js';
import type { Afi, Prefix } from '../net/prefix.js';
import type { Vrp } from '../rpki/vrp.js';
import { type VrpColumns, VrpTable } from '../rpki/vrp-table.js';
import { type RouteValidity, RovState, rovStateName } from './validity.js';

/** Origin NONE (RFC 6811 §2): the origin could not be determined. */
export const ORIGIN_NONE = -1;

/** MASK[l]: the first `l` bits of a 32-bit word set (as a signed int32). */
const MASK = new Int32Array(33);
for (let l = 1; l <= 32; l++) MASK[l] = (0xffffffff << (32 - l)) | 0;

/**
 * The forest of distinct VRP prefixes of one address family: one record of
 * `stride` 32-bit words per prefix, in (address, length) order,
 *
 *   IPv4, stride 4:  w0 | length | parent | first
 *   IPv6, stride 8:  w0 w1 w2 w3 | length | parent | first | (unused)
 *
 * where parent is the index of the nearest covering distinct prefix, or -1,
 * and the prefix's VRPs are rows first .. (the next record's first) - 1 of
 * the table; a last, sentinel record holds the row count as its first.
 */
interface PrefixForest {
  readonly count: number;
  /** Address words per prefix: 1 or 4. */
  readonly words: 1 | 4;
  readonly stride: 4 | 8;
  /** count + 1 records. */
  readonly nodes: Uint32Array;
  /** The same memory, signed, for the parent field. */
  readonly links: Int32Array;
  /** (asn, maxLength) of each VRP row, interleaved. */
  readonly rows: Uint32Array;
}

/** IPv4: the forest with a bucket table on the address. */
interface BucketedForest extends PrefixForest {
  /** Smallest first word; bucket of word w0 >= base is (w0 - base) >>> shift. */
  readonly base: number;
  readonly shift: number;
  /** Number of buckets, a power of two. */
  readonly buckets: number;
  /** buckets + 1 entries: the prefixes of bucket h are start[h] .. start[h+1]-1. */
  readonly start: Uint32Array;
}

/** IPv6: the forest with fences. */
interface FencedForest extends PrefixForest {
  /** (w0, w1) of records 0, FENCE, 2 FENCE, …, interleaved. */
  readonly fences: Uint32Array;
  readonly fenceCount: number;
}

/** At most 2^18 buckets: a 1 MiB table, for the ~550k IPv4 prefixes of a full set. */
const MAX_BUCKET_BITS = 18;
/** One fence per 16 IPv6 prefixes. */
const FENCE = 16;

/** Field offsets in a record, after the address words. */
const LEN = 0;
const PARENT = 1;
const FIRST = 2;

export class VrpIndex {
  private constructor(
    /** The table the forests were built from; rows of it may be withdrawn since (see `dead4`). */
    private readonly base: VrpTable,
    private readonly v4: BucketedForest,
    private readonly v6: FencedForest,
    /**
     * Rows of `base` withdrawn by later changes (1 = withdrawn), per family,
     * or undefined when none are: see withChanges.
     */
    private readonly dead4: Uint8Array | undefined,
    private readonly dead6: Uint8Array | undefined,
    private readonly deadCount: number,
    /** VRPs announced by later changes and not in `base`: a small index of its own. */
    private readonly extra: VrpIndex | undefined,
  ) {}

  static build(table: VrpTable): VrpIndex {
    const v4 = buildForest(table.v4);
    const v6 = buildForest(table.v6);
    return new VrpIndex(
      table,
      { ...v4, ...bucketTable(v4.nodes, v4.stride, v4.count) },
      { ...v6, ...fenceTable(v6.nodes, v6.stride, v6.count) },
      undefined,
      undefined,
      0,
      undefined,
    );
  }

  /**
   * The index of `current` (a table, or a function that gives it, called
   * only for a rebuild), which must be this index's VRPs with `removed`
   * taken out and `added` put in (an RTR transaction's own delta, RFC 8210
   * §5.1). Rebuilding 800k VRPs takes 60-150 ms; a cache sends a few
   * hundred changes every few minutes, and routes must be revalidated
   * against them at once. So the forests are kept: withdrawn rows are
   * marked in a mask, announcements go into a small index of their own,
   * and a look-up combines the two (RFC 6811 §2 asks whether *any*
   * covering VRP matches, so the union of two sets is answered from each
   * part). Once the changes reach a sixteenth of the table (at least
   * 1,024), the next call builds `current` afresh, which keeps look-ups at
   * their full-table speed.
   */
  withChanges(added: VrpTable, removed: VrpTable, current: VrpTable | (() => VrpTable)): VrpIndex {
    if (added.size === 0 && removed.size === 0) return this;
    const extraTable = this.extra?.base ?? VrpTable.EMPTY;
    let dead4 = this.dead4;
    let dead6 = this.dead6;
    let deadCount = this.deadCount;
    // Copy-on-write: an index is immutable, earlier snapshots keep theirs.
    const deadOf = (afi: Afi): Uint8Array => {
      if (afi === 4) return dead4 === this.dead4 ? (dead4 = copyOrNew(this.dead4, this.base.v4.count)) : dead4!;
      return dead6 === this.dead6 ? (dead6 = copyOrNew(this.dead6, this.base.v6.count)) : dead6!;
    };
    // A withdrawal hits a VRP of the extra index or a live base row.
    const removedFromExtra = removed.selectRows((afi, j) => {
      if (extraTable.indexOfRow(removed.columns(afi), j) >= 0) return true;
      const row = this.base.indexOfRow(removed.columns(afi), j);
      const dead = deadOf(afi);
      if (row < 0 || dead[row] === 1) throw new Error('VrpIndex.withChanges: a removed VRP is not in the index');
      dead[row] = 1;
      deadCount++;
      return false;
    });
    // An announcement brings a withdrawn base row back, or joins the extra index.
    const addedToExtra = added.selectRows((afi, j) => {
      const row = this.base.indexOfRow(added.columns(afi), j);
      const dead = row < 0 ? undefined : deadOf(afi);
      if (dead === undefined ? extraTable.indexOfRow(added.columns(afi), j) >= 0 : dead[row] !== 1) {
        throw new Error('VrpIndex.withChanges: an added VRP is already in the index');
      }
      if (dead === undefined) return true;
      dead[row] = 0;
      deadCount--;
      return false;
    });
    const extra = extraTable.withChanges(addedToExtra, removedFromExtra);
    if (deadCount + extra.size > Math.max(REBUILD_MIN_CHANGES, this.base.size / 16)) {
      return VrpIndex.build(typeof current === 'function' ? current() : current);
    }
    return new VrpIndex(
      this.base,
      this.v4,
      this.v6,
      deadCount === 0 ? undefined : dead4,
      deadCount === 0 ? undefined : dead6,
      deadCount,
      extra.size === 0 ? undefined : VrpIndex.build(extra),
    );
  }

  get size(): number {
    return this.base.size - this.deadCount + (this.extra?.size ?? 0);
  }

  /** Changes held beside the forests (withdrawn rows plus extra VRPs); 0 right after a build. */
  get pendingChanges(): number {
    return this.deadCount + (this.extra?.size ?? 0);
  }

  /** Validates a route; `origin` null (or ORIGIN_NONE) means NONE. */
  validate(prefix: Prefix, origin: Asn | null): RovState {
    const o = origin === null ? ORIGIN_NONE : origin;
    return prefix.afi === 4
      ? this.validateV4(prefix.w0, prefix.length, o)
      : this.validateV6(prefix.w0, prefix.w1, prefix.w2, prefix.w3, prefix.length, o);
  }

  /**
   * IPv4 fast path: address as an unsigned 32-bit number, origin as a
   * number (ORIGIN_NONE for NONE).
   */
  validateV4(address: number, length: number, origin: number): RovState {
    const state = this.baseV4(address, length, origin);
    const extra = this.extra;
    return extra === undefined || state === RovState.Valid ? state : union(state, extra.validateV4(address, length, origin));
  }

  /** IPv6 fast path: the address as four unsigned 32-bit words. */
  validateV6(w0: number, w1: number, w2: number, w3: number, length: number, origin: number): RovState {
    const state = this.baseV6(w0, w1, w2, w3, length, origin);
    const extra = this.extra;
    return extra === undefined || state === RovState.Valid ? state : union(state, extra.validateV6(w0, w1, w2, w3, length, origin));
  }

  private baseV4(address: number, length: number, origin: number): RovState {
    // Records: w0 | length | parent | first (stride 4).
    const f = this.v4;
    if (address < f.base) return RovState.NotFound;
    const nodes = f.nodes;
    const h = (address - f.base) >>> f.shift;
    let lo = f.count;
    let hi = lo;
    if (h < f.buckets) {
      lo = f.start[h]!;
      hi = f.start[h + 1]!;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const w = nodes[mid * 4]!;
      if (w < address || (w === address && nodes[mid * 4 + 1]! <= length)) lo = mid + 1;
      else hi = mid;
    }
    const links = f.links;
    let u = lo - 1;
    while (u >= 0) {
      const b = u * 4;
      const l = nodes[b + 1]!;
      if (l <= length && ((address ^ nodes[b]!) & MASK[l]!) === 0) break;
      u = links[b + 2]!;
    }
    if (u < 0) return RovState.NotFound;
    if (this.dead4 !== undefined) return liveMatch(nodes, links, f.rows, this.dead4, u, 4, 1, length, origin);
    // RFC 6483 §4 / RFC 7607: an AS0 VRP never matches, and no route with
    // origin 0 can be valid, so origin 0 skips the match loop entirely.
    if (origin > 0) {
      const rows = f.rows;
      for (; u >= 0; u = links[u * 4 + 2]!) {
        for (let r = nodes[u * 4 + 3]!, end = nodes[u * 4 + 7]!; r < end; r++) {
          if (rows[r * 2] === origin && length <= rows[r * 2 + 1]!) return RovState.Valid;
        }
      }
    }
    return RovState.Invalid;
  }

  private baseV6(w0: number, w1: number, w2: number, w3: number, length: number, origin: number): RovState {
    // Records: w0 w1 w2 w3 | length | parent | first | - (stride 8).
    const f = this.v6;
    const nodes = f.nodes;
    // Fences: a = the first fence not below (w0, w1); e = the first above it.
    const fences = f.fences;
    const fc = f.fenceCount;
    let a = 0;
    let e = fc;
    while (a < e) {
      const mid = (a + e) >>> 1;
      const x = fences[mid * 2]!;
      if (x < w0 || (x === w0 && fences[mid * 2 + 1]! < w1)) a = mid + 1;
      else e = mid;
    }
    e = a;
    while (e < fc && fences[e * 2] === w0 && fences[e * 2 + 1] === w1) e++;
    // Fence a - 1 is below the route, fence e above it (when they exist).
    let lo = a > 0 ? (a - 1) * FENCE : 0;
    let hi = e < fc ? e * FENCE : f.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = mid * 8;
      let d = nodes[b]! - w0;
      if (d === 0) d = nodes[b + 1]! - w1;
      if (d === 0) d = nodes[b + 2]! - w2;
      if (d === 0) d = nodes[b + 3]! - w3;
      if (d < 0 || (d === 0 && nodes[b + 4]! <= length)) lo = mid + 1;
      else hi = mid;
    }
    const links = f.links;
    let u = lo - 1;
    while (u >= 0) {
      const b = u * 8;
      const l = nodes[b + 4]!;
      if (l <= length && coversV6(nodes, b, l, w0, w1, w2, w3)) break;
      u = links[b + 5]!;
    }
    if (u < 0) return RovState.NotFound;
    if (this.dead6 !== undefined) return liveMatch(nodes, links, f.rows, this.dead6, u, 8, 4, length, origin);
    if (origin > 0) {
      const rows = f.rows;
      for (; u >= 0; u = links[u * 8 + 5]!) {
        for (let r = nodes[u * 8 + 6]!, end = nodes[u * 8 + 14]!; r < end; r++) {
          if (rows[r * 2] === origin && length <= rows[r * 2 + 1]!) return RovState.Valid;
        }
      }
    }
    return RovState.Invalid;
  }

  /** Every VRP whose prefix covers `prefix`, most specific first. */
  covering(prefix: Prefix): Vrp[] {
    const out: Vrp[] = [];
    const f = prefix.afi === 4 ? this.v4 : this.v6;
    const dead = prefix.afi === 4 ? this.dead4 : this.dead6;
    const at = f.words;
    for (let u = this.deepestCovering(prefix); u >= 0; u = f.links[u * f.stride + at + PARENT]!) {
      const end = f.nodes[(u + 1) * f.stride + at + FIRST]!;
      for (let r = f.nodes[u * f.stride + at + FIRST]!; r < end; r++) {
        if (dead === undefined || dead[r] !== 1) out.push(this.base.vrpAt(prefix.afi, r));
      }
    }
    if (this.extra === undefined) return out;
    // Both lists run most specific first; a stable sort keeps that per length.
    return [...out, ...this.extra.covering(prefix)].sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /**
   * The full RFC 6811 result with its evidence: the covering VRPs split
   * into matched, wrong origin (AS0 included), and right origin but too
   * short a maxLength.
   */
  explain(prefix: Prefix, origin: Asn | null): RouteValidity {
    const matched: Vrp[] = [];
    const unmatchedAs: Vrp[] = [];
    const unmatchedLength: Vrp[] = [];
    for (const vrp of this.covering(prefix)) {
      if (origin === null || origin === 0 || vrp.asn === 0 || vrp.asn !== origin) unmatchedAs.push(vrp);
      else if (prefix.length > vrp.maxLength) unmatchedLength.push(vrp);
      else matched.push(vrp);
    }
    const state =
      matched.length > 0 ? RovState.Valid : unmatchedAs.length + unmatchedLength.length > 0 ? RovState.Invalid : RovState.NotFound;
    return Object.freeze({
      state: rovStateName(state),
      reason: state !== RovState.Invalid ? null : unmatchedLength.length > 0 ? 'length' : 'as',
      matched,
      unmatchedAs,
      unmatchedLength,
    });
  }

  /** Bytes held in typed arrays (the index and the VRP table it keeps for evidence). */
  byteSize(): number {
    const forest = (f: PrefixForest) => f.nodes.byteLength + f.rows.byteLength;
    const columns = (c: VrpColumns) =>
      c.words.byteLength + c.length.byteLength + c.maxLength.byteLength + c.asn.byteLength + c.ta.byteLength;
    return (
      forest(this.v4) +
      this.v4.start.byteLength +
      forest(this.v6) +
      this.v6.fences.byteLength +
      columns(this.base.v4) +
      columns(this.base.v6) +
      (this.dead4?.byteLength ?? 0) +
      (this.dead6?.byteLength ?? 0) +
      (this.extra?.byteSize() ?? 0)
    );
  }

  /** Counts for logs and metrics. */
  stats(): { ipv4Vrps: number; ipv6Vrps: number; ipv4Prefixes: number; ipv6Prefixes: number } {
    const extra = this.extra?.stats();
    return {
      ipv4Vrps: this.base.v4.count - countSet(this.dead4) + (extra?.ipv4Vrps ?? 0),
      ipv6Vrps: this.base.v6.count - countSet(this.dead6) + (extra?.ipv6Vrps ?? 0),
      // Distinct prefixes of the forests; with changes pending, an upper bound.
      ipv4Prefixes: this.v4.count + (extra?.ipv4Prefixes ?? 0),
      ipv6Prefixes: this.v6.count + (extra?.ipv6Prefixes ?? 0),
    };
  }

  /** Index of the most specific distinct VRP prefix covering `prefix`, or -1. */
  private deepestCovering(prefix: Prefix): number {
    const afi: Afi = prefix.afi;
    const f = afi === 4 ? this.v4 : this.v6;
    const s = f.words;
    const z = f.stride;
    const nodes = f.nodes;
    let lo = 0;
    let hi = f.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      let d = 0;
      for (let k = 0; k < s && d === 0; k++) d = nodes[mid * z + k]! - prefix.word(k);
      if (d < 0 || (d === 0 && nodes[mid * z + s + LEN]! <= prefix.length)) lo = mid + 1;
      else hi = mid;
    }
    let u = lo - 1;
    while (u >= 0) {
      const l = nodes[u * z + s + LEN]!;
      if (l <= prefix.length && coversWords(nodes, u * z, s, l, prefix)) return u;
      u = f.links[u * z + s + PARENT]!;
    }
    return -1;
  }
}

function coversV6(words: Uint32Array, b: number, l: number, w0: number, w1: number, w2: number, w3: number): boolean {
  if (l <= 32) return ((w0 ^ words[b]!) & MASK[l]!) === 0;
  if (w0 !== words[b]) return false;
  if (l <= 64) return ((w1 ^ words[b + 1]!) & MASK[l - 32]!) === 0;
  if (w1 !== words[b + 1]) return false;
  if (l <= 96) return ((w2 ^ words[b + 2]!) & MASK[l - 64]!) === 0;
  if (w2 !== words[b + 2]) return false;
  return ((w3 ^ words[b + 3]!) & MASK[l - 96]!) === 0;
}

function coversWords(words: Uint32Array, b: number, s: number, l: number, p: Prefix): boolean {
  for (let k = 0; k < s; k++) {
    const bits = l - 32 * k;
    if (bits <= 0) return true;
    if (((p.word(k) ^ words[b + k]!) & MASK[Math.min(bits, 32)]!) !== 0) return false;
  }
  return true;
}

/**
 * Groups the sorted VRP rows by prefix and links each distinct prefix to
 * its nearest covering one with a stack: in (address, length) order, the
 * ancestors of a prefix are exactly the stack entries that still cover it.
 */
function buildForest(c: VrpColumns): PrefixForest {
  const s = c.stride;
  const n = c.count;
  const words = new Uint32Array(n * s);
  const length = new Uint8Array(n);
  const parent = new Int32Array(n);
  const first = new Uint32Array(n + 1);
  const stack = new Int32Array(s * 32 + 2);
  let depth = 0;
  let m = 0;
  for (let r = 0; r < n; r++) {
    const l = c.length[r]!;
    if (m > 0 && length[m - 1] === l && sameWords(words, (m - 1) * s, c.words, r * s, s)) continue;
    for (let k = 0; k < s; k++) words[m * s + k] = c.words[r * s + k]!;
    length[m] = l;
    first[m] = r;
    while (depth > 0 && !forestCovers(words, s, stack[depth - 1]!, m, length)) depth--;
    parent[m] = depth > 0 ? stack[depth - 1]! : -1;
    stack[depth++] = m;
    m++;
  }
  first[m] = n;
  // Pack into records (see PrefixForest), with the sentinel at m.
  const stride = s === 1 ? 4 : 8;
  const nodes = new Uint32Array((m + 1) * stride);
  const links = new Int32Array(nodes.buffer);
  for (let u = 0; u < m; u++) {
    const b = u * stride;
    for (let k = 0; k < s; k++) nodes[b + k] = words[u * s + k]!;
    nodes[b + s + LEN] = length[u]!;
    links[b + s + PARENT] = parent[u]!;
    nodes[b + s + FIRST] = first[u]!;
  }
  links[m * stride + s + PARENT] = -1;
  nodes[m * stride + s + FIRST] = n;
  const rows = new Uint32Array(n * 2);
  for (let r = 0; r < n; r++) {
    rows[r * 2] = c.asn[r]!;
    rows[r * 2 + 1] = c.maxLength[r]!;
  }
  return {
    count: m,
    words: s,
    stride,
    nodes,
    links,
    rows,
  };
}

/** Every FENCE-th record's first two words (a second word of 0 for IPv4). */
function fenceTable(nodes: Uint32Array, stride: number, m: number): { fences: Uint32Array; fenceCount: number } {
  const fenceCount = Math.ceil(m / FENCE);
  const fences = new Uint32Array(fenceCount * 2);
  for (let j = 0; j < fenceCount; j++) {
    fences[j * 2] = nodes[j * FENCE * stride]!;
    fences[j * 2 + 1] = stride > 4 ? nodes[j * FENCE * stride + 1]! : 0;
  }
  return { fences, fenceCount };
}

/**
 * The bucket table over the first words (sorted, `m` prefixes, `s` words
 * each): about m/2 buckets, the smallest shift that fits the span of first
 * words into them, and for each bucket the index of its first prefix.
 */
function bucketTable(words: Uint32Array, s: number, m: number): { base: number; shift: number; buckets: number; start: Uint32Array } {
  let bits = 0;
  while (bits < MAX_BUCKET_BITS && 2 ** (bits + 1) <= m) bits++;
  const buckets = 2 ** bits;
  const start = new Uint32Array(buckets + 1);
  if (m === 0) return { base: 0, shift: 0, buckets, start };
  const base = words[0]!;
  const span = words[(m - 1) * s]! - base;
  let shift = 0;
  while (span / 2 ** shift >= buckets) shift++;
  let u = 0;
  for (let h = 0; h <= buckets; h++) {
    // First prefix whose bucket is h or later.
    while (u < m && (words[u * s]! - base) >>> shift < h) u++;
    start[h] = u;
  }
  return { base, shift, buckets, start };
}

function sameWords(a: Uint32Array, ai: number, b: Uint32Array, bi: number, s: number): boolean {
  for (let k = 0; k < s; k++) if (a[ai + k] !== b[bi + k]) return false;
  return true;
}

/** Does distinct prefix `a` cover distinct prefix `b` (same forest)? */
function forestCovers(words: Uint32Array, s: number, a: number, b: number, length: Uint8Array): boolean {
  const l = length[a]!;
  if (l > length[b]!) return false;
  for (let k = 0; k < s; k++) {
    const bits = l - 32 * k;
    if (bits <= 0) return true;
    if (((words[a * s + k]! ^ words[b * s + k]!) & MASK[Math.min(bits, 32)]!) !== 0) return false;
  }
  return true;
}

/** Changes (withdrawals plus announcements) below which withChanges never rebuilds. */
const REBUILD_MIN_CHANGES = 1024;

/** RFC 6811 §2 over the union of two VRP sets, from each set's own result. */
function union(a: RovState, b: RovState): RovState {
  if (a === RovState.Valid || b === RovState.Valid) return RovState.Valid;
  return a === RovState.Invalid || b === RovState.Invalid ? RovState.Invalid : RovState.NotFound;
}

/**
 * The match loop of the fast paths when some rows are withdrawn: a prefix
 * covers the route only through rows still live, so a covering prefix
 * whose rows are all withdrawn leaves the route not found.
 */
function liveMatch(
  nodes: Uint32Array,
  links: Int32Array,
  rows: Uint32Array,
  dead: Uint8Array,
  u: number,
  stride: number,
  words: number,
  length: number,
  origin: number,
): RovState {
  let covered = false;
  for (; u >= 0; u = links[u * stride + words + PARENT]!) {
    for (let r = nodes[u * stride + words + FIRST]!, end = nodes[(u + 1) * stride + words + FIRST]!; r < end; r++) {
      if (dead[r] === 1) continue;
      covered = true;
      if (origin > 0 && rows[r * 2] === origin && length <= rows[r * 2 + 1]!) return RovState.Valid;
    }
  }
  return covered ? RovState.Invalid : RovState.NotFound;
}

function copyOrNew(mask: Uint8Array | undefined, count: number): Uint8Array {
  return mask === undefined ? new Uint8Array(count) : mask.slice();
}

function countSet(mask: Uint8Array | undefined): number {
  let n = 0;
  if (mask !== undefined) for (let i = 0; i < mask.length; i++) n += mask[i]!;
  return n;
}
