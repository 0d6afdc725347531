/**
 * A set of VRPs held column-wise in typed arrays, sorted and free of
 * duplicates.
 *
 * A full RPKI set is about 800k VRPs. As JavaScript objects (a Vrp plus its
 * Prefix) that is well over 100 bytes each; here it is 12 bytes per IPv4 VRP
 * and 24 per IPv6 VRP, and the sorted order is what the validation index and
 * the delta between two sets both need, so it is computed once, by an LSD
 * radix sort (linear time, no comparator calls).
 *
 * Order: address words (most significant first), prefix length, ASN,
 * maxLength. Identity for deduplication is (prefix, maxLength, ASN): the
 * trust anchor is provenance only (RFC 8210 §5.6 does the same), and the
 * first trust anchor seen is kept.
 */
import type { Asn } from '../net/asn.js';
import { type Afi, Prefix } from '../net/prefix.js';
import { type Vrp, makeVrp } from './vrp.js';

/** The VRPs of one address family. `words` holds `stride` words per VRP. */
export interface VrpColumns {
  readonly afi: Afi;
  /** Address words per VRP: 1 for IPv4, 4 for IPv6. */
  readonly stride: 1 | 4;
  readonly count: number;
  readonly words: Uint32Array;
  readonly length: Uint8Array;
  readonly maxLength: Uint8Array;
  readonly asn: Uint32Array;
  /** Index into the table's `tas`. */
  readonly ta: Uint16Array;
}

export interface VrpDelta {
  readonly added: VrpTable;
  readonly removed: VrpTable;
}

export class VrpTable {
  /** Use {@link VrpTableBuilder} or {@link VrpTable.from}: columns must be sorted and unique. */
  constructor(
    readonly v4: VrpColumns,
    readonly v6: VrpColumns,
    /** Trust anchor names; columns hold indexes into this list. */
    readonly tas: readonly string[],
  ) {
    Object.freeze(this);
  }

  static readonly EMPTY: VrpTable = new VrpTable(emptyColumns(4), emptyColumns(6), ['']);

  static from(vrps: Iterable<Vrp>): VrpTable {
    const b = new VrpTableBuilder();
    for (const v of vrps) b.add(v);
    return b.build();
  }

  /** The union of several tables (duplicates removed). */
  static union(tables: readonly VrpTable[]): VrpTable {
    if (tables.length === 1) return tables[0]!;
    const b = new VrpTableBuilder();
    for (const t of tables) b.addTable(t);
    return b.build();
  }

  get size(): number {
    return this.v4.count + this.v6.count;
  }

  columns(afi: Afi): VrpColumns {
    return afi === 4 ? this.v4 : this.v6;
  }

  /** The VRP at row `i` of one family's columns, as a domain object. */
  vrpAt(afi: Afi, i: number): Vrp {
    const c = afi === 4 ? this.v4 : this.v6;
    return makeVrp(prefixAt(c, i), c.maxLength[i]!, c.asn[i]! as Asn, this.tas[c.ta[i]!] ?? '');
  }

  /** The prefix of row `i` of one family. */
  prefixAt(afi: Afi, i: number): Prefix {
    return prefixAt(afi === 4 ? this.v4 : this.v6, i);
  }

  /** Every VRP, IPv4 first, in canonical order. */
  *[Symbol.iterator](): IterableIterator<Vrp> {
    for (let i = 0; i < this.v4.count; i++) yield this.vrpAt(4, i);
    for (let i = 0; i < this.v6.count; i++) yield this.vrpAt(6, i);
  }

  /** The VRPs for which `keep` is true, as a new table. */
  filter(keep: (vrp: Vrp) => boolean): VrpTable {
    const b = new VrpTableBuilder();
    for (const v of this) if (keep(v)) b.add(v);
    return b.build();
  }

  /**
   * The rows for which `keep(afi, row)` is true, in their order (so still
   * sorted and unique): no re-sort, for picking part of a change set.
   */
  selectRows(keep: (afi: Afi, row: number) => boolean): VrpTable {
    const pick = (c: VrpColumns): VrpColumns => {
      const rows: number[] = [];
      for (let i = 0; i < c.count; i++) if (keep(c.afi, i)) rows.push(i);
      if (rows.length === c.count) return c;
      const s = c.stride;
      const out = {
        afi: c.afi,
        stride: s,
        count: rows.length,
        words: new Uint32Array(rows.length * s),
        length: new Uint8Array(rows.length),
        maxLength: new Uint8Array(rows.length),
        asn: new Uint32Array(rows.length),
        ta: new Uint16Array(rows.length),
      };
      rows.forEach((r, i) => {
        out.words.set(c.words.subarray(r * s, r * s + s), i * s);
        out.length[i] = c.length[r]!;
        out.maxLength[i] = c.maxLength[r]!;
        out.asn[i] = c.asn[r]!;
        out.ta[i] = c.ta[r]!;
      });
      return out;
    };
    return new VrpTable(pick(this.v4), pick(this.v6), this.tas);
  }

  /** True if both tables hold the same payloads (trust anchors ignored). */
  equals(other: VrpTable): boolean {
    return sameColumns(this.v4, other.v4) && sameColumns(this.v6, other.v6);
  }

  /** What changed from `this` to `next`: VRPs only in `next` are added. */
  delta(next: VrpTable): VrpDelta {
    const added = new VrpTableBuilder();
    const removed = new VrpTableBuilder();
    for (const afi of [4, 6] as const) {
      const a = this.columns(afi);
      const b = next.columns(afi);
      let i = 0;
      let j = 0;
      while (i < a.count || j < b.count) {
        const order = i >= a.count ? 1 : j >= b.count ? -1 : compareRows(a, i, b, j);
        if (order === 0) {
          i++;
          j++;
        } else if (order < 0) {
          removed.addRow(a, i++, this.tas);
        } else {
          added.addRow(b, j++, next.tas);
        }
      }
    }
    return { added: added.build(), removed: removed.build() };
  }

  /**
   * The smallest set of prefixes that covers every VRP prefix of this table,
   * in canonical order. For a delta, the routes whose validity may have
   * changed are exactly those inside these prefixes (a VRP only ever
   * decides routes its prefix covers, RFC 6811 §2).
   */
  coveringPrefixes(): Prefix[] {
    const out: Prefix[] = [];
    for (const afi of [4, 6] as const) {
      const c = this.columns(afi);
      let last: Prefix | undefined;
      for (let i = 0; i < c.count; i++) {
        // Sorted by address then length, so a covering prefix comes before
        // everything it covers, and if the last one kept does not cover this
        // row, no earlier one does.
        if (last && last.length <= c.length[i]! && coversRow(last, c, i)) continue;
        last = prefixAt(c, i);
        out.push(last);
      }
    }
    return out;
  }

  /** Counts for logs and metrics. */
  stats(): { ipv4: number; ipv6: number } {
    return { ipv4: this.v4.count, ipv6: this.v6.count };
  }

  /** The row of `vrp` in its family's columns, or -1. */
  indexOf(vrp: Vrp): number {
    const p = vrp.prefix;
    const four = p.afi === 6;
    const probe: VrpColumns = {
      afi: p.afi,
      stride: four ? 4 : 1,
      count: 1,
      words: four ? Uint32Array.of(p.w0, p.w1, p.w2, p.w3) : Uint32Array.of(p.w0),
      length: Uint8Array.of(p.length),
      maxLength: Uint8Array.of(vrp.maxLength),
      asn: Uint32Array.of(vrp.asn),
      ta: Uint16Array.of(0),
    };
    return this.indexOfRow(probe, 0);
  }

  /**
   * The row of the VRP equal to row `j` of `other` (same family), or -1:
   * a binary search, for checks such as RTR's "withdrawal of an unknown
   * record" on a full set without building a hash of it.
   */
  indexOfRow(other: VrpColumns, j: number): number {
    const c = this.columns(other.afi);
    const at = lowerBoundOf(c, other, j);
    return at < c.count && compareRows(c, at, other, j) === 0 ? at : -1;
  }

  /**
   * This table with `removed` taken out and `added` put in, by one linear
   * merge of sorted columns (no re-sort): applying a small RTR update to a
   * full set costs a copy, not a sort. The caller guarantees that every
   * removed VRP is held and no added one is (RTR's error rules check that).
   */
  withChanges(added: VrpTable, removed: VrpTable): VrpTable {
    if (added.size === 0 && removed.size === 0) return this;
    const tas = [...this.tas];
    const taIds = new Map(tas.map((t, i) => [t, i]));
    const remap = added.tas.map((t) => {
      let id = taIds.get(t);
      if (id === undefined) {
        id = tas.length;
        tas.push(t);
        taIds.set(t, id);
      }
      return id;
    });
    if (tas.length > 0xffff) throw new RangeError('more than 65535 distinct trust anchors');
    const merged = (afi: Afi): VrpColumns => mergeColumns(this.columns(afi), added.columns(afi), removed.columns(afi), remap);
    return new VrpTable(merged(4), merged(6), Object.freeze(tas));
  }
}


/**
 * base - removed + added, all sorted; `remap` maps added's TA ids to the
 * result's. Each change is located in `base` by binary search and the
 * unchanged runs between them are copied with typed-array `set` (a memcpy),
 * so an update of k VRPs to n costs O(k log n) comparisons plus one copy.
 */
function mergeColumns(base: VrpColumns, added: VrpColumns, removed: VrpColumns, remap: readonly number[]): VrpColumns {
  const s = base.stride;
  const n = base.count - removed.count + added.count;
  const out = {
    afi: base.afi,
    stride: s,
    count: n,
    words: new Uint32Array(n * s),
    length: new Uint8Array(n),
    maxLength: new Uint8Array(n),
    asn: new Uint32Array(n),
    ta: new Uint16Array(n),
  };
  let m = 0;
  const copyBase = (from: number, to: number): void => {
    if (to <= from) return;
    out.words.set(base.words.subarray(from * s, to * s), m * s);
    out.length.set(base.length.subarray(from, to), m);
    out.maxLength.set(base.maxLength.subarray(from, to), m);
    out.asn.set(base.asn.subarray(from, to), m);
    out.ta.set(base.ta.subarray(from, to), m);
    m += to - from;
  };
  let src = 0;
  let r = 0;
  let j = 0;
  let nextRemoved = r < removed.count ? positionOf(base, removed, r) : Infinity;
  let nextAdded = j < added.count ? lowerBound(base, added, j) : Infinity;
  while (r < removed.count || j < added.count) {
    if (nextAdded <= nextRemoved) {
      // base[nextAdded] sorts after the added row (it is not held), so the
      // added row goes right before it.
      copyBase(src, nextAdded);
      src = nextAdded;
      for (let k = 0; k < s; k++) out.words[m * s + k] = added.words[j * s + k]!;
      out.length[m] = added.length[j]!;
      out.maxLength[m] = added.maxLength[j]!;
      out.asn[m] = added.asn[j]!;
      out.ta[m] = remap[added.ta[j]!]!;
      m++;
      j++;
      nextAdded = j < added.count ? lowerBound(base, added, j) : Infinity;
    } else {
      copyBase(src, nextRemoved);
      src = nextRemoved + 1;
      r++;
      nextRemoved = r < removed.count ? positionOf(base, removed, r) : Infinity;
    }
  }
  copyBase(src, base.count);
  return out;
}

/** The first row of `c` not ordered before row `j` of `other` (a binary search). */
function lowerBoundOf(c: VrpColumns, other: VrpColumns, j: number): number {
  let lo = 0;
  let hi = c.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareRows(c, mid, other, j) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where an added row goes in `c`; it must not be held already. */
function lowerBound(c: VrpColumns, other: VrpColumns, j: number): number {
  const lo = lowerBoundOf(c, other, j);
  if (lo < c.count && compareRows(c, lo, other, j) === 0) {
    throw new Error('withChanges: an added VRP is already held');
  }
  return lo;
}

/** The row of `c` equal to row `j` of `other`; it must be there. */
function positionOf(c: VrpColumns, other: VrpColumns, j: number): number {
  const lo = lowerBoundOf(c, other, j);
  if (lo >= c.count || compareRows(c, lo, other, j) !== 0) {
    throw new Error('withChanges: a removed VRP was not held');
  }
  return lo;
}

/** Collects VRPs in any order; `build()` sorts and deduplicates them. */
export class VrpTableBuilder {
  private readonly v4 = new GrowableColumns(4);
  private readonly v6 = new GrowableColumns(6);
  private readonly tas: string[] = [''];
  private readonly taIds = new Map<string, number>([['', 0]]);

  get size(): number {
    return this.v4.count + this.v6.count;
  }

  add(vrp: Vrp): void {
    const p = vrp.prefix;
    const cols = p.afi === 4 ? this.v4 : this.v6;
    cols.push(p.w0, p.w1, p.w2, p.w3, p.length, vrp.maxLength, vrp.asn, this.taId(vrp.ta));
  }

  /**
   * Adds a VRP from raw fields, skipping the Vrp/Prefix objects. The caller
   * guarantees what makeVrp would check (no host bits, length <= maxLength
   * <= address bits).
   */
  addFields(afi: Afi, w0: number, w1: number, w2: number, w3: number, length: number, maxLength: number, asn: number, ta: string): void {
    (afi === 4 ? this.v4 : this.v6).push(w0, w1, w2, w3, length, maxLength, asn, this.taId(ta));
  }

  addTable(t: VrpTable): void {
    for (const afi of [4, 6] as const) {
      const c = t.columns(afi);
      for (let i = 0; i < c.count; i++) this.addRow(c, i, t.tas);
    }
  }

  addRow(c: VrpColumns, i: number, tas: readonly string[]): void {
    const s = c.stride;
    const w = c.words;
    const base = i * s;
    const ta = this.taId(tas[c.ta[i]!] ?? '');
    if (s === 1) {
      this.v4.push(w[base]!, 0, 0, 0, c.length[i]!, c.maxLength[i]!, c.asn[i]!, ta);
    } else {
      this.v6.push(w[base]!, w[base + 1]!, w[base + 2]!, w[base + 3]!, c.length[i]!, c.maxLength[i]!, c.asn[i]!, ta);
    }
  }

  /**
   * Sorts and deduplicates. `onDuplicate`, if given, hears of every VRP
   * dropped as a repeat (RTR treats a repeated announcement as an error,
   * RFC 8210 §5.6; an export file does not).
   */
  build(onDuplicate?: (vrp: Vrp) => void): VrpTable {
    if (this.tas.length > 0xffff) throw new RangeError('more than 65535 distinct trust anchors');
    const report = (g: GrowableColumns) =>
      onDuplicate === undefined ? undefined : (r: number) => onDuplicate(growableVrp(g, r, this.tas));
    return new VrpTable(sortedUnique(this.v4, report(this.v4)), sortedUnique(this.v6, report(this.v6)), Object.freeze([...this.tas]));
  }

  private taId(ta: string): number {
    let id = this.taIds.get(ta);
    if (id === undefined) {
      id = this.tas.length;
      this.tas.push(ta);
      this.taIds.set(ta, id);
    }
    return id;
  }
}

// --- column helpers ------------------------------------------------------

function emptyColumns(afi: Afi): VrpColumns {
  return {
    afi,
    stride: afi === 4 ? 1 : 4,
    count: 0,
    words: new Uint32Array(0),
    length: new Uint8Array(0),
    maxLength: new Uint8Array(0),
    asn: new Uint32Array(0),
    ta: new Uint16Array(0),
  };
}

function prefixAt(c: VrpColumns, i: number): Prefix {
  const w = c.words;
  if (c.stride === 1) return Prefix.fromWords(4, c.length[i]!, w[i]!);
  const b = i * 4;
  return Prefix.fromWords(6, c.length[i]!, w[b]!, w[b + 1]!, w[b + 2]!, w[b + 3]!);
}

function coversRow(p: Prefix, c: VrpColumns, i: number): boolean {
  const s = c.stride;
  const b = i * s;
  for (let k = 0; k < s; k++) {
    const bits = p.length - 32 * k;
    if (bits <= 0) return true;
    const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    if (((c.words[b + k]! ^ p.word(k)) & mask) >>> 0 !== 0) return false;
  }
  return true;
}

/** Orders row i of a against row j of b (same family). */
function compareRows(a: VrpColumns, i: number, b: VrpColumns, j: number): number {
  const s = a.stride;
  for (let k = 0; k < s; k++) {
    const d = a.words[i * s + k]! - b.words[j * s + k]!;
    if (d !== 0) return d;
  }
  return a.length[i]! - b.length[j]! || a.asn[i]! - b.asn[j]! || a.maxLength[i]! - b.maxLength[j]!;
}

function sameColumns(a: VrpColumns, b: VrpColumns): boolean {
  if (a.count !== b.count) return false;
  for (let i = 0; i < a.count; i++) if (compareRows(a, i, b, i) !== 0) return false;
  return true;
}

class GrowableColumns {
  count = 0;
  words: Uint32Array;
  length: Uint8Array;
  maxLength: Uint8Array;
  asn: Uint32Array;
  ta: Uint16Array;
  readonly stride: 1 | 4;

  constructor(readonly afi: Afi) {
    this.stride = afi === 4 ? 1 : 4;
    const cap = 1024;
    this.words = new Uint32Array(cap * this.stride);
    this.length = new Uint8Array(cap);
    this.maxLength = new Uint8Array(cap);
    this.asn = new Uint32Array(cap);
    this.ta = new Uint16Array(cap);
  }

  push(w0: number, w1: number, w2: number, w3: number, length: number, maxLength: number, asn: number, ta: number): void {
    if (this.count === this.asn.length) this.grow();
    const i = this.count++;
    if (this.stride === 1) {
      this.words[i] = w0;
    } else {
      const b = i * 4;
      this.words[b] = w0;
      this.words[b + 1] = w1;
      this.words[b + 2] = w2;
      this.words[b + 3] = w3;
    }
    this.length[i] = length;
    this.maxLength[i] = maxLength;
    this.asn[i] = asn;
    this.ta[i] = ta;
  }

  private grow(): void {
    const cap = this.asn.length * 2;
    const words = new Uint32Array(cap * this.stride);
    words.set(this.words);
    this.words = words;
    this.length = growTo(this.length, new Uint8Array(cap));
    this.maxLength = growTo(this.maxLength, new Uint8Array(cap));
    this.asn = growTo(this.asn, new Uint32Array(cap));
    this.ta = growTo(this.ta, new Uint16Array(cap));
  }
}

/** Stable insertion sort of rows[from..to) by (asn, maxLength): runs are a few rows long. */
function insertionSortByAsn(rows: Uint32Array, from: number, to: number, asn: Uint32Array, maxLength: Uint8Array): void {
  for (let i = from + 1; i < to; i++) {
    const r = rows[i]!;
    const a = asn[r]!;
    const x = maxLength[r]!;
    let j = i - 1;
    while (j >= from && (asn[rows[j]!]! > a || (asn[rows[j]!] === a && maxLength[rows[j]!]! > x))) {
      rows[j + 1] = rows[j]!;
      j--;
    }
    rows[j + 1] = r;
  }
}

function growableVrp(g: GrowableColumns, r: number, tas: readonly string[]): Vrp {
  const s = g.stride;
  const w = g.words;
  const prefix =
    s === 1
      ? Prefix.fromWords(4, g.length[r]!, w[r]!)
      : Prefix.fromWords(6, g.length[r]!, w[r * 4]!, w[r * 4 + 1]!, w[r * 4 + 2]!, w[r * 4 + 3]!);
  return makeVrp(prefix, g.maxLength[r]!, g.asn[r]! as Asn, tas[g.ta[r]!] ?? '');
}

function growTo<T extends Uint8Array | Uint16Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * Sorts rows by (words, length, asn, maxLength) and drops repeats, keeping
 * the first row of each, so the first added, and its trust anchor, wins.
 *
 * First an LSD radix sort on (words, length), 16 bits a pass, that carries
 * the key columns it still needs along with the row numbers: every pass
 * reads its digits in sequence (read through the row number instead, each
 * digit is a cache miss on a full set, and the sort takes several times as
 * long). A pass whose digit is the same in every row is skipped (the low
 * words of most IPv6 prefixes are zero). Then the rows equal in (words,
 * length), the few prefixes with more than one VRP, are put in (asn,
 * maxLength) order by an insertion sort of their short run while they are
 * copied out. Both steps are stable.
 */
function sortedUnique(g: GrowableColumns, onDuplicate?: (row: number) => void): VrpColumns {
  const n = g.count;
  const s = g.stride;
  const words = g.words;

  // The columns in the current order: row numbers, and the keys still to sort by.
  let rows: Uint32Array = new Uint32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  const keys: Uint32Array[] = [];
  for (let k = 0; k < s; k++) {
    const col = new Uint32Array(n);
    for (let i = 0; i < n; i++) col[i] = words[i * s + k]!;
    keys.push(col);
  }
  const lengths = new Uint32Array(n);
  for (let i = 0; i < n; i++) lengths[i] = g.length[i]!;
  const counts = new Uint32Array(65537);
  const dest = new Uint32Array(n);
  let free: Uint32Array = new Uint32Array(n);

  /** Moves a column to the order of this pass; its old array is reused by the next move. */
  const move = (from: Uint32Array): Uint32Array => {
    const into = free;
    for (let i = 0; i < n; i++) into[dest[i]!] = from[i]!;
    free = from;
    return into;
  };
  /** One stable pass on bits shift..shift+15 of `digits`; moves `rows` and `carried`. */
  const pass = (digits: Uint32Array, shift: number, carried: Uint32Array[]): void => {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[((digits[i]! >>> shift) & 0xffff) + 1]!++;
    for (let k = 1; k <= 65536; k++) if (counts[k] === n) return; // one digit: nothing to reorder
    for (let k = 1; k <= 65536; k++) counts[k] = counts[k]! + counts[k - 1]!;
    for (let i = 0; i < n; i++) dest[i] = counts[(digits[i]! >>> shift) & 0xffff]!++;
    rows = move(rows);
    for (let c = 0; c < carried.length; c++) carried[c] = move(carried[c]!);
  };

  // Least significant key first: length, then the words from last to
  // first. `carried` holds the words later passes still read.
  const carried = keys;
  pass(lengths, 0, carried);
  for (let k = s - 1; k >= 0; k--) {
    pass(carried[k]!, 0, carried);
    const word = carried.pop()!; // word k: its high half is its last use
    pass(word, 16, carried);
  }

  // Copy out in order, ordering each run of equal (words, length) by
  // (asn, maxLength) and skipping rows equal to the previous one.
  const outWords = new Uint32Array(n * s);
  const outLength = new Uint8Array(n);
  const outMax = new Uint8Array(n);
  const outAsn = new Uint32Array(n);
  const outTa = new Uint16Array(n);
  const sameKey = (a: number, b: number): boolean => {
    if (g.length[a] !== g.length[b]) return false;
    for (let k = 0; k < s; k++) if (words[a * s + k] !== words[b * s + k]) return false;
    return true;
  };
  let m = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && sameKey(rows[i]!, rows[j]!)) j++;
    if (j - i > 1) insertionSortByAsn(rows, i, j, g.asn, g.maxLength);
    for (let q = i; q < j; q++) {
      const r = rows[q]!;
      if (q > i && outAsn[m - 1] === g.asn[r] && outMax[m - 1] === g.maxLength[r]) {
        onDuplicate?.(r);
        continue;
      }
      for (let k = 0; k < s; k++) outWords[m * s + k] = words[r * s + k]!;
      outLength[m] = g.length[r]!;
      outMax[m] = g.maxLength[r]!;
      outAsn[m] = g.asn[r]!;
      outTa[m] = g.ta[r]!;
      m++;
    }
    i = j;
  }
  return {
    afi: g.afi,
    stride: s,
    count: m,
    // Trim to the deduplicated size; slice copies, so the big arrays can go.
    words: m === n ? outWords : outWords.slice(0, m * s),
    length: m === n ? outLength : outLength.slice(0, m),
    maxLength: m === n ? outMax : outMax.slice(0, m),
    asn: m === n ? outAsn : outAsn.slice(0, m),
    ta: m === n ? outTa : outTa.slice(0, m),
  };
}
