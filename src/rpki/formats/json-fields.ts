/**
 * Field readers shared by the JSON export dialects (Routinator `json` and
 * `jsonext`, rpki-client `-j`, StayRTR/OctoRPKI `rpki.json`, bare arrays).
 *
 * The dialects agree on the fields and disagree on their spelling: an ASN
 * is 13335, "AS13335" or "13335"; a trust anchor is `ta` or buried in
 * jsonext's `source[].tal`; times are unix seconds or ISO 8601. These
 * readers accept every spelling seen in the wild and nothing looser, and
 * never throw on the hot path: they return a sentinel and the caller
 * raises one RpkiFormatError naming the entry.
 */
import { MAX_ASN, parseAsn } from '../../net/asn.js';
import { RpkiFormatError } from './rpki-file.js';

/** Not a valid ASN (valid ones are 0 to 2^32-1). */
export const BAD_ASN = -1;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short rendering of a bad value for an error message. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Raises the file's one error type; `never` lets callers narrow after it. */
export function fail(source: string, entry: string | undefined, reason: string): never {
  throw new RpkiFormatError(source, entry, reason);
}

/**
 * An ASN from a number, "AS64496"/"as64496" or "64496" (asdot "1.10" via
 * parseAsn); BAD_ASN otherwise. The common spellings are decoded inline
 * because this runs once per ROA.
 */
export function readAsn(value: unknown): number {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 && value <= MAX_ASN ? value : BAD_ASN;
  }
  if (typeof value !== 'string') return BAD_ASN;
  const n = value.length;
  let i = 0;
  if (n > 2 && (value.charCodeAt(0) | 0x20) === 0x61 && (value.charCodeAt(1) | 0x20) === 0x73) i = 2;
  if (n - i >= 1 && n - i <= 10) {
    let asn = 0;
    let j = i;
    for (; j < n; j++) {
      const d = value.charCodeAt(j) - 0x30;
      if (d < 0 || d > 9) break;
      asn = asn * 10 + d;
    }
    if (j === n) return asn <= MAX_ASN ? asn : BAD_ASN;
  }
  try {
    return parseAsn(value);
  } catch {
    return BAD_ASN;
  }
}

/**
 * The trust anchor of an entry: `ta` (json, rpki-client), else the first
 * `source[].tal` (jsonext since Routinator 0.13), else '' (unknown).
 * Returns undefined if a field is there but malformed.
 */
export function readTa(entry: Record<string, unknown>): string | undefined {
  const ta = entry.ta;
  if (typeof ta === 'string') return ta;
  if (ta !== undefined) return undefined;
  const sources = entry.source;
  if (sources === undefined) return '';
  if (!Array.isArray(sources)) return undefined;
  for (const s of sources) {
    if (isRecord(s) && typeof s.tal === 'string') return s.tal;
  }
  return '';
}

/** Unix seconds as exporters write them (integer, not negative), or undefined. */
export function unixSeconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 time (`buildtime`, `generatedTime`), or undefined. */
export function isoTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !ISO_UTC.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/**
 * The earliest `expires` seen. rpki-client puts one on every ROA, key and
 * ASPA: the end of the shortest validity in its certificate chain, after
 * which a relying party would have dropped it.
 */
export class EarliestExpiry {
  private seconds = Infinity;

  /** Notes an optional `expires`; false if present but not unix seconds. */
  note(value: unknown): boolean {
    if (value === undefined) return true;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return false;
    if (value < this.seconds) this.seconds = value;
    return true;
  }

  noteSeconds(seconds: number): void {
    if (seconds < this.seconds) this.seconds = seconds;
  }

  get date(): Date | undefined {
    return this.seconds === Infinity ? undefined : new Date(this.seconds * 1000);
  }
}
