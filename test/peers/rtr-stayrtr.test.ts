/**
 * rovd's RTR client against a real cache: StayRTR from Debian's package,
 * started on loopback by the harness. The sets must be equal (as sets, not
 * counts) after a full sync, after an incremental update, and after StayRTR
 * restarts with a new session id; two StayRTR instances exercise failover.
 */
import t, { type Test } from 'tap';
import { RtrCacheSet } from '../../src/rtr/cache-set.js';
import { type RtrUpdate, RtrSession } from '../../src/rtr/session.js';
import { tcpTransport } from '../../src/rtr/transport.js';
import type { RtrCacheData } from '../../src/rtr/cache-data.js';
import type { VrpTable } from '../../src/rpki/vrp-table.js';
import { StayRtr, type VrpSpec, syntheticVrps, vrpSetDiff } from '../helpers/stayrtr.js';

function vrpSpecs(vrps: VrpTable): VrpSpec[] {
  const out: VrpSpec[] = [];
  for (const v of vrps) out.push({ asn: v.asn, prefix: v.prefix.toString(), maxLength: v.maxLength });
  return out;
}

const specsOf = (data: RtrCacheData): VrpSpec[] => vrpSpecs(data.vrps);

/** Resolves with the first update for which `until` holds. */
function updateWhere(session: RtrSession, until: (u: RtrUpdate) => boolean, timeoutMs: number): Promise<RtrUpdate> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching RTR update within ${timeoutMs} ms: ${JSON.stringify(session.status())}`)), timeoutMs);
    const off = session.onUpdate((u) => {
      if (!until(u)) return;
      clearTimeout(timer);
      off();
      resolve(u);
    });
  });
}

function sessionFor(t: Test, stayrtr: StayRtr, name = 'stayrtr'): RtrSession {
  const [host, port] = splitAddress(stayrtr.address);
  const session = new RtrSession({ name, connect: tcpTransport(host, port), retrySeconds: 1, responseTimeoutMs: 60_000 });
  t.teardown(() => session.stop());
  return session;
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}

const SMALL: VrpSpec[] = [
  { asn: 64496, prefix: '192.0.2.0/24', maxLength: 24 },
  { asn: 64497, prefix: '198.51.100.0/22', maxLength: 24 },
  { asn: 64498, prefix: '2001:db8::/32', maxLength: 48 },
  { asn: 0, prefix: '203.0.113.0/24', maxLength: 32 },
];

t.test('sync, incremental update on Serial Notify, restart with a new session id', async (t) => {
  const stayrtr = await StayRtr.start(t, { vrps: SMALL });
  if (!stayrtr) return;
  const session = sessionFor(t, stayrtr);
  const first = updateWhere(session, () => true, 20_000);
  session.start();
  const u1 = await first;
  t.equal(u1.reset, true);
  t.same(vrpSetDiff(SMALL, specsOf(u1.data)), { missing: [], unexpected: [] }, 'full sync equals the file');
  t.equal(u1.sessionId, stayrtr.sessionId);

  const next = [...SMALL.slice(1), { asn: 64499, prefix: '192.0.2.0/25', maxLength: 25 }];
  const incremental = updateWhere(session, (u) => !u.reset, 30_000);
  const serial = await stayrtr.updateVrps(next);
  const u2 = await incremental;
  t.equal(u2.serial, serial);
  t.same(vrpSetDiff(next, specsOf(u2.data)), { missing: [], unexpected: [] }, 'after the incremental update');
  t.same([...u2.added].map((v) => v.prefix.toString()), ['192.0.2.0/25']);
  t.same([...u2.removed].map((v) => v.prefix.toString()), ['192.0.2.0/24']);

  const afterRestart = updateWhere(session, (u) => u.reset && u.sessionId !== u1.sessionId, 40_000);
  const newSession = await stayrtr.restart();
  const u3 = await afterRestart;
  t.equal(u3.sessionId, newSession, 'the new session id was picked up with a reset');
  t.same(vrpSetDiff(next, specsOf(u3.data)), { missing: [], unexpected: [] });
});

t.test('ASPAs from StayRTR 0.5.1 (old draft layout): the session continues in version 1', async (t) => {
  const stayrtr = await StayRtr.start(t, { vrps: SMALL, aspas: [{ customer: 64496, providers: [64500, 64501] }] });
  if (!stayrtr) return;
  const session = sessionFor(t, stayrtr);
  const synced = updateWhere(session, () => true, 30_000);
  session.start();
  const u = await synced;
  t.ok(u.version <= 1, `version ${u.version}`);
  t.same(vrpSetDiff(SMALL, specsOf(u.data)), { missing: [], unexpected: [] });
});

t.test('version 0 and 1 caches', async (t) => {
  for (const protocol of [0, 1] as const) {
    const stayrtr = await StayRtr.start(t, { vrps: SMALL, protocol });
    if (!stayrtr) return;
    const session = sessionFor(t, stayrtr, `stayrtr-v${protocol}`);
    const synced = updateWhere(session, () => true, 30_000);
    session.start();
    const u = await synced;
    t.equal(u.version, protocol, `negotiated down to version ${protocol}`);
    t.same(vrpSetDiff(SMALL, specsOf(u.data)), { missing: [], unexpected: [] });
    await session.stop();
    await stayrtr.stop();
  }
});

t.test('failover between two StayRTR instances', async (t) => {
  const primaryVrps = SMALL.slice(0, 2);
  const backupVrps = SMALL.slice(2);
  const primary = await StayRtr.start(t, { vrps: primaryVrps });
  const backup = await StayRtr.start(t, { vrps: backupVrps });
  if (!primary || !backup) return;
  const [ph, pp] = splitAddress(primary.address);
  const [bh, bp] = splitAddress(backup.address);
  const set = new RtrCacheSet([
    { name: 'primary', preference: 1, connect: tcpTransport(ph, pp), retrySeconds: 1 },
    { name: 'backup', preference: 2, connect: tcpTransport(bh, bp), retrySeconds: 1 },
  ]);
  t.teardown(() => set.stop());
  const using = (name: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      if (set.current === name) return resolve();
      const timer = setTimeout(() => reject(new Error(`not using ${name}: ${JSON.stringify(set.status())}`)), timeoutMs);
      const off = set.onChange((c) => {
        if (c.cache !== name) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  set.start();
  await using('primary', 30_000);
  t.same(vrpSetDiff(primaryVrps, vrpSpecs(set.payload.vrps)), { missing: [], unexpected: [] });
  await primary.stop();
  await using('backup', 30_000);
  t.same(vrpSetDiff(backupVrps, vrpSpecs(set.payload.vrps)), { missing: [], unexpected: [] }, 'failed over');
  await primary.restart({ requireNewSession: false });
  await using('primary', 30_000);
  t.pass('returned to the primary when it recovered');
});

t.test('full table: 800k VRPs, then a 1,000-VRP incremental update', async (t) => {
  const vrps = syntheticVrps(800_000, 7);
  const stayrtr = await StayRtr.start(t, { vrps, readyTimeoutMs: 120_000 });
  if (!stayrtr) return;
  const session = sessionFor(t, stayrtr);
  const started = performance.now();
  const synced = updateWhere(session, () => true, 120_000);
  session.start();
  const u1 = await synced;
  const syncMs = performance.now() - started;
  t.same(vrpSetDiff(vrps, specsOf(u1.data)), { missing: [], unexpected: [] }, `full sync of ${vrps.length} VRPs equals the file (${Math.round(syncMs)} ms)`);

  const next = vrps.slice(1000);
  const incremental = updateWhere(session, (u) => !u.reset, 120_000);
  await stayrtr.updateVrps(next, [], 120_000);
  const u2 = await incremental;
  t.equal(u2.removed.size, 1000);
  t.equal(u2.added.size, 0);
  t.same(vrpSetDiff(next, specsOf(u2.data)), { missing: [], unexpected: [] }, 'after the incremental update');
});
