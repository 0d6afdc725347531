/**
 * The `aws`, `detection` and `ownPrefixes` sections, from checked YAML to
 * DetectionSettings. The schema (schema.ts) has already checked types and
 * ranges; what is left here is what a schema cannot say (a warning ratio
 * above the critical one, a prefix with host bits, a VIF id no VIF has).
 */
import type { Asn } from '../net/asn.js';
import type { Prefix } from '../net/prefix.js';
import type { RibKind } from '../rib/peer-table.js';
import { DEFAULT_DETECTION, type DetectionSettings, type DetectorSetting, type OwnPrefix, type PrefixLimits, type WhileStale } from '../detect/settings.js';
import type { Severity } from '../alerts/alert.js';

export type Json = Record<string, unknown>;
export type KeyPath = readonly (string | number)[];
export type Fail = (path: KeyPath, reason: string) => never;

export interface FieldReaders {
  readonly prefixAt: (value: unknown, path: KeyPath) => Prefix;
  readonly asnAt: (value: unknown, path: KeyPath) => Asn;
}

/** Direct Connect's quotas, with the config's `aws.prefixLimits` over the defaults. */
export function buildPrefixLimits(raw: Json): PrefixLimits {
  const limits = ((raw.aws as Json | undefined)?.prefixLimits ?? {}) as Json;
  const d = DEFAULT_DETECTION.prefixLimit.limits;
  return Object.freeze({
    privateAdvertised: (limits.private as number | undefined) ?? d.privateAdvertised,
    transitAdvertised: (limits.transit as number | undefined) ?? d.transitAdvertised,
    publicAdvertised: (limits.public as number | undefined) ?? d.publicAdvertised,
    transitReceived: (limits.transitReceived as number | undefined) ?? d.transitReceived,
  });
}

/** `vifIds`: the VIFs own prefixes may name; undefined when VIFs are also discovered (any VIF id goes). */
export function buildDetection(raw: Json, vifIds: ReadonlySet<string> | undefined, read: FieldReaders, fail: Fail): DetectionSettings {
  const d = (raw.detection ?? {}) as Json;
  const aws = (raw.aws ?? {}) as Json;
  const D = DEFAULT_DETECTION;
  const setting = (key: keyof DetectionSettings & string, base: DetectorSetting): DetectorSetting => {
    const s = (d[key] ?? {}) as Json;
    return { enabled: (s.enabled as boolean | undefined) ?? base.enabled, severity: (s.severity as Severity | undefined) ?? base.severity };
  };
  const limit = (d.prefixLimit ?? {}) as Json;
  const warningRatio = (limit.warningRatio as number | undefined) ?? D.prefixLimit.warningRatio;
  const criticalRatio = (limit.criticalRatio as number | undefined) ?? D.prefixLimit.criticalRatio;
  if (warningRatio > criticalRatio) {
    fail(['detection', 'prefixLimit', 'warningRatio'], `expected at most criticalRatio (${criticalRatio}), got ${warningRatio}`);
  }
  const missing = (d.ownPrefixMissing ?? {}) as Json;
  const stale = (d.rpkiStale ?? {}) as Json;
  const divergence = (d.divergence ?? {}) as Json;
  const asns = aws.asns === undefined ? D.amazonAsns : (aws.asns as unknown[]).map((a, i) => read.asnAt(a, ['aws', 'asns', i]));
  return Object.freeze({
    rpkiInvalid: setting('rpkiInvalid', D.rpkiInvalid),
    vrpRemoved: setting('vrpRemoved', D.vrpRemoved),
    originHijack: setting('originHijack', D.originHijack),
    subprefixHijack: setting('subprefixHijack', D.subprefixHijack),
    ownPrefixMissing: { ...setting('ownPrefixMissing', D.ownPrefixMissing), graceSeconds: (missing.graceSeconds as number | undefined) ?? D.ownPrefixMissing.graceSeconds },
    unexpectedPrefix: setting('unexpectedPrefix', D.unexpectedPrefix),
    prefixLimit: Object.freeze({ enabled: (limit.enabled as boolean | undefined) ?? D.prefixLimit.enabled, warningRatio, criticalRatio, limits: buildPrefixLimits(raw) }),
    sessionDown: setting('sessionDown', D.sessionDown),
    bmpSessionDown: setting('bmpSessionDown', D.bmpSessionDown),
    rpkiStale: { ...setting('rpkiStale', D.rpkiStale), whileStale: (stale.whileStale as WhileStale | undefined) ?? D.rpkiStale.whileStale },
    aspaInvalid: setting('aspaInvalid', D.aspaInvalid),
    divergence: { ...setting('divergence', D.divergence), holdSeconds: (divergence.holdSeconds as number | undefined) ?? D.divergence.holdSeconds },
    ribs: Object.freeze([...((d.ribs as RibKind[] | undefined) ?? D.ribs)]),
    unmapped: (d.unmapped as boolean | undefined) ?? D.unmapped,
    ownPrefixes: Object.freeze(((raw.ownPrefixes ?? []) as Json[]).map((o, i) => buildOwnPrefix(o, ['ownPrefixes', i], vifIds, read, fail))),
    amazonAsns: Object.freeze(asns),
  });
}

function buildOwnPrefix(o: Json, where: KeyPath, vifIds: ReadonlySet<string> | undefined, read: FieldReaders, fail: Fail): OwnPrefix {
  const prefix = read.prefixAt(o.prefix, [...where, 'prefix']);
  const maxLength = (o.maxLength as number | undefined) ?? prefix.length;
  if (maxLength < prefix.length || maxLength > prefix.maxLength) {
    fail([...where, 'maxLength'], `expected a length from ${prefix.length} to ${prefix.maxLength} for ${prefix}, got ${maxLength}`);
  }
  const visibleOn = ((o.visibleOn ?? []) as string[]).map((id, j) => (vifIds === undefined || vifIds.has(id) ? id : fail([...where, 'visibleOn', j], `expected the id of a VIF in vifs, got ${JSON.stringify(id)}`)));
  return Object.freeze({
    prefix,
    origins: Object.freeze((o.origins as unknown[]).map((a, j) => read.asnAt(a, [...where, 'origins', j]))),
    maxLength,
    group: o.group as string | undefined,
    visibleOn: Object.freeze(visibleOn),
  });
}
