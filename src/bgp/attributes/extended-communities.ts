/**
 * EXTENDED_COMMUNITIES, type code 16 (RFC 4360 §2), and IPv6 Address
 * Specific Extended Communities, type code 25 (RFC 5701 §2): optional
 * transitive.
 *
 *   value(16) = 1*community:8 octets    ; type:u8 [subtype:u8] value
 *   value(25) = 1*community:20 octets   ; type, subtype, IPv6 address, local:u16
 *
 * A length that is not a non-zero multiple of 8 (20) is malformed;
 * treat-as-withdraw (RFC 7606 §7.14, §7.15). Values are kept raw, as views.
 */
import { Malformed, malformed } from './malformed.js';

export function decodeExtendedCommunities(buf: Uint8Array, start: number, length: number): Uint8Array[] | Malformed {
  if (length === 0 || length % 8 !== 0) return malformed(`length ${length}, must be a non-zero multiple of 8`);
  const n = length >> 3;
  const out = new Array<Uint8Array>(n);
  for (let i = 0; i < n; i++) out[i] = buf.subarray(start + 8 * i, start + 8 * i + 8);
  return out;
}

/** Length check only: type 25 values stay raw in otherAttributes. */
export function checkIpv6ExtendedCommunities(length: number): Malformed | undefined {
  return length === 0 || length % 20 !== 0 ? malformed(`length ${length}, must be a non-zero multiple of 20`) : undefined;
}
