/**
 * RPKI-Router protocol PDUs as values: RFC 6810 (version 0), RFC 8210
 * (version 1) and draft-ietf-sidrops-8210bis-27 (version 2), §5 of each.
 *
 * Every PDU starts with the same 8-byte header (RFC 8210 §5.1):
 *
 *   0          8          16         24        31
 *   | Version  |   Type   |  Session ID / Error Code / Flags+zero / zero |
 *   |                 Length (whole PDU, header included)               |
 *
 * A {@link Pdu} is a discriminated union on `type`. Header fields appear only
 * where the PDU gives them a meaning (`sessionId`, `errorCode`); reserved
 * "zero" fields are not kept (they MUST be ignored on receipt, 8210bis §5).
 * Payload fields are domain values: {@link Prefix}, {@link Asn}, and
 * `announce` for the lowest bit of the Flags field (1 announce, 0 withdraw;
 * the other bits are reserved and dropped, 8210bis §5.1).
 *
 * Byte fields (Router Key SKI and SPKI, the Error Report's erroneous PDU)
 * are zero-copy views into the decoded input: copy or convert them before
 * keeping them beyond the current chunk if memory matters.
 */
import type { Asn } from '../net/asn.js';
import type { Prefix } from '../net/prefix.js';
import type { RtrErrorCode } from './pdu-error.js';

/** Protocol versions this codec speaks: 0 (RFC 6810), 1 (RFC 8210), 2 (8210bis). */
export type RtrVersion = 0 | 1 | 2;

export const RTR_VERSIONS: readonly RtrVersion[] = [0, 1, 2];

/** The highest version we implement: a router opens with it (8210bis §7). */
export const RTR_MAX_VERSION: RtrVersion = 2;

export function isRtrVersion(v: number): v is RtrVersion {
  return v === 0 || v === 1 || v === 2;
}

/** PDU type codes (IANA "rpki-rtr-pdu" registry, 8210bis §14). */
export const PduType = {
  SerialNotify: 0,
  SerialQuery: 1,
  ResetQuery: 2,
  CacheResponse: 3,
  Ipv4Prefix: 4,
  Ipv6Prefix: 6,
  EndOfData: 7,
  CacheReset: 8,
  RouterKey: 9,
  ErrorReport: 10,
  Aspa: 11,
} as const;

export type PduTypeCode = (typeof PduType)[keyof typeof PduType];

const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'Serial Notify',
  1: 'Serial Query',
  2: 'Reset Query',
  3: 'Cache Response',
  4: 'IPv4 Prefix',
  6: 'IPv6 Prefix',
  7: 'End of Data',
  8: 'Cache Reset',
  9: 'Router Key',
  10: 'Error Report',
  11: 'ASPA',
};

/** `IPv4 Prefix`, or `unknown PDU type 5` for logs. */
export function pduTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `unknown PDU type ${type}`;
}

export function isPduType(type: number): type is PduTypeCode {
  return TYPE_NAMES[type] !== undefined;
}

/**
 * The first version in which a type exists: Router Key is version 1 and up
 * (RFC 8210 §5.10; type 9 is "Reserved" in version 0), ASPA version 2 only
 * (8210bis §14: type 11 is "Reserved" in versions 0 and 1).
 */
export const PDU_MIN_VERSION: Readonly<Record<PduTypeCode, RtrVersion>> = {
  0: 0,
  1: 0,
  2: 0,
  3: 0,
  4: 0,
  6: 0,
  7: 0,
  8: 0,
  9: 1,
  10: 0,
  11: 2,
};

export function isTypeInVersion(type: PduTypeCode, version: RtrVersion): boolean {
  return version >= PDU_MIN_VERSION[type];
}

/** Cache → router: the cache has new data (§5.2). Length 12. */
export interface SerialNotifyPdu {
  readonly type: 0;
  readonly version: RtrVersion;
  readonly sessionId: number;
  readonly serial: number;
}

/** Router → cache: send changes since `serial` (§5.3). Length 12. */
export interface SerialQueryPdu {
  readonly type: 1;
  readonly version: RtrVersion;
  readonly sessionId: number;
  readonly serial: number;
}

/** Router → cache: send everything (§5.4). Length 8. */
export interface ResetQueryPdu {
  readonly type: 2;
  readonly version: RtrVersion;
}

/** Cache → router: payload PDUs follow (§5.5). Length 8. */
export interface CacheResponsePdu {
  readonly type: 3;
  readonly version: RtrVersion;
  readonly sessionId: number;
}

/** One VRP, announced or withdrawn (§5.6 / §5.9). Length 20. */
export interface Ipv4PrefixPdu {
  readonly type: 4;
  readonly version: RtrVersion;
  readonly announce: boolean;
  /** IPv4, host bits zero (checked when decoding). */
  readonly prefix: Prefix;
  /** prefix.length <= maxLength <= 32. */
  readonly maxLength: number;
  readonly asn: Asn;
}

/** One VRP, announced or withdrawn (§5.7 / §5.10). Length 32. */
export interface Ipv6PrefixPdu {
  readonly type: 6;
  readonly version: RtrVersion;
  readonly announce: boolean;
  /** IPv6, host bits zero (checked when decoding). */
  readonly prefix: Prefix;
  /** prefix.length <= maxLength <= 128. */
  readonly maxLength: number;
  readonly asn: Asn;
}

/** Version 0 End of Data: no timers (RFC 6810 §5.8). Length 12. */
export interface EndOfDataV0Pdu {
  readonly type: 7;
  readonly version: 0;
  readonly sessionId: number;
  readonly serial: number;
}

/** Version 1 and 2 End of Data with the cache's timers in seconds (RFC 8210 §5.8, §6). Length 24. */
export interface EndOfDataV1Pdu {
  readonly type: 7;
  readonly version: 1 | 2;
  readonly sessionId: number;
  readonly serial: number;
  readonly refreshInterval: number;
  readonly retryInterval: number;
  readonly expireInterval: number;
}

export type EndOfDataPdu = EndOfDataV0Pdu | EndOfDataV1Pdu;

/** Cache → router: no incremental update from that serial (§5.9 / 8210bis §5.6). Length 8. */
export interface CacheResetPdu {
  readonly type: 8;
  readonly version: RtrVersion;
}

/** A BGPsec router key (RFC 8210 §5.10 / 8210bis §5.11). Length 32 + SPKI. */
export interface RouterKeyPdu {
  readonly type: 9;
  readonly version: 1 | 2;
  readonly announce: boolean;
  /** Subject Key Identifier, exactly 20 bytes. */
  readonly ski: Uint8Array;
  readonly asn: Asn;
  /** DER subjectPublicKeyInfo: one SEQUENCE spanning the rest of the PDU. */
  readonly spki: Uint8Array;
}

/** Either side reports an error (RFC 8210 §5.11 / 8210bis §5.8). Length 16 + PDU + text. */
export interface ErrorReportPdu {
  readonly type: 10;
  readonly version: RtrVersion;
  /** A code defined for `version` (see {@link isErrorCodeInVersion}). */
  readonly errorCode: RtrErrorCode;
  /** Copy of (the start of) the offending PDU; empty for a generic error. */
  readonly erroneousPdu: Uint8Array;
  /** Diagnostic text, valid UTF-8 on the wire; '' when absent. */
  readonly text: string;
}

/** An ASPA record, announced/replaced or withdrawn (8210bis §5.12). Length 12 + 4 per provider. */
export interface AspaPdu {
  readonly type: 11;
  readonly version: 2;
  readonly announce: boolean;
  readonly customer: Asn;
  /**
   * Strictly increasing. An announcement has at least one provider, and AS 0
   * only as the sole provider; a withdrawal has none.
   */
  readonly providers: readonly Asn[];
}

export type Pdu =
  | SerialNotifyPdu
  | SerialQueryPdu
  | ResetQueryPdu
  | CacheResponsePdu
  | Ipv4PrefixPdu
  | Ipv6PrefixPdu
  | EndOfDataPdu
  | CacheResetPdu
  | RouterKeyPdu
  | ErrorReportPdu
  | AspaPdu;

/** The payload PDUs between Cache Response and End of Data (8210bis §2). */
export type PayloadPdu = Ipv4PrefixPdu | Ipv6PrefixPdu | RouterKeyPdu | AspaPdu;

export function isPayloadPdu(pdu: Pdu): pdu is PayloadPdu {
  return pdu.type === 4 || pdu.type === 6 || pdu.type === 9 || pdu.type === 11;
}

/**
 * Timer limits in seconds from RFC 8210 §6 (unchanged in 8210bis §6). The
 * codec carries whatever the cache sent; enforcing or clamping these is the
 * session's policy.
 */
export const RTR_INTERVAL_LIMITS = {
  refresh: { min: 1, max: 86400, default: 3600 },
  retry: { min: 1, max: 7200, default: 600 },
  expire: { min: 600, max: 172800, default: 7200 },
} as const;
