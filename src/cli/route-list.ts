/**
 * Reads route lists for `rovd validate --routes`: one `prefix,asn` per line
 * (ASN as `65000`, `AS65000` or asdot), blank lines and `#` comments
 * skipped, CRLF accepted, and a space or tab may stand for the comma.
 *
 * A cursor that reuses one set of fields instead of an object per line:
 * a full table is 1.2 million lines and the target is a million a second.
 */
import { parseAsn } from '../net/asn.js';
import { type Afi, formatV6, parseRangeInto, writeV6Ascii } from '../net/prefix.js';
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
  private prefixStart = 0;
  private prefixEnd = 0;
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

  /** Writes the prefix in canonical form as ASCII (see prefixText()). */
  writePrefix(out: ByteOutput): void {
    out.reserve(48);
    const buf = out.buf;
    let p = out.pos;
    if (this.afi === 6) {
      p = writeV6Ascii(buf, p, this.w0, this.w1, this.w2, this.w3);
      buf[p++] = 0x2f;
      out.pos = p;
      out.uint(this.length);
      return;
    }
    const text = this.text;
    let slash = false;
    for (let i = this.prefixStart; i < this.prefixEnd; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x2f) slash = true;
      buf[p++] = c;
    }
    if (!slash) {
      buf[p++] = 0x2f; // "/32"
      buf[p++] = 0x33;
      buf[p++] = 0x32;
    }
    out.pos = p;
  }

  /** The prefix in canonical text form (RFC 5952 for IPv6). */
  prefixText(): string {
    if (this.afi === 6) return `${formatV6(this.w0, this.w1, this.w2, this.w3)}/${this.length}`;
    // The IPv4 parser refuses leading zeros and host bits, so the input
    // is already canonical; only a bare address needs its /32.
    const given = this.text.slice(this.prefixStart, this.prefixEnd);
    return given.includes('/') ? given : `${given}/32`;
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
