/**
 * TABLE_DUMP (type 12): RFC 6396 §4.2. One RIB entry per record, 2-octet
 * ASNs only (the reason TABLE_DUMP_V2 replaced it).
 *
 *   View Number        u16
 *   Sequence Number    u16
 *   Prefix             4 octets (subtype 1, AFI_IPv4) or 16 (subtype 2, AFI_IPv6)
 *   Prefix Length      u8
 *   Status             u8   (unused, 1)
 *   Originated Time    u32
 *   Peer IP Address    4 or 16 octets, as the subtype
 *   Peer AS            u16
 *   Attribute Length   u16
 *   BGP Attributes     Attribute Length octets (2-octet AS_PATH, RFC 4271 §4.3)
 *
 * The record must end with the attributes: anything after them means the
 * Length field disagrees with the content (the 2000-era RIS bview in the
 * corpus batches entries and declares each record 4 octets short), and is
 * malformed.
 */
import type { Asn } from '../net/asn.js';
import { Prefix, wordMask } from '../net/prefix.js';
import { ParseError } from '../wire/parse-error.js';
import { BinaryReader } from '../wire/reader.js';
import { readAddress, readFullPrefix } from './address.js';

export interface TableDumpEntry {
  readonly view: number;
  readonly sequence: number;
  readonly prefix: Prefix;
  readonly status: number;
  readonly originatedTime: number;
  readonly peerAddress: string;
  readonly peerAsn: Asn;
  /** The attribute block, a view. */
  readonly attributes: Uint8Array;
  readonly attributesOffset: number;
}

export function decodeTableDump(body: Uint8Array, bodyOffset: number, v6: boolean): TableDumpEntry {
  const r = BinaryReader.of(body, bodyOffset);
  const view = r.u16('tableDump.view');
  const sequence = r.u16('tableDump.sequence');
  const prefixOffset = r.offset;
  const w = readFullPrefix(r, v6, 'tableDump.prefix');
  const length = r.u8('tableDump.prefixLength');
  const max = v6 ? 128 : 32;
  if (length > max) r.malformed('tableDump.prefixLength', `prefix length ${length} exceeds ${max}`);
  if (
    (w.w0 & ~wordMask(length, 0)) !== 0 ||
    (w.w1 & ~wordMask(length, 1)) !== 0 ||
    (w.w2 & ~wordMask(length, 2)) !== 0 ||
    (w.w3 & ~wordMask(length, 3)) !== 0
  ) {
    throw new ParseError({ kind: 'malformed', field: 'tableDump.prefix', offset: prefixOffset, reason: `host bits set past /${length}` });
  }
  const prefix = Prefix.fromWords(v6 ? 6 : 4, length, w.w0, w.w1, w.w2, w.w3);
  const status = r.u8('tableDump.status');
  const originatedTime = r.u32('tableDump.originatedTime');
  const peerAddress = readAddress(r, v6, 'tableDump.peerAddress');
  const peerAsn = r.u16('tableDump.peerAs') as Asn;
  const attrLength = r.u16('tableDump.attributeLength');
  const attributesOffset = r.offset;
  const attributes = r.bytes(attrLength, 'tableDump.attributes');
  r.expectEnd('tableDump');
  return { view, sequence, prefix, status, originatedTime, peerAddress, peerAsn, attributes, attributesOffset };
}
