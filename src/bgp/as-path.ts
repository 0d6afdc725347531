/**
 * The BGP AS_PATH attribute as an immutable value (RFC 4271 §4.3 and §5.1.2;
 * confederation segments RFC 5065 §3; origin per RFC 6811 §2).
 *
 * Wire grammar (RFC 4271 §4.3, path attribute type code 2), for reference by
 * the UPDATE decoder that will build these:
 *
 *   AS_PATH  = *segment
 *   segment  = type:u8 count:u8 count*asn      ; asn is u16, or u32 with the
 *                                              ; 4-octet AS capability (RFC 6793)
 *   type     = 1 AS_SET | 2 AS_SEQUENCE | 3 AS_CONFED_SEQUENCE | 4 AS_CONFED_SET
 *
 * Text form, as FRR/Quagga print it: a sequence is space-separated ASNs, an
 * AS_SET is `{a,b}`, an AS_CONFED_SEQUENCE is `(a b)`, an AS_CONFED_SET is
 * `[a,b]`. The empty path is the empty string; `[]` is also read as empty,
 * since that is the JSON form and an empty confed set cannot exist.
 *
 * A path holds its segments in wire order: the first ASN of the first segment
 * is the most recently added AS (the neighbour), the last is the origin.
 */
import { type Asn, MAX_ASN, parseAsn } from '../net/asn.js';

export type AsPathSegmentType = 'sequence' | 'set' | 'confed-sequence' | 'confed-set';

export interface AsPathSegment {
  readonly type: AsPathSegmentType;
  /** At least one ASN: a zero-length segment is malformed on the wire. */
  readonly asns: readonly Asn[];
}

/** Wire type codes (RFC 4271 §4.3, RFC 5065 §3). */
export const AS_PATH_SEGMENT_CODE = {
  set: 1,
  sequence: 2,
  'confed-sequence': 3,
  'confed-set': 4,
} as const satisfies Record<AsPathSegmentType, number>;

const TYPE_BY_CODE: readonly (AsPathSegmentType | undefined)[] = [undefined, 'set', 'sequence', 'confed-sequence', 'confed-set'];

/** The segment type for a wire code, or undefined for a code no RFC assigns. */
export function segmentTypeOfCode(code: number): AsPathSegmentType | undefined {
  return TYPE_BY_CODE[code];
}

export class AsPathError extends Error {
  constructor(readonly input: unknown, readonly reason: string) {
    super(`invalid AS_PATH ${typeof input === 'string' ? JSON.stringify(input) : '(segments)'}: ${reason}`);
    this.name = 'AsPathError';
  }
}

/** JSON form: sequence ASNs inline, an AS_SET as a nested array, confed segments as tagged objects. */
export type AsPathJsonElement =
  | number
  | readonly number[]
  | { readonly 'confed-sequence': readonly number[] }
  | { readonly 'confed-set': readonly number[] };

export class AsPath {
  static readonly EMPTY: AsPath = new AsPath(Object.freeze([]));

  private constructor(readonly segments: readonly AsPathSegment[]) {
    Object.freeze(this);
  }

  /**
   * Builds a path from segments, checking that every segment is non-empty and
   * every ASN is a 32-bit unsigned integer.
   *
   * To stay allocation-free for the UPDATE decoder, the segment objects and
   * their `asns` arrays are not copied: the path takes them over and freezes
   * them, so the caller must not keep mutating them.
   */
  static of(segments: readonly AsPathSegment[]): AsPath {
    if (segments.length === 0) return AsPath.EMPTY;
    for (const seg of segments) {
      if (TYPE_BY_CODE.indexOf(seg.type) < 1) throw new AsPathError(segments, `unknown segment type ${String(seg.type)}`);
      if (seg.asns.length === 0) throw new AsPathError(segments, `empty ${seg.type} segment`);
      for (const asn of seg.asns) {
        if (!Number.isInteger(asn) || asn < 0 || asn > MAX_ASN) {
          throw new AsPathError(segments, `ASN ${String(asn)} is not an integer from 0 to ${MAX_ASN}`);
        }
      }
      Object.freeze(seg.asns);
      Object.freeze(seg);
    }
    return new AsPath(Object.freeze(segments));
  }

  /**
   * Like `of`, for a decoder that has already established what `of` checks
   * (segment types from AS_PATH_SEGMENT_CODE, at least one ASN per segment,
   * ASNs read as unsigned 16- or 32-bit integers): skips the per-ASN checks,
   * freezes the same way. Not for data from anywhere else.
   */
  static ofChecked(segments: AsPathSegment[]): AsPath {
    if (segments.length === 0) return AsPath.EMPTY;
    for (const seg of segments) {
      Object.freeze(seg.asns);
      Object.freeze(seg);
    }
    return new AsPath(Object.freeze(segments));
  }

  /** A path of one AS_SEQUENCE (or the empty path for no ASNs). */
  static sequence(asns: readonly Asn[]): AsPath {
    return asns.length === 0 ? AsPath.EMPTY : AsPath.of([{ type: 'sequence', asns }]);
  }

  /** Parses the text form described at the top of this file. */
  static parse(text: string): AsPath {
    return new Parser(text).parse();
  }

  /** Reads the form toJSON() writes. */
  static fromJSON(json: unknown): AsPath {
    if (!Array.isArray(json)) throw new AsPathError(json, 'JSON form must be an array');
    const segments: AsPathSegment[] = [];
    let run: Asn[] | null = null;
    for (const el of json as unknown[]) {
      if (typeof el === 'number') {
        if (run === null) {
          run = [];
          segments.push({ type: 'sequence', asns: run });
        }
        run.push(jsonAsn(json, el));
        continue;
      }
      run = null;
      if (Array.isArray(el)) {
        segments.push({ type: 'set', asns: (el as unknown[]).map((x) => jsonAsn(json, x)) });
      } else if (el !== null && typeof el === 'object' && Object.keys(el).length === 1) {
        const [key, value] = Object.entries(el)[0]!;
        if ((key !== 'confed-sequence' && key !== 'confed-set') || !Array.isArray(value)) {
          throw new AsPathError(json, `unknown JSON segment ${JSON.stringify(el)}`);
        }
        segments.push({ type: key, asns: (value as unknown[]).map((x) => jsonAsn(json, x)) });
      } else {
        throw new AsPathError(json, `unknown JSON segment ${JSON.stringify(el)}`);
      }
    }
    return AsPath.of(segments);
  }

  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  /** True if any segment is an AS_SET; an AS_CONFED_SET is reported by hasConfed instead. */
  get hasAsSet(): boolean {
    for (const seg of this.segments) if (seg.type === 'set') return true;
    return false;
  }

  /** True if any segment is an AS_CONFED_SEQUENCE or AS_CONFED_SET. */
  get hasConfed(): boolean {
    for (const seg of this.segments) if (seg.type === 'confed-sequence' || seg.type === 'confed-set') return true;
    return false;
  }

  equals(other: AsPath): boolean {
    if (this === other) return true;
    if (this.segments.length !== other.segments.length) return false;
    for (let i = 0; i < this.segments.length; i++) {
      const a = this.segments[i]!;
      const b = other.segments[i]!;
      if (a.type !== b.type || a.asns.length !== b.asns.length) return false;
      for (let j = 0; j < a.asns.length; j++) if (a.asns[j] !== b.asns[j]) return false;
    }
    return true;
  }

  toString(): string {
    let out = '';
    for (const seg of this.segments) {
      if (out !== '') out += ' ';
      switch (seg.type) {
        case 'sequence':
          out += seg.asns.join(' ');
          break;
        case 'set':
          out += `{${seg.asns.join(',')}}`;
          break;
        case 'confed-sequence':
          out += `(${seg.asns.join(' ')})`;
          break;
        case 'confed-set':
          out += `[${seg.asns.join(',')}]`;
          break;
      }
    }
    return out;
  }

  toJSON(): AsPathJsonElement[] {
    const out: AsPathJsonElement[] = [];
    for (const seg of this.segments) {
      switch (seg.type) {
        case 'sequence':
          for (const asn of seg.asns) out.push(asn);
          break;
        case 'set':
          out.push([...seg.asns]);
          break;
        case 'confed-sequence':
          out.push({ 'confed-sequence': [...seg.asns] });
          break;
        case 'confed-set':
          out.push({ 'confed-set': [...seg.asns] });
          break;
      }
    }
    return out;
  }
}

/**
 * The route's origin AS per RFC 6811 §2:
 * - the rightmost AS of the final segment if that segment is an AS_SEQUENCE;
 * - the validating speaker's own AS if the final segment is an
 *   AS_CONFED_SEQUENCE or AS_CONFED_SET, or the path is empty (the route was
 *   originated inside this AS or confederation);
 * - NONE (null) otherwise, i.e. when the final segment is an AS_SET.
 *
 * `localAsn` is that speaker's AS. Without it the "own AS" cases also give
 * null, which origin validation turns into Invalid for any covered prefix, so
 * pass it whenever locally originated routes can be evaluated.
 */
export function originOf(path: AsPath, localAsn?: Asn): Asn | null {
  const n = path.segments.length;
  if (n === 0) return localAsn ?? null;
  const last = path.segments[n - 1]!;
  switch (last.type) {
    case 'sequence':
      return last.asns[last.asns.length - 1]!;
    case 'confed-sequence':
    case 'confed-set':
      return localAsn ?? null;
    case 'set':
      return null;
  }
}

function jsonAsn(input: unknown, value: unknown): Asn {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_ASN) {
    throw new AsPathError(input, `ASN ${JSON.stringify(value)} is not an integer from 0 to ${MAX_ASN}`);
  }
  return value as Asn;
}

const CLOSE_OF: Readonly<Record<string, { close: string; type: AsPathSegmentType }>> = {
  '{': { close: '}', type: 'set' },
  '(': { close: ')', type: 'confed-sequence' },
  '[': { close: ']', type: 'confed-set' },
};

/** A single pass over the text; one array per segment, no regexes or splits. */
class Parser {
  private pos = 0;
  private readonly segments: AsPathSegment[] = [];
  private run: Asn[] | null = null;

  constructor(private readonly text: string) {}

  parse(): AsPath {
    const trimmed = this.text.trim();
    if (trimmed === '' || trimmed === '[]') return AsPath.EMPTY;
    const t = this.text;
    for (;;) {
      this.skipSpace();
      if (this.pos >= t.length) break;
      const c = t[this.pos]!;
      const group = CLOSE_OF[c];
      if (group) {
        this.run = null;
        this.pos++;
        this.segments.push({ type: group.type, asns: this.group(c, group.close) });
      } else if (c === ',' || c === '}' || c === ')' || c === ']') {
        throw this.error(`unexpected '${c}'`);
      } else {
        if (this.run === null) {
          this.run = [];
          this.segments.push({ type: 'sequence', asns: this.run });
        }
        this.run.push(this.asn());
      }
    }
    return AsPath.of(this.segments);
  }

  private group(open: string, close: string): Asn[] {
    const t = this.text;
    const asns: Asn[] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= t.length) throw this.error(`unterminated '${open}'`);
      const c = t[this.pos]!;
      if (c === close) {
        this.pos++;
        if (asns.length === 0) throw this.error(`empty '${open}${close}' segment`);
        return asns;
      }
      if (c === ',') {
        // Commas separate members; a leading, doubled or trailing one is a typo.
        if (asns.length === 0) throw this.error(`unexpected ','`);
        this.pos++;
        this.skipSpace();
        const next = t[this.pos];
        if (next === undefined || next === close || next === ',') throw this.error(`unexpected ','`);
        continue;
      }
      if (CLOSE_OF[c] || c === '}' || c === ')' || c === ']') throw this.error(`unexpected '${c}' inside '${open}${close}'`);
      asns.push(this.asn());
    }
  }

  private asn(): Asn {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length && !isDelimiter(t.charCodeAt(this.pos))) this.pos++;
    const token = t.slice(start, this.pos);
    try {
      return parseAsn(token);
    } catch {
      throw this.error(`'${token}' is not an ASN`);
    }
  }

  private skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length && isSpace(t.charCodeAt(this.pos))) this.pos++;
  }

  private error(reason: string): AsPathError {
    return new AsPathError(this.text, `${reason} at offset ${this.pos}`);
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isDelimiter(c: number): boolean {
  // space, tab, LF, CR, ',', '{', '}', '(', ')', '[', ']'
  return isSpace(c) || c === 0x2c || c === 0x7b || c === 0x7d || c === 0x28 || c === 0x29 || c === 0x5b || c === 0x5d;
}
