/**
 * BMP code points: RFC 7854 §10 (the IANA "BGP Monitoring Protocol (BMP)
 * Parameters" registries), with RFC 8671 (Adj-RIB-Out: the O flag,
 * statistics 14-17), RFC 9069 (Loc-RIB: peer type 3, the F flag, Peer Down
 * reason 6, the VRF/Table Name TLV) and draft-ietf-grow-bmp-tlv (BMP
 * version 4). `as const` objects with name lookups for logs (STYLE.md).
 */

/** Versions this station reads: 3 (RFC 7854) and 4 (draft-ietf-grow-bmp-tlv). */
export const BMP_VERSION_3 = 3;
export const BMP_VERSION_4 = 4;

/** RFC 7854 §4.1: version (1), message length (4), message type (1). */
export const BMP_COMMON_HEADER_LENGTH = 6;
/** RFC 7854 §4.2: the per-peer header. */
export const BMP_PER_PEER_HEADER_LENGTH = 42;

/** RFC 7854 §4.1, §10.1. */
export const BmpMessageType = {
  routeMonitoring: 0,
  statisticsReport: 1,
  peerDown: 2,
  peerUp: 3,
  initiation: 4,
  termination: 5,
  routeMirroring: 6,
} as const;
export type BmpMessageTypeCode = (typeof BmpMessageType)[keyof typeof BmpMessageType];

const MESSAGE_TYPE_NAMES: readonly string[] = [
  'route-monitoring',
  'statistics-report',
  'peer-down',
  'peer-up',
  'initiation',
  'termination',
  'route-mirroring',
];
export function bmpMessageTypeName(type: number): string {
  return MESSAGE_TYPE_NAMES[type] ?? `type-${type}`;
}

/** RFC 7854 §4.2 and §10.2, RFC 9069 §4.1. */
export const BmpPeerType = { global: 0, rdInstance: 1, localInstance: 2, locRib: 3 } as const;
const PEER_TYPE_NAMES: readonly string[] = ['global', 'rd-instance', 'local-instance', 'loc-rib'];
export function bmpPeerTypeName(type: number): string {
  return PEER_TYPE_NAMES[type] ?? `peer-type-${type}`;
}

/** RFC 7854 §4.2 (V, L, A), RFC 8671 §4 (O): flags of peer types 0-2. */
export const BmpPeerFlag = {
  /** V: the peer address is IPv6. */
  ipv6: 0x80,
  /** L: post-policy (else pre-policy). */
  postPolicy: 0x40,
  /** A: the AS_PATH in the encapsulated UPDATEs has 2-octet ASNs (legacy). */
  legacyAs2: 0x20,
  /** O: Adj-RIB-Out (else Adj-RIB-In). */
  adjRibOut: 0x10,
} as const;

/** RFC 9069 §4.2: the flags of a Loc-RIB instance peer (type 3). */
export const BmpLocRibFlag = {
  /** F: the Loc-RIB is filtered (not every route is sent). */
  filtered: 0x80,
} as const;

/** RFC 7854 §4.3, §4.4 and §10.5: Initiation information TLVs. */
export const BmpInitiationTlv = { string: 0, sysDescr: 1, sysName: 2 } as const;

/** RFC 7854 §4.5 and §10.6-10.7: Termination TLVs and reason codes. */
export const BmpTerminationTlv = { string: 0, reason: 1 } as const;
export const BmpTerminationReason = {
  administrativelyClosed: 0,
  unspecified: 1,
  outOfResources: 2,
  redundantConnection: 3,
  permanentlyAdministrativelyClosed: 4,
} as const;
const TERMINATION_REASON_NAMES: readonly string[] = [
  'administratively-closed',
  'unspecified',
  'out-of-resources',
  'redundant-connection',
  'permanently-administratively-closed',
];
export function bmpTerminationReasonName(code: number): string {
  return TERMINATION_REASON_NAMES[code] ?? `reason-${code}`;
}

/** RFC 7854 §4.10, RFC 9069 §4.3 (VRF/Table Name), the IANA registry (Admin Label): Peer Up TLVs. */
export const BmpPeerUpTlv = { string: 0, sysDescr: 1, sysName: 2, vrfTableName: 3, adminLabel: 4 } as const;

/** RFC 7854 §4.9 and §10.8, RFC 9069 §4.4 (reason 6). */
export const BmpPeerDownReason = {
  /** Local system closed the session; a NOTIFICATION PDU follows. */
  localNotification: 1,
  /** Local system closed the session without NOTIFICATION; a 2-octet FSM event code follows. */
  localNoNotification: 2,
  /** Remote system closed the session with a NOTIFICATION PDU, which follows. */
  remoteNotification: 3,
  /** Remote system closed the session without NOTIFICATION; no data. */
  remoteNoNotification: 4,
  /** Peer de-configured: its information will no longer be sent; no data. */
  peerDeconfigured: 5,
  /** RFC 9069 §4.4: local system closed (Loc-RIB instance down); TLV data follows. */
  localTlv: 6,
} as const;
const PEER_DOWN_REASON_NAMES: readonly string[] = [
  'reserved',
  'local-notification',
  'local-no-notification',
  'remote-notification',
  'remote-no-notification',
  'peer-deconfigured',
  'local-tlv',
];
export function bmpPeerDownReasonName(code: number): string {
  return PEER_DOWN_REASON_NAMES[code] ?? `reason-${code}`;
}

/** RFC 7854 §4.8 and §10.4, RFC 8671 §5 (14-17): statistics types. */
export const BmpStatType = {
  rejectedPrefixes: 0,
  duplicatePrefixes: 1,
  duplicateWithdraws: 2,
  clusterListLoop: 3,
  asPathLoop: 4,
  originatorIdLoop: 5,
  asConfedLoop: 6,
  adjRibInRoutes: 7,
  locRibRoutes: 8,
  adjRibInRoutesPerAfiSafi: 9,
  locRibRoutesPerAfiSafi: 10,
  treatAsWithdrawUpdates: 11,
  treatAsWithdrawPrefixes: 12,
  duplicateUpdates: 13,
  adjRibOutPreRoutes: 14,
  adjRibOutPostRoutes: 15,
  adjRibOutPreRoutesPerAfiSafi: 16,
  adjRibOutPostRoutesPerAfiSafi: 17,
} as const;
const STAT_NAMES: readonly string[] = Object.keys(BmpStatType);
export function bmpStatName(type: number): string {
  return STAT_NAMES[type] ?? `stat-${type}`;
}

/**
 * The shape of each known statistic's value (RFC 7854 §4.8: "32-bit
 * Counter" and "64-bit Gauge"; the per-AFI/SAFI gauges are AFI (2), SAFI
 * (1), gauge (8)). Types not listed keep their raw bytes.
 */
export type BmpStatShape = 'counter32' | 'gauge64' | 'afiSafiGauge64';
export function bmpStatShape(type: number): BmpStatShape | undefined {
  if (type <= 6 || (type >= 11 && type <= 13)) return 'counter32';
  if (type === 7 || type === 8 || type === 14 || type === 15) return 'gauge64';
  if (type === 9 || type === 10 || type === 16 || type === 17) return 'afiSafiGauge64';
  return undefined;
}

/** RFC 7854 §4.7 and §10.9-10.10: Route Mirroring TLVs and information codes. */
export const BmpMirroringTlv = { bgpMessage: 0, information: 1 } as const;
export const BmpMirroringInformation = { erroredPdu: 0, messagesLost: 1 } as const;
