/**
 * BMP information TLVs: RFC 7854 §4.4 (Initiation, Peer Up "Information"),
 * §4.5 (Termination), §4.7 (Route Mirroring), RFC 9069 §4.4 (Peer Down
 * reason 6), and the TLVs of BMP version 4 (draft-ietf-grow-bmp-tlv):
 *
 *   0  u16  Type
 *   2  u16  Length        of the Value only
 *  (4  u16  Index)        version 4 Route Monitoring TLVs only (draft -05 on):
 *                         which NLRI of the UPDATE the TLV is about
 *   4  Length octets  Value
 *
 * A TLV's value is a zero-copy view, read through `sub()`, so a Length past
 * the end of the message is a `truncated` error naming the TLV, never a
 * read of the next field. Strings (RFC 7854 §4.4: "free-form UTF-8") are
 * decoded without throwing on bad sequences (U+FFFD).
 */
import type { BinaryReader } from '../wire/reader.js';

export interface BmpTlv {
  readonly type: number;
  /** The draft-ietf-grow-bmp-tlv index (version 4 Route Monitoring); undefined elsewhere. */
  readonly index: number | undefined;
  readonly value: Uint8Array;
  /** Absolute stream offset of the TLV's Type field. */
  readonly offset: number;
}

/** Reads TLVs until the reader's end. */
export function decodeTlvs(r: BinaryReader, field: string, withIndex = false): BmpTlv[] {
  const tlvs: BmpTlv[] = [];
  while (!r.atEnd) tlvs.push(decodeTlv(r, field, withIndex));
  return tlvs;
}

export function decodeTlv(r: BinaryReader, field: string, withIndex = false): BmpTlv {
  const offset = r.offset;
  const type = r.u16(`${field}.type`);
  const length = r.u16(`${field}.length`);
  const index = withIndex ? r.u16(`${field}.index`) : undefined;
  const value = r.bytes(length, `${field}.value`);
  return { type, index, value, offset };
}

const UTF8 = new TextDecoder('utf-8', { fatal: false });

/** An information string as text. */
export function tlvText(value: Uint8Array): string {
  return UTF8.decode(value);
}
