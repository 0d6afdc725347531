import t, { type Test } from 'tap';
import type { Asn } from '../../src/net/asn.js';
import { type RtrUpdate, RtrSession, type RtrSessionOptions } from '../../src/rtr/session.js';
import { tcpTransport } from '../../src/rtr/transport.js';
import { formatVrp } from '../../src/rpki/vrp.js';
import { FakeCache, endOfData, prefixPdu } from './helpers/fake-cache.js';

async function setup(t: Test, options: Partial<RtrSessionOptions> = {}) {
  const cache = await FakeCache.start();
  const session = new RtrSession({ name: 'fake', connect: tcpTransport('127.0.0.1', cache.port), retrySeconds: 1, responseTimeoutMs: 3000, ...options });
  const updates: RtrUpdate[] = [];
  session.onUpdate((u) => updates.push(u));
  t.teardown(async () => {
    await session.stop();
    await cache.stop();
  });
  session.start();
  return { cache, session, updates };
}

/** Waits for the next update, bounded. */
function nextUpdate(session: RtrSession, timeoutMs = 5000): Promise<RtrUpdate> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no update')), timeoutMs);
    const off = session.onUpdate((u) => {
      clearTimeout(timer);
      off();
      resolve(u);
    });
  });
}

const vrpsOf = (u: RtrUpdate) => [...u.data.vrps].map(formatVrp);

t.test('reset query, full load, then an incremental update on Serial Notify', async (t) => {
  const { cache, session } = await setup(t);
  await cache.waitFor(1);
  t.match(cache.received[0], { type: 2, version: 2 }, 'opens with a version 2 Reset Query');

  let update = nextUpdate(session);
  cache.send(
    { type: 3, version: 2, sessionId: 77 },
    prefixPdu(2, true, '192.0.2.0/24', 24, 64496),
    prefixPdu(2, true, '2001:db8::/32', 48, 64497),
    { type: 11, version: 2, announce: true, customer: 64496 as Asn, providers: [64500 as Asn] },
    { type: 7, version: 2, sessionId: 77, serial: 10, refreshInterval: 900, retryInterval: 30, expireInterval: 3600 },
  );
  let u = await update;
  t.equal(u.reset, true);
  t.same(vrpsOf(u), ['AS64496 192.0.2.0/24-24', 'AS64497 2001:db8::/32-48']);
  t.equal(u.data.aspas.size, 1);
  t.match(session.status(), { state: 'established', version: 2, sessionId: 77, serial: 10, timers: { refreshSeconds: 900, retrySeconds: 30, expireSeconds: 3600 }, stale: false });

  update = nextUpdate(session);
  cache.send({ type: 0, version: 2, sessionId: 77, serial: 11 });
  await cache.waitFor(2);
  t.match(cache.received[1], { type: 1, version: 2, sessionId: 77, serial: 10 }, 'Serial Notify brings a Serial Query');
  cache.send(
    { type: 3, version: 2, sessionId: 77 },
    prefixPdu(2, false, '192.0.2.0/24', 24, 64496),
    prefixPdu(2, true, '198.51.100.0/24', 24, 64498),
    endOfData(2, 77, 11),
  );
  u = await update;
  t.equal(u.reset, false);
  t.same(vrpsOf(u), ['AS64498 198.51.100.0/24-24', 'AS64497 2001:db8::/32-48']);
  t.same([...u.added].map(formatVrp), ['AS64498 198.51.100.0/24-24']);
  t.same([...u.removed].map(formatVrp), ['AS64496 192.0.2.0/24-24']);
  t.equal(session.status().serial, 11);

  // A notify for a serial we already have changes nothing.
  cache.send({ type: 0, version: 2, sessionId: 77, serial: 11 });
  await new Promise((r) => setTimeout(r, 50));
  t.equal(cache.received.length, 2);
});

t.test('Cache Reset and a new session id both lead to a Reset Query', async (t) => {
  const { cache, session } = await setup(t);
  await cache.waitFor(1);
  let update = nextUpdate(session);
  cache.send({ type: 3, version: 2, sessionId: 1 }, prefixPdu(2, true, '192.0.2.0/24', 24, 1), endOfData(2, 1, 5));
  await update;

  cache.send({ type: 0, version: 2, sessionId: 1, serial: 6 });
  await cache.waitFor(2);
  cache.send({ type: 8, version: 2 });
  await cache.waitFor(3);
  t.match(cache.received[2], { type: 2 }, 'Cache Reset → Reset Query');
  update = nextUpdate(session);
  cache.send({ type: 3, version: 2, sessionId: 1 }, prefixPdu(2, true, '198.51.100.0/24', 24, 2), endOfData(2, 1, 6));
  const u = await update;
  t.equal(u.reset, true);
  t.same(vrpsOf(u), ['AS2 198.51.100.0/24-24'], 'a reset replaces everything');

  cache.send({ type: 0, version: 2, sessionId: 1, serial: 7 });
  await cache.waitFor(4);
  t.match(cache.received[3], { type: 1, sessionId: 1, serial: 6 });
  cache.send({ type: 3, version: 2, sessionId: 2 });
  await cache.waitFor(5);
  t.match(cache.received[4], { type: 2 }, 'a Cache Response with a new session id → Reset Query');
});

t.test('version negotiation: a version 1 cache', async (t) => {
  const { cache, session } = await setup(t);
  await cache.waitFor(1);
  t.match(cache.received[0], { type: 2, version: 2 });
  cache.send({ type: 10, version: 1, errorCode: 4, erroneousPdu: new Uint8Array(0), text: 'version 2 not supported' });
  await cache.waitForConnections(2);
  await cache.waitFor(2);
  t.match(cache.received[1], { type: 2, version: 1 }, 'reconnects with a version 1 Reset Query');
  const update = nextUpdate(session);
  cache.send({ type: 3, version: 1, sessionId: 3 }, prefixPdu(1, true, '192.0.2.0/24', 24, 1), endOfData(1, 3, 1));
  t.equal((await update).version, 1);

  // After negotiation, another version is Unexpected Protocol Version (8).
  cache.send({ type: 0, version: 2, sessionId: 3, serial: 2 });
  await cache.waitFor(3);
  t.match(cache.received[2], { type: 10, errorCode: 8 });
  t.equal(session.current.vrps.size, 1, 'the data stays');
});

t.test('a cache that answers in a lower version directly (version 0)', async (t) => {
  const { cache, session } = await setup(t);
  await cache.waitFor(1);
  const update = nextUpdate(session);
  cache.send({ type: 3, version: 0, sessionId: 9 }, prefixPdu(0, true, '192.0.2.0/24', 24, 1), endOfData(0, 9, 1));
  const u = await update;
  t.equal(u.version, 0);
  t.match(session.status().timers, { refreshSeconds: 3600, retrySeconds: 1, expireSeconds: 7200 }, 'version 0 keeps the configured timers');
});

t.test('malformed input: Error Report with the PDU, data kept, reconnect', async (t) => {
  const { cache, session } = await setup(t);
  await cache.waitFor(1);
  const update = nextUpdate(session);
  cache.send({ type: 3, version: 2, sessionId: 4 }, prefixPdu(2, true, '192.0.2.0/24', 24, 1), endOfData(2, 4, 1));
  await update;

  cache.send({ type: 0, version: 2, sessionId: 4, serial: 2 });
  await cache.waitFor(2);
  cache.send({ type: 3, version: 2, sessionId: 4 });
  // An IPv4 Prefix PDU whose length field says 24 bytes instead of 20.
  cache.sendRaw(Buffer.from([2, 4, 0, 0, 0, 0, 0, 24, 1, 24, 24, 0, 192, 0, 2, 0, 0, 0, 0, 1, 0, 0, 0, 0]));
  await cache.waitFor(3);
  t.match(cache.received[2], { type: 10, errorCode: 0 }, 'Corrupt Data reported');
  t.equal(session.current.vrps.size, 1, 'the previous data stays in use');
  t.match(session.status(), { errors: { malformed: 1 }, lastError: /malformed PDU/ });
  await cache.waitForConnections(2, 4000);
  await cache.waitFor(4);
  t.match(cache.received[3], { type: 1, sessionId: 4, serial: 1 }, 'reconnects and resumes with a Serial Query');
});

t.test('duplicate announcement: Error Report 7, then a full reset', async (t) => {
  const { cache, session } = await setup(t);
  await cache.waitFor(1);
  const update = nextUpdate(session);
  cache.send({ type: 3, version: 2, sessionId: 4 }, prefixPdu(2, true, '192.0.2.0/24', 24, 1), endOfData(2, 4, 1));
  await update;
  cache.send({ type: 0, version: 2, sessionId: 4, serial: 2 });
  await cache.waitFor(2);
  cache.send({ type: 3, version: 2, sessionId: 4 }, prefixPdu(2, true, '192.0.2.0/24', 24, 1));
  await cache.waitFor(3);
  t.match(cache.received[2], { type: 10, errorCode: 7, text: /already held/ });
  await cache.waitForConnections(2, 4000);
  await cache.waitFor(4);
  t.match(cache.received[3], { type: 2 }, 'starts over with a Reset Query');
  t.equal(session.current.vrps.size, 1);
});

t.test('payload outside a response, and queries from the cache, are protocol errors', async (t) => {
  const { cache } = await setup(t);
  await cache.waitFor(1);
  cache.send(prefixPdu(2, true, '192.0.2.0/24', 24, 1));
  await cache.waitFor(2);
  t.match(cache.received[1], { type: 10, errorCode: 0, text: /outside a Cache Response/ });
  await cache.waitForConnections(2, 4000);
  await cache.waitFor(3);
  cache.send({ type: 2, version: 2 });
  await cache.waitFor(4);
  t.match(cache.received[3], { type: 10, errorCode: 5 });
});

t.test('an unreachable cache is retried, and staleness follows the clock', async (t) => {
  let clock = 1_000_000;
  const session = new RtrSession({ name: 'nowhere', connect: tcpTransport('127.0.0.1', 1), retrySeconds: 1, now: () => clock });
  t.teardown(() => session.stop());
  const states: string[] = [];
  session.onState((s) => states.push(s));
  session.start();
  await new Promise((r) => setTimeout(r, 100));
  t.match(session.status(), { state: 'retrying', errors: { connect: 1 }, lastError: /cannot connect/, stale: true });
  t.ok(states.includes('connecting'));
  clock += 1;
  t.throws(() => new RtrSession({ name: 'x', connect: tcpTransport('127.0.0.1', 1), expireSeconds: 10 }), /expireSeconds: 10 is not an integer from 600/);
});

t.test('an ASPA PDU in an old draft layout: report it, continue in version 1', async (t) => {
  const { cache, session } = await setup(t);
  await cache.waitFor(1);
  cache.send({ type: 3, version: 2, sessionId: 5 });
  // draft-ietf-sidrops-8210bis-10 layout, as StayRTR 0.5.1 sends it:
  // flags, AFI flags, provider count, customer, providers.
  cache.sendRaw(Buffer.from([2, 11, 0, 0, 0, 0, 0, 20, 1, 3, 0, 1, 0, 0, 0xfd, 0xe9, 0, 0, 0xfd, 0xe8]));
  await cache.waitFor(2);
  t.match(cache.received[1], { type: 10, version: 2, errorCode: 9 });
  await cache.waitForConnections(2, 4000);
  await cache.waitFor(3);
  t.match(cache.received[2], { type: 2, version: 1 }, 'starts over in version 1');
  const update = nextUpdate(session);
  cache.send({ type: 3, version: 1, sessionId: 6 }, prefixPdu(1, true, '192.0.2.0/24', 24, 1), endOfData(1, 6, 1));
  t.equal((await update).version, 1);
  t.match(session.status().errors, { 'aspa-layout': 1 });
});

t.test('an Error Report answering a Serial Query: start over with a Reset Query', async (t) => {
  const { cache, session } = await setup(t);
  await cache.waitFor(1);
  const update = nextUpdate(session);
  cache.send({ type: 3, version: 2, sessionId: 4 }, prefixPdu(2, true, '192.0.2.0/24', 24, 1), endOfData(2, 4, 1));
  await update;
  cache.send({ type: 0, version: 2, sessionId: 4, serial: 2 });
  await cache.waitFor(2);
  t.match(cache.received[1], { type: 1 });
  cache.send({ type: 10, version: 2, errorCode: 0, erroneousPdu: new Uint8Array(0), text: 'Session ID mismatch: client is desynchronized' });
  await cache.waitForConnections(2, 4000);
  await cache.waitFor(3);
  t.match(cache.received[2], { type: 2 }, 'Reset Query, not the same Serial Query again');
  t.equal(session.current.vrps.size, 1, 'the data stays meanwhile');
  t.match(session.status(), { lastError: /Session ID mismatch/ });
});

t.test('data goes stale past the expire interval of the last End of Data', async (t) => {
  let clock = 5_000_000;
  const { cache, session } = await setup(t, { now: () => clock });
  await cache.waitFor(1);
  const update = nextUpdate(session);
  cache.send(
    { type: 3, version: 2, sessionId: 1 },
    prefixPdu(2, true, '192.0.2.0/24', 24, 1),
    { type: 7, version: 2, sessionId: 1, serial: 1, refreshInterval: 3600, retryInterval: 5, expireInterval: 900 },
  );
  await update;
  t.equal(session.isStale(), false);
  clock += 900_000;
  t.equal(session.isStale(), false, 'exactly at the interval: not yet');
  clock += 1;
  t.equal(session.isStale(), true, 'past it: stale');
  t.match(session.status(), { stale: true, vrps: { ipv4: 1 } }, 'stale data stays in use');
});

t.test('a bulk transfer in small reads is read in batches; a small update is read at once', async (t) => {
  const cache = await FakeCache.start();
  let pauses = 0;
  const connect = tcpTransport('127.0.0.1', cache.port);
  const session = new RtrSession({
    name: 'fake',
    responseTimeoutMs: 5000,
    connect: async () => {
      const socket = await connect();
      const pause = socket.pause.bind(socket);
      socket.pause = () => {
        pauses++;
        return pause();
      };
      return socket;
    },
  });
  t.teardown(async () => {
    await session.stop();
    await cache.stop();
  });
  session.start();
  await cache.waitFor(1);
  let update = nextUpdate(session, 20_000);
  // 20,000 IPv4 Prefix PDUs (480 kB) written 40 at a time, each write on its own turn.
  cache.send({ type: 3, version: 2, sessionId: 5 });
  const { encodePdu } = await import('../../src/rtr/pdu-codec.js');
  for (let i = 0; i < 500; i++) {
    const batch = [];
    for (let j = 0; j < 40; j++) {
      const n = i * 40 + j;
      batch.push(encodePdu(prefixPdu(2, true, `10.${n >> 8}.${n & 255}.0/24`, 24, 65000)));
    }
    cache.sendRaw(Buffer.concat(batch));
    await new Promise((r) => setImmediate(r));
  }
  cache.send(endOfData(2, 5, 1));
  let u = await update;
  t.equal(u.data.vrps.size, 20_000, 'every PDU arrived');
  t.ok(pauses > 0, `reads were held back during the bulk transfer (${pauses} pauses)`);
  const before = pauses;
  update = nextUpdate(session);
  cache.send({ type: 0, version: 2, sessionId: 5, serial: 2 });
  await cache.waitFor(2);
  cache.send({ type: 3, version: 2, sessionId: 5 }, prefixPdu(2, false, '10.0.0.0/24', 24, 65000), endOfData(2, 5, 2));
  u = await update;
  t.equal(u.data.vrps.size, 19_999);
  t.equal(pauses, before, 'a small update is not held back');
});
