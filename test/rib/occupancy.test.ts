import t from 'tap';
import { Occupancy } from '../../src/rib/occupancy.js';
import { caught } from '../helpers/errors.js';
import { randomInt, seededRandom } from '../helpers/random.js';

t.test('counts agree with a Map through growth, backward-shift deletion and shrinking', async (t) => {
  const rand = seededRandom(17);
  const occ = new Occupancy();
  const model = new Map<string, number>();
  // A small key space, so probe runs collide and wrap around the table.
  const key = () => [randomInt(rand, 1, 3), randomInt(rand, 0, 40) * 0x10000, randomInt(rand, 0, 3)] as const;
  let wrong = 0;
  let peak = 0;
  for (let step = 0; step < 60_000; step++) {
    const [level, k0, k1] = key();
    const k = `${level} ${k0} ${k1}`;
    const growing = Math.floor(step / 15_000) % 2 === 0;
    const have = model.get(k) ?? 0;
    if (have === 0 || rand() < (growing ? 0.6 : 0.3)) {
      occ.increment(level, k0, k1);
      model.set(k, have + 1);
    } else {
      occ.decrement(level, k0, k1);
      if (have === 1) model.delete(k);
      else model.set(k, have - 1);
    }
    if (occ.get(level, k0, k1) !== (model.get(k) ?? 0)) wrong++;
    if (step % 1000 === 0) {
      for (const [mk, c] of model) {
        const [l, a, b] = mk.split(' ').map(Number);
        if (occ.get(l!, a!, b!) !== c) wrong++;
      }
      if (occ.size !== model.size) wrong++;
    }
    peak = Math.max(peak, model.size);
  }
  t.equal(wrong, 0);
  t.ok(peak > 300, `peak ${peak} keys`);
  for (const [mk, c] of model) {
    const [l, a, b] = mk.split(' ').map(Number);
    for (let i = 0; i < c; i++) occ.decrement(l!, a!, b!);
  }
  t.equal(occ.size, 0);
  t.equal(occ.bytes, 16 * 16, 'shrunk back to the minimum');
  t.match(caught(() => occ.decrement(1, 2, 3)), /no count/);
});
