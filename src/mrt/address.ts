/**
 * IP addresses and prefixes as MRT records carry them: a 4- or 16-octet
 * address (RFC 6396 §4.2, §4.3.1, §4.4), and the length-prefixed, truncated
 * prefix of the TABLE_DUMP_V2 RIB header (RFC 6396 §4.3.2, the same
 * encoding as BGP NLRI, RFC 4271 §4.3). Text form per RFC 5952.
 */
import { Prefix, formatV4, formatV6 } from '../net/prefix.js';
import type { BinaryReader } from '../wire/reader.js';

/** An IPv4 (`v6` false) or IPv6 address in text form. */
export function readAddress(r: BinaryReader, v6: boolean, field: string): string {
  if (!v6) return formatV4(r.u32(field));
  r.need(16, field);
  return formatV6(r.u32(field), r.u32(field), r.u32(field), r.u32(field));
}

/**
 * `length:u8 prefix:ceil(length/8)`. A length above 32 / 128 is malformed;
 * bits past the length are masked, as RFC 4271 §4.3 calls them irrelevant.
 */
export function readTruncatedPrefix(r: BinaryReader, v6: boolean, field: string): Prefix {
  const max = v6 ? 128 : 32;
  const length = r.u8(`${field}.length`);
  if (length > max) r.malformed(`${field}.length`, `prefix length ${length} exceeds ${max}`);
  const bytes = r.bytes((length + 7) >> 3, `${field}.prefix`);
  if (!v6) return Prefix.masked(4, length, wordAt(bytes, 0));
  return Prefix.masked(6, length, wordAt(bytes, 0), wordAt(bytes, 4), wordAt(bytes, 8), wordAt(bytes, 12));
}

/** The address of a full 4- or 16-octet prefix field (TABLE_DUMP §4.2). */
export function readFullPrefix(r: BinaryReader, v6: boolean, field: string): { w0: number; w1: number; w2: number; w3: number } {
  if (!v6) return { w0: r.u32(field), w1: 0, w2: 0, w3: 0 };
  r.need(16, field);
  return { w0: r.u32(field), w1: r.u32(field), w2: r.u32(field), w3: r.u32(field) };
}

/** Big-endian word at `at` of a short byte string; missing bytes are zero. */
function wordAt(b: Uint8Array, at: number): number {
  const n = b.length;
  if (n <= at) return 0;
  let w = b[at]! << 24;
  if (n > at + 1) w |= b[at + 1]! << 16;
  if (n > at + 2) w |= b[at + 2]! << 8;
  if (n > at + 3) w |= b[at + 3]!;
  return w >>> 0;
}
