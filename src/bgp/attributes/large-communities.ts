/**
 * LARGE_COMMUNITY, type code 32 (RFC 8092 §3): optional transitive.
 *
 *   value = 1*(global:u32 local1:u32 local2:u32)
 *
 * RFC 8092 §6: a length that is not a non-zero multiple of 12 is malformed;
 * treat-as-withdraw. Text form "global:local1:local2" (RFC 8092 §4 notation).
 */
import { Malformed, malformed, u32At } from './malformed.js';

export function decodeLargeCommunities(buf: Uint8Array, start: number, length: number): string[] | Malformed {
  if (length === 0 || length % 12 !== 0) return malformed(`length ${length}, must be a non-zero multiple of 12`);
  const n = length / 12;
  const out = new Array<string>(n);
  for (let i = 0, p = start; i < n; i++, p += 12) {
    out[i] = `${u32At(buf, p)}:${u32At(buf, p + 4)}:${u32At(buf, p + 8)}`;
  }
  return out;
}
