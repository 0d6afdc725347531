/**
 * One rovd per store directory. Two daemons appending to the same journals
 * would interleave their records, and each would replay the other's
 * notifications; the second one must refuse to start.
 *
 * The lock is a file, `<store.dir>/rovd.lock`, created exclusively
 * (O_CREAT|O_EXCL), holding the owner's pid, host and start time. The
 * owner touches it every `heartbeatMs`. A lock left by a process that is
 * gone must not keep rovd down after a crash, so a lock is taken over
 * when either:
 * - it names this host and a pid that is not running, or this process's
 *   own pid (a container restarted, its new rovd got the old pid), or
 * - its heartbeat is older than `staleMs`: the owner stopped touching it,
 *   wherever it runs. This is what frees a lock on a shared volume whose
 *   owner ran on another host or container.
 *
 * A lock held by a live owner makes `acquire` wait up to `waitMs` for it to
 * go (a restart overlapping the old process's drain), then fail with
 * StoreLockedError naming the file, the owner and its last heartbeat.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { type Logger, NOOP_LOGGER } from '../log/logger.js';

export const LOCK_FILE = 'rovd.lock';

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

export class StoreLockedError extends Error {
  constructor(
    readonly file: string,
    readonly owner: LockOwner | undefined,
    readonly heartbeatAgeMs: number,
  ) {
    super(
      `${file}: the store is in use by ${owner === undefined ? 'another process' : `rovd pid ${owner.pid} on ${owner.host} (since ${owner.startedAt})`}, ` +
        `last heartbeat ${Math.round(heartbeatAgeMs / 1000)} s ago; stop it, or point this rovd at another store.dir`,
    );
    this.name = 'StoreLockedError';
  }
}

export interface StoreLockOptions {
  readonly heartbeatMs?: number;
  /** A lock whose heartbeat is older than this is abandoned (default 3 heartbeats). */
  readonly staleMs?: number;
  /** How long to wait for a live owner to let go (default: one stale period). */
  readonly waitMs?: number;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** For tests: whether a pid runs on this host. */
  readonly isRunning?: (pid: number) => boolean;
  readonly host?: string;
  readonly pid?: number;
}

const DEFAULT_HEARTBEAT_MS = 5000;

export class StoreLock {
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  private constructor(
    readonly file: string,
    private readonly owner: LockOwner,
    heartbeatMs: number,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => void this.touch(), heartbeatMs);
    this.timer.unref();
  }

  static async acquire(dir: string, options: StoreLockOptions = {}): Promise<StoreLock> {
    const file = join(dir, LOCK_FILE);
    const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    const staleMs = options.staleMs ?? 3 * heartbeatMs;
    const waitMs = options.waitMs ?? staleMs;
    const now = options.now ?? Date.now;
    const log = options.logger ?? NOOP_LOGGER;
    const isRunning = options.isRunning ?? pidRuns;
    const me: LockOwner = { pid: options.pid ?? process.pid, host: options.host ?? hostname(), startedAt: new Date(now()).toISOString() };
    const started = now();
    for (;;) {
      try {
        const handle = await open(file, 'wx', 0o644);
        try {
          await handle.writeFile(`${JSON.stringify(me)}\n`);
          await handle.sync();
        } finally {
          await handle.close();
        }
        return new StoreLock(file, me, heartbeatMs, log);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const held = await readLock(file);
      if (held === undefined) continue; // released between our create and our read: try again
      const ageMs = now() - held.mtimeMs;
      const owner = held.owner;
      const deadHere = owner !== undefined && owner.host === me.host && (owner.pid === me.pid || !isRunning(owner.pid));
      if (deadHere || ageMs > staleMs) {
        log.warn({ file, owner, heartbeatAgeS: Math.round(ageMs / 1000), why: deadHere ? 'its process is gone' : 'its heartbeat stopped' }, 'store: taking over an abandoned lock');
        await rm(file, { force: true });
        continue;
      }
      if (now() - started >= waitMs) throw new StoreLockedError(file, owner, ageMs);
      log.warn({ file, owner, heartbeatAgeS: Math.round(ageMs / 1000) }, 'store: in use by another rovd; waiting for it to stop');
      await new Promise((r) => setTimeout(r, Math.min(1000, heartbeatMs)));
    }
  }

  /** Removes the lock if it is still ours. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    const held = await readLock(this.file);
    if (held?.owner?.pid === this.owner.pid && held.owner.host === this.owner.host && held.owner.startedAt === this.owner.startedAt) await rm(this.file, { force: true });
  }

  private async touch(): Promise<void> {
    const at = new Date();
    try {
      await utimes(this.file, at, at);
    } catch (err) {
      // Gone (someone removed it) or the volume failed: the next start decides; keep running.
      this.log.warn({ file: this.file, err: (err as Error).message }, 'store: could not refresh the lock');
    }
  }
}

async function readLock(file: string): Promise<{ owner: LockOwner | undefined; mtimeMs: number } | undefined> {
  try {
    const [text, s] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    let owner: LockOwner | undefined;
    try {
      const o = JSON.parse(text) as Partial<LockOwner>;
      if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.startedAt === 'string') owner = { pid: o.pid, host: o.host, startedAt: o.startedAt };
    } catch {
      // A torn write (a crash between create and write): no owner, judged by its age.
    }
    return { owner, mtimeMs: s.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
