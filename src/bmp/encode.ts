/**
 * Writing BMP (RFC 7854) as a monitored router would: Initiation, Peer Up
 * and Route Monitoring for one IPv4 or IPv6 peer. What `rovd demo` uses to
 * play a recorded table into the station over a real TCP connection; the
 * decoder's tests have their own byte-level builders.
 */
import { canonicalAddress } from '../net/address.js';

const VERSION = 3;
const TYPE = { routeMonitoring: 0, peerUp: 3, initiation: 4 } as const;

export interface BmpPeerInput {
  readonly address: string;
  readonly asn: number;
  readonly bgpId: string;
}

function header(type: number, bodyLength: number): Buffer {
  const h = Buffer.alloc(6);
  h[0] = VERSION;
  h.writeUInt32BE(6 + bodyLength, 1);
  h[5] = type;
  return h;
}

/** A 16-octet address field: IPv4 in the last four octets (RFC 7854 §4.2). */
function address16(text: string): Buffer {
  const b = Buffer.alloc(16);
  const a = canonicalAddress(text);
  if (a === undefined) throw new RangeError(`not an address: ${text}`);
  if (a.includes('.')) {
    a.split('.').forEach((o, i) => (b[12 + i] = Number(o)));
    return b;
  }
  const [head = '', tail = ''] = a.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = a.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

function ipv4(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

/** RFC 7854 §4.2: peer type 0 (global), V flag for IPv6, no distinguisher. */
function perPeer(peer: BmpPeerInput, seconds: number): Buffer {
  const b = Buffer.alloc(42);
  b[1] = peer.address.includes(':') ? 0x80 : 0;
  address16(peer.address).copy(b, 10);
  b.writeUInt32BE(peer.asn >>> 0, 26);
  ipv4(peer.bgpId).copy(b, 30);
  b.writeUInt32BE(seconds >>> 0, 34);
  return b;
}

/** Initiation with sysName (TLV 2) and sysDescr (TLV 1), RFC 7854 §4.3. */
export function bmpInitiation(sysName: string, sysDescr: string): Buffer {
  const tlv = (type: number, text: string) => {
    const v = Buffer.from(text, 'utf8');
    const t = Buffer.alloc(4);
    t.writeUInt16BE(type, 0);
    t.writeUInt16BE(v.length, 2);
    return Buffer.concat([t, v]);
  };
  const body = Buffer.concat([tlv(2, sysName), tlv(1, sysDescr)]);
  return Buffer.concat([header(TYPE.initiation, body.length), body]);
}

/** Peer Up (RFC 7854 §4.10) with both OPEN messages as sent and received. */
export function bmpPeerUp(peer: BmpPeerInput, local: { address: string; port: number }, sentOpen: Uint8Array, receivedOpen: Uint8Array, seconds: number): Buffer {
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(local.port, 0);
  ports.writeUInt16BE(179, 2);
  const body = Buffer.concat([perPeer(peer, seconds), address16(local.address), ports, sentOpen, receivedOpen]);
  return Buffer.concat([header(TYPE.peerUp, body.length), body]);
}

/** Route Monitoring (RFC 7854 §4.6): one BGP UPDATE of the peer's pre-policy Adj-RIB-In. */
export function bmpRouteMonitoring(peer: BmpPeerInput, update: Uint8Array, seconds: number): Buffer {
  const p = perPeer(peer, seconds);
  return Buffer.concat([header(TYPE.routeMonitoring, p.length + update.length), p, update]);
}
