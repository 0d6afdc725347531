/**
 * An AWS Direct Connect virtual interface as rovd watches it.
 *
 * A VIF is one VLAN on a Direct Connect connection (or LAG) carrying eBGP
 * between the customer's router and Amazon: a private VIF reaches a VPC
 * (through a virtual private or Direct Connect gateway), a transit VIF a
 * transit gateway, a public VIF Amazon's public prefixes. Each address
 * family is its own BGP session on the VIF (Amazon peers from a
 * 169.254.0.0/16 or customer IPv4 address and from an IPv6 address), so a
 * VIF has one or more peers. The expected prefixes are what the customer
 * means to see (or send) on it, and the prefix limit the number of routes
 * Amazon accepts per session before it takes the session down: 100 on
 * private and transit VIFs, 1,000 on public ones (Direct Connect quotas).
 */
import type { Asn } from '../net/asn.js';
import type { Prefix } from '../net/prefix.js';

export const VIF_TYPES = ['private', 'public', 'transit'] as const;
export type VifType = (typeof VIF_TYPES)[number];

export interface VifPeer {
  /** The BGP neighbour address as the router (and BMP's per-peer header) knows it. */
  readonly address: string;
  readonly asn: Asn;
}

export interface ExpectedPrefix {
  readonly prefix: Prefix;
  /** The origin the customer means; undefined: any. */
  readonly origin: Asn | undefined;
  /** More-specifics up to this length are expected too (default: the prefix's own length). */
  readonly maxLength: number;
}

export interface Vif {
  readonly id: string;
  readonly name: string | undefined;
  readonly type: VifType;
  readonly region: string | undefined;
  readonly connection: string | undefined;
  /**
   * The BMP router's address (the source address of its BMP session);
   * undefined for a VIF watched through Direct Connect's API alone.
   */
  readonly router: string | undefined;
  readonly peers: readonly VifPeer[];
  readonly addressFamilies: readonly ('ipv4' | 'ipv6')[];
  readonly expected: readonly ExpectedPrefix[];
  /**
   * What Amazon may announce on a private or transit VIF: the VPC CIDRs
   * behind the gateway, or the ranges the transit gateway's Direct Connect
   * gateway advertises. Empty: not checked.
   */
  readonly awsPrefixes: readonly Prefix[];
  /** Routes the customer may advertise per BGP session (Direct Connect's quota; past it AWS idles the session). */
  readonly prefixLimit: number;
  /** Routes AWS advertises per session that the customer side accepts (200 per transit gateway on a transit VIF); undefined: no limit. */
  readonly receivedLimit: number | undefined;
}
