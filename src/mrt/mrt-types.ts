/**
 * MRT type and subtype codes (RFC 6396 §4, RFC 8050 §4, IANA "Multi-Threaded
 * Routing Toolkit (MRT)" registry), with name lookups for logs and counters.
 *
 * Only the types rovd decodes get named subtype tables; every other
 * type/subtype is skipped and counted by the decoder under its number.
 */

/** RFC 6396 §4 MRT types (the deprecated ones of Appendix B only where they appear in archives). */
export const MrtType = {
  /** Appendix B.2: the pre-BGP4MP record of 1999-2000 RIS archives (not decoded). */
  bgpLegacy: 5,
  ospfV2: 11,
  tableDump: 12,
  tableDumpV2: 13,
  bgp4mp: 16,
  bgp4mpEt: 17,
  isis: 32,
  isisEt: 33,
  ospfV3: 48,
  ospfV3Et: 49,
} as const;

/** RFC 6396 §4.2: TABLE_DUMP subtypes are the AFI of the entry. */
export const TableDumpSubtype = { afiIpv4: 1, afiIpv6: 2 } as const;

/** RFC 6396 §4.3 and RFC 8050 §4.1 (the ADD-PATH variants 8-12). */
export const TableDumpV2Subtype = {
  peerIndexTable: 1,
  ribIpv4Unicast: 2,
  ribIpv4Multicast: 3,
  ribIpv6Unicast: 4,
  ribIpv6Multicast: 5,
  ribGeneric: 6,
  geoPeerTable: 7,
  ribIpv4UnicastAddPath: 8,
  ribIpv4MulticastAddPath: 9,
  ribIpv6UnicastAddPath: 10,
  ribIpv6MulticastAddPath: 11,
  ribGenericAddPath: 12,
} as const;

/** RFC 6396 §4.4 and RFC 8050 §4.2 (ADD-PATH variants 8-11). Subtypes 2 and 3 (ENTRY, SNAPSHOT) were never standardised. */
export const Bgp4mpSubtype = {
  stateChange: 0,
  message: 1,
  entry: 2,
  snapshot: 3,
  messageAs4: 4,
  stateChangeAs4: 5,
  messageLocal: 6,
  messageAs4Local: 7,
  messageAddPath: 8,
  messageAs4AddPath: 9,
  messageLocalAddPath: 10,
  messageAs4LocalAddPath: 11,
} as const;

const TYPE_NAMES: Readonly<Record<number, string>> = {
  5: 'BGP',
  11: 'OSPFv2',
  12: 'TABLE_DUMP',
  13: 'TABLE_DUMP_V2',
  16: 'BGP4MP',
  17: 'BGP4MP_ET',
  32: 'ISIS',
  33: 'ISIS_ET',
  48: 'OSPFv3',
  49: 'OSPFv3_ET',
};

const TABLE_DUMP_NAMES: readonly string[] = ['0', 'AFI_IPv4', 'AFI_IPv6'];

const TABLE_DUMP_V2_NAMES: readonly string[] = [
  '0',
  'PEER_INDEX_TABLE',
  'RIB_IPV4_UNICAST',
  'RIB_IPV4_MULTICAST',
  'RIB_IPV6_UNICAST',
  'RIB_IPV6_MULTICAST',
  'RIB_GENERIC',
  'GEO_PEER_TABLE',
  'RIB_IPV4_UNICAST_ADDPATH',
  'RIB_IPV4_MULTICAST_ADDPATH',
  'RIB_IPV6_UNICAST_ADDPATH',
  'RIB_IPV6_MULTICAST_ADDPATH',
  'RIB_GENERIC_ADDPATH',
];

const BGP4MP_NAMES: readonly string[] = [
  'STATE_CHANGE',
  'MESSAGE',
  'ENTRY',
  'SNAPSHOT',
  'MESSAGE_AS4',
  'STATE_CHANGE_AS4',
  'MESSAGE_LOCAL',
  'MESSAGE_AS4_LOCAL',
  'MESSAGE_ADDPATH',
  'MESSAGE_AS4_ADDPATH',
  'MESSAGE_LOCAL_ADDPATH',
  'MESSAGE_AS4_LOCAL_ADDPATH',
];

/** `TABLE_DUMP_V2`, or the number for a type without a name. */
export function mrtTypeName(type: number): string {
  return TYPE_NAMES[type] ?? String(type);
}

/** `TABLE_DUMP_V2/RIB_IPV4_UNICAST`, `BGP4MP_ET/MESSAGE_AS4`, or numbers where unnamed (`99/3`). */
export function mrtRecordName(type: number, subtype: number): string {
  const table =
    type === MrtType.tableDump
      ? TABLE_DUMP_NAMES
      : type === MrtType.tableDumpV2
        ? TABLE_DUMP_V2_NAMES
        : type === MrtType.bgp4mp || type === MrtType.bgp4mpEt
          ? BGP4MP_NAMES
          : undefined;
  return `${mrtTypeName(type)}/${table?.[subtype] ?? String(subtype)}`;
}

/** RFC 6396 §3: types whose header carries the 4-octet Microsecond Timestamp. */
export function hasExtendedTimestamp(type: number): boolean {
  return type === MrtType.bgp4mpEt || type === MrtType.isisEt || type === MrtType.ospfV3Et;
}

/** RFC 4271 §8.2.2 finite state machine states, as BGP4MP STATE_CHANGE records number them (RFC 6396 §4.4.1). */
export const BgpFsmState = {
  idle: 1,
  connect: 2,
  active: 3,
  openSent: 4,
  openConfirm: 5,
  established: 6,
} as const;

const FSM_NAMES: readonly string[] = ['0', 'Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];

/** `Established`, or the number (Quagga writes 7 "Clearing" and 8 "Deleted", which no RFC names). */
export function bgpFsmStateName(state: number): string {
  return FSM_NAMES[state] ?? String(state);
}
