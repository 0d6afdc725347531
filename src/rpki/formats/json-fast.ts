/**
 * A fast path for the one big member of a JSON export, `roas` (RFC 8259
 * grammar, the field rules of json-roas.ts).
 *
 * JSON.parse of a full table (~800k ROAs, ~60 MB) spends most of its time
 * building 800k objects and their strings only for us to read four fields
 * and drop them. Here the `roas` array is scanned in place, straight into
 * the builder's columns, and JSON.parse gets the rest of the document
 * with the array cut down to its first entry (kept so the dialect can be
 * recognised, and read a second time harmlessly: the table deduplicates).
 *
 * The scanner takes only the plain common shape: objects of strings
 * without escapes and integers. Anything else (escapes, fractions,
 * nested values such as jsonext's `source`, a bad field, a syntax error,
 * a second top-level `roas`) makes it give up and return undefined, and
 * the caller parses the whole text the ordinary way, which yields the
 * same result or the precise error. So the fast path never decides that
 * a file is bad; a differential test holds it to JSON.parse.
 */
import { MAX_ASN, parseAsn } from '../../net/asn.js';
import { parseRangeInto } from '../../net/prefix.js';
import type { VrpTableBuilder } from '../vrp-table.js';
import type { EarliestExpiry } from './json-fields.js';

/** The document with `roas` cut to its first entry, for JSON.parse. */
export type Remainder = string;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

class GiveUp {}
const GIVE_UP = new GiveUp();

// The ROA fields the scanner tells apart; every other key is F_OTHER.
const F_OTHER = 0;
const F_PREFIX = 1;
const F_MAX_LENGTH = 2;
const F_ASN = 3;
const F_TA = 4;
const F_EXPIRES = 5;
const F_SOURCE = 6;

/** Which field the key text[start, start+length) names, by length and first char. */
function fieldOf(text: string, start: number, length: number): number {
  const c = text.charCodeAt(start);
  if (length === 6) {
    if (c === 0x70 && text.startsWith('prefix', start)) return F_PREFIX;
    if (c === 0x73 && text.startsWith('source', start)) return F_SOURCE;
  } else if (length === 9) {
    if (c === 0x6d && text.startsWith('maxLength', start)) return F_MAX_LENGTH;
  } else if (length === 3) {
    if (c === 0x61 && text.charCodeAt(start + 1) === 0x73 && text.charCodeAt(start + 2) === 0x6e) return F_ASN;
  } else if (length === 2) {
    if (c === 0x74 && text.charCodeAt(start + 1) === 0x61) return F_TA;
  } else if (length === 7) {
    if (c === 0x65 && text.startsWith('expires', start)) return F_EXPIRES;
  }
  return F_OTHER;
}

/** "AS64496", "as64496" or "64496" at text[start, end); other spellings via parseAsn. */
function asnAt(text: string, start: number, end: number): number {
  let k = start;
  if (end - start > 2 && (text.charCodeAt(k) | 0x20) === 0x61 && (text.charCodeAt(k + 1) | 0x20) === 0x73) k += 2;
  if (end - k >= 1 && end - k <= 10) {
    let value = 0;
    for (; k < end; k++) {
      const d = text.charCodeAt(k) - 0x30;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
    }
    if (k === end) return value;
  }
  try {
    return parseAsn(text.slice(start, end));
  } catch {
    throw GIVE_UP;
  }
}

/**
 * Scans `text`'s top-level `roas` into `builder`; returns the rest of the
 * document to JSON.parse, or undefined if the fast path does not apply.
 */
export function scanRoas(text: string, builder: VrpTableBuilder, expiry: EarliestExpiry): Remainder | undefined {
  try {
    return new Scanner(text, builder, expiry).document();
  } catch (err) {
    if (err === GIVE_UP) return undefined;
    throw err;
  }
}

class Scanner {
  private i = 0;
  private readonly out = new Uint32Array(6);
  private lastTa = '';

  constructor(
    private readonly text: string,
    private readonly builder: VrpTableBuilder,
    private readonly expiry: EarliestExpiry,
  ) {}

  document(): Remainder {
    const t = this.text;
    let cut: [number, number, string] | undefined;
    this.ws();
    this.expect(0x7b);
    this.ws();
    if (t.charCodeAt(this.i) !== 0x7d) {
      for (;;) {
        const keyStart = this.i;
        this.plainString();
        const isRoas = this.i - keyStart === 6 && t.startsWith('"roas"', keyStart);
        this.ws();
        this.expect(COLON);
        this.ws();
        if (isRoas) {
          if (cut) throw GIVE_UP; // JSON.parse would keep only the last one
          const start = this.i;
          const first = this.roaArray();
          cut = [start, this.i, first];
        } else {
          this.skipValue(0);
        }
        this.ws();
        const c = t.charCodeAt(this.i++);
        if (c === COMMA) {
          this.ws();
          continue;
        }
        if (c === 0x7d) break;
        throw GIVE_UP;
      }
    } else {
      this.i++;
    }
    this.ws();
    if (this.i !== t.length || !cut) throw GIVE_UP;
    return `${t.slice(0, cut[0])}[${cut[2]}]${t.slice(cut[1])}`;
  }

  /** The array of ROA objects; returns the text of the first one. */
  private roaArray(): string {
    const t = this.text;
    this.expect(0x5b);
    this.ws();
    if (t.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return '';
    }
    const firstStart = this.i;
    this.roa();
    const first = t.slice(firstStart, this.i);
    for (;;) {
      this.ws();
      const c = t.charCodeAt(this.i++);
      if (c === 0x5d) return first;
      if (c !== COMMA) throw GIVE_UP;
      this.ws();
      this.roa();
    }
  }

  /**
   * One {asn, prefix, maxLength[, ta][, expires]} object into the builder.
   * Written as one loop over a local index: this runs 800k times, and
   * keeping the position out of `this` and the key tests on char codes
   * makes it several times faster than small helper calls.
   */
  private roa(): void {
    const t = this.text;
    let i = this.i;
    if (t.charCodeAt(i++) !== 0x7b) throw GIVE_UP;
    // Where the prefix string lies: parsed in place, never sliced out, so
    // 800k ROAs allocate no strings (the young-generation GC was a third of
    // the load time).
    let prefixStart = -1;
    let prefixEnd = -1;
    let maxLength = -1;
    let asn = -1;
    let ta = '';
    let expires = -1; // the last one counts, as in JSON.parse
    for (;;) {
      let c = t.charCodeAt(i);
      while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++i);
      // The key. An escaped one could spell a field name, so none is taken.
      if (c !== QUOTE) throw GIVE_UP;
      const ks = i + 1;
      let ke = ks;
      for (let d = t.charCodeAt(ke); d !== QUOTE; d = t.charCodeAt(++ke)) {
        if (d === BACKSLASH || d < 0x20 || d !== d) throw GIVE_UP;
      }
      const key = fieldOf(t, ks, ke - ks);
      i = ke + 1;
      c = t.charCodeAt(i);
      while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++i);
      if (c !== COLON) throw GIVE_UP;
      c = t.charCodeAt(++i);
      while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++i);

      if (c === QUOTE) {
        const vs = i + 1;
        let ve = vs;
        for (let d = t.charCodeAt(ve); d !== QUOTE; d = t.charCodeAt(++ve)) {
          if (d === BACKSLASH || d < 0x20 || d !== d) throw GIVE_UP;
        }
        i = ve + 1;
        if (key === F_PREFIX) {
          prefixStart = vs;
          prefixEnd = ve;
        }
        else if (key === F_ASN) asn = asnAt(t, vs, ve);
        else if (key === F_TA) ta = this.taAt(vs, ve);
        else if (key !== F_OTHER) throw GIVE_UP; // a string maxLength, expires or source
      } else {
        const ns = i;
        let v = 0;
        for (let d = c - 0x30; d >= 0 && d <= 9; d = t.charCodeAt(++i) - 0x30) v = v * 10 + d;
        const digits = i - ns;
        if (digits === 0 || digits > 15 || (digits > 1 && c === 0x30)) throw GIVE_UP;
        const e = t.charCodeAt(i);
        if (e === 0x2e || e === 0x65 || e === 0x45) throw GIVE_UP;
        if (key === F_MAX_LENGTH) maxLength = v;
        else if (key === F_ASN) asn = v;
        else if (key === F_EXPIRES) expires = v;
        else if (key !== F_OTHER) throw GIVE_UP; // a numeric prefix, ta or source
      }

      c = t.charCodeAt(i);
      while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++i);
      i++;
      if (c === 0x7d) break;
      if (c !== COMMA) throw GIVE_UP;
    }
    this.i = i;
    const out = this.out;
    if (prefixStart < 0 || asn < 0 || asn > MAX_ASN || parseRangeInto(t, prefixStart, prefixEnd, out) !== undefined) throw GIVE_UP;
    const length = out[1]!;
    if (maxLength < length || maxLength > (out[0] === 4 ? 32 : 128)) throw GIVE_UP;
    if (expires >= 0) this.expiry.noteSeconds(expires);
    this.builder.addFields(out[0] === 4 ? 4 : 6, out[2]!, out[3]!, out[4]!, out[5]!, length, maxLength, asn, ta);
  }

  /** The trust anchor: nearly always the same as the last one, so reuse it. */
  private taAt(start: number, end: number): string {
    const last = this.lastTa;
    if (end - start === last.length && this.text.startsWith(last, start)) return last;
    this.lastTa = this.text.slice(start, end);
    return this.lastTa;
  }

  /** A string without escapes or control characters, as its value. */
  private plainString(): string {
    const t = this.text;
    const start = this.i + 1;
    this.expect(QUOTE);
    for (;;) {
      const c = t.charCodeAt(this.i++);
      if (c === QUOTE) return t.slice(start, this.i - 1);
      if (c === BACKSLASH || c < 0x20 || Number.isNaN(c)) throw GIVE_UP;
    }
  }

  /** Skips a string, escapes allowed (their validity is JSON.parse's business). */
  private skipString(): void {
    const t = this.text;
    this.expect(QUOTE);
    for (;;) {
      const c = t.charCodeAt(this.i++);
      if (c === QUOTE) return;
      if (c === BACKSLASH) this.i++;
      else if (Number.isNaN(c)) throw GIVE_UP;
    }
  }

  /** Skips any value outside `roas`; JSON.parse checks it later. */
  private skipValue(depth: number): void {
    const t = this.text;
    if (depth > 64) throw GIVE_UP;
    const c = t.charCodeAt(this.i);
    if (c === QUOTE) return this.skipString();
    if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      this.i++;
      for (;;) {
        this.ws();
        const d = t.charCodeAt(this.i);
        if (d === close) {
          this.i++;
          return;
        }
        if (d === COMMA || d === COLON) this.i++;
        else this.skipValue(depth + 1);
      }
    }
    // A number or literal: runs to the next delimiter.
    const start = this.i;
    while (this.i < t.length && !/[\s,:\]}[{"]/.test(t[this.i]!)) this.i++;
    if (this.i === start) throw GIVE_UP;
  }

  private ws(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.i++;
    }
  }

  private expect(code: number): void {
    if (this.text.charCodeAt(this.i) !== code) throw GIVE_UP;
    this.i++;
  }
}
