/**
 * A bounded memo of decoded AS_PATH values, keyed by their wire bytes.
 *
 * Routes of a full table share few AS paths (every prefix an origin AS
 * announces through the same neighbours carries the same AS_PATH octets), and
 * building an AsPath (arrays, objects, Object.freeze) is the largest cost of
 * decoding an UPDATE after the NLRI. The same octets on a session with the
 * same AS number size always decode to the same immutable AsPath, so it is
 * shared: the memo is invisible to callers (same values, frozen) and saves
 * the memory of a million copies in a RIB.
 *
 * Layout, chosen so that a miss allocates nothing but the AsPath itself: a
 * direct-mapped table of SLOTS entries (FNV-1a of the octets and the AS size
 * picks the slot; a new value replaces the old one) whose octets are copied
 * into one arena. When the arena is full, the table is emptied and the arena
 * reused. Memory is fixed: the arena, three typed arrays and at most SLOTS
 * AsPaths. A hit is confirmed by comparing the octets. Malformed values are
 * not cached. Decoding is synchronous, so one memo per process is safe.
 */
import { AsPath } from '../as-path.js';
import { decodeAsPathSegments } from './as-path.js';
import { Malformed } from './malformed.js';

const SLOTS = 1 << 15;
const MASK = SLOTS - 1;
const ARENA_BYTES = 1 << 21;
/** Values longer than this are decoded without the memo (rare). */
const MAX_CACHED_LENGTH = 255;

const arena = new Uint8Array(ARENA_BYTES);
let arenaUsed = 0;
/** Per slot: hash, arena offset, length (-1: empty; the AS size is in the hash). */
const slotHash = new Int32Array(SLOTS);
const slotOffset = new Int32Array(SLOTS);
const slotLength = new Int32Array(SLOTS).fill(-1);
const slotPath: (AsPath | undefined)[] = new Array<AsPath | undefined>(SLOTS).fill(undefined);

export function decodeAsPathCached(buf: Uint8Array, start: number, length: number, asnBytes: 2 | 4): AsPath | Malformed {
  if (length > MAX_CACHED_LENGTH) return build(buf, start, length, asnBytes);
  const end = start + length;
  let h = 0x811c9dc5 ^ asnBytes;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  const slot = (h ^ (h >>> 15)) & MASK;
  if (slotLength[slot] === length && slotHash[slot] === h) {
    const o = slotOffset[slot]!;
    let same = true;
    for (let i = 0; i < length; i++) {
      if (arena[o + i] !== buf[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return slotPath[slot]!;
  }
  const path = build(buf, start, length, asnBytes);
  if (path instanceof Malformed) return path;
  if (arenaUsed + length > ARENA_BYTES) {
    slotLength.fill(-1);
    slotPath.fill(undefined);
    arenaUsed = 0;
  }
  for (let i = 0; i < length; i++) arena[arenaUsed + i] = buf[start + i]!;
  slotHash[slot] = h;
  slotOffset[slot] = arenaUsed;
  slotLength[slot] = length;
  slotPath[slot] = path;
  arenaUsed += length;
  return path;
}

function build(buf: Uint8Array, start: number, length: number, asnBytes: 2 | 4): AsPath | Malformed {
  const segments = decodeAsPathSegments(buf, start, length, asnBytes);
  return segments instanceof Malformed ? segments : AsPath.ofChecked(segments);
}
