/**
 * NLRI prefixes: the IPv4 Withdrawn Routes and NLRI fields of an UPDATE
 * (RFC 4271 §4.3) and the NLRI of MP_REACH_NLRI / MP_UNREACH_NLRI
 * (RFC 4760 §5), with the optional ADD-PATH Path Identifier (RFC 7911 §3).
 *
 *   nlri   = [path-id:u32] length:u8 prefix:ceil(length/8)   ; path-id only with ADD-PATH
 *
 * Errors (RFC 7606 §5.3): a length above 32 (IPv4) or 128 (IPv6), or an entry
 * that overruns the field, makes the field syntactically incorrect and the
 * session must be reset: a {@link BgpUpdateError}.
 *
 * Host bits. RFC 4271 §4.3 says of the Prefix field: "followed by enough
 * trailing bits to make the end of the field fall on an octet boundary. Note
 * that the value of trailing bits is irrelevant." RFC 4760 §5 repeats the
 * sentence for MP NLRI. Bits past the length are therefore not an error: they
 * are masked (Prefix.masked), the way routers treat them, and the NLRI keeps
 * the canonical prefix (bgpdump's `nlri_mask_trailing_bits` does the same).
 *
 * This is the hot path of a full-table ingest: each entry is read straight
 * into address words, one Prefix and one Nlri object per entry, no strings.
 */
import { Prefix } from '../net/prefix.js';
import type { Nlri } from './update.js';
import { malformedUpdate, truncated } from './update-error.js';

/**
 * Reads every entry of `buf[start, end)` into `out`. `afi` 1 = IPv4, 2 = IPv6.
 * `base` is the stream offset of `buf[0]`.
 */
export function readNlri(
  buf: Uint8Array,
  start: number,
  end: number,
  afi: number,
  addPath: boolean,
  out: Nlri[],
  field: string,
  base: number,
): void {
  const v6 = afi === 2;
  const max = v6 ? 128 : 32;
  let p = start;
  while (p < end) {
    let pathId = 0;
    if (addPath) {
      if (end - p < 5) throw truncated(`${field}.pathId`, base + p, 5, end - p);
      pathId = ((buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!) >>> 0;
      p += 4;
    }
    const len = buf[p]!;
    if (len > max) throw malformedUpdate(`${field}.length`, base + p, `prefix length ${len} exceeds ${max}`);
    p++;
    const n = (len + 7) >> 3;
    if (end - p < n) throw truncated(`${field}.prefix`, base + p, n, end - p);
    let prefix: Prefix;
    if (!v6) {
      let w = 0;
      // Bytes past n are zero; shifts build the word most significant first.
      if (n > 0) w = buf[p]! << 24;
      if (n > 1) w |= buf[p + 1]! << 16;
      if (n > 2) w |= buf[p + 2]! << 8;
      if (n > 3) w |= buf[p + 3]!;
      // Host bits cleared here (RFC 4271 §4.3, above), so fromWords accepts the word.
      prefix = Prefix.fromWords(4, len, len === 0 ? 0 : (w & (0xffffffff << (32 - len))) >>> 0);
    } else {
      prefix = Prefix.masked(6, len, word(buf, p, n, 0), word(buf, p, n, 4), word(buf, p, n, 8), word(buf, p, n, 12));
    }
    p += n;
    out.push({ prefix, pathId });
  }
}

/** The 32-bit word at byte `at` of a prefix of `n` bytes starting at `p` (missing bytes are zero). */
function word(buf: Uint8Array, p: number, n: number, at: number): number {
  if (n <= at) return 0;
  if (n >= at + 4) return ((buf[p + at]! << 24) | (buf[p + at + 1]! << 16) | (buf[p + at + 2]! << 8) | buf[p + at + 3]!) >>> 0;
  let w = buf[p + at]! << 24;
  if (n > at + 1) w |= buf[p + at + 1]! << 16;
  if (n > at + 2) w |= buf[p + at + 2]! << 8;
  return w >>> 0;
}

/**
 * Counts the entries of an NLRI field of another AFI/SAFI whose entries are
 * length-prefixed in bits (unicast, multicast, labeled unicast RFC 8277,
 * VPN RFC 4364: the length covers labels and RD too). Returns -1 when the
 * entries do not tile the field exactly (then the caller counts 1 per
 * attribute). Nothing is decoded.
 */
export function countBitLengthNlri(buf: Uint8Array, start: number, end: number, addPath: boolean): number {
  let p = start;
  let count = 0;
  while (p < end) {
    if (addPath) p += 4;
    if (p >= end) return -1;
    p += 1 + ((buf[p]! + 7) >> 3);
    count++;
  }
  return p === end ? count : -1;
}
