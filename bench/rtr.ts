/**
 * `npm run bench:rtr` — rovd's RTR client (RFC 8210 §8: Reset Query, then
 * Cache Response … payload PDUs … End of Data; Serial Query for the
 * incremental updates) against a real cache: StayRTR (Debian 0.5.1) on
 * loopback, serving 800,000 synthetic VRPs (syntheticVrps in
 * test/helpers/stayrtr.ts, 70% IPv4).
 *
 *   full sync     session.start() -> the first update (a committed VrpTable),
 *                 then VrpIndex.build on it, reported apart; our CPU time
 *                 (process.cpuUsage) and StayRTR's (/proc/PID/stat) during
 *                 the sync; the same cache read by StayRTR's own client,
 *                 rtrdump, for comparison
 *   replay        the byte stream of one sync, captured from the socket,
 *                 fed to a fresh RtrSession with no network: what the client
 *                 itself costs, without StayRTR's pace
 *   incremental   1,000 changes (500 withdrawals, 500 announcements) served
 *                 by StayRTR: Cache Response -> committed update in the live
 *                 session (onState 'receiving' -> onUpdate), the same PDUs
 *                 replayed into RtrCacheData on the 800k data, and what
 *                 publishing the result costs (VrpTable.delta, VrpIndex.build,
 *                 Validator.publish)
 *   memory        heap + ArrayBuffers held by the session's data after a sync
 *
 * StayRTR is slow to load 800k VRPs, so it is started once; each repeat opens
 * a fresh session. Figures are medians of 3 (syncs, rtrdump, updates) or of
 * more in-process repeats (replays). Every run is checked: the synced set
 * must equal the file, and each update must add and remove exactly what was
 * changed in the file.
 *
 * Flags: --quick (80k VRPs; a smoke run, the targets apply to the full run
 * only); --profile DIR writes CPU profiles of one live sync and one replay
 * (node:inspector, 100 µs sampling) to DIR and prints where the time went.
 * Run with --expose-gc (the npm script does) for the memory figure.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import { Duplex } from 'node:stream';
import { Prefix } from '../src/net/prefix.js';
import { VrpIndex } from '../src/rov/vrp-index.js';
import { Validator } from '../src/rov/validator.js';
import { VrpTable, VrpTableBuilder } from '../src/rpki/vrp-table.js';
import { type RtrCacheData, type RtrTransaction } from '../src/rtr/cache-data.js';
import { RtrFramer } from '../src/rtr/framer.js';
import { decodePdu } from '../src/rtr/pdu-codec.js';
import type { Pdu } from '../src/rtr/pdu.js';
import { type RtrConnect, type RtrSessionState, type RtrUpdate, RtrSession } from '../src/rtr/session.js';
import { tcpTransport } from '../src/rtr/transport.js';
import { whichPeer } from '../test/helpers/peers.js';
import { seededRandom } from '../test/helpers/random.js';
import { StayRtr, type VrpSpec, syntheticVrps } from '../test/helpers/stayrtr.js';
import { MB, type Machine, canCollect, collect, fmtInt, fmtMs, machine, median, retainedBytes, timed } from './measure.js';
import { type Check, line, printChecks, printMachine, section } from './report.js';
import { printProfile, profiled } from './profile.js';

/** rovd's RTR targets (docs/benchmarks.md, "RTR"). */
const TARGET = {
  /** Reset Query to a usable VrpIndex (sync + index build), 800k VRPs. */
  syncToIndexMs: 2000,
  /** 1,000-VRP update: Cache Response to the committed update. */
  incrementalMs: 20,
} as const;

const FULL_VRPS = 800_000;
const QUICK_VRPS = 80_000;
const SEED = 7;
/** Changes per incremental update: half withdrawn, half announced. */
const UPDATE_CHANGES = 1000;
const SYNC_RUNS = 3;
const DUMP_RUNS = 3;
const REPLAY_RUNS = 3;
const UPDATE_RUNS = 3;
const APPLY_WARMUPS = 3;
const APPLY_RUNS = 15;
const PUBLISH_RUNS = 5;
const TIMEOUT_MS = 180_000;
/**
 * StayRTR's -refresh: how often it re-reads its file. Re-reading 800k VRPs
 * costs it a large share of a core (printed at the start), so every timed
 * sync and dump starts right after a refresh and has this long to itself.
 * (The interop test uses 1 s, so there StayRTR is re-reading all the time.)
 */
const REFRESH_SECONDS = 10;

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick') || process.env.ROVD_BENCH_QUICK === '1';
  const profileAt = process.argv.indexOf('--profile');
  const profileDir = profileAt >= 0 ? process.argv[profileAt + 1] : undefined;
  if (profileAt >= 0 && profileDir === undefined) throw new Error('--profile needs a directory');
  const count = quick ? QUICK_VRPS : FULL_VRPS;
  const m = machine();
  printMachine(`rovd RTR benchmark${quick ? ' (--quick: 80k VRPs)' : ''}`, m, 'StayRTR runs beside us');
  if (!whichPeer('stayrtr') || !whichPeer('rtrdump')) {
    console.error('bench:rtr needs StayRTR and rtrdump on PATH (apt-get install -y stayrtr)');
    process.exitCode = 1;
    return;
  }

  // --- workload ----------------------------------------------------------------
  section('workload');
  const gen = timed(() => workload(count));
  const w = gen.value;
  line('VRPs served', `${fmtInt(w.initial.length)} (syntheticVrps, seed ${SEED}); generated in ${fmtMs(gen.ms)}`);
  line('updates', `${UPDATE_RUNS} x ${fmtInt(UPDATE_CHANGES)} changes (${UPDATE_CHANGES / 2} withdrawn + ${UPDATE_CHANGES / 2} announced)`);
  const expected = timed(() => tableOf(w.initial));
  line('expected VrpTable (for the checks)', `${fmtInt(expected.value.size)} VRPs, built in ${fmtMs(expected.ms)}`);

  const harness = new BenchHarness();
  try {
    const started = performance.now();
    const stayrtr = await StayRtr.start(harness.t, { vrps: w.initial, readyTimeoutMs: TIMEOUT_MS, refreshSeconds: REFRESH_SECONDS });
    if (!stayrtr) throw new Error(`StayRTR did not start: ${harness.failures.join('; ')}`);
    line('StayRTR', `pid ${stayrtr.pid}, ${stayrtr.address}, serving after ${fmtMs(performance.now() - started)} (session ${stayrtr.sessionId}, serial ${stayrtr.serial})`);
    const refresh = await refreshCost(stayrtr);
    line(`StayRTR re-reading its unchanged file`, `${fmtOpt(refresh)} CPU every ${REFRESH_SECONDS} s (no client connected)`);
    await run(stayrtr, w, expected.value, quick, profileDir, m);
  } finally {
    await harness.close();
  }
}

async function run(stayrtr: StayRtr, w: Workload, expected: VrpTable, quick: boolean, profileDir: string | undefined, m: Machine): Promise<void> {
  // --- full sync ------------------------------------------------------------------
  section(`full sync from StayRTR (median of ${SYNC_RUNS}; a fresh session each)`);
  const syncs: SyncRun[] = [];
  let memory: MemoryFigure | undefined;
  let captured: readonly Buffer[] = [];
  let live: LiveSession | undefined;
  let syncMismatch = 0;
  for (let i = 0; i < SYNC_RUNS; i++) {
    const last = i === SYNC_RUNS - 1;
    // Run 0: memory (nothing captured); run 1: capture the stream for the replay; the last stays open for the updates.
    await afterRefresh(stayrtr);
    if (i === 0) collect();
    const before = i === 0 ? retainedBytes() : 0;
    const r = await syncOnce(stayrtr, i === 1);
    syncs.push(r);
    if (!r.data.vrps.equals(expected)) syncMismatch++;
    printSync(i, r);
    if (i === 0) {
      await r.live.session.stop();
      collect();
      memory = { retained: retainedBytes() - before, columns: columnBytes(r.data.vrps), vrps: r.data.vrps.size };
    }
    if (i === 1) captured = r.live.tap.chunks;
    if (last) live = r.live;
    else if (i !== 0) await r.live.session.stop();
  }
  const sync = {
    syncMs: median(syncs.map((r) => r.syncMs)),
    indexMs: median(syncs.map((r) => r.indexMs)),
    toIndexMs: median(syncs.map((r) => r.syncMs + r.indexMs)),
    cpuMs: median(syncs.map((r) => r.cpuMs)),
    cacheCpuMs: medianDefined(syncs.map((r) => r.cacheCpuMs)),
    firstByteMs: median(syncs.map((r) => r.firstByteMs)),
    streamMs: median(syncs.map((r) => r.lastByteMs - r.firstByteMs)),
    bytes: syncs[0]!.bytes,
  };
  line('median: start -> first update', fmtMs(sync.syncMs));
  line('median: VrpIndex.build', fmtMs(sync.indexMs));
  line('median: start -> usable index', fmtMs(sync.toIndexMs));
  line('median: our CPU during the sync', `${fmtMs(sync.cpuMs)} (${pct(sync.cpuMs, sync.syncMs)} of the wall time)`);
  line('median: StayRTR CPU during the sync', sync.cacheCpuMs === undefined ? 'n/a' : `${fmtMs(sync.cacheCpuMs)} (${pct(sync.cacheCpuMs, sync.syncMs)} of the wall time)`);
  line('median: first byte -> last byte', `${fmtMs(sync.streamMs)} for ${(sync.bytes / MB).toFixed(1)} MB = ${((sync.bytes / MB) / (sync.streamMs / 1000)).toFixed(1)} MB/s`);
  line('synced sets that differ from the file', `${syncMismatch} of ${SYNC_RUNS}`);
  if (memory) {
    line('memory held by the session\'s data (after GC)', canCollect() ? `${(memory.retained / MB).toFixed(1)} MB heap + ArrayBuffers` : 'n/a (run node with --expose-gc)');
    line('  of which VrpTable columns', `${(memory.columns / MB).toFixed(1)} MB (${(memory.columns / memory.vrps).toFixed(1)} bytes per VRP)`);
  }

  // --- StayRTR's own pace --------------------------------------------------------------
  section(`StayRTR's floor: a client that only frames and discards, reading as the session does (median of ${DUMP_RUNS})`);
  const floors: number[] = [];
  for (let i = 0; i < DUMP_RUNS; i++) {
    await afterRefresh(stayrtr);
    for (const pauseMs of [0, 1]) {
      const f = await discardSync(stayrtr.address, pauseMs);
      if (pauseMs === 1) floors.push(f.ms);
      line(`run ${i + 1}, ${pauseMs === 0 ? 'eager reads' : '1 ms read pauses'}`, `${fmtMs(f.ms)} to End of Data, ${fmtInt(f.reads)} reads, ${(f.bytes / MB).toFixed(1)} MB`);
    }
  }
  const floorMs = median(floors);
  line('median with read pauses (what no client can beat here)', fmtMs(floorMs));

  // --- rtrdump ----------------------------------------------------------------------
  section(`rtrdump (StayRTR's client) on the same cache (median of ${DUMP_RUNS})`);
  const dumps: DumpRun[] = [];
  for (let i = 0; i < DUMP_RUNS; i++) {
    await afterRefresh(stayrtr);
    const cpu0 = processCpuMs(stayrtr.pid);
    const d = await stayrtr.dump({ timeoutMs: TIMEOUT_MS });
    const cpu1 = processCpuMs(stayrtr.pid);
    dumps.push({ ms: d.elapsedMs, cacheCpuMs: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0, vrps: d.vrps.length });
    line(`run ${i + 1}`, `${fmtMs(d.elapsedMs)}, ${fmtInt(d.vrps.length)} VRPs; StayRTR CPU ${fmtOpt(dumps[i]!.cacheCpuMs)}`);
  }
  const dump = { ms: median(dumps.map((d) => d.ms)), cacheCpuMs: medianDefined(dumps.map((d) => d.cacheCpuMs)) };
  line('median (process start to exit, JSON file written)', fmtMs(dump.ms));
  line('median StayRTR CPU', fmtOpt(dump.cacheCpuMs));

  // --- replay of the captured sync ------------------------------------------------------
  section(`replay: the captured sync stream into a fresh RtrSession, no network, StayRTR paused (median of ${REPLAY_RUNS})`);
  const replays: ReplayRun[] = [];
  const resetBuild = await withCachePaused(stayrtr, async () => {
    for (let i = 0; i < REPLAY_RUNS; i++) {
      collect();
      const r = await replaySync(captured);
      replays.push(r);
      if (!r.data.vrps.equals(expected)) syncMismatch++;
      line(`run ${i + 1}`, `${fmtMs(r.ms)} wall, ${fmtMs(r.cpuMs)} CPU; then VrpIndex.build ${fmtMs(r.indexMs)}`);
    }
    return resetBuildMs(captured);
  });
  const replay = {
    ms: median(replays.map((r) => r.ms)),
    cpuMs: median(replays.map((r) => r.cpuMs)),
    toIndexMs: median(replays.map((r) => r.ms + r.indexMs)),
  };
  line('chunks as the live session read them', `${fmtInt(captured.length)} (${((sync.bytes / captured.length) / 1024).toFixed(1)} KiB on average); replayed as 64 KiB reads`);
  line('median: replayed sync', `${fmtMs(replay.ms)} wall, ${fmtMs(replay.cpuMs)} CPU = ${fmtInt(w.initial.length / (replay.ms / 1000))} VRPs/s`);
  line('median: replayed sync + VrpIndex.build', fmtMs(replay.toIndexMs));
  line('  of which the reset\'s table build', `${fmtMs(resetBuild)} (VrpTableBuilder.build: sort + dedup of the VRPs in StayRTR's order)`);

  // --- incremental updates ------------------------------------------------------------------
  section(`incremental updates of ${fmtInt(UPDATE_CHANGES)} VRPs from StayRTR (${UPDATE_RUNS} updates)`);
  if (!live) throw new Error('no live session');
  const updates: UpdateRun[] = [];
  let current = w.initial;
  let updateMismatch = 0;
  // What the daemon does with each update: publish it, with the transaction's own delta.
  const validator = new Validator();
  validator.publish(live.session.current.toPayload());
  for (let k = 0; k < UPDATE_RUNS; k++) {
    const change = w.changes[k]!;
    const next = applySpecChange(current, change);
    const u = await incrementalOnce(stayrtr, live, next, validator);
    if (!sameSpecs(u.update.added, change.added) || !sameSpecs(u.update.removed, change.removed)) updateMismatch++;
    updates.push(u);
    current = next;
    line(
      `update ${k + 1} (serial ${u.update.serial})`,
      `Cache Response -> committed ${fmtMs(u.responseToCommitMs)} (last byte -> committed ${fmtMs(u.lastByteToCommitMs)}; CPU ${fmtMs(u.cpuMs)}); ` +
        `-> published ${fmtMs(u.responseToIndexMs)} (index ${u.pendingChanges === 0 ? 'rebuilt' : `+${fmtInt(u.pendingChanges)} changes in place`}); ` +
        `Serial Query sent -> committed ${fmtMs(u.notifyToCommitMs)}; ${u.frames.length} PDUs in ${u.chunks} socket reads`,
    );
  }
  if (!live.session.current.vrps.equals(tableOf(current))) updateMismatch++;
  await live.session.stop();
  const incremental = {
    responseToCommitMs: median(updates.map((u) => u.responseToCommitMs)),
    responseToIndexMs: median(updates.map((u) => u.responseToIndexMs)),
    lastByteToCommitMs: median(updates.map((u) => u.lastByteToCommitMs)),
    cpuMs: median(updates.map((u) => u.cpuMs)),
    notifyToCommitMs: median(updates.map((u) => u.notifyToCommitMs)),
  };
  line('median: Cache Response -> committed update', `${fmtMs(incremental.responseToCommitMs)} (our CPU ${fmtMs(incremental.cpuMs)})`);
  line('median: last byte of the update -> committed', fmtMs(incremental.lastByteToCommitMs));
  line('median: Cache Response -> published (Validator.publish with the known delta)', fmtMs(incremental.responseToIndexMs));
  line('updates that differ from the file change', `${updateMismatch} of ${UPDATE_RUNS}`);

  // The last update's PDUs, replayed on the data it was applied to.
  const lastUpdate = updates[updates.length - 1]!;
  section(`the last update replayed into RtrCacheData on ${fmtInt(lastUpdate.base.vrps.size)} VRPs, StayRTR paused (${APPLY_WARMUPS} warm-ups, median of ${APPLY_RUNS})`);
  const { apply, publish } = await withCachePaused(stayrtr, () => ({
    apply: applyBreakdown(lastUpdate.base, lastUpdate.frames),
    publish: publishCost(lastUpdate.base, lastUpdate.update.data, lastUpdate.update.added, lastUpdate.update.removed),
  }));
  line('decode + transaction + commit', fmtSpread(apply.total));
  line('  decodePdu of the PDUs', fmtSpread(apply.decode));
  line('  tx.vrp (checks by binary search)', fmtSpread(apply.vrp));
  line('  commit', fmtSpread(apply.commit));
  line('    VrpTable.withChanges alone', fmtSpread(apply.withChanges));
  section(`publishing the update (median of ${PUBLISH_RUNS})`);
  line('VrpTable.delta (previous -> next)', fmtSpread(publish.delta));
  line('VrpIndex.build (next)', fmtSpread(publish.index));
  line('Validator.publish (delta + index build)', fmtSpread(publish.publish));
  line('Validator.publish with the known delta (VrpIndex.withChanges)', fmtSpread(publish.publishKnown));
  const toIndexMs = incremental.responseToIndexMs;

  // --- profiles ---------------------------------------------------------------------------
  if (profileDir !== undefined) await profiles(stayrtr, captured, profileDir);

  // --- targets ---------------------------------------------------------------------------
  const verdict = (pass: boolean): boolean | undefined => (quick ? undefined : pass);
  const checks: Check[] = [
    {
      name: `full sync to a usable index (${fmtInt(w.initial.length)} VRPs)`,
      figure: fmtMs(sync.toIndexMs),
      target: `< ${fmtMs(TARGET.syncToIndexMs)}`,
      pass: verdict(sync.toIndexMs < TARGET.syncToIndexMs),
    },
    { name: '  of which sync (start -> first update)', figure: fmtMs(sync.syncMs), target: '-', pass: undefined },
    { name: '  of which VrpIndex.build', figure: fmtMs(sync.indexMs), target: '-', pass: undefined },
    { name: 'the same from the replayed stream (client only)', figure: fmtMs(replay.toIndexMs), target: 'comparison', pass: undefined },
    { name: 'StayRTR serving to a discarding client', figure: fmtMs(floorMs), target: 'comparison', pass: undefined },
    { name: 'rtrdump on the same cache', figure: fmtMs(dump.ms), target: 'comparison', pass: undefined },
    {
      name: `${fmtInt(UPDATE_CHANGES)}-VRP update: Cache Response -> committed`,
      figure: fmtMs(incremental.responseToCommitMs),
      target: `< ${fmtMs(TARGET.incrementalMs)}`,
      pass: verdict(incremental.responseToCommitMs < TARGET.incrementalMs),
    },
    { name: '  the same PDUs replayed into RtrCacheData', figure: fmtMs(apply.total.median), target: 'breakdown', pass: undefined },
    {
      name: `${fmtInt(UPDATE_CHANGES)}-VRP update: Cache Response -> usable index`,
      figure: fmtMs(toIndexMs),
      target: `< ${fmtMs(TARGET.incrementalMs)}`,
      pass: verdict(toIndexMs < TARGET.incrementalMs),
    },
    {
      name: 'memory held by the session\'s data',
      figure: memory && canCollect() ? `${(memory.retained / MB).toFixed(1)} MB` : 'n/a',
      target: 'report',
      pass: undefined,
    },
    { name: 'synced and updated sets match the file', figure: `${syncMismatch + updateMismatch} differ`, target: '0 differ', pass: syncMismatch + updateMismatch === 0 },
  ];
  printChecks(checks, m, quick, 10);
}

// --- workload ---------------------------------------------------------------------

interface SpecChange {
  readonly added: readonly VrpSpec[];
  readonly removed: readonly VrpSpec[];
}

interface Workload {
  readonly initial: readonly VrpSpec[];
  readonly changes: readonly SpecChange[];
}

/**
 * `count` VRPs to serve first, and UPDATE_RUNS changes to make to them: a
 * pool of distinct VRPs a little larger than `count`, from which the
 * announcements are held back at seeded random places (so they mix IPv4
 * and IPv6 as the pool does); the withdrawals are picked from the set in
 * force at the time of each update.
 */
function workload(count: number): Workload {
  const half = UPDATE_CHANGES / 2;
  const pool = syntheticVrps(count + UPDATE_RUNS * half, SEED);
  const rand = seededRandom(SEED + 1);
  const held = new Set<number>();
  while (held.size < UPDATE_RUNS * half) held.add(Math.floor(rand() * pool.length));
  const reserve = [...held].map((i) => pool[i]!);
  const initial = pool.filter((_, i) => !held.has(i));
  const changes: SpecChange[] = [];
  let current: readonly VrpSpec[] = initial;
  for (let k = 0; k < UPDATE_RUNS; k++) {
    const gone = new Set<number>();
    while (gone.size < half) gone.add(Math.floor(rand() * current.length));
    const change = { added: reserve.slice(k * half, (k + 1) * half), removed: [...gone].map((i) => current[i]!) };
    changes.push(change);
    current = applySpecChange(current, change);
  }
  return { initial, changes };
}

function applySpecChange(current: readonly VrpSpec[], change: SpecChange): VrpSpec[] {
  const removed = new Set(change.removed);
  return [...current.filter((v) => !removed.has(v)), ...change.added];
}

/** The VrpTable a list of specs should give, built independently of the RTR path. */
function tableOf(specs: readonly VrpSpec[]): VrpTable {
  const b = new VrpTableBuilder();
  for (const v of specs) {
    const p = Prefix.parse(v.prefix);
    b.addFields(p.afi, p.w0, p.w1, p.w2, p.w3, p.length, v.maxLength, v.asn, '');
  }
  return b.build();
}

function sameSpecs(table: VrpTable, specs: readonly VrpSpec[]): boolean {
  return table.equals(tableOf(specs));
}

// --- StayRTR harness glue ---------------------------------------------------------------

type Harness = Parameters<typeof StayRtr.start>[0];

/** What StayRtr.start needs of a tap Test: teardowns are collected and run by close(). */
class BenchHarness {
  readonly failures: string[] = [];
  private readonly teardowns: (() => unknown)[] = [];
  readonly t: Harness = {
    pass: () => true,
    fail: (...args: unknown[]) => {
      this.failures.push(String(args[0] ?? 'failed'));
      return false;
    },
    teardown: (fn: () => unknown) => {
      this.teardowns.push(fn);
    },
  };

  async close(): Promise<void> {
    for (const fn of this.teardowns.splice(0).reverse()) await fn();
  }
}

/**
 * CPU time (user + system) a process has used, in ms, from /proc/PID/stat
 * (utime and stime, fields 14 and 15, in clock ticks of 1/100 s on Linux);
 * undefined off Linux.
 */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * Waits for StayRTR's next re-read of its file ("File … is identical to the
 * previous version"), after which it is idle for REFRESH_SECONDS: a timed
 * run started then does not share the machine with a re-read.
 */
async function afterRefresh(stayrtr: StayRtr): Promise<void> {
  await stayrtr.waitForLog(/is identical to the previous version/, REFRESH_SECONDS * 2000 + 30_000);
}

/**
 * Runs `fn` with StayRTR stopped (SIGSTOP, then SIGCONT), so that its
 * periodic re-read of the file (seconds of CPU) cannot take a core from an
 * in-process measurement. Connections stay open meanwhile.
 */
async function withCachePaused<T>(stayrtr: StayRtr, fn: () => T | Promise<T>): Promise<T> {
  const pid = stayrtr.pid;
  if (pid !== undefined) process.kill(pid, 'SIGSTOP');
  try {
    return await fn();
  } finally {
    if (pid !== undefined) process.kill(pid, 'SIGCONT');
  }
}

/** StayRTR's CPU over one refresh period with no client: what re-reading its file costs it. */
async function refreshCost(stayrtr: StayRtr): Promise<number | undefined> {
  await afterRefresh(stayrtr);
  const before = processCpuMs(stayrtr.pid);
  await afterRefresh(stayrtr);
  const after = processCpuMs(stayrtr.pid);
  return before === undefined || after === undefined ? undefined : after - before;
}

// --- sessions ------------------------------------------------------------------------

/** Watches the bytes a session receives: when they came, and (while capturing) the chunks. */
class StreamTap {
  firstAt: number | undefined;
  lastAt = 0;
  bytes = 0;
  chunks: Buffer[] = [];
  capturing: boolean;

  constructor(capture: boolean) {
    this.capturing = capture;
  }

  record(chunk: Buffer): void {
    const now = performance.now();
    this.firstAt ??= now;
    this.lastAt = now;
    this.bytes += chunk.length;
    if (this.capturing) this.chunks.push(chunk);
  }

  /** The connector, wrapped: the tap's listener is added before the session's, so it sees each chunk first. */
  wrap(connect: RtrConnect): RtrConnect {
    return async () => {
      const socket = await connect();
      socket.on('data', (chunk: Buffer) => this.record(chunk));
      return socket;
    };
  }
}

interface LiveSession {
  readonly session: RtrSession;
  readonly tap: StreamTap;
}

interface SyncRun {
  readonly syncMs: number;
  readonly indexMs: number;
  readonly cpuMs: number;
  readonly cacheCpuMs: number | undefined;
  readonly firstByteMs: number;
  readonly lastByteMs: number;
  readonly bytes: number;
  readonly data: RtrCacheData;
  readonly version: number;
  readonly live: LiveSession;
}

function newSession(stayrtr: StayRtr, tap: StreamTap): RtrSession {
  const address = stayrtr.address;
  const colon = address.lastIndexOf(':');
  const connect = tcpTransport(address.slice(0, colon), Number(address.slice(colon + 1)));
  return new RtrSession({ name: 'stayrtr', connect: tap.wrap(connect), retrySeconds: 1, responseTimeoutMs: 60_000 });
}

/** The next update for which `until` holds, and when it came; rejects after `timeoutMs`. */
function nextUpdate(session: RtrSession, until: (u: RtrUpdate) => boolean, timeoutMs: number): Promise<{ update: RtrUpdate; at: number; cpu: NodeJS.CpuUsage }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no RTR update within ${timeoutMs} ms: ${JSON.stringify(session.status())}`));
    }, timeoutMs);
    const off = session.onUpdate((update) => {
      const at = performance.now();
      const cpu = process.cpuUsage();
      if (!until(update)) return;
      clearTimeout(timer);
      off();
      resolve({ update, at, cpu });
    });
  });
}

async function syncOnce(stayrtr: StayRtr, capture: boolean): Promise<SyncRun> {
  const tap = new StreamTap(capture);
  const session = newSession(stayrtr, tap);
  const first = nextUpdate(session, () => true, TIMEOUT_MS);
  const cacheCpu0 = processCpuMs(stayrtr.pid);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  session.start();
  const { update, at, cpu } = await first;
  const cacheCpu1 = processCpuMs(stayrtr.pid);
  if (!update.reset) throw new Error('the first update was not a reset');
  tap.capturing = false;
  const index = timed(() => VrpIndex.build(update.data.vrps));
  return {
    syncMs: at - t0,
    indexMs: index.ms,
    cpuMs: cpuMs(cpu, cpu0),
    cacheCpuMs: cacheCpu0 === undefined || cacheCpu1 === undefined ? undefined : cacheCpu1 - cacheCpu0,
    firstByteMs: (tap.firstAt ?? t0) - t0,
    lastByteMs: tap.lastAt - t0,
    bytes: tap.bytes,
    data: update.data,
    version: update.version,
    live: { session, tap },
  };
}

function printSync(i: number, r: SyncRun): void {
  line(
    `run ${i + 1}`,
    `start -> update ${fmtMs(r.syncMs)} (first byte ${fmtMs(r.firstByteMs)}, last byte ${fmtMs(r.lastByteMs)}); ` +
      `VrpIndex.build ${fmtMs(r.indexMs)}; CPU ours ${fmtMs(r.cpuMs)}, StayRTR ${fmtOpt(r.cacheCpuMs)}; ` +
      `${fmtInt(r.data.vrps.size)} VRPs, v${r.version}`,
  );
}

interface MemoryFigure {
  readonly retained: number;
  readonly columns: number;
  readonly vrps: number;
}

function columnBytes(t: VrpTable): number {
  let n = 0;
  for (const c of [t.v4, t.v6]) n += c.words.byteLength + c.length.byteLength + c.maxLength.byteLength + c.asn.byteLength + c.ta.byteLength;
  return n;
}

interface DumpRun {
  readonly ms: number;
  readonly cacheCpuMs: number | undefined;
  readonly vrps: number;
}

// --- replay ------------------------------------------------------------------------

/**
 * A transport that answers the session's first query with the captured
 * chunks, as the socket delivered them, and then stays silent.
 */
class ReplaySocket extends Duplex {
  private sent = false;

  constructor(private readonly chunks: readonly Buffer[]) {
    super();
  }

  override _read(): void {}

  override _write(_chunk: unknown, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (!this.sent) {
      this.sent = true;
      setImmediate(() => {
        for (const c of this.chunks) this.push(c);
      });
    }
    done();
  }
}

interface ReplayRun {
  readonly ms: number;
  readonly cpuMs: number;
  readonly indexMs: number;
  readonly data: RtrCacheData;
}

async function replaySync(captured: readonly Buffer[]): Promise<ReplayRun> {
  // As 64 KiB reads, what a socket returns when the data is already there:
  // the replay measures the client's work, not the 1 ms read pauses the
  // session takes between small reads of a live bulk transfer.
  const chunks = rechunk(captured, 64 * 1024);
  const session = new RtrSession({ name: 'replay', connect: () => Promise.resolve(new ReplaySocket(chunks)) });
  const first = nextUpdate(session, () => true, TIMEOUT_MS);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  session.start();
  const { update, at, cpu } = await first;
  await session.stop();
  const index = timed(() => VrpIndex.build(update.data.vrps));
  return { ms: at - t0, cpuMs: cpuMs(cpu, cpu0), indexMs: index.ms, data: update.data };
}

/**
 * StayRTR's own pace: a Reset Query over a raw socket, the answer framed
 * only far enough to see End of Data. With `pauseMs` > 0 the reads are
 * held back as RtrSession holds them during a bulk transfer.
 */
async function discardSync(address: string, pauseMs: number): Promise<{ ms: number; reads: number; bytes: number }> {
  const [host, port] = splitAddress(address);
  const socket = netConnect({ host, port });
  await once(socket, 'connect');
  const t0 = performance.now();
  socket.write(Buffer.from([2, 2, 0, 0, 0, 0, 0, 8])); // version 2 Reset Query
  let reads = 0;
  let bytes = 0;
  let pending: Buffer = Buffer.alloc(0);
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('discardSync: no End of Data')), TIMEOUT_MS);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        reads++;
        bytes += chunk.length;
        pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
        let at = 0;
        while (pending.length - at >= 8) {
          const length = pending.readUInt32BE(at + 4);
          if (pending.length - at < length) break;
          if (pending[at + 1] === 7) {
            clearTimeout(timer);
            resolve({ ms: performance.now() - t0, reads, bytes });
            return;
          }
          at += length;
        }
        pending = pending.subarray(at);
        if (pauseMs > 0 && chunk.length < 32 * 1024) {
          socket.pause();
          setTimeout(() => socket.resume(), pauseMs);
        }
      });
    });
  } finally {
    socket.destroy();
  }
}

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at), Number(address.slice(at + 1))];
}

function rechunk(chunks: readonly Buffer[], size: number): Buffer[] {
  const all = Buffer.concat(chunks);
  const out: Buffer[] = [];
  for (let at = 0; at < all.length; at += size) out.push(all.subarray(at, at + size));
  return out;
}

/** VrpTableBuilder.build on the sync's VRPs as they arrived, alone (median of 3): the sort inside the reset's commit. */
function resetBuildMs(chunks: readonly Buffer[]): number {
  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    const builder = new VrpTableBuilder();
    const framer = new RtrFramer();
    for (const chunk of chunks) {
      for (const f of framer.push(chunk)) {
        const pdu = decodePdu(f.bytes);
        if (pdu.type === 4 || pdu.type === 6) {
          const p = pdu.prefix;
          builder.addFields(p.afi, p.w0, p.w1, p.w2, p.w3, p.length, pdu.maxLength, pdu.asn, '');
        }
      }
    }
    collect();
    times.push(timed(() => builder.build(() => undefined)).ms);
  }
  return median(times);
}

// --- incremental updates -----------------------------------------------------------

interface UpdateRun {
  readonly responseToCommitMs: number;
  /** Cache Response to the update published by a Validator (usable for look-ups). */
  readonly responseToIndexMs: number;
  /** Changes the published index holds beside its forests (0: it was rebuilt). */
  readonly pendingChanges: number;
  /** From the last chunk of the update arriving to the commit: our share of the window. */
  readonly lastByteToCommitMs: number;
  readonly notifyToCommitMs: number;
  readonly cpuMs: number;
  /** Socket reads ('data' events) from the Serial Notify to End of Data. */
  readonly chunks: number;
  readonly update: RtrUpdate;
  /** The data the update was applied to. */
  readonly base: RtrCacheData;
  /** Its PDUs, Cache Response to End of Data. */
  readonly frames: readonly Uint8Array[];
}

/**
 * Writes `next` as StayRTR's file and waits for the session to commit the
 * update StayRTR then sends. Times are taken in the session's own callbacks:
 * onState 'receiving' fires as the Cache Response is handled, onUpdate once
 * the transaction has committed.
 */
async function incrementalOnce(stayrtr: StayRtr, live: LiveSession, next: readonly VrpSpec[], validator: Validator): Promise<UpdateRun> {
  const { session, tap } = live;
  const base = session.current;
  let publishedAt: number | undefined;
  let offPublish = (): void => {};
  tap.chunks = [];
  tap.capturing = true;
  let notifiedAt: number | undefined;
  let receivingAt: number | undefined;
  let receivingCpu: NodeJS.CpuUsage | undefined;
  const offState = session.onState((s: RtrSessionState) => {
    if (s === 'waiting') notifiedAt ??= performance.now();
    if (s === 'receiving' && receivingAt === undefined) {
      receivingAt = performance.now();
      receivingCpu = process.cpuUsage();
    }
  });
  try {
    const updated = nextUpdate(session, () => true, TIMEOUT_MS);
    // After nextUpdate's listener, which takes the commit time: listeners run in order.
    offPublish = session.onUpdate((u) => {
      if (u.reset) return;
      validator.publish(u.data.toPayload(), { added: u.added, removed: u.removed });
      publishedAt = performance.now();
    });
    const loading = stayrtr.waitForLog(/new cache file: Updating sha256 hash/, TIMEOUT_MS);
    const served = stayrtr.updateVrps(next, [], TIMEOUT_MS);
    // While StayRTR loads the file (seconds), before it notifies us: a full
    // GC, so the window measures the client and not a collection of this
    // benchmark's own heap (the 800k VrpSpec objects it writes to the file).
    await loading;
    collect();
    await served;
    const { update, at, cpu } = await updated;
    if (update.reset) throw new Error('StayRTR answered with a reset, not an incremental update');
    if (receivingAt === undefined || receivingCpu === undefined) throw new Error('no Cache Response seen');
    if (publishedAt === undefined) throw new Error('the update was not published');
    return {
      responseToCommitMs: at - receivingAt,
      responseToIndexMs: publishedAt - receivingAt,
      pendingChanges: validator.snapshot.vrps.pendingChanges,
      lastByteToCommitMs: at - tap.lastAt,
      notifyToCommitMs: at - (notifiedAt ?? receivingAt),
      cpuMs: cpuMs(cpu, receivingCpu),
      chunks: tap.chunks.length,
      update,
      base,
      frames: updateFrames(tap.chunks),
    };
  } finally {
    offState();
    offPublish();
    tap.capturing = false;
  }
}

/** The PDUs from Cache Response to End of Data in captured chunks, copied out. */
function updateFrames(chunks: readonly Buffer[]): Uint8Array[] {
  const framer = new RtrFramer();
  const out: Uint8Array[] = [];
  let inside = false;
  for (const chunk of chunks) {
    for (const f of framer.push(chunk)) {
      if (f.type === 3) inside = true;
      if (inside) out.push(f.bytes.slice());
      if (f.type === 7) inside = false;
    }
  }
  return out;
}

/** What the session does with a payload PDU (session.ts handle, types 4 and 6). */
function applyPdu(tx: RtrTransaction, pdu: Pdu): void {
  if (pdu.type === 4 || pdu.type === 6) {
    const p = pdu.prefix;
    tx.vrp(pdu.announce, p.afi, p.w0, p.w1, p.w2, p.w3, p.length, pdu.maxLength, pdu.asn);
  }
}

/** The median and the fastest of repeated timings, in ms. */
interface Spread {
  readonly median: number;
  readonly min: number;
}

function spreadOf(times: readonly number[]): Spread {
  return { median: median(times), min: Math.min(...times) };
}

function fmtSpread(s: Spread): string {
  return `${fmtMs(s.median)} (fastest ${fmtMs(s.min)})`;
}

interface ApplyFigures {
  readonly total: Spread;
  readonly decode: Spread;
  readonly vrp: Spread;
  readonly commit: Spread;
  /** base.withChanges(added, removed) alone: the merge inside commit. */
  readonly withChanges: Spread;
}

/**
 * The update's PDUs applied to `base` again and again: the whole, then its
 * steps one by one. Each commit allocates a new 800k-row table (12.5 MB),
 * so repeats also pay for collecting earlier ones; the minimum is printed
 * beside the median for that reason.
 */
function applyBreakdown(base: RtrCacheData, frames: readonly Uint8Array[]): ApplyFigures {
  const total: number[] = [];
  const decode: number[] = [];
  const vrp: number[] = [];
  const commit: number[] = [];
  const merge: number[] = [];
  for (let i = 0; i < APPLY_WARMUPS + APPLY_RUNS; i++) {
    const t0 = performance.now();
    const tx = base.begin(false);
    for (const f of frames) applyPdu(tx, decodePdu(f));
    tx.commit();
    const t1 = performance.now();
    const pdus = frames.map((f) => decodePdu(f));
    const t2 = performance.now();
    const tx2 = base.begin(false);
    for (const p of pdus) applyPdu(tx2, p);
    const t3 = performance.now();
    const u = tx2.commit();
    const t4 = performance.now();
    base.vrps.withChanges(u.added, u.removed);
    const t5 = performance.now();
    if (i < APPLY_WARMUPS) continue;
    total.push(t1 - t0);
    decode.push(t2 - t1);
    vrp.push(t3 - t2);
    commit.push(t4 - t3);
    merge.push(t5 - t4);
  }
  return { total: spreadOf(total), decode: spreadOf(decode), vrp: spreadOf(vrp), commit: spreadOf(commit), withChanges: spreadOf(merge) };
}

/** What the Validator pays to publish the update: the delta, the index, both as publish() does them. */
function publishCost(base: RtrCacheData, next: RtrCacheData, added: VrpTable, removed: VrpTable): { delta: Spread; index: Spread; publish: Spread; publishKnown: Spread } {
  const delta: number[] = [];
  const index: number[] = [];
  const publish: number[] = [];
  const publishKnown: number[] = [];
  const basePayload = base.toPayload();
  const nextPayload = next.toPayload();
  for (let i = 0; i < PUBLISH_RUNS + 1; i++) {
    const d = timed(() => base.vrps.delta(next.vrps));
    const x = timed(() => VrpIndex.build(next.vrps));
    const validator = new Validator();
    validator.publish(basePayload);
    const p = timed(() => validator.publish(nextPayload));
    const known = new Validator();
    known.publish(basePayload);
    const k = timed(() => known.publish(nextPayload, { added, removed }));
    if (i === 0) continue;
    delta.push(d.ms);
    index.push(x.ms);
    publish.push(p.ms);
    publishKnown.push(k.ms);
  }
  return { delta: spreadOf(delta), index: spreadOf(index), publish: spreadOf(publish), publishKnown: spreadOf(publishKnown) };
}

// --- profiles -------------------------------------------------------------------------

/** CPU profiles of one live sync and one replay, written to `dir` and summarised. */
async function profiles(stayrtr: StayRtr, captured: readonly Buffer[], dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const which of ['live', 'replay'] as const) {
    if (which === 'live') await afterRefresh(stayrtr);
    collect();
    const path = join(dir, `rtr-sync-${which}.cpuprofile`);
    const { value: ms, profile } = await profiled(path, async () => {
      if (which === 'live') {
        const r = await syncOnce(stayrtr, false);
        await r.live.session.stop();
        return r.syncMs;
      }
      return (await withCachePaused(stayrtr, () => replaySync(captured))).ms;
    });
    section(`profile of one ${which} sync (${fmtMs(ms)}; index build included; ${path})`);
    printProfile(profile, areaOf);
  }
}

function areaOf(fn: string, url: string): string {
  const file = basename(url);
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)' || fn === '(root)') return 'V8/native (program)';
  if (file === 'framer.js') return 'framer';
  if (file === 'pdu-codec.js' || file === 'pdu-header.js' || file === 'reader.js' || url.includes('/rtr/codec/') || file === 'parse-error.js' || file === 'pdu.js') return 'decodePdu';
  if (file === 'prefix.js') return 'Prefix';
  if (file === 'cache-data.js') return 'transaction (cache-data)';
  if (file === 'vrp-table.js') return fn.includes('sort') || fn === 'pass' || fn === 'move' || fn === 'sameKey' ? 'VrpTable sort/dedup' : 'VrpTable builder';
  if (file === 'vrp-index.js') return 'VrpIndex.build';
  if (file === 'session.js') return 'session';
  if (url.startsWith('node:')) return 'node streams/net';
  if (file === 'rtr.js') return 'benchmark';
  return `other (${file || fn})`;
}

// --- printing and small helpers -----------------------------------------------------

function cpuMs(after: NodeJS.CpuUsage, before: NodeJS.CpuUsage): number {
  return (after.user - before.user + after.system - before.system) / 1000;
}

function medianDefined(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length === 0 ? undefined : median(defined);
}

function pct(part: number, whole: number): string {
  return `${Math.round((part / whole) * 100)}%`;
}

function fmtOpt(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : fmtMs(ms);
}


main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
