/**
 * JSON VRP exports, every dialect in use, into one RpkiFile:
 *
 * - Routinator `json`: {metadata: {generated, generatedTime}, roas,
 *   routerKeys, aspas}; the RIPE NCC validator's {roas} before it.
 * - Routinator `jsonext`: the same with `source: [...]` instead of `ta`.
 * - rpki-client `-j`: {metadata: {buildtime, ...}, roas (asn a number,
 *   `expires`), bgpsec_keys, aspas (`customer_asid`)}.
 * - StayRTR/GoRTR/OctoRPKI `rpki.json`: rpki-client's fields, or OctoRPKI's
 *   metadata {counts, generated, valid}, and StayRTR's obsolete
 *   `provider_authorizations`.
 * - a bare array of {asn, prefix, maxLength[, ta]} (BGPalerter and others).
 *
 * The dialects share their members, so one reader accepts them all and the
 * dialect is only reported; unknown members are ignored (exporters add
 * statistics freely), malformed known ones reject the whole file.
 */
import { makePayload } from '../payload.js';
import type { Aspa } from '../aspa.js';
import type { RouterKey } from '../router-key.js';
import { VrpTableBuilder } from '../vrp-table.js';
import { EarliestExpiry, fail, isRecord, isoTime, show, unixSeconds } from './json-fields.js';
import {
  ROUTINATOR_KEY_FIELDS,
  RPKI_CLIENT_KEY_FIELDS,
  readAspaList,
  readProviderAuthorizations,
  readRouterKeys,
} from './json-payload.js';
import { scanRoas } from './json-fast.js';
import { readRoaList } from './json-roas.js';
import type { RpkiFile, RpkiFileFormat } from './rpki-file.js';

const PAYLOAD_MEMBERS = ['roas', 'routerKeys', 'bgpsec_keys', 'aspas', 'provider_authorizations'] as const;

/**
 * Reads JSON export text, by the fast path of json-fast.ts when it
 * applies; undefined means the caller must JSON.parse and readJsonExport.
 */
export function readJsonExportFast(text: string, source: string): RpkiFile | undefined {
  const builder = new VrpTableBuilder();
  const expiry = new EarliestExpiry();
  const remainder = scanRoas(text, builder, expiry);
  if (remainder === undefined) return undefined;
  try {
    const root: unknown = JSON.parse(remainder);
    if (!isRecord(root) || root.slurmVersion !== undefined) return undefined;
    return readJsonExport(root, source, builder, expiry);
  } catch {
    // Whatever is wrong, the ordinary path finds it and says it best.
    return undefined;
  }
}

/** Reads a parsed JSON document (object or bare array) as an RPKI export. */
export function readJsonExport(
  root: unknown,
  source: string,
  builder = new VrpTableBuilder(),
  expiry = new EarliestExpiry(),
): RpkiFile {
  if (Array.isArray(root)) {
    readRoaList(root, '', source, builder, expiry);
    return finish('bare-array-json', builder, [], [], expiry, undefined);
  }
  if (!isRecord(root)) fail(source, undefined, `expected a JSON object or array, not ${show(root)}`);
  if (root.metadata === undefined && !PAYLOAD_MEMBERS.some((m) => root[m] !== undefined)) {
    fail(source, undefined, `not an RPKI export: none of metadata, ${PAYLOAD_MEMBERS.join(', ')}`);
  }

  if (root.roas !== undefined) readRoaList(root.roas, 'roas', source, builder, expiry);
  const keys: RouterKey[] = [];
  if (root.routerKeys !== undefined) {
    keys.push(...readRouterKeys(root.routerKeys, 'routerKeys', source, ROUTINATOR_KEY_FIELDS, expiry));
  }
  if (root.bgpsec_keys !== undefined) {
    keys.push(...readRouterKeys(root.bgpsec_keys, 'bgpsec_keys', source, RPKI_CLIENT_KEY_FIELDS, expiry));
  }
  const aspas: Aspa[] = [];
  if (root.aspas !== undefined) aspas.push(...readAspaList(root.aspas, 'aspas', source, expiry));
  if (root.provider_authorizations !== undefined) {
    aspas.push(...readProviderAuthorizations(root.provider_authorizations, 'provider_authorizations', source));
  }
  const generatedAt = readMetadata(root.metadata, source, expiry);
  return finish(dialectOf(root), builder, aspas, keys, expiry, generatedAt);
}

function finish(
  format: RpkiFileFormat,
  builder: VrpTableBuilder,
  aspas: readonly Aspa[],
  keys: readonly RouterKey[],
  expiry: EarliestExpiry,
  generatedAt: Date | undefined,
): RpkiFile {
  const payload = makePayload(builder.build(), aspas, keys);
  const expiresAt = expiry.date;
  return {
    payload,
    format,
    ...(generatedAt ? { generatedAt } : {}),
    ...(expiresAt ? { expiresAt } : {}),
  };
}

/**
 * The production time, and OctoRPKI's `valid` into `expiry`. OctoRPKI sets
 * `valid` to generation time plus its signature validity (1 h by
 * default) and GoRTR refused a file past it; 0 meant "not set" there.
 */
function readMetadata(metadata: unknown, source: string, expiry: EarliestExpiry): Date | undefined {
  if (metadata === undefined) return undefined;
  if (!isRecord(metadata)) fail(source, 'metadata', `must be an object, not ${show(metadata)}`);
  const at = (field: string): string => `metadata.${field}`;

  let generatedAt: Date | undefined;
  if (metadata.generated !== undefined) {
    const seconds = unixSeconds(metadata.generated);
    if (seconds === undefined) fail(source, at('generated'), `must be unix seconds, not ${show(metadata.generated)}`);
    generatedAt = new Date(seconds * 1000);
  }
  for (const field of ['generatedTime', 'buildtime'] as const) {
    if (metadata[field] === undefined) continue;
    const time = isoTime(metadata[field]);
    if (!time) fail(source, at(field), `must be an RFC 3339 time, not ${show(metadata[field])}`);
    generatedAt ??= time;
  }
  if (metadata.valid !== undefined) {
    const seconds = unixSeconds(metadata.valid);
    if (seconds === undefined) fail(source, at('valid'), `must be unix seconds, not ${show(metadata.valid)}`);
    if (seconds !== 0) expiry.noteSeconds(seconds);
  }
  return generatedAt;
}

/**
 * Which exporter wrote the file, from the members only it writes. Only
 * reported (logs, metrics): the reader above accepts all of them alike.
 */
export function dialectOf(root: Record<string, unknown>): RpkiFileFormat {
  const metadata = isRecord(root.metadata) ? root.metadata : {};
  const first = (member: string): Record<string, unknown> => {
    const list = root[member];
    return Array.isArray(list) && isRecord(list[0]) ? list[0] : {};
  };
  if (root.provider_authorizations !== undefined || metadata.valid !== undefined || metadata.counts !== undefined) {
    return 'stayrtr-json';
  }
  if (['roas', 'routerKeys', 'aspas'].some((m) => Array.isArray(first(m).source))) return 'routinator-jsonext';
  if (metadata.generatedTime !== undefined || root.routerKeys !== undefined || first('aspas').customer !== undefined) {
    return 'routinator-json';
  }
  if (
    metadata.buildtime !== undefined ||
    root.bgpsec_keys !== undefined ||
    first('aspas').customer_asid !== undefined ||
    first('roas').expires !== undefined ||
    typeof first('roas').asn === 'number'
  ) {
    return 'rpki-client-json';
  }
  return 'routinator-json';
}
