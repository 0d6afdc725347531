/**
 * The Peer Up Notification: RFC 7854 §4.10, RFC 9069 §5 (Loc-RIB).
 *
 *   common header (6) | per-peer header (42)
 *    0  16   Local Address    IPv4 in the last 4 octets unless the V flag is set
 *   16  u16  Local Port
 *   18  u16  Remote Port
 *   20  Sent OPEN Message     a whole BGP message (header included): the OPEN
 *                             the monitored router sent to the peer
 *   ..  Received OPEN Message the OPEN the router received from the peer
 *   ..  Information TLVs      0 String, 3 VRF/Table Name (RFC 9069 §5.1),
 *                             4 Admin Label (IANA); others kept raw, counted
 *
 * For a Loc-RIB instance (peer type 3, which has no V flag) RFC 9069 §5.1
 * fabricates the OPENs: "Sent OPEN Message ... MUST include 4-octet ASN and
 * all necessary capabilities to represent the Loc-RIB route monitoring
 * messages", and the Received OPEN "repeats" it. The local address family
 * is then taken from the bytes (first 12 zero: IPv4).
 *
 * Which OPENs govern an UPDATE carried in Route Monitoring depends on who
 * sent it (see {@link peerCapabilities}): Adj-RIB-In holds what the peer
 * sent to the router, Adj-RIB-Out and Loc-RIB what the router itself sends.
 */
import type { BgpOpen } from '../bgp/open.js';
import { decodeOpen, negotiate } from '../bgp/open.js';
import { type SessionCapabilities, capabilities } from '../bgp/capabilities.js';
import { BgpMessageType } from '../bgp/message.js';
import type { BinaryReader } from '../wire/reader.js';
import { readEmbeddedBgpMessage } from './bgp-pdu.js';
import { BmpPeerType, BmpPeerUpTlv } from './constants.js';
import { type BmpPerPeerHeader, formatAddress, isV4Mapped } from './per-peer-header.js';
import { type BmpTlv, decodeTlvs, tlvText } from './tlv.js';

export interface BmpPeerUp {
  readonly header: BmpPerPeerHeader;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remotePort: number;
  /** The OPEN the monitored router sent to the peer. */
  readonly sentOpen: BgpOpen;
  /** The OPEN the monitored router received from the peer. */
  readonly receivedOpen: BgpOpen;
  readonly strings: readonly string[];
  readonly vrfTableName: string | undefined;
  readonly adminLabel: string | undefined;
  readonly tlvs: readonly BmpTlv[];
  readonly unknownTlvs: number;
}

/** Reads the body after the per-peer header. */
export function decodePeerUp(r: BinaryReader, header: BmpPerPeerHeader): BmpPeerUp {
  const address = r.bytes(16, 'bmp.peerUp.localAddress');
  const ipv6 = header.peer.type === BmpPeerType.locRib ? !isV4Mapped(address, 0) : header.ipv6;
  const localAddress = formatAddress(address, 0, ipv6);
  const localPort = r.u16('bmp.peerUp.localPort');
  const remotePort = r.u16('bmp.peerUp.remotePort');
  const sentOpen = readOpen(r, 'bmp.peerUp.sentOpen');
  const receivedOpen = readOpen(r, 'bmp.peerUp.receivedOpen');
  const tlvs = decodeTlvs(r, 'bmp.peerUp.tlv');
  const strings: string[] = [];
  let vrfTableName: string | undefined;
  let adminLabel: string | undefined;
  let unknownTlvs = 0;
  for (const tlv of tlvs) {
    if (tlv.type === BmpPeerUpTlv.string) strings.push(tlvText(tlv.value));
    else if (tlv.type === BmpPeerUpTlv.vrfTableName) vrfTableName = tlvText(tlv.value);
    else if (tlv.type === BmpPeerUpTlv.adminLabel) adminLabel = tlvText(tlv.value);
    else unknownTlvs++;
  }
  return { header, localAddress, localPort, remotePort, sentOpen, receivedOpen, strings, vrfTableName, adminLabel, tlvs, unknownTlvs };
}

/** One whole BGP OPEN message at the reader, decoded. */
function readOpen(r: BinaryReader, field: string): BgpOpen {
  const msg = readEmbeddedBgpMessage(r, field, BgpMessageType.open, 'OPEN');
  return decodeOpen(msg.body, msg.offset + 19);
}

/**
 * The capabilities to decode an UPDATE in Route Monitoring for the session
 * of this Peer Up, by the RIB it describes:
 *
 * - Adj-RIB-In (pre/post-policy): UPDATEs the peer sent to the router:
 *   `negotiate(receivedOpen, sentOpen)`.
 * - Adj-RIB-Out (RFC 8671, O flag): UPDATEs the router sends to the peer:
 *   `negotiate(sentOpen, receivedOpen)`.
 * - Loc-RIB (RFC 9069): the router's own routes, described by its
 *   fabricated OPEN alone: 4-octet AS as advertised there, ADD-PATH for each
 *   AFI/SAFI it lists (send or receive: it lists only what it will use, and
 *   the "received" copy is the same message, so negotiating it with itself
 *   would drop send-only entries).
 *
 * The caller then applies the per-message A flag for peer types 0-2
 * (RFC 7854 §4.2: the router "MAY choose to reformat all AS_PATH
 * information into a 4-byte format regardless of how it was received").
 */
export function peerCapabilities(peerUp: BmpPeerUp, direction: 'adj-rib-in' | 'adj-rib-out' | 'loc-rib'): SessionCapabilities {
  const { sentOpen, receivedOpen } = peerUp;
  if (direction === 'adj-rib-in') return negotiate(receivedOpen, sentOpen);
  if (direction === 'adj-rib-out') return negotiate(sentOpen, receivedOpen);
  return capabilities({
    asn4: sentOpen.asn4,
    addPath: sentOpen.addPath.filter((a) => a.send || a.receive),
    extendedMessage: sentOpen.extendedMessage,
  });
}
