/**
 * A journal whose appends and rewrites fail with ENOSPC while `full` is
 * set: what a full disk looks like from above. Reads and the rest go to
 * the memory journal under it.
 */
import type { Journal, JournalValue } from '../../src/store/journal.js';
import type { MemoryJournal } from '../../src/store/memory-journal.js';

export class FullDisk implements Journal {
  full = false;
  readonly name = 'full-disk';
  constructor(readonly inner: MemoryJournal) {}
  recovered(): readonly unknown[] {
    return this.inner.recovered();
  }
  append(r: JournalValue): Promise<void> {
    return this.full ? Promise.reject(noSpace()) : this.inner.append(r);
  }
  rewrite(r: readonly JournalValue[]): Promise<void> {
    return this.full ? Promise.reject(noSpace()) : this.inner.rewrite(r);
  }
  stats() {
    return this.inner.stats();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

function noSpace(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}
