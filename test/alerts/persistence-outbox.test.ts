/**
 * The outbox journal kept bounded and whole: compaction rewrites it to the
 * live records (unfinished deliveries with their attempts and retry times,
 * the dead letters held) and a restart from the compacted journal resumes
 * exactly those; a journal that fails writes (disk full, through a wrapper
 * that fails appends) is counted and survived, deliveries go on from
 * memory, and the journal is made whole when writes work again.
 */
import t from 'tap';
import { Outbox, type OutboxOptions } from '../../src/alerts/outbox.js';
import type { Journal, JournalValue } from '../../src/store/journal.js';
import { MemoryJournal } from '../../src/store/memory-journal.js';
import { FullDisk } from '../helpers/full-disk.js';
import { EventLog, FakeTime, ScriptedSink, settle } from './outbox-harness.js';
import { firing } from './sinks/fixtures.js';

const ok = { ok: true, status: 200 } as const;
const fail = { ok: false, retryable: true, error: 'HTTP 503', status: 503 } as const;
const refuse = { ok: false, retryable: false, error: 'HTTP 400', status: 400 } as const;

function outbox(journal: Journal, sinks: ScriptedSink[], time: FakeTime, extra: Partial<OutboxOptions> = {}): Outbox {
  return new Outbox({ journal, sinks, clock: time.clock, timers: time, random: () => 0.5, retry: { baseMs: 1000, capMs: 60_000, maxAttempts: 5, maxAgeMs: 3_600_000 }, ...extra });
}

const view = (o: Outbox) => ({
  pending: o.pending().map((p) => ({ id: p.id, sink: p.sink, attempts: p.attempts, nextAttemptAt: p.nextAttemptAt, state: p.state })),
  dead: o.deadLetters().map((d) => ({ id: d.notification.id, sink: d.sink, attempts: d.attempts })),
});

t.test('compaction: the journal holds only the live records; a restart from it resumes the same deliveries', async (t) => {
  const time = new FakeTime();
  const journal = new MemoryJournal();
  // "good" delivers, "flaky" fails (retries pending), "strict" refuses the odd ones (dead letters).
  const good = new ScriptedSink('good', [ok]);
  const flaky = new ScriptedSink('flaky', [fail]);
  const strict = new ScriptedSink('strict', [refuse]);
  const box = outbox(journal, [good, flaky, strict], time, { compactRecords: 40 });
  await box.start();
  for (let i = 0; i < 30; i++) {
    const sinks = i % 3 === 0 ? ['good', 'flaky'] : i % 3 === 1 ? ['good'] : ['good', 'strict'];
    await box.enqueue(firing(1, { id: `g${i}:1`, groupKey: `g${i}`, sinks }));
    await settle();
  }
  await time.advance(2_000);
  await box.compact();
  const stats = box.stats();
  t.ok(stats.compactions >= 2, `${stats.compactions} compactions`);
  const records = journal.all() as { kind: string }[];
  t.ok(records.length <= 40, `${records.length} records held (${records.filter((r) => r.kind === 'enqueued').length} notifications)`);
  t.notOk(records.some((r) => r.kind === 'delivered' || r.kind === 'superseded'), 'finished deliveries are gone');
  const before = view(box);
  t.equal(before.pending.length, 10, 'ten flaky deliveries pending');
  t.equal(before.dead.length, 10, 'ten dead letters');
  await box.close();

  const time2 = new FakeTime();
  time2.now = time.now;
  const again = outbox(journal.reopen(), [new ScriptedSink('good', [ok]), new ScriptedSink('flaky', [ok]), new ScriptedSink('strict', [ok])], time2, { compactRecords: 40 });
  await again.start();
  const after = view(again);
  t.same(after.dead, before.dead, 'the dead letters are back');
  t.same(
    after.pending.map(({ id, sink, attempts, nextAttemptAt }) => ({ id, sink, attempts, nextAttemptAt })),
    before.pending.map(({ id, sink, attempts, nextAttemptAt }) => ({ id, sink, attempts, nextAttemptAt })),
    'the same deliveries, attempts and retry times',
  );
  await time2.advance(120_000);
  t.equal(again.stats().pending, 0, 'and they are delivered');
  await again.close();
});


t.test('disk full: writes fail, the outbox runs on, counts them, delivers from memory; space returns and the journal is whole', async (t) => {
  const time = new FakeTime();
  const inner = new MemoryJournal();
  const disk = new FullDisk(inner);
  const sink = new ScriptedSink('hook', [fail, ok]);
  const box = outbox(disk, [sink], time, { deliverUnrecorded: true, journalRetryMs: 5_000 });
  const log = new EventLog(box);
  await box.start();
  await box.enqueue(firing(1, { id: 'a:1', groupKey: 'a', sinks: ['hook'] }));
  disk.full = true;
  await box.enqueue(firing(1, { id: 'b:1', groupKey: 'b', sinks: ['hook'] })); // not recorded, delivered anyway
  await settle();
  await time.advance(3_000);
  t.ok(box.stats().journalErrors >= 2, `${box.stats().journalErrors} journal errors counted`);
  t.equal(box.stats().journalDirty, true);
  t.ok(log.of('journal-error').length >= 2);
  t.same([...new Set(sink.ids)].sort(), ['a:1', 'b:1'], 'both delivered meanwhile');
  t.equal(box.stats().pending, 0);
  // Still full at the retry: counted again, nothing breaks.
  await time.advance(5_000);
  disk.full = false;
  await time.advance(10_000);
  t.equal(box.stats().journalDirty, false, 'whole again');
  t.equal(log.of('journal-recovered').length, 1);
  await box.enqueue(firing(1, { id: 'c:1', groupKey: 'c', sinks: ['hook'] }));
  await settle();
  await box.close();
  // What a restart sees: only the live state (c:1 was delivered at once, a:1 and b:1 too): nothing to resend.
  const again = outbox(inner.reopen(), [new ScriptedSink('hook', [ok])], new FakeTime());
  await again.start();
  t.equal(again.stats().pending, 0, 'nothing pending after the restart');
  await again.close();
});

t.test('without deliverUnrecorded, a notification that cannot be recorded is refused (the old contract)', async (t) => {
  const disk = new FullDisk(new MemoryJournal());
  const box = outbox(disk, [new ScriptedSink('hook')], new FakeTime());
  await box.start();
  disk.full = true;
  await t.rejects(box.enqueue(firing(1, { id: 'x:1', groupKey: 'x', sinks: ['hook'] })), /ENOSPC/);
  t.equal(box.stats().pending, 0);
  await box.close();
});
