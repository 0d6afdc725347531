import { mkdtemp, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { runRovd } from '../helpers/rovd.js';

/** Runs `rovd run …` until `stop` resolves, reading its JSON log lines as they come. */
function startRun(args: readonly string[], extra: { env?: NodeJS.ProcessEnv; onReload?: (listener: () => void) => () => void } = {}) {
  const stdout = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  stdout.setEncoding('utf8').on('data', (s: string) => {
    buffered += s;
    for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
      lines.push(JSON.parse(buffered.slice(0, i)) as Record<string, unknown>);
      buffered = buffered.slice(i + 1);
    }
  });
  const shutdown = new AbortController();
  const done = runRovd(['run', ...args], { stdout, shutdown: shutdown.signal, ...extra });
  const waitFor = async (msg: string, timeoutMs = 15_000): Promise<Record<string, unknown>> => {
    const started = Date.now();
    for (;;) {
      const found = lines.find((l) => l.msg === msg);
      if (found) return found;
      if (Date.now() - started > timeoutMs) throw new Error(`no log line "${msg}"; got ${JSON.stringify(lines.map((l) => l.msg))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { lines, waitFor, stop: () => shutdown.abort('test'), done };
}

t.test('rovd run starts on the built-in config, accepts a router, serves the API, and stops on the shutdown signal', async (t) => {
  const run = startRun(['--bmp', '127.0.0.1:0', '--http', '127.0.0.1:0']);
  const running = await run.waitFor('rovd: running');
  const api = (await run.waitFor('http: API listening')).url as string;
  t.match(api, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.same(await (await fetch(`${api}/healthz`)).json(), { status: 'ok' });
  const validity = (await (await fetch(`${api}/api/v1/validity/AS13335/1.1.1.0/24`)).json()) as { validated_route: { validity: { state: string } } };
  t.ok(['valid', 'invalid', 'not-found'].includes(validity.validated_route.validity.state), 'a validity look-up against the sample VRPs');
  const metrics = await (await fetch(`${api}/metrics`)).text();
  t.match(metrics, /rovd_build_info/);
  t.match(metrics, /process_cpu_user_seconds_total/);
  t.match(running, { level: 'info', service: 'rovd', vrps: 5000, vifs: 0 }, 'the bundled sample VRPs are loaded');
  const port = (running.bmp as { port: number }).port;
  t.ok(port > 0);
  // A router connects and sends BMP Initiation (sysName "r1").
  const socket = connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  socket.write(Buffer.from([3, 0, 0, 0, 12, 4, 0, 2, 0, 2, 0x72, 0x31]));
  t.match(await run.waitFor('bmp: router initiated'), { sysName: 'r1' });
  socket.destroy();
  t.match(await run.waitFor('bmp: router session ended; its routes are stale for the grace period'), { level: 'warn' });
  run.stop();
  const result = await run.done;
  t.equal(result.code, 0);
  t.ok(run.lines.some((l) => l.msg === 'rovd: stopped'), 'stopped cleanly');
});

t.test('rovd run: config and usage errors', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-run-'));
  const bad = join(dir, 'rovd.yaml');
  await writeFile(bad, 'vifs:\n  - id: dxvif-a\n    type: private\n    router: 10.0.0.1\n    peers: [{address: 10.0.0.2, asn: 1}]\n    prefixLimit: lots\n');
  const r1 = await runRovd(['run', '--config', bad]);
  t.equal(r1.code, 1);
  t.equal(r1.err, `rovd run: ${bad}:6:18: vifs[0].prefixLimit: expected an integer from 1 to 10000000, got "lots"\n`);
  const r2 = await runRovd(['run', '--config', join(dir, 'missing.yaml')]);
  t.equal(r2.code, 1);
  t.match(r2.err, /missing\.yaml: cannot read the file: ENOENT/);
  t.equal((await runRovd(['run', '--log-level', 'loud'])).code, 2);
  t.equal((await runRovd(['run', '--bmp', 'nope'])).code, 2);
  t.equal((await runRovd(['run', 'extra'])).code, 2);
  const help = await runRovd(['run', '--help']);
  t.equal(help.code, 0);
  t.match(help.out, /Usage: rovd run \[--config FILE\]/);
  // A port already taken: the daemon cannot start, says so, exits 1.
  t.equal((await runRovd(['run', '--http', '1.2.3'])).code, 2);
  const holder = startRun(['--bmp', '127.0.0.1:0', '--http', '127.0.0.1:0']);
  const port = ((await holder.waitFor('rovd: running')).bmp as { port: number }).port;
  const clash = await runRovd(['run', '--bmp', `127.0.0.1:${port}`, '--http', '127.0.0.1:0', '--log-level', 'silent']);
  t.equal(clash.code, 1);
  t.match(clash.err, /EADDRINUSE/);
  holder.stop();
  t.equal((await holder.done).code, 0);
});

t.test('rovd run: SIGHUP reloads the config file; a bad edit is refused and the running config kept; the environment and --store apply', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-run-reload-'));
  const file = join(dir, 'rovd.yaml');
  const vif = (id: string) => `vifs:\n  - { id: ${id}, type: private, router: 192.0.2.1, peers: [{ address: 169.254.0.1, asn: 7224 }] }\n`;
  await writeFile(file, `bmp: { listen: "127.0.0.1:1", decodeThread: false }\n${vif('dxvif-one')}`);
  const reloads: (() => void)[] = [];
  const run = startRun(['--config', file, '--http', '127.0.0.1:0', '--store', join(dir, 'state')], {
    env: { ROVD_BMP__LISTEN: '127.0.0.1:0' },
    onReload: (l) => {
      reloads.push(l);
      return () => reloads.splice(reloads.indexOf(l), 1);
    },
  });
  const running = await run.waitFor('rovd: running');
  t.match(running, { vifs: 1 });
  t.ok((running.bmp as { port: number }).port > 1, 'ROVD_BMP__LISTEN overrode the file');
  // rovd subscribes to reloads once it is fully up (after the API): wait for it, as a signal sent earlier would find no handler.
  for (let i = 0; reloads.length === 0; i++) {
    if (i > 500) throw new Error('rovd run never subscribed to reloads');
    await new Promise((r) => setTimeout(r, 20));
  }
  await writeFile(file, `bmp: { listen: "127.0.0.1:1", decodeThread: false }\n${vif('dxvif-one')}${vif('dxvif-two').replace('vifs:\n', '').replace('169.254.0.1', '169.254.0.2')}`);
  reloads[0]!();
  t.match(await run.waitFor('rovd: config reloaded'), { vifs: 2, restartNeeded: [] });
  await writeFile(file, 'vifs: [{ id: bad }]\n');
  reloads[0]!();
  t.match(await run.waitFor('rovd: reload refused; the running config stays'), { level: 'error', err: /vifs\[0\]/ });
  run.stop();
  t.equal((await run.done).code, 0);
  const { readdir } = await import('node:fs/promises');
  t.ok((await readdir(join(dir, 'state'))).length > 0, '--store: the state directory was used');
});
