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

interface Entry {
  readonly order: number;
  readonly flags: number;
  readonly code: number;
  readonly value: Uint8Array;
}

const WELL_KNOWN = AttrFlag.transitive;
const OPTIONAL = AttrFlag.optional;
const OPTIONAL_TRANSITIVE = AttrFlag.optional | AttrFlag.transitive;

/** The attribute block (no length prefix). */
export function encodePathAttributes(attrs: PathAttributesInput, caps: SessionCapabilities, options: EncodeAttributesOptions = {}): Uint8Array {
  const entries: Entry[] = [];
  const add = (code: number, flags: number, value: Uint8Array, order = code): void => {
    entries.push({ order, flags, code, value });
  };

  if (options.mpReach !== undefined) add(AttrType.mpReach, OPTIONAL, encodeMpReach(options.mpReach, caps, options.mpReachAbbreviated === true), -2);
  if (options.mpUnreach !== undefined) add(AttrType.mpUnreach, OPTIONAL, encodeMpUnreach(options.mpUnreach, caps), -1);

  if (attrs.origin !== undefined) {
    const code = ORIGIN_CODE[attrs.origin];
    if (code === undefined) throw new RangeError(`origin: ${String(attrs.origin)} is not igp, egp or incomplete`);
    add(AttrType.origin, WELL_KNOWN, Uint8Array.of(code));
  }
  const path = attrs.asPath;
  if (path !== undefined && (!path.isEmpty || attrs.origin !== undefined)) {
    add(AttrType.asPath, WELL_KNOWN, encodeAsPath(path.segments, caps.asn4 ? 4 : 2, false));
    if (!caps.asn4 && needsAs4(path.segments)) {
      add(AttrType.as4Path, OPTIONAL_TRANSITIVE, encodeAsPath(path.segments, 4, true));
    }
  }
  const writeNextHop = options.nextHopAttribute ?? options.mpReach === undefined;
  if (writeNextHop && attrs.nextHop !== undefined && !isIpv6Text(attrs.nextHop)) {
    add(AttrType.nextHop, WELL_KNOWN, u32Bytes(ipv4Word(attrs.nextHop, 'nextHop')));
  }
  if (attrs.med !== undefined) add(AttrType.med, OPTIONAL, u32Bytes(checked(attrs.med, 'med')));
  if (attrs.localPref !== undefined) add(AttrType.localPref, WELL_KNOWN, u32Bytes(checked(attrs.localPref, 'localPref')));
  if (attrs.atomicAggregate === true) add(AttrType.atomicAggregate, WELL_KNOWN, new Uint8Array(0));
  if (attrs.aggregator !== undefined) {
    const { asn, address } = attrs.aggregator;
    checkUint(asn, 0xffffffff, 'aggregator.asn');
    const addr = ipv4Word(address, 'aggregator.address');
    if (caps.asn4) {
      add(AttrType.aggregator, OPTIONAL_TRANSITIVE, new ByteWriter(8).u32(asn, 'aggregator.asn').u32(addr, 'aggregator.address').finish());
    } else {
      const two = asn > 0xffff ? AS_TRANS : asn;
      add(AttrType.aggregator, OPTIONAL_TRANSITIVE, new ByteWriter(6).u16(two, 'aggregator.asn').u32(addr, 'aggregator.address').finish());
      if (asn > 0xffff) add(AttrType.as4Aggregator, OPTIONAL_TRANSITIVE, new ByteWriter(8).u32(asn, 'aggregator.asn').u32(addr, 'aggregator.address').finish());
    }
  }
  if (attrs.communities !== undefined && attrs.communities.length > 0) {
    const w = new ByteWriter(4 * attrs.communities.length);
    for (const c of attrs.communities) w.u32(c, 'communities');
    add(AttrType.communities, OPTIONAL_TRANSITIVE, w.finish());
  }
  if (attrs.extendedCommunities !== undefined && attrs.extendedCommunities.length > 0) {
    const w = new ByteWriter(8 * attrs.extendedCommunities.length);
    for (const c of attrs.extendedCommunities) {
      if (c.length !== 8) throw new RangeError(`extendedCommunities: ${c.length} octets, must be 8`);
      w.bytes(c);
    }
    add(AttrType.extendedCommunities, OPTIONAL_TRANSITIVE, w.finish());
  }
  if (attrs.largeCommunities !== undefined && attrs.largeCommunities.length > 0) {
    const w = new ByteWriter(12 * attrs.largeCommunities.length);
    for (const c of attrs.largeCommunities) {
      const parts = c.split(':');
      if (parts.length !== 3 || parts.some((x) => !/^\d{1,10}$/.test(x))) throw new RangeError(`largeCommunities: ${JSON.stringify(c)} is not global:local1:local2`);
      for (const x of parts) w.u32(Number(x), 'largeCommunities');
    }
    add(AttrType.largeCommunities, OPTIONAL_TRANSITIVE, w.finish());
  }
  if (attrs.otherAttributes !== undefined) {
    for (const o of attrs.otherAttributes) {
      checkUint(o.typeCode, 0xff, 'otherAttributes.typeCode');
      checkUint(o.flags, 0xff, 'otherAttributes.flags');
      add(o.typeCode, o.flags, o.value);
    }
  }

  entries.sort((a, b) => a.order - b.order); // stable: equal codes keep input order
  const w = new ByteWriter(64);
  for (const e of entries) writeAttribute(w, e.flags, e.code, e.value);
  return w.finish();
}

/** One attribute: flags (Extended Length set when needed), type, length, value. */
export function writeAttribute(w: ByteWriter, flags: number, code: number, value: Uint8Array): void {
  const extended = value.length > 255 || (flags & AttrFlag.extendedLength) !== 0;
  if (value.length > 0xffff) throw new RangeError(`attribute ${code}: ${value.length} octets exceed 65535`);
  w.u8(extended ? flags | AttrFlag.extendedLength : flags & ~AttrFlag.extendedLength, 'attribute.flags');
  w.u8(code, 'attribute.type');
  if (extended) w.u16(value.length, 'attribute.length');
  else w.u8(value.length, 'attribute.length');
  w.bytes(value);
}

/** AS_PATH (asnBytes 2 or 4) or, with `as4`, AS4_PATH: 4-octet, confederation segments left out. */
function encodeAsPath(segments: readonly AsPathSegment[], asnBytes: 2 | 4, as4: boolean): Uint8Array {
  const w = new ByteWriter(64);
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
  return w.finish();
}

/** True if a 2-octet session needs AS4_PATH: an AS number above 65535 outside confederation segments. */
function needsAs4(segments: readonly AsPathSegment[]): boolean {
  for (const seg of segments) {
    if (seg.type === 'confed-sequence' || seg.type === 'confed-set') continue;
    for (const asn of seg.asns) if (asn > 0xffff) return true;
  }
  return false;
}

function encodeMpReach(mp: MpReachInput, caps: SessionCapabilities, abbreviated: boolean): Uint8Array {
  const w = new ByteWriter(64);
  if (!abbreviated) {
    w.u16(mp.afi, 'mpReach.afi').u8(mp.safi, 'mpReach.safi');
  }
  const lenAt = w.length;
  w.u8(0, 'mpReach.nextHopLength');
  if (isIpv6Text(mp.nextHop)) {
    writeV6(w, mp.nextHop, 'mpReach.nextHop');
    if (mp.linkLocalNextHop !== undefined) writeV6(w, mp.linkLocalNextHop, 'mpReach.linkLocalNextHop');
  } else {
    w.u32(ipv4Word(mp.nextHop, 'mpReach.nextHop'), 'mpReach.nextHop');
    if (mp.linkLocalNextHop !== undefined) throw new RangeError('mpReach.linkLocalNextHop: needs an IPv6 next hop');
  }
  const out = w.finish();
  out[lenAt] = out.length - lenAt - 1;
  if (abbreviated) {
    if (mp.nlri.length > 0) throw new RangeError('mpReach: the abbreviated form (RFC 6396 §4.3.4) carries no NLRI');
    return out;
  }
  const w2 = new ByteWriter(out.length + 1 + 5 * mp.nlri.length);
  w2.bytes(out).u8(0, 'mpReach.reserved');
  writeNlri(w2, mp.nlri, caps.addPath.has(addPathKey(mp.afi, mp.safi)), 'mpReach.nlri');
  return w2.finish();
}

function encodeMpUnreach(mp: MpUnreachInput, caps: SessionCapabilities): Uint8Array {
  const w = new ByteWriter(3 + 5 * mp.nlri.length);
  w.u16(mp.afi, 'mpUnreach.afi').u8(mp.safi, 'mpUnreach.safi');
  writeNlri(w, mp.nlri, caps.addPath.has(addPathKey(mp.afi, mp.safi)), 'mpUnreach.nlri');
  return w.finish();
}

function writeV6(w: ByteWriter, text: string, field: string): void {
  const p = ipv6Words(text, field);
  w.u32(p.w0, field).u32(p.w1, field).u32(p.w2, field).u32(p.w3, field);
}

function u32Bytes(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

function checked(v: number, field: string): number {
  checkUint(v, 0xffffffff, field);
  return v;
}
