/**
 * The off-thread path end to end: routers on loopback → BmpStation with
 * `offThread` (a decoder thread per router) → route-batch events →
 * BmpIngest → Rib.applyWords. The RIB, its validation states and the
 * ingest counters equal those of the in-thread station fed the same bytes;
 * a decoder thread that dies ends only its router's session (the routes
 * go stale as for any router down), the other router goes on, and the
 * station keeps serving.
 */
import { connect, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import type { BmpEvent } from '../../src/bmp/events.js';
import type { BmpRouterSession } from '../../src/bmp/router-session.js';
import { BmpStation } from '../../src/bmp/station.js';
import { BmpIngest } from '../../src/daemon/bmp-ingest.js';
import { Prefix } from '../../src/net/prefix.js';
import { Rib } from '../../src/rib/rib.js';
import { VrpIndex } from '../../src/rov/vrp-index.js';
import { parseVrp } from '../../src/rpki/vrp.js';
import { VrpTable } from '../../src/rpki/vrp-table.js';
import { VifMap } from '../../src/vif/vif-map.js';
import { BGP_UPDATE, bgp, bmp, cat, openBody, peerUpBody, perPeer, updateBody } from '../bmp/helpers/build.js';
import { mixedStream } from '../bmp/helpers/mixed-stream.js';
import { plain } from '../rib/fixtures.js';
import { until as pollUntil } from '../helpers/until.js';

const index = VrpIndex.build(VrpTable.from([parseVrp('192.0.2.0/24', 24, 'AS64496'), parseVrp('2001:db8::/32', 48, 'AS64497'), parseVrp('10.0.0.0/8', 8, 'AS64999')]));

/** The shared poller (test/helpers/until.ts) with this file's bound. */
const until = (check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> => pollUntil(check, what, timeoutMs);

async function router(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  return s;
}

async function pipeline(t: Test, offThread: boolean) {
  const rib = new Rib({ index, now: () => 1_700_000_000_000 });
  const ingest = new BmpIngest({ rib, vifs: new VifMap([]), staleGraceMs: 60_000 });
  const station = new BmpStation({ host: '127.0.0.1', port: 0, allow: [Prefix.parse('127.0.0.0/8')], offThread });
  const events: BmpEvent[] = [];
  station.onEvent((e) => {
    events.push(e);
    ingest.handle(e);
  });
  const { port } = await station.start();
  t.teardown(async () => {
    ingest.stop();
    await station.stop();
  });
  return { rib, ingest, station, port, events };
}

function dump(rib: Rib): unknown[] {
  return rib.tables().flatMap((table) => [...rib.routes(table)].map((r) => [table.peer, table.kind, r.prefix.toString(), r.pathId, r.state, r.stale, plain(r.attributes)]));
}

t.test('off-thread station + BmpIngest = in-thread: routes, states, counters', async (t) => {
  const stream = cat(...mixedStream());
  const results = [];
  for (const offThread of [false, true]) {
    const p = await pipeline(t, offThread);
    const r = await router(p.port);
    // In small writes, so the station sees many chunks.
    for (let i = 0; i < stream.length; i += 100) r.write(stream.subarray(i, i + 100));
    r.end();
    await until(() => p.ingest.counters.routerDown === 1, 'router down');
    results.push({ routes: dump(p.rib), counters: { ...p.ingest.counters }, down: p.events.at(-1), types: new Set(p.events.map((e) => e.type)) });
  }
  const [a, b] = results;
  t.equal(a!.routes.length, 4, 'four routes left (the fallback peer went down, some were withdrawn)');
  t.same(b!.routes, a!.routes, 'the same routes, attributes, states and stale flags');
  t.same(b!.counters, a!.counters, 'the same ingest counters');
  t.same((b!.down as { counters: unknown }).counters, (a!.down as { counters: unknown }).counters, 'the same router counters');
  t.ok(b!.types.has('route-batch') && !a!.types.has('route-batch'));
});

t.test('a decoder thread that dies ends only its router session; the other router and the station go on', async (t) => {
  const p = await pipeline(t, true);
  const PEER = { address: '169.254.0.1', asn: 7224, bgpId: '10.0.0.1' };
  const peerUp = bmp(3, cat(perPeer(PEER), peerUpBody(openBody({ asn: 65000 }), openBody({ asn: 7224 }))));
  const routes = (nlri: string[]) => bmp(0, cat(perPeer(PEER), bgp(BGP_UPDATE, updateBody({ nlri, asPath: [7224, 64496] }))));
  const r1 = await router(p.port);
  r1.write(cat(peerUp, routes(['192.0.2.0/24'])));
  await until(() => p.rib.count() === 1, 'first router');
  const r2 = await router(p.port);
  r2.write(cat(peerUp, routes(['198.51.100.0/24'])));
  await until(() => p.station.routers().length === 2 && p.ingest.counters.routeMonitoring === 2, 'second router');
  t.equal(p.rib.count(), 2, 'both routers');
  t.equal(p.rib.tables().length, 1, 'one table: the router address, not address:port, keys it');

  const sessions = (p.station as unknown as { sessions: Map<Socket, BmpRouterSession> }).sessions;
  const first = [...sessions.values()].find((s) => s.router.port === r1.localPort)!;
  await first.decoderThread!.thread.terminate();
  await until(() => p.ingest.counters.routerDown === 1, 'the first router down');
  const down = p.events.find((e) => e.type === 'router-down');
  t.match(down, { router: { port: r1.localPort }, reason: { kind: 'error', message: /decoder thread/ } });
  await until(() => r1.destroyed || r1.readyState === 'closed', 'its socket closed');
  t.equal(p.station.routers().length, 1, 'the other router is still connected');

  r2.write(routes(['203.0.113.0/24']));
  await until(() => p.ingest.counters.routeMonitoring === 3, 'the other router goes on');
  const r3 = await router(p.port);
  r3.write(cat(peerUp, routes(['192.0.2.0/24'])));
  await until(() => p.ingest.counters.routeMonitoring === 4, 'a new router is served');
  // The router down marked the router's table stale (keyed by address: r2's route too); r3 refreshed 192.0.2.0/24, r2's later route is fresh.
  t.equal(p.rib.staleCount(), 1, 'stale as for any router down');
  r2.destroy();
  r3.destroy();
});
