/**
 * RTR serial numbers: 32-bit, compared by serial number arithmetic
 * (RFC 1982 §3.2, as RFC 8210 §5.3 requires), so 0 follows 4294967295. A
 * plain `<` would make a cache that wrapped around look as if it went back
 * in time.
 */

/** True if `a` is before `b` in RFC 1982 order (undefined for a gap of exactly 2^31). */
export function serialBefore(a: number, b: number): boolean {
  const d = (b - a) >>> 0;
  return d !== 0 && d < 0x80000000;
}

/** The serial after `s`. */
export function serialNext(s: number): number {
  return (s + 1) >>> 0;
}
