/**
 * Local timing of decodeUpdate on a synthetic full table (not a test, not
 * run by tap): `node --import @tapjs/typescript/import test/bgp/helpers/time-decode.ts [routes] [perUpdate]`.
 * Encodes `routes` IPv4 routes (default 1.2M) into UPDATE bodies of
 * `perUpdate` prefixes (default 1, the worst case) with realistic attributes
 * (ORIGIN, a 3-7 AS path, NEXT_HOP, MED, 0-6 communities, sometimes large
 * communities), then times decoding them all (CPU time), best of three (or argv[4] runs).
 */
import { AsPath } from '../../../src/bgp/as-path.js';
import { capabilities } from '../../../src/bgp/capabilities.js';
import { decodeUpdate, encodeUpdateBody, type Nlri } from '../../../src/bgp/update.js';
import type { Asn } from '../../../src/net/asn.js';
import { Prefix } from '../../../src/net/prefix.js';
import { randomInt, seededRandom } from '../../helpers/random.js';

const routes = Number(process.argv[2] ?? 1_200_000);
const perUpdate = Number(process.argv[3] ?? 1);
const caps = capabilities({ asn4: true });
const rand = seededRandom(1);
const bodies: Uint8Array[] = [];
let made = 0;
const t0 = performance.now();
while (made < routes) {
  const n = Math.min(perUpdate, routes - made);
  // One UPDATE in five is IPv6 (MP_REACH_NLRI), as in a dual-stack table.
  const v6 = bodies.length % 5 === 4;
  const list: Nlri[] = [];
  for (let i = 0; i < n; i++, made++) {
    list.push({ prefix: v6 ? Prefix.masked(6, 48, 0x20010000 | randomInt(rand, 0, 0xffff), randomInt(rand, 0, 0xffffffff)) : Prefix.masked(4, randomInt(rand, 16, 24), randomInt(rand, 0, 0xffffffff)), pathId: 0 });
  }
  bodies.push(
    encodeUpdateBody(
      {
        announced: list,
        attributes: {
          origin: 'igp',
          asPath: AsPath.sequence(Array.from({ length: randomInt(rand, 3, 7) }, () => randomInt(rand, 1, 400000) as Asn)),
          nextHop: v6 ? '2001:db8::1' : '192.0.2.1',
          med: randomInt(rand, 0, 100),
          communities: Array.from({ length: randomInt(rand, 0, 6) }, () => randomInt(rand, 0, 0xffffffff)),
          largeCommunities: rand() < 0.1 ? ['64496:1:2'] : [],
        },
      },
      caps,
    ),
  );
}
console.log(`encoded ${made} routes in ${bodies.length} UPDATEs in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
// As a framer hands them over: views into one stream buffer, not a million small buffers.
let total = 0;
for (const b of bodies) total += 2 + b.length;
const stream = new Uint8Array(total);
for (let i = 0, at = 0; i < bodies.length; i++) {
  const b = bodies[i]!;
  stream[at] = b.length >> 8;
  stream[at + 1] = b.length & 0xff;
  stream.set(b, at + 2);
  at += 2 + b.length;
}
const updates = bodies.length;
bodies.length = 0;
let best = Infinity;
const runs = Number(process.argv[4] ?? 3);
for (let run = 0; run < runs; run++) {
  // CPU time of this process, not wall time: the machine is shared.
  const start = process.cpuUsage();
  let count = 0;
  for (let at = 0; at < stream.length; ) {
    const n = (stream[at]! << 8) | stream[at + 1]!;
    count += decodeUpdate(stream.subarray(at + 2, at + 2 + n), caps, at + 2).announced.length;
    at += 2 + n;
  }
  const used = process.cpuUsage(start);
  const ms = (used.user + used.system) / 1000;
  best = Math.min(best, ms);
  console.log(`run ${run}: ${count} routes in ${ms.toFixed(0)} ms = ${Math.round((count / ms) * 1000).toLocaleString('en')} routes/s`);
}
console.log(`best: ${Math.round((made / best) * 1000).toLocaleString('en')} routes/s, ${Math.round((updates / best) * 1000).toLocaleString('en')} UPDATEs/s`);
