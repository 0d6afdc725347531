/**
 * A whole BGP message (RFC 4271 §4.1: 16-octet marker, u16 length, u8 type,
 * body) carried inside a BMP message: the OPENs of Peer Up, the
 * NOTIFICATION of Peer Down, the UPDATE of Route Monitoring. The BGP header
 * says how long the message is; it is read through the BMP message's own
 * reader, so a BGP length past the end of the BMP message is `truncated`
 * (from readBgpMessage, with its field and absolute offset), never a read
 * into the next message.
 */
import { BGP_HEADER_LENGTH, BGP_MAX_EXTENDED_MESSAGE_LENGTH, type BgpMessage, readBgpMessage } from '../bgp/message.js';
import type { BinaryReader } from '../wire/reader.js';
import { ParseError } from '../wire/parse-error.js';

export interface EmbeddedBgpMessage extends BgpMessage {
  /** Absolute stream offset of the BGP header. */
  readonly offset: number;
}

/**
 * Reads one BGP message of type `expectedType` at the reader. Lengths up to
 * 65,535 are accepted (RFC 8654 extended messages; the BMP framing bounds
 * the rest).
 */
export function readEmbeddedBgpMessage(r: BinaryReader, field: string, expectedType: number, typeName: string): EmbeddedBgpMessage {
  const start = r.offset;
  const head = r.bytes(BGP_HEADER_LENGTH, field);
  const length = (head[16]! << 8) | head[17]!;
  const bodyLength = length > BGP_HEADER_LENGTH ? Math.min(length - BGP_HEADER_LENGTH, r.remaining) : 0;
  const body = r.bytes(bodyLength, field);
  // head and body are adjacent views of one buffer.
  const whole = new Uint8Array(head.buffer, head.byteOffset, BGP_HEADER_LENGTH + body.length);
  const msg = readBgpMessage(whole, { maxLength: BGP_MAX_EXTENDED_MESSAGE_LENGTH, streamOffset: start });
  if (msg.type !== expectedType) {
    throw new ParseError({
      kind: 'malformed',
      field: `${field}.type`,
      offset: start + 18,
      reason: `BGP message type ${msg.type}, expected ${typeName} (${expectedType})`,
    });
  }
  return { type: msg.type, length: msg.length, body: msg.body, offset: start };
}

/** True if the 16 bytes at `at` are the BGP marker (all ones). */
export function startsWithBgpMarker(b: Uint8Array, at: number): boolean {
  if (b.length - at < 16) return false;
  for (let i = 0; i < 16; i++) if (b[at + i] !== 0xff) return false;
  return true;
}
