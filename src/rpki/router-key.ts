/**
 * BGPsec router keys (RFC 8635, RFC 8210 §5.10): kept so they can be counted,
 * filtered by SLURM and served, not used for validation.
 */
import type { Asn } from '../net/asn.js';

export interface RouterKey {
  readonly asn: Asn;
  /** Subject Key Identifier, 20 bytes, as lower-case hex. */
  readonly ski: string;
  /** SubjectPublicKeyInfo, base64 as exported. */
  readonly publicKey: string;
  readonly ta: string;
}

export function makeRouterKey(asn: Asn, skiHex: string, publicKey: string, ta = ''): RouterKey {
  return Object.freeze({ asn, ski: skiHex.toLowerCase(), publicKey, ta });
}

export function sameRouterKey(a: RouterKey, b: RouterKey): boolean {
  return a.asn === b.asn && a.ski === b.ski && a.publicKey === b.publicKey;
}
