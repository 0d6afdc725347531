/**
 * The short paths a full sync takes (bench/rtr.ts measures them):
 * - readPrefixPdu, the session's in-place reader of IPv4/IPv6 Prefix PDUs
 *   (RFC 8210 §5.6-5.7, 8210bis §5.9-5.10), accepts exactly what decodePdu
 *   decodes as a Prefix PDU, with the same fields;
 * - the session counts and reports the PDUs it takes that way as the
 *   general path does (code 8 for another version, 0 for host bits);
 * - an incremental transaction's added and removed tables, sorted by a
 *   comparison when small, equal VrpTableBuilder's, row for row.
 */
import t, { type Test } from 'tap';
import { Prefix } from '../../src/net/prefix.js';
import { RtrCacheData } from '../../src/rtr/cache-data.js';
import { PrefixFields, readPrefixPdu } from '../../src/rtr/codec/prefix.js';
import type { Pdu, RtrVersion } from '../../src/rtr/pdu.js';
import { decodePdu, encodePdu } from '../../src/rtr/pdu-codec.js';
import { RtrParseError } from '../../src/rtr/pdu-error.js';
import { type RtrUpdate, RtrSession } from '../../src/rtr/session.js';
import { tcpTransport } from '../../src/rtr/transport.js';
import { VrpTable } from '../../src/rpki/vrp-table.js';
import { type Vrp, formatVrp, makeVrp } from '../../src/rpki/vrp.js';
import type { Asn } from '../../src/net/asn.js';
import { randomInt, seededRandom } from '../helpers/random.js';
import { FakeCache, endOfData, prefixPdu } from './helpers/fake-cache.js';

// --- readPrefixPdu against decodePdu ---------------------------------------------

/** A well-formed Prefix PDU with random fields, then (often) damaged: bytes changed, cut or extended. */
function randomPrefixBytes(rand: () => number): Buffer {
  const version = randomInt(rand, 0, 2) as RtrVersion;
  const afi = rand() < 0.5 ? 4 : 6;
  const bits = afi === 4 ? 32 : 128;
  const length = randomInt(rand, 0, bits);
  const prefix = Prefix.masked(afi, length, word(rand), word(rand), word(rand), word(rand));
  const maxLength = randomInt(rand, length, bits);
  const pdu: Pdu =
    afi === 4
      ? { type: 4, version, announce: rand() < 0.5, prefix, maxLength, asn: word(rand) as Asn }
      : { type: 6, version, announce: rand() < 0.5, prefix, maxLength, asn: word(rand) as Asn };
  let bytes = Buffer.from(encodePdu(pdu));
  const damage = rand();
  if (damage < 0.35) return bytes;
  if (damage < 0.9) {
    // Bytes the checks look at, more often than the rest.
    const hot = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, bytes.length - 1];
    for (let n = randomInt(rand, 1, 2); n > 0; n--) {
      const at = rand() < 0.7 ? hot[randomInt(rand, 0, hot.length - 1)]! : randomInt(rand, 0, bytes.length - 1);
      bytes[at] = rand() < 0.5 ? randomInt(rand, 0, 255) : (bytes[at]! + randomInt(rand, -2, 2)) & 0xff;
    }
    return bytes;
  }
  // Cut or extended, with the length field following or not.
  bytes = rand() < 0.5 ? bytes.subarray(0, bytes.length - randomInt(rand, 1, 4)) : Buffer.concat([bytes, Buffer.alloc(randomInt(rand, 1, 12))]);
  if (rand() < 0.5 && bytes.length >= 8) bytes.writeUInt32BE(bytes.length, 4);
  return bytes;
}

function word(rand: () => number): number {
  return Math.floor(rand() * 2 ** 32) >>> 0;
}

t.test('readPrefixPdu accepts what decodePdu decodes as a Prefix PDU, with the same fields', async (t) => {
  const rand = seededRandom(20261128);
  const out = new PrefixFields();
  let accepted = 0;
  let refused = 0;
  const wrong: string[] = [];
  for (let i = 0; i < 30_000; i++) {
    const bytes = randomPrefixBytes(rand);
    const before = { ...out };
    const ok = readPrefixPdu(bytes, out);
    let decoded: Pdu | undefined;
    try {
      decoded = decodePdu(bytes);
    } catch (err) {
      if (!(err instanceof RtrParseError)) throw err;
    }
    const prefixPdu = decoded !== undefined && (decoded.type === 4 || decoded.type === 6) ? decoded : undefined;
    if (ok) {
      accepted++;
      if (prefixPdu === undefined) {
        wrong.push(`accepted, decodePdu refuses: ${bytes.toString('hex')}`);
        continue;
      }
      const p = prefixPdu.prefix;
      const fields = { announce: prefixPdu.announce, afi: p.afi, length: p.length, maxLength: prefixPdu.maxLength, w0: p.w0, w1: p.w1, w2: p.w2, w3: p.w3, asn: prefixPdu.asn };
      if (JSON.stringify(fields) !== JSON.stringify({ ...out })) wrong.push(`fields differ: ${bytes.toString('hex')}`);
    } else {
      refused++;
      if (prefixPdu !== undefined) wrong.push(`refused, decodePdu decodes it: ${bytes.toString('hex')}`);
      if (JSON.stringify(before) !== JSON.stringify({ ...out })) wrong.push(`refused but changed its output: ${bytes.toString('hex')}`);
    }
  }
  t.same(wrong.slice(0, 5), [], `${accepted} accepted, ${refused} refused`);
  t.ok(accepted > 10_000 && refused > 10_000, 'both outcomes are exercised');
});

t.test('readPrefixPdu refuses other PDU types, a length field that disagrees, and an unknown version', async (t) => {
  const out = new PrefixFields();
  const good = Buffer.from(encodePdu(prefixPdu(1, true, '192.0.2.0/24', 24, 64496)));
  t.equal(readPrefixPdu(good, out), true);
  t.match(out, { announce: true, afi: 4, length: 24, maxLength: 24, w0: 0xc0000200, asn: 64496 });
  const v6 = Buffer.from(encodePdu(prefixPdu(2, false, '2001:db8::/32', 48, 1)));
  t.equal(readPrefixPdu(v6, out), true);
  t.match(out, { announce: false, afi: 6, length: 32, maxLength: 48, w0: 0x20010db8, w1: 0, asn: 1 });
  const variant = (at: number, value: number) => {
    const b = Buffer.from(good);
    b[at] = value;
    return b;
  };
  t.equal(readPrefixPdu(variant(0, 3), out), false, 'version 3');
  t.equal(readPrefixPdu(variant(1, 6), out), false, 'type 6 with 20 bytes');
  t.equal(readPrefixPdu(variant(7, 21), out), false, 'length field 21');
  t.equal(readPrefixPdu(variant(4, 1), out), false, 'length field 2^24 + 20');
  t.equal(readPrefixPdu(variant(15, 1), out), false, 'host bits');
  t.equal(readPrefixPdu(Buffer.from(encodePdu({ type: 3, version: 1, sessionId: 1 })), out), false, 'Cache Response');
  t.equal(readPrefixPdu(Buffer.from(encodePdu(endOfData(1, 1, 1))), out), false, 'End of Data');
});

// --- the session's short path -------------------------------------------------------

async function setup(t: Test) {
  const cache = await FakeCache.start();
  const session = new RtrSession({ name: 'fake', connect: tcpTransport('127.0.0.1', cache.port), retrySeconds: 1, responseTimeoutMs: 3000 });
  t.teardown(async () => {
    await session.stop();
    await cache.stop();
  });
  session.start();
  await cache.waitFor(1);
  return { cache, session };
}

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

t.test('the session counts Prefix PDUs as before and applies them', async (t) => {
  const { cache, session } = await setup(t);
  const update = nextUpdate(session);
  cache.send(
    { type: 3, version: 2, sessionId: 4 },
    prefixPdu(2, true, '192.0.2.0/24', 24, 1),
    prefixPdu(2, true, '198.51.100.0/22', 24, 2),
    prefixPdu(2, true, '2001:db8::/32', 48, 3),
    endOfData(2, 4, 1),
  );
  const u = await update;
  t.same([...u.data.vrps].map(formatVrp), ['AS1 192.0.2.0/24-24', 'AS2 198.51.100.0/22-24', 'AS3 2001:db8::/32-48']);
  t.same(session.status().pdusReceived, { 'Cache Response': 1, 'IPv4 Prefix': 2, 'IPv6 Prefix': 1, 'End of Data': 1 });
});

t.test('a Prefix PDU of another version inside an update is still code 8', async (t) => {
  const { cache, session } = await setup(t);
  const update = nextUpdate(session);
  cache.send({ type: 3, version: 2, sessionId: 4 }, prefixPdu(2, true, '192.0.2.0/24', 24, 1), endOfData(2, 4, 1));
  await update;
  cache.send({ type: 0, version: 2, sessionId: 4, serial: 2 });
  await cache.waitFor(2);
  const v1 = encodePdu(prefixPdu(1, true, '203.0.113.0/24', 24, 5));
  cache.send({ type: 3, version: 2, sessionId: 4 });
  cache.sendRaw(v1);
  await cache.waitFor(3);
  t.match(cache.received[2], { type: 10, errorCode: 8 });
  const report = cache.received[2];
  t.same(report?.type === 10 ? Buffer.from(report.erroneousPdu) : undefined, v1, 'the PDU is encapsulated');
  t.equal(session.current.vrps.size, 1, 'the previous data stays');
});

t.test('a Prefix PDU with host bits inside an update is Corrupt Data with the PDU', async (t) => {
  const { cache, session } = await setup(t);
  const bad = Buffer.from(encodePdu(prefixPdu(2, true, '192.0.2.0/24', 24, 1)));
  bad[15] = 1; // 192.0.2.1/24
  cache.send({ type: 3, version: 2, sessionId: 4 });
  cache.sendRaw(bad);
  await cache.waitFor(2);
  t.match(cache.received[1], { type: 10, errorCode: 0, text: /host bits set past \/24/ });
  const report = cache.received[1];
  t.same(report?.type === 10 ? Buffer.from(report.erroneousPdu) : undefined, bad);
  t.match(session.status(), { errors: { malformed: 1 } });
});

// --- incremental tables ----------------------------------------------------------------

/** VRPs with the order's edge cases: the top bit of each word set, one prefix with several ASNs and maxLengths. */
function randomVrps(rand: () => number, count: number): Vrp[] {
  const seen = new Set<string>();
  const out: Vrp[] = [];
  while (out.length < count) {
    const afi = rand() < 0.6 ? 4 : 6;
    const bits = afi === 4 ? 32 : 128;
    const length = rand() < 0.1 ? randomInt(rand, 0, bits) : afi === 4 ? randomInt(rand, 1, 24) : randomInt(rand, 1, 112);
    // Few distinct addresses, so prefixes repeat with other ASNs and maxLengths.
    const base = randomInt(rand, 0, 40);
    const w = (k: number) => ((base * 0x9e3779b1 + k * 0x85ebca6b) >>> 0) | (rand() < 0.5 ? 0x80000000 : 0);
    const prefix = Prefix.masked(afi, length, w(0), w(1), w(2), w(3));
    const vrp = makeVrp(prefix, randomInt(rand, length, Math.min(bits, length + 2)), randomInt(rand, 0, 3) === 0 ? (0xffffffff as Asn) : (randomInt(rand, 0, 5) as Asn));
    const key = formatVrp(vrp);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(vrp);
  }
  return out;
}

t.test('incremental tables equal VrpTableBuilder\'s, row for row (small and large updates)', async (t) => {
  for (const [round, changes] of [[1, 300], [2, 5000]] as const) {
    const rand = seededRandom(77 + round);
    const all = randomVrps(rand, changes * 2 + 400);
    const held = all.slice(0, changes + 400);
    const fresh = all.slice(changes + 400);
    const withdrawn = held.filter((_, i) => i % 2 === 0).slice(0, changes / 2);
    const announced = fresh.slice(0, changes / 2);

    const reset = RtrCacheData.EMPTY.begin(true);
    for (const v of held) reset.vrp(true, v.prefix.afi, v.prefix.w0, v.prefix.w1, v.prefix.w2, v.prefix.w3, v.prefix.length, v.maxLength, v.asn);
    const base = reset.commit().data;

    const tx = base.begin(false);
    // Interleaved, in no particular order.
    const ops = [...withdrawn.map((v) => [false, v] as const), ...announced.map((v) => [true, v] as const)].sort(() => rand() - 0.5);
    for (const [announce, v] of ops) tx.vrp(announce, v.prefix.afi, v.prefix.w0, v.prefix.w1, v.prefix.w2, v.prefix.w3, v.prefix.length, v.maxLength, v.asn);
    const u = tx.commit();

    const gone = new Set(withdrawn.map(formatVrp));
    const expected = VrpTable.from([...held.filter((v) => !gone.has(formatVrp(v))), ...announced]);
    t.same([...u.added].map(formatVrp), [...VrpTable.from(announced)].map(formatVrp), `${changes} changes: added, in table order`);
    t.same([...u.removed].map(formatVrp), [...VrpTable.from(withdrawn)].map(formatVrp), `${changes} changes: removed, in table order`);
    t.ok(u.added.equals(VrpTable.from(announced)) && u.removed.equals(VrpTable.from(withdrawn)), 'equal as tables');
    t.ok(u.data.vrps.equals(expected), 'the merged set equals a fresh build');
  }
});
