/**
 * An append-only journal of DAG-CBOR records: what the outbox and the
 * alert state write before they act, so a crash loses nothing they were
 * told they had.
 *
 * - append() resolves only once the record is written and fsynced.
 *   Appends made while a sync runs are written together and share the
 *   next fsync (group commit), so a burst of notifications costs a few
 *   syncs, not one each.
 * - Framing and the torn-tail rules are in journal-frame.ts. On open, a
 *   torn last write is truncated (and logged): it was never acknowledged.
 *   Damage before the last record refuses the open with
 *   JournalCorruptError (file and offset): those records were
 *   acknowledged, and silently dropping what follows would lose them.
 *   With `repair: true` (`rovd run --repair`) the open keeps every frame
 *   that checks out instead, sets the damaged file aside
 *   (journal-repair.ts) and logs what was dropped.
 * - A failed write is undone (the file truncated back to its last good
 *   end) so later records do not land after half a frame.
 * - rewrite(records) compacts: the records go to `<name>.compact`, which
 *   is fsynced and renamed over the journal, then the directory is
 *   fsynced. A crash before the rename leaves the old journal (and a
 *   `.compact` file the next open deletes), after it the new one. Appends
 *   made before the call are written to the old file first; appends made
 *   after it wait and go to the new one, so the order of records is the
 *   order of calls.
 *
 * One process per file: nothing here locks it (the daemon owns its store
 * directory).
 */
import { open as openFile, type FileHandle, readFile, rename, rm } from 'node:fs/promises';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import { JournalClosedError, JournalCorruptError, JournalEncodeError, JournalWriteError } from './journal-error.js';
import { checkMagic, encodeFrame, encodeRecord, type JournalValue, MAGIC, scanFrames } from './journal-frame.js';
import { repairJournal } from './journal-repair.js';
import { syncDirectory } from './sync-directory.js';

export type { JournalValue } from './journal-frame.js';

/** What the outbox needs from storage; FileJournal and MemoryJournal implement it. */
export interface Journal {
  /** A path, or `memory`: for messages. */
  readonly name: string;
  /** The records the journal held when it was opened, oldest first (decoded: plain objects, arrays, numbers, strings). */
  recovered(): readonly unknown[];
  /** Resolves once the record is durable; rejects with JournalEncodeError, JournalWriteError or JournalClosedError. */
  append(record: JournalValue): Promise<void>;
  /**
   * Replaces the whole content by `records` (compaction: a snapshot and the
   * live records), atomically. Appends made before the call are written
   * (then dropped with the old content); appends made after it follow the
   * new records. Rejects (JournalWriteError, JournalEncodeError) with the
   * old content kept.
   */
  rewrite(records: readonly JournalValue[]): Promise<void>;
  /** Size and records so far (recovered, appended, or rewritten). */
  stats(): JournalStats;
  /** Waits for pending appends, then releases the file. Idempotent. */
  close(): Promise<void>;
}

export interface JournalStats {
  readonly bytes: number;
  readonly records: number;
}

/** The steps of rewrite(), for tests that interrupt it at each (a throw from the hook stops it there, as a crash would). */
export type RewriteStep = 'tmp-written' | 'tmp-synced' | 'renamed' | 'dir-synced';

export interface FileJournalOptions {
  readonly logger?: Logger;
  /** Keep every readable record of a damaged journal instead of refusing it (the damaged file is kept aside). */
  readonly repair?: boolean;
  /** Called after each step of rewrite(); tests throw from it to simulate a crash there. */
  readonly onRewriteStep?: (step: RewriteStep) => void | Promise<void>;
}

interface Waiter {
  readonly frame: Buffer;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/** A rewrite waiting its turn in the queue. */
interface Rewrite {
  readonly frames: readonly Buffer[];
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/** Where rewrite() builds the new file; a leftover one (a crash before the rename) is deleted on open. */
export const compactPath = (path: string): string => `${path}.compact`;

export class FileJournal implements Journal {
  private readonly queue: (Waiter | Rewrite)[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;
  private records: number;

  private constructor(
    readonly name: string,
    private handle: FileHandle,
    /** Durable end of the file: where the next batch is written. */
    private size: number,
    private readonly found: readonly unknown[],
    private readonly onRewriteStep: FileJournalOptions['onRewriteStep'],
  ) {
    this.records = found.length;
  }

  /**
   * Opens (or creates) the journal at `path`, reads its records, and
   * truncates a torn tail. Throws JournalCorruptError for damage before the
   * last record or a file that is not a journal.
   */
  static async open(path: string, options: FileJournalOptions = {}): Promise<FileJournal> {
    const logger = options.logger ?? NOOP_LOGGER;
    await removeStaleCompaction(path, logger);
    if (options.repair === true) await repairJournal(path, { logger });
    const handle = await openFile(path, 'a+');
    try {
      const bytes = await readFile(handle);
      let end: number;
      let records: unknown[] = [];
      const magic = checkMagic(bytes);
      if (magic === 'bad') throw new JournalCorruptError(path, 0, 'not a rovd journal (bad magic)');
      if (magic === 'torn') {
        // Empty, or cut while the header was written: a new journal.
        await handle.truncate(0);
        await handle.write(MAGIC, 0, MAGIC.length, 0);
        await handle.sync();
        await syncDirectory(path);
        end = MAGIC.length;
      } else {
        const scan = scanFrames(bytes);
        if (scan.corrupt) throw new JournalCorruptError(path, scan.corrupt.offset, scan.corrupt.reason);
        if (scan.torn) {
          logger.warn({ journal: path, offset: scan.torn.offset, bytes: scan.torn.bytes, reason: scan.torn.reason }, 'journal: torn last write truncated');
          await handle.truncate(scan.end);
          await handle.sync();
        }
        end = scan.end;
        records = scan.records.map((r) => r.value);
      }
      return new FileJournal(path, handle, end, records, options.onRewriteStep);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  recovered(): readonly unknown[] {
    return this.found;
  }

  append(record: JournalValue): Promise<void> {
    if (this.closed) return Promise.reject(new JournalClosedError(this.name));
    let frame: Buffer;
    try {
      frame = encodeFrame(encodeRecord(record));
    } catch (err) {
      return Promise.reject(new JournalEncodeError(this.name, err instanceof Error ? err.message : String(err), { cause: err }));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ frame, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  rewrite(records: readonly JournalValue[]): Promise<void> {
    if (this.closed) return Promise.reject(new JournalClosedError(this.name));
    let frames: Buffer[];
    try {
      frames = records.map((r) => encodeFrame(encodeRecord(r)));
    } catch (err) {
      return Promise.reject(new JournalEncodeError(this.name, err instanceof Error ? err.message : String(err), { cause: err }));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ frames, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  stats(): JournalStats {
    return { bytes: this.size, records: this.records };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing;
    await this.handle.close();
  }

  /** Writes and syncs batches (the appends up to the next rewrite), and runs rewrites, in queue order, until the queue is empty. */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if ('frames' in head) {
        this.queue.shift();
        try {
          await this.replace(head.frames);
          head.resolve();
        } catch (err) {
          head.reject(new JournalWriteError(this.name, `compaction: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
        }
        continue;
      }
      let n = 0;
      while (n < this.queue.length && 'frame' in this.queue[n]!) n++;
      const waiters = this.queue.splice(0, n) as Waiter[];
      const bytes = waiters.length === 1 ? waiters[0]!.frame : Buffer.concat(waiters.map((w) => w.frame));
      try {
        await this.writeAll(bytes);
        await this.handle.datasync();
        this.size += bytes.length;
        this.records += waiters.length;
        for (const w of waiters) w.resolve();
      } catch (err) {
        const error = new JournalWriteError(this.name, err instanceof Error ? err.message : String(err), { cause: err });
        await this.handle.truncate(this.size).catch(() => undefined);
        for (const w of waiters) w.reject(error);
      }
    }
    this.flushing = undefined;
  }

  /** The compaction: a new file beside the journal, fsynced, renamed over it, the directory fsynced; then appends go to it. */
  private async replace(frames: readonly Buffer[]): Promise<void> {
    const tmp = compactPath(this.name);
    const bytes = Buffer.concat([MAGIC, ...frames]);
    const out = await openFile(tmp, 'w');
    try {
      let done = 0;
      while (done < bytes.length) done += (await out.write(bytes, done, bytes.length - done)).bytesWritten;
      await this.onRewriteStep?.('tmp-written');
      await out.sync();
      await this.onRewriteStep?.('tmp-synced');
    } catch (err) {
      await out.close().catch(() => undefined);
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    await out.close();
    // From here the new content is whole on disk: a failure of the rename leaves the old journal, of what follows the new one.
    try {
      await rename(tmp, this.name);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    await this.onRewriteStep?.('renamed');
    await syncDirectory(this.name);
    await this.onRewriteStep?.('dir-synced');
    const handle = await openFile(this.name, 'a+');
    const old = this.handle;
    this.handle = handle;
    this.size = bytes.length;
    this.records = frames.length;
    await old.close().catch(() => undefined);
  }

  private async writeAll(bytes: Buffer): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      // 'a+' opens with O_APPEND: the position is ignored, writes go to the end.
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done);
      done += bytesWritten;
    }
  }
}

/** A `.compact` file left by a crash during rewrite(), before its rename: the journal itself is the old one, whole. */
async function removeStaleCompaction(path: string, logger: Logger): Promise<void> {
  const tmp = compactPath(path);
  try {
    await rm(tmp);
    logger.warn({ journal: path, file: tmp }, 'journal: removed an unfinished compaction (the journal before it is intact)');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
