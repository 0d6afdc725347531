import { open as openFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsync of the directory, so a newly created file's entry survives a crash too (where the OS allows it). */
export async function syncDirectory(path: string): Promise<void> {
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
