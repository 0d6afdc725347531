/**
 * The PDUs that are a bare header: Reset Query (type 2), Cache Response
 * (type 3) and Cache Reset (type 8). RFC 6810 §5.4, 5.5, 5.9; RFC 8210 §5.4,
 * 5.5, 5.9; draft-ietf-sidrops-8210bis-27 §5.4-5.6:
 *
 *   0  u8  Version | 1 u8 Type | 2 u16 zero (Reset Query, Cache Reset)
 *                                     or Session ID (Cache Response)
 *   4  u32 Length = 8
 *
 * The zero fields are ignored on receipt and written as zero (8210bis §5).
 */
import type { CacheResetPdu, CacheResponsePdu, ResetQueryPdu } from '../pdu.js';
import { pduWriter } from '../pdu-writer.js';
import type { DecodeContext } from './context.js';

export type HeaderOnlyPdu = ResetQueryPdu | CacheResponsePdu | CacheResetPdu;

export function decodeHeaderOnly(ctx: DecodeContext): HeaderOnlyPdu {
  const { version, type, session } = ctx.header;
  if (type === 3) return { type: 3, version, sessionId: session };
  return type === 2 ? { type: 2, version } : { type: 8, version };
}

export function encodeHeaderOnly(pdu: HeaderOnlyPdu): Buffer {
  const session = pdu.type === 3 ? pdu.sessionId : 0;
  return pduWriter(pdu.version, pdu.type, session, 8).finish();
}
