/**
 * The attributes whose value is one 32-bit number:
 *
 * - MULTI_EXIT_DISC, type code 4 (RFC 4271 §5.1.4), optional non-transitive;
 * - LOCAL_PREF, type code 5 (RFC 4271 §5.1.5), well-known;
 * - ORIGINATOR_ID, type code 9 (RFC 4456 §8), optional non-transitive;
 * - OTC (Only to Customer), type code 35 (RFC 9234 §5), optional transitive.
 *
 *   value = u32
 *
 * A length other than 4 is malformed; treat-as-withdraw (RFC 7606 §7.4 MED,
 * §7.5 LOCAL_PREF, §7.9 ORIGINATOR_ID; RFC 9234 §5 OTC). RFC 7606 §7.5 would
 * discard a LOCAL_PREF from an external neighbour instead; whether the peer
 * is internal is not known to the decoder, so the stronger action is taken.
 */
import { Malformed, malformed, u32At } from './malformed.js';

export function decodeU32Attribute(buf: Uint8Array, start: number, length: number): number | Malformed {
  if (length !== 4) return malformed(`length ${length}, must be 4`);
  return u32At(buf, start);
}
