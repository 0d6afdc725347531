import t from 'tap';
import { SilenceError } from '../../src/alerts/silences.js';
import { T0, condition, floodCondition, harness, min, s } from './engine-fixtures.js';

const timers = {
  holdDown: { fireMs: 0, resolveMs: 0 },
  grouping: { groupWaitMs: s(30), groupIntervalMs: min(5), repeatIntervalMs: min(60), maxAlertsPerNotification: 5 },
};

let ids = 0;
const newId = (): string => `sil-${++ids}`;

t.test('a silenced alert lives its lifecycle, stays visible, and is left out of notifications', async (t) => {
  const { clock, engine, sent } = harness({ ...timers, newId });
  const sil = engine.addSilence({ matchers: 'prefix="10.0.0.2/32"', endsAt: T0 + min(60), createdBy: 'noc', comment: 'known' });
  t.match(sil, { id: /^sil-/, startsAt: T0, endsAt: T0 + min(60), createdBy: 'noc', comment: 'known' });
  t.same(sil.matchers, [{ name: 'prefix', op: '=', value: '10.0.0.2/32' }]);
  for (let i = 1; i <= 3; i++) engine.raise(floodCondition(i));
  clock.advance(s(30));
  t.equal(sent.length, 1);
  t.same(sent[0].counts, { firing: 2, resolved: 0 }, 'the silenced one is not counted');
  t.notOk(sent[0].alerts.some((a) => a.labels.prefix === '10.0.0.2/32'));
  const silenced = floodCondition(2).fingerprint;
  t.equal(engine.get(silenced)?.status, 'firing', 'it fires all the same');
  t.same(engine.silencedBy(silenced), [sil.id]);
  t.same(engine.silencedBy(floodCondition(1).fingerprint), []);
  t.same(engine.silencedBy('unknown'), []);
  t.equal(engine.alerts({ silenced: true }).length, 1);
  t.equal(engine.alerts({ silenced: false }).length, 2);

  // Its resolution is not news either.
  engine.clear(silenced);
  clock.advance(min(10));
  t.equal(sent.length, 1);
  t.equal(engine.get(silenced)?.status, 'resolved');
  engine.close();
});

t.test('a group whose members are all silenced sends nothing; the silence ending reveals them', async (t) => {
  const { clock, engine, sent } = harness({ ...timers, newId });
  const sil = engine.addSilence({ matchers: [{ name: 'origin', value: '64511' }], endsAt: T0 + min(20), createdBy: 'noc' });
  t.equal(sil.comment, '');
  engine.raise(floodCondition(1));
  engine.raise(floodCondition(2));
  clock.advance(min(10));
  t.equal(sent.length, 0, 'all silenced: nothing');
  t.equal(engine.groups().length, 1, 'the group exists');
  clock.advance(min(10));
  t.equal(sent.length, 1, 'at the silence end the group is told');
  t.same(sent[0].counts, { firing: 2, resolved: 0 });
  t.equal(engine.getSilence(sil.id)?.endsAt, T0 + min(20));
  engine.close();
});

t.test('expiring a silence by hand; pending silences; the final resolved notification', async (t) => {
  const { clock, engine, sent } = harness({ ...timers, newId });
  engine.raise(floodCondition(1));
  clock.advance(s(30));
  t.equal(sent.length, 1);
  const later = engine.addSilence({ matchers: 'vif="dxvif-abc"', startsAt: T0 + min(150), endsAt: T0 + min(200), createdBy: 'noc' });
  const now = engine.addSilence({ matchers: 'vif="dxvif-abc"', endsAt: T0 + min(200), createdBy: 'noc' });
  t.same(engine.silencedBy(floodCondition(1).fingerprint), [now.id], 'a pending silence does not count yet');
  clock.advance(min(90));
  t.equal(sent.length, 1, 'silenced: no repeats');
  engine.raise(floodCondition(2));
  clock.advance(min(10));
  t.equal(sent.length, 1, 'a silenced new member is not news');

  t.equal(engine.expireSilence(now.id)?.endsAt, clock.time);
  t.equal(engine.expireSilence(now.id), undefined, 'already expired');
  t.equal(engine.expireSilence('nope'), undefined);
  const expiredPending = engine.expireSilence(later.id);
  t.equal(expiredPending?.startsAt, clock.time, 'a pending silence expired gets an empty window');
  clock.advance(0);
  t.equal(sent.length, 2, 'the expiry reveals the new member at once (the group interval has passed)');
  t.same(sent[1].counts, { firing: 2, resolved: 0 });

  // Silence everything again, then let everything resolve: the incident the receiver opened is closed.
  engine.addSilence({ matchers: 'vif="dxvif-abc"', endsAt: T0 + min(1000), createdBy: 'noc' });
  engine.clear(floodCondition(1).fingerprint);
  engine.clear(floodCondition(2).fingerprint);
  clock.advance(min(10));
  t.equal(sent.length, 3);
  t.equal(sent[2].status, 'resolved');
  t.same(sent[2].counts, { firing: 0, resolved: 0 }, 'nothing silenced is listed');
  t.same(sent[2].alerts, []);
  t.match(sent[2].summary, /^Resolved: RPKI-invalid: 0 routes/);
  t.equal(engine.silences().length, 3);
  engine.close();
});

t.test('silences are checked', async (t) => {
  const { engine } = harness({ ...timers, newId: () => 'same' });
  const base = { matchers: 'a="1"', endsAt: T0 + min(1), createdBy: 'noc' };
  t.throws(() => engine.addSilence({ ...base, matchers: '{}' }), /at least one matcher/);
  t.throws(() => engine.addSilence({ ...base, matchers: 'a=~"("' }), /bad regular expression/);
  t.throws(() => engine.addSilence({ ...base, endsAt: T0 - 1, startsAt: T0 - 10 }), /endsAt is in the past/);
  t.throws(() => engine.addSilence({ ...base, startsAt: T0 + min(2) }), /endsAt must be after startsAt/);
  t.throws(() => engine.addSilence({ ...base, startsAt: Number.NaN }), /startsAt must be a time/);
  t.throws(() => engine.addSilence({ ...base, endsAt: Number.NaN }), /endsAt must be a time/);
  t.throws(() => engine.addSilence({ ...base, createdBy: ' ' }), SilenceError);
  engine.addSilence(base);
  t.throws(() => engine.addSilence(base), /id same exists/);
  engine.close();
});

t.test('acknowledgement stops repeats; a new member re-notifies and ends it', async (t) => {
  const { clock, engine, sent } = harness(timers);
  engine.raise(floodCondition(1));
  clock.advance(s(30));
  t.equal(sent.length, 1);
  clock.advance(min(60));
  t.equal(sent.length, 2, 'a repeat');
  const acked = engine.acknowledge(floodCondition(1).fingerprint, 'alice', 'looking into it');
  t.same(acked?.acknowledged, { at: clock.time, by: 'alice', comment: 'looking into it' });
  t.equal(engine.groups()[0].acknowledged, true);
  clock.advance(min(300));
  t.equal(sent.length, 2, 'no repeats while acknowledged');

  engine.raise(floodCondition(2));
  clock.advance(0);
  t.equal(sent.length, 3, 'a new member is told');
  t.equal(engine.groups()[0].acknowledged, false, 'and ends the acknowledgement');
  t.equal(engine.get(floodCondition(1).fingerprint)?.acknowledged?.by, 'alice', 'the alert keeps its record');
  clock.advance(min(60));
  t.equal(sent.length, 4, 'repeats again');

  t.equal(engine.acknowledge('nope', 'bob'), undefined);
  engine.clear(floodCondition(2).fingerprint);
  t.equal(engine.acknowledge(floodCondition(2).fingerprint, 'bob'), undefined, 'only firing alerts');
  const noComment = engine.acknowledge(floodCondition(1).fingerprint, 'bob');
  t.same(noComment?.acknowledged, { at: clock.time, by: 'bob' });

  // A new episode starts unacknowledged.
  engine.clear(floodCondition(1).fingerprint);
  engine.raise(floodCondition(1));
  t.equal(engine.get(floodCondition(1).fingerprint)?.acknowledged, undefined);
  engine.close();
});

t.test('an acknowledged pending alert: acknowledge refuses it', async (t) => {
  const { engine } = harness({ ...timers, holdDown: { fireMs: min(1) } });
  engine.raise(condition());
  t.equal(engine.acknowledge(condition().fingerprint, 'x'), undefined);
  engine.close();
});
