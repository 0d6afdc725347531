/**
 * Encoding UPDATE messages (RFC 4271 §4.3, RFC 4760, RFC 7911, RFC 4724 §2)
 * — the inverse of decodeUpdate, producing exact wire bytes: for the tests'
 * round trips and the benchmark that synthesises a full table.
 *
 *   UPDATE body = withdrawn-length:u16 withdrawn attributes-length:u16 attributes nlri
 *
 * Where each NLRI goes:
 * - IPv4 unicast: the Withdrawn Routes and NLRI fields, or, with
 *   `ipv4InMp`, MP_UNREACH_NLRI / MP_REACH_NLRI with AFI 1 (RFC 4760; the
 *   RFC 8950 form when the next hop is IPv6);
 * - IPv6 unicast: MP_UNREACH_NLRI / MP_REACH_NLRI with AFI 2, SAFI 1.
 * One UPDATE has at most one MP_REACH_NLRI and one MP_UNREACH_NLRI
 * (RFC 7606 §3 (g)), so IPv4 and IPv6 in the same one with `ipv4InMp` is a
 * RangeError.
 *
 * Next hops: NEXT_HOP is `attributes.nextHop` (IPv4) when the IPv4 NLRI
 * field is non-empty; MP_REACH_NLRI's is `mpNextHop` if given, else
 * `attributes.nextHop`, with `attributes.linkLocalNextHop` (IPv6, 32-octet
 * form). A Path Identifier is written for the AFI/SAFIs in `caps.addPath`.
 *
 * End-of-RIB: `endOfRib` {1,1} is the empty UPDATE, any other AFI/SAFI an
 * UPDATE holding only an empty MP_UNREACH_NLRI; nothing else may be set then
 * (`attributes` is ignored: a decoded End-of-RIB has an empty one).
 *
 * The message must fit 4,096 octets, or 65,535 with caps.extendedMessage
 * (RFC 8654); otherwise RangeError.
 */
import type { AfiSafi, SessionCapabilities } from '../capabilities.js';
import { addPathKey } from '../capabilities.js';
import { BGP_HEADER_LENGTH, BGP_MAX_EXTENDED_MESSAGE_LENGTH, BGP_MAX_MESSAGE_LENGTH, BgpMessageType } from '../message.js';
import type { Nlri } from '../update.js';
import { type MpReachInput, type MpUnreachInput, type PathAttributesInput, writePathAttributes } from './attributes.js';
import { ByteWriter } from './byte-writer.js';
import { writeNlri } from './nlri.js';

/** What encodeUpdate writes; a decoded BgpUpdate is one. */
export interface UpdateInput {
  readonly withdrawn?: readonly Nlri[] | undefined;
  readonly announced?: readonly Nlri[] | undefined;
  readonly attributes?: PathAttributesInput | undefined;
  readonly endOfRib?: AfiSafi | undefined;
}

export interface EncodeUpdateOptions {
  /** IPv4 unicast NLRI in MP_REACH/MP_UNREACH (AFI 1) instead of the UPDATE's own fields. */
  readonly ipv4InMp?: boolean;
  /** MP_REACH_NLRI's next hop when it differs from attributes.nextHop (an UPDATE with both IPv4 and IPv6 NLRI). */
  readonly mpNextHop?: string;
}

/** Reused by every call (encoding is synchronous); results are copies. */
const SCRATCH = new ByteWriter(4096);

/** The whole message: header and body. */
export function encodeUpdate(update: UpdateInput, caps: SessionCapabilities, options: EncodeUpdateOptions = {}): Uint8Array {
  const w = SCRATCH.reset();
  w.skip(BGP_HEADER_LENGTH);
  writeUpdateBody(w, update, caps, options);
  const max = caps.extendedMessage ? BGP_MAX_EXTENDED_MESSAGE_LENGTH : BGP_MAX_MESSAGE_LENGTH;
  if (w.length > max) {
    throw new RangeError(`UPDATE of ${w.length} octets exceeds ${max}${caps.extendedMessage ? '' : ' (no extended message capability)'}`);
  }
  const out = w.copy();
  out.fill(0xff, 0, 16);
  out[16] = out.length >>> 8;
  out[17] = out.length & 0xff;
  out[18] = BgpMessageType.update;
  return out;
}

/** The body alone (after the 19-octet header), as BMP and MRT tests need it. */
export function encodeUpdateBody(update: UpdateInput, caps: SessionCapabilities, options: EncodeUpdateOptions = {}): Uint8Array {
  writeUpdateBody(SCRATCH.reset(), update, caps, options);
  return SCRATCH.copy();
}

function writeUpdateBody(w: ByteWriter, update: UpdateInput, caps: SessionCapabilities, options: EncodeUpdateOptions): void {
  const withdrawn = update.withdrawn ?? [];
  const announced = update.announced ?? [];
  if (update.endOfRib !== undefined) {
    if (withdrawn.length > 0 || announced.length > 0) throw new RangeError('endOfRib: an End-of-RIB marker carries no NLRI');
    const { afi, safi } = update.endOfRib;
    w.u16(0, 'withdrawnRoutesLength');
    const lengthAt = w.skip(2);
    if (afi !== 1 || safi !== 1) writePathAttributes(w, {}, caps, { mpUnreach: { afi, safi, nlri: [] } });
    w.patchU16(lengthAt, w.length - lengthAt - 2, 'totalPathAttributeLength');
    return;
  }

  const ipv4InMp = options.ipv4InMp === true;
  let w4: Nlri[] = [];
  let w6: Nlri[] = [];
  let a4: Nlri[] = [];
  let a6: Nlri[] = [];
  // Most UPDATEs hold one family: no copies then.
  if (allOf(withdrawn, 4)) w4 = withdrawn as Nlri[];
  else if (allOf(withdrawn, 6)) w6 = withdrawn as Nlri[];
  else for (const n of withdrawn) (n.prefix.afi === 4 ? w4 : w6).push(n);
  if (allOf(announced, 4)) a4 = announced as Nlri[];
  else if (allOf(announced, 6)) a6 = announced as Nlri[];
  else for (const n of announced) (n.prefix.afi === 4 ? a4 : a6).push(n);
  if (ipv4InMp && ((a4.length > 0 && a6.length > 0) || (w4.length > 0 && w6.length > 0))) {
    throw new RangeError('ipv4InMp: IPv4 and IPv6 NLRI would need two MP_REACH_NLRI or MP_UNREACH_NLRI attributes');
  }

  const attrs = update.attributes;
  let mpReach: MpReachInput | undefined;
  const mpAnnounced = ipv4InMp && a4.length > 0 ? a4 : a6;
  if (mpAnnounced.length > 0) {
    const nextHop = options.mpNextHop ?? attrs?.nextHop;
    if (nextHop === undefined) throw new RangeError('announced: MP_REACH_NLRI needs a next hop (attributes.nextHop or mpNextHop)');
    if (mpAnnounced === a6 && !nextHop.includes(':')) throw new RangeError(`announced: IPv6 NLRI need an IPv6 next hop, not ${nextHop} (mpNextHop)`);
    mpReach = { afi: mpAnnounced === a4 ? 1 : 2, safi: 1, nextHop, linkLocalNextHop: attrs?.linkLocalNextHop, nlri: mpAnnounced };
  }
  let mpUnreach: MpUnreachInput | undefined;
  const mpWithdrawn = ipv4InMp && w4.length > 0 ? w4 : w6;
  if (mpWithdrawn.length > 0) mpUnreach = { afi: mpWithdrawn === w4 ? 1 : 2, safi: 1, nlri: mpWithdrawn };

  const v4Field = !ipv4InMp && a4.length > 0;
  const v4AddPath = caps.addPath.size > 0 && caps.addPath.has(IPV4_KEY);
  let lengthAt = w.skip(2);
  if (!ipv4InMp) writeNlri(w, w4, v4AddPath, 'withdrawn');
  w.patchU16(lengthAt, w.length - lengthAt - 2, 'withdrawnRoutesLength');
  lengthAt = w.skip(2);
  if (attrs !== undefined || mpReach !== undefined || mpUnreach !== undefined) {
    writePathAttributes(w, attrs ?? {}, caps, { mpReach, mpUnreach, nextHopAttribute: v4Field });
  }
  w.patchU16(lengthAt, w.length - lengthAt - 2, 'totalPathAttributeLength');
  if (v4Field) writeNlri(w, a4, v4AddPath, 'announced');
}

const IPV4_KEY = addPathKey(1, 1);

function allOf(list: readonly Nlri[], afi: 4 | 6): boolean {
  for (const n of list) if (n.prefix.afi !== afi) return false;
  return true;
}
