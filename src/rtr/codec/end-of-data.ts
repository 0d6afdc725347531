/**
 * End of Data (type 7). Version 0, RFC 6810 §5.8:
 *
 *   0  u8  Version 0 | 1 u8 Type 7 | 2 u16 Session ID
 *   4  u32 Length = 12
 *   8  u32 Serial Number
 *
 * Versions 1 and 2, RFC 8210 §5.8, draft-ietf-sidrops-8210bis-27 §5.7 ("The
 * Version 2 End of Data PDU is the same as that of Version 1"):
 *
 *   0  u8  Version | 1 u8 Type 7 | 2 u16 Session ID
 *   4  u32 Length = 24
 *   8  u32 Serial Number
 *  12  u32 Refresh Interval (seconds)
 *  16  u32 Retry Interval
 *  20  u32 Expire Interval
 *
 * The timers are carried as sent; their §6 ranges (RTR_INTERVAL_LIMITS) are
 * the session's to enforce.
 */
import type { BinaryReader } from '../../wire/reader.js';
import type { EndOfDataPdu } from '../pdu.js';
import { pduWriter } from '../pdu-writer.js';
import type { DecodeContext } from './context.js';

export function decodeEndOfData(r: BinaryReader, ctx: DecodeContext): EndOfDataPdu {
  const { version, session } = ctx.header;
  const serial = r.u32('rtr.endOfData.serial');
  if (version === 0) return { type: 7, version, sessionId: session, serial };
  return {
    type: 7,
    version,
    sessionId: session,
    serial,
    refreshInterval: r.u32('rtr.endOfData.refreshInterval'),
    retryInterval: r.u32('rtr.endOfData.retryInterval'),
    expireInterval: r.u32('rtr.endOfData.expireInterval'),
  };
}

export function encodeEndOfData(pdu: EndOfDataPdu): Buffer {
  if (pdu.version === 0) {
    return pduWriter(0, 7, pdu.sessionId, 12).u32(pdu.serial, 'rtr.endOfData.serial').finish();
  }
  return pduWriter(pdu.version, 7, pdu.sessionId, 24)
    .u32(pdu.serial, 'rtr.endOfData.serial')
    .u32(pdu.refreshInterval, 'rtr.endOfData.refreshInterval')
    .u32(pdu.retryInterval, 'rtr.endOfData.retryInterval')
    .u32(pdu.expireInterval, 'rtr.endOfData.expireInterval')
    .finish();
}
