/**
 * A VRP set (a VrpTable and its ASPAs) as a DAG of DAG-CBOR blocks
 * (https://ipld.io/specs/codecs/dag-cbor/spec/), named by the CIDv1
 * (dag-cbor, sha2-256) of its root block: the set's identity.
 *
 *   root   { version: 1, vrps: N, counts: { ipv4, ipv6, aspas },
 *            tas: [name, …],                  sorted, the names the rows use
 *            ipv4: [CID, …], ipv6: [CID, …],  column chunks, in table order
 *            aspas: [CID, …] }                ASPA chunks, by customer
 *   chunk  { afi: 4 | 6, count: n,
 *            words:     bytes  n × (1 | 4) u32 little-endian, address words
 *            length:    bytes  n × u8
 *            maxLength: bytes  n × u8
 *            asn:       bytes  n × u32 little-endian
 *            ta:        bytes  n × u16 little-endian, index into root.tas }
 *   aspas  { aspas: [[customer, [ipv4 providers…], [ipv6 providers…], ta], …] }
 *
 * Canonical: VrpTable rows are sorted and unique whatever order the VRPs
 * came in, trust anchors are renumbered into the sorted `tas`, DAG-CBOR
 * is deterministic (map keys sorted, shortest integers), and the chunk
 * boundaries depend on the rows alone. So equal sets have equal CIDs.
 * The one place arrival order shows: a VRP listed under two trust anchors
 * keeps the first one seen (VrpTable's rule), and the trust anchor is
 * part of the content. No time is in the root (the same set published
 * twice is the same set); when rovd published it is the store's metadata.
 *
 * Chunk boundaries are content-defined: a chunk ends after a row whose
 * hash has its low 13 bits zero (once it holds MIN_ROWS), or at MAX_ROWS.
 * A VRP added or removed changes the chunk it falls in and leaves the
 * others as they were, so successive sets share almost all their blocks
 * and the store keeps each block once. MAX_ROWS bounds a chunk at
 * 786 KiB of columns (≤ 1 MiB with its framing); the mean is ~9k rows
 * (~110 KiB of IPv4, ~220 KiB of IPv6).
 */
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import type { MultihashDigest } from 'multiformats/interface';
import { sha256 } from 'multiformats/hashes/sha2';
import type { Asn } from '../net/asn.js';
import type { Afi } from '../net/prefix.js';
import { type Aspa, makeAspaPerAfi } from '../rpki/aspa.js';
import type { RpkiPayload } from '../rpki/payload.js';
import { type VrpColumns, VrpTable } from '../rpki/vrp-table.js';

export const VRP_SET_VERSION = 1;
/** Rows before a content-defined boundary may end a chunk. */
export const MIN_ROWS = 1024;
/** A boundary is a row whose hash has these bits zero (mean run 8,192 rows). */
const BOUNDARY_MASK = 0x1fff;
/** Hard cap: 65,536 IPv4 rows (768 KiB) or 32,768 IPv6 rows (768 KiB). */
export const MAX_ROWS = { 4: 65_536, 6: 32_768 } as const;
/** ASPA chunks close past this estimate of their encoded size. */
const ASPA_CHUNK_BYTES = 512 * 1024;

/** One encoded block and its CID. */
export interface Block {
  readonly cid: CID;
  readonly bytes: Uint8Array;
}

export interface VrpSetRoot {
  readonly version: number;
  readonly vrps: number;
  readonly counts: { readonly ipv4: number; readonly ipv6: number; readonly aspas: number };
  readonly tas: readonly string[];
  readonly ipv4: readonly CID[];
  readonly ipv6: readonly CID[];
  readonly aspas: readonly CID[];
}

/** A set that does not decode as rovd wrote it: the block's CID and what is wrong. */
export class VrpSetFormatError extends Error {
  constructor(
    readonly block: string,
    reason: string,
  ) {
    super(`VRP set block ${block}: ${reason}`);
    this.name = 'VrpSetFormatError';
  }
}

export function encodeBlock(value: unknown): Block {
  const bytes = dagCbor.encode(value);
  return { cid: CID.createV1(dagCbor.code, digestOf(bytes)), bytes };
}

/** True if `bytes` hash to `cid` (sha2-256 only: the one hash rovd writes). */
export function blockMatches(cid: CID, bytes: Uint8Array): boolean {
  if (cid.multihash.code !== sha256.code) return false;
  return Buffer.from(digestOf(bytes).digest).equals(Buffer.from(cid.multihash.digest));
}

/** sha2-256 of `bytes`; multiformats hashes synchronously on Node (node:crypto). */
function digestOf(bytes: Uint8Array): MultihashDigest<typeof sha256.code> {
  const d = sha256.digest(bytes);
  if (d instanceof Promise) throw new Error('sha2-256 is asynchronous here; rovd needs node:crypto');
  return d;
}

/**
 * The blocks of a set, children first and the root last, one at a time:
 * the caller may yield to the event loop between blocks (each is at most
 * ~1 MiB to encode and hash), so a full set never stalls it for long.
 */
export function* vrpSetBlocks(payload: Pick<RpkiPayload, 'vrps' | 'aspas'>): Generator<Block, Block> {
  const table = payload.vrps;
  const tas = usedTas(table);
  const remap = new Uint16Array(table.tas.length);
  table.tas.forEach((name, i) => (remap[i] = tas.indexOf(name)));
  const links: Record<'ipv4' | 'ipv6' | 'aspas', CID[]> = { ipv4: [], ipv6: [], aspas: [] };
  for (const afi of [4, 6] as const) {
    const c = table.columns(afi);
    for (const [from, to] of chunkBounds(c)) {
      const block = encodeBlock(chunkNode(c, from, to, remap));
      links[afi === 4 ? 'ipv4' : 'ipv6'].push(block.cid);
      yield block;
    }
  }
  let rows: unknown[] = [];
  let size = 0;
  for (const a of payload.aspas) {
    rows.push([a.customer, [...a.ipv4Providers], [...a.ipv6Providers], a.ta]);
    size += 16 + 5 * (a.ipv4Providers.length + a.ipv6Providers.length) + a.ta.length;
    if (size >= ASPA_CHUNK_BYTES) {
      const block = encodeBlock({ aspas: rows });
      links.aspas.push(block.cid);
      yield block;
      rows = [];
      size = 0;
    }
  }
  if (rows.length > 0) {
    const block = encodeBlock({ aspas: rows });
    links.aspas.push(block.cid);
    yield block;
  }
  const root: VrpSetRoot = {
    version: VRP_SET_VERSION,
    vrps: table.size,
    counts: { ipv4: table.v4.count, ipv6: table.v6.count, aspas: payload.aspas.length },
    tas,
    ...links,
  };
  return encodeBlock(root);
}

/** All blocks and the root at once (tests, the benchmark). */
export function encodeVrpSet(payload: Pick<RpkiPayload, 'vrps' | 'aspas'>): { root: Block; blocks: Block[] } {
  const blocks: Block[] = [];
  const it = vrpSetBlocks(payload);
  for (;;) {
    const r = it.next();
    if (r.done === true) return { root: r.value, blocks };
    blocks.push(r.value);
  }
}

/** The root node of a set, checked for shape. */
export function decodeRoot(block: Block): VrpSetRoot {
  const where = block.cid.toString();
  const node = dagCbor.decode(block.bytes) as Record<string, unknown>;
  const fail = (reason: string): never => {
    throw new VrpSetFormatError(where, reason);
  };
  if (typeof node !== 'object' || node === null || node.version !== VRP_SET_VERSION) fail(`not a version ${VRP_SET_VERSION} VRP set root`);
  const counts = node.counts as VrpSetRoot['counts'] | undefined;
  if (typeof counts !== 'object' || counts === null || ![counts.ipv4, counts.ipv6, counts.aspas].every(isCount)) fail('bad counts');
  if (node.vrps !== counts!.ipv4 + counts!.ipv6) fail('vrps is not ipv4 + ipv6');
  if (!Array.isArray(node.tas) || !node.tas.every((t) => typeof t === 'string')) fail('bad tas');
  for (const key of ['ipv4', 'ipv6', 'aspas']) {
    const list = node[key];
    if (!Array.isArray(list) || !list.every((l) => CID.asCID(l) !== null)) fail(`${key} is not a list of links`);
  }
  return node as unknown as VrpSetRoot;
}

/**
 * Rebuilds the set from its root and its child blocks (already verified
 * against their CIDs by the caller), checking every chunk's shape and
 * that the rows are in canonical order.
 */
export function decodeVrpSet(root: VrpSetRoot, child: (cid: CID) => Block): { vrps: VrpTable; aspas: Aspa[] } {
  const columns = (afi: Afi, links: readonly CID[], total: number): VrpColumns => {
    const stride = afi === 4 ? 1 : 4;
    const out = { afi, stride, count: total, words: new Uint32Array(total * stride), length: new Uint8Array(total), maxLength: new Uint8Array(total), asn: new Uint32Array(total), ta: new Uint16Array(total) } as const;
    let at = 0;
    for (const link of links) {
      const block = child(link);
      const where = block.cid.toString();
      const node = dagCbor.decode(block.bytes) as Record<string, unknown>;
      const n = node.count;
      if (node.afi !== afi || !isCount(n) || n === 0 || at + n > total) throw new VrpSetFormatError(where, `not an IPv${afi} chunk that fits the root's count`);
      const bytes = (key: string, size: number): Uint8Array => {
        const b = node[key];
        if (!(b instanceof Uint8Array) || b.length !== size) throw new VrpSetFormatError(where, `${key}: expected ${size} bytes`);
        return b;
      };
      readLe(bytes('words', n * stride * 4), out.words, at * stride);
      out.length.set(bytes('length', n), at);
      out.maxLength.set(bytes('maxLength', n), at);
      readLe(bytes('asn', n * 4), out.asn, at);
      readLe(bytes('ta', n * 2), out.ta, at);
      checkRows(out, at, at + n, root.tas.length, where);
      at += n;
    }
    if (at !== total) throw new VrpSetFormatError(root.ipv4.concat(root.ipv6)[0]?.toString() ?? 'root', `IPv${afi} chunks hold ${at} rows, the root says ${total}`);
    return out;
  };
  const v4 = columns(4, root.ipv4, root.counts.ipv4);
  const v6 = columns(6, root.ipv6, root.counts.ipv6);
  const aspas: Aspa[] = [];
  for (const link of root.aspas) {
    const block = child(link);
    const node = dagCbor.decode(block.bytes) as { aspas?: unknown };
    if (!Array.isArray(node.aspas)) throw new VrpSetFormatError(block.cid.toString(), 'not an ASPA chunk');
    for (const row of node.aspas) {
      const [customer, v4p, v6p, ta] = row as [number, number[], number[], string];
      try {
        aspas.push(makeAspaPerAfi(customer as Asn, v4p as Asn[], v6p as Asn[], ta));
      } catch (err) {
        throw new VrpSetFormatError(block.cid.toString(), `bad ASPA: ${(err as Error).message}`);
      }
    }
  }
  if (aspas.length !== root.counts.aspas) throw new VrpSetFormatError('root', `ASPA chunks hold ${aspas.length}, the root says ${root.counts.aspas}`);
  return { vrps: new VrpTable(v4, v6, Object.freeze([...root.tas])), aspas };
}

/** Every block a root links to, in order: ipv4, ipv6, aspas. */
export function childLinks(root: VrpSetRoot): CID[] {
  return [...root.ipv4, ...root.ipv6, ...root.aspas];
}

// --- helpers -----------------------------------------------------------------

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** The trust anchor names the rows use, sorted (so their numbering is canonical). */
function usedTas(table: VrpTable): string[] {
  const used = new Set<number>();
  for (const c of [table.v4, table.v6]) for (let i = 0; i < c.count; i++) used.add(c.ta[i]!);
  return [...new Set([...used].map((i) => table.tas[i] ?? ''))].sort();
}

/** [from, to) row ranges of the chunks of one family. */
function* chunkBounds(c: VrpColumns): Generator<[number, number]> {
  const max = MAX_ROWS[c.afi];
  const s = c.stride;
  let from = 0;
  for (let i = 0; i < c.count; i++) {
    const rows = i + 1 - from;
    if (rows >= max || (rows >= MIN_ROWS && (rowHash(c, i, s) & BOUNDARY_MASK) === 0)) {
      yield [from, i + 1];
      from = i + 1;
    }
  }
  if (from < c.count) yield [from, c.count];
}

/** A 32-bit mix of a row's payload (words, length, maxLength, ASN): the boundary test. */
function rowHash(c: VrpColumns, i: number, s: number): number {
  let h = Math.imul(c.asn[i]! ^ 0x9e3779b9, 0x85ebca6b) ^ (c.length[i]! << 8) ^ c.maxLength[i]!;
  for (let k = 0; k < s; k++) h = Math.imul(h ^ c.words[i * s + k]!, 0xc2b2ae35) ^ (h >>> 15);
  h ^= h >>> 13;
  h = Math.imul(h, 0x27d4eb2f);
  return (h ^ (h >>> 16)) >>> 0;
}

function chunkNode(c: VrpColumns, from: number, to: number, remap: Uint16Array): object {
  const s = c.stride;
  const ta = new Uint16Array(to - from);
  for (let i = from; i < to; i++) ta[i - from] = remap[c.ta[i]!]!;
  return {
    afi: c.afi,
    count: to - from,
    words: leBytes(c.words.subarray(from * s, to * s)),
    length: c.length.subarray(from, to),
    maxLength: c.maxLength.subarray(from, to),
    asn: leBytes(c.asn.subarray(from, to)),
    ta: leBytes(ta),
  };
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The array's bytes, little-endian (a view on little-endian hosts, a swapped copy otherwise). */
function leBytes(a: Uint32Array | Uint16Array): Uint8Array {
  const view = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (LITTLE_ENDIAN) return view;
  const out = new Uint8Array(view.length);
  const w = a.BYTES_PER_ELEMENT;
  for (let i = 0; i < view.length; i += w) for (let k = 0; k < w; k++) out[i + k] = view[i + w - 1 - k]!;
  return out;
}

/** Little-endian bytes into `out` from element `at` (the bytes may be unaligned: copied, not viewed). */
function readLe(bytes: Uint8Array, out: Uint32Array | Uint16Array, at: number): void {
  const target = new Uint8Array(out.buffer, out.byteOffset + at * out.BYTES_PER_ELEMENT, bytes.length);
  target.set(bytes);
  if (LITTLE_ENDIAN) return;
  const w = out.BYTES_PER_ELEMENT;
  for (let i = 0; i < target.length; i += w) target.subarray(i, i + w).reverse();
}

/** Rows [from, to): lengths in range, trust anchors named, strictly ascending (VrpTable's order). */
function checkRows(c: VrpColumns, from: number, to: number, tas: number, where: string): void {
  const bits = c.afi === 4 ? 32 : 128;
  const s = c.stride;
  for (let i = from; i < to; i++) {
    if (c.length[i]! > bits || c.maxLength[i]! < c.length[i]! || c.maxLength[i]! > bits) throw new VrpSetFormatError(where, `row ${i}: bad length ${c.length[i]}-${c.maxLength[i]}`);
    if (c.ta[i]! >= tas) throw new VrpSetFormatError(where, `row ${i}: trust anchor ${c.ta[i]} not in the root`);
    if (i === 0) continue;
    let d = 0;
    for (let k = 0; k < s && d === 0; k++) d = c.words[i * s + k]! - c.words[(i - 1) * s + k]!;
    if (d === 0) d = c.length[i]! - c.length[i - 1]! || c.asn[i]! - c.asn[i - 1]! || c.maxLength[i]! - c.maxLength[i - 1]!;
    if (d <= 0) throw new VrpSetFormatError(where, `row ${i}: not in canonical order`);
  }
}
