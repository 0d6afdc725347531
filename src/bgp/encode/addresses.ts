/** Text addresses to wire words for the encoders; bad text is a RangeError (a caller's bug). */
import { Prefix } from '../../net/prefix.js';

/** The 32-bit value of an IPv4 address, or RangeError. */
export function ipv4Word(text: string, field: string): number {
  const p = text.includes(':') ? undefined : Prefix.tryParse(`${text}/32`);
  if (p === undefined || typeof p === 'string') throw new RangeError(`${field}: ${JSON.stringify(text)} is not an IPv4 address`);
  return p.w0;
}

/** True if `text` is an IPv6 address (has a colon). */
export function isIpv6Text(text: string): boolean {
  return text.includes(':');
}

/** The four words of an IPv6 address, or RangeError. */
export function ipv6Words(text: string, field: string): Prefix {
  const p = isIpv6Text(text) ? Prefix.tryParse(`${text}/128`) : undefined;
  if (p === undefined || typeof p === 'string') throw new RangeError(`${field}: ${JSON.stringify(text)} is not an IPv6 address`);
  return p;
}
