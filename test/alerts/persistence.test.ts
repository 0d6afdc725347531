/**
 * Alert state across restarts (src/alerts/persistence.ts): the journal of a
 * snapshot plus events, folded and restored into a new engine, gives back
 * the alerts (status, times, acknowledgements), the groups (sequence, what
 * they told), the silences; after the restart the notifications continue
 * with the next sequence numbers (nothing told twice, nothing skipped);
 * compaction keeps the journal to a snapshot plus recent events; a journal
 * that fails appends (disk full) is counted, survived, and made whole by a
 * snapshot when writes work again.
 */
import t from 'tap';
import { AlertState, foldAlertJournal, AlertStateJournalError } from '../../src/alerts/persistence.js';
import type { Notification } from '../../src/alerts/notification.js';
import type { Journal, JournalValue } from '../../src/store/journal.js';
import { MemoryJournal } from '../../src/store/memory-journal.js';
import { FullDisk } from '../helpers/full-disk.js';
import { caught } from '../helpers/errors.js';
import { FakeClock, condition, floodCondition, harness, min, s, type Harness } from './engine-fixtures.js';
import type { AlertEngineOptions } from '../../src/alerts/engine.js';

const options: Partial<AlertEngineOptions> = {
  holdDown: { fireMs: s(30), resolveMs: min(5) },
  grouping: { groupWaitMs: s(30), groupIntervalMs: min(5), repeatIntervalMs: min(60), maxAlertsPerNotification: 5 },
  retention: { resolvedMs: min(60), maxResolved: 1000 },
};

interface Node {
  h: Harness;
  state: AlertState;
  journal: MemoryJournal;
}

/** An engine with its state journaled; notifications recorded after the group record, as the daemon does. */
async function node(journal: MemoryJournal, clock: FakeClock, minEventsPerSnapshot = 1000): Promise<Node> {
  let state!: AlertState;
  const h = harness({ ...options, notify: (n) => void state.beforeNotification(n) }, clock);
  state = new AlertState({ engine: h.engine, journal, now: clock.now, minEventsPerSnapshot });
  await state.start();
  return { h, state, journal };
}

/** What must survive: per alert and per group, the state a user or a receiver can see. */
function view(h: Harness) {
  const alerts = h.engine.alerts().map((a) => ({ id: a.id, status: a.status, raisedAt: a.raisedAt, startsAt: a.startsAt, endsAt: a.endsAt, ack: a.acknowledged?.by }));
  const groups = h.engine
    .groups()
    .map((g) => ({ key: g.key, sequence: g.sequence, lastStatus: g.lastStatus, lastNotifiedAt: g.lastNotifiedAt, acknowledged: g.acknowledged, members: g.members }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const silences = h.engine.silences().map((x) => ({ id: x.id, endsAt: x.endsAt }));
  return { alerts, groups, silences };
}

const flush = () => new Promise((r) => setImmediate(r));

t.test('a restart at every step of a scenario gives back the same state, and the same notifications after it', async (t) => {
  // The scenario: a flood, a flap, an ack, a silence, a resolution, a re-fire, evictions.
  const steps: ((h: Harness) => void)[] = [
    (h) => {
      for (let i = 0; i < 30; i++) h.engine.raise(floodCondition(i));
    },
    (h) => h.clock.advance(s(31)),
    (h) => h.clock.advance(s(31)), // the first notification
    (h) => {
      h.engine.raise(condition({ type: 'origin-hijack', labels: { prefix: '198.51.100.0/24', origin: '64666' } }));
      h.engine.clear(floodCondition(3).fingerprint);
    },
    (h) => {
      h.engine.raise(condition({ labels: { prefix: '192.0.2.0/24' } }));
      h.engine.clear(condition({ labels: { prefix: '192.0.2.0/24' } }).fingerprint); // a flap: dropped
      h.engine.acknowledge(floodCondition(1).fingerprint, 'noc', 'looking');
    },
    (h) => h.clock.advance(min(2)),
    (h) => void h.engine.addSilence({ matchers: '{type="origin-hijack"}', endsAt: h.clock.now() + min(20), createdBy: 'noc' }),
    (h) => h.clock.advance(min(6)), // the flood's change (3 resolved) is told; the hijack is silenced
    (h) => {
      for (let i = 0; i < 10; i++) h.engine.clear(floodCondition(i).fingerprint);
      h.engine.raise(floodCondition(3));
    },
    (h) => h.clock.advance(min(6)),
    (h) => void h.engine.expireSilence(h.engine.silences()[0]!.id),
    (h) => h.clock.advance(min(6)),
    (h) => h.clock.advance(min(70)), // retention evicts, repeats fire
  ];
  const clock = new FakeClock();
  const journal = new MemoryJournal();
  const live = await node(journal, clock, 7);
  let restarts = 0;
  for (const [i, step] of steps.entries()) {
    step(live.h);
    await flush();
    // A restart now: a second engine from what the journal holds.
    const twinClock = new FakeClock();
    twinClock.time = clock.time;
    const twin = await node(journal.reopen(), twinClock);
    twinClock.advance(0); // what is due now (the retention sweep restore schedules) runs, as it did in the live engine
    t.same(view(twin.h), view(live.h), `after step ${i}: the same alerts, groups and silences`);
    // Both go on for two hours, the twin against an engine restored from the live one's own snapshot (what a perfect store would give): the same notification ids.
    const ref = harness(options, Object.assign(new FakeClock(), { time: clock.time }));
    ref.engine.restore(live.h.engine.snapshot());
    twin.h.clock.advance(min(120));
    ref.clock.advance(min(120));
    const b = twin.h.sent;
    t.same(b.map((n) => [n.id, n.status]), ref.sent.map((n) => [n.id, n.status]), `after step ${i}: notifications continue ${JSON.stringify(b.map((n) => n.id.slice(-3)))}`);
    ref.engine.close();
    const told = new Set(live.h.sent.map((n) => n.id));
    t.notOk(b.some((n) => told.has(n.id)), `after step ${i}: no id told before the restart is told again`);
    await twin.state.close();
    twin.h.engine.close();
    restarts++;
  }
  t.ok(live.state.stats().compactions > 1, `compacted ${live.state.stats().compactions} times`);
  t.ok(journal.stats().records < 40, `the journal holds ${journal.stats().records} records`);
  t.equal(restarts, steps.length);
  await live.state.close();
  live.h.engine.close();
});

t.test('the fold: a snapshot supersedes what came before; bad records are refused by index', async (t) => {
  const clock = new FakeClock();
  const journal = new MemoryJournal();
  const n = await node(journal, clock);
  n.h.engine.raise(condition());
  clock.advance(s(31));
  await flush();
  const records = journal.all();
  t.match(records[0], { k: 'snapshot' }, 'start writes a snapshot');
  t.match(records.slice(1).map((r) => (r as { k: string }).k), ['transition', 'transition']);
  const f = foldAlertJournal(records);
  t.equal(f.events, 2, 'two events after the snapshot');
  t.equal(f.snapshotAt, clock.time - s(31));
  t.equal(f.snapshot.alerts[0]!.alert.status, 'firing');
  t.throws(() => foldAlertJournal([...records, { k: 'nonsense', at: 1 }]), AlertStateJournalError);
  t.match(caught(() => foldAlertJournal([{ k: 'transition', at: 1 }], 'x')), { index: 0, journal: 'x', message: /record 0: transition: no alert/ });
  await n.state.close();
  n.h.engine.close();
});


t.test('disk full: counted, reported once, survived; a snapshot makes the journal whole when space returns', async (t) => {
  const clock = new FakeClock();
  const inner = new MemoryJournal();
  const disk = new FullDisk(inner);
  const errors: Error[] = [];
  let recovered = 0;
  let state!: AlertState;
  const h = harness({ ...options, notify: (n) => void state.beforeNotification(n) }, clock);
  state = new AlertState({ engine: h.engine, journal: disk, now: clock.now, retryMs: 50, onJournalError: (e) => errors.push(e), onJournalRecovered: () => recovered++ });
  await state.start();
  h.engine.raise(condition());
  await flush();
  disk.full = true;
  h.engine.raise(condition({ labels: { prefix: '192.0.2.0/24' } }));
  clock.advance(s(61)); // both fire and are told, in memory
  await flush();
  t.ok(state.stats().journalErrors >= 2, `${state.stats().journalErrors} failed writes counted`);
  t.equal(errors.length, 1, 'reported once');
  t.equal(state.stats().dirty, true);
  t.equal(h.sent.length, 1, 'the engine ran on');
  disk.full = false;
  await new Promise((r) => setTimeout(r, 120)); // the retry timer writes a snapshot
  t.equal(recovered, 1);
  t.equal(state.stats().dirty, false);
  const twin = await node(inner.reopen(), Object.assign(new FakeClock(), { time: clock.time }));
  t.same(view(twin.h), view(h), 'the journal is whole again');
  await twin.state.close();
  twin.h.engine.close();
  await state.close();
  h.engine.close();
});

t.test('cost: a snapshot of 10,000 firing alerts', async (t) => {
  const clock = new FakeClock();
  const journal = new MemoryJournal();
  const n = await node(journal, clock, 1_000_000);
  for (let i = 0; i < 10_000; i++) n.h.engine.raise(floodCondition(i));
  clock.advance(s(61));
  await flush();
  const started = performance.now();
  await n.state.compact();
  const ms = performance.now() - started;
  const bytes = journal.stats().bytes;
  const restoreStarted = performance.now();
  const twin = await node(journal.reopen(), Object.assign(new FakeClock(), { time: clock.time }));
  const restoreMs = performance.now() - restoreStarted;
  t.equal(twin.h.engine.counts().byStatus.firing, 10_000);
  t.comment(`snapshot of 10,000 alerts: ${bytes} bytes, ${ms.toFixed(0)} ms to write; restore ${restoreMs.toFixed(0)} ms (incl. the start-up snapshot)`);
  t.ok(bytes / 10_000 < 2000, `${(bytes / 10_000).toFixed(0)} bytes per alert`);
  await twin.state.close();
  twin.h.engine.close();
  await n.state.close();
  n.h.engine.close();
});
