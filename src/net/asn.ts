/**
 * Autonomous System numbers: 32-bit unsigned (RFC 6793), written `AS65000`,
 * `65000` or in asdot `1.10` (RFC 5396 §2: high.low, meaning 1 * 65536 + 10).
 *
 * An Asn is a plain number at run time (no allocation on hot paths); the
 * brand keeps a raw count or port from being passed where an ASN is meant.
 */

export type Asn = number & { readonly __brand: 'Asn' };

export const MAX_ASN = 4294967295;

/** AS 0 (RFC 7607): reserved, never a valid origin; used by AS0 ROAs. */
export const AS0 = 0 as Asn;

export class AsnError extends Error {
  constructor(readonly input: unknown, reason: string) {
    super(`invalid ASN ${JSON.stringify(input)}: ${reason}`);
    this.name = 'AsnError';
  }
}

/** Accepts a number, a decimal string, `AS…`/`as…`, or asdot `hi.lo`. */
export function parseAsn(input: unknown): Asn {
  if (typeof input === 'number') {
    if (Number.isInteger(input) && input >= 0 && input <= MAX_ASN) return input as Asn;
    throw new AsnError(input, `must be an integer from 0 to ${MAX_ASN}`);
  }
  if (typeof input !== 'string') throw new AsnError(input, 'must be a number or a string');
  let text = input.trim();
  if (text.length >= 2 && (text.charCodeAt(0) | 0x20) === 0x61 && (text.charCodeAt(1) | 0x20) === 0x73) {
    text = text.slice(2); // "AS" or "as"
  }
  const dot = text.indexOf('.');
  if (dot >= 0) {
    const hi = decimal(text.slice(0, dot), 65535);
    const lo = decimal(text.slice(dot + 1), 65535);
    if (hi === undefined || lo === undefined) {
      throw new AsnError(input, 'asdot form needs two numbers from 0 to 65535');
    }
    return (hi * 65536 + lo) as Asn;
  }
  const value = decimal(text, MAX_ASN);
  if (value === undefined) throw new AsnError(input, `must be a number from 0 to ${MAX_ASN}, optionally prefixed with AS`);
  return value as Asn;
}

/** `AS65000`, the form Routinator and most tools print. */
export function formatAsn(asn: Asn): string {
  return `AS${asn}`;
}

/** Strict decimal: digits only (no sign, no spaces inside), value <= max. */
function decimal(text: string, max: number): number | undefined {
  const n = text.length;
  if (n === 0 || n > 10) return undefined;
  let value = 0;
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return undefined;
    value = value * 10 + d;
  }
  return value <= max ? value : undefined;
}
