/**
 * Disk full, for real: the store on a tiny tmpfs that the test fills. The
 * daemon keeps running and ingesting, raises `store-write-failed` while
 * journal writes fail, and clears it once space is back and writes
 * succeed. Needs root to mount the tmpfs (CI runs as root here); skipped
 * otherwise.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseConfig } from '../../src/config/config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { BGP_UPDATE, bgp, bmp, cat, openBody, peerUpBody, perPeer, updateBody } from '../bmp/helpers/build.js';
import { until as pollUntil } from '../helpers/until.js';
import { startWithRouter } from '../helpers/daemon-router.js';

const PEER = { address: '169.254.0.1', asn: 7224, bgpId: '10.0.0.1' };
const update = (nlri: string[]) => bmp(0, cat(perPeer(PEER), bgp(BGP_UPDATE, updateBody({ nlri, asPath: [7224] }))));

/** The shared poller (test/helpers/until.ts) with this file's bound. */
const until = (check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => pollUntil(check, what, timeoutMs, 20);

t.test('a full disk is logged, alerted and survived', async (t) => {
  if (process.getuid?.() !== 0) return t.plan(0, 'skipped: needs root to mount a tmpfs');
  const dir = await mkdtemp(join(tmpdir(), 'rovd-disk-full-'));
  const store = join(dir, 'store');
  execFileSync('mkdir', ['-p', store]);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', store]);
  } catch (err) {
    return t.plan(0, `skipped: cannot mount a tmpfs: ${(err as Error).message}`);
  }
  t.teardown(() => execFileSync('umount', ['-l', store]));
  await writeFile(join(dir, 'vrps.json'), JSON.stringify({ roas: [{ asn: 'AS7224', prefix: '10.0.0.0/8', maxLength: 16, ta: 'test' }] }));
  const config = parseConfig(
    `
rpki: { files: [vrps.json] }
bmp: { listen: "127.0.0.1:0", allow: [127.0.0.0/8], decodeThread: false }
store: { dir: store, keepVrpSets: 1 }
vifs: [{ id: dxvif-d1, type: private, router: 127.0.0.1, peers: [{ address: ${PEER.address}, asn: 7224 }] }]
alerts:
  holdDown: { fireSeconds: 0, resolveSeconds: 0 }
  grouping: { waitSeconds: 0, intervalSeconds: 1 }
  sinks: [{ name: hook, type: webhook, url: "http://127.0.0.1:9/hook", timeoutSeconds: 1 }]
`,
    join(dir, 'rovd.yaml'),
  );
  const daemon = new Daemon({ config, summaryIntervalMs: 0, alertTickMs: 20 });
  const { router } = await startWithRouter(t, daemon);
  daemon.checkStore();
  t.equal(daemon.alerts.alerts({ type: 'store-write-failed' }).length, 0, 'healthy at start');

  // Fill the disk, then make rovd write: alerts and notifications.
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${join(store, 'filler')}`, 'bs=4k', 'count=1000'], { stdio: 'ignore' });
  } catch {
    // dd stops at ENOSPC: the disk is full, which is the point.
  }
  router.write(cat(bmp(3, cat(perPeer(PEER), peerUpBody(openBody({ asn: 65000 }), openBody({ asn: 7224 })))), update(['10.1.1.0/24', '10.1.2.0/24'])));
  await until(() => daemon.rib.count() === 2, 'ingestion goes on with the disk full');
  await until(() => (daemon.outbox!.stats().journalErrors ?? 0) + (daemon.alertState?.stats().journalErrors ?? 0) > 0, 'a journal write failed');
  daemon.checkStore();
  const failed = daemon.alerts.alerts({ type: 'store-write-failed' });
  t.ok(failed.length >= 1, 'store-write-failed raised');
  t.match(failed[0]!.summary, /rovd cannot write its (outbox|alerts) journal/);
  t.equal(failed[0]!.severity, 'critical');

  // Space is back: writes succeed again and the alert clears.
  await rm(join(store, 'filler'));
  router.write(update(['10.1.3.0/24']));
  await until(() => daemon.rib.count() === 3, 'more routes');
  await new Promise((r) => setTimeout(r, 11_000)); // the alert journal rewrites itself within 10 s
  daemon.checkStore();
  daemon.checkStore();
  await until(() => daemon.alerts.alerts({ type: 'store-write-failed', status: ['firing', 'pending'] }).length === 0, 'cleared once writes succeed');
  t.pass('store-write-failed resolved');
});
