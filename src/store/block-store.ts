/**
 * Content-addressed blocks: bytes named by their CID, written once, read
 * back only if they still hash to their name.
 *
 * FileBlockStore keeps one file per block, `<dir>/<cid>` (base32 CIDv1).
 * One file a block, not a packed file, because blocks are immutable and
 * shared between sets: deduplication is "the file exists", garbage
 * collection is unlink(), and there is no index to keep consistent or pack
 * to compact. A set is ~100 blocks and successive sets share almost all of
 * them (vrp-set-codec.ts chunks by content), so 50 kept sets are a few
 * hundred files.
 *
 * A write is atomic: the bytes go to `<cid>.<random>.tmp` in the same
 * directory, are fsynced, renamed to `<cid>`, and the directory is
 * fsynced. A crash leaves either no block or the whole block, plus maybe a
 * temp file: open() deletes those, and nothing else ever reads them.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open as openFile, readFile, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CID } from 'multiformats/cid';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import { blockMatches } from './vrp-set-codec.js';

/** A block that does not hash to its CID (damaged on disk), or is missing. */
export class BlockError extends Error {
  constructor(
    readonly cid: string,
    readonly kind: 'corrupt' | 'missing',
    message: string,
  ) {
    super(message);
    this.name = 'BlockError';
  }
}

export interface BlockStore {
  /** `memory` or the directory: for messages. */
  readonly name: string;
  has(cid: string): boolean;
  /** The verified bytes; BlockError when missing or when they do not hash to `cid`. */
  get(cid: CID): Promise<Uint8Array>;
  /** Stores the block unless present; resolves once it is durable. */
  put(cid: CID, bytes: Uint8Array): Promise<void>;
  delete(cid: string): Promise<void>;
  /** The CIDs held (string form). */
  list(): readonly string[];
}

export class MemoryBlockStore implements BlockStore {
  readonly name = 'memory';
  private readonly blocks = new Map<string, Uint8Array>();

  has(cid: string): boolean {
    return this.blocks.has(cid);
  }

  async get(cid: CID): Promise<Uint8Array> {
    const key = cid.toString();
    const bytes = this.blocks.get(key);
    if (bytes === undefined) throw new BlockError(key, 'missing', `block ${key} is not in the store`);
    if (!blockMatches(cid, bytes)) throw new BlockError(key, 'corrupt', `block ${key} in memory does not hash to its CID`);
    return bytes;
  }

  async put(cid: CID, bytes: Uint8Array): Promise<void> {
    const key = cid.toString();
    if (!this.blocks.has(key)) this.blocks.set(key, bytes);
  }

  async delete(cid: string): Promise<void> {
    this.blocks.delete(cid);
  }

  list(): readonly string[] {
    return [...this.blocks.keys()];
  }
}

export class FileBlockStore implements BlockStore {
  private constructor(
    readonly name: string,
    private readonly present: Set<string>,
  ) {}

  /** Creates the directory if needed, deletes leftover temp files, lists the blocks. */
  static async open(dir: string, logger: Logger = NOOP_LOGGER): Promise<FileBlockStore> {
    await mkdir(dir, { recursive: true });
    const present = new Set<string>();
    for (const name of await readdir(dir)) {
      if (name.endsWith('.tmp')) {
        // An interrupted write: never renamed, so never a block.
        await rm(join(dir, name), { force: true });
        logger.warn({ file: join(dir, name) }, 'store: removed an unfinished block write');
        continue;
      }
      if (parseCid(name) !== undefined) present.add(name);
    }
    return new FileBlockStore(dir, present);
  }

  has(cid: string): boolean {
    return this.present.has(cid);
  }

  async get(cid: CID): Promise<Uint8Array> {
    const key = cid.toString();
    let bytes: Buffer;
    try {
      bytes = await readFile(join(this.name, key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlockError(key, 'missing', `block ${key} is not in ${this.name}`);
      throw err;
    }
    if (!blockMatches(cid, bytes)) throw new BlockError(key, 'corrupt', `block ${join(this.name, key)} is damaged: its ${bytes.length} bytes do not hash to its CID`);
    return bytes;
  }

  async put(cid: CID, bytes: Uint8Array): Promise<void> {
    const key = cid.toString();
    if (this.present.has(key)) return;
    const final = join(this.name, key);
    const temp = `${final}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await openFile(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } catch (err) {
      await handle.close();
      await rm(temp, { force: true });
      throw err;
    }
    await handle.close();
    await rename(temp, final);
    await syncDirectory(this.name);
    this.present.add(key);
  }

  async delete(cid: string): Promise<void> {
    this.present.delete(cid);
    await unlink(join(this.name, cid)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  list(): readonly string[] {
    return [...this.present];
  }
}

/** The CID in `text`, or undefined. */
export function parseCid(text: string): CID | undefined {
  try {
    return CID.parse(text);
  } catch {
    return undefined;
  }
}

/** fsync of a directory, so a rename survives a crash (where the OS allows it). */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await openFile(dir, 'r');
    await handle.sync();
  } catch {
    // Not every platform can open or sync a directory.
  } finally {
    await handle?.close();
  }
}
