/**
 * COMMUNITIES, type code 8 (RFC 1997): optional transitive.
 *
 *   value = 1*community:u32      ; high 16 bits an ASN, low 16 bits a value
 *
 * RFC 7606 §7.8: a length that is not a non-zero multiple of 4 is malformed;
 * treat-as-withdraw.
 *
 * Well-known communities are named by communityName() in attributes.ts.
 */
import { Malformed, malformed, u32At } from './malformed.js';

export function decodeCommunities(buf: Uint8Array, start: number, length: number): number[] | Malformed {
  if (length === 0 || length % 4 !== 0) return malformed(`length ${length}, must be a non-zero multiple of 4`);
  const n = length >> 2;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = u32At(buf, start + 4 * i);
  return out;
}

/** Well-known communities (RFC 1997, 3765, 7611, 7999, 8326, 9494). */
export const WELL_KNOWN_COMMUNITIES: ReadonlyMap<number, string> = new Map([
  [0xffff0000, 'GRACEFUL_SHUTDOWN'], // RFC 8326
  [0xffff0001, 'ACCEPT_OWN'], // RFC 7611
  [0xffff0006, 'LLGR_STALE'], // RFC 9494
  [0xffff0007, 'NO_LLGR'], // RFC 9494
  [0xffff029a, 'BLACKHOLE'], // RFC 7999
  [0xffffff01, 'NO_EXPORT'], // RFC 1997
  [0xffffff02, 'NO_ADVERTISE'], // RFC 1997
  [0xffffff03, 'NO_EXPORT_SUBCONFED'], // RFC 1997
  [0xffffff04, 'NOPEER'], // RFC 3765
]);

const BY_NAME: ReadonlyMap<string, number> = new Map([...WELL_KNOWN_COMMUNITIES].map(([value, name]) => [name, value]));

/**
 * A community from its text: `asn:value` (RFC 1997, each 0–65535) or a
 * well-known name, however it is spelt (`NO_EXPORT`, `no-export`,
 * `noExport`, as feeds and APIs differ). Undefined when it is neither.
 */
export function parseCommunity(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(text);
  if (m !== null) return Number(m[1]) > 65535 || Number(m[2]) > 65535 ? undefined : ((Number(m[1]) << 16) | Number(m[2])) >>> 0;
  return BY_NAME.get(text.replace(/([a-z])([A-Z])/g, '$1_$2').replace(/-/g, '_').toUpperCase());
}
