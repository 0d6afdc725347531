/**
 * Content-addressed VRP sets: every set the Validator publishes is stored
 * as DAG-CBOR blocks (vrp-set-codec.ts) and named by its root's CID, so an
 * alert can say exactly which VRPs decided it and anyone can fetch that
 * set later and check it (GET /api/v1/vrps/{cid}).
 *
 * Off the critical path: record() only queues the snapshot. The blocks
 * are encoded and hashed after publish, one block per event-loop turn
 * (≤ 768 KiB of columns each, a few milliseconds), so neither the index
 * swap, revalidation nor BMP ingest waits for it. A full set of 800k VRPs
 * is identified some tens of milliseconds after it was published
 * (docs/benchmarks.md). Until then id(generation) is undefined and
 * detectors name `generation:N`; onIdentified() tells them when the CID
 * is known so they can upgrade what they raised (rpki-detector.ts).
 *
 * On disk, under `dir` (the daemon uses `<store.dir>/vrp-sets`):
 *   blocks/<cid>   one file per block, written atomically (block-store.ts)
 *   sets.json      the sets kept, oldest first, with when each was published
 * Blocks are written before sets.json names them, and deleted only after
 * it stopped naming them, so a crash at any point leaves every listed set
 * whole (at worst some unlisted blocks, which the next collection removes).
 * Without `dir` everything is in memory.
 *
 * Retention: the last `keep` distinct sets, plus every set the caller says
 * is still referenced (the alerts that name it). Collection runs after
 * each new set and on gc().
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open as openFile, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CID } from 'multiformats/cid';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import type { Aspa } from '../rpki/aspa.js';
import type { RpkiPayload } from '../rpki/payload.js';
import type { VrpTable } from '../rpki/vrp-table.js';
import { BlockError, type BlockStore, FileBlockStore, MemoryBlockStore, parseCid, syncDirectory } from './block-store.js';
import { type Block, type VrpSetRoot, blockMatches, childLinks, decodeRoot, decodeVrpSet, vrpSetBlocks } from './vrp-set-codec.js';

export const VRP_SNAPSHOT_DEFAULTS = Object.freeze({ keep: 50 });
/** Generation → CID entries remembered (the detector asks only about recent ones). */
const GENERATIONS_REMEMBERED = 4096;

export interface VrpSetInfo {
  readonly cid: string;
  readonly counts: { readonly vrps: number; readonly ipv4: number; readonly ipv6: number; readonly aspas: number };
  /** When rovd first published this set (ms since the epoch). */
  readonly firstPublishedAt: number;
  /** When it last published it (a set can come back, e.g. after a reverted change). */
  readonly lastPublishedAt: number;
  /** The root's child blocks (CIDs). */
  readonly blocks: readonly string[];
}

/** What record() takes: a published snapshot (RpkiSnapshot fits). */
export interface PublishedSet {
  readonly generation: number;
  readonly payload: Pick<RpkiPayload, 'vrps' | 'aspas'>;
  readonly publishedAt: number;
}

export interface StoredVrpSet {
  readonly info: VrpSetInfo;
  readonly root: VrpSetRoot;
  readonly vrps: VrpTable;
  readonly aspas: readonly Aspa[];
}

export class VrpSetNotFoundError extends Error {
  constructor(readonly cid: string) {
    super(`no VRP set ${cid} is kept`);
    this.name = 'VrpSetNotFoundError';
  }
}

export interface VrpSnapshotsOptions {
  /** Directory for blocks and the list of sets; undefined: memory only. */
  readonly dir?: string;
  /** Distinct sets kept besides the referenced ones; default 50. */
  readonly keep?: number;
  /** The CIDs still referenced (by alerts), asked at each collection. */
  readonly referenced?: () => Iterable<string>;
  readonly logger?: Logger;
}

type IdentifiedListener = (generation: number, cid: string) => void;

export class VrpSnapshots {
  private readonly sets = new Map<string, VrpSetInfo>();
  private readonly byGeneration = new Map<number, string>();
  /** Blocks identified but not yet durable: readable meanwhile. */
  private readonly pending = new Map<string, Uint8Array>();
  private readonly listeners = new Set<IdentifiedListener>();
  private readonly queue: PublishedSet[] = [];
  private running: Promise<void> | undefined;
  /** Serialises writes of sets.json and collections. */
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private last: { payload: PublishedSet['payload']; cid: string } | undefined;
  private readonly keep: number;
  private readonly log: Logger;

  private blocks: BlockStore = new MemoryBlockStore();
  private readonly dir: string | undefined;
  private ready: Promise<void> | undefined;
  private readonly referenced: () => Iterable<string>;

  /** Made at once (a detector can hold it); the directory is read by open(), or before the first set is stored. */
  constructor(options: VrpSnapshotsOptions = {}) {
    this.dir = options.dir;
    this.keep = options.keep ?? VRP_SNAPSHOT_DEFAULTS.keep;
    if (!Number.isInteger(this.keep) || this.keep < 1) throw new RangeError('VrpSnapshots: keep must be an integer >= 1');
    this.log = options.logger ?? NOOP_LOGGER;
    this.referenced = options.referenced ?? (() => []);
  }

  /** A store, opened: its directory created if needed, leftover temp files removed, the kept sets listed. */
  static async open(options: VrpSnapshotsOptions = {}): Promise<VrpSnapshots> {
    const store = new VrpSnapshots(options);
    await store.open();
    return store;
  }

  /** Reads the directory (once; later calls wait for the same). */
  open(): Promise<void> {
    return (this.ready ??= this.load());
  }

  private async load(): Promise<void> {
    if (this.dir === undefined) return;
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.dir)) {
      // An interrupted write of sets.json: the rename never happened, the old list stands.
      if (name.startsWith('sets.json.') && name.endsWith('.tmp')) await rm(join(this.dir, name), { force: true });
    }
    this.blocks = await FileBlockStore.open(join(this.dir, 'blocks'), this.log);
    await this.loadIndex();
  }

  /** `memory` or the directory. */
  get name(): string {
    return this.dir ?? 'memory';
  }

  /** Queues a published set for identification and storage; returns at once. */
  record(set: PublishedSet): void {
    if (this.closed) return;
    this.queue.push(set);
    this.running ??= this.drain();
  }

  /** The CID of a generation's set once identified (string form, base32 `b…`). */
  id(generation: number): string | undefined {
    return this.byGeneration.get(generation);
  }

  /** Calls `listener(generation, cid)` as each set is identified; returns an unsubscribe. */
  onIdentified(listener: IdentifiedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when every queued set is identified and stored (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
    await this.chain;
  }

  /** The sets kept, oldest first. */
  list(): readonly VrpSetInfo[] {
    return [...this.sets.values()];
  }

  info(cid: string): VrpSetInfo | undefined {
    return this.sets.get(cid);
  }

  /**
   * One block of a kept set, verified against its CID. Throws
   * VrpSetNotFoundError for a block no kept set has, BlockError when it is
   * missing from disk or damaged.
   */
  async block(cid: CID): Promise<Uint8Array> {
    const key = cid.toString();
    const waiting = this.pending.get(key);
    if (waiting !== undefined) {
      if (!blockMatches(cid, waiting)) throw new BlockError(key, 'corrupt', `block ${key} does not hash to its CID`);
      return waiting;
    }
    return this.blocks.get(cid);
  }

  /** True if `block` is the root of `set` or one of its children. */
  holds(set: string, block: string): boolean {
    const info = this.sets.get(set);
    return info !== undefined && (block === set || info.blocks.includes(block));
  }

  /**
   * The set named `cid`, every block verified: VrpSetNotFoundError if no
   * kept set has that CID, BlockError for a missing or damaged block,
   * VrpSetFormatError for a block that hashes right but is not a set.
   */
  async read(cid: CID): Promise<StoredVrpSet> {
    const info = this.sets.get(cid.toString());
    if (info === undefined) throw new VrpSetNotFoundError(cid.toString());
    const root = decodeRoot({ cid, bytes: await this.block(cid) });
    const children = new Map<string, Block>();
    for (const link of childLinks(root)) children.set(link.toString(), { cid: link, bytes: await this.block(link) });
    const { vrps, aspas } = decodeVrpSet(root, (link) => children.get(link.toString())!);
    return { info, root, vrps, aspas };
  }

  /** Every block of a set, root first, each verified as it is read: a CAR's contents. */
  async *blocksOf(cid: CID): AsyncGenerator<Block> {
    const info = this.sets.get(cid.toString());
    if (info === undefined) throw new VrpSetNotFoundError(cid.toString());
    const rootBytes = await this.block(cid);
    yield { cid, bytes: rootBytes };
    for (const link of childLinks(decodeRoot({ cid, bytes: rootBytes }))) yield { cid: link, bytes: await this.block(link) };
  }

  /**
   * Drops the sets that are neither among the last `keep` nor in
   * `referenced` (default: the `referenced` option), then every block no
   * kept set uses. Returns what went.
   */
  gc(referenced?: Iterable<string>): Promise<{ sets: number; blocks: number }> {
    return this.serial(() => this.collect(new Set(referenced ?? this.referenced())));
  }

  /** Finishes queued work and stops taking more. */
  async close(): Promise<void> {
    await this.idle();
    this.closed = true;
    this.listeners.clear();
  }

  // --- identification ------------------------------------------------------------

  private async drain(): Promise<void> {
    try {
      await this.open();
    } catch (err) {
      this.log.error({ err, dir: this.dir }, 'store: cannot open the VRP set store; sets are not kept');
      this.queue.length = 0;
    }
    while (this.queue.length > 0 && !this.closed) {
      const set = this.queue.shift()!;
      try {
        await this.identify(set);
      } catch (err) {
        this.log.error({ err, generation: set.generation }, 'store: could not snapshot the VRP set');
      }
    }
    this.running = undefined;
  }

  private async identify(set: PublishedSet): Promise<void> {
    const started = performance.now();
    let cid: string;
    let root: Block | undefined;
    let blocks: Block[] = [];
    let busyMs = 0;
    if (this.last !== undefined && this.last.payload === set.payload) {
      cid = this.last.cid;
    } else {
      const it = vrpSetBlocks(set.payload);
      for (;;) {
        const t = performance.now();
        const r = it.next();
        busyMs += performance.now() - t;
        if (r.done === true) {
          root = r.value;
          break;
        }
        blocks.push(r.value);
        // One block per turn of the event loop: sockets and timers run in between.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      cid = root.cid.toString();
      blocks = [...blocks, root].filter((b) => !this.blocks.has(b.cid.toString()));
      for (const b of blocks) this.pending.set(b.cid.toString(), b.bytes);
    }
    this.last = { payload: set.payload, cid };
    const old = this.sets.get(cid);
    const p = set.payload;
    const info: VrpSetInfo = Object.freeze({
      cid,
      counts: Object.freeze({ vrps: p.vrps.size, ipv4: p.vrps.v4.count, ipv6: p.vrps.v6.count, aspas: p.aspas.length }),
      firstPublishedAt: old?.firstPublishedAt ?? set.publishedAt,
      lastPublishedAt: set.publishedAt,
      blocks: old?.blocks ?? Object.freeze(childLinks(decodeRoot(root!)).map(String)),
    });
    this.sets.delete(cid); // re-inserted last: the most recent
    this.sets.set(cid, info);
    this.byGeneration.set(set.generation, cid);
    if (this.byGeneration.size > GENERATIONS_REMEMBERED) this.byGeneration.delete(this.byGeneration.keys().next().value!);
    const identifiedMs = performance.now() - started;
    for (const l of this.listeners) {
      try {
        l(set.generation, cid);
      } catch (err) {
        this.log.error({ err }, 'store: a VRP set listener failed');
      }
    }
    // A few writes at a time: each waits on its own fsync.
    for (let i = 0; i < blocks.length; i += 8) {
      const batch = blocks.slice(i, i + 8);
      await Promise.all(batch.map((b) => this.blocks.put(b.cid, b.bytes)));
      for (const b of batch) this.pending.delete(b.cid.toString());
    }
    await this.serial(() => this.writeIndex());
    const removed = await this.serial(() => this.collect(new Set(this.referenced())));
    this.log.info(
      { generation: set.generation, cid, vrps: p.vrps.size, newBlocks: blocks.length, busyMs: Math.round(busyMs * 10) / 10, identifiedMs: Math.round(identifiedMs * 10) / 10, storedMs: Math.round(performance.now() - started), dropped: removed },
      'store: VRP set snapshot',
    );
  }

  // --- retention -------------------------------------------------------------------

  private async collect(referenced: Set<string>): Promise<{ sets: number; blocks: number }> {
    const all = [...this.sets.keys()];
    const recent = new Set(all.slice(-this.keep));
    const drop = all.filter((cid) => !recent.has(cid) && !referenced.has(cid));
    for (const cid of drop) this.sets.delete(cid);
    if (drop.length > 0) await this.writeIndex();
    const live = new Set<string>();
    for (const info of this.sets.values()) {
      live.add(info.cid);
      for (const b of info.blocks) live.add(b);
    }
    let blocks = 0;
    for (const cid of this.blocks.list()) {
      if (live.has(cid) || this.pending.has(cid)) continue;
      await this.blocks.delete(cid);
      blocks++;
    }
    return { sets: drop.length, blocks };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  // --- sets.json -------------------------------------------------------------------

  private get indexPath(): string | undefined {
    return this.dir === undefined ? undefined : join(this.dir, 'sets.json');
  }

  private async loadIndex(): Promise<void> {
    const path = this.indexPath!;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let list: VrpSetInfo[];
    try {
      const doc = JSON.parse(text) as { version?: number; sets?: VrpSetInfo[] };
      if (doc.version !== 1 || !Array.isArray(doc.sets)) throw new Error('not a version 1 list of sets');
      list = doc.sets;
    } catch (err) {
      // Keep the damaged file for a person to look at; the blocks stay until the next collection.
      const aside = `${path}.damaged-${Date.now()}`;
      await rename(path, aside);
      this.log.error({ file: path, movedTo: aside, reason: (err as Error).message }, 'store: the list of VRP sets is unreadable; starting with none');
      return;
    }
    for (const info of list) {
      const missing = [info.cid, ...info.blocks].filter((b) => !this.blocks.has(b));
      if (parseCid(info.cid) === undefined || missing.length > 0) {
        this.log.warn({ cid: info.cid, missing: missing.length }, 'store: a listed VRP set lacks blocks; dropped');
        continue;
      }
      this.sets.set(info.cid, Object.freeze({ ...info, counts: Object.freeze({ ...info.counts }), blocks: Object.freeze([...info.blocks]) }));
    }
  }

  /** Writes sets.json atomically (temp, fsync, rename, directory fsync). */
  private async writeIndex(): Promise<void> {
    const path = this.indexPath;
    if (path === undefined) return;
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await openFile(temp, 'wx');
    try {
      await handle.writeFile(JSON.stringify({ version: 1, sets: [...this.sets.values()] }));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await syncDirectory(this.dir!);
  }
}
