/**
 * BmpIngest through a real station on loopback: routes land in the table
 * of their router, peer and RIB; Peer Down withdraws; a router whose BMP
 * session ends keeps its routes stale for the grace period; what it
 * re-announces after reconnecting is fresh again and End-of-RIB drops the
 * rest (RFC 4724 §4.2 in spirit).
 */
import { connect, type Socket } from 'node:net';
import t from 'tap';
import { BmpStation } from '../../src/bmp/station.js';
import { parseConfig } from '../../src/config/config.js';
import { BmpIngest } from '../../src/daemon/bmp-ingest.js';
import { Prefix } from '../../src/net/prefix.js';
import { Rib } from '../../src/rib/rib.js';
import { RovState } from '../../src/rov/validity.js';
import { VrpIndex } from '../../src/rov/vrp-index.js';
import { parseVrp } from '../../src/rpki/vrp.js';
import { VrpTable } from '../../src/rpki/vrp-table.js';
import { VifMap } from '../../src/vif/vif-map.js';
import { BGP_UPDATE, bgp, bmp, cat, openBody, peerUpBody, perPeer, u8, updateBody } from '../bmp/helpers/build.js';
import { until as pollUntil } from '../helpers/until.js';

const PEER = { address: '169.254.0.1', asn: 7224, bgpId: '10.0.0.1' };
const peerUp = () => bmp(3, cat(perPeer(PEER), peerUpBody(openBody({ asn: 65000 }), openBody({ asn: 7224 }))));
const routes = (nlri: string[], asPath = [7224, 64496], withdrawn: string[] = []) => bmp(0, cat(perPeer(PEER), bgp(BGP_UPDATE, updateBody({ nlri, asPath, withdrawn }))));
const endOfRib = () => bmp(0, cat(perPeer(PEER), bgp(BGP_UPDATE, updateBody({}))));
const peerDown = () => bmp(2, cat(perPeer(PEER), u8(2), Buffer.from([0, 0])));

/** The shared poller (test/helpers/until.ts) with this file's bound. */
const until = (check: () => boolean, what: string, timeoutMs = 5000): Promise<void> => pollUntil(check, what, timeoutMs);

async function router(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  return s;
}

t.test('routes per router, peer and RIB; peer down; stale on router down; refresh and End-of-RIB', async (t) => {
  const index = VrpIndex.build(VrpTable.from([parseVrp('192.0.2.0/24', 24, 'AS64496')]));
  const rib = new Rib({ index });
  const config = parseConfig('vifs:\n  - id: dxvif-t1\n    type: private\n    router: 127.0.0.1\n    peers: [{ address: 169.254.0.1, asn: 7224 }]\n', 'x.yaml');
  const ingest = new BmpIngest({ rib, vifs: new VifMap(config.vifs), staleGraceMs: 300 });
  const station = new BmpStation({ host: '127.0.0.1', port: 0, allow: [Prefix.parse('127.0.0.0/8')] });
  station.onEvent((e) => ingest.handle(e));
  const { port } = await station.start();
  t.teardown(async () => {
    ingest.stop();
    await station.stop();
  });

  let r = await router(port);
  r.write(cat(peerUp(), routes(['192.0.2.0/24', '198.51.100.0/24']), routes(['203.0.113.0/24'], [7224, 64497])));
  await until(() => rib.count() === 3, 'three routes');
  const [table] = rib.tables();
  t.match(table, { router: '127.0.0.1', kind: 'adj-rib-in-pre' });
  t.equal(rib.get(table!, Prefix.parse('192.0.2.0/24'))?.state, RovState.Valid);
  t.equal(rib.get(table!, Prefix.parse('198.51.100.0/24'))?.state, RovState.NotFound);
  t.equal(ingest.vifLabel('127.0.0.1', '169.254.0.1'), 'dxvif-t1');
  t.match(ingest.counters, { routeMonitoring: 2, announced: 3 });

  // The router's BMP session breaks: routes stay, stale.
  r.destroy();
  await until(() => ingest.counters.routerDown === 1, 'router down');
  t.equal(rib.count(), 3, 'kept');
  t.equal(rib.staleCount(), 3, 'stale');
  // It comes back within the grace period and re-announces two of the three; End-of-RIB drops the third.
  r = await router(port);
  r.write(cat(peerUp(), routes(['192.0.2.0/24', '198.51.100.0/24'])));
  await until(() => rib.staleCount() === 1, 'two refreshed');
  r.write(endOfRib());
  await until(() => rib.count() === 2 && rib.staleCount() === 0, 'End-of-RIB drops the stale one');
  t.ok(ingest.counters.endOfRib >= 1);
  await new Promise((res) => setTimeout(res, 400));
  t.equal(rib.count(), 2, 'the grace timer of the earlier session drops nothing fresh');

  // Peer Down: every route of that peer is withdrawn at once.
  r.write(peerDown());
  await until(() => rib.count() === 0, 'peer down withdraws');
  t.equal(ingest.counters.peerDown, 1);

  // Router down without coming back: dropped when the grace period ends.
  r.write(cat(peerUp(), routes(['192.0.2.0/24'])));
  await until(() => rib.count() === 1, 'announced again');
  r.destroy();
  await until(() => ingest.counters.routerDown === 2, 'second router down');
  t.equal(rib.staleCount(), 1);
  await until(() => rib.count() === 0, 'grace period over');
  t.ok(ingest.counters.staleDropped >= 1);
});
