/**
 * CAR v1 (https://ipld.io/specs/transport/car/carv1/), the standard way to
 * ship a DAG of IPLD blocks, written as a stream:
 *
 *   car    = varint(len(header)) header block*
 *   header = DAG-CBOR { version: 1, roots: [CID] }
 *   block  = varint(len(cid) + len(data)) cid data      (cid: binary CIDv1)
 *
 * Small enough to write here rather than depend on @ipld/car for it;
 * `ipfs dag import`, `car` (go-car) and @ipld/car read the result.
 */
import * as dagCbor from '@ipld/dag-cbor';
import type { CID } from 'multiformats/cid';
import { varint } from 'multiformats';
import type { Block } from './vrp-set-codec.js';

export const CAR_CONTENT_TYPE = 'application/vnd.ipld.car; version=1';

/** The CAR header naming `root`. */
export function carHeader(root: CID): Uint8Array {
  const header = dagCbor.encode({ version: 1, roots: [root] });
  return concat([varint.encodeTo(header.length, new Uint8Array(varint.encodingLength(header.length))), header]);
}

/** One block section. */
export function carSection(block: Block): Uint8Array {
  const cid = block.cid.bytes;
  const n = cid.length + block.bytes.length;
  return concat([varint.encodeTo(n, new Uint8Array(varint.encodingLength(n))), cid, block.bytes]);
}

/** The CAR of `blocks` (root first by convention) as a stream of byte chunks. */
export async function* carChunks(root: CID, blocks: AsyncIterable<Block>): AsyncGenerator<Uint8Array> {
  yield carHeader(root);
  for await (const block of blocks) yield carSection(block);
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}
