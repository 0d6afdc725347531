/**
 * Turns framed MRT records (RFC 6396) into route events (events.ts).
 *
 * Read: TABLE_DUMP (§4.2), TABLE_DUMP_V2 PEER_INDEX_TABLE and the unicast
 * RIB subtypes with and without ADD-PATH (§4.3, RFC 8050 §4.1), BGP4MP and
 * BGP4MP_ET MESSAGE*, STATE_CHANGE* (§4.4, §4.5, RFC 8050 §4.2). Skipped and
 * counted (MrtStats.skippedRecordsByName): every other type and subtype,
 * among them RIB_GENERIC, the multicast RIBs, BGP4MP_ENTRY (OpenBGPD's
 * table-mp dumps), the deprecated type 5 BGP records of 1999-2000 RIS files,
 * OSPF and IS-IS.
 *
 * Session capabilities. TABLE_DUMP_V2 attributes always carry 4-octet ASNs
 * (§4.3.4) and TABLE_DUMP ones 2-octet ASNs (§4.2). For a BGP4MP message the
 * subtype says all an archive knows about the session: 4-octet AS for the
 * _AS4 subtypes, ADD-PATH for all unicast and multicast NLRI in the ADDPATH
 * ones (RFC 8050 §4.2); extended messages are allowed, the record bounds
 * the message anyway. A live feed must take these from the OPENs instead
 * (BMP); an archive is the one place where the subtype is all there is.
 *
 * Damage, decided per case:
 * - stops the file (throws MrtError with the record's offset and type):
 *   framing damage (framer.ts), a PEER_INDEX_TABLE that does not parse, a
 *   RIB record before any PEER_INDEX_TABLE or naming a peer index the table
 *   lacks (nothing later can be attributed correctly), and, by default, any
 *   record whose own MRT fields do not parse (a short BGP4MP header, a RIB
 *   record with bytes left over or missing): a Length that disagrees with
 *   the content is how framing damage first shows, and reading on risks
 *   misreading everything after it. With `damagedRecords: 'skip'` such a
 *   record is skipped and counted instead (stats.damagedRecords), for
 *   archives known to hold self-contained bad records, such as the 2000-era
 *   Zebra files with 8-octet STATE_CHANGE bodies;
 * - skips and counts (stats.bgpErrors, first errors in stats.errors): a
 *   BGP message inside a BGP4MP record that does not parse (bad marker,
 *   bad length, an UPDATE that RFC 7606 says resets the session), and a RIB
 *   entry whose attribute block does not parse (that entry only). The
 *   framing around them is intact, so nothing else is lost.
 * - RFC 7606 outcomes short of a reset are applied, not skipped: a
 *   treat-as-withdraw UPDATE or RIB entry becomes `withdraw` events.
 */
import type { Asn } from '../net/asn.js';
import { type Logger, NOOP_LOGGER } from '../rpki/sources/source.js';
import { ParseError } from '../wire/parse-error.js';
import { type DecodedAttributes, decodePathAttributes } from '../bgp/attributes.js';
import { Afi, type AfiSafi, Safi, type SessionCapabilities, capabilities } from '../bgp/capabilities.js';
import { BGP_HEADER_LENGTH, BGP_MAX_EXTENDED_MESSAGE_LENGTH, BgpMessageType, readBgpMessage } from '../bgp/message.js';
import { decodeUpdate } from '../bgp/update.js';
import { type Bgp4mpMessage, decodeBgp4mp, isBgp4mpDecodable } from './bgp4mp.js';
import type { MrtEventSink, MrtPeer } from './events.js';
import type { MrtRecord } from './framer.js';
import { MrtError } from './mrt-error.js';
import { MrtType, TableDumpV2Subtype, mrtRecordName } from './mrt-types.js';
import { type PeerIndexTable, decodePeerIndexTable } from './peer-index-table.js';
import { decodeRibRecord } from './rib.js';
import { MrtStats } from './stats.js';
import { decodeTableDump } from './table-dump.js';

export interface MrtDecoderOptions {
  readonly logger?: Logger;
  /** What a record whose MRT fields do not parse does: stop the file (default) or be skipped and counted. */
  readonly damagedRecords?: 'stop' | 'skip';
  /** The file name, for errors and logs. */
  readonly source?: string;
  /**
   * Archives only, off by default: when an UPDATE of a non-ADDPATH BGP4MP
   * subtype does not parse, try it again with ADD-PATH NLRI, and keep that
   * reading if it parses (counted in stats.addPathGuessed). BIRD wrote
   * ADD-PATH sessions into plain MESSAGE_AS4 records before RFC 8050 gave
   * them subtypes. A guess can misread (a Path Identifier and a prefix can
   * look alike), so it is never done on a live feed, and never by default.
   */
  readonly guessAddPath?: boolean;
}

const IPV4_UNICAST: AfiSafi = Object.freeze({ afi: Afi.ipv4, safi: Safi.unicast });
const IPV6_UNICAST: AfiSafi = Object.freeze({ afi: Afi.ipv6, safi: Safi.unicast });
const TABLE_DUMP_V2_CAPS = capabilities({ asn4: true, extendedMessage: true });
const TABLE_DUMP_CAPS = capabilities({ asn4: false, extendedMessage: true });
const ADD_PATH_FAMILIES = [
  { afi: Afi.ipv4, safi: Safi.unicast },
  { afi: Afi.ipv6, safi: Safi.unicast },
  { afi: Afi.ipv4, safi: Safi.multicast },
  { afi: Afi.ipv6, safi: Safi.multicast },
];
/** BGP4MP capabilities by [asn4][addPath]. */
const BGP4MP_CAPS: readonly (readonly SessionCapabilities[])[] = [false, true].map((asn4) =>
  [false, true].map((addPath) => capabilities({ asn4, addPath: addPath ? ADD_PATH_FAMILIES : [], extendedMessage: true })),
);

export class MrtDecoder {
  readonly stats = new MrtStats();
  private readonly logger: Logger;
  private readonly skipDamaged: boolean;
  private readonly source: string | undefined;
  private readonly guessAddPath: boolean;
  private peerTable: PeerIndexTable | undefined;
  private readonly peers = new Map<string, MrtPeer>();

  constructor(options: MrtDecoderOptions = {}) {
    this.logger = options.logger ?? NOOP_LOGGER;
    this.skipDamaged = options.damagedRecords === 'skip';
    this.source = options.source;
    this.guessAddPath = options.guessAddPath === true;
  }

  /** The last PEER_INDEX_TABLE read, if any. */
  get peerIndexTable(): PeerIndexTable | undefined {
    return this.peerTable;
  }

  /** Decodes one record, passing its events to `emit` in order. Throws MrtError when the file must stop. */
  decode(record: MrtRecord, emit: MrtEventSink): void {
    this.stats.countRecord(record.type, record.subtype);
    switch (record.type) {
      case MrtType.tableDump:
        if (record.subtype === 1 || record.subtype === 2) return this.guarded(record, emit, this.tableDump);
        break;
      case MrtType.tableDumpV2:
        switch (record.subtype) {
          case TableDumpV2Subtype.peerIndexTable:
            return this.peerIndex(record);
          case TableDumpV2Subtype.ribIpv4Unicast:
          case TableDumpV2Subtype.ribIpv6Unicast:
          case TableDumpV2Subtype.ribIpv4UnicastAddPath:
          case TableDumpV2Subtype.ribIpv6UnicastAddPath:
            return this.guarded(record, emit, this.rib);
        }
        break;
      case MrtType.bgp4mp:
      case MrtType.bgp4mpEt:
        if (isBgp4mpDecodable(record.subtype)) return this.guarded(record, emit, this.bgp4mp);
        break;
    }
    this.stats.countSkippedRecord(record.type, record.subtype);
  }

  /** Runs a record decoder; a ParseError in the record's own fields stops the file or skips the record. */
  private guarded(record: MrtRecord, emit: MrtEventSink, decode: (record: MrtRecord, emit: MrtEventSink) => void): void {
    try {
      decode.call(this, record, emit);
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      const error = MrtError.inRecord(err, record, this.source);
      if (!this.skipDamaged || err instanceof MrtError) throw error;
      this.stats.damagedRecords++;
      this.stats.keepError(error);
      if (this.stats.damagedRecords <= 10) this.logger.warn({ err: error.message }, 'mrt: damaged record skipped');
    }
  }

  private peerIndex(record: MrtRecord): void {
    try {
      this.peerTable = decodePeerIndexTable(record.body, record.bodyOffset);
    } catch (err) {
      if (err instanceof ParseError) throw MrtError.inRecord(err, record, this.source);
      throw err;
    }
  }

  private tableDump(record: MrtRecord, emit: MrtEventSink): void {
    const entry = decodeTableDump(record.body, record.bodyOffset, record.subtype === 2);
    this.stats.ribEntries++;
    const decoded = this.attributes(record, entry.attributes, entry.attributesOffset, TABLE_DUMP_CAPS, record.subtype === 2 ? IPV6_UNICAST : IPV4_UNICAST);
    if (decoded === undefined) return;
    const peer = this.peer(entry.peerAddress, entry.peerAsn, undefined);
    if (decoded.action === 'treat-as-withdraw') {
      this.stats.withdrawn++;
      emit({ kind: 'withdraw', timestamp: record.timestamp, microseconds: 0, peer, prefix: entry.prefix, pathId: 0, attributes: undefined, sent: false });
    } else {
      this.stats.ribRoutes++;
      emit({ kind: 'rib', timestamp: record.timestamp, microseconds: 0, peer, prefix: entry.prefix, pathId: 0, attributes: decoded.attributes, sent: false });
    }
  }

  private rib(record: MrtRecord, emit: MrtEventSink): void {
    const subtype = record.subtype;
    const v6 = subtype === TableDumpV2Subtype.ribIpv6Unicast || subtype === TableDumpV2Subtype.ribIpv6UnicastAddPath;
    const addPath = subtype >= TableDumpV2Subtype.ribIpv4UnicastAddPath;
    const table = this.peerTable;
    if (table === undefined) {
      throw new MrtError(
        { kind: 'needs-session-state', field: 'rib.entry.peerIndex', offset: record.bodyOffset, reason: 'RIB record before any PEER_INDEX_TABLE' },
        record,
        this.source,
      );
    }
    const rib = decodeRibRecord(record.body, record.bodyOffset, v6, addPath);
    const family = v6 ? IPV6_UNICAST : IPV4_UNICAST;
    // Check every peer index before emitting anything: a bad one stops the file.
    for (const entry of rib.entries) {
      if (entry.peerIndex >= table.peers.length) {
        throw new MrtError(
          { kind: 'malformed', field: 'rib.entry.peerIndex', offset: entry.attributesOffset - (addPath ? 12 : 8), reason: `peer index ${entry.peerIndex} not in the PEER_INDEX_TABLE of ${table.peers.length} peers` },
          record,
          this.source,
        );
      }
    }
    const { timestamp } = record;
    const prefix = rib.prefix;
    for (const entry of rib.entries) {
      this.stats.ribEntries++;
      const decoded = this.attributes(record, entry.attributes, entry.attributesOffset, TABLE_DUMP_V2_CAPS, family);
      if (decoded === undefined) continue;
      const peer = table.peers[entry.peerIndex]!;
      if (decoded.action === 'treat-as-withdraw') {
        this.stats.withdrawn++;
        emit({ kind: 'withdraw', timestamp, microseconds: 0, peer, prefix, pathId: entry.pathId, attributes: undefined, sent: false });
      } else {
        this.stats.ribRoutes++;
        emit({ kind: 'rib', timestamp, microseconds: 0, peer, prefix, pathId: entry.pathId, attributes: decoded.attributes, sent: false });
      }
    }
  }

  /**
   * A RIB entry's attribute block, or undefined (counted) when it does not
   * parse. MP_REACH is read in the §4.3.4 abbreviated form for the entry's
   * family, or in the full RFC 4760 form where a dumper wrote that (Quagga's
   * TABLE_DUMP_V2, OpenBGPD's TABLE_DUMP): decodePathAttributes tells them apart.
   */
  private attributes(record: MrtRecord, bytes: Uint8Array, offset: number, caps: SessionCapabilities, family: AfiSafi): DecodedAttributes | undefined {
    let decoded: DecodedAttributes;
    try {
      decoded = decodePathAttributes(bytes, caps, { mpReachAbbreviated: true, afiSafi: family, streamOffset: offset });
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      this.bgpError(err, record, 'RIB entry with attributes that do not parse skipped');
      return undefined;
    }
    if (decoded.action === 'treat-as-withdraw') this.stats.treatAsWithdraw++;
    else if (decoded.action === 'attribute-discard') this.stats.attributeDiscard++;
    for (const s of decoded.skipped) this.stats.countSkippedNlri(s.afi, s.safi, s.count);
    return decoded;
  }

  private bgp4mp(record: MrtRecord, emit: MrtEventSink): void {
    const m = decodeBgp4mp(record.body, record.bodyOffset, record.subtype);
    const peer = this.peer(m.peerAddress, m.peerAsn, undefined);
    if (m.kind === 'state') {
      this.stats.stateChanges++;
      emit({ kind: 'state', timestamp: record.timestamp, microseconds: record.microseconds, peer, oldState: m.oldState, newState: m.newState });
      return;
    }
    this.message(record, m, peer, emit);
  }

  private message(record: MrtRecord, m: Bgp4mpMessage, peer: MrtPeer, emit: MrtEventSink): void {
    let update;
    try {
      const msg = readBgpMessage(m.message, { maxLength: BGP_MAX_EXTENDED_MESSAGE_LENGTH, streamOffset: m.messageOffset });
      if (msg.length !== m.message.length) {
        throw new ParseError({ kind: 'malformed', field: 'bgp4mp.message', offset: m.messageOffset + msg.length, reason: `${m.message.length - msg.length} bytes after the ${msg.length}-byte BGP message` });
      }
      this.stats.countBgpMessage(msg.type);
      if (msg.type !== BgpMessageType.update) return;
      const caps = BGP4MP_CAPS[m.asn4 ? 1 : 0]!;
      try {
        update = decodeUpdate(msg.body, caps[m.addPath ? 1 : 0]!, m.messageOffset + BGP_HEADER_LENGTH);
      } catch (err) {
        if (!this.guessAddPath || m.addPath || !(err instanceof ParseError)) throw err;
        try {
          update = decodeUpdate(msg.body, caps[1]!, m.messageOffset + BGP_HEADER_LENGTH);
        } catch {
          throw err; // the original error is the one to report
        }
        this.stats.addPathGuessed++;
      }
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      this.bgpError(err, record, 'BGP message that does not parse skipped');
      return;
    }
    if (m.sent) this.stats.sentUpdates++;
    if (update.action === 'treat-as-withdraw') this.stats.treatAsWithdraw++;
    else if (update.action === 'attribute-discard') this.stats.attributeDiscard++;
    if (update.endOfRib !== undefined) this.stats.endOfRib++;
    for (const s of update.skipped) this.stats.countSkippedNlri(s.afi, s.safi, s.count);
    const { timestamp, microseconds } = record;
    const sent = m.sent;
    for (const n of update.withdrawn) {
      this.stats.withdrawn++;
      emit({ kind: 'withdraw', timestamp, microseconds, peer, prefix: n.prefix, pathId: n.pathId, attributes: undefined, sent });
    }
    const attributes = update.attributes;
    for (const n of update.announced) {
      this.stats.announced++;
      emit({ kind: 'announce', timestamp, microseconds, peer, prefix: n.prefix, pathId: n.pathId, attributes, sent });
    }
  }

  private bgpError(err: ParseError, record: MrtRecord, what: string): void {
    this.stats.bgpErrors++;
    const error = MrtError.inRecord(err, record, this.source);
    this.stats.keepError(error);
    if (this.stats.bgpErrors <= 10) this.logger.warn({ err: error.message, record: mrtRecordName(record.type, record.subtype), offset: record.offset }, `mrt: ${what}`);
  }

  /** One MrtPeer object per (address, AS). */
  private peer(address: string, asn: Asn, bgpId: string | undefined): MrtPeer {
    const key = `${address} ${asn}`;
    let peer = this.peers.get(key);
    if (peer === undefined) {
      peer = Object.freeze({ address, asn, bgpId });
      this.peers.set(key, peer);
    }
    return peer;
  }
}
