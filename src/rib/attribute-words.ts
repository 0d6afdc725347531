/**
 * The word encoding of one path-attribute set (RFC 4271 §5 attributes,
 * RFC 1997 communities, RFC 4360 extended communities, RFC 8092 large
 * communities; origin AS per RFC 6811 §2): what the attribute store
 * (attribute-store.ts) keeps in its arena, and what a BMP decoder thread
 * hands the main thread (src/bmp/route-batch.ts), so the RIB interns a set
 * without a PathAttributes object ever existing on the main thread.
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
 * A sid names a text field (next hop, aggregator address, a large community
 * not in canonical form): in the store an id of its StringPool, in a batch
 * an index into the batch's text table; forEachStringWord() finds them so
 * one can be turned into the other. Everything that makes two sets
 * different is in the words, so equality is a word compare.
 */
import { AsPath, type AsPathSegment, AS_PATH_SEGMENT_CODE, segmentTypeOfCode } from '../bgp/as-path.js';
import type { Aggregator, Origin, OtherAttribute, PathAttributes } from '../bgp/attributes.js';
import type { Asn } from '../net/asn.js';

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
const F_ALL = (1 << 11) - 1;
const F_STRINGS = F_NEXT_HOP | F_LINK_LOCAL | F_AGGREGATOR | F_LARGE_TEXT;

const ORIGINS: readonly (Origin | undefined)[] = ['igp', 'egp', 'incomplete', undefined];

/** Segment type by (wire code - 1). */
const SEGMENT_CODE_OF = AS_PATH_SEGMENT_CODE;

/** Encodes PathAttributes into words, in a scratch buffer it reuses (grown when a set needs more). */
export class AttributeEncoder {
  scratch = new Uint32Array(256);

  /** Writes the words of `a` into `scratch`; returns how many. Text fields become `idOf(text)`. */
  encode(a: PathAttributes, idOf: (text: string) => number): number {
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
      w[p++] = idOf(a.nextHop);
    }
    if (a.linkLocalNextHop !== undefined) {
      flags |= F_LINK_LOCAL;
      w[p++] = idOf(a.linkLocalNextHop);
    }
    const aggregator = a.aggregator;
    if (aggregator !== undefined) {
      flags |= F_AGGREGATOR;
      w[p++] = aggregator.asn;
      w[p++] = idOf(aggregator.address);
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
      for (let i = 0; i < nl; i++) w[p++] = idOf(large[i]!);
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
}

/**
 * The counts after the flags word: AS path words, communities, large and
 * extended communities, as four words (F_LONG) or four halves of two; then
 * where the next field starts. Written into COUNTS, not returned, so the
 * decoders allocate nothing per set.
 */
const COUNTS = new Uint32Array(5);

function readCounts(w: Uint32Array, p: number, flags: number): void {
  if ((flags & F_LONG) !== 0) {
    COUNTS[0] = w[p]!;
    COUNTS[1] = w[p + 1]!;
    COUNTS[2] = w[p + 2]!;
    COUNTS[3] = w[p + 3]!;
    COUNTS[4] = p + 4;
  } else {
    COUNTS[0] = w[p]! & 0xffff;
    COUNTS[1] = w[p]! >>> 16;
    COUNTS[2] = w[p + 1]! & 0xffff;
    COUNTS[3] = w[p + 1]! >>> 16;
    COUNTS[4] = p + 2;
  }
}

/** Decodes the set whose words start at w[start]; text fields through `text(id)`. */
export function decodeAttributeWords(w: Uint32Array, start: number, text: (id: number) => string): PathAttributes {
  const flags = w[start]!;
  readCounts(w, start + 1, flags);
  const pathWords = COUNTS[0]!;
  const nc = COUNTS[1]!;
  const nl = COUNTS[2]!;
  const ne = COUNTS[3]!;
  let p = COUNTS[4]!;
  const med = (flags & F_MED) !== 0 ? w[p++]! : undefined;
  const localPref = (flags & F_LOCAL_PREF) !== 0 ? w[p++]! : undefined;
  const nextHop = (flags & F_NEXT_HOP) !== 0 ? text(w[p++]!) : undefined;
  const linkLocalNextHop = (flags & F_LINK_LOCAL) !== 0 ? text(w[p++]!) : undefined;
  let aggregator: Aggregator | undefined;
  if ((flags & F_AGGREGATOR) !== 0) {
    aggregator = Object.freeze({ asn: w[p]! as Asn, address: text(w[p + 1]!) });
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
    for (let i = 0; i < nl; i++) largeCommunities[i] = text(w[p++]!);
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

/**
 * Calls `visit(position)` for every word of the set at w[start] that holds
 * a sid, in order. The set must be well formed (checkAttributeWords).
 */
export function forEachStringWord(w: Uint32Array, start: number, visit: (position: number) => void): void {
  const flags = w[start]!;
  if ((flags & F_STRINGS) === 0) return;
  let p = start + ((flags & F_LONG) !== 0 ? 5 : 3);
  if ((flags & F_MED) !== 0) p++;
  if ((flags & F_LOCAL_PREF) !== 0) p++;
  if ((flags & F_NEXT_HOP) !== 0) visit(p++);
  if ((flags & F_LINK_LOCAL) !== 0) visit(p++);
  if ((flags & F_AGGREGATOR) !== 0) {
    visit(p + 1);
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
    for (let i = 0; i < nl; i++) visit(p + i);
  }
}

/**
 * Checks that w[start, start + n) is one well-formed set whose sids are
 * below `sids`: every count fits in n exactly, path segments tile the path
 * words with 1+ ASNs and a known type. Returns why not, or undefined. For
 * words that crossed a thread boundary: the store trusts its own.
 */
export function checkAttributeWords(w: Uint32Array, start: number, n: number, sids: number): string | undefined {
  if (start < 0 || n < 3 || start + n > w.length) return `${n} words at ${start} do not fit`;
  const end = start + n;
  const flags = w[start]!;
  if ((flags & ~F_ALL) !== 0) return `unknown flag bits ${flags.toString(16)}`;
  if ((flags & F_LONG) !== 0 && n < 5) return 'LONG counts cut short';
  readCounts(w, start + 1, flags);
  const pathWords = COUNTS[0]!;
  const nc = COUNTS[1]!;
  const nl = COUNTS[2]!;
  const ne = COUNTS[3]!;
  let p = COUNTS[4]!;
  const sid = (q: number): boolean => q < end && w[q]! < sids;
  if ((flags & F_MED) !== 0) p++;
  if ((flags & F_LOCAL_PREF) !== 0) p++;
  if ((flags & F_NEXT_HOP) !== 0 && !sid(p++)) return 'next hop text out of range';
  if ((flags & F_LINK_LOCAL) !== 0 && !sid(p++)) return 'link-local next hop text out of range';
  if ((flags & F_AGGREGATOR) !== 0) {
    if (!sid(p + 1)) return 'aggregator address text out of range';
    p += 2;
  }
  const pathEnd = p + pathWords;
  if (pathEnd > end) return 'AS_PATH words overrun the set';
  while (p < pathEnd) {
    const header = w[p]!;
    const count = header >>> 2;
    if (count === 0 || p + 1 + count > pathEnd) return 'AS_PATH segment does not fit';
    p += 1 + count;
  }
  p += nc;
  if ((flags & F_LARGE_TEXT) !== 0) {
    for (let i = 0; i < nl; i++) if (!sid(p + i)) return 'large community text out of range';
    p += nl;
  } else {
    p += 3 * nl;
  }
  p += 2 * ne;
  if (p > end) return 'communities overrun the set';
  if ((flags & F_OTHER) !== 0) {
    if (p >= end) return 'other attributes cut short';
    const count = w[p++]!;
    for (let i = 0; i < count; i++) {
      if (p + 2 > end) return 'other attribute header cut short';
      const len = w[p + 1]!;
      p += 2 + Math.ceil(len / 4);
      if (p > end) return 'other attribute overruns the set';
    }
  }
  return p === end ? undefined : `${end - p} words left over`;
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
export function originOfWords(w: Uint32Array, start: number): number {
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
