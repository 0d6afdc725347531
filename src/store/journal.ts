/**
 * An append-only journal of DAG-CBOR records: what the outbox writes before
 * it acts, so a crash loses nothing it was told it had.
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
 * - A failed write is undone (the file truncated back to its last good
 *   end) so later records do not land after half a frame.
 *
 * One process per file: nothing here locks it (the daemon owns its store
 * directory). Compaction and repair are later work; scanFrames() and the
 * Journal interface are the seams for them (a compacted journal is a new
 * file of the live records, renamed over the old one).
 */
import { open as openFile, type FileHandle, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import { JournalClosedError, JournalCorruptError, JournalEncodeError, JournalWriteError } from './journal-error.js';
import { checkMagic, encodeFrame, encodeRecord, type JournalValue, MAGIC, scanFrames } from './journal-frame.js';

export type { JournalValue } from './journal-frame.js';

/** What the outbox needs from storage; FileJournal and MemoryJournal implement it. */
export interface Journal {
  /** A path, or `memory`: for messages. */
  readonly name: string;
  /** The records the journal held when it was opened, oldest first (decoded: plain objects, arrays, numbers, strings). */
  recovered(): readonly unknown[];
  /** Resolves once the record is durable; rejects with JournalEncodeError, JournalWriteError or JournalClosedError. */
  append(record: JournalValue): Promise<void>;
  /** Waits for pending appends, then releases the file. Idempotent. */
  close(): Promise<void>;
}

export interface FileJournalOptions {
  readonly logger?: Logger;
}

interface Waiter {
  readonly frame: Buffer;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class FileJournal implements Journal {
  private readonly batch: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  private constructor(
    readonly name: string,
    private readonly handle: FileHandle,
    /** Durable end of the file: where the next batch is written. */
    private size: number,
    private readonly found: readonly unknown[],
  ) {}

  /**
   * Opens (or creates) the journal at `path`, reads its records, and
   * truncates a torn tail. Throws JournalCorruptError for damage before the
   * last record or a file that is not a journal.
   */
  static async open(path: string, options: FileJournalOptions = {}): Promise<FileJournal> {
    const logger = options.logger ?? NOOP_LOGGER;
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
      return new FileJournal(path, handle, end, records);
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
      this.batch.push({ frame, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing;
    await this.handle.close();
  }

  /** Writes and syncs batches until none is waiting. */
  private async flush(): Promise<void> {
    while (this.batch.length > 0) {
      const waiters = this.batch.splice(0);
      const bytes = waiters.length === 1 ? waiters[0]!.frame : Buffer.concat(waiters.map((w) => w.frame));
      try {
        await this.writeAll(bytes);
        await this.handle.datasync();
        this.size += bytes.length;
        for (const w of waiters) w.resolve();
      } catch (err) {
        const error = new JournalWriteError(this.name, err instanceof Error ? err.message : String(err), { cause: err });
        await this.handle.truncate(this.size).catch(() => undefined);
        for (const w of waiters) w.reject(error);
      }
    }
    this.flushing = undefined;
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

/** fsync of the directory, so a newly created file's entry survives a crash too (where the OS allows it). */
async function syncDirectory(path: string): Promise<void> {
  let dir: FileHandle | undefined;
  try {
    dir = await openFile(dirname(path), 'r');
    await dir.sync();
  } catch {
    // Not every platform can open or sync a directory; the file itself is synced.
  } finally {
    await dir?.close();
  }
}
