/**
 * MP_REACH_NLRI, type code 14 (RFC 4760 §3), and MP_UNREACH_NLRI, type code
 * 15 (RFC 4760 §4): optional non-transitive.
 *
 *   MP_REACH   = afi:u16 safi:u8 nh-len:u8 next-hop:nh-len reserved:u8 nlri:*
 *   MP_UNREACH = afi:u16 safi:u8 withdrawn:*
 *   abbreviated MP_REACH (MRT TABLE_DUMP_V2 RIB entries, RFC 6396 §4.3.4) = nh-len:u8 next-hop:nh-len
 *
 * Only IPv4 and IPv6 unicast (SAFI 1) are decoded. Every other AFI/SAFI is
 * skipped and counted, never misread: entries are counted when the SAFI's
 * NLRI are bit-length prefixed (multicast, labeled unicast, VPN) and tile the
 * field exactly, otherwise the attribute counts as 1.
 *
 * Next hops (decoded AFI/SAFIs): IPv6 unicast 16 octets (global) or 32
 * (global + link-local, RFC 2545 §3); IPv4 unicast 4 octets, or 16/32 for an
 * IPv6 next hop (RFC 8950 §3).
 *
 * Errors are session resets (RFC 7606 §7.11, §7.12, §5.3; RFC 4760 §7): a
 * next-hop length inconsistent with the AFI/SAFI, an attribute too short for
 * its fixed fields, or an NLRI field that does not parse make the NLRI
 * impossible to locate, so treat-as-withdraw cannot be applied.
 */
import { formatV6 } from '../../net/prefix.js';
import { addPathKey, type SessionCapabilities } from '../capabilities.js';
import { countBitLengthNlri, readNlri } from '../nlri.js';
import type { Nlri } from '../update.js';
import { malformedUpdate, truncated } from '../update-error.js';
import { u16At, u32At } from './malformed.js';
import { ipv4Text } from './next-hop.js';

export interface MpNlri {
  readonly afi: number;
  readonly safi: number;
  /** Decoded entries (IPv4/IPv6 unicast); empty for a skipped AFI/SAFI. */
  readonly nlri: Nlri[];
  /** True for IPv4/IPv6 unicast. */
  readonly decoded: boolean;
  /** For a skipped AFI/SAFI: entries counted (or 1 if they could not be), 0 if the field is empty. */
  readonly skippedCount: number;
  readonly nextHop: string | undefined;
  readonly linkLocalNextHop: string | undefined;
}

/** IPv4 or IPv6 unicast: the AFI/SAFIs this codec decodes. */
export function isDecodedAfiSafi(afi: number, safi: number): boolean {
  return (afi === 1 || afi === 2) && safi === 1;
}

/** SAFIs whose NLRI are length-in-bits prefixed: unicast, multicast, labeled unicast (4), VPN (128, 129). */
function isBitLengthSafi(safi: number): boolean {
  return safi === 1 || safi === 2 || safi === 4 || safi === 128 || safi === 129;
}

const FIELD = 'bgp.update.attr.mpReach';
const UNREACH_FIELD = 'bgp.update.attr.mpUnreach';

export function decodeMpReach(
  buf: Uint8Array,
  start: number,
  length: number,
  caps: SessionCapabilities,
  base: number,
  abbreviated: { afi: number; safi: number } | undefined,
): MpNlri {
  const end = start + length;
  if (abbreviated !== undefined && length >= 1 && buf[start]! + 1 === length) {
    const hop = nextHops(buf, start + 1, buf[start]!, abbreviated.afi, abbreviated.safi, base);
    return { afi: abbreviated.afi, safi: abbreviated.safi, nlri: [], decoded: isDecodedAfiSafi(abbreviated.afi, abbreviated.safi), skippedCount: 0, nextHop: hop?.[0], linkLocalNextHop: hop?.[1] };
  }
  if (length < 5) throw truncated(`${FIELD}.header`, base + start, 5, length);
  const afi = u16At(buf, start);
  const safi = buf[start + 2]!;
  const nhLen = buf[start + 3]!;
  const nhStart = start + 4;
  if (end - nhStart < nhLen + 1) throw truncated(`${FIELD}.nextHop`, base + nhStart, nhLen + 1, end - nhStart);
  const nlriStart = nhStart + nhLen + 1; // the reserved octet (RFC 4760 §3, formerly SNPAs) is ignored
  const addPath = caps.addPath.size > 0 && caps.addPath.has(addPathKey(afi, safi));
  if (isDecodedAfiSafi(afi, safi)) {
    const hop = nextHops(buf, nhStart, nhLen, afi, safi, base);
    const nlri: Nlri[] = [];
    readNlri(buf, nlriStart, end, afi, addPath, nlri, `${FIELD}.nlri`, base);
    return { afi, safi, nlri, decoded: true, skippedCount: 0, nextHop: hop?.[0], linkLocalNextHop: hop?.[1] };
  }
  return { afi, safi, nlri: [], decoded: false, skippedCount: skippedCount(buf, nlriStart, end, safi, addPath), nextHop: undefined, linkLocalNextHop: undefined };
}

export function decodeMpUnreach(buf: Uint8Array, start: number, length: number, caps: SessionCapabilities, base: number): MpNlri {
  if (length < 3) throw truncated(`${UNREACH_FIELD}.header`, base + start, 3, length);
  const afi = u16At(buf, start);
  const safi = buf[start + 2]!;
  const addPath = caps.addPath.size > 0 && caps.addPath.has(addPathKey(afi, safi));
  if (isDecodedAfiSafi(afi, safi)) {
    const nlri: Nlri[] = [];
    readNlri(buf, start + 3, start + length, afi, addPath, nlri, `${UNREACH_FIELD}.nlri`, base);
    return { afi, safi, nlri, decoded: true, skippedCount: 0, nextHop: undefined, linkLocalNextHop: undefined };
  }
  return { afi, safi, nlri: [], decoded: false, skippedCount: skippedCount(buf, start + 3, start + length, safi, addPath), nextHop: undefined, linkLocalNextHop: undefined };
}

function skippedCount(buf: Uint8Array, start: number, end: number, safi: number, addPath: boolean): number {
  if (start >= end) return 0;
  if (!isBitLengthSafi(safi)) return 1;
  const n = countBitLengthNlri(buf, start, end, addPath);
  return n < 0 ? 1 : n;
}

/**
 * [global, link-local] for a decoded AFI/SAFI; undefined for others (their
 * next hops, e.g. RD + address for VPNs, are not this codec's business).
 */
function nextHops(buf: Uint8Array, p: number, n: number, afi: number, safi: number, base: number): [string, string | undefined] | undefined {
  if (!isDecodedAfiSafi(afi, safi)) return undefined;
  if (n === 4 && afi === 1) return [ipv4Text(u32At(buf, p)), undefined];
  if (n === 16) return [v6At(buf, p, 0), undefined];
  if (n === 32) return [v6At(buf, p, 0), v6At(buf, p + 16, 1)];
  throw malformedUpdate(`${FIELD}.nextHopLength`, base + p - 1, `next hop length ${n} for AFI ${afi} SAFI ${safi} (expected ${afi === 1 ? '4, 16 or 32' : '16 or 32'})`);
}

// One-entry memos, as for NEXT_HOP: the global and the link-local next hop of a session rarely change.
const lastV6 = [new Uint32Array(4), new Uint32Array(4)];
const lastV6Text = ['::', '::'];

function v6At(buf: Uint8Array, p: number, slot: 0 | 1): string {
  const w0 = u32At(buf, p);
  const w1 = u32At(buf, p + 4);
  const w2 = u32At(buf, p + 8);
  const w3 = u32At(buf, p + 12);
  const last = lastV6[slot]!;
  if (last[0] !== w0 || last[1] !== w1 || last[2] !== w2 || last[3] !== w3) {
    last[0] = w0;
    last[1] = w1;
    last[2] = w2;
    last[3] = w3;
    lastV6Text[slot] = formatV6(w0, w1, w2, w3);
  }
  return lastV6Text[slot]!;
}
