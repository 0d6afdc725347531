/**
 * Writes a payload as Routinator writes it, for tools that read Routinator:
 *
 * - `json` (Routinator src/output.rs, the RIPE NCC validator's shape):
 *   {"metadata": {"generated", "generatedTime"}, "roas": [...]} and
 *   "routerKeys" / "aspas" when there are any, one entry per line, laid out
 *   byte for byte as Routinator lays it out.
 * - `csv`: `ASN,IP Prefix,Max Length,Trust Anchor`, then `AS13335,1.0.0.0/24,24,apnic`.
 *
 * Both come as generators of ~64 KiB chunks (Readable.from() streams
 * them; an 800k-VRP table is ~60 MB of text) and as whole-string helpers.
 * Rows are written straight from the table's columns, without a Vrp
 * object per row. An unknown trust anchor ('') is written "N/A", as
 * Routinator does for data that has none (SLURM assertions).
 */
import { formatV4, formatV6 } from '../../net/prefix.js';
import type { Aspa } from '../aspa.js';
import type { RpkiPayload } from '../payload.js';
import type { VrpColumns, VrpTable } from '../vrp-table.js';

const CHUNK_CHARS = 64 * 1024;

export interface JsonWriteOptions {
  /** The `metadata.generated` time; defaults to now. */
  readonly generatedAt?: Date;
}

export function formatRoutinatorJson(payload: RpkiPayload, options: JsonWriteOptions = {}): string {
  return [...routinatorJsonChunks(payload, options)].join('');
}

export function* routinatorJsonChunks(payload: RpkiPayload, options: JsonWriteOptions = {}): Generator<string> {
  const at = options.generatedAt ?? new Date();
  const seconds = Math.floor(at.getTime() / 1000);
  let chunk =
    `{\n  "metadata": {\n    "generated": ${seconds},\n` +
    `    "generatedTime": "${new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')}"\n  },\n  "roas": [\n`;
  const tas = payload.vrps.tas.map((ta) => JSON.stringify(ta === '' ? 'N/A' : ta));
  let first = true;
  for (const row of vrpRows(payload.vrps)) {
    chunk += `${first ? '' : ',\n'}    { "asn": "AS${row.asn}", "prefix": "${row.prefix}", "maxLength": ${row.maxLength}, "ta": ${tas[row.ta]} }`;
    first = false;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  chunk += '\n  ]';
  if (payload.routerKeys.length > 0) {
    chunk += ',\n  "routerKeys": [\n';
    chunk += payload.routerKeys
      .map(
        (k) =>
          `    { "asn": "AS${k.asn}", "SKI": "${k.ski.toUpperCase()}", "routerPublicKey": "${k.publicKey}", ` +
          `"ta": ${JSON.stringify(k.ta === '' ? 'N/A' : k.ta)} }`,
      )
      .join(',\n');
    chunk += '\n  ]';
  }
  if (payload.aspas.length > 0) {
    chunk += ',\n  "aspas": [\n';
    chunk += payload.aspas
      .map(
        (a) =>
          `    { "customer": "AS${a.customer}", "providers": [${providers(a).map((p) => `"AS${p}"`).join(', ')}], ` +
          `"ta": ${JSON.stringify(a.ta === '' ? 'N/A' : a.ta)} }`,
      )
      .join(',\n');
    chunk += '\n  ]';
  }
  yield `${chunk}\n}\n`;
}

export function formatCsv(payload: RpkiPayload): string {
  return [...csvChunks(payload)].join('');
}

export function* csvChunks(payload: RpkiPayload): Generator<string> {
  const tas = payload.vrps.tas.map((ta) => csvField(ta === '' ? 'N/A' : ta));
  let chunk = 'ASN,IP Prefix,Max Length,Trust Anchor\n';
  for (const row of vrpRows(payload.vrps)) {
    chunk += `AS${row.asn},${row.prefix},${row.maxLength},${tas[row.ta]}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}

interface Row {
  prefix: string;
  maxLength: number;
  asn: number;
  ta: number;
}

/** Every VRP in table order as text fields; one Row object is reused. */
function* vrpRows(table: VrpTable): Generator<Row> {
  const row: Row = { prefix: '', maxLength: 0, asn: 0, ta: 0 };
  for (const c of [table.v4, table.v6]) {
    for (let i = 0; i < c.count; i++) {
      row.prefix = prefixText(c, i);
      row.maxLength = c.maxLength[i]!;
      row.asn = c.asn[i]!;
      row.ta = c.ta[i]!;
      yield row;
    }
  }
}

function prefixText(c: VrpColumns, i: number): string {
  const w = c.words;
  if (c.stride === 1) return `${formatV4(w[i]!)}/${c.length[i]}`;
  const b = i * 4;
  return `${formatV6(w[b]!, w[b + 1]!, w[b + 2]!, w[b + 3]!)}/${c.length[i]}`;
}

/**
 * Routinator's shape has one provider list. An ASPA read from StayRTR's
 * per-family lists may differ by family; the union is written, so no
 * provider is lost (a missing one would make valid paths invalid).
 */
function providers(a: Aspa): number[] {
  return [...new Set([...a.ipv4Providers, ...a.ipv6Providers])].sort((x, y) => x - y);
}

/** RFC 4180 §2: quote a field holding a comma, a quote or a line break. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
