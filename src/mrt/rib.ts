/**
 * TABLE_DUMP_V2 RIB records: RFC 6396 §4.3.2 (the AFI/SAFI-specific
 * subtypes RIB_IPV4_UNICAST 2 and RIB_IPV6_UNICAST 4) and §4.3.4 (RIB
 * entries), with RFC 8050 §4.1 (RIB_IPV4_UNICAST_ADDPATH 8,
 * RIB_IPV6_UNICAST_ADDPATH 10: a Path Identifier in each entry).
 *
 *   Sequence Number    u32
 *   Prefix Length      u8
 *   Prefix             ceil(Prefix Length / 8) octets (trailing bits masked)
 *   Entry Count        u16
 *   RIB Entries        Entry Count times:
 *     Peer Index       u16   index into the PEER_INDEX_TABLE
 *     Originated Time  u32
 *     Path Identifier  u32   (ADD-PATH subtypes only)
 *     Attribute Length u16
 *     BGP Attributes   Attribute Length octets: 4-octet AS_PATH always
 *                      (§4.3.4), MP_REACH_NLRI in the abbreviated form
 *                      (next-hop length and next hop only)
 *
 * This reads the MRT structure only; the decoder decodes each entry's
 * attributes (so a bad attribute block costs one entry, not the record).
 * The record must end with its last entry.
 */
import type { Prefix } from '../net/prefix.js';
import { BinaryReader } from '../wire/reader.js';
import { readTruncatedPrefix } from './address.js';

export interface RibEntry {
  readonly peerIndex: number;
  readonly originatedTime: number;
  /** 0 for the non-ADD-PATH subtypes. */
  readonly pathId: number;
  /** The attribute block, a view. */
  readonly attributes: Uint8Array;
  readonly attributesOffset: number;
}

export interface RibRecord {
  readonly sequence: number;
  readonly prefix: Prefix;
  readonly entries: readonly RibEntry[];
}

export function decodeRibRecord(body: Uint8Array, bodyOffset: number, v6: boolean, addPath: boolean): RibRecord {
  const r = BinaryReader.of(body, bodyOffset);
  const sequence = r.u32('rib.sequence');
  const prefix = readTruncatedPrefix(r, v6, 'rib');
  const count = r.u16('rib.entryCount');
  // Each entry takes at least 8 octets: a count the record cannot hold is
  // refused before allocating for it.
  r.need(count * (addPath ? 12 : 8), 'rib.entries');
  const entries: RibEntry[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const peerIndex = r.u16('rib.entry.peerIndex');
    const originatedTime = r.u32('rib.entry.originatedTime');
    const pathId = addPath ? r.u32('rib.entry.pathId') : 0;
    const length = r.u16('rib.entry.attributeLength');
    const attributesOffset = r.offset;
    entries[i] = { peerIndex, originatedTime, pathId, attributes: r.bytes(length, 'rib.entry.attributes'), attributesOffset };
  }
  r.expectEnd('rib');
  return { sequence, prefix, entries };
}
