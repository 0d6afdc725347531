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
 * and, in the arena, the set's words as attribute-words.ts encodes them,
 * with each text field (next hop, aggregator address, a large community not
 * in canonical form) as an id in the StringPool (text kept exactly as
 * given). Values handed in as views (extended communities, unknown
 * attributes) are copied: a view would keep the whole received message
 * buffer alive.
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
import type { PathAttributes } from '../bgp/attributes.js';
import {
  AttributeEncoder,
  ORIGIN_LOCAL,
  ORIGIN_NONE,
  decodeAttributeWords,
  forEachStringWord,
  hashWords,
  originOfWords,
} from './attribute-words.js';
import { StringPool } from './string-pool.js';

export { ORIGIN_LOCAL, ORIGIN_NONE, hashWords };

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
  private readonly encoder = new AttributeEncoder();
  private readonly idOf = (text: string): number => this.strings.idOf(text);
  /** The text table of the words acquireWords() is remapping, and the visitor doing it. */
  private texts: readonly string[] = [];
  private readonly remap = (p: number): void => {
    const w = this.encoder.scratch;
    w[p] = this.strings.idOf(this.texts[w[p]!]!);
  };
  private stringDelta: 1 | -1 = 1;
  private readonly touch = (p: number): void => {
    const id = this.arena[p]!;
    if (this.stringDelta > 0) this.strings.retain(id);
    else this.strings.release(id);
  };

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
    const id = this.intern(this.encoder.encode(attrs, this.idOf));
    this.lastAttrs = attrs;
    this.lastId = id;
    this.lastGen = this.sets[id * SET_STRIDE + S_GEN]!;
    return id;
  }

  /**
   * acquire() for a set already in words (attribute-words.ts), as a BMP
   * decoder thread sends it: w[start, start + n), its sids indexes into
   * `texts`. The words must have passed checkAttributeWords(); `w` is not
   * changed.
   */
  acquireWords(w: Uint32Array, start: number, n: number, texts: readonly string[]): number {
    if (n > this.encoder.scratch.length) this.encoder.scratch = new Uint32Array(Math.max(n, this.encoder.scratch.length * 2));
    const scratch = this.encoder.scratch;
    for (let i = 0; i < n; i++) scratch[i] = w[start + i]!;
    this.texts = texts;
    forEachStringWord(scratch, 0, this.remap);
    this.texts = [];
    this.lastAttrs = undefined;
    return this.intern(n);
  }

  /** One more reference to a held set (another route holds it). */
  retain(id: number): void {
    this.sets[id * SET_STRIDE + S_REFS]++;
  }

  /** The set in the scratch words, found or created, with one more reference. */
  private intern(n: number): number {
    const h = hashWords(this.encoder.scratch, n);
    let id = this.find(h, n);
    if (id < 0) {
      id = this.create(h, n);
      this.created++;
    } else {
      this.found++;
    }
    this.sets[id * SET_STRIDE + S_REFS]++;
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
    return decodeAttributeWords(this.arena, this.sets[id * SET_STRIDE + S_OFFSET]!, (sid) => this.strings.get(sid));
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
      this.encoder.scratch.byteLength;
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

  // --- the hash table and the arena ------------------------------------------

  private find(h: number, n: number): number {
    const w = this.encoder.scratch;
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
    this.arena.set(this.encoder.scratch.subarray(0, n), off);
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
    this.stringDelta = delta;
    forEachStringWord(this.arena, start, this.touch);
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

