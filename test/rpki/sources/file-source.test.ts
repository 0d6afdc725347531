/**
 * FileSource against real files in a temp directory: first load, reload on
 * rename-over and in-place edits (fs.watch on the directory), the stat poll
 * alone, a broken rewrite rejected whole, an empty file, a missing file
 * that appears later, and stop() leaving nothing running.
 */
import t from 'tap';
import { rename, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileSource, type FileSourceOptions } from '../../../src/rpki/sources/file-source.js';
import type { SourceFailure, SourceUpdate } from '../../../src/rpki/sources/source.js';
import { caught } from '../../helpers/errors.js';
import { lines, nextError, nextUpdate, parseLines, recordingLogger, type Teardown, tempDir, until, vrpList } from './helpers.js';

const V1 = ['192.0.2.0/24 24 65000', '2001:db8::/32 48 65001'];
const V2 = ['192.0.2.0/24 24 65000', '198.51.100.0/24 24 65002'];

type Setup = { source: FileSource; path: string; dir: string };

async function setup(
  t: Teardown,
  content: string | undefined,
  options: Partial<FileSourceOptions> = {},
): Promise<Setup> {
  const dir = await tempDir(t);
  const path = join(dir, 'vrps.txt');
  if (content !== undefined) await writeFile(path, content);
  const source = new FileSource({ path, parse: parseLines, debounceMs: 20, pollIntervalMs: 0, ...options });
  t.teardown(() => source.stop());
  return { source, path, dir };
}

const onUpdate = (s: FileSource): Promise<SourceUpdate> => nextUpdate(s);
const onError = (s: FileSource): Promise<SourceFailure> => nextError(s);

t.test('first load, then a rewrite renamed over the file', async (t) => {
  const { source, path, dir } = await setup(t, lines(V1));
  const first = onUpdate(source);
  await source.start();
  const u1 = await first;
  t.equal(u1.previous, undefined);
  t.same(vrpList(source.payload), ['AS65000 192.0.2.0/24-24', 'AS65001 2001:db8::/32-48']);
  let s = source.status();
  t.match(s, { name: path, kind: 'file', location: path, loaded: true, vrps: 2, loadsOk: 1, failures: 0, lastResult: 'loaded', stale: false });
  t.type(s.lastSuccessAt, Date);

  const changed = onUpdate(source);
  const tmp = join(dir, '.vrps.txt.tmp');
  await writeFile(tmp, lines(V2));
  await rename(tmp, path);
  const u2 = await changed;
  t.same(vrpList(u2.payload), ['AS65000 192.0.2.0/24-24', 'AS65002 198.51.100.0/24-24']);
  t.same(vrpList(u2.previous), vrpList(u1.payload));
  s = source.status();
  t.equal(s.loadsOk, 2);
  t.equal(s.failures, 0);
});

t.test('an in-place edit is picked up', async (t) => {
  const { source, path } = await setup(t, lines(V1));
  await source.start();
  const changed = onUpdate(source);
  await writeFile(path, lines(V2)); // truncate + write on the same inode
  const u = await changed;
  t.same(vrpList(u.payload), vrpList(parseLines(Buffer.from(lines(V2)), 'x').payload));
});

t.test('the stat poll alone (no watcher) notices a change', async (t) => {
  const { source, path, dir } = await setup(t, lines(V1), { watch: false, pollIntervalMs: 20 });
  await source.start();
  const changed = onUpdate(source);
  await writeFile(join(dir, 'new'), lines(V2));
  await rename(join(dir, 'new'), path);
  const u = await changed;
  t.equal(u.payload.vrps.size, 2);
  t.ok(vrpList(u.payload).includes('AS65002 198.51.100.0/24-24'));
});

t.test('a poll with the file unchanged is a successful check, not a reload', async (t) => {
  let clock = 1_000_000;
  const { source } = await setup(t, lines(V1), { now: () => clock });
  await source.start();
  clock += 10_000;
  await source.refresh();
  const s = source.status();
  t.equal(s.loadsOk, 1);
  t.equal(s.unchanged, 1);
  t.equal(s.lastResult, 'unchanged');
  t.equal(s.lastSuccessAt?.getTime(), 1_010_000);
  t.equal(s.lastChangeAt?.getTime(), 1_000_000);
});

t.test('a broken rewrite keeps the old set and records the error naming the entry', async (t) => {
  const log = recordingLogger();
  const { source, path, dir } = await setup(t, lines(V1), { logger: log, name: 'local' });
  await source.start();
  const before = source.payload;

  const failed = onError(source);
  let updates = 0;
  source.onUpdate(() => updates++);
  await writeFile(join(dir, 'tmp'), lines([...V2, '203.0.113.0/24 16 65003']));
  await rename(join(dir, 'tmp'), path);
  const f = await failed;
  t.equal(f.source, 'local');
  t.match(f.error, { name: 'RpkiFormatError', source: path, entry: 'line 4', reason: /maxLength 16 out of range/ });
  t.equal(source.payload, before, 'previous payload still in use, same object');
  t.equal(updates, 0);
  const s = source.status();
  t.match(s, { lastResult: 'failed', failures: 1, loadsOk: 1, loaded: true, vrps: 2 });
  t.match(s.lastError, /line 4: maxLength 16 out of range/);
  t.ok(log.lines.some((l) => l.level === 'error' && l.msg === 'source load rejected'));

  // Fixing the file brings the new set.
  const fixed = onUpdate(source);
  await writeFile(join(dir, 'tmp'), lines(V2));
  await rename(join(dir, 'tmp'), path);
  t.same(vrpList((await fixed).payload), ['AS65000 192.0.2.0/24-24', 'AS65002 198.51.100.0/24-24']);
  t.equal(source.status().lastResult, 'loaded');
});

t.test('a file cut mid-write or empty is rejected, and the complete file then loads', async (t) => {
  const { source, path } = await setup(t, lines(V1));
  await source.start();
  const before = source.payload;

  // Truncated to zero (what O_TRUNC leaves before the writer writes).
  const emptied = onError(source);
  await truncate(path, 0);
  t.match((await emptied).error.message, /is empty/);
  t.equal(source.payload, before);

  // Cut in the middle of a line.
  const cut = onError(source);
  await writeFile(path, '#vrps\n192.0.2.0/24 2');
  t.match((await cut).error, { entry: 'line 2' });
  t.equal(source.payload, before);

  const done = onUpdate(source);
  await writeFile(path, lines(V2));
  t.equal((await done).payload.vrps.size, 2);
});

t.test('the same broken file is not re-reported on every check', async (t) => {
  const { source, path } = await setup(t, lines(V1));
  await source.start();
  const failed = onError(source);
  await writeFile(path, 'garbage');
  await failed;
  await source.refresh();
  await source.refresh();
  t.equal(source.status().failures, 1);
});

t.test('a missing file fails the first attempt; the file appearing later loads', async (t) => {
  const { source, path } = await setup(t, undefined);
  await source.start();
  let s = source.status();
  t.match(s, { loaded: false, lastResult: 'failed', failures: 1, stale: true, staleReason: 'never-loaded' });
  t.match(s.lastError, /cannot open .*ENOENT/);
  t.equal(source.payload, undefined);

  const loaded = onUpdate(source);
  await writeFile(path, lines(V1));
  t.equal((await loaded).payload.vrps.size, 2);

  // Deleted: the old set stays, the error is recorded.
  const gone = onError(source);
  await unlink(path);
  t.match((await gone).error.message, /ENOENT/);
  t.equal(source.payload?.vrps.size, 2);
  s = source.status();
  t.match(s, { loaded: true, lastResult: 'failed' });
});

t.test('events for other files in the directory are ignored', async (t) => {
  const { source, dir } = await setup(t, lines(V1));
  await source.start();
  await writeFile(join(dir, 'other.txt'), 'x');
  // Then a refresh: the only attempt after start must find the file unchanged.
  await new Promise((r) => setTimeout(r, 60));
  t.equal(source.status().unchanged, 0, 'no check ran for other.txt');
});

t.test('stop() closes the watcher and timers; no reload afterwards', async (t) => {
  const { source, path } = await setup(t, lines(V1), { pollIntervalMs: 10 });
  await source.start();
  await source.stop();
  t.equal(source.started, false);
  let updates = 0;
  source.onUpdate(() => updates++);
  await writeFile(path, lines(V2));
  await new Promise((r) => setTimeout(r, 80));
  t.equal(updates, 0);
  t.equal(source.payload?.vrps.size, 2);
  t.same(vrpList(source.payload), ['AS65000 192.0.2.0/24-24', 'AS65001 2001:db8::/32-48']);
  await source.stop(); // idempotent
  // Restartable: a new start() reads the current file.
  await source.start();
  await until(() => vrpList(source.payload).includes('AS65002 198.51.100.0/24-24'), 2000, 'reload after restart');
  t.pass('restarted');
});

t.test('bad options are refused, naming the key', async (t) => {
  t.match(caught(() => new FileSource({ path: '', parse: parseLines })), { name: 'SourceConfigError', key: 'path' });
  t.match(caught(() => new FileSource({ path: '/x', parse: parseLines, pollIntervalMs: -1 })), {
    key: 'pollIntervalMs',
    message: /option pollIntervalMs must be an integer >= 0/,
  });
  t.match(caught(() => new FileSource({ path: '/x', parse: parseLines, debounceMs: 1.5 })), { key: 'debounceMs' });
  t.match(caught(() => new FileSource({ path: '/x', parse: parseLines, maxAgeMs: 0 })), { key: 'maxAgeMs' });
  t.match(caught(() => new FileSource({ path: '/x', parse: parseLines, name: '' })), { key: 'name' });
});

t.test('a file over maxBytes is refused before reading', async (t) => {
  const { source } = await setup(t, lines(V1), { maxBytes: 10 });
  await source.start();
  t.match(source.status().lastError, /over maxBytes 10/);
  t.equal(source.payload, undefined);
});

t.test('start() twice is an error', async (t) => {
  const { source } = await setup(t, lines(V1));
  await source.start();
  const err = await source.start().catch((e: unknown) => e);
  t.match(err, { message: /already started/ });
});
