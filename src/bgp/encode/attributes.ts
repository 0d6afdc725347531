/**
 * Encoding path attributes (RFC 4271 §4.3, §5) — the inverse of
 * attributes/block.ts, for tests, fixtures and the benchmark that
 * synthesises a full table.
 *
 *   attribute = flags:u8 type:u8 length:(u8 | u16 with flag 0x10) value
 *
 * Choices, so the output is exact and repeatable:
 * - MP_REACH_NLRI, then MP_UNREACH_NLRI, come first (RFC 7606 §5.1: they
 *   "SHALL be encoded as the very first path attribute"), then every other
 *   attribute in ascending type code (RFC 4271 §5: "SHOULD"), `otherAttributes`
 *   among them by code, in input order for equal codes.
 * - The Extended Length bit is set when a value exceeds 255 octets, or when an
 *   `otherAttributes` entry's flags already carry it.
 * - On a 2-octet AS session (RFC 6793 §4.2.2), AS numbers above 65535 become
 *   AS_TRANS (23456) in AS_PATH and AGGREGATOR, and AS4_PATH (the path without
 *   its confederation segments) / AS4_AGGREGATOR carry the real ones; they are
 *   written only when some AS number needs them.
 * - AS_PATH is written when the path is non-empty or an ORIGIN is given (a
 *   decoded PathAttributes cannot tell an absent AS_PATH from an empty one;
 *   an announcement has ORIGIN, a bare withdrawal has neither). A segment of
 *   more than 255 AS numbers is split (sequences only; a set that large is a
 *   RangeError).
 * - NEXT_HOP is written from an IPv4 `nextHop` when `nextHopAttribute` is
 *   true (encodeUpdate: when the IPv4 NLRI field is non-empty).
 *
 * Wrong input (an address that does not parse, a number out of range) is a
 * RangeError naming the field.
 */
import type { AsPath, AsPathSegment } from '../as-path.js';
import { AS_PATH_SEGMENT_CODE } from '../as-path.js';
import type { Aggregator, OtherAttribute, Origin } from '../attributes.js';
import { AS_TRANS } from '../attributes/as4-merge.js';
import { AttrFlag, AttrType } from '../attributes/codes.js';
import { ORIGIN_CODE } from '../attributes/origin.js';
import { addPathKey, type SessionCapabilities } from '../capabilities.js';
import type { Nlri } from '../update.js';
import { ipv4Word, ipv6Words, isIpv6Text } from './addresses.js';
import { ByteWriter, checkUint } from './byte-writer.js';
import { writeNlri } from './nlri.js';

/** What encodePathAttributes writes; a decoded PathAttributes is one. */
export interface PathAttributesInput {
  readonly origin?: Origin | undefined;
  readonly asPath?: AsPath | undefined;
  readonly nextHop?: string | undefined;
  readonly linkLocalNextHop?: string | undefined;
  readonly med?: number | undefined;
  readonly localPref?: number | undefined;
  readonly atomicAggregate?: boolean | undefined;
  readonly aggregator?: Aggregator | undefined;
  readonly communities?: readonly number[] | undefined;
  readonly largeCommunities?: readonly string[] | undefined;
  readonly extendedCommunities?: readonly Uint8Array[] | undefined;
  readonly otherAttributes?: readonly OtherAttribute[] | undefined;
}

export interface MpReachInput {
  readonly afi: number;
  readonly safi: number;
  /** IPv4 (4 octets) or IPv6 (16, or 32 with linkLocalNextHop) text. */
  readonly nextHop: string;
  readonly linkLocalNextHop?: string | undefined;
  readonly nlri: readonly Nlri[];
}

export interface MpUnreachInput {
  readonly afi: number;
  readonly safi: number;
  readonly nlri: readonly Nlri[];
}

export interface EncodeAttributesOptions {
  readonly mpReach?: MpReachInput | undefined;
  readonly mpUnreach?: MpUnreachInput | undefined;
  /** RFC 6396 §4.3.4 (MRT TABLE_DUMP_V2 RIB entries): MP_REACH holds only next-hop length + next hop. */
  readonly mpReachAbbreviated?: boolean | undefined;
  /** Write NEXT_HOP from an IPv4 `nextHop`. Default: when there is no mpReach. */
  readonly nextHopAttribute?: boolean | undefined;
}

const WELL_KNOWN = AttrFlag.transitive;
const OPTIONAL = AttrFlag.optional;
const OPTIONAL_TRANSITIVE = AttrFlag.optional | AttrFlag.transitive;

/** Reused by every call (encoding is synchronous); results are copies. */
const SCRATCH = new ByteWriter(4096);

/** The attribute block (no length prefix). */
export function encodePathAttributes(attrs: PathAttributesInput, caps: SessionCapabilities, options: EncodeAttributesOptions = {}): Uint8Array {
  writePathAttributes(SCRATCH.reset(), attrs, caps, options);
  return SCRATCH.copy();
}

/** Writes the attribute block into `w`, in the order described at the top of this file. */
export function writePathAttributes(w: ByteWriter, attrs: PathAttributesInput, caps: SessionCapabilities, options: EncodeAttributesOptions = {}): void {
  if (options.mpReach !== undefined) {
    const at = w.skip(4);
    writeMpReach(w, options.mpReach, caps, options.mpReachAbbreviated === true);
    w.closeAttribute(at, OPTIONAL, AttrType.mpReach);
  }
  if (options.mpUnreach !== undefined) {
    const at = w.skip(4);
    const mp = options.mpUnreach;
    w.u16(mp.afi, 'mpUnreach.afi').u8(mp.safi, 'mpUnreach.safi');
    writeNlri(w, mp.nlri, caps.addPath.size > 0 && caps.addPath.has(addPathKey(mp.afi, mp.safi)), 'mpUnreach.nlri');
    w.closeAttribute(at, OPTIONAL, AttrType.mpUnreach);
  }

  // otherAttributes go among the known ones by type code; after a known one of the same code.
  let others = attrs.otherAttributes ?? [];
  if (others.length > 1) others = [...others].sort((a, b) => a.typeCode - b.typeCode);
  let next = 0;
  const flushOthersBelow = (code: number): void => {
    for (; next < others.length && others[next]!.typeCode < code; next++) {
      const o = others[next]!;
      checkUint(o.typeCode, 0xff, 'otherAttributes.typeCode');
      checkUint(o.flags, 0xff, 'otherAttributes.flags');
      const at = w.skip(4);
      w.bytes(o.value);
      w.closeAttribute(at, o.flags, o.typeCode);
    }
  };
  const open = (code: number): number => {
    flushOthersBelow(code);
    return w.skip(4);
  };

  if (attrs.origin !== undefined) {
    const code = ORIGIN_CODE[attrs.origin];
    if (code === undefined) throw new RangeError(`origin: ${String(attrs.origin)} is not igp, egp or incomplete`);
    const at = open(AttrType.origin);
    w.u8(code, 'origin');
    w.closeAttribute(at, WELL_KNOWN, AttrType.origin);
  }
  const path = attrs.asPath;
  const writePath = path !== undefined && (!path.isEmpty || attrs.origin !== undefined);
  if (writePath) {
    const at = open(AttrType.asPath);
    writeAsPath(w, path.segments, caps.asn4 ? 4 : 2, false);
    w.closeAttribute(at, WELL_KNOWN, AttrType.asPath);
  }
  const writeNextHop = options.nextHopAttribute ?? options.mpReach === undefined;
  if (writeNextHop && attrs.nextHop !== undefined && !isIpv6Text(attrs.nextHop)) {
    const at = open(AttrType.nextHop);
    w.u32(ipv4Word(attrs.nextHop, 'nextHop'), 'nextHop');
    w.closeAttribute(at, WELL_KNOWN, AttrType.nextHop);
  }
  if (attrs.med !== undefined) {
    const at = open(AttrType.med);
    w.u32(attrs.med, 'med');
    w.closeAttribute(at, OPTIONAL, AttrType.med);
  }
  if (attrs.localPref !== undefined) {
    const at = open(AttrType.localPref);
    w.u32(attrs.localPref, 'localPref');
    w.closeAttribute(at, WELL_KNOWN, AttrType.localPref);
  }
  if (attrs.atomicAggregate === true) {
    w.closeAttribute(open(AttrType.atomicAggregate), WELL_KNOWN, AttrType.atomicAggregate);
  }
  const aggregator = attrs.aggregator;
  if (aggregator !== undefined) {
    checkUint(aggregator.asn, 0xffffffff, 'aggregator.asn');
    const addr = ipv4Word(aggregator.address, 'aggregator.address');
    const at = open(AttrType.aggregator);
    if (caps.asn4) w.u32(aggregator.asn, 'aggregator.asn');
    else w.u16(aggregator.asn > 0xffff ? AS_TRANS : aggregator.asn, 'aggregator.asn');
    w.u32(addr, 'aggregator.address');
    w.closeAttribute(at, OPTIONAL_TRANSITIVE, AttrType.aggregator);
  }
  if (attrs.communities !== undefined && attrs.communities.length > 0) {
    const at = open(AttrType.communities);
    for (const c of attrs.communities) w.u32(c, 'communities');
    w.closeAttribute(at, OPTIONAL_TRANSITIVE, AttrType.communities);
  }
  if (attrs.extendedCommunities !== undefined && attrs.extendedCommunities.length > 0) {
    const at = open(AttrType.extendedCommunities);
    for (const c of attrs.extendedCommunities) {
      if (c.length !== 8) throw new RangeError(`extendedCommunities: ${c.length} octets, must be 8`);
      w.bytes(c);
    }
    w.closeAttribute(at, OPTIONAL_TRANSITIVE, AttrType.extendedCommunities);
  }
  if (writePath && !caps.asn4 && needsAs4(path.segments)) {
    const at = open(AttrType.as4Path);
    writeAsPath(w, path.segments, 4, true);
    w.closeAttribute(at, OPTIONAL_TRANSITIVE, AttrType.as4Path);
  }
  if (aggregator !== undefined && !caps.asn4 && aggregator.asn > 0xffff) {
    const at = open(AttrType.as4Aggregator);
    w.u32(aggregator.asn, 'aggregator.asn').u32(ipv4Word(aggregator.address, 'aggregator.address'), 'aggregator.address');
    w.closeAttribute(at, OPTIONAL_TRANSITIVE, AttrType.as4Aggregator);
  }
  if (attrs.largeCommunities !== undefined && attrs.largeCommunities.length > 0) {
    const at = open(AttrType.largeCommunities);
    for (const c of attrs.largeCommunities) {
      const parts = c.split(':');
      if (parts.length !== 3 || parts.some((x) => !/^\d{1,10}$/.test(x))) throw new RangeError(`largeCommunities: ${JSON.stringify(c)} is not global:local1:local2`);
      for (const x of parts) w.u32(Number(x), 'largeCommunities');
    }
    w.closeAttribute(at, OPTIONAL_TRANSITIVE, AttrType.largeCommunities);
  }
  flushOthersBelow(256);
}

/** One attribute: flags (Extended Length set when needed), type, length, value. */
export function writeAttribute(w: ByteWriter, flags: number, code: number, value: Uint8Array): void {
  const at = w.skip(4);
  w.bytes(value);
  w.closeAttribute(at, flags, code);
}

/** AS_PATH (asnBytes 2 or 4) or, with `as4`, AS4_PATH: 4-octet, confederation segments left out. */
function writeAsPath(w: ByteWriter, segments: readonly AsPathSegment[], asnBytes: 2 | 4, as4: boolean): void {
  for (const seg of segments) {
    if (as4 && (seg.type === 'confed-sequence' || seg.type === 'confed-set')) continue;
    const asns = seg.asns;
    if (asns.length > 255 && (seg.type === 'set' || seg.type === 'confed-set')) {
      throw new RangeError(`asPath: a ${seg.type} of ${asns.length} AS numbers does not fit one segment (255)`);
    }
    for (let from = 0; from < asns.length; from += 255) {
      const n = Math.min(255, asns.length - from);
      w.u8(AS_PATH_SEGMENT_CODE[seg.type], 'asPath.segmentType').u8(n, 'asPath.segmentLength');
      for (let i = from; i < from + n; i++) {
        const asn = asns[i]!;
        if (asnBytes === 4) w.u32(asn, 'asPath.asn');
        else w.u16(asn > 0xffff ? AS_TRANS : asn, 'asPath.asn');
      }
    }
  }
}

/** True if a 2-octet session needs AS4_PATH: an AS number above 65535 outside confederation segments. */
function needsAs4(segments: readonly AsPathSegment[]): boolean {
  for (const seg of segments) {
    if (seg.type === 'confed-sequence' || seg.type === 'confed-set') continue;
    for (const asn of seg.asns) if (asn > 0xffff) return true;
  }
  return false;
}

function writeMpReach(w: ByteWriter, mp: MpReachInput, caps: SessionCapabilities, abbreviated: boolean): void {
  if (!abbreviated) w.u16(mp.afi, 'mpReach.afi').u8(mp.safi, 'mpReach.safi');
  const v6 = isIpv6Text(mp.nextHop);
  const hopLength = v6 ? (mp.linkLocalNextHop !== undefined ? 32 : 16) : 4;
  w.u8(hopLength, 'mpReach.nextHopLength');
  if (v6) {
    writeV6(w, mp.nextHop, 'mpReach.nextHop');
    if (mp.linkLocalNextHop !== undefined) writeV6(w, mp.linkLocalNextHop, 'mpReach.linkLocalNextHop');
  } else {
    w.u32(ipv4Word(mp.nextHop, 'mpReach.nextHop'), 'mpReach.nextHop');
    if (mp.linkLocalNextHop !== undefined) throw new RangeError('mpReach.linkLocalNextHop: needs an IPv6 next hop');
  }
  if (abbreviated) {
    if (mp.nlri.length > 0) throw new RangeError('mpReach: the abbreviated form (RFC 6396 §4.3.4) carries no NLRI');
    return;
  }
  w.u8(0, 'mpReach.reserved');
  writeNlri(w, mp.nlri, caps.addPath.size > 0 && caps.addPath.has(addPathKey(mp.afi, mp.safi)), 'mpReach.nlri');
}

function writeV6(w: ByteWriter, text: string, field: string): void {
  const p = ipv6Words(text, field);
  w.u32(p.w0, field).u32(p.w1, field).u32(p.w2, field).u32(p.w3, field);
}
