/**
 * Text forms of BGPsec router key fields (RFC 8635; RFC 8416 §3.3.2, §3.4.2).
 *
 * The Subject Key Identifier is the 20-octet SHA-1 of the key (RFC 6487
 * §4.8.2); exporters write it as hex (Routinator `SKI`, rpki-client `ski`)
 * and SLURM as unpadded base64url. The public key is a DER
 * SubjectPublicKeyInfo; rpki-client writes padded standard base64,
 * Routinator and SLURM unpadded base64url.
 *
 * Internally a SKI is lower-case hex (as RouterKey documents) and a public
 * key is unpadded base64url, the RFC 8416 form: one canonical spelling, so
 * the same key from rpki-client, Routinator and a SLURM file compares equal.
 */

export const SKI_BYTES = 20;

/** Why a text field was refused; returned instead of thrown on hot paths. */
export class Invalid {
  constructor(readonly reason: string) {}
}

const HEX_SKI = /^[0-9A-Fa-f]{40}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64_ANY = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** A SKI written as 40 hex digits, as lower-case hex; or why not. */
export function skiFromHex(text: string): string | Invalid {
  if (!HEX_SKI.test(text)) return new Invalid(`must be ${SKI_BYTES * 2} hex digits`);
  return text.toLowerCase();
}

/**
 * Strict RFC 4648 §5 base64url without '=' (what RFC 8416 asks for): the
 * decoded bytes, or why not. Non-canonical text (stray trailing
 * bits) is refused too, so one value has exactly one spelling.
 */
export function decodeBase64Url(text: string): Buffer | Invalid {
  if (text.includes('=')) return new Invalid('must be base64url without "=" padding (RFC 4648 §5)');
  if (!BASE64URL.test(text)) return new Invalid('must be base64url (RFC 4648 §5: A-Z a-z 0-9 - _)');
  if (text.length % 4 === 1) return new Invalid('is not valid base64url (bad length)');
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) return new Invalid('is not canonical base64url (stray trailing bits)');
  return bytes;
}

/**
 * Base64 as exporters write it: standard or URL alphabet, padded or not.
 * Canonical only, for the same reason as above.
 */
export function decodeBase64Lenient(text: string): Buffer | Invalid {
  if (!BASE64_ANY.test(text)) return new Invalid('is not base64');
  const unpadded = text.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return new Invalid('is not base64 (bad length)');
  if (text.length !== unpadded.length && text.length % 4 !== 0) return new Invalid('is not base64 (bad padding)');
  const url = unpadded.replace(/\+/g, '-').replace(/\//g, '_');
  const bytes = Buffer.from(url, 'base64url');
  if (bytes.toString('base64url') !== url) return new Invalid('is not canonical base64 (stray trailing bits)');
  return bytes;
}

/** The canonical public key text (unpadded base64url) for exported base64. */
export function normalisePublicKey(text: string): string | Invalid {
  const bytes = decodeBase64Lenient(text);
  if (bytes instanceof Invalid) return bytes;
  if (bytes.length === 0) return new Invalid('is empty');
  return bytes.toString('base64url');
}
