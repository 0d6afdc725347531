/**
 * createMetrics on a real daemon that has seen traffic: the values are the
 * daemon's, BMP counts survive a router reconnecting, several registries
 * can watch one daemon, close() lets go of it.
 */
import { connect } from 'node:net';
import t from 'tap';
import { createMetrics } from '../../src/metrics/metrics.js';
import { type Family, parseExposition } from './exposition.js';
import { daemonWithTraffic, FIRST_ROUTES_MS, PEER, peerUp, update } from './traffic.js';

const value = (families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined =>
  families.get(name)?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

t.test('the values are the daemon\'s', async (t) => {
  const p = await daemonWithTraffic(t);
  t.match(p.metrics.contentType, /^text\/plain; version=0\.0\.4/);
  const m = parseExposition(await p.metrics.render());
  t.equal(value(m, 'rovd_build_info', { version: '0.0.0-test', node: process.versions.node }), 1);
  t.equal(value(m, 'rovd_routes', { vif: 'dxvif-m1', afi: 'ipv4', rib: 'adj-rib-in-pre', state: 'invalid' }), 1);
  t.equal(value(m, 'rovd_routes', { vif: 'dxvif-m1', afi: 'ipv4', rib: 'adj-rib-in-pre', state: 'valid' }), 2, '10.1.0.0/16 and 10.9.0.0/16; 10.8.0.0/16 withdrawn');
  t.equal(value(m, 'rovd_routes', { vif: 'dxvif-m2', afi: 'ipv4', state: 'valid' }), 3);
  t.equal(value(m, 'rovd_routes', { vif: 'unmapped', afi: 'ipv4', state: 'not-found' }), 1);
  t.equal(value(m, 'rovd_rib_tables'), 3);
  t.equal(value(m, 'rovd_rib_bytes'), p.daemon.rib.stats().bytes);
  t.equal(value(m, 'rovd_vrps', { afi: 'ipv4', source: 'union' }), 1);
  t.equal(value(m, 'rovd_vrps', { afi: 'ipv6', source: 'union' }), 1, 'the RTR cache\'s VRP is in the union');
  t.equal(value(m, 'rovd_vrps', { afi: 'ipv6', source: 'fake' }), 1);
  t.equal(value(m, 'rovd_rtr_serial', { cache: 'fake' }), 5);
  t.equal(value(m, 'rovd_rtr_session_errors_total', { cache: 'fake', kind: 'malformed' }), 1);
  t.equal(value(m, 'rovd_parse_errors_total', { protocol: 'rtr', kind: 'malformed' }), 1);
  t.equal(value(m, 'rovd_parse_errors_total', { protocol: 'bmp', kind: 'malformed' }), 1, 'the broken UPDATE');
  t.equal(value(m, 'rovd_rpki_stale'), 0);
  t.equal(value(m, 'rovd_vrp_set_generation'), p.daemon.validator.snapshot.generation);
  t.equal(value(m, 'rovd_bmp_sessions'), 1);
  t.equal(value(m, 'rovd_bmp_peers', { router: '127.0.0.1' }), 3);
  t.equal(value(m, 'rovd_bmp_messages_total', { router: '127.0.0.1', type: 'route_monitoring' }), 7, 'six applied, one dropped');
  t.equal(value(m, 'rovd_bmp_messages_total', { router: '127.0.0.1', type: 'peer_up' }), 3);
  const updates = m.get('rovd_bgp_updates_total')!.samples;
  t.equal(updates.reduce((n, s) => n + s.value, 0), 6, 'six UPDATEs in all');
  t.match(updates.map((s) => s.labels.vif).sort(), ['dxvif-m1', 'dxvif-m2'], 'counted per VIF');
  const latency = m.get('rovd_update_validation_seconds')!.samples.filter((s) => s.name === 'rovd_update_validation_seconds_count');
  t.equal(latency.reduce((n, s) => n + s.value, 0), 6, 'every UPDATE timed');
  t.equal(value(m, 'rovd_bgp_route_changes_total', { change: 'withdrawn' }), 1);
  t.equal(value(m, 'rovd_alerts_firing', { type: 'rpki-invalid', severity: 'critical', vif: 'dxvif-m1' }), 1);
  t.equal(value(m, 'rovd_notifications_total', { sink: 'hook', outcome: 'delivered' }), p.daemon.outbox!.stats().sinks.hook!.delivered);
  t.equal(value(m, 'rovd_prefix_limit_usage_ratio', { vif: 'dxvif-m2', afi: 'ipv4', direction: 'received' }), 0.75);
  t.equal(value(m, 'rovd_prefix_limit', { vif: 'dxvif-m2', afi: 'ipv4', direction: 'received' }), 4);
  t.equal(value(m, 'rovd_detections', { kind: 'rpki-invalid' }), 1);
  t.ok(value(m, 'process_resident_memory_bytes')! > 0, 'process defaults, standard names');
  t.ok(m.has('nodejs_eventloop_lag_seconds'));
});

t.test('BMP counts continue across a reconnect; stale routes show while the router is away', async (t) => {
  const p = await daemonWithTraffic(t);
  const rm = async () => value(parseExposition(await p.metrics.render()), 'rovd_bmp_messages_total', { router: '127.0.0.1', type: 'route_monitoring' });
  t.equal(await rm(), 7);
  p.router.destroy();
  await p.until(() => p.daemon.station.routers().length === 0, 'router gone');
  let m = parseExposition(await p.metrics.render());
  t.equal(value(m, 'rovd_bmp_sessions'), 0);
  t.equal(value(m, 'rovd_bmp_messages_total', { router: '127.0.0.1', type: 'route_monitoring' }), 7, 'kept after the session ended');
  t.equal(value(m, 'rovd_routes_stale', { vif: 'dxvif-m1', afi: 'ipv4' }), 3);
  t.equal(m.get('rovd_bmp_peers')!.samples.length, 0, 'no peers of a router not connected');

  const again = connect(p.bmpPort, '127.0.0.1');
  t.teardown(() => again.destroy());
  await new Promise((r) => again.once('connect', r));
  again.write(Buffer.concat([peerUp(PEER), update(PEER, ['10.5.0.0/16'], [7224])]));
  await p.until(() => p.daemon.rib.count(4) === 8, 'the new route', FIRST_ROUTES_MS);
  t.equal(await rm(), 8, 'one more on top of the ended session\'s seven');
});

t.test('several registries on one daemon; close() stops listening and empties the registry', async (t) => {
  const p = await daemonWithTraffic(t);
  const second = createMetrics(p.daemon, { defaultMetrics: false });
  const text = await second.render();
  t.notMatch(text, /^process_/m, 'no process defaults when turned off');
  t.match(text, /^rovd_routes\{vif="dxvif-m1"/m);
  second.close();
  second.close(); // idempotent
  t.equal((await second.render()).trim(), '', 'empty after close');
  t.match(await p.metrics.render(), /^rovd_routes\{/m, 'the other one is unaffected');
});
