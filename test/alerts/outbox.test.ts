/**
 * The outbox with real sinks against local receivers, on a fake clock:
 * recorded before any attempt; five failures (500s, then 429 with
 * Retry-After) then success: delivered exactly once after 6 attempts with
 * the backoff asked for; a permanent 400 dead-letters at once; a hanging
 * receiver times out without delaying another sink; a crash and restart
 * over the same journal file resumes the undelivered with the same ids and
 * does not resend the delivered.
 */
import t, { type Test } from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox, type OutboxOptions } from '../../src/alerts/outbox.js';
import { WebhookSink } from '../../src/alerts/sinks/webhook.js';
import { FileJournal } from '../../src/store/journal.js';
import { MemoryJournal } from '../../src/store/memory-journal.js';
import { type Reply, startReceiver } from '../helpers/receiver.js';
import { EventLog, FakeTime, settle } from './outbox-harness.js';
import { firing } from './sinks/fixtures.js';

function outbox(t: Test, time: FakeTime, options: Partial<OutboxOptions> & Pick<OutboxOptions, 'sinks'>): { box: Outbox; log: EventLog; journal: MemoryJournal } {
  const journal = new MemoryJournal();
  const box = new Outbox({ journal, clock: time.clock, timers: time, random: () => 0.5, retry: { baseMs: 1000, factor: 2, capMs: 60_000 }, ...options });
  t.teardown(() => box.close());
  return { box, log: new EventLog(box), journal: (options.journal as MemoryJournal | undefined) ?? journal };
}

t.test('recorded before any attempt', async (t) => {
  const r = await startReceiver(t);
  const time = new FakeTime();
  const journal = new MemoryJournal();
  const append = journal.append.bind(journal);
  const seenAtAppend: number[] = [];
  journal.append = (record) => {
    seenAtAppend.push(r.requests.length);
    return append(record);
  };
  const { box, log } = outbox(t, time, { journal, sinks: [new WebhookSink({ name: 'hook', url: r.url })] });
  await box.start();
  const n = firing(1);
  await box.enqueue(n);
  t.match(journal.all()[0], { kind: 'enqueued', notification: { id: n.id }, sinks: ['hook'] });
  t.equal(seenAtAppend[0], 0, 'nothing sent when the record was written');
  await log.next('delivered');
  t.equal(r.requests.length, 1);
  t.match(journal.all().map((x) => (x as { kind: string }).kind), ['enqueued', 'delivered']);
});

t.test('5 failures (500s, then 429 + Retry-After), then success: once, 6 attempts, backoff honoured', async (t) => {
  const replies: Reply[] = [{ status: 500 }, { status: 500 }, { status: 503 }, { status: 500 }, { status: 429, headers: { 'retry-after': '30' } }, { status: 200 }];
  const r = await startReceiver(t, replies);
  const time = new FakeTime();
  const { box, log } = outbox(t, time, { sinks: [new WebhookSink({ name: 'hook', url: r.url, secret: 's3cret' })] });
  await box.start();
  const n = firing(2);
  await box.enqueue(n);
  // random() = 0.5: half of min(cap, 1000 · 2^(k-1)); the 429's 30 s is the floor of the fifth wait.
  const expected = [500, 1000, 2000, 4000, 30_000];
  for (const [k, delay] of expected.entries()) {
    const e = await log.next('retry-scheduled');
    t.match(e, { id: n.id, sink: 'hook', attempt: k + 1, delayMs: delay }, `wait ${k + 1}`);
    await time.advance(delay - 1);
    t.equal(r.requests.length, k + 1, 'not before the wait is over');
    await time.advance(1);
  }
  await log.next('delivered');
  t.equal(r.requests.length, 6);
  t.same(new Set(r.requests.map((q) => q.headers['idempotency-key'])), new Set([n.id]), 'one idempotency key');
  const s = box.stats();
  t.match(s.sinks.hook, { attempts: 6, retried: 5, delivered: 1, deadLettered: 0, pending: 0, inFlight: 0 });
  t.equal(s.pending, 0);
  await time.advance(3_600_000);
  t.equal(r.requests.length, 6, 'delivered exactly once');
  t.same(log.of('attempt').map((e) => e.result.ok), [false, false, false, false, false, true]);
});

t.test('a permanent 400 dead-letters at once', async (t) => {
  const r = await startReceiver(t, [{ status: 400, body: 'bad request' }]);
  const time = new FakeTime();
  const { box, log, journal } = outbox(t, time, { sinks: [new WebhookSink({ name: 'hook', url: r.url })] });
  await box.start();
  const n = firing(1);
  await box.enqueue(n);
  const e = await log.next('dead-letter');
  t.match(e, { id: n.id, sink: 'hook', attempts: 1, error: /refused: HTTP 400 .*bad request/ });
  t.equal(log.of('retry-scheduled').length, 0);
  const letters = box.deadLetters();
  t.equal(letters.length, 1);
  t.match(letters[0], { sink: 'hook', attempts: 1, status: 400, notification: { id: n.id } });
  t.match(box.stats(), { pending: 0, deadLetters: 1, sinks: { hook: { deadLettered: 1, attempts: 1 } } });
  await settle();
  t.match(journal.all().at(-1), { kind: 'dead', id: n.id, sink: 'hook', attempts: 1, status: 400 });
});

t.test('a hanging receiver times out and does not delay another sink', async (t) => {
  const hang = await startReceiver(t, ['hang', { status: 200 }]);
  const good = await startReceiver(t);
  const time = new FakeTime();
  const { box, log } = outbox(t, time, {
    sinks: [new WebhookSink({ name: 'slow', url: hang.url, timeoutMs: 600_000 }), new WebhookSink({ name: 'fast', url: good.url })],
    perSink: { slow: { timeoutMs: 5000, concurrency: 1 } },
  });
  await box.start();
  const n = firing(1, { sinks: ['slow', 'fast'] });
  await box.enqueue(n);
  t.match(await log.next('delivered'), { sink: 'fast' }, 'fast delivered while slow hangs');
  await hang.waitFor(1);
  t.match(box.pending(), [{ sink: 'slow', state: 'in-flight', attempts: 1 }]);
  // A second notification for the slow sink waits for its one slot; the fast sink is not held up.
  const n2 = firing(1, { sinks: ['slow', 'fast'], groupKey: 'other', id: 'other:1' });
  await box.enqueue(n2);
  t.match(await log.next('delivered'), { sink: 'fast', id: 'other:1' });
  t.match(box.stats().sinks.slow, { inFlight: 1, pending: 2 });
  await time.advance(5000);
  t.match(await log.next('retry-scheduled'), { sink: 'slow', id: n.id, delayMs: 500, error: /no answer within 5000 ms/ });
  // The slot went to the waiting notification (real I/O: wait for it before moving the clock).
  t.match(await log.next('delivered'), { sink: 'slow', id: 'other:1' });
  await time.advance(500);
  t.match(await log.next('delivered'), { sink: 'slow', id: n.id, attempts: 2 });
  t.equal(hang.requests.length, 3);
});

t.test('crash and restart: undelivered resumed with the same ids, delivered not resent', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-outbox-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'outbox.journal');
  const ok = await startReceiver(t);
  const down = await startReceiver(t, [{ status: 503 }]);
  const sinks = [new WebhookSink({ name: 'ok', url: ok.url }), new WebhookSink({ name: 'down', url: down.url })];

  const time = new FakeTime();
  const j1 = await FileJournal.open(path);
  const box1 = new Outbox({ journal: j1, sinks, clock: time.clock, timers: time, random: () => 0.5 });
  const log1 = new EventLog(box1);
  await box1.start();
  const a = firing(1, { sinks: ['ok', 'down'] });
  const b = firing(1, { sinks: ['ok', 'down'], groupKey: 'g2', id: 'g2:1' });
  await box1.enqueue(a);
  await box1.enqueue(b);
  await log1.next('retry-scheduled');
  await log1.next('retry-scheduled');
  t.equal(log1.of('delivered').length, 2, 'both delivered to ok');
  t.equal(ok.requests.length, 2);
  // The crash: the process is gone; only what is in the file counts.
  await box1.close();
  await j1.close();

  down.replies = [{ status: 200 }];
  const time2 = new FakeTime();
  time2.now = time.now + 100;
  const j2 = await FileJournal.open(path);
  t.teardown(() => j2.close());
  const box2 = new Outbox({ journal: j2, sinks, clock: time2.clock, timers: time2, random: () => 0.5 });
  t.teardown(() => box2.close());
  const log2 = new EventLog(box2);
  await box2.start();
  t.match(log2.of('resumed'), [{ pending: 2, deadLetters: 0 }]);
  t.same(box2.pending().map((p) => [p.id, p.sink, p.attempts, p.state]), [
    [a.id, 'down', 1, 'waiting'],
    ['g2:1', 'down', 1, 'waiting'],
  ]);
  t.ok(time2.requested.every((d) => d > 0 && d <= 500), 'retries resume at their recorded times');
  await time2.advance(1000);
  await log2.next('delivered');
  await log2.next('delivered');
  t.same(down.requests.map((q) => q.headers['idempotency-key']).slice(-2).sort(), [a.id, 'g2:1'].sort(), 'same ids');
  t.equal(ok.requests.length, 2, 'nothing resent to the sink that had it');
  t.match(box2.stats().sinks.down, { delivered: 2, attempts: 2 });
  t.equal(box2.stats().pending, 0);

  // A third run has nothing to do.
  await box2.close();
  await j2.close();
  const j3 = await FileJournal.open(path);
  const box3 = new Outbox({ journal: j3, sinks, clock: time2.clock, timers: time2 });
  await box3.start();
  t.equal(box3.stats().pending, 0);
  await box3.enqueue(a);
  t.equal(box3.stats().pending, 0, 're-enqueueing a finished id is a no-op');
  await box3.close();
  await j3.close();
});
