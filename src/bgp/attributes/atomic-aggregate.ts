/**
 * ATOMIC_AGGREGATE, type code 6 (RFC 4271 §5.1.6): well-known discretionary,
 * no value.
 *
 * RFC 7606 §7.6: a length other than 0 is malformed; attribute discard.
 */
import { Malformed, malformed } from './malformed.js';

export function decodeAtomicAggregate(length: number): true | Malformed {
  return length === 0 ? true : malformed(`length ${length}, must be 0`);
}
