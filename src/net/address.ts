/**
 * IP addresses as text, in one canonical form so that two spellings of one
 * address compare equal: dotted quad for IPv4, RFC 5952 §4 for IPv6, and an
 * IPv4-mapped IPv6 address (::ffff:192.0.2.1, RFC 4291 §2.5.5.2) as the
 * IPv4 address it maps, since a router may report an IPv4 BGP peer either
 * way.
 */
import { Prefix } from './prefix.js';

/** The canonical text of an address, or undefined when `text` is not one. */
export function canonicalAddress(text: string): string | undefined {
  const host = text.includes(':') ? Prefix.tryParse(`${text}/128`) : Prefix.tryParse(`${text}/32`);
  if (typeof host === 'string') return undefined;
  if (host.afi === 6 && host.w0 === 0 && host.w1 === 0 && host.w2 === 0xffff) {
    return Prefix.fromWords(4, 32, host.w3).addressText();
  }
  return host.addressText();
}

/** Is `address` (any spelling) inside `prefix`? */
export function addressIn(address: string, prefix: Prefix): boolean {
  const canonical = canonicalAddress(address);
  if (canonical === undefined) return false;
  const host = Prefix.parse(`${canonical}/${canonical.includes(':') ? 128 : 32}`);
  return prefix.covers(host);
}
