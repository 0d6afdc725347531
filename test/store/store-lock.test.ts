/**
 * The store lock: one rovd per store.dir. A live owner keeps it (the
 * second start waits, then fails naming the owner); a dead owner on this
 * host, our own pid left by a previous life, or a heartbeat gone quiet
 * free it; release removes only our own lock. And two real daemons on one
 * store: the second refuses to start.
 */
import { mkdtemp, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig } from '../../src/config/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { LOCK_FILE, StoreLock, StoreLockedError } from '../../src/store/store-lock.js';
import { caughtAsync } from '../helpers/errors.js';

const dir = () => mkdtemp(join(tmpdir(), 'rovd-lock-'));

t.test('acquire writes the owner; release removes it; a second acquire after release succeeds', async (t) => {
  const d = await dir();
  const lock = await StoreLock.acquire(d, { host: 'h1', pid: 4242 });
  const owner = JSON.parse(await readFile(join(d, LOCK_FILE), 'utf8')) as { pid: number; host: string; startedAt: string };
  t.match(owner, { pid: 4242, host: 'h1', startedAt: /^\d{4}-/ });
  await lock.release();
  await t.rejects(readFile(join(d, LOCK_FILE)), { code: 'ENOENT' });
  const again = await StoreLock.acquire(d, { host: 'h1', pid: 4243 });
  await again.release();
});

t.test('a live owner keeps it: the second waits, then fails naming the file and the owner', async (t) => {
  const d = await dir();
  const first = await StoreLock.acquire(d, { host: 'h1', pid: 100, heartbeatMs: 50 });
  t.teardown(() => first.release());
  const started = Date.now();
  const err = await caughtAsync(() => StoreLock.acquire(d, { host: 'h1', pid: 200, heartbeatMs: 50, staleMs: 60_000, waitMs: 300, isRunning: () => true }));
  t.type(err, StoreLockedError);
  t.ok(Date.now() - started >= 250, 'it waited');
  t.match((err as Error).message, new RegExp(`${join(d, LOCK_FILE).replace(/[/.]/g, '\\$&')}: the store is in use by rovd pid 100 on h1 \\(since .*\\), last heartbeat \\d+ s ago`));
});

t.test('an owner that lets go while the second waits: the second gets it', async (t) => {
  const d = await dir();
  const first = await StoreLock.acquire(d, { host: 'h1', pid: 100, heartbeatMs: 50 });
  setTimeout(() => void first.release(), 150);
  const second = await StoreLock.acquire(d, { host: 'h1', pid: 200, heartbeatMs: 50, staleMs: 60_000, waitMs: 5000, isRunning: () => true });
  t.match(JSON.parse(await readFile(join(d, LOCK_FILE), 'utf8')), { pid: 200 });
  await second.release();
});

t.test('abandoned locks are taken over: a dead pid on this host, our own pid, a stale heartbeat, a torn file', async (t) => {
  const d = await dir();
  const file = join(d, LOCK_FILE);
  await writeFile(file, JSON.stringify({ pid: 100, host: 'h1', startedAt: '2026-01-01T00:00:00.000Z' }));
  const dead = await StoreLock.acquire(d, { host: 'h1', pid: 200, waitMs: 0, isRunning: () => false });
  t.match(JSON.parse(await readFile(file, 'utf8')), { pid: 200 }, 'the owner\'s process is gone');
  await dead.release();

  await writeFile(file, JSON.stringify({ pid: 300, host: 'h1', startedAt: '2026-01-01T00:00:00.000Z' }));
  const own = await StoreLock.acquire(d, { host: 'h1', pid: 300, waitMs: 0, isRunning: () => true });
  t.match(JSON.parse(await readFile(file, 'utf8')), { pid: 300, startedAt: /^(?!2026-01-01)/ }, 'our own pid left by a previous life (a restarted container)');
  await own.release();

  await writeFile(file, JSON.stringify({ pid: 400, host: 'elsewhere', startedAt: '2026-01-01T00:00:00.000Z' }));
  const err = await caughtAsync(() => StoreLock.acquire(d, { host: 'h1', pid: 500, waitMs: 0, staleMs: 60_000 }));
  t.type(err, StoreLockedError, 'another host with a fresh heartbeat: refused');
  const old = new Date(Date.now() - 120_000);
  await utimes(file, old, old);
  const stale = await StoreLock.acquire(d, { host: 'h1', pid: 500, waitMs: 0, staleMs: 60_000 });
  t.match(JSON.parse(await readFile(file, 'utf8')), { pid: 500 }, 'another host whose heartbeat stopped');
  await stale.release();

  await writeFile(file, '{"pid": 6');
  await utimes(file, old, old);
  const torn = await StoreLock.acquire(d, { host: 'h1', pid: 600, waitMs: 0, staleMs: 60_000 });
  t.match(JSON.parse(await readFile(file, 'utf8')), { pid: 600 }, 'a torn lock file, judged by its age');
  await torn.release();
});

t.test('the heartbeat keeps the lock fresh; release leaves a lock that is not ours', async (t) => {
  const d = await dir();
  const file = join(d, LOCK_FILE);
  const lock = await StoreLock.acquire(d, { host: 'h1', pid: 700, heartbeatMs: 30 });
  const old = new Date(Date.now() - 120_000);
  await utimes(file, old, old);
  await new Promise((r) => setTimeout(r, 120));
  const err = await caughtAsync(() => StoreLock.acquire(d, { host: 'elsewhere', pid: 1, waitMs: 0, staleMs: 10_000 }));
  t.type(err, StoreLockedError, 'touched again: fresh, so another host is refused');
  await writeFile(file, JSON.stringify({ pid: 800, host: 'h1', startedAt: 'x' }));
  await lock.release();
  t.match(JSON.parse(await readFile(file, 'utf8')), { pid: 800 }, 'someone else\'s lock is not removed');
});

t.test('two daemons on one store: the second refuses to start; after the first stops, it starts', async (t) => {
  const d = await dir();
  const yaml = `bmp: { listen: "127.0.0.1:0", decodeThread: false }\nstore: { dir: ${d} }\n`;
  const first = new Daemon({ config: parseConfig(yaml, join(d, 'rovd.yaml')), summaryIntervalMs: 0 });
  await first.start();
  const second = new Daemon({ config: parseConfig(yaml, join(d, 'rovd.yaml')), summaryIntervalMs: 0 });
  // The same process and host: the lock's pid is ours, which a restart would take over. A second daemon in one process is a test's doing; make the owner another live pid.
  const lockFile = join(d, LOCK_FILE);
  const owner = JSON.parse(await readFile(lockFile, 'utf8')) as { pid: number };
  t.equal(owner.pid, process.pid);
  const ours = await readFile(lockFile, 'utf8');
  await writeFile(lockFile, JSON.stringify({ ...owner, pid: process.ppid }));
  const started = Date.now();
  const err = await caughtAsync(() => second.start());
  t.type(err, StoreLockedError);
  t.ok(Date.now() - started >= 10_000, 'it waited a stale period (15 s) for the owner to go');
  await second.stop();
  await writeFile(lockFile, ours);
  await first.stop();
  await t.rejects(readFile(lockFile), { code: 'ENOENT' }, 'the first removed its lock at stop');
});
