/**
 * A fixed-size big-endian writer for encoding RTR PDUs (RFC 8210 §5: all
 * integers in network byte order). The PDU length is computed first, the
 * buffer allocated once, and `finish()` checks every byte was written, so an
 * encoder that disagrees with its own length field fails loudly.
 *
 * Values out of range are programming errors here (the PDU object was built
 * wrong), so they raise RangeError naming the field, not ParseError.
 */
import { RTR_MAX_PDU_LENGTH } from './pdu-header.js';

export class PduWriter {
  private readonly buf: Buffer;
  private pos = 0;

  constructor(length: number) {
    this.buf = Buffer.alloc(length);
  }

  u8(value: number, field: string): this {
    checkUint(value, 0xff, field);
    this.buf[this.pos++] = value;
    return this;
  }

  u16(value: number, field: string): this {
    checkUint(value, 0xffff, field);
    this.buf.writeUInt16BE(value, this.pos);
    this.pos += 2;
    return this;
  }

  u32(value: number, field: string): this {
    checkUint(value, 0xffffffff, field);
    this.buf.writeUInt32BE(value, this.pos);
    this.pos += 4;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  /** The encoded PDU; throws if fewer bytes were written than allocated. */
  finish(): Buffer {
    if (this.pos !== this.buf.length) {
      throw new RangeError(`RTR encoder wrote ${this.pos} of ${this.buf.length} bytes`);
    }
    return this.buf;
  }
}

export function checkUint(value: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${field}: ${String(value)} is not an integer from 0 to ${max}`);
  }
}

/**
 * A writer with the 8-byte header already written. Refuses PDUs over the
 * 65,535-byte cap (8210bis §5.1): we never send what we would not accept.
 */
export function pduWriter(version: number, type: number, session: number, length: number): PduWriter {
  if (length > RTR_MAX_PDU_LENGTH) {
    throw new RangeError(`RTR PDU of ${length} bytes exceeds the ${RTR_MAX_PDU_LENGTH}-byte cap`);
  }
  return new PduWriter(length)
    .u8(version, 'rtr.header.version')
    .u8(type, 'rtr.header.type')
    .u16(session, 'rtr.header.session')
    .u32(length, 'rtr.header.length');
}
