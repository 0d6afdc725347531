/**
 * Interned path-attribute sets for the Adj-RIB-In (RFC 4271 §5 attributes,
 * RFC 1997 communities, RFC 4360 extended communities, RFC 8092 large
 * communities; origin AS per RFC 6811 §2).
 *
 * Why: a full table is ~1.2M routes but only ~350k distinct attribute sets
 * (an UPDATE announces many prefixes with one set; a peer's routes share
 * next hop, local preference and a few paths). Holding a PathAttributes
 * object graph per route would cost several hundred bytes each; here every
 * distinct set lives once, as 32-bit words in one growable Uint32Array
 * arena, and a route holds a 32-bit set id.
 *
 * Layout. Per set id, one record of eight 32-bit words in a Uint32Array,
 * so a look-up reads one cache line per candidate:
 *
 *   hash     hash of the set's words
 *   offset   where the words start in the arena
 *   length   how many words
 *   refs     routes holding the set; 0 = the id is free
 *   gen      bumped when the id is freed, so a stale (id, gen) pair is detected
 *   chain    next id in the same hash bucket (or in the free list), signed
 *   origin   the RFC 6811 §2 origin AS of the set's AS_PATH, precomputed,
 *   kind     0 an ASN; 1 NONE (AS_SET last); 2 the validating speaker's own
 *            AS (empty path or confederation segment last), resolved per
 *            peer table since a set is shared by tables of several routers
 *
 * and the encoding in the arena (words, big-endian values):
 *
 *   flags                                 origin attribute, presence bits, LONG, LARGE_TEXT
 *   counts                                short: pathWords | communities << 16,
 *                                                large | extended << 16  (2 words)
 *                                         LONG:  pathWords, communities, large, extended (4 words)
 *   [med] [localPref] [nextHop sid] [linkLocal sid] [aggregator asn, address sid]
 *   path        per segment: count << 2 | (type code - 1), then count ASNs
 *   communities one word each
 *   large       three words each (global, local1, local2); LARGE_TEXT: one sid each
 *   extended    two words each (the 8 octets)
 *   [other]     count, then per attribute: typeCode | flags << 8, byte length, bytes padded to words
 *
 * where a sid is an id in the StringPool (text kept exactly as given).
 * Everything that makes two sets different is in the words, so equality is
 * a word compare; the rare fields (aggregator, unknown attributes) cost
 * nothing when absent, so no side map is needed. Values handed in as views
 * (extended communities, unknown attributes) are copied: a view would keep
 * the whole received message buffer alive.
 *
 * Lookup is a chained hash over the words (heads array sized to a power of
 * two at least the set count). Freed ids go on a free list and are reused;
 * the words of a freed set become garbage in the arena, which is compacted
 * (live sets copied into a fresh buffer, ids unchanged) when garbage
 * outweighs live words, and on growth.
 *
 * Hot path: `acquire()` is called once per announced route. The decoders
 * hand one PathAttributes object to every NLRI of an UPDATE, so the last
 * object seen is remembered and reused without encoding; otherwise the set
 * is encoded into a scratch buffer, hashed and looked up: no allocation
 * unless the set is new. Decoding back to a PathAttributes object is done
 * only on demand (API, alerts).
 */
import { AsPath, type AsPathSegment, AS_PATH_SEGMENT_CODE, segmentTypeOfCode } from '../bgp/as-path.js';
import type { Aggregator, Origin, OtherAttribute, PathAttributes } from '../bgp/attributes.js';
import type { Asn } from '../net/asn.js';
import { StringPool } from './string-pool.js';

/** The origin is NONE (RFC 6811 §2): the AS_PATH ends in an AS_SET. */
export const ORIGIN_NONE = -1;
/** The origin is the validating speaker's own AS (empty AS_PATH, or a confederation segment last). */
export const ORIGIN_LOCAL = -2;

// flags word
const ORIGIN_MASK = 0x3; // 0 igp, 1 egp, 2 incomplete, 3 absent
const F_ATOMIC = 1 << 2;
const F_MED = 1 << 3;
const F_LOCAL_PREF = 1 << 4;
const F_NEXT_HOP = 1 << 5;
const F_LINK_LOCAL = 1 << 6;
const F_AGGREGATOR = 1 << 7;
const F_OTHER = 1 << 8;
const F_LONG = 1 << 9;
const F_LARGE_TEXT = 1 << 10;

const ORIGINS: readonly (Origin | undefined)[] = ['igp', 'egp', 'incomplete', undefined];

/** Segment type by (wire code - 1). */
const SEGMENT_CODE_OF = AS_PATH_SEGMENT_CODE;

export interface AttributeStoreOptions {
  /** Compact the arena only once at least this many words are garbage (and garbage exceeds live words). */
  readonly compactMinGarbageWords?: number;
  /** Initial set-id capacity. */
  readonly initialSets?: number;
  /** Initial arena size in words. */
  readonly initialArenaWords?: number;
}

export interface AttributeStoreStats {
  /** Distinct sets held. */
  readonly sets: number;
  /** Set ids ever allocated (free ones are reused first). */
  readonly idCapacity: number;
  readonly liveWords: number;
  readonly garbageWords: number;
  readonly arenaWords: number;
  /** Distinct strings held (next hops, aggregator addresses, …). */
  readonly strings: number;
  readonly compactions: number;
  /** Sets created (misses) and found (hits, including the last-object shortcut). */
  readonly created: number;
  readonly found: number;
  /** Bytes held in typed arrays. */
  readonly bytes: number;
}

const DEFAULT_COMPACT_MIN_GARBAGE = 1 << 16;

/** The record of a set id. */
const SET_STRIDE = 8;
const S_HASH = 0;
const S_OFFSET = 1;
const S_LENGTH = 2;
const S_REFS = 3;
const S_GEN = 4;
const S_CHAIN = 5;
/** The origin ASN, and its kind: 0 an ASN, 1 NONE, 2 the local AS. */
const S_ORIGIN = 6;
const S_ORIGIN_KIND = 7;

export class AttributeStore {
  private arena: Uint32Array;
  private arenaTop = 0;
  private liveWords = 0;
  private garbageWords = 0;
  private readonly compactMinGarbage: number;

  /** Per set id, one record of SET_STRIDE words (one cache line per look-up); `link` is the same memory, signed. */
  private sets: Uint32Array;
  private link: Int32Array;
  /** Ids handed out so far; ids below it are live or on the free list. */
  private top = 0;
  private freeHead = -1;
  private count = 0;

  private heads: Int32Array;
  private mask: number;

  private readonly strings = new StringPool();
  private scratch = new Uint32Array(256);

  private lastAttrs: PathAttributes | undefined = undefined;
  private lastId = -1;
  private lastGen = 0;

  private compactions = 0;
  private created = 0;
  private found = 0;

  constructor(options: AttributeStoreOptions = {}) {
    this.compactMinGarbage = options.compactMinGarbageWords ?? DEFAULT_COMPACT_MIN_GARBAGE;
    const sets = Math.max(16, options.initialSets ?? 1024);
    this.arena = new Uint32Array(Math.max(64, options.initialArenaWords ?? sets * 16));
    this.sets = new Uint32Array(sets * SET_STRIDE);
    this.link = new Int32Array(this.sets.buffer);
    this.heads = new Int32Array(16).fill(-1);
    this.mask = 15;
  }

  /** Distinct sets held. */
  get size(): number {
    return this.count;
  }

  /**
   * The id of the set equal to `attrs`, with one more reference: interned
   * (created with one reference) if no equal set is held.
   */
  acquire(attrs: PathAttributes): number {
    if (attrs === this.lastAttrs && this.sets[this.lastId * SET_STRIDE + S_GEN] === this.lastGen) {
      this.sets[this.lastId * SET_STRIDE + S_REFS]++;
      this.found++;
      return this.lastId;
    }
    const n = this.encode(attrs);
    const h = hashWords(this.scratch, n);
    let id = this.find(h, n);
    if (id < 0) {
      id = this.create(h, n);
      this.created++;
    } else {
      this.found++;
    }
    this.sets[id * SET_STRIDE + S_REFS]++;
    this.lastAttrs = attrs;
    this.lastId = id;
    this.lastGen = this.sets[id * SET_STRIDE + S_GEN]!;
    return id;
  }

  /** One reference less; the set is freed at zero. */
  release(id: number): void {
    if (this.sets[id * SET_STRIDE + S_REFS] === 0) throw new RangeError(`attribute set ${id} is not held`);
    const left = --this.sets[id * SET_STRIDE + S_REFS]!;
    if (left === 0) this.free(id);
  }

  refCount(id: number): number {
    return id >= 0 && id < this.top ? this.sets[id * SET_STRIDE + S_REFS]! : 0;
  }

  /** The generation of a held id: with the id, names one set even after the id is reused. */
  generation(id: number): number {
    return this.sets[id * SET_STRIDE + S_GEN]!;
  }

  /** True if `id` still names the set it named at generation `gen`. */
  isHeld(id: number, gen: number): boolean {
    return id >= 0 && id < this.top && this.sets[id * SET_STRIDE + S_REFS]! > 0 && this.sets[id * SET_STRIDE + S_GEN] === gen;
  }

  /** The set's origin AS: an ASN, ORIGIN_NONE or ORIGIN_LOCAL. */
  origin(id: number): number {
    const b = id * SET_STRIDE;
    const kind = this.sets[b + S_ORIGIN_KIND]!;
    return kind === 0 ? this.sets[b + S_ORIGIN]! : kind === 1 ? ORIGIN_NONE : ORIGIN_LOCAL;
  }

  /** Decodes a held set back to a (frozen) PathAttributes object. */
  decode(id: number): PathAttributes {
    if (id < 0 || id >= this.top || this.sets[id * SET_STRIDE + S_REFS] === 0) throw new RangeError(`attribute set ${id} is not held`);
    return this.decodeAt(this.sets[id * SET_STRIDE + S_OFFSET]!);
  }

  /** Every held set id (for tests and dumps). */
  *ids(): IterableIterator<number> {
    for (let id = 0; id < this.top; id++) if (this.sets[id * SET_STRIDE + S_REFS]! > 0) yield id;
  }

  stats(): AttributeStoreStats {
    const bytes =
      this.arena.byteLength +
      this.sets.byteLength +
      this.heads.byteLength +
      this.scratch.byteLength;
    return {
      sets: this.count,
      idCapacity: this.top,
      liveWords: this.liveWords,
      garbageWords: this.garbageWords,
      arenaWords: this.arena.length,
      strings: this.strings.size,
      compactions: this.compactions,
      created: this.created,
      found: this.found,
      bytes,
    };
  }

  /** Copies the live sets into a fresh arena now (also done automatically). */
  compact(): void {
    this.relocate(Math.max(64, this.liveWords + (this.liveWords >>> 2)));
  }

  // --- encoding ------------------------------------------------------------

  /** Writes the words of `a` into the scratch buffer; returns how many. */
  private encode(a: PathAttributes): number {
    const segments = a.asPath.segments;
    let pathWords = 0;
    for (let i = 0; i < segments.length; i++) pathWords += 1 + segments[i]!.asns.length;
    const communities = a.communities;
    const large = a.largeCommunities;
    const extended = a.extendedCommunities;
    const others = a.otherAttributes;
    const nc = communities.length;
    const nl = large.length;
    const ne = extended.length;
    let otherWords = 0;
    if (others.length > 0) {
      otherWords = 1;
      for (let i = 0; i < others.length; i++) otherWords += 2 + ((others[i]!.value.length + 3) >>> 2);
    }
    // Checks that can fail come before any string is looked up.
    for (let i = 0; i < ne; i++) {
      if (extended[i]!.length !== 8) {
        throw new TypeError(`extended community ${i} has ${extended[i]!.length} octets; RFC 4360 values are 8`);
      }
    }
    const long = pathWords > 0xffff || nc > 0xffff || nl > 0xffff || ne > 0xffff;
    const size = 5 + 6 + pathWords + nc + 3 * nl + 2 * ne + otherWords;
    if (size > this.scratch.length) this.scratch = new Uint32Array(Math.max(size, this.scratch.length * 2));
    const w = this.scratch;

    let flags = originCode(a.origin);
    if (a.atomicAggregate) flags |= F_ATOMIC;
    let p = 1;
    if (long) {
      flags |= F_LONG;
      w[1] = pathWords;
      w[2] = nc;
      w[3] = nl;
      w[4] = ne;
      p = 5;
    } else {
      w[1] = pathWords | (nc << 16);
      w[2] = nl | (ne << 16);
      p = 3;
    }
    if (a.med !== undefined) {
      flags |= F_MED;
      w[p++] = a.med;
    }
    if (a.localPref !== undefined) {
      flags |= F_LOCAL_PREF;
      w[p++] = a.localPref;
    }
    if (a.nextHop !== undefined) {
      flags |= F_NEXT_HOP;
      w[p++] = this.strings.idOf(a.nextHop);
    }
    if (a.linkLocalNextHop !== undefined) {
      flags |= F_LINK_LOCAL;
      w[p++] = this.strings.idOf(a.linkLocalNextHop);
    }
    const aggregator = a.aggregator;
    if (aggregator !== undefined) {
      flags |= F_AGGREGATOR;
      w[p++] = aggregator.asn;
      w[p++] = this.strings.idOf(aggregator.address);
    }
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      const asns = seg.asns;
      w[p++] = (asns.length << 2) | (SEGMENT_CODE_OF[seg.type] - 1);
      for (let j = 0; j < asns.length; j++) w[p++] = asns[j]!;
    }
    for (let i = 0; i < nc; i++) w[p++] = communities[i]!;
    const largeStart = p;
    for (let i = 0; i < nl; i++) {
      if (!parseLargeCommunity(large[i]!, w, p)) {
        flags |= F_LARGE_TEXT;
        break;
      }
      p += 3;
    }
    if ((flags & F_LARGE_TEXT) !== 0) {
      p = largeStart;
      for (let i = 0; i < nl; i++) w[p++] = this.strings.idOf(large[i]!);
    }
    for (let i = 0; i < ne; i++) {
      const e = extended[i]!;
      w[p++] = ((e[0]! << 24) | (e[1]! << 16) | (e[2]! << 8) | e[3]!) >>> 0;
      w[p++] = ((e[4]! << 24) | (e[5]! << 16) | (e[6]! << 8) | e[7]!) >>> 0;
    }
    if (others.length > 0) {
      flags |= F_OTHER;
      w[p++] = others.length;
      for (let i = 0; i < others.length; i++) {
        const o = others[i]!;
        const v = o.value;
        w[p++] = (o.typeCode & 0xff) | ((o.flags & 0xff) << 8);
        w[p++] = v.length;
        let k = 0;
        for (; k + 4 <= v.length; k += 4) w[p++] = ((v[k]! << 24) | (v[k + 1]! << 16) | (v[k + 2]! << 8) | v[k + 3]!) >>> 0;
        if (k < v.length) {
          let word = 0;
          for (let s = 24; k < v.length; k++, s -= 8) word |= v[k]! << s;
          w[p++] = word >>> 0;
        }
      }
    }
    w[0] = flags;
    return p;
  }

  private decodeAt(start: number): PathAttributes {
    const w = this.arena;
    const flags = w[start]!;
    let p = start + 1;
    let pathWords: number, nc: number, nl: number, ne: number;
    if ((flags & F_LONG) !== 0) {
      pathWords = w[p]!;
      nc = w[p + 1]!;
      nl = w[p + 2]!;
      ne = w[p + 3]!;
      p += 4;
    } else {
      pathWords = w[p]! & 0xffff;
      nc = w[p]! >>> 16;
      nl = w[p + 1]! & 0xffff;
      ne = w[p + 1]! >>> 16;
      p += 2;
    }
    const med = (flags & F_MED) !== 0 ? w[p++]! : undefined;
    const localPref = (flags & F_LOCAL_PREF) !== 0 ? w[p++]! : undefined;
    const nextHop = (flags & F_NEXT_HOP) !== 0 ? this.strings.get(w[p++]!) : undefined;
    const linkLocalNextHop = (flags & F_LINK_LOCAL) !== 0 ? this.strings.get(w[p++]!) : undefined;
    let aggregator: Aggregator | undefined;
    if ((flags & F_AGGREGATOR) !== 0) {
      aggregator = Object.freeze({ asn: w[p]! as Asn, address: this.strings.get(w[p + 1]!) });
      p += 2;
    }
    const segments: AsPathSegment[] = [];
    const pathEnd = p + pathWords;
    while (p < pathEnd) {
      const header = w[p++]!;
      const n = header >>> 2;
      const asns: Asn[] = new Array<Asn>(n);
      for (let j = 0; j < n; j++) asns[j] = w[p + j]! as Asn;
      p += n;
      segments.push({ type: segmentTypeOfCode((header & 3) + 1)!, asns });
    }
    const communities: number[] = new Array<number>(nc);
    for (let i = 0; i < nc; i++) communities[i] = w[p++]!;
    const largeCommunities: string[] = new Array<string>(nl);
    if ((flags & F_LARGE_TEXT) !== 0) {
      for (let i = 0; i < nl; i++) largeCommunities[i] = this.strings.get(w[p++]!);
    } else {
      for (let i = 0; i < nl; i++, p += 3) largeCommunities[i] = `${w[p]}:${w[p + 1]}:${w[p + 2]}`;
    }
    const extendedCommunities: Uint8Array[] = new Array<Uint8Array>(ne);
    for (let i = 0; i < ne; i++, p += 2) {
      const e = new Uint8Array(8);
      putWord(e, 0, w[p]!);
      putWord(e, 4, w[p + 1]!);
      extendedCommunities[i] = e;
    }
    const otherAttributes: OtherAttribute[] = [];
    if ((flags & F_OTHER) !== 0) {
      const n = w[p++]!;
      for (let i = 0; i < n; i++) {
        const header = w[p]!;
        const len = w[p + 1]!;
        p += 2;
        const value = new Uint8Array(len);
        for (let k = 0; k < len; k++) value[k] = (w[p + (k >>> 2)]! >>> (24 - 8 * (k & 3))) & 0xff;
        p += (len + 3) >>> 2;
        otherAttributes.push(Object.freeze({ typeCode: header & 0xff, flags: (header >>> 8) & 0xff, value }));
      }
    }
    return Object.freeze({
      origin: ORIGINS[flags & ORIGIN_MASK],
      asPath: AsPath.of(segments),
      nextHop,
      linkLocalNextHop,
      med,
      localPref,
      atomicAggregate: (flags & F_ATOMIC) !== 0,
      aggregator,
      communities: Object.freeze(communities),
      largeCommunities: Object.freeze(largeCommunities),
      extendedCommunities: Object.freeze(extendedCommunities),
      otherAttributes: Object.freeze(otherAttributes),
    });
  }

  // --- the hash table and the arena ------------------------------------------

  private find(h: number, n: number): number {
    const w = this.scratch;
    const arena = this.arena;
    for (let id = this.heads[h & this.mask]!; id >= 0; id = this.link[id * SET_STRIDE + S_CHAIN]!) {
      if (this.sets[id * SET_STRIDE + S_HASH] !== h || this.sets[id * SET_STRIDE + S_LENGTH] !== n) continue;
      const off = this.sets[id * SET_STRIDE + S_OFFSET]!;
      let i = 0;
      while (i < n && arena[off + i] === w[i]) i++;
      if (i === n) return id;
    }
    return -1;
  }

  /** Stores the scratch words as a new set with no references yet. */
  private create(h: number, n: number): number {
    let id = this.freeHead;
    if (id >= 0) {
      this.freeHead = this.link[id * SET_STRIDE + S_CHAIN]!;
    } else {
      if (this.top * SET_STRIDE === this.sets.length) this.growIds();
      id = this.top++;
    }
    if (this.arenaTop + n > this.arena.length) {
      this.relocate(Math.max(this.liveWords + n + 64, Math.ceil((this.liveWords + n) * 1.5)));
    }
    const off = this.arenaTop;
    this.arena.set(this.scratch.subarray(0, n), off);
    this.arenaTop += n;
    this.liveWords += n;
    this.sets[id * SET_STRIDE + S_OFFSET] = off;
    this.sets[id * SET_STRIDE + S_LENGTH] = n;
    this.sets[id * SET_STRIDE + S_HASH] = h;
    this.sets[id * SET_STRIDE + S_REFS] = 0;
    const origin = originOfWords(this.arena, off);
    this.sets[id * SET_STRIDE + S_ORIGIN] = origin >= 0 ? origin : 0;
    this.sets[id * SET_STRIDE + S_ORIGIN_KIND] = origin >= 0 ? 0 : origin === ORIGIN_NONE ? 1 : 2;
    this.retainStrings(off, 1);
    this.count++;
    if (this.count > this.heads.length) this.rehash(this.heads.length * 2);
    const b = h & this.mask;
    this.link[id * SET_STRIDE + S_CHAIN] = this.heads[b]!;
    this.heads[b] = id;
    return id;
  }

  private free(id: number): void {
    const b = this.sets[id * SET_STRIDE + S_HASH]! & this.mask;
    let cur = this.heads[b]!;
    if (cur === id) {
      this.heads[b] = this.link[id * SET_STRIDE + S_CHAIN]!;
    } else {
      while (this.link[cur * SET_STRIDE + S_CHAIN] !== id) cur = this.link[cur * SET_STRIDE + S_CHAIN]!;
      this.link[cur * SET_STRIDE + S_CHAIN] = this.link[id * SET_STRIDE + S_CHAIN]!;
    }
    this.retainStrings(this.sets[id * SET_STRIDE + S_OFFSET]!, -1);
    const n = this.sets[id * SET_STRIDE + S_LENGTH]!;
    this.liveWords -= n;
    this.garbageWords += n;
    this.sets[id * SET_STRIDE + S_GEN] = (this.sets[id * SET_STRIDE + S_GEN]! + 1) >>> 0;
    this.link[id * SET_STRIDE + S_CHAIN] = this.freeHead;
    this.freeHead = id;
    this.count--;
    if (this.garbageWords >= this.compactMinGarbage && this.garbageWords > this.liveWords) this.compact();
  }

  /** Retains (delta 1) or releases (-1) the strings a set refers to. */
  private retainStrings(start: number, delta: 1 | -1): void {
    const w = this.arena;
    const flags = w[start]!;
    if ((flags & (F_NEXT_HOP | F_LINK_LOCAL | F_AGGREGATOR | F_LARGE_TEXT)) === 0) return;
    let p = start + ((flags & F_LONG) !== 0 ? 5 : 3);
    if ((flags & F_MED) !== 0) p++;
    if ((flags & F_LOCAL_PREF) !== 0) p++;
    if ((flags & F_NEXT_HOP) !== 0) this.touchString(w[p++]!, delta);
    if ((flags & F_LINK_LOCAL) !== 0) this.touchString(w[p++]!, delta);
    if ((flags & F_AGGREGATOR) !== 0) {
      this.touchString(w[p + 1]!, delta);
      p += 2;
    }
    if ((flags & F_LARGE_TEXT) !== 0) {
      let pathWords: number, nc: number, nl: number;
      if ((flags & F_LONG) !== 0) {
        pathWords = w[start + 1]!;
        nc = w[start + 2]!;
        nl = w[start + 3]!;
      } else {
        pathWords = w[start + 1]! & 0xffff;
        nc = w[start + 1]! >>> 16;
        nl = w[start + 2]! & 0xffff;
      }
      p += pathWords + nc;
      for (let i = 0; i < nl; i++) this.touchString(w[p + i]!, delta);
    }
  }

  private touchString(id: number, delta: 1 | -1): void {
    if (delta > 0) this.strings.retain(id);
    else this.strings.release(id);
  }

  /**
   * Copies the live sets into a fresh arena of `capacity` words: in one
   * block when there is no garbage (growth), else set by set in id order
   * (compaction; ids and their records stay, only offsets change).
   */
  private relocate(capacity: number): void {
    const from = this.arena;
    const to = new Uint32Array(Math.max(capacity, this.liveWords));
    if (this.garbageWords === 0) {
      to.set(from.subarray(0, this.arenaTop));
      this.arena = to;
      return;
    }
    const sets = this.sets;
    let top = 0;
    for (let id = 0; id < this.top; id++) {
      const b = id * SET_STRIDE;
      if (sets[b + S_REFS] === 0) continue; // free (create() relocates before it fills a new id)
      const off = sets[b + S_OFFSET]!;
      const n = sets[b + S_LENGTH]!;
      for (let i = 0; i < n; i++) to[top + i] = from[off + i]!;
      sets[b + S_OFFSET] = top;
      top += n;
    }
    this.arena = to;
    this.arenaTop = top;
    this.garbageWords = 0;
    this.compactions++;
  }

  private growIds(): void {
    const sets = new Uint32Array(Math.ceil(this.sets.length / SET_STRIDE * 1.5) * SET_STRIDE);
    sets.set(this.sets);
    this.sets = sets;
    this.link = new Int32Array(sets.buffer);
  }

  private rehash(size: number): void {
    const heads = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let id = 0; id < this.top; id++) {
      if (this.sets[id * SET_STRIDE + S_REFS] === 0) continue; // free, or the id create() links right after
      const b = this.sets[id * SET_STRIDE + S_HASH]! & mask;
      this.link[id * SET_STRIDE + S_CHAIN] = heads[b]!;
      heads[b] = id;
    }
    this.heads = heads;
    this.mask = mask;
  }
}

function originCode(origin: Origin | undefined): number {
  switch (origin) {
    case 'igp':
      return 0;
    case 'egp':
      return 1;
    case 'incomplete':
      return 2;
    default:
      return 3;
  }
}

/** RFC 6811 §2 origin of the encoded AS_PATH of the set at `start`. */
function originOfWords(w: Uint32Array, start: number): number {
  const flags = w[start]!;
  let p = start + 1;
  let pathWords: number;
  if ((flags & F_LONG) !== 0) {
    pathWords = w[p]!;
    p += 4;
  } else {
    pathWords = w[p]! & 0xffff;
    p += 2;
  }
  if ((flags & F_MED) !== 0) p++;
  if ((flags & F_LOCAL_PREF) !== 0) p++;
  if ((flags & F_NEXT_HOP) !== 0) p++;
  if ((flags & F_LINK_LOCAL) !== 0) p++;
  if ((flags & F_AGGREGATOR) !== 0) p += 2;
  if (pathWords === 0) return ORIGIN_LOCAL;
  const end = p + pathWords;
  let last = p;
  while (p < end) {
    last = p;
    p += 1 + (w[p]! >>> 2);
  }
  const header = w[last]!;
  switch ((header & 3) + 1) {
    case AS_PATH_SEGMENT_CODE.sequence:
      return w[last + (header >>> 2)]!;
    case AS_PATH_SEGMENT_CODE.set:
      return ORIGIN_NONE;
    default:
      return ORIGIN_LOCAL; // AS_CONFED_SEQUENCE or AS_CONFED_SET last
  }
}

/**
 * Parses a canonical "global:local1:local2" (decimal, no leading zeros, each
 * at most 2^32 - 1) into w[p..p+2]; false if the text is not in that form.
 */
function parseLargeCommunity(text: string, w: Uint32Array, p: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 0x3a;
    if (c === 0x3a) {
      if (digits === 0 || part > 2) return false;
      w[p + part++] = value;
      value = 0;
      digits = 0;
      continue;
    }
    const d = c - 0x30;
    if (d < 0 || d > 9) return false;
    if (digits === 1 && value === 0) return false; // leading zero
    value = value * 10 + d;
    if (value > 0xffffffff) return false;
    digits++;
  }
  return part === 3;
}

function putWord(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = (v >>> 16) & 0xff;
  out[at + 2] = (v >>> 8) & 0xff;
  out[at + 3] = v & 0xff;
}

/** Murmur3-style hash of w[0..n). */
export function hashWords(w: Uint32Array, n: number): number {
  let h = n ^ 0x9747b28c;
  for (let i = 0; i < n; i++) {
    let k = Math.imul(w[i]!, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
