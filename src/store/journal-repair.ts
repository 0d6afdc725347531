/**
 * `rovd run --repair`: a journal damaged before its last record is rebuilt
 * from every frame that still checks out (journal-frame.ts scanForRepair:
 * damaged spans are skipped up to the next valid frame header), and the
 * damaged file is kept beside it as `<name>.damaged-<time>` for a look
 * (`xxd -s OFFSET`).
 *
 * Crash safety: the good frames go to `<name>.compact` (fsynced); the
 * damaged file is copied aside (fsynced); then the new file is renamed
 * over the journal and the directory fsynced. A crash before the rename
 * leaves the damaged journal (the next --repair does it again), after it
 * the repaired one.
 *
 * An intact journal is left alone; a file without the journal's magic is
 * set aside whole and a new empty journal started.
 */
import { copyFile, open as openFile, readFile, rename, rm } from 'node:fs/promises';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';
import { checkMagic, MAGIC, scanFrames, scanForRepair } from './journal-frame.js';
import { syncDirectory } from './sync-directory.js';

export interface RepairReport {
  readonly file: string;
  /** Where the damaged file was kept. */
  readonly damagedCopy: string;
  readonly kept: number;
  readonly dropped: readonly { readonly offset: number; readonly bytes: number; readonly reason: string }[];
  readonly droppedBytes: number;
}

/** Repairs `path` if it is damaged before its last record (or not a journal); undefined when there was nothing to repair. */
export async function repairJournal(path: string, options: { logger?: Logger; now?: () => number } = {}): Promise<RepairReport | undefined> {
  const logger = options.logger ?? NOOP_LOGGER;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const magic = checkMagic(bytes);
  if (magic === 'torn') return undefined; // the plain open starts it afresh
  if (magic === 'ok' && scanFrames(bytes).corrupt === undefined) return undefined; // intact, or only a torn tail: the open cuts it
  const scan = magic === 'ok' ? scanForRepair(bytes) : { records: [], dropped: [{ offset: 0, bytes: bytes.length, reason: 'not a rovd journal (bad magic)' }] };
  const stamp = new Date((options.now ?? Date.now)()).toISOString().replace(/[-:.]/g, '');
  const damagedCopy = `${path}.damaged-${stamp}`;
  const tmp = `${path}.compact`;
  const out = Buffer.concat([MAGIC, ...scan.records.map((r) => r.bytes)]);
  const handle = await openFile(tmp, 'w');
  try {
    await handle.writeFile(out);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await copyFile(path, damagedCopy);
  const copy = await openFile(damagedCopy, 'r');
  await copy.sync().finally(() => copy.close());
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDirectory(path);
  const droppedBytes = scan.dropped.reduce((n, d) => n + d.bytes, 0);
  const report: RepairReport = { file: path, damagedCopy, kept: scan.records.length, dropped: scan.dropped, droppedBytes };
  logger.warn({ journal: path, damagedCopy, kept: report.kept, droppedSpans: scan.dropped.length, droppedBytes, dropped: scan.dropped }, 'journal: repaired (damaged spans dropped, every readable record kept)');
  return report;
}
