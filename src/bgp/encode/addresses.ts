/** Text addresses to wire words for the encoders; bad text is a RangeError (a caller's bug). */
import { Prefix } from '../../net/prefix.js';

// One-entry memos: an encoder writes the same next hop again and again.
let lastV4Text = '';
let lastV4Word = 0;
let lastV6Text = '';
let lastV6: Prefix | undefined;

/** The 32-bit value of an IPv4 address, or RangeError. */
export function ipv4Word(text: string, field: string): number {
  if (text === lastV4Text) return lastV4Word;
  const p = text.includes(':') ? undefined : Prefix.tryParse(`${text}/32`);
  if (p === undefined || typeof p === 'string') throw new RangeError(`${field}: ${JSON.stringify(text)} is not an IPv4 address`);
  lastV4Text = text;
  lastV4Word = p.w0;
  return p.w0;
}

/** True if `text` is an IPv6 address (has a colon). */
export function isIpv6Text(text: string): boolean {
  return text.includes(':');
}

/** The four words of an IPv6 address, or RangeError. */
export function ipv6Words(text: string, field: string): Prefix {
  if (text === lastV6Text && lastV6 !== undefined) return lastV6;
  const p = isIpv6Text(text) ? Prefix.tryParse(`${text}/128`) : undefined;
  if (p === undefined || typeof p === 'string') throw new RangeError(`${field}: ${JSON.stringify(text)} is not an IPv6 address`);
  lastV6Text = text;
  lastV6 = p;
  return p;
}
