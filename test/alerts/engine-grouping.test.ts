import t from 'tap';
import { groupOf } from '../../src/alerts/grouping.js';
import { FakeClock, T0, condition, floodCondition, harness, min, s } from './engine-fixtures.js';

const timers = {
  tickMs: 1000,
  holdDown: { fireMs: s(30), resolveMs: min(5) },
  grouping: { groupWaitMs: s(30), groupIntervalMs: min(5), repeatIntervalMs: 0, maxAlertsPerNotification: 20 },
};

t.test('10,000 invalid prefixes from one origin on one VIF become one notification', async (t) => {
  const { clock, engine, sent } = harness({ ...timers, routing: { defaultSinks: ['ops'] } });
  const conditions = Array.from({ length: 10_000 }, (_, i) => floodCondition(i));
  const started = performance.now();
  for (const c of conditions) engine.raise(c);
  const raisedMs = performance.now() - started;
  clock.advance(s(30)); // all fire
  const fireMs = performance.now() - started - raisedMs;
  clock.advance(s(30)); // group wait ends
  const totalMs = performance.now() - started;
  t.comment(`10,000 raises: ${raisedMs.toFixed(1)} ms; firing them: ${fireMs.toFixed(1)} ms; through the notification: ${totalMs.toFixed(1)} ms`);

  t.equal(sent.length, 1, 'one notification');
  const n = sent[0];
  t.equal(n.status, 'firing');
  t.same(n.counts, { firing: 10_000, resolved: 0 });
  t.equal(n.alerts.length, 20, 'at most maxAlertsPerNotification listed');
  t.equal(n.truncated, true);
  t.equal(n.sequence, 1);
  t.equal(n.id, `${n.groupKey}:1`);
  t.same(n.groupLabels, { type: 'rpki-invalid', vif: 'dxvif-abc', origin: '64511' });
  t.equal(n.severity, 'critical');
  t.same(n.sinks, ['ops']);
  t.equal(n.createdAt, T0 + min(1));
  t.match(n.summary, /^RPKI-invalid: 10,000 routes from AS64511 on dxvif-abc \(first: 10\.0\.\d+\.\d+\/32\)$/);
  t.equal(engine.alerts({ status: 'firing' }).length, 10_000, 'every member stays queryable');
  t.equal(engine.alerts({ groupKey: n.groupKey }).length, 10_000);
  const groups = engine.groups();
  t.equal(groups.length, 1);
  t.same(groups[0].members, { firing: 10_000, resolving: 0, resolved: 0 });
  t.equal(groups[0].sequence, 1);

  // All clear: one resolved notification after the resolve hold-down and the group interval.
  for (const c of conditions) engine.clear(c.fingerprint);
  clock.advance(min(5));
  t.equal(sent.length, 2);
  t.equal(sent[1].status, 'resolved');
  t.same(sent[1].counts, { firing: 0, resolved: 10_000 });
  t.equal(sent[1].alerts.length, 20);
  t.equal(sent[1].truncated, true);
  t.match(sent[1].summary, /^Resolved: RPKI-invalid: 10,000 routes from AS64511 on dxvif-abc/);
  t.equal(sent[1].id, `${n.groupKey}:2`);
  t.same(engine.groups(), [], 'the group is closed');
  clock.advance(min(60));
  t.equal(sent.length, 2, 'nothing more');
  engine.close();
});

t.test('groups split by type, VIF and origin; an absent label groups under its absence', async (t) => {
  const { clock, engine, sent } = harness(timers);
  engine.raise(floodCondition(1, { origin: '64511' }));
  engine.raise(floodCondition(2, { origin: '64511' }));
  engine.raise(floodCondition(3, { origin: '64512' }));
  engine.raise(floodCondition(4, { vif: 'dxvif-def' }));
  engine.raise(condition({ type: 'session-down', labels: { peer: '169.254.0.1', origin: undefined as unknown as string } }));
  const noVif = condition({ type: 'bmp-session-down', labels: { router: '192.0.2.1' } });
  engine.raise({ ...noVif, labels: { type: 'bmp-session-down', severity: 'critical', router: '192.0.2.1' } });
  clock.advance(min(1));
  t.equal(sent.length, 5);
  const byKey = new Map(sent.map((n) => [n.groupKey, n]));
  t.equal(byKey.size, 5);
  const two = sent.find((n) => n.counts.firing === 2);
  t.same(two?.groupLabels, { type: 'rpki-invalid', vif: 'dxvif-abc', origin: '64511' });
  t.equal(two?.truncated, false);
  const bmp = sent.find((n) => n.type === 'bmp-session-down');
  t.same(bmp?.groupLabels, { type: 'bmp-session-down' }, 'absent labels are absent from the group labels');
  t.equal(bmp?.summary, noVif.summary, 'a group of one says what its alert says');

  // The key tells absence from any value, and ignores labels outside groupBy.
  const a = groupOf('rpki-invalid', { vif: 'x' }, ['type', 'vif', 'origin']);
  t.not(a.key, groupOf('rpki-invalid', { vif: 'x', origin: '' }, ['type', 'vif', 'origin']).key);
  t.equal(a.key, groupOf('rpki-invalid', { vif: 'x', prefix: 'p' }, ['vif', 'origin']).key, 'type is always a grouping label');
  t.not(a.key, groupOf('rpki-stale', { vif: 'x' }, ['vif', 'origin']).key);
  t.match(a.key, /^[0-9a-f]{16}$/);
  engine.close();
});

t.test('group interval paces changes; members, resolutions and counts', async (t) => {
  const { clock, engine, sent } = harness(timers);
  engine.raise(floodCondition(1));
  clock.advance(min(1)); // fires at 30 s, told at 60 s
  t.equal(sent.length, 1);
  engine.raise(floodCondition(2));
  clock.advance(s(30));
  t.equal(sent.length, 1, 'a new member waits for the group interval');
  clock.advance(min(4) + s(30) - 1);
  t.equal(sent.length, 1);
  clock.advance(1);
  t.equal(sent.length, 2, 'told at lastNotified + groupInterval');
  t.same(sent[1].counts, { firing: 2, resolved: 0 });
  t.equal(sent[1].alerts[0].fingerprint, floodCondition(2).fingerprint, 'newest first');

  engine.clear(floodCondition(1).fingerprint);
  clock.advance(min(5));
  t.equal(sent.length, 3, 'a resolution is news');
  t.same(sent[2].counts, { firing: 1, resolved: 1 });
  t.equal(sent[2].status, 'firing');
  t.same(
    sent[2].alerts.map((a) => a.status),
    ['firing', 'resolved'],
    'firing first, then resolved',
  );
  t.match(sent[2].summary, /; 1 resolved$/);
  clock.advance(min(30));
  t.equal(sent.length, 3, 'a told resolution is not told again');

  engine.clear(floodCondition(2).fingerprint);
  clock.advance(min(10));
  t.equal(sent.length, 4);
  t.equal(sent[3].status, 'resolved');
  t.same(sent[3].counts, { firing: 0, resolved: 1 });
  t.equal(sent[3].severity, 'critical', 'the group severity as told');
  engine.close();
});

t.test('repeat interval re-notifies an unchanged firing group; 0 never does', async (t) => {
  const { clock, engine, sent } = harness({ ...timers, grouping: { ...timers.grouping, repeatIntervalMs: min(60) } });
  engine.raise(floodCondition(1));
  clock.advance(min(1));
  t.equal(sent.length, 1);
  clock.advance(min(59) + s(59));
  t.equal(sent.length, 1);
  clock.advance(s(1));
  t.equal(sent.length, 2, 'repeated after repeatIntervalMs');
  t.same(sent[1].counts, sent[0].counts);
  t.equal(sent[1].sequence, 2);
  clock.advance(min(60));
  t.equal(sent.length, 3);
  engine.close();

  const never = harness(timers);
  never.engine.raise(floodCondition(1));
  never.clock.advance(24 * min(60));
  t.equal(never.sent.length, 1);
  never.engine.close();
});

t.test('a group whose only member resolved before group wait ended sends nothing', async (t) => {
  const { clock, engine, sent } = harness({ ...timers, holdDown: { fireMs: s(30), resolveMs: s(10) } });
  engine.raise(floodCondition(1));
  clock.advance(s(30));
  t.equal(engine.groups().length, 1);
  engine.clear(floodCondition(1).fingerprint);
  clock.advance(min(10));
  t.equal(sent.length, 0, 'resolved before anything was told: nothing to say');
  t.same(engine.groups(), []);
  engine.close();
});

t.test('a resolved member re-fired before the group told its resolution is not news', async (t) => {
  const { clock, engine, sent } = harness({ ...timers, holdDown: { fireMs: 0, resolveMs: 0 } });
  engine.raise(floodCondition(1));
  engine.raise(floodCondition(2));
  clock.advance(min(1));
  t.equal(sent.length, 1);
  engine.clear(floodCondition(1).fingerprint);
  t.equal(engine.get(floodCondition(1).fingerprint)?.status, 'resolved');
  engine.raise(floodCondition(1));
  t.equal(engine.get(floodCondition(1).fingerprint)?.status, 'firing', 'a new episode');
  clock.advance(min(10));
  t.equal(sent.length, 1, 'the group was told it fires; it still does');
  engine.close();
});

t.test('a severity escalation leads the notification and sets its severity; notify errors are logged', async (t) => {
  const errors: string[] = [];
  const { clock, engine, sent } = harness({
    ...timers,
    notify: () => {
      throw new Error('outbox down');
    },
    log: { info() {}, warn() {}, error: (_o, msg) => errors.push(msg) },
  });
  engine.raise(condition({ type: 'prefix-limit', severity: 'info', labels: { peer: 'a', origin: undefined as unknown as string } }));
  engine.raise(condition({ type: 'prefix-limit', severity: 'warning', labels: { peer: 'b', origin: undefined as unknown as string } }));
  clock.advance(min(1));
  t.equal(sent[0].severity, 'warning', 'highest firing member');
  t.same(errors, ['alert engine: notify callback failed']);
  engine.raise(condition({ type: 'prefix-limit', severity: 'critical', labels: { peer: 'a', origin: undefined as unknown as string } }));
  clock.advance(min(5));
  t.equal(sent.length, 2);
  t.equal(sent[1].severity, 'critical');
  t.match(sent[1].summary, /^Prefix limit: 2 sessions on dxvif-abc \(first: 203\.0\.113\.0\/24\)$/);
  engine.close();
});

t.test('the whole life of a 10,000-alert flood, with the default tick and timers', async (t) => {
  const clock = new FakeClock();
  const { engine, sent } = harness({ tickMs: 1000 }, clock);
  const conditions = Array.from({ length: 10_000 }, (_, i) => floodCondition(i));
  // CPU time as well as wall time: test runs share the machine.
  const cpu = (): number => process.cpuUsage().user / 1000;
  const [w0, c0] = [performance.now(), cpu()];
  for (const c of conditions) engine.raise(c);
  const [w1, c1] = [performance.now(), cpu()];
  for (const c of conditions) engine.raise(c);
  const [w2, c2] = [performance.now(), cpu()];
  clock.advance(min(2));
  const [w3, c3] = [performance.now(), cpu()];
  for (const c of conditions) engine.clear(c.fingerprint);
  clock.advance(min(20));
  const [w4, c4] = [performance.now(), cpu()];
  const ms = (w: number, c: number): string => `${w.toFixed(1)} ms (cpu ${c.toFixed(1)} ms)`;
  t.comment(`10,000 new raises: ${ms(w1 - w0, c1 - c0)}; 10,000 repeats: ${ms(w2 - w1, c2 - c1)}`);
  t.comment(`firing and the notification: ${ms(w3 - w2, c3 - c2)}; 10,000 clears to the resolved notification: ${ms(w4 - w3, c4 - c3)}`);
  t.same(
    sent.map((n) => n.status),
    ['firing', 'resolved'],
  );
  t.equal(engine.counts().byStatus.resolved, 10_000);
  engine.close();
});
