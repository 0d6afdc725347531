/**
 * ASPA (type 11), version 2 only: draft-ietf-sidrops-8210bis-27 §5.12
 * (type 11 is "Reserved" in versions 0 and 1, §14).
 *
 *   0  u8  Version 2 | 1 u8 Type 11 | 2 u8 Flags | 3 u8 zero
 *   4  u32 Length = 12 + 4 * N
 *   8  u32 Customer Autonomous System Number
 *  12  N x u32  Provider Autonomous System Numbers
 *
 * Revision 27 has no AFI flags and no provider count: both were in earlier
 * revisions (rpki-rs once read `flags, afi_flags, provider_count` after the
 * header; StayRTR 0.5.1, Debian's, still sends it as version 2). A PDU in
 * that layout fails here with code 9 and a reason that says so.
 *
 * Checks, with the error code §5.12 and §12 give them:
 * - Length not 12 + 4N: Corrupt Data (0).
 * - "For an announcement, the PDU MUST contain at least one Provider
 *   Autonomous System Number. If it does not, an Error Report PDU with
 *   Error Code 9 ("ASPA Provider List Error") MUST be returned": 9.
 * - "an ASPA announcement PDU containing multiple Provider Autonomous System
 *   Numbers MUST NOT contain AS 0. If it does, an Error Report PDU with Error
 *   Code 9 MUST be returned": 9. AS 0 alone is valid (no providers at all).
 * - "zero or more 32-bit Provider Autonomous System Number fields in
 *   increasing numeric order. Each [...] MUST be unique": else 9.
 * - Withdrawal: "there MUST be no Provider list, and the PDU Length MUST be
 *   12": else 9 (code 9 is "an incorrect list of Provider Autonomous System
 *   Numbers").
 * - The customer listed as its own provider: 9. The RTR draft does not say
 *   so itself; draft-ietf-sidrops-aspa-profile forbids it in the object, so
 *   a cache can never have a valid ASPA that does this (and our Aspa type
 *   refuses it too, src/rpki/aspa.ts).
 */
import type { Asn } from '../../net/asn.js';
import type { BinaryReader } from '../../wire/reader.js';
import type { AspaPdu } from '../pdu.js';
import { RtrErrorCode, RtrParseError } from '../pdu-error.js';
import { checkUint, pduWriter } from '../pdu-writer.js';
import { type DecodeContext, announceOf, flagsOf, pduError } from './context.js';

const LIST_ERROR = RtrErrorCode.AspaProviderListError;

export function decodeAspa(r: BinaryReader, ctx: DecodeContext): AspaPdu {
  try {
    return decodeAspaBody(r, ctx);
  } catch (e) {
    if (e instanceof RtrParseError && isOldLayout(ctx.pdu)) {
      throw pduError(ctx, e.field, e.offset - ctx.start, `${e.reason ?? ''}; ${OLD_LAYOUT_HINT}`, e.errorCode);
    }
    throw e;
  }
}

const OLD_LAYOUT_HINT =
  'this looks like the older ASPA layout with AFI flags and a provider count (StayRTR 0.5.1 sends it as "draft-ietf-sidrops-8210bis-10"); ' +
  'version 2 follows revision 27, so such a cache must be spoken to in version 1';

/**
 * The older layout: zero at bytes 2-3, then flags, AFI flags (0 or 1) and a
 * provider count that matches the length. Used only to explain an error.
 */
function isOldLayout(pdu: Uint8Array): boolean {
  if (pdu.length < 16 || pdu[2] !== 0 || pdu[3] !== 0 || pdu[8]! > 1 || pdu[9]! > 1) return false;
  return ((pdu[10]! << 8) | pdu[11]!) * 4 === pdu.length - 16;
}


function decodeAspaBody(r: BinaryReader, ctx: DecodeContext): AspaPdu {
  const announce = announceOf(ctx.header.session >>> 8);
  const customer = r.u32('rtr.aspa.customer') as Asn;
  const bytes = r.remaining;
  if (bytes % 4 !== 0) {
    throw pduError(ctx, 'rtr.aspa.providers', 12, `${bytes} bytes of providers is not a whole number of 4-byte ASNs`);
  }
  const count = bytes / 4;
  if (!announce && count > 0) {
    throw pduError(ctx, 'rtr.aspa.providers', 12, `a withdrawal carries no providers (length must be 12), found ${count}`, LIST_ERROR);
  }
  if (announce && count === 0) {
    throw pduError(ctx, 'rtr.aspa.providers', 12, 'an announcement needs at least one provider', LIST_ERROR);
  }
  const providers: Asn[] = new Array<Asn>(count);
  let previous = -1;
  for (let i = 0; i < count; i++) {
    const at = 12 + 4 * i;
    const p = r.u32('rtr.aspa.providers') as Asn;
    if (p <= previous) {
      throw pduError(ctx, 'rtr.aspa.providers', at, `provider AS${p} after AS${previous}: must be strictly increasing`, LIST_ERROR);
    }
    if (p === 0 && count > 1) {
      throw pduError(ctx, 'rtr.aspa.providers', at, 'AS0 in a list of several providers', LIST_ERROR);
    }
    if (p === customer) {
      throw pduError(ctx, 'rtr.aspa.providers', at, `customer AS${customer} listed as its own provider`, LIST_ERROR);
    }
    providers[i] = p;
    previous = p;
  }
  return { type: 11, version: 2, announce, customer, providers };
}

export function encodeAspa(pdu: AspaPdu): Buffer {
  const { announce, customer, providers } = pdu;
  checkUint(customer, 0xffffffff, 'rtr.aspa.customer');
  if (!announce && providers.length > 0) throw new RangeError('rtr.aspa.providers: a withdrawal carries no providers');
  if (announce && providers.length === 0) throw new RangeError('rtr.aspa.providers: an announcement needs at least one provider');
  const w = pduWriter(pdu.version, 11, flagsOf(announce) << 8, 12 + 4 * providers.length).u32(customer, 'rtr.aspa.customer');
  let previous = -1;
  for (const p of providers) {
    checkUint(p, 0xffffffff, 'rtr.aspa.providers');
    if (p <= previous) throw new RangeError(`rtr.aspa.providers: AS${p} after AS${previous}, must be strictly increasing`);
    if (p === 0 && providers.length > 1) throw new RangeError('rtr.aspa.providers: AS0 in a list of several providers');
    if (p === customer) throw new RangeError(`rtr.aspa.providers: customer AS${customer} listed as its own provider`);
    w.u32(p, 'rtr.aspa.providers');
    previous = p;
  }
  return w.finish();
}
