/**
 * The path attribute block (RFC 4271 §4.3 "Path Attributes"), decoded once
 * per UPDATE or MRT RIB entry with the error handling of RFC 7606:
 *
 *   block     = *attribute
 *   attribute = flags:u8 type:u8 length:(u8 | u16 if flags & 0x10) value:length
 *
 * Rules applied here (the NLRI-dependent ones, §3 (d) missing mandatory
 * attributes, are in update.ts):
 * - §4: an attribute whose length overruns the block, or fewer than 3 (4)
 *   octets left for an attribute header: treat-as-withdraw, stop reading; the
 *   block's own length still locates the NLRI. If the attribute that overruns
 *   is MP_REACH_NLRI or MP_UNREACH_NLRI, its NLRI cannot be located, so the
 *   session is reset (§3 (j)).
 * - §3 (c): Optional/Transitive flags in conflict with the attribute's
 *   definition (only those two bits: RFC 7606 names no others; a Partial bit
 *   on a well-known attribute, which RFC 4271 §4.3 says MUST be 0, is let
 *   through like the Extended Length bit, which is always allowed): the
 *   attribute is malformed, treat-as-withdraw (the value is
 *   not used; MP_REACH/MP_UNREACH are still parsed so their NLRI can be
 *   withdrawn).
 * - §3 (g): a repeated attribute: all but the first are discarded; a repeated
 *   MP_REACH_NLRI or MP_UNREACH_NLRI resets the session.
 * - RFC 4271 §6.3: an attribute we do not recognise with the Optional bit
 *   clear is an "Unrecognized Well-known Attribute": session reset (RFC 7606
 *   does not revise that).
 * - Per-attribute rules: the file of each attribute (RFC 7606 §7, RFC 6793 §6,
 *   RFC 7607, RFC 8092 §6, RFC 9234 §5, RFC 8205 §5.2). MP_REACH/MP_UNREACH
 *   errors throw.
 * - RFC 8205 §4.4: a BGPsec_PATH stands for the AS_PATH when there is none.
 * - §3 (h): when several problems are found, the strongest action is taken
 *   (session reset > treat-as-withdraw > attribute discard).
 * - RFC 6793 §6: AS4_PATH/AS4_AGGREGATOR received on a 4-octet session are
 *   discarded; on a 2-octet session they are merged (as4-merge.ts).
 *
 * No exceptions inside the walk except session resets (BgpUpdateError):
 * attribute decoders return a Malformed value, so there is no try/catch per
 * field and nothing is decoded twice.
 */
import type { AsPathSegment } from '../as-path.js';
import { AsPath } from '../as-path.js';
import type { Aggregator, Origin, PathAttributes } from '../attributes.js';
import type { SessionCapabilities } from '../capabilities.js';
import type { AttributeProblem, Rfc7606Action } from '../update.js';
import { malformedUpdate } from '../update-error.js';
import { decodeAggregator } from './aggregator.js';
import { AS_TRANS, mergeAs4Path } from './as4-merge.js';
import { decodeAsPathSegments } from './as-path.js';
import { decodeAsPathCached } from './as-path-cache.js';
import { decodeAtomicAggregate } from './atomic-aggregate.js';
import { decodeBgpsecPath } from './bgpsec-path.js';
import { checkClusterList } from './cluster-list.js';
import { AttrFlag, AttrType, attributeName, EXPECTED_FLAGS, malformedAction } from './codes.js';
import { decodeCommunities } from './communities.js';
import { checkIpv6ExtendedCommunities, decodeExtendedCommunities } from './extended-communities.js';
import { decodeLargeCommunities } from './large-communities.js';
import { Malformed, malformed } from './malformed.js';
import { decodeMpReach, decodeMpUnreach, type MpNlri } from './mp-reach.js';
import { decodeNextHop } from './next-hop.js';
import { decodeOrigin } from './origin.js';
import { decodeU32Attribute } from './u32-attributes.js';

export interface BlockOptions {
  readonly caps: SessionCapabilities;
  /** Stream offset of `buf[0]`. */
  readonly base: number;
  /** RFC 6396 §4.3.4 MP_REACH (next hop only), with the AFI/SAFI it stands for. */
  readonly abbreviated: { afi: number; safi: number } | undefined;
  /** The UPDATE's IPv4 NLRI field is non-empty: NEXT_HOP, not MP_REACH's next hop, is reported. */
  readonly ipv4Nlri: boolean;
}

/** Action ranks: 0 none, 1 attribute-discard, 2 treat-as-withdraw. */
export type ActionRank = 0 | 1 | 2;
export const ACTION_BY_RANK = ['none', 'attribute-discard', 'treat-as-withdraw'] as const;

export interface DecodedBlock {
  readonly attributes: PathAttributes;
  readonly mpReach: MpNlri | undefined;
  readonly mpUnreach: MpNlri | undefined;
  readonly action: ActionRank;
  readonly problems: readonly AttributeProblem[];
  /** Present at all (even if malformed): for RFC 7606 §3 (d), "missing". */
  readonly hasOrigin: boolean;
  readonly hasAsPath: boolean;
  readonly hasNextHop: boolean;
  /** Attributes in the block (repeats included). */
  readonly count: number;
}

export const EMPTY: readonly never[] = Object.freeze([]);

/** Which type codes were seen in the current block; reset at the start of each (decoding is synchronous). */
const SEEN = new Uint8Array(256);

/** Mutable collector for one block. */
class Collector {
  problems: AttributeProblem[] | undefined = undefined;
  rank: ActionRank = 0;

  problem(typeCode: number, offset: number, action: Rfc7606Action, reason: string): void {
    (this.problems ??= []).push({ typeCode, offset, action, reason: `${attributeName(typeCode)}: ${reason}` });
    const r: ActionRank = action === 'treat-as-withdraw' ? 2 : 1;
    if (r > this.rank) this.rank = r;
  }
}

export function decodeBlock(buf: Uint8Array, start: number, end: number, opts: BlockOptions): DecodedBlock {
  const { caps, base } = opts;
  const asnBytes: 2 | 4 = caps.asn4 ? 4 : 2;
  const c = new Collector();
  SEEN.fill(0);

  let origin: Origin | undefined;
  let asPath: AsPath | undefined;
  let as4PathSegs: AsPathSegment[] | undefined;
  let bgpsecSegs: AsPathSegment[] | undefined;
  let nextHop: string | undefined;
  let med: number | undefined;
  let localPref: number | undefined;
  let atomicAggregate = false;
  let aggregator: Aggregator | undefined;
  let as4Aggregator: Aggregator | undefined;
  let communities: number[] | undefined;
  let largeCommunities: string[] | undefined;
  let extendedCommunities: Uint8Array[] | undefined;
  let others: { typeCode: number; flags: number; value: Uint8Array }[] | undefined;
  let mpReach: MpNlri | undefined;
  let mpUnreach: MpNlri | undefined;
  let count = 0;

  let p = start;
  while (p < end) {
    const at = p;
    const flags = buf[p]!;
    const extended = (flags & AttrFlag.extendedLength) !== 0;
    const headerLength = extended ? 4 : 3;
    if (end - p < headerLength) {
      const type = end - p >= 2 ? buf[p + 1]! : 0;
      // RFC 7606 §4, second case: not enough left for an attribute header.
      c.problem(type, base + at, 'treat-as-withdraw', `${end - p} octets left, too few for an attribute header (RFC 7606 §4)`);
      break;
    }
    const type = buf[p + 1]!;
    const length = extended ? (buf[p + 2]! << 8) | buf[p + 3]! : buf[p + 2]!;
    const v = p + headerLength;
    if (end - v < length) {
      if (type === AttrType.mpReach || type === AttrType.mpUnreach) {
        throw malformedUpdate(`bgp.update.attr.${type === AttrType.mpReach ? 'mpReach' : 'mpUnreach'}.length`, base + at, `length ${length} overruns the attribute block (${end - v} octets left): its NLRI cannot be located (RFC 7606 §3 (j))`);
      }
      // RFC 7606 §4, first case.
      c.problem(type, base + at, 'treat-as-withdraw', `length ${length} overruns the attribute block (${end - v} octets left) (RFC 7606 §4)`);
      break;
    }
    p = v + length;
    count++;

    if (SEEN[type] !== 0) {
      if (type === AttrType.mpReach || type === AttrType.mpUnreach) {
        throw malformedUpdate('bgp.update.attr.type', base + at, `${attributeName(type)} appears more than once (RFC 7606 §3 (g): Malformed Attribute List)`);
      }
      c.problem(type, base + at, 'attribute-discard', 'repeated; all but the first discarded (RFC 7606 §3 (g))');
      continue;
    }
    SEEN[type] = 1;

    const expected = EXPECTED_FLAGS[type]!;
    let flagsOk = true;
    if (expected >= 0) {
      if ((flags & (AttrFlag.optional | AttrFlag.transitive)) !== expected) {
        c.problem(type, base + at, 'treat-as-withdraw', `flags 0x${flags.toString(16)} conflict with the attribute's Optional/Transitive bits (RFC 7606 §3 (c))`);
        flagsOk = false;
      }
    } else if ((flags & AttrFlag.optional) === 0) {
      throw malformedUpdate('bgp.update.attr.type', base + at, `unrecognized well-known attribute ${type} (RFC 4271 §6.3)`);
    }

    switch (type) {
      case AttrType.mpReach:
        // Parsed even with bad flags: its NLRI must be found to be withdrawn.
        mpReach = decodeMpReach(buf, v, length, caps, base, opts.abbreviated);
        continue;
      case AttrType.mpUnreach:
        mpUnreach = decodeMpUnreach(buf, v, length, caps, base);
        continue;
    }
    if (!flagsOk) continue;

    let result: unknown;
    switch (type) {
      case AttrType.origin:
        result = decodeOrigin(buf, v, length);
        if (!(result instanceof Malformed)) origin = result as Origin;
        break;
      case AttrType.asPath:
        result = decodeAsPathCached(buf, v, length, asnBytes);
        if (!(result instanceof Malformed)) asPath = result as AsPath;
        break;
      case AttrType.nextHop:
        result = decodeNextHop(buf, v, length);
        if (!(result instanceof Malformed)) nextHop = result as string;
        break;
      case AttrType.med:
        result = decodeU32Attribute(buf, v, length);
        if (!(result instanceof Malformed)) med = result as number;
        break;
      case AttrType.localPref:
        result = decodeU32Attribute(buf, v, length);
        if (!(result instanceof Malformed)) localPref = result as number;
        break;
      case AttrType.atomicAggregate:
        result = decodeAtomicAggregate(length);
        if (!(result instanceof Malformed)) atomicAggregate = true;
        break;
      case AttrType.aggregator:
        result = decodeAggregator(buf, v, length, asnBytes);
        if (!(result instanceof Malformed)) aggregator = result as Aggregator;
        break;
      case AttrType.communities:
        result = decodeCommunities(buf, v, length);
        if (!(result instanceof Malformed)) communities = result as number[];
        break;
      case AttrType.extendedCommunities:
        result = decodeExtendedCommunities(buf, v, length);
        if (!(result instanceof Malformed)) extendedCommunities = result as Uint8Array[];
        break;
      case AttrType.largeCommunities:
        result = decodeLargeCommunities(buf, v, length);
        if (!(result instanceof Malformed)) largeCommunities = result as string[];
        break;
      case AttrType.as4Path:
        if (caps.asn4) {
          c.problem(type, base + at, 'attribute-discard', 'received on a 4-octet AS session; discarded (RFC 6793 §6)');
          continue;
        }
        // RFC 6793 §6: an AS4_PATH "too small (i.e., less than 6) for the
        // attribute to carry at least one AS number" is malformed.
        result = length < 6 ? malformed(`length ${length}, too small for one AS number`) : decodeAsPathSegments(buf, v, length, 4);
        if (!(result instanceof Malformed)) {
          const segs = result as AsPathSegment[];
          const kept = segs.filter((s) => s.type === 'sequence' || s.type === 'set');
          if (kept.length !== segs.length) {
            c.problem(type, base + at, 'attribute-discard', 'AS_CONFED segments in AS4_PATH discarded (RFC 6793 §6)');
          }
          as4PathSegs = kept;
        }
        break;
      case AttrType.as4Aggregator:
        if (caps.asn4) {
          c.problem(type, base + at, 'attribute-discard', 'received on a 4-octet AS session; discarded (RFC 6793 §6)');
          continue;
        }
        result = decodeAggregator(buf, v, length, 4);
        if (!(result instanceof Malformed)) as4Aggregator = result as Aggregator;
        break;
      case AttrType.originatorId:
      case AttrType.otc:
        result = decodeU32Attribute(buf, v, length);
        if (!(result instanceof Malformed)) (others ??= []).push({ typeCode: type, flags, value: buf.subarray(v, v + length) });
        break;
      case AttrType.clusterList:
        result = checkClusterList(length);
        if (result === undefined) (others ??= []).push({ typeCode: type, flags, value: buf.subarray(v, v + length) });
        break;
      case AttrType.bgpsecPath:
        // RFC 8205 §5.2: errors are treat-as-withdraw. Kept raw; its path is
        // used when there is no AS_PATH (RFC 8205 §4.4).
        result = decodeBgpsecPath(buf, v, length);
        if (!(result instanceof Malformed)) {
          bgpsecSegs = result as AsPathSegment[];
          (others ??= []).push({ typeCode: type, flags, value: buf.subarray(v, v + length) });
        }
        break;
      case AttrType.ipv6ExtendedCommunities:
        result = checkIpv6ExtendedCommunities(length);
        if (result === undefined) (others ??= []).push({ typeCode: type, flags, value: buf.subarray(v, v + length) });
        break;
      default:
        (others ??= []).push({ typeCode: type, flags, value: buf.subarray(v, v + length) });
        continue;
    }
    if (result instanceof Malformed) c.problem(type, base + at, malformedAction(type), result.reason);
  }

  // RFC 6793 §4.2.3 on a 2-octet session.
  if (!caps.asn4 && (as4PathSegs !== undefined || as4Aggregator !== undefined)) {
    if (aggregator !== undefined && as4Aggregator !== undefined) {
      if (aggregator.asn !== AS_TRANS) {
        // AGGREGATOR names a 2-octet AS: AS4_AGGREGATOR and AS4_PATH are ignored.
        as4PathSegs = undefined;
      } else {
        aggregator = as4Aggregator;
      }
    }
    // An AS4_AGGREGATOR without AGGREGATOR is ignored: §4.2.3 merges the two
    // only "when both of the attributes are received" (FRR does the same).
    // AS4_PATH is still merged.
    if (as4PathSegs !== undefined && asPath !== undefined) {
      const merged = mergeAs4Path(asPath.segments, as4PathSegs);
      if (merged !== undefined) asPath = AsPath.ofChecked(merged);
    }
  }

  if (asPath === undefined && bgpsecSegs !== undefined) asPath = AsPath.ofChecked(bgpsecSegs);

  let hop = nextHop;
  let linkLocal: string | undefined;
  if (mpReach !== undefined && mpReach.nextHop !== undefined && !(opts.ipv4Nlri && nextHop !== undefined)) {
    hop = mpReach.nextHop;
    linkLocal = mpReach.linkLocalNextHop;
  }

  const attributes: PathAttributes = {
    origin,
    asPath: asPath ?? AsPath.EMPTY,
    nextHop: hop,
    linkLocalNextHop: linkLocal,
    med,
    localPref,
    atomicAggregate,
    aggregator,
    communities: communities ?? EMPTY,
    largeCommunities: largeCommunities ?? EMPTY,
    extendedCommunities: extendedCommunities ?? EMPTY,
    otherAttributes: others ?? EMPTY,
  };
  return {
    attributes,
    mpReach,
    mpUnreach,
    action: c.rank,
    problems: c.problems ?? EMPTY,
    hasOrigin: SEEN[AttrType.origin] !== 0,
    hasAsPath: SEEN[AttrType.asPath] !== 0 || bgpsecSegs !== undefined,
    hasNextHop: SEEN[AttrType.nextHop] !== 0,
    count,
  };
}
