/**
 * The routes of one peer table and one address family, in typed arrays.
 *
 * Why: at 1.2M routes a JS object (or a Map entry with a string key) per
 * route costs 100-200 bytes before any attribute is stored, and a GC that
 * walks millions of objects. Here a route is one fixed-size record of
 * 32-bit words in a Uint32Array pool:
 *
 *   IPv4, 9 words:  w0 | pathId | meta | next | range | rangePrev | set | firstSeen | lastChange
 *   IPv6, 12 words: w0 w1 w2 w3 | pathId | meta | next | range | rangePrev | set | firstSeen | lastChange
 *
 *   meta  = length (bits 0-7) | RovState (bits 8-9) | stale (bit 10) | used (bit 11)
 *   next  = the next record in the same exact-key hash chain, or -1; for a
 *           free record, the next free record
 *   range = the next record in the same range chain (below), or -1, and
 *           rangePrev the previous one: range chains can be tens long, so a
 *           withdraw unlinks in O(1)
 *   set   = the interned attribute set (attribute-store.ts)
 *   times = unix seconds (u32)
 *
 * A record is 36 or 48 bytes, so a look-up touches one or two cache lines.
 * Freed records go on a free list and are reused (no tombstones); the pool
 * grows by half when full and is rebuilt smaller when three quarters of it
 * are free, so a peer that sheds its table gives the memory back.
 *
 * Two indexes, both chains through the records (no allocation per route):
 *
 * - exact: a hash of (address, length, path id); a look-up walks a chain of
 *   about one record (the heads array is a power of two at least the route
 *   count, doubled with the chains rebuilt when the count passes it);
 *
 * - range, for covered() and revalidate(): chains on the *leading bits* of
 *   the prefix at a few fixed cuts,
 *
 *     IPv4 cuts: 0, 8, 16, 20        IPv6 cuts: 0, 16, 32, 40
 *
 *   A route of length L belongs to the level of the greatest cut c <= L and
 *   is chained in the bucket of (level, its first c bits) (heads: a power
 *   of two at least half the route count): a /24 shares its chain with the
 *   other routes of /20 or longer in its /20 (five on average in a full
 *   table, weighted by route ten), a /48 with those of /40 or longer in its
 *   /40 (usually a few; a deaggregated /40 can hold a thousand). covered(P),
 *   P of length L, walks P's own level (one chain, filtered) and, for each
 *   deeper cut c holding routes, the c-bit keys inside P: one chain for a
 *   /24, 17 for a /16. IPv6 has 16 bits between cuts, so there the deeper
 *   keys are first checked against occupancy counts (occupancy.ts: routes
 *   per level and first g bits, g midway between the cuts) and only
 *   occupied parts are walked: a /32 checks 16 /36s and walks 16 chains
 *   under each occupied one, a /29 checks 128. When the look-ups would be
 *   many against the table (a /8, ::/0, any short prefix on a small table)
 *   a sequential scan of the pool is cheaper and is done instead. Each
 *   route is visited at most once: every (level, key) is enumerated once
 *   and a chain entry is accepted only for the (level, key) being
 *   enumerated (buckets are shared by hash collisions).
 *
 * Finer cuts would shorten the chains but multiply the enumeration for
 * short prefixes, and cost more occupancy counts per insert (measured:
 * an IPv4 cut at /24 made inserts and /16-/23 queries slower, /24 queries
 * barely faster); these keep both in the tens for the lengths VRPs have.
 */
import type { Afi } from '../net/prefix.js';
import { Occupancy } from './occupancy.js';

export const CUTS_V4: readonly number[] = Object.freeze([0, 8, 16, 20]);
export const CUTS_V6: readonly number[] = Object.freeze([0, 16, 32, 40]);

/** meta bits */
export const LEN_MASK = 0xff;
export const STATE_SHIFT = 8;
export const STATE_MASK = 0x3 << STATE_SHIFT;
export const STALE = 1 << 10;
export const USED = 1 << 11;

/** Field offsets after the address words. */
export const PATH_ID = 0;
export const META = 1;
export const NEXT = 2;
export const RANGE = 3;
export const RANGE_PREV = 4;
export const SET = 5;
export const FIRST_SEEN = 6;
export const LAST_CHANGE = 7;
/** Words per record after the address words. */
export const FIELDS = 8;

const MIN_CAPACITY = 16;
const MIN_HEADS = 16;
/**
 * Routes per range bucket before the range heads double: a range chain
 * holds every route of its key anyway (about five in a full IPv4 table), so
 * a heads array a quarter the size costs little walking, rebuilds less
 * often and stays in cache better.
 */
const RANGE_LOAD = 2;
/**
 * How much the heads arrays grow when the routes outgrow them. Each growth
 * rebuilds the chains of every route (a hash and a cache miss each), so
 * growing fourfold instead of twofold walks a table filled from empty
 * 1.33 times instead of twice (measured: rebuilds were 8% of a full-table
 * ingest's main thread, and about 5% after), for at most 8 more bytes per
 * route of heads right after a growth.
 */
const HEADS_GROWTH = 4;

/** MASK32[b]: the first b bits of a word set, unsigned. */
const MASK32 = new Float64Array(33);
for (let b = 1; b <= 32; b++) MASK32[b] = (0xffffffff << (32 - b)) >>> 0;

/** Mask of word `i` of a `bits`-bit prefix. */
function maskOf(bits: number, i: number): number {
  const b = bits - 32 * i;
  return b <= 0 ? 0 : b >= 32 ? 0xffffffff : MASK32[b]!;
}

function levelTable(cuts: readonly number[], max: number): Uint8Array {
  const t = new Uint8Array(max + 1);
  let level = 0;
  for (let len = 0; len <= max; len++) {
    while (level + 1 < cuts.length && cuts[level + 1]! <= len) level++;
    t[len] = level;
  }
  return t;
}

const LEVEL_V4 = levelTable(CUTS_V4, 32);
const LEVEL_V6 = levelTable(CUTS_V6, 128);

/** Per level, the bits the occupancy counts are keyed on: midway from the previous cut. */
const midCuts = (cuts: readonly number[]): readonly number[] => Object.freeze(cuts.map((c, i) => (i === 0 ? 0 : (cuts[i - 1]! + c) >>> 1)));
const MIDS_V4 = midCuts(CUTS_V4);
const MIDS_V6 = midCuts(CUTS_V6);

/** Bucket of a range-chain key. */
function rangeHash(level: number, k0: number, k1: number): number {
  let h = k0 ^ Math.imul(k1 ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(level + 1, 0x85ebca77);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** Bucket of an exact key: the prefix words, its length and the path id. */
function exactHash(w0: number, w1: number, w2: number, w3: number, len: number, pathId: number): number {
  let h = Math.imul(w0 ^ (len << 24), 0xcc9e2d51);
  h ^= Math.imul(w1 ^ pathId, 0x1b873593);
  h ^= Math.imul(w2, 0x85ebca6b) ^ Math.imul(w3, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h;
}

export type SlotVisitor = (slot: number) => void;

export class FamilyTable {
  readonly afi: Afi;
  /** Address words per record: 1 (IPv4) or 4 (IPv6). */
  readonly words: 1 | 4;
  readonly stride: number;
  /** The record pool; `link` is the same memory, signed (for the chain fields). */
  rec: Uint32Array;
  link: Int32Array;
  /** Routes held. */
  size = 0;
  /** Records in use or on the free list: a scan stops here. */
  highWater = 0;
  private freeHead = -1;
  /** Exact-key chain heads and range chain heads; the same power-of-two size. */
  private heads: Int32Array;
  private rangeHeads: Int32Array;
  private mask: number;
  private rangeMask: number;
  /** The exact bucket find() probed last (for insertFound()). */
  private probed = 0;
  private readonly cuts: readonly number[];
  private readonly mids: readonly number[];
  private readonly levelOf: Uint8Array;
  /**
   * IPv6 only: routes per (level >= 1, first mids[level] bits). IPv4 tables
   * are dense and their cuts close (at most 2^4 keys from one cut to the
   * next for a prefix at least as long as the cut before), so counting
   * would cost every insert a cache miss for little.
   */
  private occupancy = new Occupancy();
  /** Key computed by subKey(). */
  private e0 = 0;
  private e1 = 0;
  /** Routes per range level, so covered() skips empty levels. */
  private readonly levelCount: Int32Array;
  /** Times the pool grew, was rebuilt smaller, and the chains were rebuilt. */
  growths = 0;
  shrinks = 0;
  rehashes = 0;
  /** covered() queries answered by a scan of the pool, and range chains walked (for tests and tuning). */
  scans = 0;
  chainWalks = 0;

  constructor(afi: Afi, capacity = MIN_CAPACITY) {
    this.afi = afi;
    this.words = afi === 4 ? 1 : 4;
    this.stride = this.words + FIELDS;
    this.cuts = afi === 4 ? CUTS_V4 : CUTS_V6;
    this.mids = afi === 4 ? MIDS_V4 : MIDS_V6;
    this.levelOf = afi === 4 ? LEVEL_V4 : LEVEL_V6;
    this.levelCount = new Int32Array(this.cuts.length);
    this.rec = new Uint32Array(Math.max(MIN_CAPACITY, capacity) * this.stride);
    this.link = new Int32Array(this.rec.buffer);
    this.heads = new Int32Array(MIN_HEADS).fill(-1);
    this.rangeHeads = new Int32Array(MIN_HEADS).fill(-1);
    this.mask = MIN_HEADS - 1;
    this.rangeMask = MIN_HEADS - 1;
  }

  /** Records the pool can hold without growing. */
  get capacity(): number {
    return this.rec.length / this.stride;
  }

  /** Bytes held in typed arrays. */
  get bytes(): number {
    return this.rec.byteLength + this.heads.byteLength + this.rangeHeads.byteLength + this.occupancy.bytes;
  }

  /**
   * The record of (prefix, path id), or -1. The bucket probed is kept, so
   * insertFound() right after a miss chains the new record there without
   * hashing the key again.
   */
  find(w0: number, w1: number, w2: number, w3: number, len: number, pathId: number): number {
    const rec = this.rec;
    const link = this.link;
    const bucket = exactHash(w0, w1, w2, w3, len, pathId) & this.mask;
    this.probed = bucket;
    let s = this.heads[bucket]!;
    if (this.words === 1) {
      while (s >= 0) {
        const b = s * 9; // stride 1 + FIELDS
        if (rec[b] === w0 && rec[b + 1 + PATH_ID] === pathId && (rec[b + 1 + META]! & LEN_MASK) === len) return s;
        s = link[b + 1 + NEXT]!;
      }
      return -1;
    }
    while (s >= 0) {
      const b = s * 12; // stride 4 + FIELDS
      if (
        rec[b] === w0 &&
        rec[b + 1] === w1 &&
        rec[b + 2] === w2 &&
        rec[b + 3] === w3 &&
        rec[b + 4 + PATH_ID] === pathId &&
        (rec[b + 4 + META]! & LEN_MASK) === len
      ) {
        return s;
      }
      s = link[b + 4 + NEXT]!;
    }
    return -1;
  }

  /** Adds a route known to be absent; returns its record. */
  insert(w0: number, w1: number, w2: number, w3: number, len: number, pathId: number, set: number, meta: number, now: number): number {
    return this.add(exactHash(w0, w1, w2, w3, len, pathId) & this.mask, w0, w1, w2, w3, len, pathId, set, meta, now);
  }

  /**
   * insert() for the key find() just missed, with no change to the table
   * in between: one hash and one probe per new route instead of two.
   */
  insertFound(w0: number, w1: number, w2: number, w3: number, len: number, pathId: number, set: number, meta: number, now: number): number {
    return this.add(this.probed, w0, w1, w2, w3, len, pathId, set, meta, now);
  }

  private add(bucket: number, w0: number, w1: number, w2: number, w3: number, len: number, pathId: number, set: number, meta: number, now: number): number {
    let s = this.freeHead;
    if (s >= 0) {
      this.freeHead = this.link[s * this.stride + this.words + NEXT]!;
    } else {
      if (this.highWater * this.stride === this.rec.length) this.resize(Math.ceil(this.capacity * 1.5));
      s = this.highWater++;
    }
    const rec = this.rec;
    const b = s * this.stride;
    rec[b] = w0;
    if (this.words === 4) {
      rec[b + 1] = w1;
      rec[b + 2] = w2;
      rec[b + 3] = w3;
    }
    const f = b + this.words;
    rec[f + PATH_ID] = pathId;
    rec[f + META] = len | meta | USED;
    rec[f + SET] = set;
    rec[f + FIRST_SEEN] = now;
    rec[f + LAST_CHANGE] = now;
    this.size++;
    const level = this.levelOf[len]!;
    this.levelCount[level]++;
    if (level > 0 && this.words === 4) {
      const g = this.mids[level]!;
      this.occupancy.increment(level, (w0 & maskOf(g, 0)) >>> 0, (w1 & maskOf(g, 1)) >>> 0);
    }
    if (this.size > this.heads.length) {
      this.rebuildExact(this.heads.length * HEADS_GROWTH);
    } else {
      this.link[f + NEXT] = this.heads[bucket]!;
      this.heads[bucket] = s;
    }
    if (this.size > this.rangeHeads.length * RANGE_LOAD) this.rebuildRange(this.rangeHeads.length * HEADS_GROWTH);
    else this.chainRange(s);
    return s;
  }

  /** Removes the route in record `s`. */
  remove(s: number): void {
    const f = s * this.stride + this.words;
    this.unlinkExact(s);
    this.unlinkRange(s);
    const level = this.levelOf[this.rec[f + META]! & LEN_MASK]!;
    this.levelCount[level]--;
    if (level > 0 && this.words === 4) {
      const g = this.mids[level]!;
      const b = s * this.stride;
      this.occupancy.decrement(level, (this.rec[b]! & maskOf(g, 0)) >>> 0, (this.rec[b + 1]! & maskOf(g, 1)) >>> 0);
    }
    this.rec[f + META] = 0;
    this.link[f + NEXT] = this.freeHead;
    this.freeHead = s;
    this.size--;
  }

  /**
   * Removes the `expected` records `test` accepts, at once, and returns
   * copies of them (stride words each, in pool order). For many removals
   * (a third of a table going stale): one rebuild instead of an unlink each.
   */
  extract(test: (s: number) => boolean, expected: number): { readonly rec: Uint32Array; readonly count: number } {
    const stride = this.stride;
    const out = new Uint32Array(expected * stride);
    let k = 0;
    for (let s = 0, n = this.highWater; s < n && k < expected; s++) {
      const b = s * stride;
      if ((this.rec[b + this.words + META]! & USED) === 0 || !test(s)) continue;
      out.set(this.rec.subarray(b, b + stride), k * stride);
      k++;
      this.detach(s);
    }
    this.rebuildAfterDetach();
    return { rec: out, count: k };
  }

  /**
   * Frees record `s` without unlinking it, for removing many routes at once
   * (a third of a table going stale costs a rebuild, not a chain walk each):
   * the table is unusable until rebuildAfterDetach().
   */
  private detach(s: number): void {
    const f = s * this.stride + this.words;
    this.levelCount[this.levelOf[this.rec[f + META]! & LEN_MASK]!]--;
    this.rec[f + META] = 0;
    this.link[f + NEXT] = this.freeHead;
    this.freeHead = s;
    this.size--;
  }

  /** After detach(): compacts the pool and rebuilds the chains and the occupancy counts. */
  private rebuildAfterDetach(): void {
    this.occupancy = new Occupancy();
    this.resize(Math.max(MIN_CAPACITY, this.size * 4 < this.capacity ? Math.ceil(this.size * 1.5) : this.capacity));
    const rec = this.rec;
    const stride = this.stride;
    if (this.words === 1) return;
    for (let s = 0; s < this.highWater; s++) {
      const b = s * stride;
      const level = this.levelOf[rec[b + this.words + META]! & LEN_MASK]!;
      if (level === 0) continue;
      const g = this.mids[level]!;
      this.occupancy.increment(level, (rec[b]! & maskOf(g, 0)) >>> 0, (rec[b + 1]! & maskOf(g, 1)) >>> 0);
    }
  }

  /** Rebuilds the pool smaller when three quarters of it are unused. Never call during a scan. */
  maybeShrink(): boolean {
    const cap = this.capacity;
    if (cap <= MIN_CAPACITY * 4 || this.size * 4 >= cap) return false;
    this.resize(Math.max(MIN_CAPACITY, Math.ceil(this.size * 1.5)));
    return true;
  }

  /** Visits every route. The visitor may remove the route it is given (no other change to the table). */
  forEach(visit: SlotVisitor): void {
    const rec = this.rec;
    const stride = this.stride;
    const meta = this.words + META;
    for (let s = 0, n = this.highWater; s < n; s++) if ((rec[s * stride + meta]! & USED) !== 0) visit(s);
  }

  /**
   * Visits every route covered by the prefix (w0..w3)/len (equal included),
   * each once. The visitor may change a route's meta, set and times, not
   * the table's shape.
   */
  forEachCovered(w0: number, w1: number, w2: number, w3: number, len: number, visit: SlotVisitor): void {
    if (this.size === 0) return;
    const cuts = this.cuts;
    const mids = this.mids;
    const counts = this.levelCount;
    const first = this.levelOf[len]!;
    // Look-ups this will take at best (the occupied parts of deep levels add chains).
    let cost = 1;
    const counted = this.words === 4;
    for (let i = first + 1; i < cuts.length; i++) {
      if (counts[i] === 0) continue;
      cost += !counted || len >= mids[i]! ? 1 + 2 ** (cuts[i]! - len) : 2 ** (mids[i]! - len) + 2 ** (cuts[i]! - mids[i]!);
    }
    if (cost * 8 > this.highWater) {
      this.scanCovered(w0, w1, w2, w3, len, visit);
      return;
    }
    // P's own level: one chain, filtered by coverage.
    if (counts[first]! > 0) {
      const c = cuts[first]!;
      const k0 = (w0 & maskOf(c, 0)) >>> 0;
      const k1 = this.words === 4 ? (w1 & maskOf(c, 1)) >>> 0 : 0;
      this.walk(first, k0, k1, w0, w1, w2, w3, len, visit);
    }
    // Deeper levels: the keys inside P, in the parts the occupancy counts say hold routes.
    for (let i = first + 1; i < cuts.length; i++) {
      if (counts[i] === 0) continue;
      const cut = cuts[i]!;
      const g = mids[i]!;
      if (!counted) {
        this.walkKeys(i, w0, w1, len, cut, w0, w1, w2, w3, len, visit);
        continue;
      }
      if (len >= g) {
        if (this.occupancy.get(i, (w0 & maskOf(g, 0)) >>> 0, (w1 & maskOf(g, 1)) >>> 0) === 0) continue;
        this.walkKeys(i, w0, w1, len, cut, w0, w1, w2, w3, len, visit);
        continue;
      }
      for (let k = 0, n = 2 ** (g - len); k < n; k++) {
        this.subKey(w0, w1, k, g);
        const o0 = this.e0;
        const o1 = this.e1;
        if (this.occupancy.get(i, o0, o1) > 0) this.walkKeys(i, o0, o1, g, cut, w0, w1, w2, w3, len, visit);
      }
    }
  }

  /** Walks the chains of every `cut`-bit key under the `from`-bit prefix (b0, b1) at `level`. */
  private walkKeys(
    level: number,
    b0: number,
    b1: number,
    from: number,
    cut: number,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    len: number,
    visit: SlotVisitor,
  ): void {
    for (let k = 0, n = 2 ** (cut - from); k < n; k++) {
      this.subKey(b0, b1, k, cut);
      this.walk(level, this.e0, this.e1, w0, w1, w2, w3, len, visit);
    }
  }

  /** Sets (e0, e1) to the `cut`-bit key whose last bits are `k`, under the prefix (b0, b1) (bits past it zero). */
  private subKey(b0: number, b1: number, k: number, cut: number): void {
    if (this.words === 1) {
      this.e0 = (b0 | (k * 2 ** (32 - cut))) >>> 0;
      this.e1 = 0;
      return;
    }
    const v = k * 2 ** (64 - cut);
    const hi = Math.floor(v / 4294967296);
    this.e0 = (b0 | hi) >>> 0;
    this.e1 = (b1 | (v - hi * 4294967296)) >>> 0;
  }

  /**
   * Visits the routes of range bucket (level, k0, k1) that are at that
   * level and have that key (a bucket may hold other keys, and two keys
   * enumerated may share a bucket) and are covered by P (implied for
   * deeper levels, checked for P's own).
   */
  private walk(
    level: number,
    k0: number,
    k1: number,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    len: number,
    visit: SlotVisitor,
  ): void {
    this.chainWalks++;
    let s = this.rangeHeads[rangeHash(level, k0, k1) & this.rangeMask]!;
    if (s < 0) return;
    const rec = this.rec;
    const link = this.link;
    const stride = this.stride;
    const wm = this.words;
    const levelOf = this.levelOf;
    const cut = this.cuts[level]!;
    const m0 = maskOf(cut, 0);
    const m1 = maskOf(cut, 1);
    while (s >= 0) {
      const b = s * stride;
      const next = link[b + wm + RANGE]!;
      const l = rec[b + wm + META]! & LEN_MASK;
      if (
        l >= len &&
        levelOf[l] === level &&
        ((rec[b]! & m0) >>> 0) === k0 &&
        (wm === 1 || ((rec[b + 1]! & m1) >>> 0) === k1) &&
        covers(rec, b, wm, w0, w1, w2, w3, len)
      ) {
        visit(s);
      }
      s = next;
    }
  }

  private scanCovered(w0: number, w1: number, w2: number, w3: number, len: number, visit: SlotVisitor): void {
    this.scans++;
    const rec = this.rec;
    const stride = this.stride;
    const wm = this.words;
    for (let s = 0, n = this.highWater; s < n; s++) {
      const b = s * stride;
      const meta = rec[b + wm + META]!;
      if ((meta & USED) !== 0 && (meta & LEN_MASK) >= len && covers(rec, b, wm, w0, w1, w2, w3, len)) visit(s);
    }
  }

  // --- record access -----------------------------------------------------------

  word(s: number, i: number): number {
    return i < this.words ? this.rec[s * this.stride + i]! : 0;
  }

  field(s: number, f: number): number {
    return this.rec[s * this.stride + this.words + f]!;
  }

  // --- chains and growth ---------------------------------------------------------

  private exactBucketOf(s: number): number {
    const rec = this.rec;
    const b = s * this.stride;
    const f = b + this.words;
    const four = this.words === 4;
    return (
      exactHash(rec[b]!, four ? rec[b + 1]! : 0, four ? rec[b + 2]! : 0, four ? rec[b + 3]! : 0, rec[f + META]! & LEN_MASK, rec[f + PATH_ID]!) &
      this.mask
    );
  }

  private rangeBucketOf(s: number): number {
    const rec = this.rec;
    const b = s * this.stride;
    const len = rec[b + this.words + META]! & LEN_MASK;
    const level = this.levelOf[len]!;
    const c = this.cuts[level]!;
    const k0 = (rec[b]! & maskOf(c, 0)) >>> 0;
    const k1 = this.words === 4 ? (rec[b + 1]! & maskOf(c, 1)) >>> 0 : 0;
    return rangeHash(level, k0, k1) & this.rangeMask;
  }

  /** Puts record `s` at the head of its exact chain. */
  private chainExact(s: number): void {
    const f = s * this.stride + this.words;
    const e = this.exactBucketOf(s);
    this.link[f + NEXT] = this.heads[e]!;
    this.heads[e] = s;
  }

  /** Puts record `s` at the head of its range chain. */
  private chainRange(s: number): void {
    const link = this.link;
    const f = s * this.stride + this.words;
    const r = this.rangeBucketOf(s);
    const head = this.rangeHeads[r]!;
    link[f + RANGE] = head;
    link[f + RANGE_PREV] = -1;
    if (head >= 0) link[head * this.stride + this.words + RANGE_PREV] = s;
    this.rangeHeads[r] = s;
  }

  /** Takes record `s` out of its exact chain (singly linked: these chains hold about one record). */
  private unlinkExact(s: number): void {
    const link = this.link;
    const stride = this.stride;
    const off = this.words + NEXT;
    const bucket = this.exactBucketOf(s);
    let cur = this.heads[bucket]!;
    if (cur === s) {
      this.heads[bucket] = link[s * stride + off]!;
      return;
    }
    while (link[cur * stride + off] !== s) cur = link[cur * stride + off]!;
    link[cur * stride + off] = link[s * stride + off]!;
  }

  /** Takes record `s` out of its range chain (doubly linked: these hold all the routes under a /20 or /40). */
  private unlinkRange(s: number): void {
    const link = this.link;
    const stride = this.stride;
    const f = s * stride + this.words;
    const next = link[f + RANGE]!;
    const prev = link[f + RANGE_PREV]!;
    if (prev >= 0) link[prev * stride + this.words + RANGE] = next;
    else this.rangeHeads[this.rangeBucketOf(s)] = next;
    if (next >= 0) link[next * stride + this.words + RANGE_PREV] = prev;
  }

  /**
   * Moves the records into a pool of `capacity` records. Growing a pool
   * without free records keeps every record's number, so the chains stay as
   * they are; otherwise the used records are compacted and the chains
   * rebuilt.
   */
  private resize(capacity: number): void {
    const stride = this.stride;
    const old = this.rec;
    const rec = new Uint32Array(Math.max(MIN_CAPACITY, capacity) * stride);
    if (capacity > this.capacity) this.growths++;
    else if (capacity < this.capacity) this.shrinks++;
    if (this.freeHead < 0) {
      rec.set(old.subarray(0, this.highWater * stride));
      this.rec = rec;
      this.link = new Int32Array(rec.buffer);
      return;
    }
    const meta = this.words + META;
    let top = 0;
    for (let s = 0; s < this.highWater; s++) {
      const b = s * stride;
      if ((old[b + meta]! & USED) === 0) continue;
      rec.set(old.subarray(b, b + stride), top * stride);
      top++;
    }
    this.rec = rec;
    this.link = new Int32Array(rec.buffer);
    this.highWater = top;
    this.freeHead = -1;
    let heads = MIN_HEADS;
    while (heads < this.size) heads *= 2;
    this.rebuildChains(heads);
  }

  private rebuildChains(size: number): void {
    this.rebuildExact(size);
    let range = MIN_HEADS;
    while (range * RANGE_LOAD < this.size) range *= 2;
    this.rebuildRange(range);
  }

  private rebuildExact(size: number): void {
    this.heads = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    this.rehashes++;
    const rec = this.rec;
    const stride = this.stride;
    const meta = this.words + META;
    for (let s = 0; s < this.highWater; s++) {
      if ((rec[s * stride + meta]! & USED) !== 0) this.chainExact(s);
    }
  }

  private rebuildRange(size: number): void {
    this.rangeHeads = new Int32Array(size).fill(-1);
    this.rangeMask = size - 1;
    const rec = this.rec;
    const stride = this.stride;
    const meta = this.words + META;
    for (let s = 0; s < this.highWater; s++) {
      if ((rec[s * stride + meta]! & USED) !== 0) this.chainRange(s);
    }
  }
}

/** True if the record at `b` lies inside (w0..w3)/len; its length is known to be >= len. */
function covers(rec: Uint32Array, b: number, words: number, w0: number, w1: number, w2: number, w3: number, len: number): boolean {
  if (((rec[b]! ^ w0) & maskOf(len, 0)) !== 0) return false;
  if (words === 1 || len <= 32) return true;
  return (
    ((rec[b + 1]! ^ w1) & maskOf(len, 1)) === 0 && ((rec[b + 2]! ^ w2) & maskOf(len, 2)) === 0 && ((rec[b + 3]! ^ w3) & maskOf(len, 3)) === 0
  );
}
