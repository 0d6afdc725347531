import t from 'tap';
import { RtrCacheSet, type RtrCacheSetChange } from '../../src/rtr/cache-set.js';
import { tcpTransport } from '../../src/rtr/transport.js';
import { formatVrp } from '../../src/rpki/vrp.js';
import { FakeCache, endOfData, prefixPdu } from './helpers/fake-cache.js';

function waitChange(set: RtrCacheSet, until: (c: RtrCacheSetChange) => boolean, timeoutMs = 6000): Promise<RtrCacheSetChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no such change')), timeoutMs);
    const off = set.onChange((c) => {
      if (!until(c)) return;
      clearTimeout(timer);
      off();
      resolve(c);
    });
  });
}

/** Answers the cache's first query (its Reset Query) with one VRP. */
async function serve(cache: FakeCache, sessionId: number, prefix: string): Promise<void> {
  await cache.waitFor(1);
  cache.send({ type: 3, version: 2, sessionId }, prefixPdu(2, true, prefix, 24, 64496), endOfData(2, sessionId, 1));
}

t.test('the most preferred working cache is in force; failover and return', async (t) => {
  const primary = await FakeCache.start();
  const backup = await FakeCache.start();
  const set = new RtrCacheSet([
    { name: 'backup', preference: 20, connect: tcpTransport('127.0.0.1', backup.port), retrySeconds: 1 },
    { name: 'primary', preference: 10, connect: tcpTransport('127.0.0.1', primary.port), retrySeconds: 1 },
  ]);
  t.teardown(async () => {
    await set.stop();
    await primary.stop();
    await backup.stop();
  });
  set.start();

  const fromBackup = waitChange(set, (c) => c.cache === 'backup');
  await serve(backup, 2, '198.51.100.0/24');
  t.same([...(await fromBackup).payload.vrps].map(formatVrp), ['AS64496 198.51.100.0/24-24'], 'the backup first, while the primary is silent');

  const fromPrimary = waitChange(set, (c) => c.cache === 'primary');
  await serve(primary, 1, '192.0.2.0/24');
  const switched = await fromPrimary;
  t.equal(switched.previousCache, 'backup');
  t.same([...switched.added].map(formatVrp), ['AS64496 192.0.2.0/24-24']);
  t.same([...switched.removed].map(formatVrp), ['AS64496 198.51.100.0/24-24']);
  t.equal(set.current, 'primary');

  // The primary's connection breaks: fail over at once to the connected backup.
  const failover = waitChange(set, (c) => c.cache === 'backup');
  primary.socket!.destroy();
  t.equal((await failover).previousCache, 'primary');
  t.match(set.status().find((s) => s.name === 'primary'), { state: 'retrying', inUse: false });

  // It comes back (the session reconnects after its retry interval).
  const back = waitChange(set, (c) => c.cache === 'primary');
  await primary.waitForConnections(2, 4000);
  await primary.waitFor(2);
  t.match(primary.received[1], { type: 1, sessionId: 1, serial: 1 }, 'resumes with a Serial Query');
  primary.send({ type: 3, version: 2, sessionId: 1 }, endOfData(2, 1, 2));
  await back;
  t.equal(set.current, 'primary');

  // An incremental update of the cache in force: its delta is the transaction's own.
  const updated = waitChange(set, (c) => c.cache === 'primary' && c.added.size > 0);
  primary.send({ type: 0, version: 2, sessionId: 1, serial: 3 });
  await primary.waitFor(3);
  primary.send({ type: 3, version: 2, sessionId: 1 }, prefixPdu(2, true, '203.0.113.0/24', 24, 64499), prefixPdu(2, false, '192.0.2.0/24', 24, 64496), endOfData(2, 1, 3));
  const change = await updated;
  t.same([...change.added].map(formatVrp), ['AS64499 203.0.113.0/24-24']);
  t.same([...change.removed].map(formatVrp), ['AS64496 192.0.2.0/24-24']);
  t.same([...change.payload.vrps].map(formatVrp), ['AS64499 203.0.113.0/24-24']);
});

t.test('configuration errors name the key', async (t) => {
  t.throws(() => new RtrCacheSet([]), /at least one RTR cache/);
  const c = { name: 'a', preference: 1, connect: tcpTransport('127.0.0.1', 1) };
  t.throws(() => new RtrCacheSet([c, c]), /the name "a" is used twice/);
  t.throws(() => new RtrCacheSet([{ ...c, preference: NaN }]), /caches\.a\.preference/);
});
