/**
 * The journal's file format: a file header, then frames, each one record.
 *
 * ```
 * file   = magic "ROVDJNL" version(1 = 0x01) frame*
 * frame  = length(u32 BE) payloadCrc(u32 BE) headerCrc(u32 BE) payload(length bytes)
 *   payload    = one DAG-CBOR value (https://ipld.io/specs/codecs/dag-cbor/spec/)
 *   payloadCrc = CRC-32 of payload
 *   headerCrc  = CRC-32 of the 8 bytes length + payloadCrc
 * ```
 *
 * The header has its own CRC because a damaged length cannot be told from
 * a record cut short otherwise: a flipped bit in the length of a record in
 * the middle of the file would make it reach past the end, look like a torn
 * last write, and have everything after it truncated.
 *
 * scanFrames() is pure (bytes in, records and findings out) so a later
 * `--repair` and compaction (rewrite the live records into a new file and
 * rename it over the old) can reuse it; it never throws on bad bytes.
 *
 * What counts as a torn tail, cut off by a crash during the last append
 * (the write was not fsynced, so nobody was told it was recorded):
 * - fewer bytes left than a frame header;
 * - a valid header whose payload reaches past the end of the file;
 * - a last frame, ending exactly at the end of the file, whose payload
 *   fails its CRC (file size extended, data blocks not all written);
 * - a remainder of only zero bytes (some file systems extend the size
 *   before the data lands; an all-zero header never passes its CRC).
 * Anything else that fails a check is corruption.
 */
import * as dagCbor from '@ipld/dag-cbor';
import { crc32 } from './crc32.js';

export const MAGIC = Buffer.from('ROVDJNL\x01', 'latin1');
export const FRAME_HEADER_BYTES = 12;
/** No record comes near this; a larger length is damage, not data. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** What DAG-CBOR can hold (the IPLD data model, less links and bytes we do not use). */
export type JournalValue = null | boolean | number | string | Uint8Array | readonly JournalValue[] | { readonly [key: string]: JournalValue };

/** One frame around an encoded payload. */
export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length > MAX_RECORD_BYTES) throw new RangeError(`record of ${payload.length} bytes is over the ${MAX_RECORD_BYTES}-byte limit`);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.writeUInt32BE(crc32(payload), 4);
  frame.writeUInt32BE(crc32(frame, 0, 8), 8);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

export function encodeRecord(value: JournalValue): Uint8Array {
  return dagCbor.encode(value);
}

export interface ScannedRecord {
  /** Offset of the frame in the file. */
  readonly offset: number;
  readonly value: unknown;
}

export interface ScanResult {
  readonly records: ScannedRecord[];
  /** End of the last good frame: where the next append goes. */
  readonly end: number;
  /** A torn last write found at `end` (the bytes from `end` on are to be dropped). */
  readonly torn?: { readonly offset: number; readonly bytes: number; readonly reason: string };
  /** Damage before the last frame; `records` holds the frames before it. */
  readonly corrupt?: { readonly offset: number; readonly reason: string };
}

/** Whether `bytes` starts like a journal; 'torn' for a file cut inside its magic. */
export function checkMagic(bytes: Uint8Array): 'ok' | 'torn' | 'bad' {
  const n = Math.min(bytes.length, MAGIC.length);
  if (!MAGIC.subarray(0, n).equals(bytes.subarray(0, n))) return 'bad';
  return n < MAGIC.length ? 'torn' : 'ok';
}

/** Reads the frames of a file (magic already checked) from `start`. */
export function scanFrames(bytes: Buffer, start = MAGIC.length): ScanResult {
  const records: ScannedRecord[] = [];
  let offset = start;
  const torn = (reason: string): ScanResult => ({ records, end: offset, torn: { offset, bytes: bytes.length - offset, reason } });
  const corrupt = (reason: string): ScanResult => ({ records, end: offset, corrupt: { offset, reason } });
  while (offset < bytes.length) {
    const left = bytes.length - offset;
    if (allZero(bytes, offset)) return torn(`${left} zero bytes after the last record`);
    if (left < FRAME_HEADER_BYTES) return torn(`${left} bytes, less than a frame header`);
    const length = bytes.readUInt32BE(offset);
    const payloadCrc = bytes.readUInt32BE(offset + 4);
    if (crc32(bytes, offset, offset + 8) !== bytes.readUInt32BE(offset + 8)) return corrupt('frame header checksum mismatch');
    if (length > MAX_RECORD_BYTES) return corrupt(`record length ${length} over the ${MAX_RECORD_BYTES}-byte limit`);
    const payloadStart = offset + FRAME_HEADER_BYTES;
    const next = payloadStart + length;
    if (next > bytes.length) return torn(`record of ${length} bytes cut at ${bytes.length - payloadStart}`);
    if (crc32(bytes, payloadStart, next) !== payloadCrc) {
      return next === bytes.length ? torn('last record fails its checksum') : corrupt('record checksum mismatch');
    }
    let value: unknown;
    try {
      value = dagCbor.decode(bytes.subarray(payloadStart, next));
    } catch (err) {
      return corrupt(`record is not DAG-CBOR: ${err instanceof Error ? err.message : String(err)}`);
    }
    records.push({ offset, value });
    offset = next;
  }
  return { records, end: offset };
}

function allZero(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

export interface RepairScan {
  /** Every frame whose header and payload check out and decode, with its raw bytes. */
  readonly records: (ScannedRecord & { readonly bytes: Buffer })[];
  /** Spans skipped: damage (a frame that failed a check, up to the next valid frame) and a torn tail. */
  readonly dropped: { readonly offset: number; readonly bytes: number; readonly reason: string }[];
}

/**
 * For `--repair`: reads every frame that checks out, anywhere in the file.
 * Where scanFrames() stops at damage, this looks for the next offset where
 * a whole valid frame starts (header CRC, length, payload CRC, DAG-CBOR)
 * and goes on from there; each skipped span is reported. A false resync
 * inside a damaged span would need two CRC-32 matches on random bytes.
 * O(file) header checks of 8 bytes each.
 */
export function scanForRepair(bytes: Buffer, start = MAGIC.length): RepairScan {
  const records: (ScannedRecord & { bytes: Buffer })[] = [];
  const dropped: { offset: number; bytes: number; reason: string }[] = [];
  let offset = start;
  while (offset < bytes.length) {
    const scan = scanFrames(bytes, offset);
    for (const r of scan.records) {
      const length = bytes.readUInt32BE(r.offset);
      records.push({ ...r, bytes: bytes.subarray(r.offset, r.offset + FRAME_HEADER_BYTES + length) });
    }
    if (scan.torn) {
      dropped.push({ offset: scan.torn.offset, bytes: scan.torn.bytes, reason: scan.torn.reason });
      break;
    }
    if (!scan.corrupt) break;
    const next = nextValidFrame(bytes, scan.end + 1);
    dropped.push({ offset: scan.end, bytes: next - scan.end, reason: scan.corrupt.reason });
    offset = next;
  }
  return { records, dropped };
}

/** The first offset at or after `from` where a whole valid frame starts; bytes.length if none. */
function nextValidFrame(bytes: Buffer, from: number): number {
  for (let at = from; at + FRAME_HEADER_BYTES <= bytes.length; at++) {
    if (crc32(bytes, at, at + 8) !== bytes.readUInt32BE(at + 8)) continue;
    const length = bytes.readUInt32BE(at);
    const end = at + FRAME_HEADER_BYTES + length;
    if (length > MAX_RECORD_BYTES || end > bytes.length) continue;
    if (crc32(bytes, at + FRAME_HEADER_BYTES, end) !== bytes.readUInt32BE(at + 4)) continue;
    try {
      dagCbor.decode(bytes.subarray(at + FRAME_HEADER_BYTES, end));
    } catch {
      continue;
    }
    return at;
  }
  return bytes.length;
}
