/**
 * TABLE_DUMP_V2 PEER_INDEX_TABLE: RFC 6396 §4.3.1.
 *
 *   Collector BGP ID   u32
 *   View Name Length   u16
 *   View Name          View Name Length octets (UTF-8, may be empty)
 *   Peer Count         u16
 *   Peer Entries       Peer Count times:
 *     Peer Type        u8   bit 0 (0x01): Peer IP is IPv6; bit 1 (0x02): Peer AS is 4 octets
 *     Peer BGP ID      u32
 *     Peer IP Address  4 or 16 octets
 *     Peer AS          u16 or u32
 *
 * The RIB records that follow name their peer by its index in this table
 * (§4.3.4), so a table that does not parse stops the file.
 */
import type { Asn } from '../net/asn.js';
import { formatV4 } from '../net/prefix.js';
import { BinaryReader } from '../wire/reader.js';
import { readAddress } from './address.js';
import type { MrtPeer } from './events.js';

export interface PeerIndexTable {
  readonly collectorBgpId: string;
  readonly viewName: string;
  readonly peers: readonly MrtPeer[];
}

const PEER_TYPE_IPV6 = 0x01;
const PEER_TYPE_AS4 = 0x02;

const UTF8 = new TextDecoder('utf-8');

export function decodePeerIndexTable(body: Uint8Array, bodyOffset = 0): PeerIndexTable {
  const r = BinaryReader.of(body, bodyOffset);
  const collectorBgpId = formatV4(r.u32('peerIndexTable.collectorBgpId'));
  const viewName = UTF8.decode(r.bytes(r.u16('peerIndexTable.viewNameLength'), 'peerIndexTable.viewName'));
  const count = r.u16('peerIndexTable.peerCount');
  const peers: MrtPeer[] = [];
  for (let i = 0; i < count; i++) {
    const type = r.u8('peerIndexTable.peer.type');
    const bgpId = formatV4(r.u32('peerIndexTable.peer.bgpId'));
    const address = readAddress(r, (type & PEER_TYPE_IPV6) !== 0, 'peerIndexTable.peer.address');
    const asn = ((type & PEER_TYPE_AS4) !== 0 ? r.u32('peerIndexTable.peer.asn') : r.u16('peerIndexTable.peer.asn')) as Asn;
    peers.push(Object.freeze({ address, asn, bgpId }));
  }
  r.expectEnd('peerIndexTable');
  return Object.freeze({ collectorBgpId, viewName, peers: Object.freeze(peers) });
}
