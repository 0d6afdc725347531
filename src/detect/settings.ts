/**
 * What the operator configures about detection (the `detection` and
 * `ownPrefixes` sections of the config): each detector on or off with a
 * severity, and the facts detectors compare routes with.
 */
import type { Severity } from '../alerts/alert.js';
import type { Asn } from '../net/asn.js';
import type { Prefix } from '../net/prefix.js';
import { RibKind } from '../rib/peer-table.js';

export interface DetectorSetting {
  readonly enabled: boolean;
  readonly severity: Severity;
}

/**
 * A prefix the operator holds: who may originate it, how specific its
 * announcements may be, and on which VIFs it must be visible.
 */
export interface OwnPrefix {
  readonly prefix: Prefix;
  /** Origins allowed to announce it (and its allowed more-specifics). */
  readonly origins: readonly Asn[];
  /** More-specifics up to this length are legitimate; the prefix's own length means none. */
  readonly maxLength: number;
  /** A free label carried into alerts (e.g. the service or team). */
  readonly group: string | undefined;
  /** VIFs (ids) on which the prefix must be announced; its absence alerts. */
  readonly visibleOn: readonly string[];
}

/**
 * What happens to RPKI-derived alerts (rpki-invalid, rpki-vrp-removed,
 * aspa-invalid) raised while no VRP source is fresh: a broken cache must
 * not page everyone.
 * - `hold`: not raised until the data is fresh again; then raised if the
 *   route is still in that state.
 * - `mark`: raised, labelled `rpki_stale="true"` and lowered to warning.
 * - `alert`: raised as usual.
 */
export type WhileStale = 'hold' | 'mark' | 'alert';

/** Direct Connect's route quotas per BGP session (all configurable: AWS changes them). */
export interface PrefixLimits {
  /** Routes the customer advertises, per address family and session. */
  readonly privateAdvertised: number;
  readonly transitAdvertised: number;
  readonly publicAdvertised: number;
  /** Routes AWS advertises on a transit VIF (per transit gateway). */
  readonly transitReceived: number;
}

export interface DetectionSettings {
  readonly rpkiInvalid: DetectorSetting;
  readonly vrpRemoved: DetectorSetting;
  readonly originHijack: DetectorSetting;
  readonly subprefixHijack: DetectorSetting;
  readonly ownPrefixMissing: DetectorSetting & {
    /** How long a VIF must have been seen (its table present) before an absence counts. */
    readonly graceSeconds: number;
  };
  readonly unexpectedPrefix: DetectorSetting;
  readonly prefixLimit: {
    readonly enabled: boolean;
    readonly warningRatio: number;
    readonly criticalRatio: number;
    readonly limits: PrefixLimits;
  };
  readonly sessionDown: DetectorSetting;
  readonly bmpSessionDown: DetectorSetting;
  readonly rpkiStale: DetectorSetting & { readonly whileStale: WhileStale };
  readonly aspaInvalid: DetectorSetting;
  /**
   * A route Direct Connect's API lists on a VIF that the router's BMP view
   * lacks (or the reverse), or with another AS path, for longer than
   * `holdSeconds` and across at least one poll of the API.
   */
  readonly divergence: DetectorSetting & { readonly holdSeconds: number };
  /** The RIB kinds whose routes are checked (all by default). */
  readonly ribs: readonly RibKind[];
  /** Also alert on routes of peers no VIF names (labelled vif="unmapped"). */
  readonly unmapped: boolean;
  readonly ownPrefixes: readonly OwnPrefix[];
  /** The ASNs Amazon originates public VIF prefixes from. */
  readonly amazonAsns: readonly Asn[];
}

/**
 * Amazon's ASNs as seen on public VIFs: 16509 and 14618 originate AWS's
 * public prefixes, 7224 is the Direct Connect side of every session, 8987
 * (AWS Ireland) appears on European prefixes. Configurable (`aws.asns`).
 */
export const DEFAULT_AMAZON_ASNS = Object.freeze([7224, 8987, 14618, 16509] as Asn[]);

const on = (severity: Severity): DetectorSetting => Object.freeze({ enabled: true, severity });

export const DEFAULT_DETECTION: DetectionSettings = Object.freeze({
  rpkiInvalid: on('critical'),
  vrpRemoved: on('warning'),
  originHijack: on('critical'),
  subprefixHijack: on('critical'),
  ownPrefixMissing: Object.freeze({ ...on('warning'), graceSeconds: 300 }),
  unexpectedPrefix: on('warning'),
  prefixLimit: Object.freeze({
    enabled: true,
    warningRatio: 0.8,
    criticalRatio: 0.95,
    limits: Object.freeze({ privateAdvertised: 100, transitAdvertised: 100, publicAdvertised: 1000, transitReceived: 200 }),
  }),
  sessionDown: on('critical'),
  bmpSessionDown: on('warning'),
  rpkiStale: Object.freeze({ ...on('warning'), whileStale: 'hold' as WhileStale }),
  aspaInvalid: on('warning'),
  divergence: Object.freeze({ ...on('warning'), holdSeconds: 300 }),
  ribs: Object.freeze(Object.values(RibKind)),
  unmapped: true,
  ownPrefixes: Object.freeze([]),
  amazonAsns: DEFAULT_AMAZON_ASNS,
});
