/**
 * Random and mutated PDU streams from a cache, through a real RtrSession
 * over loopback, for a bounded number of rounds: the session must only end
 * connections (with an Error Report where allowed), never throw, keep the
 * data it had, and hold bounded memory.
 */
import t from 'tap';
import { RtrSession } from '../../src/rtr/session.js';
import { tcpTransport } from '../../src/rtr/transport.js';
import { encodePdu } from '../../src/rtr/pdu-codec.js';
import { FakeCache, endOfData, prefixPdu } from './helpers/fake-cache.js';
import { randomInt, seededRandom } from '../helpers/random.js';

const valid = [
  encodePdu({ type: 3, version: 2, sessionId: 1 }),
  encodePdu(prefixPdu(2, true, '198.51.100.0/24', 24, 64497)),
  encodePdu(prefixPdu(2, false, '192.0.2.0/24', 24, 64496)),
  encodePdu(endOfData(2, 1, 2)),
  encodePdu({ type: 0, version: 2, sessionId: 1, serial: 9 }),
  encodePdu({ type: 8, version: 2 }),
  encodePdu({ type: 10, version: 2, errorCode: 2, erroneousPdu: new Uint8Array(0), text: 'no data' }),
];

/** One stream: valid PDUs, some with bytes flipped, some cut short, some noise. */
function stream(rand: () => number): Buffer {
  const parts: Buffer[] = [];
  for (let i = randomInt(rand, 1, 6); i > 0; i--) {
    const pick = Buffer.from(valid[randomInt(rand, 0, valid.length - 1)]!);
    const mode = rand();
    if (mode < 0.4) {
      for (let k = randomInt(rand, 1, 3); k > 0; k--) pick[randomInt(rand, 0, pick.length - 1)] = randomInt(rand, 0, 255);
      parts.push(pick);
    } else if (mode < 0.6) {
      parts.push(Buffer.from(Array.from({ length: randomInt(rand, 1, 40) }, () => randomInt(rand, 0, 255))));
    } else if (mode < 0.7) {
      parts.push(pick.subarray(0, randomInt(rand, 1, pick.length)));
    } else {
      parts.push(pick);
    }
  }
  return Buffer.concat(parts);
}

/** One cache and one session through `rounds` connections of fuzzed input. */
async function fuzzPair(seed: number, rounds: number): Promise<{ session: RtrSession; cache: FakeCache }> {
  const cache = await FakeCache.start();
  const session = new RtrSession({ name: `fuzz-${seed}`, connect: tcpTransport('127.0.0.1', cache.port), retrySeconds: 1, responseTimeoutMs: 2000 });
  const synced = new Promise<void>((resolve) => session.onUpdate(() => resolve()));
  session.start();
  await cache.waitFor(1);
  cache.send({ type: 3, version: 2, sessionId: 1 }, prefixPdu(2, true, '192.0.2.0/24', 24, 64496), endOfData(2, 1, 1));
  await synced;
  const rand = seededRandom(seed);
  for (let round = 1; round <= rounds; round++) {
    await cache.waitForConnections(round, 5000);
    if (cache.socket && !cache.socket.destroyed) cache.sendRaw(stream(rand));
    // Let the session react, then break the connection so the next round
    // starts from a fresh connect (the session reconnects within a second).
    await new Promise((r) => setTimeout(r, 20));
    cache.socket?.destroy();
  }
  return { session, cache };
}

t.test('random and mutated streams: typed failures only, data kept, memory bounded', async (t) => {
  const unexpected: unknown[] = [];
  const onUncaught = (err: unknown) => unexpected.push(err);
  process.on('uncaughtException', onUncaught);
  t.teardown(() => process.off('uncaughtException', onUncaught));
  const heapStart = process.memoryUsage().heapUsed;
  // Twelve pairs side by side: each round waits for a reconnect, so
  // parallel pairs buy rounds, not wall time.
  const pairs = await Promise.all(Array.from({ length: 12 }, (_, i) => fuzzPair(7000 + i, 6)));
  t.teardown(async () => {
    for (const { session, cache } of pairs) {
      await session.stop();
      await cache.stop();
    }
  });
  t.same(unexpected, [], 'nothing escaped as an uncaught exception');
  for (const { session } of pairs) {
    if (session.current.vrps.size < 1) t.fail(`${session.name} lost its data`);
    const errors = session.status().errors;
    if (errors.internal) t.fail(`${session.name}: internal error ${session.status().lastError}`);
  }
  const kinds = new Set(pairs.flatMap(({ session }) => Object.keys(session.status().errors)));
  t.ok(kinds.has('malformed'), `failure kinds seen: ${[...kinds].join(', ')}`);
  t.ok(process.memoryUsage().heapUsed - heapStart < 64e6, 'memory stays bounded');
});
