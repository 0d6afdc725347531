/**
 * The Peer Down Notification: RFC 7854 §4.9, RFC 9069 §4.4 / §5.3,
 * draft-ietf-grow-bmp-tlv (version 4 TLVs).
 *
 *   common header (6) | per-peer header (42)
 *    0  u8  Reason
 *    1  Data, by reason:
 *         1 local system closed, a BGP NOTIFICATION message follows (whole, with header)
 *         2 local system closed without NOTIFICATION: u16 FSM event code (RFC 4271 §8.1; 0 = none)
 *         3 remote system closed, its BGP NOTIFICATION message follows
 *         4 remote system closed without NOTIFICATION: no data
 *         5 peer de-configured: no data
 *         6 local system closed, information TLVs follow (RFC 9069: VRF/Table Name, type 3)
 *         other: kept raw
 *   In version 4, TLVs (type, length, value) may follow the data.
 *
 * The NOTIFICATION body is read as RFC 4271 §4.5 gives it: error code (u8),
 * subcode (u8), data (the rest, a view).
 */
import { BgpMessageType } from '../bgp/message.js';
import { readEmbeddedBgpMessage } from './bgp-pdu.js';
import type { BinaryReader } from '../wire/reader.js';
import { ParseError } from '../wire/parse-error.js';
import { BMP_VERSION_4, BmpPeerDownReason, BmpPeerUpTlv, bmpPeerDownReasonName } from './constants.js';
import type { BmpPerPeerHeader } from './per-peer-header.js';
import { type BmpTlv, decodeTlvs, tlvText } from './tlv.js';

export interface BgpNotification {
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

export interface BmpPeerDown {
  readonly header: BmpPerPeerHeader;
  readonly reason: number;
  readonly reasonName: string;
  /** Reasons 1 and 3. */
  readonly notification: BgpNotification | undefined;
  /** Reason 2. */
  readonly fsmEvent: number | undefined;
  /** Reason 6 (RFC 9069), and version 4 trailing TLVs. */
  readonly tlvs: readonly BmpTlv[];
  readonly vrfTableName: string | undefined;
  /** The data of a reason this code does not know, or unexpected trailing bytes (version 3), raw. */
  readonly data: Uint8Array | undefined;
}

export function decodePeerDown(r: BinaryReader, header: BmpPerPeerHeader, version: number): BmpPeerDown {
  const reason = r.u8('bmp.peerDown.reason');
  let notification: BgpNotification | undefined;
  let fsmEvent: number | undefined;
  let tlvs: BmpTlv[] = [];
  let data: Uint8Array | undefined;
  switch (reason) {
    case BmpPeerDownReason.localNotification:
    case BmpPeerDownReason.remoteNotification:
      notification = readNotification(r);
      break;
    case BmpPeerDownReason.localNoNotification:
      fsmEvent = r.u16('bmp.peerDown.fsmEvent');
      break;
    case BmpPeerDownReason.remoteNoNotification:
    case BmpPeerDownReason.peerDeconfigured:
      break;
    case BmpPeerDownReason.localTlv:
      tlvs = decodeTlvs(r, 'bmp.peerDown.tlv');
      break;
    default:
      data = r.rest();
  }
  // Version 4 may append TLVs. In version 3 nothing follows; bytes that do
  // are kept as `data` rather than failing the message: a lost Peer Down
  // would leave the peer's routes held.
  if (!r.atEnd) {
    if (version >= BMP_VERSION_4) tlvs = tlvs.concat(decodeTlvs(r, 'bmp.peerDown.tlv'));
    else data = r.rest();
  }
  let vrfTableName: string | undefined;
  for (const tlv of tlvs) if (tlv.type === BmpPeerUpTlv.vrfTableName) vrfTableName = tlvText(tlv.value);
  return { header, reason, reasonName: bmpPeerDownReasonName(reason), notification, fsmEvent, tlvs, vrfTableName, data };
}

function readNotification(r: BinaryReader): BgpNotification {
  const msg = readEmbeddedBgpMessage(r, 'bmp.peerDown.notification', BgpMessageType.notification, 'NOTIFICATION');
  if (msg.body.length < 2) {
    throw new ParseError({ kind: 'truncated', field: 'bmp.peerDown.notification.code', offset: msg.offset + 19, required: 2, remaining: msg.body.length });
  }
  return { code: msg.body[0]!, subcode: msg.body[1]!, data: msg.body.subarray(2) };
}
