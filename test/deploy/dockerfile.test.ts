/**
 * The Dockerfile, checked without a container engine (none runs on the
 * development machines or in CI): its stages, user, volume, ports,
 * health check and command, that everything it copies is in the repo and
 * in the build context; then the image's command itself, outside a
 * container: dist/ built by the build stage's command into an app folder
 * laid out like /opt/rovd, deploy/rovd/rovd.yaml (the image's
 * /etc/rovd/rovd.yaml) with its store and ports moved into the test's
 * folder, `node dist/cli/main.js run --config FILE` started as a child
 * process, the HEALTHCHECK command run against it, SIGTERM, exit code 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parseDocument, parse as parseYaml } from 'yaml';
import { freePort, runBounded, settlesWithin, splitLines } from '../helpers/peers.js';
import { execForm, inContext, parseCopy, parseDockerfile, parseHealthcheck } from './dockerfile.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dockerfileText = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
const dockerignore = await readFile(join(ROOT, '.dockerignore'), 'utf8');
const dockerfile = parseDockerfile(dockerfileText);
const CMD = ['node', 'dist/cli/main.js', 'run', '--config', '/etc/rovd/rovd.yaml'];

const last = (keyword: string) => dockerfile.stages.at(-1)!.instructions.filter((i) => i.keyword === keyword).at(-1);
const all = (stage: number, keyword: string) => dockerfile.stages[stage]!.instructions.filter((i) => i.keyword === keyword);

t.test('two stages: build (node:20, npm ci, npm run build), runtime (slim, production dependencies, dist/)', async (t) => {
  t.equal(dockerfile.stages.length, 2, 'two stages');
  const [build, runtime] = dockerfile.stages;
  t.match(build!.image, /^node:20(?:[.-]|$)/, `build stage from ${build!.image}`);
  t.equal(build!.name, 'build');
  const buildRuns = all(0, 'RUN').map((i) => i.args);
  t.ok(buildRuns.some((r) => /^npm ci\b/.test(r) && !r.includes('--omit')), 'build stage: npm ci with dev dependencies');
  t.ok(buildRuns.some((r) => r === 'npm run build'), 'build stage: npm run build');

  t.match(runtime!.image, /^node:20(?:-[\w.-]*)?-slim$|^node:20-slim$/, `runtime stage from ${runtime!.image}`);
  const runtimeRuns = all(1, 'RUN').map((i) => i.args);
  t.ok(runtimeRuns.some((r) => /^npm ci\b.*--omit=dev/.test(r)), 'runtime: npm ci --omit=dev');
  t.notOk(runtimeRuns.some((r) => /npm run build|\btsc\b/.test(r)), 'runtime: no build');
  const copies = all(1, 'COPY').map((i) => parseCopy(i.args));
  t.ok(copies.some((c) => c.from === 'build' && c.sources.includes('/src/dist')), 'runtime: dist/ from the build stage');
  t.notOk(copies.some((c) => c.sources.some((s) => /^(?:\.\/)?(?:src|node_modules|test)\b/.test(s)) && c.from === undefined), 'runtime: no sources, tests or node_modules from the context');
  t.equal(last('WORKDIR')?.args, '/opt/rovd', 'runtime WORKDIR: the app folder the CMD is relative to');
});

t.test('non-root user, /var/lib/rovd a volume owned by it, /etc/rovd for config', async (t) => {
  const user = last('USER')?.args;
  t.ok(user, 'a USER');
  t.notMatch(user!, /^(?:root|0)(?::|$)/, `runs as ${user}`);
  const volume = last('VOLUME');
  t.same(execForm(volume!.args) ?? volume!.args.split(/\s+/), ['/var/lib/rovd'], 'VOLUME /var/lib/rovd');
  const runs = all(1, 'RUN').map((i) => i.args);
  t.ok(runs.some((r) => r.includes('chown') && r.includes('/var/lib/rovd') && r.includes(user!.split(':')[0]!)), 'the volume folder belongs to the user');
  t.ok(volume!.line > Math.max(...all(1, 'RUN').filter((r) => r.args.includes('/var/lib/rovd')).map((r) => r.line)), 'VOLUME after the chown (later changes to a volume path are discarded)');

  const copies = all(1, 'COPY').map((i) => parseCopy(i.args));
  t.ok(copies.some((c) => c.dest === '/etc/rovd/rovd.yaml'), 'a default /etc/rovd/rovd.yaml');
  t.ok(copies.some((c) => c.sources.includes('config/rovd.example.yaml') && c.dest.startsWith('/etc/rovd/')), 'the example config beside it');
  t.ok(copies.some((c) => c.sources.includes('config/sample') && c.dest === '/etc/rovd/sample'), 'the sample VRPs beside it');
});

t.test('everything copied from the context exists and is not excluded by .dockerignore', async (t) => {
  for (const [stage] of dockerfile.stages.entries()) {
    for (const ins of all(stage, 'COPY').concat(all(stage, 'ADD'))) {
      const c = parseCopy(ins.args);
      if (c.from !== undefined) continue;
      for (const s of c.sources) {
        t.ok(existsSync(join(ROOT, s)), `line ${ins.line}: ${s} exists`);
        t.ok(inContext(dockerignore, s), `line ${ins.line}: ${s} is in the build context`);
      }
    }
  }
  for (const out of ['node_modules', 'dist', '.git', 'test', 'bench/data', 'var', '.tap']) t.notOk(inContext(dockerignore, out), `${out} stays out of the context`);
});

t.test('the default config: ports exposed = ports listened on, store = the volume', async (t) => {
  const config = parseYaml(await readFile(join(ROOT, 'deploy/rovd/rovd.yaml'), 'utf8')) as { bmp: { listen: string }; http: { listen: string }; store: { dir: string } };
  t.equal(config.bmp.listen, '0.0.0.0:11019');
  t.equal(config.http.listen, '0.0.0.0:9684');
  t.equal(config.store.dir, '/var/lib/rovd');
  const exposed = dockerfile.stages.at(-1)!.instructions.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
  t.same(exposed.sort(), ['11019/tcp', '9684/tcp'], 'EXPOSE 11019/tcp 9684/tcp');
});

t.test('HEALTHCHECK runs node against /healthz; signals: tini; CMD exactly as documented', async (t) => {
  const hc = parseHealthcheck(last('HEALTHCHECK')!.args);
  const command = execForm(hc.command);
  t.ok(command, 'exec form');
  t.equal(command![0], 'node', 'node itself, no curl in the image');
  t.match(command!.join(' '), /http:\/\/127\.0\.0\.1:9684\/healthz/, 'GET /healthz on the API port');
  t.ok(hc.options.interval && hc.options.timeout && hc.options['start-period'], `interval, timeout, start period: ${JSON.stringify(hc.options)}`);
  t.same(execForm(last('ENTRYPOINT')!.args), ['/usr/bin/tini', '--'], 'tini is PID 1 and forwards signals');
  t.ok(all(1, 'RUN').some((r) => /apt-get install.*\btini\b/.test(r.args)), "tini from Debian's package");
  t.same(execForm(last('CMD')!.args), CMD, 'CMD');
});

t.test("the image's command outside a container: starts, answers the health check, stops on SIGTERM with 0", { timeout: 180_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'rovd-image-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // /opt/rovd: package.json, node_modules (here the checkout's), dist/ from tsc.
  const app = join(dir, 'opt', 'rovd');
  await mkdir(app, { recursive: true });
  await cp(join(ROOT, 'package.json'), join(app, 'package.json'));
  await symlink(join(ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const built = await runBounded(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], 150_000);
  if (!t.equal(built.code, 0, 'npm run build (tsc -p tsconfig.build.json) compiles')) {
    t.comment(built.output);
    return;
  }
  t.ok(existsSync(join(app, CMD[1]!)), `${CMD[1]} built`);

  // /etc/rovd: the image's config and sample VRPs; the store and the ports moved here.
  const etc = join(dir, 'etc', 'rovd');
  await mkdir(etc, { recursive: true });
  await cp(join(ROOT, 'config', 'sample'), join(etc, 'sample'), { recursive: true });
  const [bmpPort, httpPort] = [await freePort(), await freePort()];
  const doc = parseDocument(await readFile(join(ROOT, 'deploy/rovd/rovd.yaml'), 'utf8'));
  doc.setIn(['store', 'dir'], join(dir, 'var', 'lib', 'rovd'));
  doc.setIn(['bmp', 'listen'], `0.0.0.0:${bmpPort}`);
  doc.setIn(['http', 'listen'], `0.0.0.0:${httpPort}`);
  const configFile = join(etc, 'rovd.yaml');
  await writeFile(configFile, doc.toString());

  const child: ChildProcess = spawn(process.execPath, [...CMD.slice(1, -1), configFile], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const messages: string[] = [];
  const stderr: string[] = [];
  const waiters: { msg: string; resolve: () => void }[] = [];
  splitLines(child.stdout!, (line) => {
    let msg: string;
    try {
      msg = String((JSON.parse(line) as { msg?: unknown }).msg);
    } catch {
      msg = `(not JSON) ${line}`;
    }
    messages.push(msg);
    for (const w of waiters.filter((w) => w.msg === msg)) w.resolve();
  });
  splitLines(child.stderr!, (line) => stderr.push(line));
  const logged = (msg: string) => (messages.includes(msg) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ msg, resolve })));

  const up = Promise.all([logged('rovd: running'), logged('http: API listening')]);
  if (!t.ok(await settlesWithin(Promise.race([up, exited]), 30_000), 'started within 30 s') || child.exitCode !== null) {
    t.fail(`rovd did not start: ${JSON.stringify({ messages, stderr })}`);
    return;
  }
  t.pass('logged "rovd: running" and "http: API listening" as JSON lines');

  const health = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
  t.equal(health.status, 200, 'GET /healthz: 200');
  t.same(await health.json(), { status: 'ok' });
  const metrics = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
  t.equal(metrics.status, 200, 'GET /metrics from loopback: allowed by the default policy');
  t.match(await metrics.text(), /^rovd_build_info\{/m);
  const status = await fetch(`http://127.0.0.1:${httpPort}/api/v1/validity/AS64511/202.12.29.0/24`);
  t.equal(status.status, 200, 'a validity look-up on the sample VRPs');

  // The HEALTHCHECK command itself, pointed at this port.
  const hc = execForm(parseHealthcheck(last('HEALTHCHECK')!.args).command)!;
  const check = hc.slice(1).map((a) => a.replace('127.0.0.1:9684', `127.0.0.1:${httpPort}`));
  const healthy = await runBounded(process.execPath, check, 10_000);
  t.equal(healthy.code, 0, `the HEALTHCHECK command exits 0 while rovd runs${healthy.output ? `: ${healthy.output}` : ''}`);

  const stopAt = Date.now();
  child.kill('SIGTERM');
  const ended = await settlesWithin(exited, 5000);
  t.ok(ended, 'exited within 5 s of SIGTERM');
  if (!ended) return;
  t.same(await exited, { code: 0, signal: null }, `exit code 0 (${Date.now() - stopAt} ms)`);
  t.ok(messages.includes('rovd: stopping') && messages.includes('rovd: stopped'), 'logged stopping and stopped');
  t.same(stderr.filter((l) => /error|exception|warn/i.test(l)), [], 'no error on standard error');

  const unhealthy = await runBounded(process.execPath, check, 10_000);
  t.equal(unhealthy.code, 1, 'the HEALTHCHECK command exits 1 once rovd is gone');
});
