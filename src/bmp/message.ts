/**
 * One framed BMP message (see framer.ts) decoded into a discriminated
 * union: RFC 7854 §4 (message types 0-6), RFC 8671, RFC 9069,
 * draft-ietf-grow-bmp-tlv (version 4).
 *
 *   common header (6): version u8, length u32, type u8   (checked by the framer)
 *   per-peer header (42)                                  types 0, 1, 2, 3, 6
 *   body, by type                                         one file per type
 *
 * Every read goes through one BinaryReader over the frame, with absolute
 * stream offsets, so a ParseError names the field and where it is in the
 * stream. Unknown message types are returned as `unknown` (skipped and
 * counted by the station), never an error: the framing is intact.
 *
 * Route Monitoring is only framed here: its UPDATE is decoded by the
 * station with the capabilities of the peer's session (Peer Up).
 */
import { BinaryReader } from '../wire/reader.js';
import { ParseError } from '../wire/parse-error.js';
import { BMP_COMMON_HEADER_LENGTH, BmpMessageType } from './constants.js';
import type { BmpFrame } from './framer.js';
import { type BmpInitiation, decodeInitiation } from './initiation.js';
import { type BmpPeerDown, decodePeerDown } from './peer-down.js';
import { type BmpPeerUp, decodePeerUp } from './peer-up.js';
import { type PeerHeaderCache, decodePerPeerHeader } from './per-peer-header.js';
import { type BmpRouteMirroring, decodeRouteMirroring } from './route-mirroring.js';
import { type BmpRouteMonitoring, decodeRouteMonitoring } from './route-monitoring.js';
import { type BmpStatisticsReport, decodeStatisticsReport } from './statistics.js';
import { type BmpTermination, decodeTermination } from './termination.js';

interface Common {
  readonly version: number;
  /** Absolute stream offset of the message. */
  readonly offset: number;
}

export type BmpMessage =
  | (Common & { readonly type: 'route-monitoring'; readonly message: BmpRouteMonitoring })
  | (Common & { readonly type: 'statistics-report'; readonly message: BmpStatisticsReport })
  | (Common & { readonly type: 'peer-down'; readonly message: BmpPeerDown })
  | (Common & { readonly type: 'peer-up'; readonly message: BmpPeerUp })
  | (Common & { readonly type: 'initiation'; readonly message: BmpInitiation })
  | (Common & { readonly type: 'termination'; readonly message: BmpTermination })
  | (Common & { readonly type: 'route-mirroring'; readonly message: BmpRouteMirroring })
  | (Common & { readonly type: 'unknown'; readonly code: number });

/**
 * Decodes one whole message (header included, as the framer emits it).
 * Throws ParseError on malformed content; the caller drops that message
 * and keeps the stream.
 */
export function decodeBmpMessage(frame: BmpFrame, cache?: PeerHeaderCache): BmpMessage {
  const { bytes, offset, version } = frame;
  if (bytes.length < BMP_COMMON_HEADER_LENGTH) {
    throw new ParseError({ kind: 'truncated', field: 'bmp.header', offset, required: BMP_COMMON_HEADER_LENGTH, remaining: bytes.length });
  }
  const r = BinaryReader.of(bytes, offset);
  r.skip(BMP_COMMON_HEADER_LENGTH, 'bmp.header');
  const code = bytes[5]!;
  switch (code) {
    case BmpMessageType.initiation:
      return { type: 'initiation', version, offset, message: decodeInitiation(r) };
    case BmpMessageType.termination:
      return { type: 'termination', version, offset, message: decodeTermination(r) };
    case BmpMessageType.routeMonitoring:
      return { type: 'route-monitoring', version, offset, message: decodeRouteMonitoring(r, decodePerPeerHeader(r, cache), version) };
    case BmpMessageType.statisticsReport:
      return { type: 'statistics-report', version, offset, message: decodeStatisticsReport(r, decodePerPeerHeader(r, cache), version) };
    case BmpMessageType.peerDown:
      return { type: 'peer-down', version, offset, message: decodePeerDown(r, decodePerPeerHeader(r, cache), version) };
    case BmpMessageType.peerUp:
      return { type: 'peer-up', version, offset, message: decodePeerUp(r, decodePerPeerHeader(r, cache)) };
    case BmpMessageType.routeMirroring:
      return { type: 'route-mirroring', version, offset, message: decodeRouteMirroring(r, decodePerPeerHeader(r, cache)) };
    default:
      return { type: 'unknown', version, offset, code };
  }
}
