/**
 * `npm run bench:ingest`: a full table over BMP into rovd, end to end.
 *
 * The workload is bench/workload.ts's full scale: 800k VRPs and 1.2M
 * routes (1.0M IPv4, 0.2M IPv6) with their intended RFC 6811 states;
 * bench/bmp-stream.ts turns the routes into one peer's BMP stream with
 * realistic attribute sharing (about one attribute set per four routes).
 * A child process sends the stream over loopback TCP as fast as the
 * station takes it, into the daemon's own pipeline: BmpStation (framing,
 * BMP and BGP decoding) → BmpIngest → Rib (interning, hash tables,
 * validation against the VrpIndex on insert).
 *
 * Measured: routes per second from the first byte to the last End-of-RIB
 * (target >= 300k/s), the heap and ArrayBuffers each held route costs
 * after a full GC (target < 150 bytes), and that every route is held
 * with the state the generator intended. Then a VRP change: 1,000 VRPs
 * withdrawn and the held routes under them revalidated.
 *
 *   npm run bench:ingest              full scale (about a minute)
 *   npm run bench:ingest -- --quick   120k routes, figures only
 *   npm run bench:ingest -- --profile /tmp/prof   also a CPU profile of the ingest
 *   npm run bench:ingest -- --alerts   with detection and the alert engine
 *       listening, the peer mapped to a VIF, and 10,000 of the invalid routes
 *       re-originated by one AS (a flood): the pace while alerts are made,
 *       and how many notifications the flood becomes (issue 5: one)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertEngine } from '../src/alerts/engine.js';
import type { Notification } from '../src/alerts/notification.js';
import { BmpStation } from '../src/bmp/station.js';
import { parseConfig } from '../src/config/config.js';
import { Detection } from '../src/detect/detection.js';
import { BmpIngest } from '../src/daemon/bmp-ingest.js';
import { Prefix } from '../src/net/prefix.js';
import { Rib } from '../src/rib/rib.js';
import { Validator } from '../src/rov/validator.js';
import { RovState } from '../src/rov/validity.js';
import { makePayload } from '../src/rpki/payload.js';
import { VrpTable, VrpTableBuilder } from '../src/rpki/vrp-table.js';
import { VifMap } from '../src/vif/vif-map.js';
import { bmpTable } from './bmp-stream.js';
import { MB, canCollect, collect, fmtInt, fmtMs, machine, retainedBytes, timed } from './measure.js';
import { type CpuProfile, printProfile, profiled } from './profile.js';
import { type Check, line, printChecks, printMachine, section } from './report.js';
import { FULL_SCALE, QUICK_SCALE, TRUST_ANCHORS, type Workload, generateWorkload } from './workload.js';

const TARGET = { routesPerSecond: 300_000, bytesPerRoute: 150 } as const;

/** --alerts: the bench peer is the peer of a private VIF. */
const BENCH_VIF = 'vifs:\n  - { id: dxvif-bench1, type: private, router: 127.0.0.1, peers: [{ address: 169.254.0.1, asn: 7224 }] }\n';
/** --alerts: the AS that re-originates 10,000 invalid routes. */
const FLOOD_ORIGIN = 64666;
let floodCheck: boolean | undefined;
/** --alerts: the engine's group wait; the ingest takes 3-4 s, a group's first notification comes this long after its first alert. */
const GROUP_WAIT_MS = 8000;

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const inThread = process.argv.includes('--in-thread');
  const alerts = process.argv.includes('--alerts');
  const profileAt = process.argv.indexOf('--profile');
  const profileDir = profileAt >= 0 ? process.argv[profileAt + 1] : undefined;
  const m = machine();
  printMachine(`rovd ingest benchmark${quick ? ' (--quick: 10x smaller)' : ''}`, m, 'the sender runs beside us');

  // The workload and the stream are made, written out and dropped before the
  // measurement, so the heap the collector walks during it is the RIB's.
  const { file, dir, vrps, intended, routeCount, flood } = prepare(quick, alerts);
  const validator = new Validator();
  validator.publish(makePayload(vrps));
  line('VRP index', `${fmtInt(validator.snapshot.vrps.size)} VRPs`);

  // Everything the benchmark itself holds is allocated; what grows from here is the RIB.
  collect();
  const before = retainedBytes();
  const rib = new Rib({ index: validator.snapshot.vrps });
  const vifs = new VifMap(alerts ? parseConfig(BENCH_VIF, '/bench/rovd.yaml').vifs : []);
  const ingest = new BmpIngest({ rib, vifs, staleGraceMs: 60_000 });
  const notifications: Notification[] = [];
  const engine = alerts ? new AlertEngine({ notify: (n) => notifications.push(n), holdDown: { fireMs: 0, resolveMs: 0 }, grouping: { groupWaitMs: GROUP_WAIT_MS }, tickMs: 50 }) : undefined;
  const detection =
    engine === undefined ? undefined : new Detection({ settings: parseConfig(BENCH_VIF, '/bench/rovd.yaml').detection, vifs, rib, validator, sink: engine, tickMs: 60_000 });
  detection?.start();
  const station = new BmpStation({ host: '127.0.0.1', port: 0, allow: [Prefix.parse('127.0.0.0/8')], maxMessageBytes: 1 << 20, offThread: !inThread });
  let firstAt: number | undefined;
  let doneAt: number | undefined;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  station.onEvent((event) => {
    if (event.type === 'router-up') firstAt = performance.now();
    if (event.type === 'router-down' && doneAt === undefined) {
      console.error(`the router session ended before the last End-of-RIB: ${JSON.stringify(event.reason)}`);
      process.exit(1);
    }
    ingest.handle(event);
    if ((event.type === 'route-monitoring' || event.type === 'route-batch') && ingest.counters.endOfRib === 2 && doneAt === undefined) {
      doneAt = performance.now();
      done();
    }
  });
  const { port } = await station.start();

  section('the stream into the station (one router, one peer, pre-policy Adj-RIB-In)');
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const threads0 = threadCpu();
  const sender = spawn(process.execPath, ['-e', SENDER, String(port), file], { stdio: ['ignore', 'inherit', 'inherit'] });
  let profile: CpuProfile | undefined;
  if (profileDir !== undefined) {
    mkdirSync(profileDir, { recursive: true });
    ({ profile } = await profiled(join(profileDir, 'ingest.cpuprofile'), () => finished));
  } else {
    await finished;
  }
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const threads = threadCpu();
  sender.kill();
  const seconds = (doneAt! - firstAt!) / 1000;
  const rate = routeCount / seconds;
  line('first byte -> last End-of-RIB', `${fmtMs(seconds * 1000)} = ${fmtInt(rate)} routes/s`);
  line('our CPU meanwhile (all threads)', `${fmtMs((cpu.user + cpu.system) / 1000)} (${Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100)}% of one core)`);
  line('main thread busy', `${Math.round(elu.utilization * 100)}% of the wall time (event-loop utilisation)`);
  if (threads !== undefined && threads0 !== undefined) {
    // CPU per thread from /proc: on a shared machine the wall time says how much CPU we got, this says how much we needed.
    line('CPU: main thread, other threads', `${fmtMs(threads.main - threads0.main)}, ${fmtMs(threads.others - threads0.others)} (decoder thread, GC helpers, libuv)`);
  }
  if (engine !== undefined) {
    // The first notification of a group waits groupWait to collect the burst (Alertmanager's group_wait).
    await new Promise((r) => setTimeout(r, GROUP_WAIT_MS + 500));
    const floodGroups = notifications.filter((n) => n.groupLabels.origin === `AS${FLOOD_ORIGIN}`);
    section('alerts made meanwhile (--alerts)');
    line('alerts firing', fmtInt(engine.alerts({ status: 'firing' }).length));
    line('notifications (groups by type, VIF, origin)', fmtInt(notifications.length));
    line(`the ${fmtInt(flood)}-route flood from AS${FLOOD_ORIGIN}`, `${floodGroups.length} notification(s), ${fmtInt(floodGroups[0]?.counts.firing ?? 0)} alerts in it, ${floodGroups[0]?.alerts.length ?? 0} listed`);
    floodCheck = floodGroups.length === 1 && floodGroups[0]!.counts.firing === flood;
    detection!.stop();
    engine.close();
  }
  const held = { valid: rib.count(undefined, RovState.Valid), invalid: rib.count(undefined, RovState.Invalid), notFound: rib.count(undefined, RovState.NotFound) };
  line('held routes', `${fmtInt(rib.count())}: ${fmtInt(held.valid)} valid, ${fmtInt(held.invalid)} invalid, ${fmtInt(held.notFound)} not-found`);
  line('intended by the generator', `${fmtInt(intended.valid)} valid, ${fmtInt(intended.invalid)} invalid, ${fmtInt(intended.notFound)} not-found`);
  if (profile !== undefined) {
    section(`profile of the ingest (${join(profileDir!, 'ingest.cpuprofile')})`);
    printProfile(profile, areaOf);
  }
  const countsMatch = rib.count() === routeCount && held.valid === intended.valid && held.invalid === intended.invalid && held.notFound === intended.notFound;

  section('memory (after a full GC)');
  collect();
  const retained = retainedBytes() - before;
  const stats = rib.stats();
  line('heap + ArrayBuffers grown', `${(retained / MB).toFixed(1)} MB = ${(retained / rib.count()).toFixed(1)} bytes per held route`);
  line('  of which the RIB\'s typed arrays', `${(stats.bytes / MB).toFixed(1)} MB (${(stats.bytes / rib.count()).toFixed(1)} bytes per route)`);
  line('  attribute sets held', `${fmtInt(stats.attributes.sets)} (${JSON.stringify(stats.attributes)})`);

  section('a VRP change: 1,000 VRPs withdrawn, held routes revalidated');
  const removed = vrps.selectRows((afi, row) => row % Math.floor(vrps.size / 1000) === 0 && afi === 4);
  const next = vrps.withChanges(VrpTable.EMPTY, removed);
  const published = timed(() => validator.publish(makePayload(next), { added: VrpTable.EMPTY, removed }));
  const change = published.value!;
  const revalidated = timed(() => rib.revalidate(change.affected, change.current.vrps));
  line('Validator.publish with the delta', fmtMs(published.ms));
  line('Rib.revalidate', `${fmtMs(revalidated.ms)}: ${fmtInt(change.affected.length)} affected prefixes, ${fmtInt(revalidated.value.visited)} routes visited, ${fmtInt(revalidated.value.changed)} changed state`);

  await station.stop();
  ingest.stop();
  rmSync(dir, { recursive: true, force: true });

  const verdict = (pass: boolean): boolean | undefined => (quick ? undefined : pass);
  const checks: Check[] = [
    ...(floodCheck === undefined ? [] : [{ name: 'the 10,000-route flood is one notification', figure: floodCheck ? 'yes' : 'no', target: 'yes', pass: verdict(floodCheck) }]),
    { name: `BMP full table: decode + RIB + validation${alerts ? ' + alerts' : ''}`, figure: `${fmtInt(rate)}/s`, target: `>= ${fmtInt(TARGET.routesPerSecond)}/s`, pass: verdict(rate >= TARGET.routesPerSecond) },
    {
      name: 'heap + ArrayBuffers per held route',
      figure: canCollect() ? `${(retained / rib.count()).toFixed(0)} B` : 'n/a',
      target: `< ${TARGET.bytesPerRoute} B`,
      pass: canCollect() ? verdict(retained / rib.count() < TARGET.bytesPerRoute) : undefined,
    },
    { name: 'held routes and states as intended', figure: countsMatch ? 'equal' : 'differ', target: 'equal', pass: countsMatch },
  ];
  printChecks(checks, m, quick, 12);
}

function prepare(quick: boolean, alerts: boolean): { file: string; dir: string; vrps: VrpTable; intended: ReturnType<typeof intendedCounts>; routeCount: number; flood: number } {
  section('workload');
  const generated = timed(() => generateWorkload(quick ? QUICK_SCALE : FULL_SCALE));
  const w = generated.value;
  // Invalid routes stay invalid with an origin no VRP names: their intended states hold.
  let flood = 0;
  if (alerts) {
    for (let i = 0; i < w.routes.count && flood < 10_000; i++) {
      if (w.routes.intended[i] !== RovState.Invalid) continue;
      w.routes.origin[i] = FLOOD_ORIGIN;
      flood++;
    }
    line('--alerts: invalid routes re-originated', `${fmtInt(flood)} by AS${FLOOD_ORIGIN}`);
  }
  line('VRPs, routes', `${fmtInt(w.vrps.count)} VRPs, ${fmtInt(w.routes.count)} routes; generated in ${fmtMs(generated.ms)}`);
  const stream = timed(() => bmpTable(w.routes));
  const table = stream.value;
  line('BMP stream', `${(table.bytes / MB).toFixed(1)} MB, ${fmtInt(table.updates)} UPDATEs, ${fmtInt(table.attributeSets)} attribute sets (${(table.routes / table.attributeSets).toFixed(2)} routes each); built in ${fmtMs(stream.ms)}`);
  const dir = mkdtempSync(join(tmpdir(), 'rovd-bench-ingest-'));
  const file = join(dir, 'table.bmp');
  writeFileSync(file, Buffer.concat(table.chunks as Buffer[]));
  return { file, dir, vrps: vrpTable(w), intended: intendedCounts(w), routeCount: w.routes.count, flood };
}

/** CPU milliseconds (user + system) of the main thread and of all other threads of this process, from /proc (Linux); undefined elsewhere. */
function threadCpu(): { main: number; others: number } | undefined {
  try {
    const tick = 10; // ms per clock tick (USER_HZ 100 on Linux)
    let main = 0;
    let others = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * tick;
      if (Number(tid) === process.pid) main += ms;
      else others += ms;
    }
    return { main, others };
  } catch {
    return undefined;
  }
}

/** Sends a file to 127.0.0.1:PORT as fast as the socket takes it. */
const SENDER = `
const net = require('node:net'), fs = require('node:fs');
const [port, file] = process.argv.slice(1);
const socket = net.connect(Number(port), '127.0.0.1', () => fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(socket));
socket.on('error', () => {});
`;

/** Which part of the pipeline a profiled function belongs to. */
function areaOf(fn: string, url: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)' || fn === '(root)') return 'V8/native (program)';
  for (const area of ['/bmp/', '/bgp/', '/rib/', '/rov/', '/net/', '/daemon/', '/wire/']) if (url.includes(area)) return area.slice(1, -1);
  if (url.startsWith('node:')) return 'node streams/net';
  return `other (${url.split('/').pop() || fn})`;
}

function vrpTable(w: Workload): VrpTable {
  const b = new VrpTableBuilder();
  const v = w.vrps;
  for (let i = 0; i < v.count; i++) {
    const k = i * 4;
    b.addFields(v.afi[i] === 4 ? 4 : 6, v.words[k]!, v.words[k + 1]!, v.words[k + 2]!, v.words[k + 3]!, v.length[i]!, v.maxLength[i]!, v.asn[i]!, TRUST_ANCHORS[v.ta[i]!]!);
  }
  return b.build();
}

function intendedCounts(w: Workload): { valid: number; invalid: number; notFound: number } {
  const c = [0, 0, 0];
  for (let i = 0; i < w.routes.count; i++) c[w.routes.intended[i]!]!++;
  return { valid: c[RovState.Valid]!, invalid: c[RovState.Invalid]!, notFound: c[RovState.NotFound]! };
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
