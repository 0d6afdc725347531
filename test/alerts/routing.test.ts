import t from 'tap';
import { Router, RoutingError } from '../../src/alerts/routing.js';
import { condition, harness, min } from './engine-fixtures.js';

t.test('first match wins; continue keeps going; the union without duplicates', async (t) => {
  const router = new Router({
    routes: [
      { name: 'hijacks', match: 'type=~"origin-hijack|subprefix-hijack"', sinks: ['pagerduty'], continue: true },
      { match: '{severity="critical"}', sinks: ['pagerduty', 'slack-noc'] },
      { match: [{ name: 'vif', value: 'dxvif-lab' }], sinks: ['slack-lab'] },
      { sinks: ['slack-all'] },
    ],
    defaultSinks: ['webhook'],
  });
  t.same(router.sinksFor({ type: 'origin-hijack', severity: 'critical' }), ['pagerduty', 'slack-noc'], 'continue, then stop');
  t.same(router.sinksFor({ type: 'origin-hijack', severity: 'warning', vif: 'dxvif-lab' }), ['pagerduty', 'slack-lab']);
  t.same(router.sinksFor({ type: 'rpki-invalid', severity: 'warning' }), ['slack-all'], 'a rule without matchers matches all');
  t.equal(router.rules[0].name, 'hijacks');
  t.equal(router.rules[1].name, 'routes[1]');
  t.equal(router.rules[1].continue, false);

  const fallback = new Router({ routes: [{ match: 'vif="x"', sinks: ['a'] }], defaultSinks: ['default'] });
  t.same(fallback.sinksFor({ vif: 'y' }), ['default'], 'no match: the default sinks');
  t.same(fallback.sinksFor({ vif: 'x' }), ['a'], 'a match replaces the default');
  t.same(new Router().sinksFor({}), [], 'nothing configured: no sinks');
});

t.test('bad rules are refused with the route named', async (t) => {
  t.throws(() => new Router({ routes: [{ name: 'pd', match: 'severity=~"(("', sinks: ['x'] }] }), {
    name: 'RoutingError',
    message: /^route pd: invalid matcher .*bad regular expression/,
  });
  t.throws(() => new Router({ routes: [{ match: 'a=1', sinks: 'x' as unknown as string[] }] }), /route routes\[0\]: sinks must be a list/);
  t.throws(() => new Router({ routes: [{ sinks: [''] }] }), RoutingError);
  t.throws(() => new Router({ routes: [{ match: [null as unknown as string], sinks: ['a'] }] }), RoutingError);
  const notMatcher = { get match(): string {
    throw new TypeError('broken getter');
  }, sinks: ['a'] };
  t.throws(() => new Router({ routes: [notMatcher] }), TypeError, 'other errors pass through');
});

t.test('the engine routes on group labels, type and the notification severity', async (t) => {
  const { clock, engine, sent } = harness({
    holdDown: { fireMs: 0, resolveMs: 0 },
    grouping: { groupWaitMs: 0, groupIntervalMs: min(1) },
    routing: {
      routes: [
        { match: 'severity="critical"', sinks: ['pagerduty'], continue: true },
        { match: 'vif=~"dxvif-a.*"', sinks: ['slack'] },
      ],
      defaultSinks: ['webhook'],
    },
  });
  engine.raise(condition({ severity: 'critical' }));
  engine.raise(condition({ severity: 'warning', labels: { vif: 'dxvif-zzz' } }));
  clock.advance(0);
  t.same(sent.find((n) => n.groupLabels.vif === 'dxvif-abc')?.sinks, ['pagerduty', 'slack']);
  t.same(sent.find((n) => n.groupLabels.vif === 'dxvif-zzz')?.sinks, ['webhook']);
  engine.close();
});
