/**
 * A VRP export on local disk (what rpki-client or Routinator write from
 * cron), reloaded when it changes.
 *
 * Change detection, belt and braces:
 * - fs.watch on the *directory*, not the file: editors and exporters
 *   replace the file by writing a temporary and renaming it over, which
 *   leaves a watch on the old inode seeing nothing more. Events for other
 *   names in the directory are ignored; events are debounced.
 * - a slow stat poll (pollIntervalMs), since fs.watch misses events on
 *   some filesystems (NFS, some container mounts); it also re-arms the
 *   watcher if it died (directory removed and recreated).
 *
 * A check stats the file and compares (device, inode, size, mtime, ctime)
 * with the last attempt; unchanged means nothing to read. Otherwise it reads
 * the whole file through one descriptor, then stats the path again: if the
 * size read, the size or mtime differs, or the path now names another
 * inode, the file was being written and the check is retried after
 * debounceMs instead of parsing a torn file. A writer that is still
 * mid-file when we look (truncate, then write) is caught by the parser
 * instead (a cut JSON does not parse) or by the empty-file rule (no export
 * format is zero bytes), and the next event brings the complete file.
 * Either way the previous good payload stays in use.
 */
import { type FSWatcher, type Stats, watch } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import {
  BaseSource,
  checkNumberOption,
  type CommonSourceOptions,
  type Fetched,
  SourceConfigError,
  SourceError,
} from './source.js';

export interface FileSourceOptions extends CommonSourceOptions {
  readonly path: string;
  /** Use fs.watch on the directory. Default true. */
  readonly watch?: boolean;
  /** Fallback stat poll; 0 turns it off. Default 60 s. */
  readonly pollIntervalMs?: number;
  /** Quiet time after a watch event before checking (and the retry delay after a torn read). Default 250 ms. */
  readonly debounceMs?: number;
}

export const FILE_SOURCE_DEFAULTS = Object.freeze({
  watch: true,
  pollIntervalMs: 60_000,
  debounceMs: 250,
});

export class FileSource extends BaseSource {
  readonly kind = 'file';
  readonly path: string;
  readonly pollIntervalMs: number;
  readonly debounceMs: number;
  private readonly useWatch: boolean;
  private readonly dir: string;
  private readonly base: string;

  private watcher: FSWatcher | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  /** Identity of the file at the last attempt that read it (loaded or failed). */
  private lastSignature: string | undefined;

  constructor(options: FileSourceOptions) {
    if (typeof options.path !== 'string' || options.path === '') {
      throw new SourceConfigError(options.name ?? '(file)', 'path', 'must be a non-empty string');
    }
    const path = resolve(options.path);
    super(path, options);
    this.path = path;
    this.dir = dirname(path);
    this.base = basename(path);
    this.useWatch = options.watch ?? FILE_SOURCE_DEFAULTS.watch;
    this.pollIntervalMs = checkNumberOption(this.name, 'pollIntervalMs', options.pollIntervalMs ?? FILE_SOURCE_DEFAULTS.pollIntervalMs, 0);
    this.debounceMs = checkNumberOption(this.name, 'debounceMs', options.debounceMs ?? FILE_SOURCE_DEFAULTS.debounceMs, 0);
  }

  protected arm(): void {
    this.startWatcher();
    if (this.pollIntervalMs > 0) {
      this.pollTimer = setInterval(() => {
        if (this.useWatch && !this.watcher) this.startWatcher();
        void this.refresh();
      }, this.pollIntervalMs);
    }
  }

  protected disarm(): void {
    this.stopWatcher();
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.pollTimer = undefined;
    this.debounceTimer = undefined;
  }

  protected async fetchBytes(signal: AbortSignal): Promise<Fetched> {
    let fh;
    try {
      fh = await open(this.path, 'r');
    } catch (err) {
      // Missing now: forget the signature so the file reappearing is read.
      this.lastSignature = undefined;
      throw new SourceError(this.name, `cannot open ${this.path}: ${errMessage(err)}`, undefined, { cause: err });
    }
    try {
      const before = await fh.stat();
      const signature = signatureOf(before);
      if (signature === this.lastSignature) {
        // Same file as the last read. If that read failed, the file is still
        // bad: say nothing more until it changes.
        return this.lastFailed ? { kind: 'skip' } : { kind: 'unchanged' };
      }
      if (!before.isFile()) {
        this.lastSignature = signature;
        throw new SourceError(this.name, `${this.path} is not a regular file`);
      }
      if (before.size > this.maxBytes) {
        this.lastSignature = signature;
        throw new SourceError(this.name, `${this.path} is ${before.size} bytes, over maxBytes ${this.maxBytes}`);
      }
      const bytes = await fh.readFile({ signal });
      const after = await stat(this.path).catch(() => undefined);
      if (bytes.length !== before.size || !after || signatureOf(after) !== signature) {
        this.logger.info({ source: this.name, path: this.path }, 'file changed while being read; retrying');
        this.schedule(this.debounceMs);
        return { kind: 'skip' };
      }
      this.lastSignature = signature;
      if (bytes.length === 0) throw new SourceError(this.name, `${this.path} is empty (being written?)`);
      return { kind: 'bytes', bytes };
    } finally {
      await fh.close();
    }
  }

  private startWatcher(): void {
    if (!this.useWatch || this.watcher) return;
    try {
      const w = watch(this.dir, (_event, filename) => {
        // filename may be missing on some platforms: then check anyway.
        if (filename === null || filename === undefined || filename.toString() === this.base) this.schedule(this.debounceMs);
      });
      w.on('error', (err) => {
        this.logger.warn({ source: this.name, dir: this.dir, err }, 'directory watch failed; relying on the stat poll');
        if (this.watcher === w) this.stopWatcher();
      });
      this.watcher = w;
    } catch (err) {
      // e.g. the directory does not exist yet; the poll retries.
      this.logger.warn({ source: this.name, dir: this.dir, err }, 'cannot watch directory; relying on the stat poll');
    }
  }

  private stopWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private schedule(delayMs: number): void {
    if (!this.started) return;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      void this.refresh();
    }, delayMs);
  }
}

function signatureOf(s: Stats): string {
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
