/**
 * IP prefixes, IPv4 and IPv6, as small immutable values.
 *
 * The address is held as four unsigned 32-bit words, most significant
 * first (IPv4 uses only `w0`), so comparisons and containment tests are a
 * few integer operations and the same words feed the typed-array VRP index
 * without conversion. A Prefix is canonical by construction: host bits set
 * or a length out of range is an error, not something quietly masked, since
 * `192.0.2.1/24` in a VRP file is a mistake the operator must hear about.
 *
 * Text forms: IPv4 dotted quad; IPv6 per RFC 4291 §2.2 (with `::` and an
 * embedded dotted quad), printed in the RFC 5952 §4 canonical form.
 */

export type Afi = 4 | 6;

export class PrefixError extends Error {
  constructor(readonly input: string, reason: string) {
    super(`invalid prefix ${JSON.stringify(input)}: ${reason}`);
    this.name = 'PrefixError';
  }
}

export class Prefix {
  private constructor(
    readonly afi: Afi,
    readonly length: number,
    readonly w0: number,
    readonly w1: number,
    readonly w2: number,
    readonly w3: number,
  ) {
    Object.freeze(this);
  }

  /** Bits in an address of this family: 32 or 128. */
  get maxLength(): number {
    return this.afi === 4 ? 32 : 128;
  }

  /**
   * Builds a prefix from address words. Throws if the length is out of range
   * or any bit past the length is set.
   */
  static fromWords(afi: Afi, length: number, w0: number, w1 = 0, w2 = 0, w3 = 0): Prefix {
    const max = afi === 4 ? 32 : 128;
    if (!Number.isInteger(length) || length < 0 || length > max) {
      throw new PrefixError(describeWords(afi, length, w0, w1, w2, w3), `length must be 0 to ${max}`);
    }
    if (afi === 4 && (w1 | w2 | w3) !== 0) {
      throw new PrefixError(describeWords(afi, length, w0, w1, w2, w3), 'IPv4 uses one word');
    }
    if (hasHostBits(length, w0, w1, w2, w3)) {
      throw new PrefixError(describeWords(afi, length, w0, w1, w2, w3), `host bits set past /${length}`);
    }
    return new Prefix(afi, length, w0 >>> 0, w1 >>> 0, w2 >>> 0, w3 >>> 0);
  }

  /** Like fromWords, but clears host bits instead of refusing them. */
  static masked(afi: Afi, length: number, w0: number, w1 = 0, w2 = 0, w3 = 0): Prefix {
    return Prefix.fromWords(
      afi,
      length,
      w0 & wordMask(length, 0),
      w1 & wordMask(length, 1),
      w2 & wordMask(length, 2),
      w3 & wordMask(length, 3),
    );
  }

  /** Parses `ADDR/LEN`; `ADDR` alone means a host route (/32 or /128). */
  static parse(text: string): Prefix {
    const out = PARSE_SCRATCH;
    const error = parseInto(text, out);
    if (error !== undefined) throw new PrefixError(text, error);
    return new Prefix(out[0] as Afi, out[1]!, out[2]!, out[3]!, out[4]!, out[5]!);
  }

  /** Parses without throwing: the prefix, or an error message. */
  static tryParse(text: string): Prefix | string {
    const out = PARSE_SCRATCH;
    const error = parseInto(text, out);
    if (error !== undefined) return error;
    return new Prefix(out[0] as Afi, out[1]!, out[2]!, out[3]!, out[4]!, out[5]!);
  }

  /** Word `i` (0 = most significant) of the address. */
  word(i: number): number {
    return i === 0 ? this.w0 : i === 1 ? this.w1 : i === 2 ? this.w2 : this.w3;
  }

  /** True if `other` lies inside this prefix (equal counts). */
  covers(other: Prefix): boolean {
    if (other.afi !== this.afi || other.length < this.length) return false;
    const l = this.length;
    return (
      ((other.w0 ^ this.w0) & wordMask(l, 0)) === 0 &&
      ((other.w1 ^ this.w1) & wordMask(l, 1)) === 0 &&
      ((other.w2 ^ this.w2) & wordMask(l, 2)) === 0 &&
      ((other.w3 ^ this.w3) & wordMask(l, 3)) === 0
    );
  }

  equals(other: Prefix): boolean {
    return (
      this.afi === other.afi &&
      this.length === other.length &&
      this.w0 === other.w0 &&
      this.w1 === other.w1 &&
      this.w2 === other.w2 &&
      this.w3 === other.w3
    );
  }

  /** Total order: IPv4 before IPv6, then by address, then shorter first. */
  static compare(a: Prefix, b: Prefix): number {
    return (
      a.afi - b.afi ||
      a.w0 - b.w0 ||
      a.w1 - b.w1 ||
      a.w2 - b.w2 ||
      a.w3 - b.w3 ||
      a.length - b.length
    );
  }

  /** The covering prefix of the given shorter length. */
  truncate(length: number): Prefix {
    if (length > this.length) throw new RangeError(`cannot widen /${this.length} to /${length}`);
    return Prefix.masked(this.afi, length, this.w0, this.w1, this.w2, this.w3);
  }

  /** The address alone, without the length. */
  addressText(): string {
    return this.afi === 4 ? formatV4(this.w0) : formatV6(this.w0, this.w1, this.w2, this.w3);
  }

  toString(): string {
    return `${this.addressText()}/${this.length}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Mask of the network bits of word `i` for a prefix of `length` bits. */
export function wordMask(length: number, i: number): number {
  const bits = length - 32 * i;
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

function hasHostBits(length: number, w0: number, w1: number, w2: number, w3: number): boolean {
  return (
    (w0 & ~wordMask(length, 0)) !== 0 ||
    (w1 & ~wordMask(length, 1)) !== 0 ||
    (w2 & ~wordMask(length, 2)) !== 0 ||
    (w3 & ~wordMask(length, 3)) !== 0
  );
}

function describeWords(afi: Afi, length: number, w0: number, w1: number, w2: number, w3: number): string {
  const addr = afi === 4 ? formatV4(w0 >>> 0) : formatV6(w0 >>> 0, w1 >>> 0, w2 >>> 0, w3 >>> 0);
  return `${addr}/${length}`;
}

// --- parsing -------------------------------------------------------------

/** [afi, length, w0, w1, w2, w3]; reused so parsing allocates nothing. */
const PARSE_SCRATCH = new Uint32Array(6);

/**
 * Parses `text` into `out` ([afi, length, w0..w3]). Returns an error message,
 * or undefined on success. Hand-written because this is on the path of every
 * route read from a text file (a million lines a second is the target).
 */
export function parseInto(text: string, out: Uint32Array): string | undefined {
  return parseRangeInto(text, 0, text.length, out);
}

/** parseInto() for `text[start, end)`, so a line need not be sliced out first. */
export function parseRangeInto(text: string, start: number, end: number, out: Uint32Array): string | undefined {
  let slash = -1;
  let isV6 = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2f /* / */) {
      slash = i;
      break;
    }
    if (c === 0x3a /* : */) isV6 = true;
  }
  const addrEnd = slash < 0 ? end : slash;
  if (addrEnd === start) return isV6 ? 'IPv6 address needs eight groups or "::"' : 'IPv4 address needs four octets';
  const err = isV6 ? parseV6(text, start, addrEnd, out) : parseV4(text, start, addrEnd, out);
  if (err !== undefined) return err;
  const max = isV6 ? 128 : 32;
  let length = max;
  if (slash >= 0) {
    length = 0;
    const n = end - slash - 1;
    if (n < 1 || n > 3) return 'length must be a number after "/"';
    for (let i = slash + 1; i < end; i++) {
      const d = text.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) return 'length must be a number after "/"';
      length = length * 10 + d;
    }
    if (length > max) return `length /${length} exceeds /${max}`;
  }
  out[0] = isV6 ? 6 : 4;
  out[1] = length;
  if (hasHostBits(length, out[2]!, out[3]!, out[4]!, out[5]!)) return `host bits set past /${length}`;
  return undefined;
}

function parseV4(text: string, start: number, end: number, out: Uint32Array): string | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e /* . */) {
      if (digits === 0) return 'empty octet in IPv4 address';
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
      continue;
    }
    const d = c - 0x30;
    if (d < 0 || d > 9) return 'unexpected character in IPv4 address';
    // Leading zeros are refused: "010" is octal to some parsers, decimal to others.
    if (digits === 1 && octet === 0) return 'leading zero in IPv4 octet';
    octet = octet * 10 + d;
    if (octet > 255) return 'IPv4 octet above 255';
    digits++;
  }
  if (digits === 0 || dots !== 3) return 'IPv4 address needs four octets';
  value = value * 256 + octet;
  out[2] = value;
  out[3] = 0;
  out[4] = 0;
  out[5] = 0;
  return undefined;
}

const V6_GROUPS = new Uint16Array(8);

function parseV6(text: string, start: number, end: number, out: Uint32Array): string | undefined {
  const groups = V6_GROUPS;
  groups.fill(0);
  let count = 0; // groups written
  let gap = -1; // index in groups where "::" stood
  let i = start;
  if (end - start >= 2 && text.charCodeAt(i) === 0x3a && text.charCodeAt(i + 1) === 0x3a) {
    gap = 0;
    i += 2;
    if (i === end) return finishV6(groups, count, gap, out);
  } else if (text.charCodeAt(i) === 0x3a) {
    return 'IPv6 address cannot start with a single ":"';
  }
  while (i < end) {
    if (count >= 8) return 'too many groups in IPv6 address';
    // A dotted quad may end the address (RFC 4291 §2.2 form 3).
    let j = i;
    let value = 0;
    let hex = 0;
    let sawDot = false;
    while (j < end) {
      const c = text.charCodeAt(j);
      if (c === 0x3a) break;
      if (c === 0x2e) {
        sawDot = true;
        break;
      }
      const h = hexValue(c);
      if (h < 0) return 'unexpected character in IPv6 address';
      value = value * 16 + h;
      hex++;
      if (hex > 4) return 'IPv6 group longer than four hex digits';
      j++;
    }
    if (sawDot) {
      if (count > 6) return 'embedded IPv4 address does not fit';
      const err = parseV4(text, i, end, out);
      if (err !== undefined) return err;
      groups[count++] = out[2]! >>> 16;
      groups[count++] = out[2]! & 0xffff;
      i = end;
      break;
    }
    if (hex === 0) return 'empty group in IPv6 address';
    groups[count++] = value;
    i = j;
    if (i === end) break;
    // at ':'
    i++;
    if (i < end && text.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return 'more than one "::" in IPv6 address';
      gap = count;
      i++;
      if (i === end) break;
    } else if (i === end) {
      return 'IPv6 address cannot end with a single ":"';
    }
  }
  return finishV6(groups, count, gap, out);
}

function finishV6(groups: Uint16Array, count: number, gap: number, out: Uint32Array): string | undefined {
  if (gap < 0) {
    if (count !== 8) return 'IPv6 address needs eight groups or "::"';
  } else {
    if (count > 7) return '"::" must stand for at least one group';
    const tail = count - gap;
    for (let k = 0; k < tail; k++) {
      groups[7 - k] = groups[count - 1 - k]!;
      groups[count - 1 - k] = 0;
    }
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  out[2] = ((groups[0]! << 16) | groups[1]!) >>> 0;
  out[3] = ((groups[2]! << 16) | groups[3]!) >>> 0;
  out[4] = ((groups[4]! << 16) | groups[5]!) >>> 0;
  out[5] = ((groups[6]! << 16) | groups[7]!) >>> 0;
  return undefined;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

// --- formatting ----------------------------------------------------------

export function formatV4(w: number): string {
  return `${w >>> 24}.${(w >>> 16) & 0xff}.${(w >>> 8) & 0xff}.${w & 0xff}`;
}

/** RFC 5952 §4: lower-case hex, no leading zeros, the longest run of two or
 * more zero groups (the first if tied) shortened to "::". */
export function formatV6(w0: number, w1: number, w2: number, w3: number): string {
  const end = writeV6Ascii(FORMAT_SCRATCH, 0, w0, w1, w2, w3);
  return FORMAT_SCRATCH.toString('latin1', 0, end);
}

const FORMAT_SCRATCH = Buffer.alloc(40);
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * Writes the RFC 5952 text of an IPv6 address as ASCII into `out` at `pos`
 * (at most 39 bytes) and returns the position after it. Output code that
 * prints a million addresses writes bytes, not strings.
 */
export function writeV6Ascii(out: Uint8Array, pos: number, w0: number, w1: number, w2: number, w3: number): number {
  // Find the longest run of two or more zero groups; the first wins a tie.
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i <= 8; i++) {
    const zero = i < 8 && groupOf(i, w0, w1, w2, w3) === 0;
    if (zero && runStart < 0) runStart = i;
    if (!zero && runStart >= 0) {
      if (i - runStart > bestLen) {
        bestStart = runStart;
        bestLen = i - runStart;
      }
      runStart = -1;
    }
  }
  let p = pos;
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out[p++] = 0x3a;
      out[p++] = 0x3a;
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== bestStart + bestLen) out[p++] = 0x3a;
    const g = groupOf(i, w0, w1, w2, w3);
    if (g >= 0x1000) out[p++] = HEX_DIGITS[g >>> 12]!;
    if (g >= 0x100) out[p++] = HEX_DIGITS[(g >>> 8) & 0xf]!;
    if (g >= 0x10) out[p++] = HEX_DIGITS[(g >>> 4) & 0xf]!;
    out[p++] = HEX_DIGITS[g & 0xf]!;
  }
  return p;
}

function groupOf(i: number, w0: number, w1: number, w2: number, w3: number): number {
  const w = i < 2 ? w0 : i < 4 ? w1 : i < 6 ? w2 : w3;
  return (i & 1) === 0 ? w >>> 16 : w & 0xffff;
}
