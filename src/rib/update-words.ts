/**
 * One BGP UPDATE as 32-bit words: what Rib.applyWords() needs of a decoded
 * UPDATE (RFC 4271 §4.3, RFC 4760 MP NLRI, RFC 7911 path ids, RFC 4724 §2
 * End-of-RIB), without a Prefix, Nlri or PathAttributes object. A BMP
 * decoder thread writes it from decodeUpdate()'s result (so every RFC 7606
 * outcome is the decoder's, unchanged), the main thread reads it straight
 * out of the transferred buffer.
 *
 *   0   flags           bit 0: the UPDATE has path attributes
 *   1   endOfRib        afi << 16 | safi (RFC 4724 §2), 0 when not a marker
 *   2   attrWords       n (0 without attributes)
 *   3   withdrawn       count of withdrawn entries
 *   4   announced       count of announced entries
 *   5   attributes      n words, attribute-words.ts (sids index the sender's text table)
 *       entries         withdrawn ones, then announced ones:
 *         head            prefix length (bits 0-7) | IPV6 (bit 8)
 *         pathId          RFC 7911 path identifier, 0 without ADD-PATH
 *         address         1 word (IPv4) or 4 (IPv6), host bits clear
 *
 * The RFC 4271 §4.3 rule (a prefix both withdrawn and announced in one
 * UPDATE is announced) is applied when writing: such a prefix is left out
 * of the withdrawn entries. A treat-as-withdraw UPDATE (RFC 7606) arrives
 * here as decodeUpdate() reports it: its NLRI withdrawn, nothing announced.
 */
import type { BgpUpdate, Nlri } from '../bgp/update.js';
import { ParseError } from '../wire/parse-error.js';
import type { WordBuffer } from '../wire/word-buffer.js';
import { type AttributeEncoder, checkAttributeWords } from './attribute-words.js';

export const UW_FLAGS = 0;
export const UW_END_OF_RIB = 1;
export const UW_ATTR_WORDS = 2;
export const UW_WITHDRAWN = 3;
export const UW_ANNOUNCED = 4;
export const UW_HEADER = 5;
export const UW_HAS_ATTRIBUTES = 1;
/** Entry head bit: an IPv6 prefix. */
export const UW_IPV6 = 0x100;

/**
 * Appends `update` as words. Text fields of the attributes become
 * `idOf(text)`. Throws what the encoder throws (an extended community that
 * is not 8 octets, RFC 4360) before anything is appended.
 */
export function writeUpdateWords(out: WordBuffer, update: BgpUpdate, encoder: AttributeEncoder, idOf: (text: string) => number): void {
  const attrs = update.attributes;
  const nAttr = attrs === undefined ? 0 : encoder.encode(attrs, idOf);
  const announced = update.announced;
  let withdrawn = update.withdrawn;
  if (announced.length > 0 && withdrawn.length > 0) {
    // RFC 4271 §4.3: withdrawn and announced in one UPDATE counts as announced.
    const keys = new Set(announced.map(nlriKey));
    withdrawn = withdrawn.filter((n) => !keys.has(nlriKey(n)));
  }
  const words = UW_HEADER + nAttr + entryWords(withdrawn) + entryWords(announced);
  const w = out.reserve(words);
  let p = out.length;
  w[p + UW_FLAGS] = attrs === undefined ? 0 : UW_HAS_ATTRIBUTES;
  const eor = update.endOfRib;
  w[p + UW_END_OF_RIB] = eor === undefined ? 0 : (((eor.afi & 0xffff) << 16) | (eor.safi & 0xffff)) >>> 0;
  w[p + UW_ATTR_WORDS] = nAttr;
  w[p + UW_WITHDRAWN] = withdrawn.length;
  w[p + UW_ANNOUNCED] = announced.length;
  p += UW_HEADER;
  const scratch = encoder.scratch;
  for (let i = 0; i < nAttr; i++) w[p + i] = scratch[i]!;
  p += nAttr;
  p = writeEntries(w, p, withdrawn);
  p = writeEntries(w, p, announced);
  out.length = p;
}

function entryWords(list: readonly Nlri[]): number {
  let n = 0;
  for (let i = 0; i < list.length; i++) n += list[i]!.prefix.afi === 4 ? 3 : 6;
  return n;
}

function writeEntries(w: Uint32Array, p: number, list: readonly Nlri[]): number {
  for (let i = 0; i < list.length; i++) {
    const { prefix, pathId } = list[i]!;
    if (prefix.afi === 4) {
      w[p] = prefix.length;
      w[p + 1] = pathId;
      w[p + 2] = prefix.w0;
      p += 3;
    } else {
      w[p] = prefix.length | UW_IPV6;
      w[p + 1] = pathId;
      w[p + 2] = prefix.w0;
      w[p + 3] = prefix.w1;
      w[p + 4] = prefix.w2;
      w[p + 5] = prefix.w3;
      p += 6;
    }
  }
  return p;
}

function nlriKey(n: Nlri): string {
  return `${n.prefix.toString()} ${n.pathId >>> 0}`;
}

/**
 * Checks the UPDATE words at w[start] against w's end `end` and a text
 * table of `sids` entries: header, attributes (checkAttributeWords), and
 * every entry (length within the family, host bits clear, inside `end`).
 * Returns the index after it; throws ParseError (malformed, with the
 * field) otherwise. The RIB reads words only after this passed.
 */
export function checkUpdateWords(w: Uint32Array, start: number, end: number, sids: number, base = 0): number {
  const fail = (field: string, at: number, reason: string): ParseError =>
    new ParseError({ kind: 'malformed', field: `rib.updateWords.${field}`, offset: base + at * 4, reason });
  if (end > w.length || start + UW_HEADER > end) throw fail('header', start, 'cut short');
  const flags = w[start + UW_FLAGS]!;
  if ((flags & ~UW_HAS_ATTRIBUTES) !== 0) throw fail('flags', start, `unknown bits ${flags.toString(16)}`);
  const nAttr = w[start + UW_ATTR_WORDS]!;
  if ((nAttr > 0) !== (flags === UW_HAS_ATTRIBUTES)) throw fail('attrWords', start, 'does not agree with the flags');
  let p = start + UW_HEADER;
  if (nAttr > 0) {
    if (nAttr > end - p) throw fail('attributes', p, `${nAttr} words overrun the record`);
    const why = checkAttributeWords(w, p, nAttr, sids);
    if (why !== undefined) throw fail('attributes', p, why);
    p += nAttr;
  }
  const entries = w[start + UW_WITHDRAWN]! + w[start + UW_ANNOUNCED]!;
  for (let i = 0; i < entries; i++) {
    if (p + 3 > end) throw fail('entry', p, 'cut short');
    const head = w[p]!;
    const len = head & 0xff;
    if ((head & ~(0xff | UW_IPV6)) !== 0) throw fail('entry.head', p, `unknown bits ${head.toString(16)}`);
    if ((head & UW_IPV6) === 0) {
      if (len > 32) throw fail('entry.length', p, `IPv4 length ${len}`);
      if (len < 32 && (w[p + 2]! & (0xffffffff >>> len)) !== 0) throw fail('entry.address', p, 'host bits set');
      p += 3;
      continue;
    }
    if (p + 6 > end) throw fail('entry', p, 'cut short');
    if (len > 128) throw fail('entry.length', p, `IPv6 length ${len}`);
    for (let k = 0; k < 4; k++) {
      const bits = len - 32 * k;
      if (bits >= 32) continue;
      const host = bits <= 0 ? 0xffffffff : 0xffffffff >>> bits;
      if ((w[p + 2 + k]! & host) !== 0) throw fail('entry.address', p, 'host bits set');
    }
    p += 6;
  }
  return p;
}
