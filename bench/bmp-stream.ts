/**
 * A full table as a router would export it over BMP (RFC 7854), for the
 * ingest benchmark: Initiation, Peer Up, then Route Monitoring messages
 * whose UPDATEs group the prefixes that share an attribute set, as BGP
 * speakers pack them (RFC 4271 §4.3: one set of path attributes per
 * UPDATE), IPv4 in the NLRI field and IPv6 in MP_REACH_NLRI (RFC 4760),
 * 4-octet ASNs (RFC 6793), then End-of-RIB for both families (RFC 4724).
 *
 * The routes and VRPs are bench/workload.ts's full-scale set (1.2M routes
 * with their origins and intended RFC 6811 states). What a real table
 * adds is the attribute sets: each route's AS path runs from the peer
 * (AS 7224, Amazon's) through one to four transit ASes to its origin, and
 * an origin's routes spread over a few variants (other upstreams, a
 * prepend, communities), which gives about one distinct attribute set per
 * three to four routes, close to what a full-table peer sends.
 *
 * The encoder here is the bench's own and writes only what it needs.
 */
import type { RouteArrays } from './workload.js';
import { seededRandom } from '../test/helpers/random.js';

export const PEER_ASN = 7224;
export const PEER_ADDRESS = [169, 254, 0, 1] as const;
const PEER_BGP_ID = [10, 0, 0, 1] as const;
const LOCAL_ASN = 65000;
const MAX_UPDATE = 4096;

export interface BmpTable {
  /** The whole stream, in chunks of a few MB. */
  readonly chunks: readonly Buffer[];
  readonly bytes: number;
  readonly routes: number;
  readonly updates: number;
  readonly attributeSets: number;
}

/** The BMP stream of `routes` as one peer's pre-policy Adj-RIB-In. */
export function bmpTable(routes: RouteArrays, seed = 7): BmpTable {
  const rand = seededRandom(seed);
  const transit = Array.from({ length: 2000 }, (_, i) => 3000 + i * 7);
  const pickTransit = () => transit[Math.floor(rand() ** 3 * transit.length)]!;
  // Attribute set per route: the origin's variant.
  const variantsOf = new Map<number, { path: number[]; communities: number[] }[]>();
  const setOf = new Int32Array(routes.count);
  const sets: { path: number[]; communities: number[] }[] = [];
  const setIds = new Map<string, number>();
  for (let i = 0; i < routes.count; i++) {
    const origin = routes.origin[i]!;
    let variants = variantsOf.get(origin);
    if (variants === undefined) {
      variants = [];
      variantsOf.set(origin, variants);
    }
    // Up to 12 variants an origin; a new one half the time.
    let v: { path: number[]; communities: number[] };
    if (variants.length === 0 || (variants.length < 12 && rand() < 0.5)) {
      const hops = 1 + Math.floor(rand() * 4);
      const path = [PEER_ASN];
      for (let h = 0; h < hops; h++) path.push(pickTransit());
      if (rand() < 0.1) path.push(origin); // a prepend
      path.push(origin);
      const communities = rand() < 0.5 ? [] : [(PEER_ASN << 16) | Math.floor(rand() * 8), (PEER_ASN << 16) | (1000 + Math.floor(rand() * 40))];
      v = { path, communities };
      variants.push(v);
    } else {
      v = variants[Math.floor(rand() * variants.length)]!;
    }
    const key = `${routes.afi[i]}|${v.path.join(' ')}|${v.communities.join(' ')}`;
    let id = setIds.get(key);
    if (id === undefined) {
      id = sets.length;
      sets.push(v);
      setIds.set(key, id);
    }
    setOf[i] = id;
  }
  // Routes grouped by set, in set order, then UPDATEs shuffled.
  const bySet: number[][] = sets.map(() => []);
  for (let i = 0; i < routes.count; i++) bySet[setOf[i]!]!.push(i);
  const updates: Buffer[] = [];
  bySet.forEach((members, id) => {
    const set = sets[id]!;
    let at = 0;
    while (at < members.length) {
      const { message, used } = updateMessage(routes, members, at, set.path, set.communities);
      updates.push(message);
      at += used;
    }
  });
  for (let i = updates.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [updates[i], updates[j]] = [updates[j]!, updates[i]!];
  }
  const parts: Buffer[] = [initiation(), peerUp()];
  for (const u of updates) parts.push(routeMonitoring(u));
  parts.push(routeMonitoring(endOfRibV4()), routeMonitoring(endOfRibV6()));
  const chunks: Buffer[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  for (const p of parts) {
    pending.push(p);
    pendingBytes += p.length;
    bytes += p.length;
    if (pendingBytes > 4 * 1024 * 1024) {
      chunks.push(Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
    }
  }
  if (pending.length > 0) chunks.push(Buffer.concat(pending));
  return { chunks, bytes, routes: routes.count, updates: updates.length, attributeSets: sets.length };
}

/** One UPDATE with as many of `members` (from `at`) as fit in 4,096 bytes. */
function updateMessage(routes: RouteArrays, members: readonly number[], at: number, path: readonly number[], communities: readonly number[]): { message: Buffer; used: number } {
  const v6 = routes.afi[members[at]!] === 6;
  const attrs: number[] = [];
  attribute(attrs, 0x40, 1, [0]); // ORIGIN IGP
  const asPath = [2, path.length, ...path.flatMap(u32)];
  attribute(attrs, 0x40, 2, asPath);
  if (communities.length > 0) attribute(attrs, 0xc0, 8, communities.flatMap(u32));
  const nlri: number[] = [];
  let used = 0;
  const room = MAX_UPDATE - 19 - 4 - attrs.length - (v6 ? 4 + 5 + 16 + 1 : 7) - 8;
  while (at + used < members.length) {
    const i = members[at + used]!;
    const len = routes.length[i]!;
    const bytes = Math.ceil(len / 8);
    if (nlri.length + 1 + bytes > room) break;
    nlri.push(len);
    const w = routes.words.subarray(i * 4, i * 4 + 4);
    for (let b = 0; b < bytes; b++) nlri.push((w[b >> 2]! >>> (24 - 8 * (b & 3))) & 0xff);
    used++;
  }
  if (v6) {
    // MP_REACH_NLRI: AFI 2, SAFI 1, a 16-byte next hop, reserved, NLRI.
    attribute(attrs, 0x80, 14, [0, 2, 1, 16, 0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1, 0, ...nlri]);
    return { message: bgpUpdate([], attrs, []), used };
  }
  attribute(attrs, 0x40, 3, [...PEER_ADDRESS]); // NEXT_HOP
  return { message: bgpUpdate([], attrs, nlri), used };
}

function attribute(out: number[], flags: number, type: number, value: readonly number[]): void {
  if (value.length > 255) out.push(flags | 0x10, type, value.length >> 8, value.length & 0xff, ...value);
  else out.push(flags, type, value.length, ...value);
}

function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function u16(n: number): number[] {
  return [(n >>> 8) & 0xff, n & 0xff];
}

function bgpMessage(type: number, body: readonly number[]): Buffer {
  return Buffer.from([...Array(16).fill(0xff), ...u16(19 + body.length), type, ...body]);
}

function bgpUpdate(withdrawn: readonly number[], attrs: readonly number[], nlri: readonly number[]): Buffer {
  return bgpMessage(2, [...u16(withdrawn.length), ...withdrawn, ...u16(attrs.length), ...attrs, ...nlri]);
}

/** RFC 4724 §2: an empty UPDATE for IPv4, an empty MP_UNREACH_NLRI for the others. */
function endOfRibV4(): Buffer {
  return bgpUpdate([], [], []);
}

function endOfRibV6(): Buffer {
  const attrs: number[] = [];
  attribute(attrs, 0x80, 15, [0, 2, 1]);
  return bgpUpdate([], attrs, []);
}

function open(asn: number, bgpId: readonly number[]): number[] {
  const caps = [
    ...[2, 6, 1, 4, 0, 1, 0, 1], // multiprotocol IPv4 unicast
    ...[2, 6, 1, 4, 0, 2, 0, 1], // multiprotocol IPv6 unicast
    ...[2, 6, 65, 4, ...u32(asn)], // 4-octet AS
  ];
  return [...bgpMessage(1, [4, ...u16(asn > 0xffff ? 23456 : asn), 0, 90, ...bgpId, caps.length, ...caps])];
}

function perPeerHeader(): number[] {
  return [0, 0, ...Array(8).fill(0), ...Array(12).fill(0), ...PEER_ADDRESS, ...u32(PEER_ASN), ...PEER_BGP_ID, ...u32(1_764_000_000), ...u32(0)];
}

function bmp(type: number, body: readonly number[] | Buffer): Buffer {
  const head = Buffer.from([3, ...u32(6 + body.length), type]);
  return Buffer.concat([head, Buffer.isBuffer(body) ? body : Buffer.from(body)]);
}

function routeMonitoring(update: Buffer): Buffer {
  return bmp(0, Buffer.concat([Buffer.from(perPeerHeader()), update]));
}

function initiation(): Buffer {
  const name = [...Buffer.from('bench-router')];
  return bmp(4, [...u16(2), ...u16(name.length), ...name]);
}

function peerUp(): Buffer {
  const local = [...Array(12).fill(0), 169, 254, 0, 2];
  return bmp(3, [...perPeerHeader(), ...local, ...u16(179), ...u16(40000), ...open(LOCAL_ASN, [10, 0, 0, 2]), ...open(PEER_ASN, PEER_BGP_ID)]);
}
