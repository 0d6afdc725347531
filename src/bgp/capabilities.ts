/**
 * What decoding a BGP UPDATE needs to know about its session.
 *
 * An UPDATE cannot be read from its bytes alone: RFC 6793 §4 (4-octet AS)
 * changes the width of every ASN in AS_PATH and AGGREGATOR, RFC 7911 §3
 * (ADD-PATH) puts a 4-octet Path Identifier before every NLRI of the
 * AFI/SAFIs negotiated for it, and RFC 8654 §3 (extended messages) raises the
 * message size limit from 4,096 to 65,535 octets. All three are negotiated in
 * the OPEN messages (see open.ts `negotiate`), and a decoder on a live feed
 * must be told them, never guess them (STYLE.md: bgpkit-parser's ADD-PATH
 * guessing misreads a live feed).
 *
 * AFI/SAFI numbers are IANA's ("Address Family Numbers", "SAFI Values").
 */

/** IANA Address Family Identifiers used here (RFC 4760 §3). */
export const Afi = { ipv4: 1, ipv6: 2 } as const;

/** IANA Subsequent Address Family Identifiers used here (RFC 4760 §6, RFC 4364). */
export const Safi = { unicast: 1, multicast: 2, mplsVpn: 128 } as const;

export interface AfiSafi {
  readonly afi: number;
  readonly safi: number;
}

/** What decoding an UPDATE needs to know about the session it came from (never guessed on a live feed). */
export interface SessionCapabilities {
  /** RFC 6793: AS_PATH/AGGREGATOR carry 4-octet ASNs. */
  readonly asn4: boolean;
  /** RFC 7911: `${afi}/${safi}` keys whose NLRI carry a 4-octet Path Identifier. */
  readonly addPath: ReadonlySet<string>;
  /** RFC 8654: messages up to 65,535 octets instead of 4,096. */
  readonly extendedMessage: boolean;
}

/** The key of an AFI/SAFI in SessionCapabilities.addPath: `${afi}/${safi}`. */
export function addPathKey(afi: number, safi: number): string {
  return `${afi}/${safi}`;
}

/** Builds a frozen SessionCapabilities. */
export function capabilities(options: {
  asn4: boolean;
  addPath?: Iterable<AfiSafi>;
  extendedMessage?: boolean;
}): SessionCapabilities {
  const addPath = new Set<string>();
  if (options.addPath) for (const { afi, safi } of options.addPath) addPath.add(addPathKey(afi, safi));
  return Object.freeze({ asn4: options.asn4, addPath: addPath as ReadonlySet<string>, extendedMessage: options.extendedMessage ?? false });
}

/** The largest message the session allows: 65,535 with RFC 8654 extended messages, else 4,096 (RFC 4271 §4.1); for readBgpMessage's maxLength. */
export function maxMessageLength(caps: SessionCapabilities): number {
  return caps.extendedMessage ? 65535 : 4096;
}

/** Name of an AFI for logs: "ipv4", "ipv6", or the number. */
export function afiName(afi: number): string {
  return afi === Afi.ipv4 ? 'ipv4' : afi === Afi.ipv6 ? 'ipv6' : String(afi);
}

/** Name of a SAFI for logs: "unicast", "multicast", "mplsVpn", or the number. */
export function safiName(safi: number): string {
  return safi === Safi.unicast ? 'unicast' : safi === Safi.multicast ? 'multicast' : safi === Safi.mplsVpn ? 'mplsVpn' : String(safi);
}
