/**
 * The Journal without a disk: for tests, and for a daemon run without a
 * store directory (delivery still retries, but a restart forgets what was
 * pending). Records are encoded and decoded as the file journal does, so a
 * record the file journal would refuse is refused here too, and what
 * comes back from recovered() has the same shape (no undefined, plain
 * objects).
 */
import * as dagCbor from '@ipld/dag-cbor';
import { JournalClosedError, JournalEncodeError } from './journal-error.js';
import { encodeRecord, type JournalValue } from './journal-frame.js';
import type { Journal, JournalStats } from './journal.js';

export class MemoryJournal implements Journal {
  readonly name = 'memory';
  private readonly encoded: Uint8Array[];
  private readonly found: readonly unknown[];
  private closed = false;
  private bytes = 0;

  constructor(encoded: readonly Uint8Array[] = []) {
    this.encoded = [...encoded];
    this.found = this.encoded.map((bytes) => dagCbor.decode(bytes));
    for (const e of this.encoded) this.bytes += e.length;
  }

  /** What a restart over the same store would see: a new journal holding every record appended so far. */
  reopen(): MemoryJournal {
    return new MemoryJournal(this.encoded);
  }

  /** Records written so far (recovered and appended), decoded. */
  all(): unknown[] {
    return this.encoded.map((bytes) => dagCbor.decode(bytes));
  }

  recovered(): readonly unknown[] {
    return this.found;
  }

  append(record: JournalValue): Promise<void> {
    if (this.closed) return Promise.reject(new JournalClosedError(this.name));
    try {
      const bytes = encodeRecord(record);
      this.encoded.push(bytes);
      this.bytes += bytes.length;
    } catch (err) {
      return Promise.reject(new JournalEncodeError(this.name, err instanceof Error ? err.message : String(err), { cause: err }));
    }
    return Promise.resolve();
  }

  rewrite(records: readonly JournalValue[]): Promise<void> {
    if (this.closed) return Promise.reject(new JournalClosedError(this.name));
    let encoded: Uint8Array[];
    try {
      encoded = records.map((r) => encodeRecord(r));
    } catch (err) {
      return Promise.reject(new JournalEncodeError(this.name, err instanceof Error ? err.message : String(err), { cause: err }));
    }
    this.encoded.splice(0, this.encoded.length, ...encoded);
    this.bytes = encoded.reduce((n, e) => n + e.length, 0);
    return Promise.resolve();
  }

  stats(): JournalStats {
    return { bytes: this.bytes, records: this.encoded.length };
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
