/**
 * Reads route lists for `rovd validate --routes`: one `prefix,asn` per line
 * (ASN as `65000`, `AS65000` or asdot), blank lines and `#` comments
 * skipped, CRLF accepted, and a space or tab may stand for the comma.
 *
 * A cursor that reuses one set of fields instead of an object per line
 * (a full table is 1.2 million lines and the target is a million a second),
 * and RouteList, which keeps what the cursor read in typed arrays so the
 * routes can be read while the VRPs load on another thread.
 */
import { type Asn, parseAsn } from '../net/asn.js';
import { type Afi, Prefix, formatV6, parseRangeInto, writeV6Ascii } from '../net/prefix.js';
import type { RovState } from '../rov/validity.js';
import type { VrpIndex } from '../rov/vrp-index.js';
import type { ByteOutput } from './output.js';

export class RouteListError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${source}:${line}: ${reason}`);
    this.name = 'RouteListError';
  }
}

export class RouteCursor {
  /** 1-based line number of the current route. */
  line = 0;
  afi: Afi = 4;
  length = 0;
  w0 = 0;
  w1 = 0;
  w2 = 0;
  w3 = 0;
  origin = 0;

  private pos = 0;
  private lineNo = 0;
  /** Where the current prefix lies in the text. */
  prefixStart = 0;
  prefixEnd = 0;
  private readonly scratch = new Uint32Array(6);

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  /** Moves to the next route; false at the end. Throws RouteListError. */
  next(): boolean {
    const text = this.text;
    const n = text.length;
    while (this.pos < n) {
      let end = text.indexOf('\n', this.pos);
      if (end < 0) end = n;
      const start = this.pos;
      this.pos = end + 1;
      this.lineNo++;
      let stop = end;
      if (stop > start && text.charCodeAt(stop - 1) === 0x0d) stop--;
      // Skip leading blanks; skip blank and comment lines.
      let a = start;
      while (a < stop && isBlank(text.charCodeAt(a))) a++;
      if (a === stop || text.charCodeAt(a) === 0x23 /* # */) continue;
      let b = stop;
      while (b > a && isBlank(text.charCodeAt(b - 1))) b--;
      this.parseLine(a, b);
      return true;
    }
    return false;
  }

  private parseLine(a: number, b: number): void {
    const text = this.text;
    let sep = a;
    while (sep < b) {
      const c = text.charCodeAt(sep);
      if (c === 0x2c /* , */ || isBlank(c)) break;
      sep++;
    }
    if (sep === b) this.fail('expected "prefix,asn"');
    this.prefixStart = a;
    this.prefixEnd = sep;
    const error = parseRangeInto(text, a, sep, this.scratch);
    if (error !== undefined) this.fail(`invalid prefix ${JSON.stringify(text.slice(a, sep))}: ${error}`);
    let s = sep + 1;
    while (s < b && (isBlank(text.charCodeAt(s)) || text.charCodeAt(s) === 0x2c)) s++;
    this.origin = this.asnAt(s, b);
    const out = this.scratch;
    this.afi = out[0] as Afi;
    this.length = out[1]!;
    this.w0 = out[2]!;
    this.w1 = out[3]!;
    this.w2 = out[4]!;
    this.w3 = out[5]!;
    this.line = this.lineNo;
  }

  /** Fast path for plain and AS-prefixed decimals; parseAsn for the rest. */
  private asnAt(s: number, b: number): number {
    const text = this.text;
    let i = s;
    if (b - i >= 2 && (text.charCodeAt(i) | 0x20) === 0x61 && (text.charCodeAt(i + 1) | 0x20) === 0x73) i += 2;
    let value = 0;
    const digitsStart = i;
    for (; i < b; i++) {
      const d = text.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
    }
    if (i === b && i > digitsStart && i - digitsStart <= 10 && value <= 4294967295) return value;
    const field = text.slice(s, b);
    try {
      return parseAsn(field);
    } catch (err) {
      this.fail(err instanceof Error ? err.message : String(err));
    }
  }

  private fail(reason: string): never {
    throw new RouteListError(this.source, this.lineNo, reason);
  }
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Every route of a list, in input order, held in typed arrays. */
export class RouteList {
  private constructor(
    private readonly text: string,
    readonly count: number,
    /** 4 or 6 per route. */
    readonly afi: Uint8Array,
    readonly length: Uint8Array,
    /** Four address words per route. */
    readonly words: Uint32Array,
    readonly origin: Uint32Array,
    /** Where each prefix lies in the text, to print it as given. */
    private readonly textStart: Uint32Array,
    private readonly textEnd: Uint32Array,
  ) {}

  /** Reads every line; throws RouteListError at the first bad one. */
  static parse(text: string, source: string): RouteList {
    let lines = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    const afi = new Uint8Array(lines);
    const length = new Uint8Array(lines);
    const words = new Uint32Array(lines * 4);
    const origin = new Uint32Array(lines);
    const textStart = new Uint32Array(lines);
    const textEnd = new Uint32Array(lines);
    const c = new RouteCursor(text, source);
    let n = 0;
    while (c.next()) {
      afi[n] = c.afi;
      length[n] = c.length;
      const b = n * 4;
      words[b] = c.w0;
      words[b + 1] = c.w1;
      words[b + 2] = c.w2;
      words[b + 3] = c.w3;
      origin[n] = c.origin;
      textStart[n] = c.prefixStart;
      textEnd[n] = c.prefixEnd;
      n++;
    }
    return new RouteList(text, n, afi, length, words, origin, textStart, textEnd);
  }

  validate(index: VrpIndex, i: number): RovState {
    const b = i * 4;
    const w = this.words;
    return this.afi[i] === 4
      ? index.validateV4(w[b]!, this.length[i]!, this.origin[i]!)
      : index.validateV6(w[b]!, w[b + 1]!, w[b + 2]!, w[b + 3]!, this.length[i]!, this.origin[i]!);
  }

  prefix(i: number): Prefix {
    const b = i * 4;
    const w = this.words;
    return Prefix.fromWords(this.afi[i] as Afi, this.length[i]!, w[b]!, w[b + 1]!, w[b + 2]!, w[b + 3]!);
  }

  originAsn(i: number): Asn {
    return this.origin[i]! as Asn;
  }

  /** The prefix in canonical text form (RFC 5952 for IPv6). */
  prefixText(i: number): string {
    const b = i * 4;
    const w = this.words;
    if (this.afi[i] === 6) return `${formatV6(w[b]!, w[b + 1]!, w[b + 2]!, w[b + 3]!)}/${this.length[i]}`;
    // The IPv4 parser refuses leading zeros and host bits, so the input
    // is already canonical; only a bare address needs its /32.
    const given = this.text.slice(this.textStart[i], this.textEnd[i]);
    return given.includes('/') ? given : `${given}/32`;
  }

  /** Writes prefixText(i) as ASCII bytes, without making the string. */
  writePrefix(out: ByteOutput, i: number): void {
    out.reserve(48);
    const buf = out.buf;
    let p = out.pos;
    if (this.afi[i] === 6) {
      const b = i * 4;
      const w = this.words;
      p = writeV6Ascii(buf, p, w[b]!, w[b + 1]!, w[b + 2]!, w[b + 3]!);
      buf[p++] = 0x2f;
      out.pos = p;
      out.uint(this.length[i]!);
      return;
    }
    const text = this.text;
    let slash = false;
    for (let k = this.textStart[i]!, end = this.textEnd[i]!; k < end; k++) {
      const ch = text.charCodeAt(k);
      if (ch === 0x2f) slash = true;
      buf[p++] = ch;
    }
    if (!slash) {
      buf[p++] = 0x2f; // "/32"
      buf[p++] = 0x33;
      buf[p++] = 0x32;
    }
    out.pos = p;
  }
}
