/**
 * The BMP per-peer header: RFC 7854 §4.2, RFC 8671 §4 (O flag), RFC 9069
 * §4.1-4.2 (Loc-RIB instance peer, F flag). 42 octets, in every message
 * about a peer (Route Monitoring, Statistics, Peer Down, Peer Up, Route
 * Mirroring):
 *
 *   0  u8   Peer Type          0 global, 1 RD instance, 2 local instance, 3 Loc-RIB
 *   1  u8   Peer Flags         types 0-2: V 0x80 (IPv6), L 0x40 (post-policy),
 *                              A 0x20 (2-octet AS_PATH), O 0x10 (Adj-RIB-Out);
 *                              type 3: F 0x80 (filtered Loc-RIB)
 *   2  8    Peer Distinguisher RD (RFC 4364 §4.2) for types 1 and 3, locally
 *                              defined for type 2, zero for type 0
 *  10  16   Peer Address       IPv4 in the last 4 octets unless V; zero for Loc-RIB
 *  26  u32  Peer AS
 *  30  u32  Peer BGP ID
 *  34  u32  Timestamp (seconds)   0 when not available
 *  38  u32  Timestamp (microseconds)
 *
 * Peer types above 3 have no defined layout beyond this header; they are
 * read with the same fields and reported by number. Reserved flag bits are
 * kept in `flags` and not interpreted.
 *
 * The peer's identity (type, distinguisher, address, AS, BGP ID) is a
 * small frozen {@link BmpPeer}. A Route Monitoring stream is long runs of
 * messages about the same peer, so {@link PeerHeaderCache} keeps the last
 * identity and its raw bytes: a header whose identity bytes are unchanged
 * reuses the object instead of formatting its addresses again.
 */
import type { Asn } from '../net/asn.js';
import { formatV4, formatV6 } from '../net/prefix.js';
import type { BinaryReader } from '../wire/reader.js';
import { BmpLocRibFlag, BmpPeerFlag, BmpPeerType } from './constants.js';

/** Which RIB a Route Monitoring message describes (from peer type and the L/O flags). */
export type BmpRib = 'adj-rib-in-pre' | 'adj-rib-in-post' | 'adj-rib-out-pre' | 'adj-rib-out-post' | 'loc-rib';

/** The identity of a monitored peer, as the router describes it. */
export interface BmpPeer {
  /** `${type}|${distinguisher}|${address}`: one BGP session of the router (the peer table key). */
  readonly key: string;
  readonly type: number;
  /** RFC 4364 §4.2 text ("0:64499:94", "1:192.0.2.1:7", "2:4200000000:5"), "0:0:0" when zero, else hex. */
  readonly distinguisher: string;
  /** Text form; "0.0.0.0" for a Loc-RIB instance. */
  readonly address: string;
  readonly asn: Asn;
  readonly bgpId: string;
}

export interface BmpPerPeerHeader {
  readonly peer: BmpPeer;
  /** The raw flags octet. */
  readonly flags: number;
  readonly rib: BmpRib;
  /** V (types 0-2). */
  readonly ipv6: boolean;
  /** L (types 0-2). */
  readonly postPolicy: boolean;
  /** A (types 0-2): the encapsulated UPDATEs use 2-octet AS numbers. */
  readonly legacyAs2: boolean;
  /** O (types 0-2, RFC 8671). */
  readonly adjRibOut: boolean;
  /** F (type 3, RFC 9069). */
  readonly filtered: boolean;
  readonly timestampSeconds: number;
  readonly timestampMicros: number;
}

/** Bytes of the header that make the identity: type, distinguisher, address, AS, BGP ID (flags apart). */
const IDENTITY_END = 34;

/** Remembers the last peer identity seen on a stream (one per router session). */
export class PeerHeaderCache {
  readonly raw = new Uint8Array(IDENTITY_END);
  ipv6 = false;
  peer: BmpPeer | undefined;
}

/** Reads the 42-byte per-peer header. */
export function decodePerPeerHeader(r: BinaryReader, cache?: PeerHeaderCache): BmpPerPeerHeader {
  const raw = r.bytes(42, 'bmp.peer');
  const type = raw[0]!;
  const flags = raw[1]!;
  const locRib = type === BmpPeerType.locRib;
  const ipv6 = !locRib && (flags & BmpPeerFlag.ipv6) !== 0;
  let peer: BmpPeer | undefined;
  if (cache?.peer && cache.ipv6 === ipv6 && sameIdentity(cache.raw, raw)) {
    peer = cache.peer;
  } else {
    peer = makePeer(raw, type, ipv6 || (locRib && !isV4Mapped(raw, 10)));
    if (cache) {
      cache.raw.set(raw.subarray(0, IDENTITY_END));
      cache.ipv6 = ipv6;
      cache.peer = peer;
    }
  }
  const postPolicy = !locRib && (flags & BmpPeerFlag.postPolicy) !== 0;
  const adjRibOut = !locRib && (flags & BmpPeerFlag.adjRibOut) !== 0;
  const rib: BmpRib = locRib
    ? 'loc-rib'
    : adjRibOut
      ? postPolicy
        ? 'adj-rib-out-post'
        : 'adj-rib-out-pre'
      : postPolicy
        ? 'adj-rib-in-post'
        : 'adj-rib-in-pre';
  return {
    peer,
    flags,
    rib,
    ipv6,
    postPolicy,
    legacyAs2: !locRib && (flags & BmpPeerFlag.legacyAs2) !== 0,
    adjRibOut,
    filtered: locRib && (flags & BmpLocRibFlag.filtered) !== 0,
    timestampSeconds: u32(raw, 34),
    timestampMicros: u32(raw, 38),
  };
}

function sameIdentity(a: Uint8Array, b: Uint8Array): boolean {
  if (a[0] !== b[0]) return false;
  for (let i = 2; i < IDENTITY_END; i++) if (a[i] !== b[i]) return false;
  return true;
}

function makePeer(raw: Uint8Array, type: number, ipv6: boolean): BmpPeer {
  const distinguisher = formatDistinguisher(raw.subarray(2, 10));
  const address = formatAddress(raw, 10, ipv6);
  return Object.freeze({
    key: `${type}|${distinguisher}|${address}`,
    type,
    distinguisher,
    address,
    asn: u32(raw, 26) as Asn,
    bgpId: formatV4(u32(raw, 30)),
  });
}

/** True when the 16 bytes at `at` hold an IPv4 address (the first 12 are zero). */
export function isV4Mapped(b: Uint8Array, at: number): boolean {
  for (let i = 0; i < 12; i++) if (b[at + i] !== 0) return false;
  return true;
}

/** A 16-byte BMP address field as text: IPv6, or IPv4 from its last 4 octets. */
export function formatAddress(b: Uint8Array, at: number, ipv6: boolean): string {
  if (!ipv6) return formatV4(u32(b, at + 12));
  return formatV6(u32(b, at), u32(b, at + 4), u32(b, at + 8), u32(b, at + 12));
}

/** RFC 4364 §4.2 route distinguisher text, "0:0:0" for all zeros, hex for unknown types. */
export function formatDistinguisher(rd: Uint8Array): string {
  const type = (rd[0]! << 8) | rd[1]!;
  switch (type) {
    case 0:
      return `0:${(rd[2]! << 8) | rd[3]!}:${u32(rd, 4)}`;
    case 1:
      return `1:${formatV4(u32(rd, 2))}:${(rd[6]! << 8) | rd[7]!}`;
    case 2:
      return `2:${u32(rd, 2)}:${(rd[6]! << 8) | rd[7]!}`;
    default:
      return `0x${Buffer.from(rd.buffer, rd.byteOffset, rd.length).toString('hex')}`;
  }
}

export function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
