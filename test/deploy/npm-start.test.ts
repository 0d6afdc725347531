/**
 * The daemon started exactly as README.md says: `npm start` (which builds
 * first), on the default config/rovd.yaml. Only the listen addresses and
 * the store move, through the documented ROVD_… environment overrides, so
 * the test does not collide with a rovd already running on the machine.
 * It answers on the API, prints where everything is, and stops cleanly on
 * Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { REPO_ROOT } from '../helpers/corpus.js';

t.test('npm start runs the daemon on the default config', async (t) => {
  const store = await mkdtemp(join(tmpdir(), 'rovd-npm-start-'));
  const child = spawn('npm', ['start', '--silent'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ROVD_BMP__LISTEN: '127.0.0.1:0', ROVD_HTTP__LISTEN: '127.0.0.1:0', ROVD_STORE__DIR: store },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, as a shell gives a foreground job: Ctrl-C signals npm and node together.
    detached: true,
  });
  t.teardown(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const started = Date.now();
  while (!/rovd: running\. BMP on 127\.0\.0\.1:\d+, API and \/metrics on http:\/\/127\.0\.0\.1:\d+/.test(err)) {
    if (Date.now() - started > 180_000 || child.exitCode !== null) throw new Error(`npm start did not come up:\n${err}\n${out.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const api = /API and \/metrics on (http:\/\/127\.0\.0\.1:\d+)/.exec(err)![1]!;
  t.match(err, new RegExp(`store ${store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 'it says where the store is');
  t.match(err, /config .*config\/rovd\.yaml/, 'and which config it runs');
  t.same(await (await fetch(`${api}/healthz`)).json(), { status: 'ok' });
  t.equal((await fetch(`${api}/readyz`)).status, 200, 'ready: the sample VRPs are loaded');
  t.match(out, /"msg":"rovd: running"/, 'JSON logs on standard output');
  // Ctrl-C in the terminal: SIGINT to the foreground group (npm and node); rovd drains and exits 0.
  process.kill(-child.pid!, 'SIGINT');
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  // npm reports the interrupt as its own status (130 or the signal); rovd's clean stop is in its log.
  t.ok(code === 0 || code === 130 || code === null, `npm exited (${code})`);
  t.match(out, /"msg":"rovd: stopped"/, 'rovd stopped cleanly');
});
