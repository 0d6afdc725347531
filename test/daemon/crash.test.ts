/**
 * The crash proof: `rovd run` in a child process (node with tap's
 * TypeScript loader, as the test runs), routes over BMP so alerts fire and
 * resolve continuously, a webhook sink at a receiver in this test. The
 * child is SIGKILLed mid-flow and started again on the same store
 * directory. Checked after the restart:
 * - every alert the alert journal held at the kill is served by
 *   GET /api/v1/alerts (same id; firing ones still firing or later);
 * - every notification the outbox journal held at the kill reached the
 *   receiver at least once;
 * - duplicates (by the Idempotency-Key header) are counted and reported;
 *   no notification id of the first run is reused for different content.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import t, { type Test } from 'tap';
import { foldAlertJournal } from '../../src/alerts/persistence.js';
import { checkMagic, scanFrames } from '../../src/store/journal-frame.js';
import { BGP_UPDATE, bgp, bmp, cat, openBody, peerUpBody, perPeer, updateBody } from '../bmp/helpers/build.js';
import { startReceiver } from '../helpers/receiver.js';
import { until as pollUntil } from '../helpers/until.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LOADER = new URL('node_modules/@tapjs/typescript/dist/esm/import.mjs', `file://${ROOT}`).href;
const PEER = { address: '169.254.0.1', asn: 7224, bgpId: '10.0.0.1' };
const peerUp = () => bmp(3, cat(perPeer(PEER), peerUpBody(openBody({ asn: 65000 }), openBody({ asn: 7224 }))));
const update = (nlri: string[], asPath: number[], withdrawn: string[] = []) => bmp(0, cat(perPeer(PEER), bgp(BGP_UPDATE, updateBody({ nlri, asPath, withdrawn }))));

interface Child {
  proc: ChildProcess;
  lines: Record<string, unknown>[];
  waitFor(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

function startChild(t: Test, config: string): Child {
  const proc = spawn(process.execPath, [`--import=${LOADER}`, join(ROOT, 'src/cli/main.ts'), 'run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  t.teardown(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => {
    buffered += s;
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      try {
        lines.push(JSON.parse(buffered.slice(0, i)) as Record<string, unknown>);
      } catch {
        // not a log line
      }
      buffered = buffered.slice(i + 1);
    }
  });
  let err = '';
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  return {
    proc,
    lines,
    async waitFor(msg, timeoutMs = 60_000) {
      const started = Date.now();
      for (;;) {
        const found = lines.find((l) => l.msg === msg);
        if (found) return found;
        if (proc.exitCode !== null) throw new Error(`rovd exited ${proc.exitCode}: ${err}`);
        if (Date.now() - started > timeoutMs) throw new Error(`no log line "${msg}"; stderr: ${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

async function journalRecords(path: string): Promise<unknown[]> {
  const bytes = await readFile(path);
  if (checkMagic(bytes) !== 'ok') return [];
  // As the next start reads it: a torn tail (the kill during a write) is not a record.
  return scanFrames(bytes).records.map((r) => r.value);
}

/** The shared poller (test/helpers/until.ts) with this file's bound. */
const until = (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> => pollUntil(check, what, timeoutMs, 50);

async function routerFeed(port: number, seq: { n: number }): Promise<{ socket: Socket; stop: () => void }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  socket.on('error', () => undefined);
  socket.write(peerUp());
  // Every 15 ms: an invalid /24 (too specific for the VRP) from one of 12 origins (a group each); every third a withdraw of an older one.
  const timer = setInterval(() => {
    const i = seq.n++;
    const prefix = `10.${(i >> 8) & 255}.${i & 255}.0/24`;
    const withdrawn = i % 3 === 2 ? [`10.${((i - 20) >> 8) & 255}.${(i - 20) & 255}.0/24`] : [];
    socket.write(update([prefix], [7224, 64500 + (i % 12)], i >= 20 ? withdrawn : []));
  }, 15);
  return { socket, stop: () => (clearInterval(timer), socket.destroy()) };
}

t.test('SIGKILL mid-flow, restart on the same store: recorded alerts are back, recorded notifications delivered at least once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-crash-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const hook = await startReceiver(t);
  await writeFile(join(dir, 'vrps.json'), JSON.stringify({ roas: [{ asn: 'AS64500', prefix: '10.0.0.0/8', maxLength: 16, ta: 'test' }] }));
  const config = join(dir, 'rovd.yaml');
  await writeFile(
    config,
    `
rpki: { files: [vrps.json] }
bmp: { listen: "127.0.0.1:0", allow: [127.0.0.0/8], decodeThread: false }
http: { listen: "127.0.0.1:0" }
store: { dir: state }
log: { level: info }
alerts:
  holdDown: { fireSeconds: 0, resolveSeconds: 0 }
  grouping: { waitSeconds: 0, intervalSeconds: 1 }
  delivery: { backoffBaseSeconds: 1, backoffCapSeconds: 2 }
  sinks:
    - { name: hook, type: webhook, url: "${hook.url}/hook", secret: crash-test-secret-0123456789 }
`,
  );
  const seq = { n: 0 };

  // --- first run, killed mid-flow ---------------------------------------------------------
  const first = startChild(t, config);
  const running = await first.waitFor('rovd: running');
  const feed = await routerFeed((running.bmp as { port: number }).port, seq);
  await until(() => hook.requests.length >= 15, 'fifteen notifications in the first run');
  first.proc.kill('SIGKILL');
  await new Promise((r) => first.proc.once('exit', r));
  feed.stop();
  const receivedBeforeKill = hook.requests.length;
  const keysBeforeKill = new Set(hook.requests.map((r) => r.headers['idempotency-key'] as string));

  const alertRecords = await journalRecords(join(dir, 'state', 'alerts.journal'));
  const recordedAlerts = foldAlertJournal(alertRecords).snapshot.alerts.map((r) => r.alert);
  const outboxRecords = (await journalRecords(join(dir, 'state', 'outbox.journal'))) as { kind: string; notification?: { id: string } }[];
  const recordedIds = new Set(outboxRecords.filter((r) => r.kind === 'enqueued').map((r) => r.notification!.id));
  const deliveredRecorded = new Set(outboxRecords.filter((r) => r.kind === 'delivered').map((r) => (r as unknown as { id: string }).id));
  // Received, but the record of it was not durable yet: these are the ones at-least-once may send again.
  const mayRepeat = [...keysBeforeKill].filter((id) => !deliveredRecorded.has(id));
  t.ok(recordedAlerts.length > 10, `${recordedAlerts.length} alerts recorded at the kill (${recordedAlerts.filter((a) => a.status === 'firing').length} firing)`);
  t.ok(recordedIds.size > 10, `${recordedIds.size} notifications recorded at the kill, ${receivedBeforeKill} requests received`);

  // --- second run on the same store --------------------------------------------------------
  const restarted = Date.now();
  const second = startChild(t, config);
  const running2 = await second.waitFor('rovd: running');
  const api = (await second.waitFor('http: API listening')).url as string;
  const restored = second.lines.find((l) => l.msg === 'alerts: state restored from the journal');
  t.ok(restored, 'the alert state was restored');
  t.comment(`restart to running: ${Date.now() - restarted} ms (child under the TypeScript loader); restore: ${JSON.stringify(restored)}`);

  const served = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const res = (await (await fetch(`${api}/api/v1/alerts?limit=1000${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { items: { id: string; status: string }[]; next?: string };
    for (const a of res.items) served.set(a.id, a.status);
    cursor = res.next;
  } while (cursor !== undefined);
  const missing = recordedAlerts.filter((a) => !served.has(a.id));
  t.same(missing.map((a) => a.id), [], `every recorded alert is served after the restart (${served.size} served)`);
  const regressed = recordedAlerts.filter((a) => a.status === 'firing' && served.get(a.id) === 'pending');
  t.same(regressed.map((a) => a.id), [], 'no firing alert went back to pending');

  // Routes keep coming on the new run (the router reconnects), so the flow goes on.
  const feed2 = await routerFeed((running2.bmp as { port: number }).port, seq);
  // A recorded notification still waiting when a newer one of its group arrives is superseded by it (src/alerts/outbox.ts):
  // under load the second run's first notifications can come before the old ones go out. Superseded is recorded, not lost.
  const superseded = new Set<string>();
  await until(async () => {
    const got = new Set(hook.requests.map((r) => r.headers['idempotency-key'] as string));
    for (const r of (await journalRecords(join(dir, 'state', 'outbox.journal'))) as { kind: string; id?: string }[]) if (r.kind === 'superseded') superseded.add(r.id!);
    return [...recordedIds].every((id) => got.has(id) || superseded.has(id));
  }, 'every recorded notification delivered or superseded by a newer one of its group');
  t.comment(`recorded notifications superseded in the second run: ${[...recordedIds].filter((id) => superseded.has(id)).length}`);
  await until(() => hook.requests.length >= receivedBeforeKill + 5, 'new notifications in the second run');
  feed2.stop();
  second.proc.kill('SIGTERM');
  await new Promise((r) => second.proc.once('exit', r));

  const byKey = new Map<string, string[]>();
  for (const r of hook.requests) {
    const key = r.headers['idempotency-key'] as string;
    byKey.set(key, [...(byKey.get(key) ?? []), r.body]);
  }
  const duplicates = [...byKey.values()].filter((bodies) => bodies.length > 1);
  // The same content (a body resent from the journal has its keys in DAG-CBOR order, so compare parsed).
  const conflicting = duplicates.filter((bodies) => bodies.some((b) => !isDeepStrictEqual(JSON.parse(b), JSON.parse(bodies[0]!))));
  t.same(conflicting.length, 0, 'a repeated idempotency key always carries the same notification (no id reused)');
  t.comment(`received ${hook.requests.length} requests for ${byKey.size} notifications: ${duplicates.length} delivered more than once (${duplicates.reduce((n, b) => n + b.length - 1, 0)} extra requests), ${recordedIds.size} recorded at the kill`);
  const repeatedKeys = [...byKey].filter(([, bodies]) => bodies.length > 1).map(([key]) => key);
  t.same(repeatedKeys.filter((k) => !mayRepeat.includes(k)), [], `only notifications received before the kill whose delivery was not yet recorded are repeated (${repeatedKeys.length} of ${mayRepeat.length} such)`);
});
