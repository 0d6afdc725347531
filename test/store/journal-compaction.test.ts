/**
 * Compaction (FileJournal.rewrite): the new content replaces the old
 * atomically, appends keep their order around it, and a crash at each step
 * (onRewriteStep never returns there and the file is let go, as a killed
 * process would leave it) reopens as either the old or the new journal,
 * whole. A failed compaction keeps the old journal and later appends work.
 */
import t, { type Test } from 'tap';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalWriteError } from '../../src/store/journal-error.js';
import { FileJournal, type RewriteStep } from '../../src/store/journal.js';
import { MemoryJournal } from '../../src/store/memory-journal.js';
import { caughtAsync } from '../helpers/errors.js';

async function tempFile(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-compact-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'state.journal');
}

const OLD = Array.from({ length: 50 }, (_, i) => ({ k: 'event', n: i, pad: 'x'.repeat(100) }));
const NEW = [{ k: 'snapshot', live: [1, 2, 3] }];

t.test('rewrite replaces the content; appends before it land in the old file, after it in the new', async (t) => {
  const path = await tempFile(t);
  const j = await FileJournal.open(path);
  for (const r of OLD) await j.append(r);
  const before = j.stats();
  t.equal(before.records, 50);
  // One synchronous burst: an append, the rewrite, an append.
  const a = j.append({ k: 'before' });
  const r = j.rewrite(NEW);
  const b = j.append({ k: 'after' });
  await Promise.all([a, r, b]);
  t.equal(j.stats().records, 2);
  t.ok(j.stats().bytes < before.bytes / 10, `${j.stats().bytes} bytes after, ${before.bytes} before`);
  await j.append({ k: 'later' });
  await j.close();
  const again = await FileJournal.open(path);
  t.same(again.recovered(), [...NEW, { k: 'after' }, { k: 'later' }]);
  t.equal(again.stats().records, 3);
  await again.close();
  t.same((await readdir(join(path, '..'))).sort(), ['state.journal'], 'no file left beside it');
});

t.test('a crash at each step of the rewrite leaves the old or the new journal whole', async (t) => {
  const steps: RewriteStep[] = ['tmp-written', 'tmp-synced', 'renamed', 'dir-synced'];
  for (const step of steps) {
    await t.test(step, async (t) => {
      const path = await tempFile(t);
      // The process dies at the step: nothing after it runs (the hook never returns), the file handle is let go.
      let reached!: () => void;
      const atStep = new Promise<void>((r) => (reached = r));
      const j = await FileJournal.open(path, {
        onRewriteStep: (s) => {
          if (s !== step) return;
          reached();
          return new Promise<void>(() => {});
        },
      });
      for (const r of OLD) await j.append(r);
      void j.rewrite(NEW);
      await atStep;
      await (j as unknown as { handle: { close(): Promise<void> } }).handle.close().catch(() => undefined);
      const lines: string[] = [];
      const again = await FileJournal.open(path, { logger: { info() {}, warn: (_o, m) => lines.push(m), error() {} } });
      const expectNew = step === 'renamed' || step === 'dir-synced';
      t.same(again.recovered(), expectNew ? NEW : OLD, expectNew ? 'the new journal' : 'the old journal');
      if (!expectNew) t.ok(lines.some((m) => /unfinished compaction/.test(m)), 'the leftover .compact file is removed and logged');
      await again.append({ k: 'next' });
      await again.close();
      const third = await FileJournal.open(path);
      t.same(third.recovered().at(-1), { k: 'next' }, 'appends after the restart land');
      await third.close();
      t.same(await readdir(join(path, '..')), ['state.journal']);
    });
  }
});

t.test('a compaction that fails (disk full) keeps the old journal; appends go on', async (t) => {
  const path = await tempFile(t);
  const j = await FileJournal.open(path, {
    onRewriteStep: (s) => {
      if (s === 'tmp-written') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
  });
  for (const r of OLD.slice(0, 3)) await j.append(r);
  const err = await caughtAsync(() => j.rewrite(NEW));
  t.match((err as Error).message, /compaction: ENOSPC/);
  await j.append({ k: 'after' });
  t.equal(j.stats().records, 4);
  await j.close();
  const again = await FileJournal.open(path);
  t.same(again.recovered(), [...OLD.slice(0, 3), { k: 'after' }]);
  await again.close();
});

t.test('a stale .compact file alone (crash while writing it) is removed on open', async (t) => {
  const path = await tempFile(t);
  const j = await FileJournal.open(path);
  await j.append({ n: 1 });
  await j.close();
  await writeFile(`${path}.compact`, 'ROVDJNL\x01half');
  const again = await FileJournal.open(path);
  t.same(again.recovered(), [{ n: 1 }]);
  await again.close();
  t.same(await readdir(join(path, '..')), ['state.journal']);
});

t.test('MemoryJournal rewrite and stats', async (t) => {
  const j = new MemoryJournal();
  await j.append({ a: 1 });
  await j.append({ a: 2 });
  t.equal(j.stats().records, 2);
  await j.rewrite([{ s: 1 }]);
  t.same(j.all(), [{ s: 1 }]);
  t.same(j.stats(), { bytes: j.stats().bytes, records: 1 });
  t.same(j.reopen().stats(), j.stats());
  t.match(await caughtAsync(() => j.rewrite([{ bad: undefined as unknown as null }])), { name: 'JournalEncodeError' });
});
