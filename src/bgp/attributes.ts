/**
 * BGP path attributes: RFC 4271 §4.3 and §5, with RFC 7606 error handling.
 * (Skeleton: types are final; decoding lands in the next commits.)
 */
import type { Asn } from '../net/asn.js';
import type { AsPath } from './as-path.js';
import type { SessionCapabilities } from './capabilities.js';
import type { AttributeProblem, BgpUpdate, Nlri } from './update.js';

export type Origin = 'igp' | 'egp' | 'incomplete';

export interface Aggregator {
  readonly asn: Asn;
  readonly address: string;
}

export interface OtherAttribute {
  readonly typeCode: number;
  readonly flags: number;
  readonly value: Uint8Array;
}

export interface PathAttributes {
  readonly origin: Origin | undefined;
  /** After the RFC 6793 §4.2.3 AS4_PATH merge when the session is 2-octet. */
  readonly asPath: AsPath;
  /** NEXT_HOP, or MP_REACH's (global) next hop; text form. */
  readonly nextHop: string | undefined;
  readonly linkLocalNextHop: string | undefined;
  readonly med: number | undefined;
  readonly localPref: number | undefined;
  readonly atomicAggregate: boolean;
  /** AS4_AGGREGATOR merged. */
  readonly aggregator: Aggregator | undefined;
  /** RFC 1997, 32-bit values. */
  readonly communities: readonly number[];
  /** RFC 8092, "global:local1:local2". */
  readonly largeCommunities: readonly string[];
  /** RFC 4360, raw 8-octet values (views). */
  readonly extendedCommunities: readonly Uint8Array[];
  /** Unknown/unhandled, raw. */
  readonly otherAttributes: readonly OtherAttribute[];
}

/** The attribute block alone, for MRT TABLE_DUMP(_V2) RIB entries. */
export interface DecodedAttributes {
  readonly attributes: PathAttributes;
  readonly mpReach: { afi: number; safi: number; nlri: readonly Nlri[] } | undefined;
  readonly mpUnreach: { afi: number; safi: number; nlri: readonly Nlri[] } | undefined;
  readonly action: BgpUpdate['action'];
  readonly problems: readonly AttributeProblem[];
}

/** "NO_EXPORT" etc. for the well-known ones (RFC 1997, 3765, 7999, 8326), else "asn:value". */
export function communityName(value: number): string {
  return `${value >>> 16}:${value & 0xffff}`;
}

/**
 * The attribute block alone. `mpReachAbbreviated` = RFC 6396 §4.3.4 form
 * (MP_REACH holds only next-hop length + next hop).
 */
export function decodePathAttributes(
  _bytes: Uint8Array,
  _caps: SessionCapabilities,
  _options?: { mpReachAbbreviated?: boolean; streamOffset?: number },
): DecodedAttributes {
  throw new Error('decodePathAttributes: not implemented yet');
}
