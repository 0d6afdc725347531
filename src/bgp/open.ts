/**
 * The BGP OPEN message, RFC 4271 §4.2, with Capabilities (RFC 5492) and
 * Extended Optional Parameters Length (RFC 9072).
 *
 *   OPEN body = version:u8 my-as:u16 hold-time:u16 bgp-id:u32
 *               opt-len:u8 params:opt-len
 *   param     = type:u8 length:u8 value:length          ; type 2 = Capabilities
 *   RFC 9072  : when opt-len is non-zero and the next octet ("Non-Ext OP
 *               Type") is 255: 255 ext-len:u16 params:ext-len
 *               with param = type:u8 length:u16 value:length
 *   capability = code:u8 length:u8 value:length          ; RFC 5492 §4
 *
 * Capabilities decoded: 1 Multiprotocol (RFC 4760 §8: afi:u16 reserved:u8
 * safi:u8), 2 Route Refresh (RFC 2918), 6 Extended Message (RFC 8654), 65
 * 4-octet AS (RFC 6793 §3: asn:u32), 69 ADD-PATH (RFC 7911 §4: *(afi:u16
 * safi:u8 send-receive:u8), 1 receive, 2 send, 3 both). Every capability,
 * known or not, is also kept raw in `capabilities`. A known capability with a
 * length its RFC does not allow is malformed (RFC 5492 §3 leaves the reaction
 * to the receiver; a decoder cannot return half a capability). Optional
 * parameters other than 2 (1, Authentication, is deprecated by RFC 5492) are
 * skipped.
 *
 * RFC 9072 §2: "If the value of the "Non-Ext OP Type" field is 255, then the
 * encoding described above is used for the Optional Parameters length.
 * Otherwise, the encoding defined in [RFC4271] is used." The test applies
 * whenever opt-len is non-zero, not only when it is 255.
 *
 * Not checked, since a monitoring station only decodes OPENs (BMP Peer Up,
 * MRT): hold time 1 and 2 (refused by RFC 4271 §6.2), peer AS 0 (RFC 7607).
 * A version other than 4 is `unsupported`.
 */
import type { Asn } from '../net/asn.js';
import { formatV4 } from '../net/prefix.js';
import { ParseError } from '../wire/parse-error.js';
import { BinaryReader } from '../wire/reader.js';
import { addPathKey, type AfiSafi, capabilities, type SessionCapabilities } from './capabilities.js';

export interface AddPathCapability {
  readonly afi: number;
  readonly safi: number;
  readonly send: boolean;
  readonly receive: boolean;
}

export interface RawCapability {
  readonly code: number;
  readonly value: Uint8Array;
}

export interface BgpOpen {
  readonly version: number;
  /** The 4-octet AS from capability 65 when present, else My Autonomous System. */
  readonly myAsn: Asn;
  readonly holdTime: number;
  readonly bgpId: string;
  readonly asn4: boolean;
  readonly multiprotocol: readonly AfiSafi[];
  readonly addPath: readonly AddPathCapability[];
  readonly extendedMessage: boolean;
  readonly routeRefresh: boolean;
  /** All capabilities, raw, in wire order. */
  readonly capabilities: readonly RawCapability[];
}

export const CapabilityCode = {
  multiprotocol: 1,
  routeRefresh: 2,
  extendedMessage: 6,
  asn4: 65,
  addPath: 69,
} as const;

export const OPEN_PARAM_CAPABILITIES = 2;
/** RFC 4271 §4.2: the 16-bit My Autonomous System of a speaker whose AS needs 4 octets (RFC 6793 §9). */
const AS_TRANS = 23456;

export { encodeOpen, encodeOpenBody, openCapabilities, type OpenInput } from './encode/open.js';

export function decodeOpen(body: Uint8Array, streamOffset = 0): BgpOpen {
  const r = BinaryReader.of(body, streamOffset);
  const versionOffset = r.offset;
  const version = r.u8('bgp.open.version');
  if (version !== 4) {
    throw new ParseError({ kind: 'unsupported', field: 'bgp.open.version', offset: versionOffset, reason: `BGP version ${version}` });
  }
  const myAs = r.u16('bgp.open.myAutonomousSystem');
  const holdTime = r.u16('bgp.open.holdTime');
  const bgpId = formatV4(r.u32('bgp.open.bgpIdentifier'));
  const optLen = r.u8('bgp.open.optionalParametersLength');
  let params: BinaryReader;
  let extended = false;
  if (optLen !== 0 && r.remaining > 0 && r.peekU8('bgp.open.nonExtOpType') === 255) {
    // RFC 9072 §2: Non-Ext OP Type 255, then a 2-octet length.
    r.skip(1, 'bgp.open.nonExtOpType');
    const extLen = r.u16('bgp.open.extendedOptionalParametersLength');
    params = r.sub(extLen, 'bgp.open.optionalParameters');
    extended = true;
  } else {
    params = r.sub(optLen, 'bgp.open.optionalParameters');
  }
  r.expectEnd('bgp.open');

  const caps: RawCapability[] = [];
  while (!params.atEnd) {
    const type = params.u8('bgp.open.param.type');
    const len = extended ? params.u16('bgp.open.param.length') : params.u8('bgp.open.param.length');
    const value = params.sub(len, 'bgp.open.param.value');
    if (type !== OPEN_PARAM_CAPABILITIES) continue;
    while (!value.atEnd) {
      const code = value.u8('bgp.open.capability.code');
      const capLen = value.u8('bgp.open.capability.length');
      caps.push({ code, value: value.bytes(capLen, 'bgp.open.capability.value') });
    }
  }

  let asn4: number | undefined;
  let extendedMessage = false;
  let routeRefresh = false;
  const multiprotocol: AfiSafi[] = [];
  const addPath: AddPathCapability[] = [];
  // Offsets of capability values, for errors: views share `body`'s buffer.
  const offsetOf = (v: Uint8Array): number => streamOffset + (v.byteOffset - body.byteOffset);
  for (const { code, value } of caps) {
    const c = BinaryReader.of(value, offsetOf(value));
    switch (code) {
      case CapabilityCode.multiprotocol: {
        expectLength(value, 4, 'bgp.open.capability.multiprotocol', offsetOf(value));
        const afi = c.u16('bgp.open.capability.multiprotocol.afi');
        c.skip(1, 'bgp.open.capability.multiprotocol.reserved');
        multiprotocol.push({ afi, safi: c.u8('bgp.open.capability.multiprotocol.safi') });
        break;
      }
      case CapabilityCode.routeRefresh:
        routeRefresh = true;
        break;
      case CapabilityCode.extendedMessage:
        expectLength(value, 0, 'bgp.open.capability.extendedMessage', offsetOf(value));
        extendedMessage = true;
        break;
      case CapabilityCode.asn4:
        expectLength(value, 4, 'bgp.open.capability.asn4', offsetOf(value));
        asn4 = c.u32('bgp.open.capability.asn4.asn');
        break;
      case CapabilityCode.addPath: {
        if (value.length % 4 !== 0) {
          throw new ParseError({ kind: 'malformed', field: 'bgp.open.capability.addPath', offset: offsetOf(value), reason: `length ${value.length} is not a multiple of 4` });
        }
        // RFC 7911 §4: Send/Receive is 1 (receive), 2 (send) or 3 (both); "If
        // any other value is received, then the capability SHOULD be treated
        // as not understood and ignored" (it stays in `capabilities`, raw).
        const tuples: AddPathCapability[] = [];
        let understood = true;
        while (!c.atEnd) {
          const afi = c.u16('bgp.open.capability.addPath.afi');
          const safi = c.u8('bgp.open.capability.addPath.safi');
          const sr = c.u8('bgp.open.capability.addPath.sendReceive');
          if (sr < 1 || sr > 3) understood = false;
          tuples.push({ afi, safi, send: (sr & 2) !== 0, receive: (sr & 1) !== 0 });
        }
        if (understood) addPath.push(...tuples);
        break;
      }
    }
  }

  return {
    version,
    myAsn: (asn4 ?? myAs) as Asn,
    holdTime,
    bgpId,
    asn4: asn4 !== undefined,
    multiprotocol,
    addPath,
    extendedMessage,
    routeRefresh,
    capabilities: caps,
  };
}

function expectLength(value: Uint8Array, n: number, field: string, offset: number): void {
  if (value.length !== n) throw new ParseError({ kind: 'malformed', field, offset, reason: `length ${value.length}, must be ${n}` });
}

/**
 * Capabilities for UPDATEs sent by the speaker of `senderOpen` and received by
 * the speaker of `receiverOpen`: asn4 if both advertise it; ADD-PATH for an
 * AFI/SAFI if the sender can send and the receiver can receive it (RFC 7911
 * §4); extended messages if both (RFC 8654 §3).
 *
 * BMP (RFC 7854 §4.10): for the UPDATEs a monitored router received from its
 * peer, the sender is the peer (the Peer Up's received OPEN) and the receiver
 * the router (its sent OPEN): negotiate(receivedOpen, sentOpen).
 */
export function negotiate(senderOpen: BgpOpen, receiverOpen: BgpOpen): SessionCapabilities {
  const receives = new Set<string>();
  for (const a of receiverOpen.addPath) if (a.receive) receives.add(addPathKey(a.afi, a.safi));
  const addPath: AfiSafi[] = [];
  for (const a of senderOpen.addPath) if (a.send && receives.has(addPathKey(a.afi, a.safi))) addPath.push(a);
  return capabilities({
    asn4: senderOpen.asn4 && receiverOpen.asn4,
    addPath,
    extendedMessage: senderOpen.extendedMessage && receiverOpen.extendedMessage,
  });
}

/** (Addition to the contract.) The My Autonomous System a speaker puts in its OPEN: AS_TRANS for a 4-octet AS (RFC 6793 §4.2.1). */
export function twoOctetAsn(asn: number): number {
  return asn > 0xffff ? AS_TRANS : asn;
}
