/**
 * Encoding OPEN messages (RFC 4271 §4.2, RFC 5492, RFC 9072) — the inverse
 * of decodeOpen, for tests and fixtures.
 *
 *   OPEN body = version:u8 my-as:u16 hold-time:u16 bgp-id:u32 opt-len:u8 params
 *   param     = 2:u8 length:u8 capabilities            ; RFC 5492
 *   RFC 9072  : opt-len 255, Non-Ext OP Type 255, ext-len:u16, params with length:u16
 *
 * `capabilities` are written verbatim, in order, in one Capabilities
 * parameter (or one parameter each with `parameterPerCapability`, as some
 * routers send them). The RFC 9072 form is used when asked, or when the
 * parameters do not fit 255 octets. My Autonomous System is `myAsn`, or
 * AS_TRANS when it needs 4 octets (RFC 6793 §4.2.1). A decoded BgpOpen is a
 * valid input.
 */
import { AS_TRANS } from '../attributes/as4-merge.js';
import type { AfiSafi } from '../capabilities.js';
import { BgpMessageType, encodeBgpMessage } from '../message.js';
import { type AddPathCapability, CapabilityCode, OPEN_PARAM_CAPABILITIES, type RawCapability } from '../open.js';
import { ipv4Word } from './addresses.js';
import { ByteWriter, checkUint } from './byte-writer.js';

export interface OpenInput {
  /** Default 4. */
  readonly version?: number;
  readonly myAsn: number;
  readonly holdTime: number;
  readonly bgpId: string;
  readonly capabilities: readonly RawCapability[];
  /** RFC 9072 Extended Optional Parameters Length even when the parameters fit 255 octets. */
  readonly extendedParameters?: boolean;
  /** One Capabilities parameter per capability instead of one for all. */
  readonly parameterPerCapability?: boolean;
}

/** The whole message: header and body. */
export function encodeOpen(open: OpenInput): Uint8Array {
  return encodeBgpMessage(BgpMessageType.open, encodeOpenBody(open));
}

export function encodeOpenBody(open: OpenInput): Uint8Array {
  checkUint(open.myAsn, 0xffffffff, 'myAsn');
  const groups: RawCapability[][] = open.parameterPerCapability === true ? open.capabilities.map((c) => [c]) : open.capabilities.length > 0 ? [[...open.capabilities]] : [];
  const values = groups.map((caps) => {
    const w = new ByteWriter(64);
    for (const c of caps) {
      checkUint(c.value.length, 0xff, `capability ${c.code} length`);
      w.u8(c.code, 'capability.code').u8(c.value.length, 'capability.length').bytes(c.value);
    }
    return w.finish();
  });
  let plainLength = 0;
  for (const v of values) plainLength += 2 + v.length;
  const extended = open.extendedParameters === true || plainLength > 255 || values.some((v) => v.length > 255);

  const w = new ByteWriter(32 + plainLength);
  w.u8(open.version ?? 4, 'version');
  w.u16(open.myAsn > 0xffff ? AS_TRANS : open.myAsn, 'myAsn');
  w.u16(open.holdTime, 'holdTime');
  w.u32(ipv4Word(open.bgpId, 'bgpId'), 'bgpId');
  if (!extended) {
    w.u8(plainLength, 'optionalParametersLength');
    for (const v of values) w.u8(OPEN_PARAM_CAPABILITIES, 'param.type').u8(v.length, 'param.length').bytes(v);
  } else {
    let extLength = 0;
    for (const v of values) extLength += 3 + v.length;
    w.u8(255, 'optionalParametersLength').u8(255, 'nonExtOpType').u16(extLength, 'extendedOptionalParametersLength');
    for (const v of values) w.u8(OPEN_PARAM_CAPABILITIES, 'param.type').u16(v.length, 'param.length').bytes(v);
  }
  return w.finish();
}

/** The raw capabilities for the decoded fields of BgpOpen, in this order: 1, 2, 6, 65, 69. */
export function openCapabilities(options: {
  readonly multiprotocol?: readonly AfiSafi[];
  readonly routeRefresh?: boolean;
  readonly extendedMessage?: boolean;
  /** The 4-octet AS number (capability 65). */
  readonly asn4?: number;
  readonly addPath?: readonly AddPathCapability[];
}): RawCapability[] {
  const out: RawCapability[] = [];
  for (const { afi, safi } of options.multiprotocol ?? []) {
    out.push({ code: CapabilityCode.multiprotocol, value: new ByteWriter(4).u16(afi, 'multiprotocol.afi').u8(0, 'reserved').u8(safi, 'multiprotocol.safi').finish() });
  }
  if (options.routeRefresh === true) out.push({ code: CapabilityCode.routeRefresh, value: new Uint8Array(0) });
  if (options.extendedMessage === true) out.push({ code: CapabilityCode.extendedMessage, value: new Uint8Array(0) });
  if (options.asn4 !== undefined) out.push({ code: CapabilityCode.asn4, value: new ByteWriter(4).u32(options.asn4, 'asn4').finish() });
  if (options.addPath !== undefined && options.addPath.length > 0) {
    const w = new ByteWriter(4 * options.addPath.length);
    for (const a of options.addPath) {
      const sr = (a.receive ? 1 : 0) | (a.send ? 2 : 0);
      if (sr === 0) throw new RangeError('addPath: each entry must send, receive or both (RFC 7911 §4)');
      w.u16(a.afi, 'addPath.afi').u8(a.safi, 'addPath.safi').u8(sr, 'addPath.sendReceive');
    }
    out.push({ code: CapabilityCode.addPath, value: w.finish() });
  }
  return out;
}
