/**
 * The AS_PATH memo (src/bgp/attributes/as-path-cache.ts): the same octets on
 * the same kind of session give the same (shared, frozen) AsPath; different
 * octets or AS sizes never do; eviction and arena reuse keep results right.
 */
import t from 'tap';
import { AsPath } from '../../src/bgp/as-path.js';
import { decodeAsPathCached } from '../../src/bgp/attributes/as-path-cache.js';
import { Malformed } from '../../src/bgp/attributes/malformed.js';
import { randomInt, seededRandom } from '../helpers/random.js';
import { u16, u32 } from './helpers/build.js';

const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v);

t.test('a hit returns the same frozen AsPath', async (t) => {
  const a = decodeAsPathCached(bytes(2, 2, ...u32(65001), ...u32(65002)), 0, 10, 4);
  const b = decodeAsPathCached(bytes(9, 9, 2, 2, ...u32(65001), ...u32(65002)), 2, 10, 4);
  t.ok(a instanceof AsPath);
  t.equal(a, b, 'shared');
  t.ok(Object.isFrozen(a) && Object.isFrozen((a as AsPath).segments) && Object.isFrozen((a as AsPath).segments[0]!.asns));
  t.equal((a as AsPath).toString(), '65001 65002');
});

t.test('the AS size is part of the key', async (t) => {
  const octets = bytes(2, 2, 0, 1, 0, 2);
  const two = decodeAsPathCached(octets, 0, 6, 2) as AsPath;
  const four = decodeAsPathCached(octets, 0, 6, 4);
  t.equal(two.toString(), '1 2');
  t.ok(four instanceof Malformed, 'the same octets with 4-octet ASNs overrun');
});

t.test('a changed input buffer is not mistaken for the cached value (octets are copied)', async (t) => {
  const buf = bytes(2, 1, ...u32(7));
  const first = decodeAsPathCached(buf, 0, 6, 4) as AsPath;
  buf[5] = 8;
  const second = decodeAsPathCached(buf, 0, 6, 4) as AsPath;
  t.equal(first.toString(), '7');
  t.equal(second.toString(), '8');
});

t.test('malformed values are reported every time, not cached', async (t) => {
  const bad = bytes(2, 0);
  t.ok(decodeAsPathCached(bad, 0, 2, 4) instanceof Malformed);
  t.ok(decodeAsPathCached(bad, 0, 2, 4) instanceof Malformed);
  t.equal(decodeAsPathCached(bytes(), 0, 0, 4), AsPath.EMPTY);
});

t.test('200,000 distinct paths (slot collisions, arena reuse) all decode right; long values bypass the memo', async (t) => {
  const rand = seededRandom(1997);
  let wrong = 0;
  for (let i = 0; i < 200000; i++) {
    const asns = Array.from({ length: randomInt(rand, 1, 12) }, () => randomInt(rand, 1, i % 2 ? 0xffff : 0xffffffff));
    const four = i % 2 === 0;
    const octets = bytes(2, asns.length, ...asns.flatMap(four ? u32 : u16));
    const p = decodeAsPathCached(octets, 0, octets.length, four ? 4 : 2);
    if (!(p instanceof AsPath) || p.toString() !== asns.join(' ')) wrong++;
  }
  t.equal(wrong, 0);
  const long = Array.from({ length: 100 }, (_, i) => i + 1);
  const octets = bytes(2, 100, ...long.flatMap(u32));
  t.equal((decodeAsPathCached(octets, 0, octets.length, 4) as AsPath).segments[0]!.asns.length, 100);
});
