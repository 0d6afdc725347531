/**
 * Config reload (what SIGHUP does) while a router streams BMP: VIFs, own
 * prefixes, detection settings, routing and sinks change; the BMP session
 * stays up; alerts the new config no longer supports resolve and ones it
 * now supports fire from the routes already held. Drain on stop delivers
 * what the outbox holds.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig } from '../../src/config/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { BGP_UPDATE, bgp, bmp, cat, openBody, peerUpBody, perPeer, updateBody } from '../bmp/helpers/build.js';
import { startReceiver } from '../helpers/receiver.js';
import { until } from '../helpers/until.js';
import { startWithRouter } from '../helpers/daemon-router.js';

const PEER = { address: '169.254.0.1', asn: 7224, bgpId: '10.0.0.1' };
const peerUp = () => bmp(3, cat(perPeer(PEER), peerUpBody(openBody({ asn: 65000 }), openBody({ asn: 7224 }))));
const update = (nlri: string[], asPath: number[]) => bmp(0, cat(perPeer(PEER), bgp(BGP_UPDATE, updateBody({ nlri, asPath }))));

const yaml = (awsPrefixes: string, extra = '') => `
rpki: { files: [vrps.json] }
bmp: { listen: "127.0.0.1:0", allow: [127.0.0.0/8], decodeThread: false }
store: { dir: state }
vifs:
  - { id: dxvif-r1, type: private, router: 127.0.0.1, peers: [{ address: ${PEER.address}, asn: 7224 }], awsPrefixes: [${awsPrefixes}] }
alerts:
  holdDown: { fireSeconds: 0, resolveSeconds: 0 }
  grouping: { waitSeconds: 0, intervalSeconds: 1 }
${extra}`;

t.test('reload while a BMP session streams: alerts follow the new config, the session stays', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-reload-'));
  await writeFile(join(dir, 'vrps.json'), JSON.stringify({ roas: [{ asn: 'AS7224', prefix: '10.0.0.0/8', maxLength: 24, ta: 'test' }] }));
  const file = join(dir, 'rovd.yaml');
  const daemon = new Daemon({ config: parseConfig(yaml('10.0.0.0/8'), file), summaryIntervalMs: 0, alertTickMs: 20, detectionTickMs: 50 });
  const { router } = await startWithRouter(t, daemon);
  router.write(cat(peerUp(), update(['10.1.0.0/16'], [7224]), update(['172.16.0.0/16'], [7224]), update(['198.51.100.0/24'], [7224, 64666])));
  await until(() => daemon.alerts.alerts({ status: 'firing', type: 'unexpected-prefix' }).length === 2, 'two prefixes outside the AWS ranges');

  const hook = await startReceiver(t);
  const next = parseConfig(
    yaml('10.0.0.0/8, 172.16.0.0/12', `ownPrefixes:\n  - { prefix: 198.51.100.0/24, origins: [64500] }\n  sinks: []\n`).replace(
      'alerts:\n',
      `alerts:\n  sinks: [{ name: hook, type: webhook, url: "${hook.url}/hook" }]\n`,
    ).replace('  sinks: []\n', ''),
    file,
  );
  const outcome = daemon.reload(next);
  t.same(outcome.restartNeeded, [], 'nothing that needs a restart changed');
  t.ok(outcome.rescanned >= 3, 'held routes re-checked');
  t.equal(outcome.cleared, 1, 'the prefix now inside the AWS ranges: its alert cleared');
  await until(() => daemon.alerts.alerts({ status: 'firing', type: 'origin-hijack' }).length === 1, 'the new own prefix finds a hijack among held routes');
  t.same(daemon.alerts.alerts({ status: 'firing', type: 'unexpected-prefix' }).map((a) => a.labels.prefix), ['198.51.100.0/24']);
  t.equal(daemon.station.routers().length, 1, 'the BMP session stayed up');

  // The stream goes on under the new config; the new sink gets notifications.
  router.write(update(['192.0.2.0/24'], [7224]));
  await until(() => daemon.rib.count() === 4, 'a route after the reload');
  await until(() => daemon.alerts.alerts({ status: 'firing', type: 'unexpected-prefix' }).length === 2, 'checked with the new VIF policy');
  await hook.waitFor(1);
  t.ok(hook.requests.length >= 1, 'the sink added by the reload delivers');

  const moved = parseConfig(yaml('10.0.0.0/8').replace('"127.0.0.1:0"', '"127.0.0.1:1"'), file);
  t.same(daemon.reload(moved).restartNeeded, ['bmp'], 'a listen change needs a restart and is not applied');
  t.equal(daemon.config.bmp.port, 0);
});

t.test('stop with a drain delivers what the outbox holds', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-drain-'));
  await writeFile(join(dir, 'vrps.json'), JSON.stringify({ roas: [{ asn: 'AS7224', prefix: '10.0.0.0/8', maxLength: 16, ta: 'test' }] }));
  // The receiver answers slowly: the notification is in flight when stop begins.
  const hook = await startReceiver(t, ['hang']);
  const config = parseConfig(yaml('10.0.0.0/8', '').replace('alerts:\n', `alerts:\n  sinks: [{ name: hook, type: webhook, url: "${hook.url}/hook", timeoutSeconds: 1 }]\n  delivery: { backoffBaseSeconds: 1, backoffCapSeconds: 1 }\n`), join(dir, 'rovd.yaml'));
  const daemon = new Daemon({ config, summaryIntervalMs: 0, alertTickMs: 20 });
  const { bmp: where } = await daemon.start();
  const router = connect(where.port, '127.0.0.1');
  await new Promise((r) => router.once('connect', r));
  router.write(cat(peerUp(), update(['10.1.1.0/24'], [7224])));
  await hook.waitFor(1);
  hook.replies = [{ status: 200 }];
  router.destroy();
  const started = Date.now();
  await daemon.stop({ drainMs: 5000 });
  t.equal(daemon.outbox!.stats().pending, 0, 'drained: the retry after the timeout was delivered');
  t.ok(hook.requests.length >= 2);
  t.ok(Date.now() - started < 5000, 'within the drain time');
});
