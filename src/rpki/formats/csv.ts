/**
 * CSV VRP exports (RFC 4180 framing), as Routinator and rpki-client write them:
 *
 *   csv        ASN,IP Prefix,Max Length,Trust Anchor         AS13335,1.0.0.0/24,24,apnic
 *   csvcompat  "ASN","IP Prefix","Max Length","Trust Anchor" (every value quoted)
 *   csvext     URI,ASN,IP Prefix,Max Length,Not Before,Not After
 *              (no trust anchor; validity as "2017-08-25 13:12:19" UTC or N/A)
 *   rpki-client ASN,IP Prefix,Max Length,Trust Anchor,Expires (unix seconds)
 *
 * Columns are found by header name, so any of these (and any extra column)
 * reads; a file without a header is taken as ASN, IP Prefix, Max Length
 * [, Trust Anchor [, Expires]]. Every row must have the header's number of
 * fields: a short row is a truncated or hand-edited file, not a VRP.
 */
import { parseInto } from '../../net/prefix.js';
import { makePayload } from '../payload.js';
import { VrpTableBuilder } from '../vrp-table.js';
import { BAD_ASN, EarliestExpiry, readAsn, show } from './json-fields.js';
import { type RpkiFile, RpkiFormatError } from './rpki-file.js';

interface Columns {
  count: number;
  asn: number;
  prefix: number;
  maxLength: number;
  ta: number;
  expires: number;
  notAfter: number;
}

const HEADLESS: Columns = { count: -1, asn: 0, prefix: 1, maxLength: 2, ta: 3, expires: 4, notAfter: -1 };

export function parseRpkiCsv(text: string, source: string): RpkiFile {
  const builder = new VrpTableBuilder();
  const expiry = new EarliestExpiry();
  const out = new Uint32Array(6);
  let columns: Columns | undefined;
  let lineNo = 0;
  for (let pos = 0; pos < text.length; ) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 0x0d ? text.slice(pos, end - 1) : text.slice(pos, end);
    pos = end + 1;
    lineNo++;
    if (line.trim() === '') continue;
    const fail = (reason: string): never => {
      throw new RpkiFormatError(source, `line ${lineNo}`, reason);
    };
    const fields = line.includes('"') ? splitQuoted(line, fail) : line.split(',');

    if (columns === undefined) {
      const first = fields[0]!.trim().toLowerCase();
      if (first === 'asn' || first === 'uri') {
        columns = readHeader(fields, fail);
        continue;
      }
      if (fields.length < 3 || fields.length > 5) fail(`expected a header or 3 to 5 fields, got ${fields.length}`);
      columns = { ...HEADLESS, count: fields.length };
    }
    if (fields.length !== columns.count) fail(`expected ${columns.count} fields, got ${fields.length}`);

    const asn = readAsn(fields[columns.asn]);
    if (asn === BAD_ASN) fail(`bad ASN ${show(fields[columns.asn])}`);
    const prefix = fields[columns.prefix]!;
    const error = parseInto(prefix, out);
    if (error !== undefined) fail(`prefix ${show(prefix)}: ${error}`);
    const max = out[0] === 4 ? 32 : 128;
    const maxLength = decimal(fields[columns.maxLength]!);
    // RFC 6482 §3.3: no shorter than the prefix, no longer than the address.
    if (maxLength < out[1]! || maxLength > max) {
      fail(`max length ${show(fields[columns.maxLength])} out of range for ${prefix} (must be ${out[1]} to ${max})`);
    }
    const ta = columns.ta < columns.count ? fields[columns.ta]! : '';
    if (columns.expires >= 0 && columns.expires < columns.count) {
      const seconds = decimal(fields[columns.expires]!);
      if (seconds < 0) fail(`bad Expires ${show(fields[columns.expires])}`);
      expiry.noteSeconds(seconds);
    }
    if (columns.notAfter >= 0) noteNotAfter(fields[columns.notAfter]!, expiry, fail);
    builder.addFields(out[0] === 4 ? 4 : 6, out[2]!, out[3]!, out[4]!, out[5]!, out[1]!, maxLength, asn, ta);
  }
  const expiresAt = expiry.date;
  return {
    payload: makePayload(builder.build()),
    format: 'routinator-csv',
    ...(expiresAt ? { expiresAt } : {}),
  };
}

function readHeader(fields: readonly string[], fail: (reason: string) => never): Columns {
  const names = fields.map((f) => f.trim().toLowerCase());
  const col = (name: string): number => names.indexOf(name);
  const columns: Columns = {
    count: fields.length,
    asn: col('asn'),
    prefix: col('ip prefix'),
    maxLength: col('max length'),
    // Absent columns point past the end, where the row readers look no further.
    ta: col('trust anchor') < 0 ? fields.length : col('trust anchor'),
    expires: col('expires'),
    notAfter: col('not after'),
  };
  if (columns.asn < 0 || columns.prefix < 0 || columns.maxLength < 0) {
    fail(`header needs ASN, IP Prefix and Max Length columns, has ${show(fields.join(','))}`);
  }
  return columns;
}

/** Unsigned decimal of 1 to 15 digits, or -1. */
function decimal(text: string): number {
  const n = text.length;
  if (n === 0 || n > 15) return -1;
  let value = 0;
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** csvext's "Not After": "2017-08-25 13:12:19" in UTC, or N/A. */
function noteNotAfter(text: string, expiry: EarliestExpiry, fail: (reason: string) => never): void {
  if (text === 'N/A') return;
  const ms = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text) ? Date.parse(`${text.replace(' ', 'T')}Z`) : NaN;
  if (Number.isNaN(ms)) fail(`bad Not After ${show(text)}`);
  expiry.noteSeconds(Math.floor(ms / 1000));
}

/** RFC 4180 §2 fields: quoted fields may hold commas and doubled quotes. */
function splitQuoted(line: string, fail: (reason: string) => never): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 0x22) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) fail('unterminated quoted field');
        value += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 0x22) {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line.charCodeAt(i) !== 0x2c) fail('text after a closing quote');
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const value = comma < 0 ? line.slice(i) : line.slice(i, comma);
      if (value.includes('"')) fail('quote inside an unquoted field');
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}
