/**
 * A real Daemon on loopback that has seen some traffic, for the metrics
 * tests: VRPs from a file, two VIFs (one with a received-prefix limit) and
 * an unmapped peer, a webhook sink, and over BMP: Peer Ups, valid,
 * invalid and not-found routes, a withdrawal, and one malformed UPDATE
 * (dropped, counted as a parse error); an RTR cache (a scripted fake)
 * that serves one IPv6 VRP, then sends a malformed PDU (the session ends
 * and reconnects). Hold-downs are zero, so the invalid route fires an
 * alert and a notification is delivered. With `aws`, Direct Connect's API
 * too (a local fake serving test/fixtures/aws): four VIFs discovered and
 * their routes polled, after the BMP traffic.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { parseConfig } from '../../src/config/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { createMetrics, type RovdMetrics } from '../../src/metrics/metrics.js';
import { BGP_UPDATE, bgp, bmp, cat, openBody, peerUpBody, perPeer, u8, updateBody } from '../bmp/helpers/build.js';
import { FakeDirectConnect, useFakeCredentials } from '../helpers/fake-direct-connect.js';
import { startReceiver } from '../helpers/receiver.js';
import { endOfData, FakeCache, prefixPdu } from '../rtr/helpers/fake-cache.js';
import { until as pollUntil } from '../helpers/until.js';

export const PEER = { address: '169.254.0.1', asn: 7224, bgpId: '10.0.0.1' };
export const TGW = { address: '169.254.9.1', asn: 7224, bgpId: '10.0.0.9' };
export const STRANGER = { address: '198.51.100.7', asn: 64999, bgpId: '10.0.0.7' };
type PeerFields = typeof PEER;

export const peerUp = (p: PeerFields) => bmp(3, cat(perPeer(p), peerUpBody(openBody({ asn: 65000 }), openBody({ asn: p.asn }))));
export const update = (p: PeerFields, nlri: string[], asPath: number[], withdrawn: string[] = []) => bmp(0, cat(perPeer(p), bgp(BGP_UPDATE, updateBody({ nlri, asPath, withdrawn }))));
/** An UPDATE whose path attributes claim 50 bytes that are not there: the message is dropped, the stream goes on. */
export const brokenUpdate = (p: PeerFields) => bmp(0, cat(perPeer(p), bgp(BGP_UPDATE, Buffer.from([0, 0, 0, 50]))));
export const peerDown = (p: PeerFields) => bmp(2, cat(perPeer(p), u8(2), Buffer.from([0, 0])));

export interface Traffic {
  readonly daemon: Daemon;
  readonly metrics: RovdMetrics;
  readonly router: Socket;
  readonly bmpPort: number;
  readonly cache: FakeCache;
  /** Resolves once `check` holds (polled, bounded). */
  until(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
}

/**
 * The daemon decodes BMP on a worker thread per router session; under
 * tap's TypeScript loader a new worker takes seconds to start (about 3.5 s
 * measured here, more when test files run in parallel), so the first
 * routes of a session get a generous bound.
 */
export const FIRST_ROUTES_MS = 30_000;

/** The shared poller (test/helpers/until.ts) with this file's bound. */
export const until = (check: () => boolean, what: string, timeoutMs = 8000): Promise<void> => pollUntil(check, what, timeoutMs);

/** Starts the daemon and its metrics, sends the traffic, waits for it to be ingested, alerted and delivered. */
export async function daemonWithTraffic(t: Test, options: { readonly aws?: boolean } = {}): Promise<Traffic> {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-metrics-'));
  let awsSection = '';
  if (options.aws === true) {
    const fake = await FakeDirectConnect.start();
    fake.loadFixtures();
    t.teardown(() => fake.close());
    useFakeCredentials();
    awsSection = `aws: { directConnect: { regions: [us-east-1], endpoint: "${fake.url}", requestsPerSecond: 50 } }\n`;
  }
  await writeFile(join(dir, 'vrps.json'), JSON.stringify({ roas: [{ asn: 'AS7224', prefix: '10.0.0.0/8', maxLength: 16, ta: 'test' }] }));
  const hook = await startReceiver(t);
  const cache = await FakeCache.start();
  t.teardown(() => cache.stop());
  const yaml = `
rpki:
  files: [vrps.json]
  rtr: [{ name: fake, address: "127.0.0.1:${cache.port}", retrySeconds: 1 }]
bmp: { listen: "127.0.0.1:0", allow: [127.0.0.0/8], decodeThread: false }   # in-thread: no decoder thread start under the test loader
vifs:
  - id: dxvif-m1
    type: private
    router: 127.0.0.1
    peers: [{ address: ${PEER.address}, asn: 7224 }]
    awsPrefixes: [10.0.0.0/8]
  - id: dxvif-m2
    type: transit
    router: 127.0.0.1
    peers: [{ address: ${TGW.address}, asn: 7224 }]
    receivedLimit: 4
alerts:
  holdDown: { fireSeconds: 0, resolveSeconds: 0 }
  grouping: { waitSeconds: 0, intervalSeconds: 1 }
  sinks:
    - { name: hook, type: webhook, url: "${hook.url}/hook" }
${awsSection}`;
  const config = parseConfig(yaml, join(dir, 'rovd.yaml'));
  const daemon = new Daemon({ config, summaryIntervalMs: 0, alertTickMs: 20, detectionTickMs: 50 });
  const metrics = createMetrics(daemon, { version: '0.0.0-test' });
  const { bmp: where } = await daemon.start();
  const router = connect(where.port, '127.0.0.1');
  await new Promise((r) => router.once('connect', r));
  t.teardown(async () => {
    router.destroy();
    metrics.close();
    await daemon.stop();
  });
  router.write(
    cat(
      peerUp(PEER),
      update(PEER, ['10.1.0.0/16'], [7224]), // valid
      update(PEER, ['10.1.1.0/24'], [7224]), // invalid: longer than maxLength 16
      update(PEER, ['10.9.0.0/16', '10.8.0.0/16'], [7224], []),
      update(PEER, [], [], ['10.8.0.0/16']), // withdrawn again
      peerUp(TGW),
      update(TGW, ['10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/16'], [7224]), // 3 of 4: prefix-limit warning
      peerUp(STRANGER),
      update(STRANGER, ['192.0.2.0/24'], [64999]), // not-found, unmapped
      brokenUpdate(PEER),
    ),
  );
  await until(() => daemon.rib.tables().filter((x) => x.router !== 'aws-api').reduce((n, x) => n + x.size, 0) === 7, 'routes ingested', FIRST_ROUTES_MS);
  await until(() => daemon.detection.prefixLimitUsage.length > 0, 'prefix limits measured');
  await until(() => (daemon.outbox?.stats().sinks.hook?.delivered ?? 0) > 0, 'a notification delivered');

  await cache.waitFor(1);
  cache.send({ type: 3, version: 2, sessionId: 9 }, prefixPdu(2, true, '2001:db8::/32', 48, 7224), endOfData(2, 9, 5));
  const rtr = () => daemon.feed.status().rtr[0]!;
  await until(() => rtr().serial === 5, 'RTR data in');
  // An IPv4 Prefix PDU 9 bytes long (RFC 8210 §5.6 says 20): the session reports it and reconnects.
  cache.sendRaw(Buffer.from([2, 4, 0, 0, 0, 0, 0, 9, 0]));
  await until(() => Object.keys(rtr().errors).length > 0, 'RTR error counted');
  if (daemon.directConnect !== undefined) {
    await daemon.directConnect.discoverNow();
    await daemon.directConnect.pollNow();
  }
  return { daemon, metrics, router, bmpPort: where.port, cache, until };
}
