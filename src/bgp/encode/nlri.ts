/**
 * Writing NLRI (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 §3): [path-id:u32]
 * length:u8 and the minimum number of octets of the prefix.
 */
import type { Nlri } from '../update.js';
import { ByteWriter } from './byte-writer.js';

export function writeNlri(w: ByteWriter, nlri: readonly Nlri[], addPath: boolean, field: string): void {
  for (const { prefix, pathId } of nlri) {
    if (addPath) w.u32(pathId, `${field}.pathId`);
    else if (pathId !== 0) throw new RangeError(`${field}.pathId: ${pathId} without ADD-PATH for this AFI/SAFI`);
    w.u8(prefix.length, `${field}.length`);
    const n = (prefix.length + 7) >> 3;
    for (let i = 0; i < n; i++) {
      const word = prefix.word(i >> 2);
      w.u8((word >>> (24 - 8 * (i & 3))) & 0xff, `${field}.prefix`);
    }
  }
}

/** NLRI of one family as a field on its own (Withdrawn Routes, NLRI). */
export function encodeNlri(nlri: readonly Nlri[], addPath: boolean, field: string): Uint8Array {
  const w = new ByteWriter(5 * nlri.length + 1);
  writeNlri(w, nlri, addPath, field);
  return w.finish();
}
