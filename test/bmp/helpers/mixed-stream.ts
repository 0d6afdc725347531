/**
 * One BMP stream with a bit of everything the decoder thread must treat
 * exactly as the in-thread session does: Initiation, Route Monitoring
 * before Peer Up (fallback capabilities, the A flag), Peer Up with ADD-PATH
 * for IPv4 and IPv6, IPv4 and MP (IPv6) NLRI with path ids, a prefix
 * withdrawn and announced in one UPDATE (RFC 4271 §4.3), post-policy
 * routes without NEXT_HOP (kept: nextHopOptional) and pre-policy ones
 * (RFC 7606 treat-as-withdraw), a broken UPDATE (dropped), version 4 TLVs,
 * Statistics, End-of-RIB for both families, Peer Down, Termination and a
 * message after it.
 */
import { AsPath } from '../../../src/bgp/as-path.js';
import { capabilities } from '../../../src/bgp/capabilities.js';
import { encodeUpdateBody } from '../../../src/bgp/update.js';
import type { Nlri } from '../../../src/bgp/update.js';
import { Prefix } from '../../../src/net/prefix.js';
import { BGP_UPDATE, attr, bgp, bmp, cat, nlri4, openBody, peerUpBody, perPeer, tlv, tlvIndexed, u16, u32, u8 } from './build.js';

export const PEER = { address: '192.0.2.1', asn: 64501, bgpId: '192.0.2.1' };
export const PEER2 = { address: '198.51.100.7', asn: 64502, bgpId: '198.51.100.7' };
const ADD_PATH = [
  { afi: 1, safi: 1, sendReceive: 3 },
  { afi: 2, safi: 1, sendReceive: 3 },
];
const MP = [
  { afi: 1, safi: 1 },
  { afi: 2, safi: 1 },
];
const CAPS = capabilities({ asn4: true, addPath: ADD_PATH, extendedMessage: false });
const n = (p: string, pathId = 0): Nlri => ({ prefix: Prefix.parse(p), pathId });
const A = (path: string, extra: Record<string, unknown> = {}) => ({ origin: 'igp' as const, asPath: AsPath.parse(path), nextHop: '192.0.2.254', ...extra });
const A6 = (path: string) => ({ origin: 'igp' as const, asPath: AsPath.parse(path), nextHop: '2001:db8::fe', linkLocalNextHop: 'fe80::1' });

const POST = 0x40;
const LEGACY_AS2 = 0x20;

function rm(peer: typeof PEER, body: Uint8Array, flags = 0): Buffer {
  return bmp(0, cat(perPeer({ ...peer, flags }), bgp(BGP_UPDATE, body)));
}

/** ORIGIN and AS_PATH but no NEXT_HOP, with IPv4 NLRI. */
function withoutNextHop(prefix: string): Buffer {
  const attrs = cat(attr(0x40, 1, u8(0)), attr(0x40, 2, cat(u8(2), u8(1), u32(64501))));
  return cat(u16(0), u16(attrs.length), attrs, nlri4(prefix));
}

/** The stream, as separate messages (concatenate them to send). */
export function mixedStream(): Buffer[] {
  const init = bmp(4, cat(tlv(1, 'test router'), tlv(2, 'r1')));
  // Before Peer Up, 2-octet AS numbers (A flag): decoded with the fallback.
  const as2 = cat(attr(0x40, 1, u8(0)), attr(0x40, 2, cat(u8(2), u8(2), u16(64502), u16(64496))), attr(0x40, 3, Buffer.from([192, 0, 2, 9])));
  const early = bmp(0, cat(perPeer({ ...PEER2, flags: LEGACY_AS2 }), bgp(BGP_UPDATE, cat(u16(0), u16(as2.length), as2, nlri4('203.0.113.0/24')))));
  const peerUp = bmp(3, cat(perPeer(PEER), peerUpBody(openBody({ asn: 65000, addPath: ADD_PATH, multiprotocol: MP }), openBody({ asn: 64501, addPath: ADD_PATH, multiprotocol: MP }))));
  const v4 = rm(PEER, encodeUpdateBody({ announced: [n('192.0.2.0/24', 1), n('192.0.2.0/24', 2), n('198.51.100.0/24', 1), n('10.0.0.0/8', 9)], attributes: A('64501 64496', { communities: [65000], med: 7 }) }, CAPS));
  const v6 = rm(PEER, encodeUpdateBody({ announced: [n('2001:db8::/32', 1), n('2001:db8:1::/48', 4)], attributes: A6('64501 64497') }, CAPS));
  const both = rm(PEER, encodeUpdateBody({ withdrawn: [n('192.0.2.0/24', 1), n('198.51.100.0/24', 1)], announced: [n('192.0.2.0/24', 1)], attributes: A('64501 64498', { largeCommunities: ['64501:1:2'] }) }, CAPS));
  const withdraw6 = rm(PEER, encodeUpdateBody({ withdrawn: [n('2001:db8:1::/48', 4), n('2001:db8:2::/48', 4)] }, CAPS));
  const post = rm(PEER, cat(u16(0), u16(0)), POST); // a post-policy IPv4 End-of-RIB
  const postNoNextHop = rm(PEER2, withoutNextHop('203.0.113.128/25'), POST);
  const preNoNextHop = rm(PEER2, withoutNextHop('203.0.113.64/26'));
  const broken = rm(PEER, Buffer.from([0, 5, 1, 2]));
  const v4tlv = bmp(0, cat(perPeer(PEER2), tlvIndexed(4, 0, bgp(BGP_UPDATE, encodeUpdateBody({ announced: [n('100.64.0.0/10')], attributes: A('64502') }, capabilities({ asn4: true })))), tlvIndexed(99, 0, Buffer.from([1, 2, 3]))), 4);
  const stats = bmp(1, cat(perPeer(PEER), u32(1), u16(0), u16(4), u32(42)));
  const eor4 = rm(PEER, encodeUpdateBody({ endOfRib: { afi: 1, safi: 1 } }, CAPS));
  const eor6 = rm(PEER, encodeUpdateBody({ endOfRib: { afi: 2, safi: 1 } }, CAPS));
  const peerDown = bmp(2, cat(perPeer(PEER2), u8(2), Buffer.from([0, 0])));
  const term = bmp(5, cat(tlv(0, 'maintenance'), tlv(1, u16(0))));
  const after = rm(PEER, encodeUpdateBody({ announced: [n('192.0.2.0/24', 5)], attributes: A('64501') }, CAPS));
  return [init, early, peerUp, v4, v6, both, withdraw6, post, postNoNextHop, preNoNextHop, broken, v4tlv, stats, eor4, eor6, peerDown, term, after];
}
