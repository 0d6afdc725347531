/**
 * ORIGIN, type code 1 (RFC 4271 §4.3 b, §5.1.1): well-known mandatory.
 *
 *   value = origin:u8    ; 0 IGP, 1 EGP, 2 INCOMPLETE
 *
 * RFC 7606 §7.1: an undefined value or a length other than 1 is malformed;
 * treat-as-withdraw.
 */
import type { Origin } from '../attributes.js';
import { Malformed, malformed } from './malformed.js';

const ORIGINS: readonly Origin[] = ['igp', 'egp', 'incomplete'];
export const ORIGIN_CODE = { igp: 0, egp: 1, incomplete: 2 } as const satisfies Record<Origin, number>;

export function decodeOrigin(buf: Uint8Array, start: number, length: number): Origin | Malformed {
  if (length !== 1) return malformed(`length ${length}, must be 1`);
  const origin = ORIGINS[buf[start]!];
  return origin ?? malformed(`undefined value ${buf[start]!}`);
}
