/**
 * One entry point for every RPKI export rovd reads: sniffs JSON (object or
 * bare array, see json-export.ts), a SLURM file used as a source of
 * assertions (RFC 8416 §3.4, e.g. Routinator's `slurm` output), or CSV
 * (csv.ts), and returns an RpkiFile or throws an RpkiFormatError.
 *
 * Sniffing looks at the first non-blank character only: `{` or `[` is
 * JSON, anything else CSV. Nothing else is guessed; a JSON object that is
 * none of the known shapes is refused rather than read as empty. An
 * object with a top-level `roas` array first tries the fast path of
 * json-fast.ts, which falls back to JSON.parse for anything unusual.
 */
import { EMPTY_PAYLOAD } from '../payload.js';
import { applySlurm } from '../slurm-apply.js';
import { readSlurm } from '../slurm.js';
import { parseRpkiCsv } from './csv.js';
import { isRecord } from './json-fields.js';
import { readJsonExport, readJsonExportFast } from './json-export.js';
import { type RpkiFile, RpkiFormatError } from './rpki-file.js';
import { decodeUtf8, parseJson, stripBom } from './text.js';

export function parseRpkiBytes(bytes: Buffer, source: string): RpkiFile {
  return parseRpkiText(decodeUtf8(bytes, source), source);
}

export function parseRpkiText(text: string, source: string): RpkiFile {
  const body = stripBom(text);
  const start = body.search(/\S/);
  if (start < 0) throw new RpkiFormatError(source, undefined, 'empty file');
  const c = body[start];
  if (c !== '{' && c !== '[') return parseRpkiCsv(body, source);

  if (c === '{') {
    const fast = readJsonExportFast(body, source);
    if (fast) return fast;
  }
  const root = parseJson(body, source);
  if (isRecord(root) && root.slurmVersion !== undefined) return slurmAsExport(root, source);
  return readJsonExport(root, source);
}

/**
 * A SLURM file's assertions as a set of VRPs, keys and ASPAs. Its filters
 * would have nothing to act on here, and dropping them silently would
 * hide a mistake (the file was meant as exceptions), so a file with
 * filters is refused.
 */
function slurmAsExport(root: Record<string, unknown>, source: string): RpkiFile {
  const slurm = readSlurm(root, source);
  const filters = slurm.prefixFilters.length + slurm.bgpsecFilters.length + slurm.aspaFilters.length;
  if (filters > 0) {
    throw new RpkiFormatError(
      source,
      'validationOutputFilters',
      `a SLURM file with ${filters} filter(s) is a set of exceptions, not a VRP source`,
    );
  }
  return { payload: applySlurm(EMPTY_PAYLOAD, slurm), format: 'slurm' };
}
