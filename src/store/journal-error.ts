/**
 * The journal's typed errors. Each names the file, and those about its
 * content the byte offset, so an operator can look at it (`xxd -s OFFSET`)
 * before deciding what to do with it.
 */

/** The file is not a journal, or is damaged before its last record. */
export class JournalCorruptError extends Error {
  constructor(
    readonly file: string,
    /** Byte offset of the first frame that failed a check. */
    readonly offset: number,
    readonly reason: string,
  ) {
    super(
      `journal ${file}: corrupt at offset ${offset}: ${reason}; refusing to open it. ` +
        `Run \`rovd run --repair\` to keep every readable record (the damaged file is kept as ${file}.damaged-<time>), or move the file away to start afresh`,
    );
    this.name = 'JournalCorruptError';
  }
}

/** A record that cannot be encoded as DAG-CBOR (undefined, NaN, a function, …): a caller's bug, nothing written. */
export class JournalEncodeError extends TypeError {
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`journal ${file}: record cannot be encoded: ${reason}`, options);
    this.name = 'JournalEncodeError';
  }
}

/** Writing or syncing failed (disk full, I/O error): the records of that batch are not durable. */
export class JournalWriteError extends Error {
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`journal ${file}: write failed: ${reason}`, options);
    this.name = 'JournalWriteError';
  }
}

/** append() after close(). */
export class JournalClosedError extends Error {
  constructor(readonly file: string) {
    super(`journal ${file}: closed`);
    this.name = 'JournalClosedError';
  }
}
