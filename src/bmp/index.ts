/**
 * The BMP station and codec (RFC 7854, RFC 8671, RFC 9069,
 * draft-ietf-grow-bmp-tlv): the names other folders import.
 *
 *   framer.ts         the byte stream cut into messages (size cap, sticky errors)
 *   message.ts        one message decoded into a discriminated union
 *   per-peer-header.ts, initiation.ts, termination.ts, peer-up.ts,
 *   peer-down.ts, statistics.ts, route-monitoring.ts, route-mirroring.ts,
 *   tlv.ts, bgp-pdu.ts  one file per part of the wire format
 *   router-session.ts one router's session without the socket: peer table,
 *                     capabilities, UPDATE decoding, counters, backpressure
 *   peer-states.ts    the peers of a session and their capabilities (Peer Up/Down)
 *   decoder-thread.ts, decoder-worker.ts, batch-decoder.ts
 *                     the optional decoder thread of a session (`offThread`)
 *   route-batch.ts    what that thread hands back: Route Monitoring as words
 *   station.ts        the TCP listener: allow list, one session per router
 *   events.ts         what the station tells its consumer
 */
export * from './constants.js';
export type * from './events.js';
export { type BmpFrame, BmpFramer, type BmpFramerOptions, BMP_DEFAULT_MAX_MESSAGE_BYTES } from './framer.js';
export { type BmpMessage, decodeBmpMessage } from './message.js';
export type { BmpInitiation } from './initiation.js';
export type { BmpTermination } from './termination.js';
export { type BmpPeerUp, peerCapabilities } from './peer-up.js';
export type { BgpNotification, BmpPeerDown } from './peer-down.js';
export type { BmpStat, BmpStatisticsReport } from './statistics.js';
export type { BmpRouteMonitoring } from './route-monitoring.js';
export type { BmpRouteMirroring } from './route-mirroring.js';
export type { BmpTlv } from './tlv.js';
export { type BmpPeer, type BmpPerPeerHeader, type BmpRib, PeerHeaderCache, decodePerPeerHeader, formatDistinguisher } from './per-peer-header.js';
export { BmpRouterSession, type BmpRouterSessionOptions } from './router-session.js';
export { type BmpBatchMessage, BmpRouteBatch, BmpRouteBatchCursor } from './route-batch.js';
export { BmpStation, type BmpStationOptions, type BmpRouterStatus, normaliseAddress } from './station.js';
