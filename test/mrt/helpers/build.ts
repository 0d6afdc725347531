/**
 * Builders for MRT records and the BGP bytes inside them, for tests: each
 * returns the wire bytes, written field by field in RFC order.
 */
export function u8(n: number): number[] {
  return [n & 0xff];
}
export function u16(n: number): number[] {
  return [(n >>> 8) & 0xff, n & 0xff];
}
export function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
export function bytes(...parts: (number[] | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) for (const b of p) out.push(b);
  return Uint8Array.from(out);
}

export function ipv4(text: string): number[] {
  return text.split('.').map(Number);
}

/** Full 16 octets of an IPv6 address written with `::` (test inputs only). */
export function ipv6(text: string): number[] {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
  return groups.flatMap((g) => u16(g));
}

/** RFC 6396 §2 common header (+ §3 microseconds for the _ET types) and the body. */
export function mrtRecord(type: number, subtype: number, body: Uint8Array, options: { timestamp?: number; microseconds?: number } = {}): Uint8Array {
  const et = type === 17 || type === 33 || type === 49;
  const length = body.length + (et ? 4 : 0);
  return bytes(u32(options.timestamp ?? 1_700_000_000), u16(type), u16(subtype), u32(length), et ? u32(options.microseconds ?? 0) : [], body);
}

export interface PeerSpec {
  readonly bgpId: string;
  readonly address: string;
  readonly asn: number;
  readonly as4?: boolean;
}

/** RFC 6396 §4.3.1. */
export function peerIndexTable(collector: string, viewName: string, peers: readonly PeerSpec[]): Uint8Array {
  const name = new TextEncoder().encode(viewName);
  return bytes(
    ipv4(collector),
    u16(name.length),
    name,
    u16(peers.length),
    ...peers.map((p) => {
      const v6 = p.address.includes(':');
      const as4 = p.as4 ?? true;
      return bytes(u8((v6 ? 1 : 0) | (as4 ? 2 : 0)), ipv4(p.bgpId), v6 ? ipv6(p.address) : ipv4(p.address), as4 ? u32(p.asn) : u16(p.asn));
    }),
  );
}

/** `length:u8 prefix:ceil(length/8)` from "a.b.c.d/len" or an IPv6 prefix. */
export function nlriPrefix(prefix: string): number[] {
  const [addr, len] = prefix.split('/') as [string, string];
  const length = Number(len);
  const full = addr.includes(':') ? ipv6(addr) : ipv4(addr);
  return [length, ...full.slice(0, (length + 7) >> 3)];
}

export interface RibEntrySpec {
  readonly peerIndex: number;
  readonly originatedTime?: number;
  readonly pathId?: number;
  readonly attributes: Uint8Array;
}

/** RFC 6396 §4.3.2 / RFC 8050 §4.1 RIB record body. */
export function ribRecord(sequence: number, prefix: string, entries: readonly RibEntrySpec[], addPath = false): Uint8Array {
  return bytes(
    u32(sequence),
    nlriPrefix(prefix),
    u16(entries.length),
    ...entries.map((e) => bytes(u16(e.peerIndex), u32(e.originatedTime ?? 1_600_000_000), addPath ? u32(e.pathId ?? 0) : [], u16(e.attributes.length), e.attributes)),
  );
}

/** One path attribute (extended length when the value needs it). */
export function attribute(flags: number, typeCode: number, value: number[] | Uint8Array): Uint8Array {
  const extended = value.length > 255;
  return bytes(u8(extended ? flags | 0x10 : flags), u8(typeCode), extended ? u16(value.length) : u8(value.length), value);
}

export const ORIGIN_IGP = attribute(0x40, 1, [0]);

/** AS_PATH of one AS_SEQUENCE (plus an optional AS_SET), 2- or 4-octet. */
export function asPathAttribute(sequence: readonly number[], as4: boolean, set: readonly number[] = []): Uint8Array {
  const asn = (n: number): number[] => (as4 ? u32(n) : u16(n));
  const seg = (type: number, asns: readonly number[]): number[] => (asns.length === 0 ? [] : [type, asns.length, ...asns.flatMap(asn)]);
  return attribute(0x40, 2, [...seg(2, sequence), ...seg(1, set)]);
}

export function nextHopAttribute(address: string): Uint8Array {
  return attribute(0x40, 3, ipv4(address));
}

/** RFC 6396 §4.3.4 abbreviated MP_REACH_NLRI: next-hop length and next hop only. */
export function abbreviatedMpReach(nextHop: string): Uint8Array {
  const nh = ipv6(nextHop);
  return attribute(0x80, 14, [nh.length, ...nh]);
}

/** RFC 4271 §4.3 UPDATE body. */
/** `pathIds` (prefix → Path Identifier) writes every NLRI in the RFC 7911 form. */
export function updateBody(withdrawn: readonly string[], attributes: readonly Uint8Array[], nlri: readonly string[], pathIds?: Readonly<Record<string, number>>): Uint8Array {
  const prefixes = (list: readonly string[]): number[] => list.flatMap((p) => [...(pathIds ? u32(pathIds[p] ?? 0) : []), ...nlriPrefix(p)]);
  const w = prefixes(withdrawn);
  const attrs = bytes(...attributes);
  return bytes(u16(w.length), w, u16(attrs.length), attrs, prefixes(nlri));
}

/** RFC 4271 §4.1 message with marker, length and type. */
export function bgpMessage(type: number, body: Uint8Array): Uint8Array {
  return bytes(new Array(16).fill(0xff), u16(19 + body.length), u8(type), body);
}

export interface Bgp4mpSpec {
  readonly peerAsn: number;
  readonly localAsn?: number;
  readonly peerAddress: string;
  readonly localAddress?: string;
  readonly interfaceIndex?: number;
}

/** RFC 6396 §4.4 header fields; `as4` for the _AS4 subtypes. */
export function bgp4mpHeader(spec: Bgp4mpSpec, as4: boolean): Uint8Array {
  const v6 = spec.peerAddress.includes(':');
  const addr = (a: string): number[] => (v6 ? ipv6(a) : ipv4(a));
  const asn = (n: number): number[] => (as4 ? u32(n) : u16(n));
  return bytes(asn(spec.peerAsn), asn(spec.localAsn ?? 65000), u16(spec.interfaceIndex ?? 0), u16(v6 ? 2 : 1), addr(spec.peerAddress), addr(spec.localAddress ?? (v6 ? '::1' : '10.0.0.1')));
}

export function bgp4mpMessage(spec: Bgp4mpSpec, as4: boolean, message: Uint8Array): Uint8Array {
  return bytes(bgp4mpHeader(spec, as4), message);
}

export function bgp4mpStateChange(spec: Bgp4mpSpec, as4: boolean, oldState: number, newState: number): Uint8Array {
  return bytes(bgp4mpHeader(spec, as4), u16(oldState), u16(newState));
}

/** RFC 6396 §4.2 TABLE_DUMP body. */
export function tableDumpBody(prefix: string, peerAddress: string, peerAsn: number, attributes: Uint8Array, options: { view?: number; sequence?: number } = {}): Uint8Array {
  const [addr, len] = prefix.split('/') as [string, string];
  const v6 = addr.includes(':');
  return bytes(
    u16(options.view ?? 0),
    u16(options.sequence ?? 0),
    v6 ? ipv6(addr) : ipv4(addr),
    u8(Number(len)),
    u8(1),
    u32(1_600_000_000),
    v6 ? ipv6(peerAddress) : ipv4(peerAddress),
    u16(peerAsn),
    u16(attributes.length),
    attributes,
  );
}
