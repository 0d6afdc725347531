/**
 * The Statistics Report: RFC 7854 §4.8, RFC 8671 §5 (Adj-RIB-Out gauges).
 *
 *   common header (6) | per-peer header (42)
 *    0  u32  Stats Count
 *    then Stats Count times:
 *      0  u16  Stat Type
 *      2  u16  Stat Len
 *      4  Stat Len octets  Stat Data:
 *         types 0-6, 11-13   32-bit counter              (len 4)
 *         types 7, 8, 14, 15 64-bit gauge                (len 8)
 *         types 9, 10, 16, 17 AFI (u16), SAFI (u8), 64-bit gauge (len 11)
 *         other types        kept raw (vendor and future types), counted
 *
 * A known type whose length is not its shape's is `malformed` (RFC 7854
 * §4.8 fixes each one). The count is never used to allocate: entries are
 * read one by one through the bounded reader, so a count of 4 billion
 * fails at the first missing byte. Gauges are 64-bit on the wire and a
 * `number` here: exact up to 2^53 routes, far past any table. Bytes after
 * the last entry are TLVs in version 4 (draft-ietf-grow-bmp-tlv-20) and
 * `malformed` in version 3.
 */
import type { BinaryReader } from '../wire/reader.js';
import { ParseError } from '../wire/parse-error.js';
import { BMP_VERSION_4, type BmpStatShape, bmpStatName, bmpStatShape } from './constants.js';
import type { BmpPerPeerHeader } from './per-peer-header.js';
import { type BmpTlv, decodeTlvs } from './tlv.js';

export interface BmpStat {
  readonly type: number;
  readonly name: string;
  /** undefined for types this code does not know. */
  readonly shape: BmpStatShape | undefined;
  /** The counter or gauge; undefined for unknown types. */
  readonly value: number | undefined;
  /** Per-AFI/SAFI gauges only. */
  readonly afi: number | undefined;
  readonly safi: number | undefined;
  /** The raw Stat Data (a view). */
  readonly raw: Uint8Array;
}

export interface BmpStatisticsReport {
  readonly header: BmpPerPeerHeader;
  readonly stats: readonly BmpStat[];
  readonly unknownStats: number;
  readonly tlvs: readonly BmpTlv[];
}

const SHAPE_LENGTH: Readonly<Record<BmpStatShape, number>> = { counter32: 4, gauge64: 8, afiSafiGauge64: 11 };

export function decodeStatisticsReport(r: BinaryReader, header: BmpPerPeerHeader, version: number): BmpStatisticsReport {
  const count = r.u32('bmp.stats.count');
  const stats: BmpStat[] = [];
  let unknownStats = 0;
  for (let i = 0; i < count; i++) {
    const type = r.u16('bmp.stats.type');
    const lengthOffset = r.offset;
    const length = r.u16('bmp.stats.length');
    const raw = r.bytes(length, 'bmp.stats.data');
    const shape = bmpStatShape(type);
    if (shape === undefined) {
      unknownStats++;
      stats.push({ type, name: bmpStatName(type), shape, value: undefined, afi: undefined, safi: undefined, raw });
      continue;
    }
    if (length !== SHAPE_LENGTH[shape]) {
      throw new ParseError({
        kind: 'malformed',
        field: 'bmp.stats.length',
        offset: lengthOffset,
        reason: `statistic ${bmpStatName(type)} (${type}) has length ${length}, expected ${SHAPE_LENGTH[shape]}`,
      });
    }
    let value: number;
    let afi: number | undefined;
    let safi: number | undefined;
    if (shape === 'counter32') {
      value = u32(raw, 0);
    } else if (shape === 'gauge64') {
      value = u32(raw, 0) * 4294967296 + u32(raw, 4);
    } else {
      afi = (raw[0]! << 8) | raw[1]!;
      safi = raw[2]!;
      value = u32(raw, 3) * 4294967296 + u32(raw, 7);
    }
    stats.push({ type, name: bmpStatName(type), shape, value, afi, safi, raw });
  }
  let tlvs: BmpTlv[] = [];
  if (version >= BMP_VERSION_4) tlvs = decodeTlvs(r, 'bmp.stats.tlv');
  else r.expectEnd('bmp.stats');
  return { header, stats, unknownStats, tlvs };
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
