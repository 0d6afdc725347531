/**
 * AGGREGATOR, type code 7 (RFC 4271 §5.1.7; 4-octet form RFC 6793 §3) and
 * AS4_AGGREGATOR, type code 18 (RFC 6793 §3): optional transitive.
 *
 *   value = asn:(u16 | u32) address:4 octets   ; u32 on a 4-octet session and in AS4_AGGREGATOR
 *
 * Malformed: a length other than 6 (2-octet session) or 8 (4-octet session,
 * AS4_AGGREGATOR), or AS 0 (RFC 7607 §2); attribute discard (RFC 7606 §7.7,
 * RFC 6793 §6).
 */
import type { Asn } from '../../net/asn.js';
import { formatV4 } from '../../net/prefix.js';
import type { Aggregator } from '../attributes.js';
import { Malformed, malformed, u16At, u32At } from './malformed.js';

export function decodeAggregator(buf: Uint8Array, start: number, length: number, asnBytes: 2 | 4): Aggregator | Malformed {
  if (length !== asnBytes + 4) return malformed(`length ${length}, must be ${asnBytes + 4}`);
  const asn = asnBytes === 4 ? u32At(buf, start) : u16At(buf, start);
  if (asn === 0) return malformed('AS 0 (RFC 7607)');
  return { asn: asn as Asn, address: formatV4(u32At(buf, start + asnBytes)) };
}
