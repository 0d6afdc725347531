/**
 * Serial Notify (type 0) and Serial Query (type 1): RFC 6810 §5.2-5.3,
 * RFC 8210 §5.2-5.3, draft-ietf-sidrops-8210bis-27 §5.2-5.3. Same layout in
 * every version:
 *
 *   0  u8  Version | 1 u8 Type (0 or 1) | 2 u16 Session ID
 *   4  u32 Length = 12
 *   8  u32 Serial Number
 */
import type { BinaryReader } from '../../wire/reader.js';
import type { SerialNotifyPdu, SerialQueryPdu } from '../pdu.js';
import { pduWriter } from '../pdu-writer.js';
import type { DecodeContext } from './context.js';

export function decodeSerial(r: BinaryReader, ctx: DecodeContext): SerialNotifyPdu | SerialQueryPdu {
  const { version, type, session } = ctx.header;
  if (type === 0) {
    return { type: 0, version, sessionId: session, serial: r.u32('rtr.serialNotify.serial') };
  }
  return { type: 1, version, sessionId: session, serial: r.u32('rtr.serialQuery.serial') };
}

export function encodeSerial(pdu: SerialNotifyPdu | SerialQueryPdu): Buffer {
  const name = pdu.type === 0 ? 'rtr.serialNotify' : 'rtr.serialQuery';
  return pduWriter(pdu.version, pdu.type, pdu.sessionId, 12).u32(pdu.serial, `${name}.serial`).finish();
}
