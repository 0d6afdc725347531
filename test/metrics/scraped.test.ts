/** scrapedGauge / scrapedCounter: values read at scrape time, stale label sets dropped, duplicates summed, a failing reader contained. */
import { Registry } from 'prom-client';
import t from 'tap';
import { scrapedCounter, scrapedGauge, type Sample } from '../../src/metrics/scraped.js';
import { parseExposition } from './exposition.js';

const noErrors = (metric: string, err: unknown) => {
  throw new Error(`unexpected collect error in ${metric}: ${String(err)}`);
};

t.test('a gauge shows what the reader yields now: gone label sets disappear, equal ones are summed', async (t) => {
  const registry = new Registry();
  let samples: Sample<'vif'>[] = [
    { labels: { vif: 'a' }, value: 2 },
    { labels: { vif: 'a' }, value: 3 },
    { labels: { vif: 'b' }, value: 1 },
  ];
  scrapedGauge(registry, { name: 'x_things', help: 'h', labelNames: ['vif'], read: () => samples }, noErrors);
  let f = parseExposition(await registry.metrics()).get('x_things')!;
  t.equal(f.type, 'gauge');
  t.same(f.samples.map((s) => [s.labels.vif, s.value]), [['a', 5], ['b', 1]]);
  samples = [{ labels: { vif: 'b' }, value: 7 }];
  f = parseExposition(await registry.metrics()).get('x_things')!;
  t.same(f.samples.map((s) => [s.labels.vif, s.value]), [['b', 7]], 'a is gone, b is read again');
});

t.test('a counter is TYPE counter and carries the source\'s cumulative value, also when it goes down (a reset)', async (t) => {
  const registry = new Registry();
  let total = 10;
  scrapedCounter(registry, { name: 'x_events_total', help: 'h', labelNames: [], read: () => [{ labels: {}, value: total }] }, noErrors);
  const read = async () => parseExposition(await registry.metrics()).get('x_events_total')!;
  t.equal((await read()).type, 'counter');
  t.equal((await read()).samples[0]!.value, 10, 'not accumulated across scrapes');
  total = 25;
  t.equal((await read()).samples[0]!.value, 25);
  total = 3;
  t.equal((await read()).samples[0]!.value, 3, 'the source restarted: the series resets, rate() handles it');
});

t.test('a reader that throws leaves its metric empty for that scrape; the others and later scrapes are fine', async (t) => {
  const registry = new Registry();
  const errors: string[] = [];
  let fail = true;
  scrapedGauge(registry, {
    name: 'x_flaky',
    help: 'h',
    labelNames: ['k'],
    *read() {
      yield { labels: { k: 'first' }, value: 1 };
      if (fail) throw new Error('boom');
    },
  }, (metric) => errors.push(metric));
  scrapedGauge(registry, { name: 'x_fine', help: 'h', labelNames: [], read: () => [{ labels: {}, value: 4 }] }, noErrors);
  let e = parseExposition(await registry.metrics());
  t.same(e.get('x_flaky')!.samples, [], 'no half-read values');
  t.equal(e.get('x_fine')!.samples[0]!.value, 4);
  t.same(errors, ['x_flaky']);
  fail = false;
  e = parseExposition(await registry.metrics());
  t.same(e.get('x_flaky')!.samples.map((s) => s.value), [1]);
});

t.test('registries are independent (one per daemon, never the global one)', async (t) => {
  const a = new Registry();
  const b = new Registry();
  scrapedGauge(a, { name: 'x_same', help: 'h', labelNames: [], read: () => [{ labels: {}, value: 1 }] }, noErrors);
  scrapedGauge(b, { name: 'x_same', help: 'h', labelNames: [], read: () => [{ labels: {}, value: 2 }] }, noErrors);
  t.equal(parseExposition(await a.metrics()).get('x_same')!.samples[0]!.value, 1);
  t.equal(parseExposition(await b.metrics()).get('x_same')!.samples[0]!.value, 2);
});
