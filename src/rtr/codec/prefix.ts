/**
 * IPv4 Prefix (type 4) and IPv6 Prefix (type 6): RFC 6810 §5.6-5.7,
 * RFC 8210 §5.6-5.7, draft-ietf-sidrops-8210bis-27 §5.9-5.10. Same layout in
 * every version:
 *
 *   0  u8  Version | 1 u8 Type (4 or 6) | 2 u16 zero
 *   4  u32 Length = 20 (IPv4) or 32 (IPv6)
 *   8  u8  Flags (bit 0: 1 announce, 0 withdraw)
 *   9  u8  Prefix Length   0..32 / 0..128
 *  10  u8  Max Length      Prefix Length..32 / ..128 ("MUST NOT be less than the Prefix Length", §5.1)
 *  11  u8  zero
 *  12  4 or 16 bytes  Prefix
 *  16 / 28  u32  Autonomous System Number
 *
 * Host bits (address bits past Prefix Length) set are Corrupt Data, not
 * masked. 8210bis §5.9: "the cache server MUST set the remaining bits of the
 * Prefix to zero [...] The router client MUST verify that the zero bits in
 * the Prefix are set correctly [...] If they are not set correctly, the
 * router client MUST send an Error Report PDU with Error Code 1 ("Corrupt
 * Data")." The draft's number and name disagree; §12 and the IANA registry
 * make Corrupt Data code 0 (code 1 is Internal Error, "unrelated to protocol
 * operation"), so we send 0. RFC 6810/8210 are silent, but call the field
 * "the IPv4 prefix of the ROA", and a ROA prefix (RFC 6482 §3.3) has no host
 * bits; we apply the same rule to every version rather than silently change
 * the data, as our Prefix type refuses host bits everywhere else.
 * Elsewhere: rpki-rs (Routinator, RTRTR) builds the prefix with
 * `Prefix::new_v4_relaxed`, i.e. masks; StayRTR's decoder keeps the address
 * as sent (`netip.PrefixFrom`, no check); rtrlib copies it into its table
 * unchecked. A cache that follows 8210bis never trips this check.
 *
 * Two readers share the checks of checkPrefixFields: decodePrefix (behind
 * decodePdu) builds the PDU value and names the field of any error;
 * readPrefixPdu fills a reused PrefixFields and only says yes or no, for
 * the session's full sync (800k PDUs), which hands anything it refuses to
 * decodePdu for the error.
 */
import type { Asn } from '../../net/asn.js';
import { type Afi, Prefix, wordMask } from '../../net/prefix.js';
import type { BinaryReader } from '../../wire/reader.js';
import { type Ipv4PrefixPdu, type Ipv6PrefixPdu, isRtrVersion } from '../pdu.js';
import { checkUint, pduWriter } from '../pdu-writer.js';
import { type DecodeContext, announceOf, flagsOf, pduError } from './context.js';

export type PrefixPdu = Ipv4PrefixPdu | Ipv6PrefixPdu;

export function decodePrefix(r: BinaryReader, ctx: DecodeContext): PrefixPdu {
  const v4 = ctx.header.type === 4;
  const name = v4 ? 'rtr.ipv4Prefix' : 'rtr.ipv6Prefix';
  const bits = v4 ? 32 : 128;
  const announce = announceOf(r.u8(`${name}.flags`));
  const prefixLength = r.u8(`${name}.prefixLength`);
  const maxLength = r.u8(`${name}.maxLength`);
  r.skip(1, `${name}.zero`);
  const w0 = r.u32(`${name}.prefix`);
  const w1 = v4 ? 0 : r.u32(`${name}.prefix`);
  const w2 = v4 ? 0 : r.u32(`${name}.prefix`);
  const w3 = v4 ? 0 : r.u32(`${name}.prefix`);
  const asn = r.u32(`${name}.asn`) as Asn;

  const problem = checkPrefixFields(bits, prefixLength, maxLength, w0, w1, w2, w3);
  if (problem !== undefined) throw pduError(ctx, `${name}.${problem.field}`, problem.at, problem.reason);
  const prefix = Prefix.fromWords(v4 ? 4 : 6, prefixLength, w0, w1, w2, w3);
  const { version } = ctx.header;
  return v4 ? { type: 4, version, announce, prefix, maxLength, asn } : { type: 6, version, announce, prefix, maxLength, asn };
}

/** What is wrong with a Prefix PDU's fields: the field, its offset in the PDU, and why. */
interface PrefixFieldProblem {
  readonly field: 'prefixLength' | 'maxLength' | 'prefix';
  readonly at: number;
  readonly reason: string;
}

/**
 * The checks on a Prefix PDU's fields, in the order decodePdu reports them:
 * lengths within the family (`bits`, 32 or 128), maxLength not below the
 * prefix length, no host bits. Undefined when all pass.
 */
function checkPrefixFields(
  bits: number,
  prefixLength: number,
  maxLength: number,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): PrefixFieldProblem | undefined {
  if (prefixLength > bits) return { field: 'prefixLength', at: 9, reason: `prefix length ${prefixLength} exceeds ${bits}` };
  if (maxLength > bits) return { field: 'maxLength', at: 10, reason: `max length ${maxLength} exceeds ${bits}` };
  if (maxLength < prefixLength) {
    return { field: 'maxLength', at: 10, reason: `max length ${maxLength} is less than prefix length ${prefixLength}` };
  }
  if (
    (w0 & ~wordMask(prefixLength, 0)) !== 0 ||
    (w1 & ~wordMask(prefixLength, 1)) !== 0 ||
    (w2 & ~wordMask(prefixLength, 2)) !== 0 ||
    (w3 & ~wordMask(prefixLength, 3)) !== 0
  ) {
    return { field: 'prefix', at: 12, reason: `host bits set past /${prefixLength} (8210bis §5.9: must be zero)` };
  }
  return undefined;
}

/** A Prefix PDU's fields, as readPrefixPdu leaves them: one instance is reused for every PDU. */
export class PrefixFields {
  announce = false;
  afi: Afi = 4;
  /** Prefix Length. */
  length = 0;
  maxLength = 0;
  w0 = 0;
  w1 = 0;
  w2 = 0;
  w3 = 0;
  asn = 0;
}

/**
 * Reads a whole IPv4 or IPv6 Prefix PDU (as the framer delivers it) into
 * `out`, without building a Pdu or a Prefix. True only for a PDU that
 * decodePdu would decode, with the same fields: a known version, type 4 or
 * 6, a length field equal to the PDU's fixed length (20 or 32) and to its
 * byte count, and checkPrefixFields passing. False for anything else, and
 * then `out` is unchanged: decodePdu gives the error (or the value, for a
 * PDU that is not a Prefix PDU at all).
 */
export function readPrefixPdu(pdu: Uint8Array, out: PrefixFields): boolean {
  const type = pdu[1];
  const v4 = type === 4;
  const size = v4 ? 20 : 32;
  if ((!v4 && type !== 6) || pdu.length !== size || !isRtrVersion(pdu[0]!)) return false;
  if (pdu[4] !== 0 || pdu[5] !== 0 || pdu[6] !== 0 || pdu[7] !== size) return false;
  const prefixLength = pdu[9]!;
  const maxLength = pdu[10]!;
  const w0 = u32At(pdu, 12);
  const w1 = v4 ? 0 : u32At(pdu, 16);
  const w2 = v4 ? 0 : u32At(pdu, 20);
  const w3 = v4 ? 0 : u32At(pdu, 24);
  if (checkPrefixFields(v4 ? 32 : 128, prefixLength, maxLength, w0, w1, w2, w3) !== undefined) return false;
  out.announce = announceOf(pdu[8]!);
  out.afi = v4 ? 4 : 6;
  out.length = prefixLength;
  out.maxLength = maxLength;
  out.w0 = w0;
  out.w1 = w1;
  out.w2 = w2;
  out.w3 = w3;
  out.asn = u32At(pdu, v4 ? 16 : 28);
  return true;
}

/** Big-endian u32 at `at`; the caller has checked the PDU's length. */
function u32At(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

export function encodePrefix(pdu: PrefixPdu): Buffer {
  const v4 = pdu.type === 4;
  const name = v4 ? 'rtr.ipv4Prefix' : 'rtr.ipv6Prefix';
  const afi: Afi = v4 ? 4 : 6;
  const { prefix, maxLength } = pdu;
  if (prefix.afi !== afi) {
    throw new RangeError(`${name}.prefix: ${prefix.toString()} is not IPv${afi}`);
  }
  if (!Number.isInteger(maxLength) || maxLength < prefix.length || maxLength > prefix.maxLength) {
    throw new RangeError(`${name}.maxLength: ${maxLength} out of range for ${prefix.toString()}`);
  }
  checkUint(pdu.asn, 0xffffffff, `${name}.asn`);
  const w = pduWriter(pdu.version, pdu.type, 0, v4 ? 20 : 32)
    .u8(flagsOf(pdu.announce), `${name}.flags`)
    .u8(prefix.length, `${name}.prefixLength`)
    .u8(maxLength, `${name}.maxLength`)
    .u8(0, `${name}.zero`)
    .u32(prefix.w0, `${name}.prefix`);
  if (!v4) w.u32(prefix.w1, `${name}.prefix`).u32(prefix.w2, `${name}.prefix`).u32(prefix.w3, `${name}.prefix`);
  return w.u32(pdu.asn, `${name}.asn`).finish();
}
