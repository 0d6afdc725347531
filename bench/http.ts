/**
 * `npm run bench:http`: validity look-ups per second through rovd's HTTP
 * API, the way a script or a looking glass would ask.
 *
 * The server is the real one (src/http/server.ts with the security plugin
 * and its default policy: anonymous reads from loopback) over the full
 * workload's 800k VRPs. autocannon runs in a child process on loopback (on
 * this 2-vCPU machine it takes one core; the server has the other), with
 * 32 connections, each request a different route from the workload:
 *
 * - GET  /api/v1/validity/AS…/prefix  one route per request;
 * - POST /api/v1/validity             100 routes per request.
 *
 *   npm run bench:http              full scale, 10 s per case
 *   npm run bench:http -- --quick   80k VRPs, 3 s per case
 */
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/config/config.js';
import { Daemon } from '../src/daemon/daemon.js';
import { registerSecurity } from '../src/http/security/plugin.js';
import { buildApiServer } from '../src/http/server.js';
import { NOOP_LOGGER } from '../src/log/logger.js';
import { formatAsn } from '../src/net/asn.js';
import { Prefix } from '../src/net/prefix.js';
import { makePayload } from '../src/rpki/payload.js';
import { VrpTableBuilder } from '../src/rpki/vrp-table.js';
import { fmtInt, fmtMs, machine, timed } from './measure.js';
import { type Check, line, printChecks, printMachine, section } from './report.js';
import { FULL_SCALE, QUICK_SCALE, TRUST_ANCHORS, generateWorkload } from './workload.js';

/** Our own aim (the issue asks for the figure, not a target): a look-up service should answer thousands per second. */
const AIM = { singlePerSecond: 5_000, batchRoutesPerSecond: 100_000 } as const;

/** The load generator, run as a child: reads its job from argv, prints autocannon's result as JSON. */
const LOADGEN = `
const autocannon = require(${JSON.stringify(require_resolve('autocannon'))});
const job = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
let i = 0;
const requests = [{ setupRequest: (req) => { const r = job.requests[i++ % job.requests.length]; return { ...req, ...r }; } }];
autocannon({ url: job.url, connections: job.connections, duration: job.seconds, requests }, (err, res) => {
  if (err) { console.error(err); process.exit(1); }
  process.stdout.write(JSON.stringify({ requests: res.requests, latency: res.latency, errors: res.errors, non2xx: res.non2xx, timeouts: res.timeouts }));
});
`;

function require_resolve(name: string): string {
  return join(process.cwd(), 'node_modules', name);
}

interface LoadResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  non2xx: number;
  timeouts: number;
}

async function load(url: string, requests: object[], seconds: number, dir: string): Promise<LoadResult> {
  const jobFile = join(dir, `job-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(jobFile, JSON.stringify({ url, requests, connections: 32, seconds }));
  const child = spawn(process.execPath, ['-e', LOADGEN, jobFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`the load generator failed (${code})`);
  return JSON.parse(out) as LoadResult;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const seconds = quick ? 3 : 10;
  const started = machine();
  printMachine(`rovd HTTP API benchmark${quick ? ' (--quick)' : ''}`, started, 'autocannon runs beside us in a child process');

  section('workload');
  const generated = timed(() => generateWorkload(quick ? QUICK_SCALE : FULL_SCALE));
  const w = generated.value;
  const b = new VrpTableBuilder();
  for (let i = 0; i < w.vrps.count; i++) {
    const k = i * 4;
    b.addFields(w.vrps.afi[i] === 4 ? 4 : 6, w.vrps.words[k]!, w.vrps.words[k + 1]!, w.vrps.words[k + 2]!, w.vrps.words[k + 3]!, w.vrps.length[i]!, w.vrps.maxLength[i]!, w.vrps.asn[i]!, TRUST_ANCHORS[w.vrps.ta[i]!]!);
  }
  const config = parseConfig('bmp: { listen: "127.0.0.1:0" }\n', join(tmpdir(), 'bench-http.yaml'));
  const daemon = new Daemon({ config, summaryIntervalMs: 0 });
  daemon.validator.publish(makePayload(b.build()));
  line('VRPs', `${fmtInt(daemon.validator.snapshot.vrps.size)} (generated in ${fmtMs(generated.ms)})`);

  // 10,000 distinct routes from the workload, as the requests.
  const routes: { asn: string; prefix: string }[] = [];
  const step = Math.max(1, Math.floor(w.routes.count / 10_000));
  for (let i = 0; i < w.routes.count && routes.length < 10_000; i += step) {
    const k = i * 4;
    const p = Prefix.fromWords(w.routes.afi[i] === 4 ? 4 : 6, w.routes.length[i]!, w.routes.words[k]!, w.routes.words[k + 1]!, w.routes.words[k + 2]!, w.routes.words[k + 3]!);
    routes.push({ asn: formatAsn(w.routes.origin[i]! as never), prefix: p.toString() });
  }
  const settings = parseConfig('http: { listen: "127.0.0.1:0", rateLimit: { perSecond: 100000, burst: 100000 } }\n', join(tmpdir(), 'bench-http.yaml')).http;
  const app = await buildApiServer({ daemon, version: 'bench', security: (a) => registerSecurity(a, { settings, logger: NOOP_LOGGER }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  const dir = mkdtempSync(join(tmpdir(), 'rovd-bench-http-'));

  section(`GET /api/v1/validity/{asn}/{prefix}: ${seconds} s, 32 connections, 10,000 distinct routes`);
  const single = await load(url, routes.map((r) => ({ method: 'GET', path: `/api/v1/validity/${r.asn}/${r.prefix}` })), seconds, dir);
  line('requests per second (mean)', fmtInt(single.requests.average));
  line('latency p50 / p99 / mean', `${single.latency.p50} ms / ${single.latency.p99} ms / ${single.latency.average.toFixed(2)} ms`);
  line('errors, non-2xx, timeouts', `${single.errors}, ${single.non2xx}, ${single.timeouts}`);

  section(`POST /api/v1/validity with 100 routes each: ${seconds} s, 32 connections`);
  const bodies: object[] = [];
  for (let i = 0; i < 100; i++) {
    bodies.push({ method: 'POST', path: '/api/v1/validity', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ routes: routes.slice(i * 100, i * 100 + 100) }) });
  }
  const batch = await load(url, bodies, seconds, dir);
  line('requests per second (mean)', `${fmtInt(batch.requests.average)} = ${fmtInt(batch.requests.average * 100)} routes/s`);
  line('latency p50 / p99 / mean', `${batch.latency.p50} ms / ${batch.latency.p99} ms / ${batch.latency.average.toFixed(2)} ms`);
  line('errors, non-2xx, timeouts', `${batch.errors}, ${batch.non2xx}, ${batch.timeouts}`);

  await app.close();
  rmSync(dir, { recursive: true, force: true });
  const verdict = (pass: boolean): boolean | undefined => (quick ? undefined : pass);
  const clean = single.errors + single.non2xx + single.timeouts + batch.errors + batch.non2xx + batch.timeouts === 0;
  const checks: Check[] = [
    { name: 'single look-ups per second (our aim)', figure: fmtInt(single.requests.average), target: `>= ${fmtInt(AIM.singlePerSecond)}`, pass: verdict(single.requests.average >= AIM.singlePerSecond) },
    { name: 'routes per second in batches of 100 (our aim)', figure: fmtInt(batch.requests.average * 100), target: `>= ${fmtInt(AIM.batchRoutesPerSecond)}`, pass: verdict(batch.requests.average * 100 >= AIM.batchRoutesPerSecond) },
    { name: 'every answer 2xx, no errors or timeouts', figure: clean ? 'yes' : 'no', target: 'yes', pass: verdict(clean) },
  ];
  printChecks(checks, started, quick);
}

await main();
