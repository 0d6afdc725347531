/**
 * Builders of BMP and BGP bytes for the tests, field by field, so each
 * test shows the wire layout it exercises (RFC 7854 §4, RFC 4271 §4).
 */

export function u8(n: number): Buffer {
  return Buffer.from([n & 0xff]);
}
export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
export function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
}
export const cat = (...parts: Uint8Array[]): Buffer => Buffer.concat(parts);

/** RFC 7854 §4.1 common header + body. */
export function bmp(type: number, body: Uint8Array, version = 3): Buffer {
  return cat(u8(version), u32(6 + body.length), u8(type), body);
}

/** A 16-byte BMP address field: IPv4 in the last 4 octets, or IPv6. */
export function address16(text: string): Buffer {
  const b = Buffer.alloc(16);
  if (text.includes(':')) {
    const [head, tail] = text.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  } else {
    text.split('.').forEach((o, i) => (b[12 + i] = Number(o)));
  }
  return b;
}

export function ipv4(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

export interface PeerHeaderFields {
  type?: number;
  flags?: number;
  rd?: Uint8Array;
  address?: string;
  asn?: number;
  bgpId?: string;
  seconds?: number;
  micros?: number;
}

/** RFC 7854 §4.2, 42 bytes. */
export function perPeer(f: PeerHeaderFields = {}): Buffer {
  return cat(
    u8(f.type ?? 0),
    u8(f.flags ?? 0),
    Buffer.from(f.rd ?? Buffer.alloc(8)),
    address16(f.address ?? '192.0.2.1'),
    u32(f.asn ?? 64500),
    ipv4(f.bgpId ?? '192.0.2.1'),
    u32(f.seconds ?? 1700000000),
    u32(f.micros ?? 123456),
  );
}

/** RD type 0: 2-octet ASN, 4-octet number. */
export function rd0(asn: number, n: number): Buffer {
  return cat(u16(0), u16(asn), u32(n));
}

/** type u16, length u16, value. */
export function tlv(type: number, value: Uint8Array | string): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  return cat(u16(type), u16(v.length), v);
}

/** Version 4 Route Monitoring TLV: type, length, index, value. */
export function tlvIndexed(type: number, index: number, value: Uint8Array): Buffer {
  return cat(u16(type), u16(value.length), u16(index), value);
}

/** RFC 4271 §4.1: marker, length, type, body. */
export function bgp(type: number, body: Uint8Array): Buffer {
  return cat(Buffer.alloc(16, 0xff), u16(19 + body.length), u8(type), body);
}

export interface OpenFields {
  asn?: number;
  holdTime?: number;
  bgpId?: string;
  asn4?: boolean;
  addPath?: Array<{ afi: number; safi: number; sendReceive: number }>;
  multiprotocol?: Array<{ afi: number; safi: number }>;
}

/** RFC 4271 §4.2 OPEN body with RFC 5492 capabilities (one Optional Parameter per capability). */
export function openBody(f: OpenFields = {}): Buffer {
  const asn = f.asn ?? 64500;
  const caps: Buffer[] = [];
  for (const mp of f.multiprotocol ?? [{ afi: 1, safi: 1 }]) caps.push(cap(1, cat(u16(mp.afi), u8(0), u8(mp.safi))));
  if (f.asn4 ?? true) caps.push(cap(65, u32(asn)));
  if (f.addPath?.length) caps.push(cap(69, cat(...f.addPath.map((a) => cat(u16(a.afi), u8(a.safi), u8(a.sendReceive))))));
  const params = cat(...caps.map((c) => cat(u8(2), u8(c.length), c)));
  return cat(u8(4), u16(asn > 65535 ? 23456 : asn), u16(f.holdTime ?? 180), ipv4(f.bgpId ?? '192.0.2.1'), u8(params.length), params);
}

function cap(code: number, value: Buffer): Buffer {
  return cat(u8(code), u8(value.length), value);
}

/** A path attribute: flags, type, length (1 or 2 octets), value. */
export function attr(flags: number, type: number, value: Uint8Array): Buffer {
  if (value.length > 255 || flags & 0x10) return cat(u8(flags | 0x10), u8(type), u16(value.length), value);
  return cat(u8(flags), u8(type), u8(value.length), value);
}

/** An IPv4 prefix in NLRI encoding. */
export function nlri4(prefix: string): Buffer {
  const [addr, len] = prefix.split('/') as [string, string];
  const bits = Number(len);
  return cat(u8(bits), ipv4(addr).subarray(0, Math.ceil(bits / 8)));
}

export interface UpdateFields {
  withdrawn?: string[];
  nlri?: string[];
  asPath?: number[];
  asn4?: boolean;
  nextHop?: string;
  communities?: number[];
}

/** RFC 4271 §4.3 UPDATE body: IPv4 withdrawn, ORIGIN, AS_PATH (one AS_SEQUENCE), NEXT_HOP, COMMUNITIES, IPv4 NLRI. */
export function updateBody(f: UpdateFields = {}): Buffer {
  const withdrawn = cat(...(f.withdrawn ?? []).map(nlri4));
  const attrs: Buffer[] = [];
  if (f.nlri?.length) {
    attrs.push(attr(0x40, 1, u8(0)));
    const path = f.asPath ?? [64500];
    const asn4 = f.asn4 ?? true;
    attrs.push(attr(0x40, 2, path.length ? cat(u8(2), u8(path.length), ...path.map((a) => (asn4 ? u32(a) : u16(a)))) : Buffer.alloc(0)));
    attrs.push(attr(0x40, 3, ipv4(f.nextHop ?? '192.0.2.254')));
    if (f.communities?.length) attrs.push(attr(0xc0, 8, cat(...f.communities.map(u32))));
  }
  const attributes = cat(...attrs);
  const nlri = cat(...(f.nlri ?? []).map(nlri4));
  return cat(u16(withdrawn.length), withdrawn, u16(attributes.length), attributes, nlri);
}

export const BGP_OPEN = 1;
export const BGP_UPDATE = 2;
export const BGP_NOTIFICATION = 3;

/** A Peer Up body after the per-peer header. */
export function peerUpBody(sent: Buffer, received: Buffer, opts: { local?: string; localPort?: number; remotePort?: number; tlvs?: Buffer[] } = {}): Buffer {
  return cat(address16(opts.local ?? '192.0.2.254'), u16(opts.localPort ?? 179), u16(opts.remotePort ?? 50000), bgp(BGP_OPEN, sent), bgp(BGP_OPEN, received), ...(opts.tlvs ?? []));
}
