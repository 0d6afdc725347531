/**
 * Path attribute type codes and flags (RFC 4271 §4.3, IANA "BGP Path
 * Attributes"), the flags each known attribute must carry, and what RFC 7606
 * does when one is malformed.
 *
 *   attribute = flags:u8 type:u8 length:(u8 | u16 if flags & 0x10) value:length
 *   flags     = O(0x80 optional) T(0x40 transitive) P(0x20 partial) E(0x10 extended length)
 */
import type { Rfc7606Action } from '../update.js';

export const AttrType = {
  origin: 1,
  asPath: 2,
  nextHop: 3,
  med: 4,
  localPref: 5,
  atomicAggregate: 6,
  aggregator: 7,
  communities: 8,
  originatorId: 9,
  clusterList: 10,
  mpReach: 14,
  mpUnreach: 15,
  extendedCommunities: 16,
  as4Path: 17,
  as4Aggregator: 18,
  ipv6ExtendedCommunities: 25,
  largeCommunities: 32,
  bgpsecPath: 33,
  otc: 35,
} as const;

export const AttrFlag = { optional: 0x80, transitive: 0x40, partial: 0x20, extendedLength: 0x10 } as const;

const NAMES: Readonly<Record<number, string>> = {
  1: 'ORIGIN',
  2: 'AS_PATH',
  3: 'NEXT_HOP',
  4: 'MULTI_EXIT_DISC',
  5: 'LOCAL_PREF',
  6: 'ATOMIC_AGGREGATE',
  7: 'AGGREGATOR',
  8: 'COMMUNITIES',
  9: 'ORIGINATOR_ID',
  10: 'CLUSTER_LIST',
  14: 'MP_REACH_NLRI',
  15: 'MP_UNREACH_NLRI',
  16: 'EXTENDED_COMMUNITIES',
  17: 'AS4_PATH',
  18: 'AS4_AGGREGATOR',
  25: 'IPV6_EXTENDED_COMMUNITIES',
  32: 'LARGE_COMMUNITY',
  33: 'BGPsec_PATH',
  35: 'OTC',
};

/** "AS_PATH", or "attribute 99" for a code we do not name. */
export function attributeName(typeCode: number): string {
  return NAMES[typeCode] ?? `attribute ${typeCode}`;
}

const O = AttrFlag.optional;
const T = AttrFlag.transitive;

/**
 * The Optional and Transitive bits each known attribute must carry
 * (RFC 4271 §5 and each attribute's RFC); -1 for codes we do not check.
 * RFC 7606 §3 (c): a conflict makes the attribute malformed.
 */
export const EXPECTED_FLAGS: Int16Array = (() => {
  const t = new Int16Array(256).fill(-1);
  t[1] = T; // well-known mandatory
  t[2] = T;
  t[3] = T;
  t[4] = O; // optional non-transitive
  t[5] = T; // well-known
  t[6] = T;
  t[7] = O | T; // optional transitive
  t[8] = O | T; // RFC 1997
  t[9] = O; // RFC 4456
  t[10] = O;
  t[14] = O; // RFC 4760
  t[15] = O;
  t[16] = O | T; // RFC 4360
  t[17] = O | T; // RFC 6793
  t[18] = O | T;
  t[25] = O | T; // RFC 5701
  t[32] = O | T; // RFC 8092
  t[33] = O; // RFC 8205 §3
  t[35] = O | T; // RFC 9234
  return t;
})();

/**
 * RFC 7606 action for a malformed attribute of each known type (RFC 7606 §7,
 * RFC 6793 §6, RFC 8092 §6, RFC 9234 §5); types not listed keep
 * treat-as-withdraw, the RFC 7606 §3 default for a flags conflict.
 */
export function malformedAction(typeCode: number): Rfc7606Action {
  switch (typeCode) {
    case AttrType.atomicAggregate: // RFC 7606 §7.6
    case AttrType.aggregator: // RFC 7606 §7.7
    case AttrType.as4Path: // RFC 6793 §6
    case AttrType.as4Aggregator: // RFC 6793 §6
      return 'attribute-discard';
    case AttrType.mpReach: // RFC 7606 §7.11, §5.3
    case AttrType.mpUnreach: // RFC 7606 §7.12, §5.3
      return 'session-reset';
    default:
      return 'treat-as-withdraw';
  }
}
