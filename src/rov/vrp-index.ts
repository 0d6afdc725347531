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
 * Everything lives in typed arrays that share the sorted VrpTable's columns
 * (ASN, maxLength): about 800k VRPs cost some tens of megabytes, not the
 * hundreds an object per VRP or per trie node would. An index is immutable;
 * a new VRP set gets a new index (see Validator for the atomic swap).
 */
import type { Asn } from '../net/asn.js';
import type { Afi, Prefix } from '../net/prefix.js';
import type { Vrp } from '../rpki/vrp.js';
import type { VrpColumns, VrpTable } from '../rpki/vrp-table.js';
import { type RouteValidity, RovState, rovStateName } from './validity.js';

/** Origin NONE (RFC 6811 §2): the origin could not be determined. */
export const ORIGIN_NONE = -1;

/** MASK[l]: the first `l` bits of a 32-bit word set (as a signed int32). */
const MASK = new Int32Array(33);
for (let l = 1; l <= 32; l++) MASK[l] = (0xffffffff << (32 - l)) | 0;

/** The forest of distinct VRP prefixes of one address family. */
interface PrefixForest {
  readonly count: number;
  /** Address words of each distinct prefix (`stride` per prefix). */
  readonly words: Uint32Array;
  readonly length: Uint8Array;
  /** Index of the nearest covering distinct prefix, or -1. */
  readonly parent: Int32Array;
  /** Rows of the VRP table for prefix u: first[u] .. first[u+1]-1. */
  readonly first: Uint32Array;
}

export class VrpIndex {
  private readonly v4: PrefixForest;
  private readonly v6: PrefixForest;
  private readonly asn4: Uint32Array;
  private readonly max4: Uint8Array;
  private readonly asn6: Uint32Array;
  private readonly max6: Uint8Array;

  private constructor(readonly table: VrpTable) {
    this.v4 = buildForest(table.v4);
    this.v6 = buildForest(table.v6);
    this.asn4 = table.v4.asn;
    this.max4 = table.v4.maxLength;
    this.asn6 = table.v6.asn;
    this.max6 = table.v6.maxLength;
  }

  static build(table: VrpTable): VrpIndex {
    return new VrpIndex(table);
  }

  get size(): number {
    return this.table.size;
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
    const f = this.v4;
    const words = f.words;
    const lens = f.length;
    let lo = 0;
    let hi = f.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const w = words[mid]!;
      if (w < address || (w === address && lens[mid]! <= length)) lo = mid + 1;
      else hi = mid;
    }
    let u = lo - 1;
    const parent = f.parent;
    while (u >= 0) {
      const l = lens[u]!;
      if (l <= length && ((address ^ words[u]!) & MASK[l]!) === 0) break;
      u = parent[u]!;
    }
    if (u < 0) return RovState.NotFound;
    // RFC 6483 §4 / RFC 7607: an AS0 VRP never matches, and no route with
    // origin 0 can be valid, so origin 0 skips the match loop entirely.
    if (origin > 0) {
      const first = f.first;
      const asn = this.asn4;
      const max = this.max4;
      for (; u >= 0; u = parent[u]!) {
        for (let r = first[u]!, end = first[u + 1]!; r < end; r++) {
          if (asn[r] === origin && length <= max[r]!) return RovState.Valid;
        }
      }
    }
    return RovState.Invalid;
  }

  /** IPv6 fast path: the address as four unsigned 32-bit words. */
  validateV6(w0: number, w1: number, w2: number, w3: number, length: number, origin: number): RovState {
    const f = this.v6;
    const words = f.words;
    const lens = f.length;
    let lo = 0;
    let hi = f.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = mid * 4;
      let d = words[b]! - w0;
      if (d === 0) d = words[b + 1]! - w1;
      if (d === 0) d = words[b + 2]! - w2;
      if (d === 0) d = words[b + 3]! - w3;
      if (d < 0 || (d === 0 && lens[mid]! <= length)) lo = mid + 1;
      else hi = mid;
    }
    let u = lo - 1;
    const parent = f.parent;
    while (u >= 0) {
      const l = lens[u]!;
      if (l <= length && coversV6(words, u * 4, l, w0, w1, w2, w3)) break;
      u = parent[u]!;
    }
    if (u < 0) return RovState.NotFound;
    if (origin > 0) {
      const first = f.first;
      const asn = this.asn6;
      const max = this.max6;
      for (; u >= 0; u = parent[u]!) {
        for (let r = first[u]!, end = first[u + 1]!; r < end; r++) {
          if (asn[r] === origin && length <= max[r]!) return RovState.Valid;
        }
      }
    }
    return RovState.Invalid;
  }

  /** Every VRP whose prefix covers `prefix`, most specific first. */
  covering(prefix: Prefix): Vrp[] {
    const out: Vrp[] = [];
    const f = prefix.afi === 4 ? this.v4 : this.v6;
    for (let u = this.deepestCovering(prefix); u >= 0; u = f.parent[u]!) {
      for (let r = f.first[u]!; r < f.first[u + 1]!; r++) out.push(this.table.vrpAt(prefix.afi, r));
    }
    return out;
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

  /** Bytes held in typed arrays (index and the VRP table it shares). */
  byteSize(): number {
    const forest = (f: PrefixForest) =>
      f.words.byteLength + f.length.byteLength + f.parent.byteLength + f.first.byteLength;
    const columns = (c: VrpColumns) =>
      c.words.byteLength + c.length.byteLength + c.maxLength.byteLength + c.asn.byteLength + c.ta.byteLength;
    return forest(this.v4) + forest(this.v6) + columns(this.table.v4) + columns(this.table.v6);
  }

  /** Counts for logs and metrics. */
  stats(): { ipv4Vrps: number; ipv6Vrps: number; ipv4Prefixes: number; ipv6Prefixes: number } {
    return {
      ipv4Vrps: this.table.v4.count,
      ipv6Vrps: this.table.v6.count,
      ipv4Prefixes: this.v4.count,
      ipv6Prefixes: this.v6.count,
    };
  }

  /** Index of the most specific distinct VRP prefix covering `prefix`, or -1. */
  private deepestCovering(prefix: Prefix): number {
    const afi: Afi = prefix.afi;
    const f = afi === 4 ? this.v4 : this.v6;
    const s = afi === 4 ? 1 : 4;
    let lo = 0;
    let hi = f.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      let d = 0;
      for (let k = 0; k < s && d === 0; k++) d = f.words[mid * s + k]! - prefix.word(k);
      if (d < 0 || (d === 0 && f.length[mid]! <= prefix.length)) lo = mid + 1;
      else hi = mid;
    }
    let u = lo - 1;
    while (u >= 0) {
      const l = f.length[u]!;
      if (l <= prefix.length && coversWords(f.words, u * s, s, l, prefix)) return u;
      u = f.parent[u]!;
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
  return {
    count: m,
    words: words.slice(0, m * s),
    length: length.slice(0, m),
    parent: parent.slice(0, m),
    first: first.slice(0, m + 1),
  };
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
