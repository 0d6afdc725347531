/**
 * Validated ROA Payload (RFC 6811 §1, RFC 6482): a prefix, the longest
 * announcement length it authorises, and the origin AS. The trust anchor is
 * kept only as provenance: two VRPs that differ only in trust anchor are the
 * same payload (as RTR, RFC 8210 §5.6, treats them).
 */
import { type Asn, formatAsn, parseAsn } from '../net/asn.js';
import { Prefix } from '../net/prefix.js';

export interface Vrp {
  readonly prefix: Prefix;
  readonly maxLength: number;
  readonly asn: Asn;
  /** Trust anchor name as the source gave it; '' when unknown. */
  readonly ta: string;
}

export class VrpError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'VrpError';
  }
}

/** Builds a VRP, checking maxLength against the prefix (RFC 6482 §3.3). */
export function makeVrp(prefix: Prefix, maxLength: number, asn: Asn, ta = ''): Vrp {
  if (!Number.isInteger(maxLength) || maxLength < prefix.length || maxLength > prefix.maxLength) {
    throw new VrpError(
      `maxLength ${maxLength} out of range for ${prefix.toString()} (must be ${prefix.length} to ${prefix.maxLength})`,
    );
  }
  return Object.freeze({ prefix, maxLength, asn, ta });
}

/** Parses text fields as found in JSON/CSV exports. */
export function parseVrp(prefix: string, maxLength: unknown, asn: unknown, ta = ''): Vrp {
  const p = Prefix.parse(prefix);
  const max = maxLength === undefined || maxLength === null ? p.length : Number(maxLength);
  return makeVrp(p, max, parseAsn(asn), ta);
}

/** Same payload: prefix, maxLength and ASN (trust anchor ignored). */
export function sameVrp(a: Vrp, b: Vrp): boolean {
  return a.asn === b.asn && a.maxLength === b.maxLength && a.prefix.equals(b.prefix);
}

/** Canonical order: prefix, then ASN, then maxLength. */
export function compareVrps(a: Vrp, b: Vrp): number {
  return Prefix.compare(a.prefix, b.prefix) || a.asn - b.asn || a.maxLength - b.maxLength;
}

/** `AS65000 192.0.2.0/24-24` style, for logs and text output. */
export function formatVrp(v: Vrp): string {
  return `${formatAsn(v.asn)} ${v.prefix.toString()}-${v.maxLength}`;
}

/** Routinator's `json` shape for one VRP. */
export function vrpToJson(v: Vrp): { asn: string; prefix: string; maxLength: number; ta: string } {
  return { asn: formatAsn(v.asn), prefix: v.prefix.toString(), maxLength: v.maxLength, ta: v.ta };
}
