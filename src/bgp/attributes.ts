/**
 * BGP path attributes (RFC 4271 §4.3, §5) as one value, and the decoder of an
 * attribute block on its own (MRT TABLE_DUMP(_V2) RIB entries, RFC 6396).
 *
 * The attribute codecs live in attributes/, one file per attribute (each
 * citing its RFC and RFC 7606 section); attributes/block.ts walks the block
 * and applies RFC 7606 error handling; update.ts adds what depends on the
 * UPDATE's NLRI.
 *
 * Values are plain objects typed readonly (not frozen: a full table decodes
 * over a million of them); byte fields are views into the input, so a caller
 * that keeps them past the input buffer's life must copy them.
 */
import type { Asn } from '../net/asn.js';
import type { AsPath } from './as-path.js';
import { ACTION_BY_RANK, decodeBlock, EMPTY } from './attributes/block.js';
import { WELL_KNOWN_COMMUNITIES } from './attributes/communities.js';
import { Afi, type AfiSafi, Safi, type SessionCapabilities } from './capabilities.js';
import type { AttributeProblem, BgpUpdate, Nlri } from './update.js';

export {
  encodePathAttributes,
  type EncodeAttributesOptions,
  type MpReachInput,
  type MpUnreachInput,
  type PathAttributesInput,
} from './encode/attributes.js';

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

/**
 * The attributes of a route from a feed that tells only some of them (the
 * JSON feed, Direct Connect's route list): what it tells, the rest absent.
 * Nothing is invented for the missing ones.
 */
export function partialAttributes(given: Pick<PathAttributes, 'asPath'> & Partial<PathAttributes>): PathAttributes {
  return {
    origin: undefined,
    nextHop: undefined,
    linkLocalNextHop: undefined,
    med: undefined,
    localPref: undefined,
    atomicAggregate: false,
    aggregator: undefined,
    communities: [],
    largeCommunities: [],
    extendedCommunities: [],
    otherAttributes: [],
    ...given,
  };
}

/** The attribute block alone, for MRT TABLE_DUMP(_V2) RIB entries. */
export interface DecodedAttributes {
  readonly attributes: PathAttributes;
  readonly mpReach: { afi: number; safi: number; nlri: readonly Nlri[] } | undefined;
  readonly mpUnreach: { afi: number; safi: number; nlri: readonly Nlri[] } | undefined;
  readonly action: BgpUpdate['action'];
  readonly problems: readonly AttributeProblem[];
  /** (Addition to the contract.) MP NLRI of AFI/SAFIs other than IPv4/IPv6 unicast, counted, not decoded. */
  readonly skipped: BgpUpdate['skipped'];
}

/** "NO_EXPORT" etc. for the well-known ones (RFC 1997, 3765, 7611, 7999, 8326, 9494), else "asn:value". */
export function communityName(value: number): string {
  const v = value >>> 0;
  return WELL_KNOWN_COMMUNITIES.get(v) ?? `${v >>> 16}:${v & 0xffff}`;
}

/**
 * Decodes a path attribute block on its own. `mpReachAbbreviated` = RFC 6396
 * §4.3.4 form (MP_REACH holds only next-hop length + next hop); since that
 * form has no AFI/SAFI, `afiSafi` says which it stands for (the RIB entry's
 * subtype); without it IPv6 unicast is assumed for a 16/32-octet next hop and
 * IPv4 unicast for a 4-octet one. An MP_REACH that is not in the abbreviated
 * form (its first octet + 1 is not its length) is read in the full RFC 4760
 * form, as some dumpers write it.
 *
 * RFC 7606 applies as in an UPDATE except §3 (d) (missing mandatory
 * attributes), which depends on the UPDATE's NLRI: a RIB entry is a
 * collector's table row, so the caller decides what a missing ORIGIN means.
 * Session-reset errors throw BgpUpdateError.
 */
export function decodePathAttributes(
  bytes: Uint8Array,
  caps: SessionCapabilities,
  options?: { mpReachAbbreviated?: boolean; streamOffset?: number; afiSafi?: AfiSafi },
): DecodedAttributes {
  let abbreviated: AfiSafi | undefined;
  if (options?.mpReachAbbreviated === true) {
    abbreviated = options.afiSafi ?? guessAbbreviatedAfi(bytes);
  }
  const block = decodeBlock(bytes, 0, bytes.length, {
    caps,
    base: options?.streamOffset ?? 0,
    abbreviated,
    ipv4Nlri: false,
  });
  const skipped: { afi: number; safi: number; count: number }[] = [];
  const reach = block.mpReach;
  const unreach = block.mpUnreach;
  if (reach !== undefined && !reach.decoded && reach.skippedCount > 0) skipped.push({ afi: reach.afi, safi: reach.safi, count: reach.skippedCount });
  if (unreach !== undefined && !unreach.decoded && unreach.skippedCount > 0) skipped.push({ afi: unreach.afi, safi: unreach.safi, count: unreach.skippedCount });
  return {
    attributes: block.attributes,
    mpReach: reach === undefined ? undefined : { afi: reach.afi, safi: reach.safi, nlri: reach.nlri },
    mpUnreach: unreach === undefined ? undefined : { afi: unreach.afi, safi: unreach.safi, nlri: unreach.nlri },
    action: ACTION_BY_RANK[block.action],
    problems: block.problems,
    skipped: skipped.length === 0 ? EMPTY : skipped,
  };
}

const IPV4_UNICAST: AfiSafi = Object.freeze({ afi: Afi.ipv4, safi: Safi.unicast });
const IPV6_UNICAST: AfiSafi = Object.freeze({ afi: Afi.ipv6, safi: Safi.unicast });

/** Finds the abbreviated MP_REACH in the block and picks the AFI by its next-hop length. */
function guessAbbreviatedAfi(bytes: Uint8Array): AfiSafi {
  let p = 0;
  while (p + 3 <= bytes.length) {
    const flags = bytes[p]!;
    const ext = (flags & 0x10) !== 0;
    if (ext && p + 4 > bytes.length) break;
    const len = ext ? (bytes[p + 2]! << 8) | bytes[p + 3]! : bytes[p + 2]!;
    const v = p + (ext ? 4 : 3);
    if (bytes[p + 1] === 14 && len >= 1) return bytes[v] === 4 ? IPV4_UNICAST : IPV6_UNICAST;
    p = v + len;
  }
  return IPV6_UNICAST;
}
