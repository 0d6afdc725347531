import t from 'tap';
import { alertIdOf } from '../../src/alerts/alert.js';
import { AlertEngine, AlertEngineError, ENGINE_DEFAULTS } from '../../src/alerts/engine.js';
import { RoutingError } from '../../src/alerts/routing.js';
import { FakeClock, T0, condition, harness, min, s } from './engine-fixtures.js';

const timers = {
  holdDown: { fireMs: s(30), resolveMs: min(5) },
  grouping: { groupWaitMs: s(30), groupIntervalMs: min(5), repeatIntervalMs: 0 },
};

t.test('every transition: pending, firing, resolving, resolved, with times and events', async (t) => {
  const { clock, engine, sent, events } = harness(timers);
  const c = condition();
  engine.raise(c);
  const id = alertIdOf(c.fingerprint);
  let a = engine.get(id);
  t.equal(a?.status, 'pending');
  t.equal(a?.raisedAt, T0);
  t.equal(a?.startsAt, undefined);
  t.equal(a?.raises, 1);
  t.equal(engine.get(c.fingerprint), a, 'by fingerprint as well as by id');
  t.ok(Object.isFrozen(a), 'alerts are frozen snapshots');

  clock.advance(s(29));
  t.equal(engine.get(id)?.status, 'pending', 'still inside the fire hold-down');
  clock.advance(s(1));
  a = engine.get(id);
  t.equal(a?.status, 'firing');
  t.equal(a?.startsAt, T0 + s(30), 'startsAt is the end of the hold-down');
  t.equal(sent.length, 0, 'group wait still running');

  clock.advance(s(30));
  t.equal(sent.length, 1, 'first notification after group wait');
  t.equal(sent[0].status, 'firing');
  t.equal(sent[0].alerts[0].id, id);

  engine.clear(c.fingerprint);
  const clearedAt = clock.time;
  a = engine.get(id);
  t.equal(a?.status, 'resolving');
  t.equal(a?.endsAt, undefined);
  t.equal(engine.counts().firing[0]?.count, 1, 'resolving still counts as firing to the outside');
  clock.advance(min(5) - 1);
  t.equal(engine.get(id)?.status, 'resolving');
  clock.advance(1);
  a = engine.get(id);
  t.equal(a?.status, 'resolved');
  t.equal(a?.endsAt, clearedAt, 'endsAt is the clear time, not the end of the resolve hold-down');

  t.same(
    events.filter((e) => e.kind === 'transition').map((e) => (e.kind === 'transition' ? `${e.from ?? '-'}>${e.to}` : '')),
    ['->pending', 'pending>firing', 'firing>resolving', 'resolving>resolved'],
  );
  t.equal(events.filter((e) => e.kind === 'notified').length, sent.length);
  engine.close();
});

t.test('a flap inside the fire hold-down is dropped and never told', async (t) => {
  const { clock, engine, sent, events } = harness(timers);
  const c = condition();
  engine.raise(c);
  clock.advance(s(10));
  engine.clear(c.fingerprint);
  t.equal(engine.get(c.fingerprint), undefined, 'gone');
  t.ok(events.some((e) => e.kind === 'dropped'));
  clock.advance(min(30));
  t.equal(sent.length, 0, 'no notification');
  t.same(engine.alerts(), []);
  engine.close();
});

t.test('a flap inside the resolve hold-down: no resolved, no second firing', async (t) => {
  const { clock, engine, sent } = harness(timers);
  const c = condition();
  engine.raise(c);
  clock.advance(min(1));
  t.equal(sent.length, 1);
  const firstStart = engine.get(c.fingerprint)?.startsAt;
  for (let i = 0; i < 5; i++) {
    engine.clear(c.fingerprint);
    clock.advance(min(1));
    t.equal(engine.get(c.fingerprint)?.status, 'resolving');
    engine.raise(c);
    t.equal(engine.get(c.fingerprint)?.status, 'firing', 'back to firing');
    clock.advance(min(1));
  }
  clock.advance(min(60));
  t.equal(sent.length, 1, 'still just the first notification');
  const a = engine.get(c.fingerprint);
  t.equal(a?.startsAt, firstStart, 'the same episode');
  t.equal(a?.raises, 6);
  t.equal(a?.endsAt, undefined);
  engine.close();
});

t.test('repeats update the alert instead of creating new ones', async (t) => {
  const { clock, engine, sent } = harness(timers);
  const c = condition();
  engine.raise(c);
  clock.advance(s(40));
  const before = engine.get(c.fingerprint);
  clock.advance(s(10));
  engine.raise({ ...condition(), summary: 'newer text', evidence: { state: 'invalid', reason: 'length' } });
  const after = engine.get(c.fingerprint);
  t.not(after, before, 'a new object');
  t.equal(before?.summary, c.summary, 'the old snapshot is unchanged');
  t.equal(after?.summary, 'newer text');
  t.equal(after?.evidence.reason, 'length');
  t.equal(after?.raises, 2);
  t.equal(after?.lastRaisedAt, T0 + s(50));
  t.equal(after?.startsAt, before?.startsAt);
  t.equal(engine.alerts().length, 1);
  clock.advance(min(30));
  t.equal(sent.length, 1, 'a content update is not news');
  // A pending alert updates too.
  const p = condition({ labels: { prefix: '198.51.100.0/24' } });
  engine.raise(p);
  engine.raise(p);
  t.equal(engine.get(p.fingerprint)?.raises, 2);
  t.equal(engine.get(p.fingerprint)?.status, 'pending');
  engine.close();
});

t.test('a severity change of a firing alert re-notifies its group after the group interval', async (t) => {
  const { clock, engine, sent } = harness(timers);
  engine.raise(condition({ type: 'prefix-limit', severity: 'warning', labels: { peer: '169.254.0.1', afi: 'ipv4' } }));
  clock.advance(min(1));
  t.equal(sent.length, 1);
  t.equal(sent[0].severity, 'warning');
  engine.raise(condition({ type: 'prefix-limit', severity: 'critical', labels: { peer: '169.254.0.1', afi: 'ipv4' } }));
  clock.advance(min(1));
  t.equal(sent.length, 1, 'not before the group interval');
  clock.advance(min(4));
  t.equal(sent.length, 2);
  t.equal(sent[1].severity, 'critical');
  t.equal(sent[1].sequence, 2);
  t.equal(sent[1].id, `${sent[0].groupKey}:2`);
  t.equal(engine.alerts().length, 1, 'severity is not identity: the same alert');
  engine.close();
});

t.test('a resolved alert raised again is a new episode: same id, new startsAt, prior episode back on a flap', async (t) => {
  const { clock, engine, sent } = harness(timers);
  const c = condition();
  engine.raise(c);
  clock.advance(min(1));
  engine.clear(c.fingerprint);
  clock.advance(min(10));
  const resolved = engine.get(c.fingerprint);
  t.equal(resolved?.status, 'resolved');
  t.equal(sent.map((n) => n.status).join(), 'firing,resolved');

  engine.raise(c);
  t.equal(engine.get(c.fingerprint)?.status, 'pending');
  engine.clear(c.fingerprint);
  t.equal(engine.get(c.fingerprint), resolved, 'a flapped new episode brings the resolved one back');

  clock.advance(min(1));
  engine.raise(c);
  clock.advance(s(30));
  const again = engine.get(c.fingerprint);
  t.equal(again?.status, 'firing');
  t.equal(again?.id, resolved?.id);
  t.equal(again?.raises, 1, 'raises count per episode');
  t.ok((again?.startsAt ?? 0) > (resolved?.startsAt ?? 0));
  t.equal(again?.endsAt, undefined);
  clock.advance(min(1));
  t.equal(sent.length, 3);
  t.equal(sent[2].status, 'firing');
  t.equal(sent[2].sequence, 3, 'the reopened group continues the sequence: ids stay unique');
  engine.close();
});

t.test('hold-down 0 fires at once; per-type hold-downs; stale and unknown events', async (t) => {
  const { clock, engine } = harness({
    holdDown: { fireMs: s(30), resolveMs: min(5), byType: { 'origin-hijack': { fireMs: 0, resolveMs: 0 } } },
    grouping: { groupWaitMs: 0 },
  });
  const hijack = condition({ type: 'origin-hijack' });
  engine.raise(hijack);
  t.equal(engine.get(hijack.fingerprint)?.status, 'firing', 'fires inside raise()');
  t.equal(engine.get(hijack.fingerprint)?.startsAt, T0);
  engine.clear(hijack.fingerprint);
  t.equal(engine.get(hijack.fingerprint)?.status, 'resolved', 'resolves inside clear()');

  const c = condition();
  engine.raise(c, T0 - s(40));
  t.equal(engine.get(c.fingerprint)?.status, 'firing', 'a raise dated before the hold-down fires at once');
  t.equal(engine.get(c.fingerprint)?.startsAt, T0 - s(10));

  clock.advance(s(10));
  engine.clear(c.fingerprint, T0 - s(50));
  t.equal(engine.get(c.fingerprint)?.status, 'firing', 'a clear older than the last raise is stale');
  engine.clear(c.fingerprint);
  t.equal(engine.get(c.fingerprint)?.status, 'resolving');
  engine.clear(c.fingerprint);
  engine.raise(c, clock.time - s(5));
  t.equal(engine.get(c.fingerprint)?.status, 'resolving', 'a raise older than the clear does not undo it');
  engine.clear('no-such-fingerprint');
  t.equal(engine.get('no-such'), undefined);

  t.throws(() => engine.raise(c, Number.NaN), AlertEngineError);
  t.throws(() => engine.raise({ ...c, fingerprint: 'x' }), /fingerprint/);
  t.throws(() => engine.raise({ ...c, type: 'nope' as 'rpki-invalid' }), /unknown alert type/);
  t.throws(() => engine.raise({ ...c, severity: 'high' as 'critical' }), /unknown severity/);
  engine.close();
  engine.raise(condition({ labels: { prefix: '192.0.2.0/24' } }));
  t.equal(engine.alerts().length, 2, 'ignored after close');
});

t.test('the wheel serves deadlines within a tick, but the times recorded are exact', async (t) => {
  const clock = new FakeClock();
  clock.time = T0 + 250;
  const { engine } = harness({ tickMs: 1000, holdDown: { fireMs: s(30), resolveMs: 0 } }, clock);
  const c = condition();
  engine.raise(c);
  clock.advance(s(30));
  t.equal(engine.get(c.fingerprint)?.status, 'pending', 'T0+30.25s lies inside the tick ending at T0+31s');
  clock.advance(750);
  t.equal(engine.get(c.fingerprint)?.status, 'firing');
  t.equal(engine.get(c.fingerprint)?.startsAt, T0 + 250 + s(30));
  engine.close();
  t.equal(clock.pending, 0, 'close() leaves no timer');
});

t.test('10,000 pending alerts share the wheel: a handful of timers, not 10,000', async (t) => {
  const { clock, engine } = harness({ tickMs: 1000, holdDown: { fireMs: s(30), resolveMs: 0 } });
  for (let i = 0; i < 10_000; i++) {
    engine.raise(condition({ labels: { prefix: `10.0.${i >> 8}.${i & 255}/32` } }));
    if (i % 1000 === 999) clock.advance(100);
  }
  t.equal(clock.pending, 1, 'one real timer');
  clock.advance(s(31));
  t.equal(engine.counts().byStatus.firing, 10_000);
  engine.close();
});

t.test('listeners: unsubscribe, and a throwing listener is logged, the others still run', async (t) => {
  const errors: string[] = [];
  const { engine, events } = harness({
    holdDown: { fireMs: 0 },
    log: { info() {}, warn() {}, error: (_o, msg) => errors.push(msg) },
  });
  const off = engine.on(() => {
    throw new Error('boom');
  });
  engine.raise(condition());
  t.ok(errors.includes('alert listener failed'));
  t.equal(events.length, 2, 'the recorder still saw pending and firing');
  off();
  off();
  engine.raise(condition({ labels: { prefix: '192.0.2.0/24' } }));
  t.equal(errors.length, 2, 'unsubscribed: no new errors');
  engine.close();
});

t.test('options are checked and named; defaults are Alertmanager-like', async (t) => {
  const notify = (): void => {};
  t.throws(() => new AlertEngine({ notify: undefined as unknown as () => void }), /notify/);
  t.throws(() => new AlertEngine({ notify, holdDown: { fireMs: -1 } }), /holdDown\.fireMs/);
  t.throws(() => new AlertEngine({ notify, holdDown: { byType: { nope: { fireMs: 1 } } as never } }), /byType/);
  t.throws(() => new AlertEngine({ notify, holdDown: { byType: { 'rpki-stale': { resolveMs: Number.NaN } } } }), /rpki-stale\.resolveMs/);
  t.throws(() => new AlertEngine({ notify, grouping: { groupBy: ['ok', 'not ok'] } }), /groupBy/);
  t.throws(() => new AlertEngine({ notify, grouping: { maxAlertsPerNotification: 0 } }), /maxAlertsPerNotification/);
  t.throws(() => new AlertEngine({ notify, grouping: { groupIntervalMs: Infinity } }), /groupIntervalMs/);
  t.throws(() => new AlertEngine({ notify, retention: { maxResolved: 1.5 } }), /maxResolved/);
  t.throws(() => new AlertEngine({ notify, tickMs: 0 }), /tickMs/);
  t.throws(() => new AlertEngine({ notify, routing: { routes: [{ match: 'severity=~"(("', sinks: ['x'] }] } }), RoutingError);
  t.equal(ENGINE_DEFAULTS.groupWaitMs, 30_000);
  t.equal(ENGINE_DEFAULTS.groupIntervalMs, 300_000);
  t.equal(ENGINE_DEFAULTS.repeatIntervalMs, 14_400_000);
  t.same(ENGINE_DEFAULTS.groupBy, ['type', 'vif', 'origin']);
  const real = new AlertEngine({ notify });
  real.raise(condition());
  t.equal(real.get(condition().fingerprint)?.status, 'pending', 'real timers (unref\'d) work too');
  real.close();
});
