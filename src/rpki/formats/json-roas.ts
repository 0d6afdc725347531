/**
 * The `roas` array of a JSON export: objects of {asn, prefix, maxLength}
 * plus `ta` or jsonext's `source`, and rpki-client's `expires`. The field
 * names are the RIPE NCC validator's, which Routinator, rpki-client,
 * OctoRPKI and StayRTR all kept; a VRP is RFC 6811 §1's (prefix, maximum
 * length, origin AS), its maxLength bounded as RFC 6482 §3.3 requires.
 *
 * This is the one loop that sees every VRP of a full table (~800k), so it
 * writes straight into the builder's columns: no Vrp or Prefix object per
 * entry, and a scratch array for the parsed address.
 */
import { parseInto } from '../../net/prefix.js';
import type { VrpTableBuilder } from '../vrp-table.js';
import { BAD_ASN, type EarliestExpiry, fail, isRecord, readAsn, readTa, show } from './json-fields.js';

const SCRATCH = new Uint32Array(6);

/** Adds every entry of `list` (found at `path`) to `builder`. */
export function readRoaList(
  list: unknown,
  path: string,
  source: string,
  builder: VrpTableBuilder,
  expiry: EarliestExpiry,
): void {
  if (!Array.isArray(list)) fail(source, path, `must be an array, not ${show(list)}`);
  const out = SCRATCH;
  for (let i = 0; i < list.length; i++) {
    const e: unknown = list[i];
    if (!isRecord(e)) fail(source, `${path}[${i}]`, `must be an object, not ${show(e)}`);

    const prefix = e.prefix;
    if (typeof prefix !== 'string') badField(source, path, i, 'prefix', prefix);
    const error = parseInto(prefix, out);
    if (error !== undefined) fail(source, `${path}[${i}]`, `prefix ${show(prefix)}: ${error}`);
    const afi = out[0]!;
    const length = out[1]!;

    const maxLength = e.maxLength;
    if (typeof maxLength !== 'number') badField(source, path, i, 'maxLength', maxLength);
    // RFC 6482 §3.3: no shorter than the prefix, no longer than the address.
    if (!Number.isInteger(maxLength) || maxLength < length || maxLength > (afi === 4 ? 32 : 128)) {
      fail(source, `${path}[${i}]`, `maxLength ${show(maxLength)} out of range for ${prefix} (must be ${length} to ${afi === 4 ? 32 : 128})`);
    }

    const asn = readAsn(e.asn);
    if (asn === BAD_ASN) badField(source, path, i, 'asn', e.asn);

    const ta = readTa(e);
    if (ta === undefined) fail(source, `${path}[${i}]`, `ta must be a string (or jsonext source an array), not ${show(e.ta ?? e.source)}`);
    if (!expiry.note(e.expires)) badField(source, path, i, 'expires', e.expires);

    builder.addFields(afi === 4 ? 4 : 6, out[2]!, out[3]!, out[4]!, out[5]!, length, maxLength, asn, ta);
  }
}

function badField(source: string, path: string, i: number, field: string, value: unknown): never {
  return fail(source, `${path}[${i}]`, value === undefined ? `missing ${field}` : `bad ${field} ${show(value)}`);
}
