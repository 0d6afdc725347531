/**
 * The decoding a BMP decoder thread does for one router's stream: framing
 * (framer.ts), the Route Monitoring messages (RFC 7854 §4.6) and their
 * UPDATEs (decodeUpdate, with the capabilities of the peer's Peer Up), and
 * the batch the main thread gets (route-batch.ts). It runs on the thread
 * (decoder-worker.ts) and, for tests, in-thread: bytes in, DecodedChunk out.
 *
 * It decodes exactly what BmpRouterSession would and no more. A Route
 * Monitoring message it decodes becomes a ROUTES record; every other
 * message, and any message it fails to decode (a malformed one, an UPDATE
 * the decoder refuses, attributes the RIB's encoding refuses), goes to the
 * session whole as a FRAME record, and the session's own code decodes it,
 * so events, errors, logs and counters are those of the in-thread path. It
 * follows Peer Up, Peer Down and Termination itself (BmpPeerStates; after
 * Termination everything is passed on whole) to decode what comes next.
 */
import { decodeUpdate } from '../bgp/update.js';
import { AttributeEncoder } from '../rib/attribute-words.js';
import { writeUpdateWords } from '../rib/update-words.js';
import { ParseError } from '../wire/parse-error.js';
import { WordBuffer } from '../wire/word-buffer.js';
import { BmpMessageType } from './constants.js';
import { type BmpFrame, BmpFramer } from './framer.js';
import { decodeBmpMessage } from './message.js';
import { BmpPeerStates } from './peer-states.js';
import { type BmpPeer, PeerHeaderCache } from './per-peer-header.js';
import {
  type DecodedChunk,
  R_BYTES,
  R_DECODED_WITHDRAWN,
  R_FRAME_BYTES,
  R_KIND,
  R_OFFSET_HI,
  R_OFFSET_LO,
  R_PEER,
  R_RIB,
  R_SECONDS,
  R_SKIPPED,
  R_TLVS,
  R_UPDATE,
  R_WORDS,
  RECORD_FRAME,
  RECORD_ROUTES,
  RIB_ACTION_SHIFT,
  RIB_CODES,
  RIB_FALLBACK,
  type SerialisedParseError,
  peerIdentity,
  serialiseParseError,
} from './route-batch.js';

export interface BmpBatchDecoderOptions {
  readonly maxMessageBytes?: number;
  /** Peers or texts a session's tables hold before they start afresh (bounded memory on both sides); default 65,536. */
  readonly maxTableEntries?: number;
}

const ACTION_CODE = { none: 0, 'attribute-discard': 1, 'treat-as-withdraw': 2 } as const;

export class BmpBatchDecoder {
  private readonly framer: BmpFramer;
  private readonly maxTableEntries: number;
  private readonly cache = new PeerHeaderCache();
  private readonly states = new BmpPeerStates();
  private readonly encoder = new AttributeEncoder();
  private readonly out = new WordBuffer(1 << 14);
  private readonly frames: BmpFrame[] = [];
  private peerIds = new Map<string, number>();
  private textIds = new Map<string, number>();
  private newPeers: BmpPeer[] = [];
  private newTexts: string[] = [];
  private reset = false;
  private terminated = false;
  private lastPeer: BmpPeer | undefined;
  private lastPeerId = -1;
  private readonly idOf = (text: string): number => {
    let id = this.textIds.get(text);
    if (id === undefined) {
      id = this.textIds.size;
      this.textIds.set(text, id);
      this.newTexts.push(text);
    }
    return id;
  };

  constructor(options: BmpBatchDecoderOptions = {}) {
    this.framer = new BmpFramer({ maxMessageBytes: options.maxMessageBytes });
    this.maxTableEntries = options.maxTableEntries ?? 65_536;
  }

  /** Decodes a chunk of the stream. Never throws: a framing error is the result's `failure` (after the records framed before it). */
  push(chunk: Uint8Array): DecodedChunk {
    if (this.peerIds.size >= this.maxTableEntries || this.textIds.size >= this.maxTableEntries) this.startTablesAfresh();
    const frames = this.frames;
    frames.length = 0;
    let failure: SerialisedParseError | undefined;
    try {
      this.framer.push(chunk, frames);
    } catch (e) {
      failure = serialised(e);
    }
    for (let i = 0; i < frames.length; i++) this.frame(frames[i]!);
    frames.length = 0;
    const { buffer, length } = this.out.take();
    const result: DecodedChunk = { buffer, words: length, bytes: chunk.length, reset: this.reset, peers: this.newPeers, texts: this.newTexts, failure };
    this.reset = false;
    this.newPeers = [];
    this.newTexts = [];
    return result;
  }

  /** The stream ended: the framing error if it ended inside a message. */
  end(): SerialisedParseError | undefined {
    try {
      this.framer.end();
      return undefined;
    } catch (e) {
      return serialised(e);
    }
  }

  private startTablesAfresh(): void {
    this.peerIds = new Map();
    this.textIds = new Map();
    this.newPeers = [];
    this.newTexts = [];
    this.lastPeer = undefined;
    this.lastPeerId = -1;
    this.reset = true;
  }

  private frame(frame: BmpFrame): void {
    if (this.terminated) return this.whole(frame);
    if (frame.type === BmpMessageType.routeMonitoring) {
      if (!this.routeMonitoring(frame)) this.whole(frame);
      return;
    }
    // Followed for what comes next; the session decodes it again for its events.
    try {
      const msg = decodeBmpMessage(frame, this.cache);
      if (msg.type === 'peer-up') this.states.up(msg.message);
      else if (msg.type === 'peer-down') this.states.down(msg.message.header.peer.key);
      else if (msg.type === 'termination') this.terminated = true;
    } catch {
      // The session drops it and reports why.
    }
    this.whole(frame);
  }

  /** Writes a ROUTES record; false (nothing written) when the session should decode the message itself. */
  private routeMonitoring(frame: BmpFrame): boolean {
    const out = this.out;
    const start = out.length;
    try {
      const msg = decodeBmpMessage(frame, this.cache);
      if (msg.type !== 'route-monitoring') return false;
      const rm = msg.message;
      const { header } = rm;
      const known = this.states.capabilitiesFor(header);
      const caps = known ?? BmpPeerStates.fallback(header);
      // As BmpRouterSession: the router's own tables may lack NEXT_HOP (FRR).
      const update = decodeUpdate(rm.update.body, caps, rm.update.offset + 19, { nextHopOptional: header.rib !== 'adj-rib-in-pre' });
      let skipped = 0;
      for (const s of update.skipped) skipped += s.count;
      const w = out.reserve(R_UPDATE);
      w[start + R_KIND] = RECORD_ROUTES;
      w[start + R_OFFSET_LO] = frame.offset % 2 ** 32;
      w[start + R_OFFSET_HI] = Math.floor(frame.offset / 2 ** 32);
      w[start + R_PEER] = this.peerId(header.peer);
      w[start + R_RIB] = RIB_CODES.indexOf(header.rib) | (known === undefined ? RIB_FALLBACK : 0) | (ACTION_CODE[update.action] << RIB_ACTION_SHIFT);
      w[start + R_SECONDS] = header.timestampSeconds;
      w[start + R_SKIPPED] = skipped;
      w[start + R_TLVS] = rm.tlvs.length;
      w[start + R_DECODED_WITHDRAWN] = update.withdrawn.length;
      out.length = start + R_UPDATE;
      writeUpdateWords(out, update, this.encoder, this.idOf);
      out.words[start + R_WORDS] = out.length - start;
      return true;
    } catch {
      out.length = start;
      return false;
    }
  }

  private peerId(peer: BmpPeer): number {
    if (peer === this.lastPeer) return this.lastPeerId;
    let id = this.peerIds.get(peer.key);
    if (id === undefined) {
      id = this.peerIds.size;
      this.peerIds.set(peer.key, id);
      this.newPeers.push(peerIdentity(peer));
    }
    this.lastPeer = peer;
    this.lastPeerId = id;
    return id;
  }

  /** A FRAME record: the message, whole. */
  private whole(frame: BmpFrame): void {
    const out = this.out;
    const n = frame.bytes.length;
    const words = R_FRAME_BYTES + Math.ceil(n / 4);
    const w = out.reserve(words);
    const at = out.length;
    w[at + R_KIND] = RECORD_FRAME;
    w[at + R_WORDS] = words;
    w[at + R_OFFSET_LO] = frame.offset % 2 ** 32;
    w[at + R_OFFSET_HI] = Math.floor(frame.offset / 2 ** 32);
    w[at + R_BYTES] = n;
    w[at + words - 1] = 0; // the padding
    new Uint8Array(w.buffer, (at + R_FRAME_BYTES) * 4, n).set(frame.bytes);
    out.length = at + words;
  }
}

function serialised(e: unknown): SerialisedParseError {
  if (e instanceof ParseError) return serialiseParseError(e);
  const message = e instanceof Error ? e.message : String(e);
  return { details: { kind: 'malformed', field: 'bmp.stream', offset: 0, reason: message }, message };
}
