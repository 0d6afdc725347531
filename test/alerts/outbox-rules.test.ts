/**
 * The outbox's rules with test sinks on a fake clock: per-group order and
 * superseding, the per-sink concurrency limit, the retry budget (attempts
 * and age), unknown sinks, sinks that throw, idempotent enqueue, state
 * errors, journal failures, close() keeping in-flight deliveries pending,
 * replay (retry times, expiry, bad records) and option checks.
 */
import t, { type Test } from 'tap';
import { Outbox, type OutboxOptions } from '../../src/alerts/outbox.js';
import { backoffDelay, RETRY_DEFAULTS } from '../../src/alerts/delivery/retry-policy.js';
import { toJournalValue } from '../../src/alerts/delivery/outbox-records.js';
import { MemoryJournal } from '../../src/store/memory-journal.js';
import { caught, caughtAsync } from '../helpers/errors.js';
import { EventLog, FakeTime, ManualSink, ScriptedSink, settle } from './outbox-harness.js';
import { firing, hijackAlert, notificationOf, resolvedOf } from './sinks/fixtures.js';

function make(t: Test, options: Partial<OutboxOptions> & Pick<OutboxOptions, 'sinks'>) {
  const time = new FakeTime();
  const journal = (options.journal as MemoryJournal | undefined) ?? new MemoryJournal();
  const box = new Outbox({ clock: time.clock, timers: time, random: () => 0.5, ...options, journal });
  t.teardown(() => box.close());
  return { box, time, journal, log: new EventLog(box) };
}

const kinds = (j: MemoryJournal): string[] => j.all().map((r) => (r as { kind: string }).kind);

t.test('per group and sink: in order, one at a time; waiting ones superseded by the newest', async (t) => {
  const sink = new ManualSink('pd');
  const { box, log, journal } = make(t, { sinks: [sink] });
  await box.start();
  const n1 = firing(1, { sinks: ['pd'] });
  await box.enqueue(n1);
  t.same(sink.ids, [n1.id], 'the first is in flight');
  const n2 = { ...n1, id: `${n1.groupKey}:2`, sequence: 2 };
  const n3 = resolvedOf(n1);
  const n3b = { ...n3, id: `${n1.groupKey}:3`, sequence: 3 };
  await box.enqueue(n2);
  await box.enqueue(n3b);
  t.same(sink.ids, [n1.id], 'nothing overtakes the one in flight');
  t.match(log.of('superseded'), [{ id: n2.id, by: n3b.id }]);
  t.match(box.pending(), [{ id: n1.id, state: 'in-flight' }, { id: n3b.id, state: 'blocked' }]);
  sink.calls[0]!.answer({ ok: true, status: 202 });
  await settle();
  t.same(sink.ids, [n1.id, n3b.id], 'the resolve goes after the trigger');
  sink.calls[1]!.answer({ ok: true, status: 202 });
  await settle();
  t.match(box.stats().sinks.pd, { delivered: 2, superseded: 1, pending: 0 });
  t.same(kinds(journal), ['enqueued', 'enqueued', 'enqueued', 'superseded', 'delivered', 'delivered']);
});

t.test('a retrying notification is superseded by a newer one, which keeps the backoff', async (t) => {
  const sink = new ManualSink('pd');
  const { box, log, time } = make(t, { sinks: [sink] });
  await box.start();
  const n1 = firing(1, { sinks: ['pd'] });
  await box.enqueue(n1);
  const n2 = resolvedOf(n1);
  await box.enqueue(n2);
  sink.calls[0]!.answer({ ok: false, retryable: true, status: 503, error: 'HTTP 503' });
  await settle();
  t.match(log.of('superseded'), [{ id: n1.id, by: n2.id }]);
  t.match(box.pending(), [{ id: n2.id, state: 'waiting', attempts: 0 }]);
  await time.advance(499);
  t.equal(sink.calls.length, 1);
  await time.advance(1);
  t.same(sink.ids, [n1.id, n2.id]);
});

t.test('per-sink concurrency limit; other groups run in parallel up to it', async (t) => {
  const sink = new ManualSink('hook');
  const other = new ScriptedSink('other');
  const { box } = make(t, { sinks: [sink, other], perSink: { hook: { concurrency: 2 } } });
  await box.start();
  for (let i = 0; i < 5; i++) await box.enqueue(firing(1, { id: `g${i}:1`, groupKey: `g${i}`, sinks: ['hook', 'other'] }));
  t.equal(sink.calls.length, 2, 'two in flight');
  t.equal(other.ids.length, 5, 'the other sink is not held up');
  t.match(box.stats().sinks.hook, { inFlight: 2, pending: 5 });
  sink.calls[0]!.answer({ ok: true });
  await settle();
  t.equal(sink.calls.length, 3);
  for (const c of sink.calls.slice(1)) c.answer({ ok: true });
  await settle();
  for (const c of sink.calls.slice(3)) c.answer({ ok: true });
  await settle();
  t.same(sink.ids, ['g0:1', 'g1:1', 'g2:1', 'g3:1', 'g4:1'], 'FIFO');
  t.equal(box.stats().pending, 0);
});

t.test('retry budget: max attempts, max age', async (t) => {
  const failing = new ScriptedSink('hook', [{ ok: false, retryable: true, error: 'HTTP 500' }]);
  const { box, log, time } = make(t, { sinks: [failing], retry: { maxAttempts: 3 } });
  await box.start();
  await box.enqueue(firing(1));
  await time.advance(60_000);
  t.match(log.of('dead-letter'), [{ attempts: 3, error: /gave up after 3 attempts; last error: HTTP 500/ }]);
  t.equal(failing.ids.length, 3);
  t.match(box.stats().sinks.hook, { attempts: 3, retried: 2, deadLettered: 1 });

  const slow = new ScriptedSink('hook', [{ ok: false, retryable: true, error: 'HTTP 429', retryAfterMs: 120_000 }]);
  const m = make(t, { sinks: [slow], retry: { maxAgeMs: 60_000 } });
  await m.box.start();
  await m.box.enqueue(firing(1));
  await settle();
  t.match(m.log.of('dead-letter'), [{ attempts: 1, error: /past the max age of 60000 ms; last error: HTTP 429/ }]);
});

t.test('unknown sink, a sink that throws, idempotent enqueue, state errors', async (t) => {
  const thrower = {
    name: 'boom',
    kind: 'webhook' as const,
    calls: 0,
    deliver(): Promise<never> {
      if (this.calls++ === 0) throw new Error('synchronous bug');
      return Promise.reject(new Error('async bug'));
    },
  };
  const { box, log, time } = make(t, { sinks: [thrower] });
  t.match(await caughtAsync(() => box.enqueue(firing(1))), { name: 'OutboxStateError', message: /before start/ });
  await box.start();
  await box.start();
  const n = firing(1, { sinks: ['boom', 'gone'] });
  await box.enqueue(n);
  await box.enqueue(n);
  t.equal(log.of('enqueued').length, 1, 'the same id twice is one notification');
  t.match(log.of('dead-letter'), [{ sink: 'gone', attempts: 0, error: /no sink named "gone"/ }]);
  t.match(log.of('retry-scheduled'), [{ sink: 'boom', error: 'sink threw: synchronous bug' }]);
  await time.advance(500);
  t.match(log.of('retry-scheduled')[1], { error: 'sink threw: async bug' });
  await box.close();
  await box.close();
  t.match(await caughtAsync(() => box.enqueue(firing(2))), { name: 'OutboxStateError', message: /after close/ });
  t.match(await caughtAsync(() => box.start()), { name: 'OutboxStateError' });
});

t.test('journal failures: enqueue rejects and sends nothing; progress failures are counted', async (t) => {
  const journal = new MemoryJournal();
  const sink = new ScriptedSink('hook');
  const { box, log } = make(t, { sinks: [sink], journal });
  await box.start();
  const append = journal.append.bind(journal);
  journal.append = () => Promise.reject(new Error('disk full'));
  t.match(await caughtAsync(() => box.enqueue(firing(1))), { message: 'disk full' });
  t.equal(sink.ids.length, 0, 'not recorded, not sent');
  t.equal(box.stats().notifications, 0);
  let calls = 0;
  journal.append = (r) => (calls++ === 0 ? append(r) : Promise.reject(new Error('disk full')));
  await box.enqueue(firing(1));
  await settle();
  t.equal(sink.ids.length, 1, 'recorded, then sent');
  t.equal(box.stats().journalErrors, 1);
  t.match(log.of('journal-error'), [{ error: { message: 'disk full' } }]);
});

t.test('close() aborts in-flight attempts; they stay pending and resume', async (t) => {
  const sink = new ManualSink('hook');
  const journal = new MemoryJournal();
  const { box } = make(t, { sinks: [sink], journal });
  await box.start();
  const n = firing(1);
  await box.enqueue(n);
  await box.close();
  t.equal(sink.calls[0]!.signal.aborted, true, 'the request was aborted');
  sink.calls[0]!.answer({ ok: true });
  t.same(kinds(journal), ['enqueued'], 'no attempt recorded for an aborted one');

  const again = new ScriptedSink('hook');
  const m = make(t, { sinks: [again], journal: journal.reopen() });
  await m.box.start();
  await settle();
  t.same(again.ids, [n.id], 'resumed after the restart with the same id');
});

t.test('replay: recorded retry times, expiry, dead letters, bad records', async (t) => {
  const sink = new ManualSink('hook');
  const { box, time, journal } = make(t, { sinks: [sink] });
  await box.start();
  const a = firing(1, { id: 'a:1', groupKey: 'a' });
  const b = firing(1, { id: 'b:1', groupKey: 'b' });
  const c = firing(1, { id: 'c:1', groupKey: 'c' });
  for (const n of [a, b, c]) await box.enqueue(n);
  sink.calls[0]!.answer({ ok: false, retryable: true, error: 'HTTP 500', retryAfterMs: 90_000 });
  sink.calls[1]!.answer({ ok: false, retryable: false, status: 401, error: 'HTTP 401' });
  await settle();
  await box.close();

  // Restarted 30 s later: a waits the remaining 60 s; b is a dead letter; c starts at once.
  const time2 = new FakeTime();
  time2.now = time.now + 30_000;
  const sink2 = new ManualSink('hook');
  const box2 = new Outbox({ journal: journal.reopen(), sinks: [sink2], clock: time2.clock, timers: time2, random: () => 0.5, timeoutMs: 3_600_000 });
  t.teardown(() => box2.close());
  await box2.start();
  t.same(sink2.ids, ['c:1']);
  t.match(box2.deadLetters(), [{ sink: 'hook', notification: { id: 'b:1' }, status: 401, attempts: 1 }]);
  t.match(box2.pending().find((p) => p.id === 'a:1'), { state: 'waiting', attempts: 1, lastError: 'HTTP 500', nextAttemptAt: time.now + 90_000 });
  await time2.advance(59_999);
  t.same(sink2.ids, ['c:1']);
  await time2.advance(1);
  t.same(sink2.ids, ['c:1', 'a:1']);

  // Restarted a day later: what is left is too old to send.
  await box2.close();
  const time3 = new FakeTime();
  time3.now = time.now + 86_400_000;
  const sink3 = new ManualSink('hook');
  const box3 = new Outbox({ journal: journal.reopen().reopen(), sinks: [sink3], clock: time3.clock, timers: time3 });
  t.teardown(() => box3.close());
  const log3 = new EventLog(box3);
  await box3.start();
  await time3.advance(120_000);
  t.equal(sink3.calls.length, 0);
  t.match(log3.of('dead-letter').map((e) => e.error), [/^expired/, /^expired/]);

  for (const [record, reason] of [
    [{ kind: 'weird', at: 1 }, /unknown kind "weird"/],
    [{ kind: 'delivered', at: 1, id: 'nope', sink: 'hook', attempt: 1 }, /never enqueued/],
    [{ kind: 'enqueued', at: 1, notification: { id: 'x' }, sinks: [] }, /not a notification/],
    [{ kind: 'enqueued', at: 1, notification: toJournalValue(a), sinks: [1] }, /sinks/],
    [{ kind: 'attempt', at: 1, id: 'x' }, /attempt: missing/],
    [{ kind: 'dead', at: 1, id: 'x' }, /dead: missing/],
    [{ kind: 'superseded', at: 1, id: 'x' }, /superseded: missing/],
    [{ kind: 'delivered', at: 1 }, /delivered: missing/],
    [{ at: 'x' }, /numeric `at`/],
    [[1, 2], /not a map/],
  ] as const) {
    const j = new MemoryJournal();
    await j.append(record as never);
    const bad = new Outbox({ journal: j.reopen(), sinks: [sink] });
    const err = await caughtAsync(() => bad.start());
    t.match(err, { name: 'OutboxJournalError', index: 0, reason }, String(reason));
  }
});

t.test('notifications with undefined and non-finite values are recorded', async (t) => {
  const sink = new ScriptedSink('hook');
  const { box, journal } = make(t, { sinks: [sink] });
  await box.start();
  const alert = hijackAlert({ startsAt: undefined, evidence: { details: { ratio: Number.NaN, limit: Infinity, ok: true } } });
  await box.enqueue(notificationOf([alert]));
  const rec = journal.all()[0] as { notification: { alerts: Array<Record<string, unknown>> } };
  t.notOk('startsAt' in rec.notification.alerts[0]!);
  t.same((rec.notification.alerts[0]!.evidence as { details: unknown }).details, { ratio: null, limit: null, ok: true });
  t.same(toJournalValue([1, undefined, () => 1]), [1, null, null]);
  t.same(toJournalValue(10n), null);
});

t.test('options are checked', async (t) => {
  const journal = new MemoryJournal();
  const s = new ScriptedSink('a');
  t.match(caught(() => new Outbox({ journal, sinks: [s, new ScriptedSink('a')] })), { name: 'OutboxConfigError', key: 'sinks' });
  t.match(caught(() => new Outbox({ journal, sinks: [s], perSink: { b: {} } })), { key: 'perSink.b' });
  t.match(caught(() => new Outbox({ journal, sinks: [s], perSink: { a: { concurrency: 0 } } })), { key: 'perSink.a.concurrency' });
  t.match(caught(() => new Outbox({ journal, sinks: [s], timeoutMs: 0 })), { key: 'timeoutMs' });
  t.match(caught(() => new Outbox({ journal, sinks: [s], retry: { factor: 0.5 } })), { key: 'retry.factor' });
  t.match(caught(() => new Outbox({ journal, sinks: [s], retry: { capMs: 10, baseMs: 100 } })), { key: 'retry.capMs' });
  t.match(caught(() => new Outbox({ journal, sinks: [s], maxDeadLetters: -1 })), { key: 'maxDeadLetters' });
  t.equal(backoffDelay(RETRY_DEFAULTS, 30, () => 0.999), Math.floor(0.999 * RETRY_DEFAULTS.capMs), 'capped');
  t.equal(backoffDelay(RETRY_DEFAULTS, 1, () => 0, 5000), 5000, 'Retry-After is the floor');
});

t.test('dead letters kept in memory are bounded', async (t) => {
  const refusing = new ScriptedSink('hook', [{ ok: false, retryable: false, status: 400, error: 'HTTP 400' }]);
  const { box } = make(t, { sinks: [refusing], maxDeadLetters: 2 });
  await box.start();
  for (let i = 0; i < 4; i++) await box.enqueue(firing(1, { id: `d${i}:1`, groupKey: `d${i}` }));
  await settle();
  t.same(box.deadLetters().map((d) => d.notification.id), ['d2:1', 'd3:1']);
  t.match(box.stats(), { deadLetters: 2, sinks: { hook: { deadLettered: 4 } } });
});
