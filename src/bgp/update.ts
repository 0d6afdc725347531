/**
 * The BGP UPDATE message: RFC 4271 §4.3, multiprotocol NLRI (RFC 4760),
 * ADD-PATH (RFC 7911), error handling (RFC 7606), End-of-RIB (RFC 4724 §2).
 *
 *   UPDATE body = withdrawn-length:u16 withdrawn:withdrawn-length
 *                 attributes-length:u16 attributes:attributes-length
 *                 nlri:rest                       ; IPv4 unicast only
 *   withdrawn, nlri = *([path-id:u32] length:u8 prefix)   ; see nlri.ts
 *
 * RFC 7606 outcomes:
 * - session reset (a thrown {@link BgpUpdateError}): the Withdrawn Routes
 *   Length or Total Path Attribute Length overruns the message (RFC 4271 §6.3
 *   "Malformed Attribute List": the NLRI cannot be located), a syntactically
 *   incorrect Withdrawn Routes or NLRI field (RFC 7606 §5.3), any MP_REACH /
 *   MP_UNREACH error (RFC 7606 §7.11, §7.12, §3 (g)), an unrecognized
 *   well-known attribute (RFC 4271 §6.3);
 * - treat-as-withdraw: every announced NLRI is reported as withdrawn and
 *   `announced` is empty; this includes §3 (d), a missing ORIGIN or AS_PATH
 *   when the UPDATE announces anything, or a missing NEXT_HOP when its IPv4
 *   NLRI field is non-empty (RFC 4760 §3 makes NEXT_HOP optional otherwise);
 * - attribute discard: the attribute is dropped from `attributes`.
 * `action` is the strongest action taken (§3 (h)), `problems` lists each one.
 * The per-attribute rules are in attributes/block.ts and attributes/*.ts.
 *
 * End-of-RIB (RFC 4724 §2): IPv4 unicast is an UPDATE with nothing in it (no
 * withdrawn routes, no attributes, no NLRI); any other AFI/SAFI is an UPDATE
 * whose only attribute is an MP_UNREACH_NLRI with that AFI/SAFI and no NLRI.
 *
 * Length errors, two cases (RFC 7606 §4 and RFC 4271 §6.3): a Total Path
 * Attribute Length that overruns the message leaves the NLRI field nowhere,
 * so the session is reset; an attribute inside the block that overruns the
 * block is treat-as-withdraw ("the Total Attribute Length MUST be relied upon
 * to enable the beginning of the NLRI field to be located", RFC 7606 §4).
 *
 * Not decided here, for want of session facts a decoder does not have:
 * whether the peer is internal (RFC 7606 §7.5 discards LOCAL_PREF from an
 * external peer; here a malformed one is treat-as-withdraw either way, the
 * stronger action), AS_CONFED segments from an external peer (RFC 5065 §5.3),
 * the neighbour AS leading AS_PATH (RFC 4271 §6.3), next-hop semantics. AS_SET
 * is decoded, not withdrawn (RFC 9774 would withdraw it; a monitor wants to
 * see what routers accept, and RFC 6811 already makes such routes invalid).
 *
 * `attributes` is undefined only when the attribute block is empty; an UPDATE
 * with only MP_UNREACH has attributes (all fields empty). On treat-as-withdraw
 * `attributes` still holds what could be decoded, for logs.
 */
import type { Prefix } from '../net/prefix.js';
import type { PathAttributes } from './attributes.js';
import { ACTION_BY_RANK, decodeBlock, EMPTY } from './attributes/block.js';
import { AttrType } from './attributes/codes.js';
import { addPathKey, type AfiSafi, type SessionCapabilities } from './capabilities.js';
import { readNlri } from './nlri.js';
import { BgpUpdateError, malformedUpdate, truncated } from './update-error.js';

export { BgpUpdateError };
export { encodeUpdate, encodeUpdateBody, type EncodeUpdateOptions, type UpdateInput } from './encode/update.js';

export interface Nlri {
  readonly prefix: Prefix;
  /** 0 when the session has no ADD-PATH for it. */
  readonly pathId: number;
}

export type Rfc7606Action = 'attribute-discard' | 'treat-as-withdraw' | 'session-reset';

export interface AttributeProblem {
  readonly typeCode: number;
  /** Stream offset of the attribute (its flags octet), or of the attribute block for a missing one. */
  readonly offset: number;
  readonly action: Rfc7606Action;
  readonly reason: string;
}

export interface SkippedNlri {
  readonly afi: number;
  readonly safi: number;
  /** NLRI entries if parseable, else 1 per attribute. */
  readonly count: number;
}

export interface BgpUpdate {
  /** IPv4 Withdrawn Routes + MP_UNREACH_NLRI (IPv4/IPv6 unicast); plus, on treat-as-withdraw, every announced NLRI. */
  readonly withdrawn: readonly Nlri[];
  /** IPv4 NLRI + MP_REACH_NLRI (IPv4/IPv6 unicast); empty on treat-as-withdraw. */
  readonly announced: readonly Nlri[];
  /** Undefined when the UPDATE has no path attributes. */
  readonly attributes: PathAttributes | undefined;
  /** RFC 4724 §2 marker. */
  readonly endOfRib: AfiSafi | undefined;
  /** The strongest RFC 7606 action taken. */
  readonly action: 'none' | 'attribute-discard' | 'treat-as-withdraw';
  readonly problems: readonly AttributeProblem[];
  /** MP NLRI of other AFI/SAFIs, counted never misread. */
  readonly skipped: readonly SkippedNlri[];
}

const IPV4_KEY = addPathKey(1, 1);
const IPV4_END_OF_RIB: AfiSafi = Object.freeze({ afi: 1, safi: 1 });

function missing(typeCode: number, offset: number, reason: string): AttributeProblem {
  return { typeCode, offset, action: 'treat-as-withdraw', reason };
}

export interface DecodeUpdateOptions {
  /**
   * A missing NEXT_HOP with IPv4 NLRI is recorded (action
   * 'attribute-discard') instead of making the UPDATE treat-as-withdraw.
   * For what a router reports over BMP of its own tables (post-policy
   * Adj-RIB-In, Loc-RIB, Adj-RIB-Out): the router holds those routes, and
   * some (FRR) leave NEXT_HOP out of them. RFC 7606 protects a speaker's
   * routing; a monitor must report what the router holds.
   */
  readonly nextHopOptional?: boolean;
}

/** Throws BgpUpdateError (extends ParseError, with action 'session-reset') when RFC 7606 demands a session reset. */
export function decodeUpdate(body: Uint8Array, caps: SessionCapabilities, streamOffset = 0, options: DecodeUpdateOptions = {}): BgpUpdate {
  const base = streamOffset;
  const n = body.length;
  if (n < 2) throw truncated('bgp.update.withdrawnRoutesLength', base, 2, n);
  const wLen = (body[0]! << 8) | body[1]!;
  const wEnd = 2 + wLen;
  if (wEnd > n) {
    throw malformedUpdate('bgp.update.withdrawnRoutesLength', base, `${wLen} overruns the message (${n - 2} octets left) (RFC 4271 §6.3)`);
  }
  if (n - wEnd < 2) throw truncated('bgp.update.totalPathAttributeLength', base + wEnd, 2, n - wEnd);
  const aLen = (body[wEnd]! << 8) | body[wEnd + 1]!;
  const aStart = wEnd + 2;
  const aEnd = aStart + aLen;
  if (aEnd > n) {
    throw malformedUpdate('bgp.update.totalPathAttributeLength', base + wEnd, `${aLen} overruns the message (${n - aStart} octets left) (RFC 4271 §6.3)`);
  }
  const v4AddPath = caps.addPath.size > 0 && caps.addPath.has(IPV4_KEY);

  let withdrawn: readonly Nlri[] = EMPTY;
  if (wLen > 0) {
    const out: Nlri[] = [];
    readNlri(body, 2, wEnd, 1, v4AddPath, out, 'bgp.update.withdrawn', base);
    withdrawn = out;
  }
  let announced: readonly Nlri[] = EMPTY;
  if (aEnd < n) {
    const out: Nlri[] = [];
    readNlri(body, aEnd, n, 1, v4AddPath, out, 'bgp.update.nlri', base);
    announced = out;
  }
  const at = base + wEnd; // the Total Path Attribute Length field: where a missing attribute is reported

  if (aLen === 0) {
    if (announced.length === 0) {
      return {
        withdrawn,
        announced,
        attributes: undefined,
        endOfRib: wLen === 0 ? IPV4_END_OF_RIB : undefined,
        action: 'none',
        problems: EMPTY,
        skipped: EMPTY,
      };
    }
    // NLRI without any attribute: every well-known mandatory one is missing.
    return {
      withdrawn: withdrawn.concat(announced),
      announced: EMPTY,
      attributes: undefined,
      endOfRib: undefined,
      action: 'treat-as-withdraw',
      problems: [
        missing(AttrType.origin, at, 'ORIGIN: missing (RFC 7606 §3 (d))'),
        missing(AttrType.asPath, at, 'AS_PATH: missing (RFC 7606 §3 (d))'),
        missing(AttrType.nextHop, at, 'NEXT_HOP: missing with IPv4 NLRI (RFC 7606 §3 (d))'),
      ],
      skipped: EMPTY,
    };
  }

  const block = decodeBlock(body, aStart, aEnd, { caps, base, abbreviated: undefined, ipv4Nlri: announced.length > 0 });
  const reach = block.mpReach;
  const unreach = block.mpUnreach;
  let action = block.action;
  let problems = block.problems;
  let skipped: SkippedNlri[] | undefined;
  let endOfRib: AfiSafi | undefined;

  if (reach !== undefined) {
    if (reach.decoded) {
      if (reach.nlri.length > 0) announced = announced.length === 0 ? reach.nlri : announced.concat(reach.nlri);
    } else if (reach.skippedCount > 0) {
      (skipped ??= []).push({ afi: reach.afi, safi: reach.safi, count: reach.skippedCount });
    }
  }
  if (unreach !== undefined) {
    if (unreach.decoded) {
      if (unreach.nlri.length > 0) withdrawn = withdrawn.length === 0 ? unreach.nlri : withdrawn.concat(unreach.nlri);
    } else if (unreach.skippedCount > 0) {
      (skipped ??= []).push({ afi: unreach.afi, safi: unreach.safi, count: unreach.skippedCount });
    }
    if (block.count === 1 && wLen === 0 && aEnd === n && unreach.nlri.length === 0 && unreach.skippedCount === 0) {
      endOfRib = { afi: unreach.afi, safi: unreach.safi };
    }
  }

  // RFC 7606 §3 (d): well-known mandatory attributes missing while NLRI are announced.
  if (announced.length > 0 || (reach !== undefined && reach.skippedCount > 0)) {
    let absent: AttributeProblem[] | undefined;
    if (!block.hasOrigin) (absent ??= []).push(missing(AttrType.origin, at, 'ORIGIN: missing (RFC 7606 §3 (d))'));
    if (!block.hasAsPath) (absent ??= []).push(missing(AttrType.asPath, at, 'AS_PATH: missing (RFC 7606 §3 (d))'));
    if (aEnd < n && !block.hasNextHop) {
      if (options.nextHopOptional === true) {
        problems = problems.concat({ typeCode: AttrType.nextHop, offset: at, action: 'attribute-discard', reason: 'NEXT_HOP: missing with IPv4 NLRI; the route is kept (a table the router reports of itself)' });
        if (action === 0) action = 1;
      } else {
        (absent ??= []).push(missing(AttrType.nextHop, at, 'NEXT_HOP: missing with IPv4 NLRI (RFC 7606 §3 (d), RFC 4760 §3)'));
      }
    }
    if (absent !== undefined) {
      problems = problems.length === 0 ? absent : problems.concat(absent);
      action = 2;
    }
  }

  if (action === 2 && announced.length > 0) {
    withdrawn = withdrawn.length === 0 ? announced : withdrawn.concat(announced);
    announced = EMPTY;
  }
  return {
    withdrawn,
    announced,
    attributes: block.attributes,
    endOfRib,
    action: ACTION_BY_RANK[action],
    problems,
    skipped: skipped ?? EMPTY,
  };
}
