/**
 * NEXT_HOP, type code 3 (RFC 4271 §4.3 c, §5.1.3): well-known, mandatory when
 * the UPDATE carries IPv4 NLRI in its NLRI field (RFC 4760 §3 makes it
 * otherwise optional).
 *
 *   value = address:4 octets
 *
 * RFC 7606 §7.3: a length other than 4 is malformed; treat-as-withdraw. (The
 * semantic checks of RFC 4271 §6.3 need the receiving router's addresses,
 * which a monitoring station does not have.)
 */
import { formatV4 } from '../../net/prefix.js';
import { Malformed, malformed, u32At } from './malformed.js';

export function decodeNextHop(buf: Uint8Array, start: number, length: number): string | Malformed {
  if (length !== 4) return malformed(`length ${length}, must be 4`);
  return ipv4Text(u32At(buf, start));
}

// The text of the last address formatted: a session's UPDATEs nearly all
// carry the same next hop, so one entry saves a string per UPDATE.
let lastV4 = -1;
let lastV4Text = '';

/** formatV4 with a one-entry memo. */
export function ipv4Text(word: number): string {
  if (word !== lastV4) {
    lastV4 = word;
    lastV4Text = formatV4(word);
  }
  return lastV4Text;
}
