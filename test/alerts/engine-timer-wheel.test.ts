import t from 'tap';
import { TimerWheel } from '../../src/alerts/timer-wheel.js';
import { FakeClock, T0 } from './engine-fixtures.js';

t.test('keys come in deadline order, once per slot, within one tick', async (t) => {
  const clock = new FakeClock();
  const seen: [string, number][] = [];
  const wheel = new TimerWheel<string>(100, clock.now, clock, (k) => seen.push([k, clock.time - T0]));
  wheel.schedule('c', T0 + 250);
  wheel.schedule('a', T0 + 50);
  wheel.schedule('b', T0 + 100);
  wheel.schedule('a', T0 + 60);
  wheel.schedule('d', T0 + 1000);
  t.equal(wheel.size, 4, 'a twice in one slot is held once');
  t.equal(clock.pending, 1, 'one timer');
  clock.advance(300);
  t.same(seen, [
    ['a', 100],
    ['b', 100],
    ['c', 300],
  ]);
  wheel.schedule('e', T0);
  clock.advance(0);
  t.same(seen.at(-1), ['e', 300], 'a deadline in the past comes on the next tick');
  wheel.close();
  wheel.schedule('f', T0 + 2000);
  clock.advance(5000);
  t.equal(seen.length, 4, 'closed: nothing more');
  t.equal(clock.pending, 0);
});

t.test('a throwing callback is logged and the others run', async (t) => {
  const clock = new FakeClock();
  const errors: object[] = [];
  const seen: string[] = [];
  const wheel = new TimerWheel<string>(
    1,
    clock.now,
    clock,
    (k) => {
      if (k === 'bad') throw new Error('boom');
      seen.push(k);
    },
    { info() {}, warn() {}, error: (o) => errors.push(o) },
  );
  wheel.schedule('bad', T0 + 5);
  wheel.schedule('good', T0 + 5);
  clock.advance(5);
  t.same(seen, ['good']);
  t.equal(errors.length, 1);
  wheel.close();
});

t.test('many slots keep their order through the heap', async (t) => {
  const clock = new FakeClock();
  const seen: number[] = [];
  const wheel = new TimerWheel<number>(1, clock.now, clock, (k) => seen.push(k));
  const order = Array.from({ length: 200 }, (_, i) => (i * 7919) % 200);
  for (const i of order) wheel.schedule(i, T0 + 1 + i);
  clock.advance(1000);
  t.same(seen, Array.from({ length: 200 }, (_, i) => i));
  wheel.close();
});
