/**
 * The BGP message header: RFC 4271 §4.1, with RFC 8654 §4 (extended
 * messages) raising the maximum length.
 *
 *   0   16 octets  Marker, all ones (RFC 4271 §4.1: "MUST be set to all ones")
 *  16   u16        Length of the whole message, header included:
 *                  19 <= Length <= 4096, or <= 65535 with extended messages
 *  18   u8         Type: 1 OPEN, 2 UPDATE, 3 NOTIFICATION, 4 KEEPALIVE,
 *                  5 ROUTE-REFRESH (RFC 2918)
 *  19   Length-19 octets  body
 *
 * §6.1: a marker not all ones is a Connection Not Synchronized error; a
 * length below 19 or above the maximum is Bad Message Length. Both are
 * `malformed` here. readBgpMessage does not check the per-type minimum
 * lengths (OPEN 29, UPDATE 23, KEEPALIVE exactly 19, NOTIFICATION 21):
 * the body decoders do, in terms of their own fields.
 */
import { ParseError } from '../wire/parse-error.js';

export const BgpMessageType = { open: 1, update: 2, notification: 3, keepalive: 4, routeRefresh: 5 } as const;

/** Header length: marker, length, type. */
export const BGP_HEADER_LENGTH = 19;

/** RFC 4271 §4.2-4.5, RFC 2918 §3: the smallest message of each type (KEEPALIVE: exactly). */
const MIN_LENGTH: Readonly<Record<number, number>> = { 1: 29, 2: 23, 3: 21, 4: 19, 5: 23 };
/** RFC 4271 §4.1 maximum message size. */
export const BGP_MAX_MESSAGE_LENGTH = 4096;
/** RFC 8654 §3 maximum with the extended message capability. */
export const BGP_MAX_EXTENDED_MESSAGE_LENGTH = 65535;

const TYPE_NAMES: readonly string[] = ['0', 'open', 'update', 'notification', 'keepalive', 'routeRefresh'];

/** Name of a message type for logs: "update", or the number. */
export function bgpMessageTypeName(type: number): string {
  return TYPE_NAMES[type] ?? String(type);
}

export interface BgpMessage {
  readonly type: number;
  /** Length of the whole message, header included. */
  readonly length: number;
  /** View of the body, after the 19-byte header. */
  readonly body: Uint8Array;
}

/**
 * One whole message at the start of `bytes` (bytes past `length` are left
 * alone, so a caller can walk a stream by `length`). Marker checked, length
 * within 19..maxLength (default 4096) and within `bytes`. `streamOffset` is
 * the offset of `bytes[0]` in the larger stream, for error offsets.
 */
export function readBgpMessage(bytes: Uint8Array, options?: { maxLength?: number; streamOffset?: number }): BgpMessage {
  const base = options?.streamOffset ?? 0;
  const maxLength = options?.maxLength ?? BGP_MAX_MESSAGE_LENGTH;
  if (bytes.length < BGP_HEADER_LENGTH) {
    throw new ParseError({ kind: 'truncated', field: 'bgp.header', offset: base, required: BGP_HEADER_LENGTH, remaining: bytes.length });
  }
  for (let i = 0; i < 16; i++) {
    if (bytes[i] !== 0xff) {
      throw new ParseError({ kind: 'malformed', field: 'bgp.header.marker', offset: base + i, reason: 'marker is not all ones (connection not synchronized)' });
    }
  }
  const length = (bytes[16]! << 8) | bytes[17]!;
  if (length < BGP_HEADER_LENGTH || length > maxLength) {
    throw new ParseError({ kind: 'malformed', field: 'bgp.header.length', offset: base + 16, reason: `length ${length} outside ${BGP_HEADER_LENGTH}..${maxLength}` });
  }
  if (length > bytes.length) {
    throw new ParseError({ kind: 'truncated', field: 'bgp.body', offset: base + BGP_HEADER_LENGTH, required: length - BGP_HEADER_LENGTH, remaining: bytes.length - BGP_HEADER_LENGTH });
  }
  return { type: bytes[18]!, length, body: bytes.subarray(BGP_HEADER_LENGTH, length) };
}

/** A whole message: marker, length and type before `body`. Throws RangeError past 65,535 octets. */
export function encodeBgpMessage(type: number, body: Uint8Array): Uint8Array {
  const length = BGP_HEADER_LENGTH + body.length;
  if (length > BGP_MAX_EXTENDED_MESSAGE_LENGTH) throw new RangeError(`BGP message of ${length} octets exceeds 65535`);
  const out = new Uint8Array(length);
  out.fill(0xff, 0, 16);
  out[16] = length >>> 8;
  out[17] = length & 0xff;
  out[18] = type;
  out.set(body, BGP_HEADER_LENGTH);
  return out;
}
