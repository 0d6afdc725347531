/**
 * What a BMP decoder thread (decoder-thread.ts) hands the main thread for
 * each chunk of a router's stream: one ArrayBuffer of 32-bit words,
 * transferred (not cloned), holding the chunk's messages in stream order,
 * plus the few strings and peer identities first seen in it.
 *
 * Records (words; every record starts with kind and its length in words):
 *
 *   0   kind            ROUTES (1) or FRAME (2)
 *   1   words           of the whole record
 *   2   offset          stream offset of the BMP message, low 32 bits
 *   3   offset          high bits
 *
 *   ROUTES, a Route Monitoring message (RFC 7854 §4.6) decoded:
 *   4   peer            index into the session's peer table
 *   5   rib             BmpRib code (RIB_CODES) | FALLBACK (bit 8: no Peer Up, decoded
 *                       with the A flag and no ADD-PATH) | RFC 7606 action << 9
 *                       (0 none, 1 attribute-discard, 2 treat-as-withdraw)
 *   6   seconds         per-peer header timestamp (RFC 7854 §4.2)
 *   7   skipped         NLRI of other AFI/SAFIs, counted by decodeUpdate
 *   8   tlvs            version 4 TLVs of the message (counted, not carried)
 *   9   withdrawn       withdrawn NLRI as decoded (before the RFC 4271 §4.3 rule)
 *   10… the UPDATE      src/rib/update-words.ts
 *
 *   FRAME, a message the session decodes itself (anything but a Route
 *   Monitoring the thread decoded: Peer Up/Down, Initiation, Termination,
 *   Statistics, and every message the thread could not decode, so the
 *   session's own decoder reports it exactly as it would have):
 *   4   bytes           length of the message
 *   5…  the message     bytes, padded to a word
 *
 * Peers and texts (next hops, aggregator addresses…) are sent once per
 * session, then named by index; `reset` starts both tables afresh (the
 * thread bounds them).
 *
 * The receiving side checks every record (readChunk) before anything reads
 * it, so a broken batch is a ParseError that ends the router's session,
 * never a wrong route.
 */
import type { Nlri } from '../bgp/update.js';
import type { AfiSafi } from '../bgp/capabilities.js';
import type { PathAttributes } from '../bgp/attributes.js';
import type { Asn } from '../net/asn.js';
import { Prefix } from '../net/prefix.js';
import { decodeAttributeWords } from '../rib/attribute-words.js';
import { UW_ANNOUNCED, UW_ATTR_WORDS, UW_END_OF_RIB, UW_HEADER, UW_IPV6, UW_WITHDRAWN, checkUpdateWords } from '../rib/update-words.js';
import { ParseError, type ParseErrorDetails } from '../wire/parse-error.js';
import type { BmpFrame } from './framer.js';
import type { BmpPeer, BmpRib } from './per-peer-header.js';

export const RECORD_ROUTES = 1;
export const RECORD_FRAME = 2;
export const R_KIND = 0;
export const R_WORDS = 1;
export const R_OFFSET_LO = 2;
export const R_OFFSET_HI = 3;
export const R_PEER = 4;
export const R_RIB = 5;
export const R_SECONDS = 6;
export const R_SKIPPED = 7;
export const R_TLVS = 8;
export const R_DECODED_WITHDRAWN = 9;
export const R_UPDATE = 10;
export const R_BYTES = 4;
export const R_FRAME_BYTES = 5;
export const RIB_FALLBACK = 0x100;
export const RIB_ACTION_SHIFT = 9;

export const RIB_CODES: readonly BmpRib[] = Object.freeze(['adj-rib-in-pre', 'adj-rib-in-post', 'adj-rib-out-pre', 'adj-rib-out-post', 'loc-rib']);
const ACTIONS = ['none', 'attribute-discard', 'treat-as-withdraw'] as const;
export type BatchAction = (typeof ACTIONS)[number];

/** One chunk's worth of decoding, as the thread posts it. */
export interface DecodedChunk {
  readonly buffer: ArrayBuffer;
  /** Words of `buffer` in use. */
  readonly words: number;
  /** Input bytes this answers for. */
  readonly bytes: number;
  /** The peer and text tables start afresh before these records. */
  readonly reset: boolean;
  /** Appended to the peer table, then the text table. */
  readonly peers: readonly BmpPeer[];
  readonly texts: readonly string[];
  /** The framing error that ends the stream after these records (RFC 7854 has no resynchronisation). */
  readonly failure: SerialisedParseError | undefined;
}

export interface SerialisedParseError {
  readonly details: ParseErrorDetails;
  readonly message: string;
}

export function serialiseParseError(e: ParseError): SerialisedParseError {
  return { details: { kind: e.kind, field: e.field, offset: e.offset, required: e.required, remaining: e.remaining }, message: e.message };
}

/** The same ParseError again (class, kind, field, offset and message). */
export function parseErrorOf(s: SerialisedParseError): ParseError {
  const e = new ParseError(s.details);
  e.message = s.message;
  return e;
}

/** Counter deltas of a batch, for the session's BmpRouterCounters. */
export interface BatchCounts {
  messages: number;
  announced: number;
  withdrawn: number;
  endOfRib: number;
  skippedNlri: number;
  treatAsWithdraw: number;
  attributeDiscard: number;
  withoutPeerUp: number;
  unknownTlvs: number;
}

/** One Route Monitoring message of a batch, as objects (for tests and consumers that want them; the RIB reads words). */
export interface BmpBatchMessage {
  readonly peer: BmpPeer;
  readonly rib: BmpRib;
  readonly offset: number;
  readonly timestampSeconds: number;
  readonly capabilitiesFrom: 'peer-up' | 'fallback';
  readonly action: BatchAction;
  /** After the RFC 4271 §4.3 rule: a prefix also announced is not listed. */
  readonly withdrawn: readonly Nlri[];
  readonly announced: readonly Nlri[];
  readonly attributes: PathAttributes | undefined;
  readonly endOfRib: AfiSafi | undefined;
}

/**
 * A run of decoded Route Monitoring messages of one router, in stream
 * order, over words the session checked. Read it with a cursor:
 *
 *   for (const c = batch.cursor(); c.next(); ) rib.applyWords(table(c.peer, c.rib), c.words, c.update, c.texts);
 */
export class BmpRouteBatch {
  /** @internal */
  constructor(
    readonly words: Uint32Array,
    readonly start: number,
    readonly end: number,
    readonly size: number,
    readonly peers: readonly BmpPeer[],
    readonly texts: readonly string[],
    readonly counts: Readonly<BatchCounts>,
  ) {}

  cursor(): BmpRouteBatchCursor {
    return new BmpRouteBatchCursor(this);
  }

  /** Every message as objects (allocates; not for the hot path). */
  messages(): BmpBatchMessage[] {
    const out: BmpBatchMessage[] = [];
    for (const c = this.cursor(); c.next(); ) out.push(c.message());
    return out;
  }
}

export class BmpRouteBatchCursor {
  readonly words: Uint32Array;
  readonly texts: readonly string[];
  private readonly batch: BmpRouteBatch;
  private at = -1;
  private nextAt: number;
  /** Index of the current message's UPDATE words (for Rib.applyWords). */
  update = 0;
  peer!: BmpPeer;
  rib: BmpRib = 'adj-rib-in-pre';

  constructor(batch: BmpRouteBatch) {
    this.batch = batch;
    this.words = batch.words;
    this.texts = batch.texts;
    this.nextAt = batch.start;
  }

  /** Moves to the next message; false at the end. */
  next(): boolean {
    if (this.nextAt >= this.batch.end) return false;
    const w = this.words;
    const at = this.nextAt;
    this.at = at;
    this.nextAt = at + w[at + R_WORDS]!;
    this.update = at + R_UPDATE;
    this.peer = this.batch.peers[w[at + R_PEER]!]!;
    this.rib = RIB_CODES[w[at + R_RIB]! & 0xff]!;
    return true;
  }

  get offset(): number {
    return this.words[this.at + R_OFFSET_LO]! + this.words[this.at + R_OFFSET_HI]! * 2 ** 32;
  }

  get timestampSeconds(): number {
    return this.words[this.at + R_SECONDS]!;
  }

  get endOfRib(): AfiSafi | undefined {
    const eor = this.words[this.update + UW_END_OF_RIB]!;
    return eor === 0 ? undefined : { afi: eor >>> 16, safi: eor & 0xffff };
  }

  /** The current message as objects. */
  message(): BmpBatchMessage {
    const w = this.words;
    const u = this.update;
    const ribWord = w[this.at + R_RIB]!;
    const nAttr = w[u + UW_ATTR_WORDS]!;
    let p = u + UW_HEADER + nAttr;
    const entries = (count: number): Nlri[] => {
      const out: Nlri[] = [];
      for (let i = 0; i < count; i++) {
        const head = w[p]!;
        const v6 = (head & UW_IPV6) !== 0;
        const prefix = v6 ? Prefix.fromWords(6, head & 0xff, w[p + 2]!, w[p + 3]!, w[p + 4]!, w[p + 5]!) : Prefix.fromWords(4, head & 0xff, w[p + 2]!);
        out.push({ prefix, pathId: w[p + 1]! });
        p += v6 ? 6 : 3;
      }
      return out;
    };
    const withdrawn = entries(w[u + UW_WITHDRAWN]!);
    const announced = entries(w[u + UW_ANNOUNCED]!);
    const texts = this.texts;
    return {
      peer: this.peer,
      rib: this.rib,
      offset: this.offset,
      timestampSeconds: this.timestampSeconds,
      capabilitiesFrom: (ribWord & RIB_FALLBACK) !== 0 ? 'fallback' : 'peer-up',
      action: ACTIONS[(ribWord >>> RIB_ACTION_SHIFT) & 3]!,
      withdrawn,
      announced,
      attributes: nAttr === 0 ? undefined : decodeAttributeWords(w, u + UW_HEADER, (id) => texts[id]!),
      endOfRib: this.endOfRib,
    };
  }
}

/** The tables a session keeps for its thread's batches. */
export interface BatchTables {
  peers: BmpPeer[];
  texts: string[];
}

/** What readChunk() makes of a chunk: frames for the session's decoder and batches, in stream order. */
export type ChunkItem = BmpFrame | BmpRouteBatch;

/**
 * Checks every record of a decoded chunk and cuts it into items: each
 * FRAME a BmpFrame (a view of the buffer), each run of ROUTES records one
 * BmpRouteBatch. Updates `tables` (reset, new peers and texts; a reset
 * makes new arrays, so earlier batches keep theirs). Throws ParseError
 * (malformed, field `bmp.batch.…`) on a broken chunk, before any item is
 * returned.
 */
export function readChunk(chunk: DecodedChunk, tables: BatchTables): ChunkItem[] {
  const fail = (field: string, at: number, reason: string): ParseError => new ParseError({ kind: 'malformed', field: `bmp.batch.${field}`, offset: at * 4, reason });
  if (!(chunk.buffer instanceof ArrayBuffer) || !Number.isInteger(chunk.words) || chunk.words < 0 || chunk.words * 4 > chunk.buffer.byteLength) {
    throw fail('buffer', 0, 'no buffer, or fewer words than it says');
  }
  if (!Array.isArray(chunk.peers) || !chunk.peers.every(isPeer)) throw fail('peers', 0, 'not a list of peer identities');
  if (!Array.isArray(chunk.texts) || !chunk.texts.every((t) => typeof t === 'string')) throw fail('texts', 0, 'not a list of strings');
  const peers = chunk.reset ? [] : tables.peers;
  const texts = chunk.reset ? [] : tables.texts;
  for (const p of chunk.peers) peers.push(Object.freeze({ ...p }));
  for (const t of chunk.texts) texts.push(t);
  tables.peers = peers;
  tables.texts = texts;

  const w = new Uint32Array(chunk.buffer, 0, chunk.words);
  const end = chunk.words;
  const items: ChunkItem[] = [];
  let runStart = -1;
  let runSize = 0;
  let counts = emptyCounts();
  const closeRun = (at: number): void => {
    if (runStart < 0) return;
    items.push(new BmpRouteBatch(w, runStart, at, runSize, peers, texts, counts));
    runStart = -1;
    runSize = 0;
    counts = emptyCounts();
  };
  let p = 0;
  while (p < end) {
    if (p + R_PEER > end) throw fail('record', p, 'header cut short');
    const kind = w[p + R_KIND]!;
    const words = w[p + R_WORDS]!;
    if (words < R_PEER + 1 || words > end - p) throw fail('record.words', p, `${words} words do not fit`);
    const recEnd = p + words;
    const offset = w[p + R_OFFSET_LO]! + w[p + R_OFFSET_HI]! * 2 ** 32;
    if (kind === RECORD_FRAME) {
      const bytes = w[p + R_BYTES]!;
      if (bytes < 6 || R_FRAME_BYTES + Math.ceil(bytes / 4) !== words) throw fail('frame.bytes', p, `${bytes} bytes in ${words} words`);
      closeRun(p);
      const view = new Uint8Array(chunk.buffer, (p + R_FRAME_BYTES) * 4, bytes);
      items.push({ bytes: view, offset, version: view[0]!, type: view[5]! });
      p = recEnd;
      continue;
    }
    if (kind !== RECORD_ROUTES) throw fail('record.kind', p, `unknown kind ${kind}`);
    if (words < R_UPDATE + UW_HEADER) throw fail('record.words', p, `${words} words do not fit`);
    if (w[p + R_PEER]! >= peers.length) throw fail('peer', p, `peer ${w[p + R_PEER]} not in the table (${peers.length})`);
    const ribWord = w[p + R_RIB]!;
    if ((ribWord & 0xff) >= RIB_CODES.length || (ribWord & ~(0xff | RIB_FALLBACK | (3 << RIB_ACTION_SHIFT))) !== 0 || (ribWord >>> RIB_ACTION_SHIFT) === 3) {
      throw fail('rib', p, `bad word ${ribWord.toString(16)}`);
    }
    const u = p + R_UPDATE;
    let after: number;
    try {
      after = checkUpdateWords(w, u, recEnd, texts.length);
    } catch (e) {
      throw e instanceof ParseError ? fail('update', u, e.message) : e;
    }
    if (after !== recEnd) throw fail('update', after, `${recEnd - after} words left over`);
    if (runStart < 0) runStart = p;
    runSize++;
    counts.messages++;
    counts.announced += w[u + UW_ANNOUNCED]!;
    counts.withdrawn += w[p + R_DECODED_WITHDRAWN]!;
    if (w[u + UW_END_OF_RIB] !== 0) counts.endOfRib++;
    counts.skippedNlri += w[p + R_SKIPPED]!;
    const action = ribWord >>> RIB_ACTION_SHIFT;
    if (action === 2) counts.treatAsWithdraw++;
    else if (action === 1) counts.attributeDiscard++;
    if ((ribWord & RIB_FALLBACK) !== 0) counts.withoutPeerUp++;
    counts.unknownTlvs += w[p + R_TLVS]!;
    p = recEnd;
  }
  closeRun(end);
  return items;
}

function emptyCounts(): BatchCounts {
  return { messages: 0, announced: 0, withdrawn: 0, endOfRib: 0, skippedNlri: 0, treatAsWithdraw: 0, attributeDiscard: 0, withoutPeerUp: 0, unknownTlvs: 0 };
}

function isPeer(p: unknown): p is BmpPeer {
  if (typeof p !== 'object' || p === null) return false;
  const o = p as Record<string, unknown>;
  return typeof o.key === 'string' && typeof o.type === 'number' && typeof o.distinguisher === 'string' && typeof o.address === 'string' && typeof o.asn === 'number' && typeof o.bgpId === 'string';
}

/** A peer identity as sent across (a structured clone drops the freeze). */
export function peerIdentity(peer: BmpPeer): BmpPeer {
  return { key: peer.key, type: peer.type, distinguisher: peer.distinguisher, address: peer.address, asn: peer.asn as Asn, bgpId: peer.bgpId };
}
