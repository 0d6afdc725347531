/**
 * Random and mutated MRT streams through the framer and the decoder: the
 * only errors are typed (MrtError, a ParseError naming record, field and
 * offset), never a RangeError, TypeError or other crash, and every event
 * carries a real prefix. Bounded: a fixed number of cases from a seed.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { MrtDecoder } from '../../src/mrt/decoder.js';
import type { MrtEvent } from '../../src/mrt/events.js';
import { MrtFramer } from '../../src/mrt/framer.js';
import { MrtError } from '../../src/mrt/mrt-error.js';
import { Prefix } from '../../src/net/prefix.js';
import { fixturePath } from '../helpers/corpus.js';
import { pick, randomInt, seededRandom } from '../helpers/random.js';
import {
  ORIGIN_IGP,
  abbreviatedMpReach,
  asPathAttribute,
  bgp4mpMessage,
  bgp4mpStateChange,
  bgpMessage,
  bytes,
  mrtRecord,
  nextHopAttribute,
  peerIndexTable,
  ribRecord,
  tableDumpBody,
  updateBody,
} from './helpers/build.js';

const PEERS = peerIndexTable('10.0.0.254', 'v', [
  { bgpId: '1.1.1.1', address: '192.0.2.1', asn: 64500 },
  { bgpId: '2.2.2.2', address: '2001:db8::2', asn: 4200000000 },
]);
const A4 = bytes(ORIGIN_IGP, asPathAttribute([64500, 4200000001], true, [1, 2]), nextHopAttribute('192.0.2.1'));
const A6 = bytes(ORIGIN_IGP, asPathAttribute([4200000000], true), abbreviatedMpReach('2001:db8::2'));
const peer = { peerAsn: 64496, peerAddress: '192.0.2.9' };
const UPDATE = bgpMessage(2, updateBody(['10.1.0.0/16'], [ORIGIN_IGP, asPathAttribute([64496, 64511], false), nextHopAttribute('192.0.2.9')], ['10.2.0.0/16', '10.3.0.128/25']));

/** Valid records of every kind the decoder reads, plus the mrtparse samples. */
const SEEDS: Uint8Array[] = [
  bytes(
    mrtRecord(13, 1, PEERS),
    mrtRecord(13, 2, ribRecord(0, '198.51.100.0/24', [{ peerIndex: 0, attributes: A4 }, { peerIndex: 1, attributes: A4 }])),
    mrtRecord(13, 4, ribRecord(1, '2001:db8:1::/48', [{ peerIndex: 1, attributes: A6 }])),
    mrtRecord(13, 8, ribRecord(2, '203.0.113.0/24', [{ peerIndex: 0, pathId: 3, attributes: A4 }], true)),
    mrtRecord(13, 10, ribRecord(3, '2001:db8:2::/48', [{ peerIndex: 1, pathId: 4, attributes: A6 }], true)),
  ),
  bytes(
    mrtRecord(16, 1, bgp4mpMessage(peer, false, UPDATE)),
    mrtRecord(17, 4, bgp4mpMessage({ peerAsn: 4200000009, peerAddress: '2001:db8::9' }, true, UPDATE), { microseconds: 5 }),
    mrtRecord(16, 8, bgp4mpMessage(peer, false, bgpMessage(2, updateBody(['10.5.0.0/16'], [ORIGIN_IGP, asPathAttribute([1], false), nextHopAttribute('192.0.2.9')], ['10.6.0.0/16'], { '10.6.0.0/16': 9 })))),
    mrtRecord(16, 0, bgp4mpStateChange(peer, false, 6, 1)),
    mrtRecord(12, 1, tableDumpBody('193.0.0.0/21', '193.0.0.56', 3333, bytes(ORIGIN_IGP, asPathAttribute([3333], false), nextHopAttribute('193.0.0.56')))),
  ),
  ...['quagga_rib', 'quagga_bgp', 'bird-mrtdump_rib', 'bird-mrtdump_bgp', 'openbgpd_rib_table', 'openbgpd_bgp', 'bird6-mrtdump_rib'].map((f) => new Uint8Array(readFileSync(fixturePath(`mrt/mrtparse/${f}`)))),
];

function mutate(rand: () => number, seed: Uint8Array): Uint8Array {
  const out = Uint8Array.from(seed);
  switch (randomInt(rand, 0, 5)) {
    case 0: // flip a few bytes anywhere
      for (let i = randomInt(rand, 1, 4); i > 0; i--) out[randomInt(rand, 0, out.length - 1)] = randomInt(rand, 0, 255);
      return out;
    case 1: // cut the stream
      return out.subarray(0, randomInt(rand, 0, out.length));
    case 2: {
      // set a byte to a boundary value (lengths, counts, types)
      out[randomInt(rand, 0, out.length - 1)] = pick(rand, [0, 1, 2, 4, 8, 12, 16, 17, 32, 33, 127, 128, 254, 255]);
      return out;
    }
    case 3: {
      // remove or duplicate a slice
      const a = randomInt(rand, 0, out.length - 1);
      const b = Math.min(out.length, a + randomInt(rand, 1, 16));
      return rand() < 0.5 ? bytes(out.subarray(0, a), out.subarray(b)) : bytes(out.subarray(0, b), out.subarray(a));
    }
    case 4: // random bytes after a valid prefix of the stream
      return bytes(out.subarray(0, randomInt(rand, 0, out.length)), Array.from({ length: randomInt(rand, 0, 64) }, () => randomInt(rand, 0, 255)));
    default: {
      // a random body under a valid header of a decoded type
      const [type, subtype] = pick(rand, [[13, 1], [13, 2], [13, 4], [13, 8], [13, 10], [12, 1], [12, 2], [16, 0], [16, 1], [16, 4], [16, 5], [16, 9], [17, 4]] as const);
      return mrtRecord(type, subtype, Uint8Array.from({ length: randomInt(rand, 0, 120) }, () => randomInt(rand, 0, 255)));
    }
  }
}

function decodeAll(stream: Uint8Array, damagedRecords: 'stop' | 'skip', chunk: number): { error: unknown; events: MrtEvent[] } {
  const decoder = new MrtDecoder({ damagedRecords });
  const events: MrtEvent[] = [];
  // A PEER_INDEX_TABLE first, so RIB records reach their attributes.
  const framer = new MrtFramer();
  try {
    for (const r of framer.push(mrtRecord(13, 1, PEERS))) decoder.decode(r, (e) => events.push(e));
    for (let i = 0; i < stream.length; i += chunk) for (const r of framer.push(stream.subarray(i, i + chunk))) decoder.decode(r, (e) => events.push(e));
    framer.end();
  } catch (error) {
    return { error, events };
  }
  return { error: undefined, events };
}

t.test('mutated and random MRT streams raise typed errors only', async (t) => {
  const rand = seededRandom(0x6d7274);
  const started = Date.now();
  let cases = 0;
  let typed = 0;
  let clean = 0;
  let events = 0;
  const failures: string[] = [];
  while (cases < 6000 && Date.now() - started < 8000) {
    let stream = mutate(rand, pick(rand, SEEDS));
    if (rand() < 0.3) stream = mutate(rand, stream.length > 0 ? stream : pick(rand, SEEDS));
    const mode = rand() < 0.5 ? 'stop' : 'skip';
    const result = decodeAll(stream, mode, pick(rand, [1, 7, 64, 100000]));
    cases++;
    if (result.error === undefined) clean++;
    else if (result.error instanceof MrtError) typed++;
    else if (failures.length < 5) failures.push(`${String(result.error)} on ${Buffer.from(stream).toString('hex').slice(0, 400)}`);
    for (const e of result.events) {
      events++;
      if (e.kind !== 'state' && !(e.prefix instanceof Prefix) && failures.length < 5) failures.push(`event without a prefix: ${JSON.stringify(e)}`);
    }
  }
  t.same(failures, [], 'no untyped error, no malformed event');
  t.ok(cases >= 500, `${cases} cases: ${typed} stopped with an MrtError, ${clean} read to the end, ${events} events`);
  t.ok(typed > 0 && clean > 0, 'both outcomes are exercised');
});

t.test('random bytes alone: typed errors only', async (t) => {
  const rand = seededRandom(42);
  for (let i = 0; i < 2000; i++) {
    const stream = Uint8Array.from({ length: randomInt(rand, 0, 300) }, () => randomInt(rand, 0, 255));
    const { error } = decodeAll(stream, 'skip', 1000);
    if (error !== undefined && !(error instanceof MrtError)) {
      t.fail(`${String(error)} on ${Buffer.from(stream).toString('hex')}`);
      return;
    }
  }
  t.pass('2000 random streams');
});
